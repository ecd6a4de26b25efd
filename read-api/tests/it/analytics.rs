//! The analysts' schema: `docs/analytics.md` documents every column of every view, and the
//! `gescom_analyst` role reads those views and nothing else.

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};

/// (view, column, type) as `docs/analytics.md` lists them, in order.
fn documented() -> Vec<(String, String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/analytics.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut view = None;
    let mut columns = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("### analytics.") {
            view = Some(name.trim().to_owned());
        } else if let (Some(view), Some(row)) = (&view, line.strip_prefix("| `")) {
            let cells: Vec<&str> = row.split(" | ").collect();
            assert_eq!(cells.len(), 3, "{line}");
            let meaning = cells[2].trim_end_matches('|').trim();
            assert!(meaning.len() > 3, "{view}.{}: no meaning given", cells[0]);
            columns.push((
                view.clone(),
                cells[0].trim_end_matches('`').to_owned(),
                cells[1].to_owned(),
            ));
        }
    }
    columns
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_analytics_column_is_documented_and_every_documented_column_exists(pool: PgPool) {
    let mut actual: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text
           FROM information_schema.columns WHERE table_schema = 'analytics'
          ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut documented = documented();
    assert!(documented.len() > 50);
    // Views in name order, columns in the view's order.
    actual.sort_by(|a, b| a.0.cmp(&b.0));
    documented.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(documented, actual);
}

/// A connection as the analyst role, as a BI tool would open it (trust authentication
/// here; a password in production).
async fn analyst_login(pool: &PgPool) -> PgConnection {
    let options: PgConnectOptions = (*pool.connect_options()).clone().username("gescom_analyst");
    PgConnection::connect_with(&options).await.unwrap()
}

/// The SQLSTATE a statement fails with, or `None` if it succeeds.
async fn refusal(conn: &mut PgConnection, sql: &str) -> Option<String> {
    match sqlx::raw_sql(sql).execute(&mut *conn).await {
        Ok(_) => None,
        Err(sqlx::Error::Database(e)) => e.code().map(|c| c.into_owned()),
        Err(other) => panic!("{sql}: {other}"),
    }
}

const INSUFFICIENT_PRIVILEGE: &str = "42501";
const READ_ONLY_TRANSACTION: &str = "25006";

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_analyst_role_reads_the_analytics_views_and_nothing_else(pool: PgPool) {
    let views: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.views WHERE table_schema = 'analytics'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(tables.iter().any(|t| t == "events") && tables.iter().any(|t| t == "users"));
    let mut conn = analyst_login(&pool).await;

    for view in &views {
        let sql = format!("SELECT * FROM analytics.{view} LIMIT 1");
        assert_eq!(refusal(&mut conn, &sql).await, None, "{sql}");
    }
    // The event store, the accounts and their credentials, every other table.
    for table in &tables {
        let sql = format!("SELECT * FROM public.{table} LIMIT 1");
        assert_eq!(
            refusal(&mut conn, &sql).await.as_deref(),
            Some(INSUFFICIENT_PRIVILEGE),
            "{sql}"
        );
    }
    // Sessions are read-only by default (a first wall; the privileges are the second)…
    let read_only: String = sqlx::query_scalar("SHOW default_transaction_read_only")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(read_only, "on");
    assert_eq!(
        refusal(&mut conn, "CREATE TEMPORARY TABLE mine (x int)")
            .await
            .as_deref(),
        Some(READ_ONLY_TRANSACTION)
    );
    // …and with that default lifted, the privileges still refuse every write.
    sqlx::raw_sql("SET default_transaction_read_only = off")
        .execute(&mut conn)
        .await
        .unwrap();
    for sql in [
        "DELETE FROM analytics.products",
        "UPDATE analytics.customers SET legal_name = 'x'",
        "INSERT INTO analytics.sales_by_day (day, status, orders, net, vat, gross)
              VALUES ('2026-01-01', 'submitted', 1, 1, 0, 1)",
        "DELETE FROM public.events",
        "CREATE TABLE analytics.mine (x int)",
        "CREATE TABLE public.mine (x int)",
        "CREATE TEMPORARY TABLE mine (x int)",
        "CREATE SCHEMA mine",
        "CREATE VIEW analytics.mine AS SELECT 1",
        "SELECT lo_from_bytea(0, 'x'::bytea)",
        "SELECT lo_create(0)",
    ] {
        assert_eq!(
            refusal(&mut conn, sql).await.as_deref(),
            Some(INSUFFICIENT_PRIVILEGE),
            "{sql}"
        );
    }
    conn.close().await.unwrap();
}
