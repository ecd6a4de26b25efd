//! `GET /audit` filters and pagination, and the CSV export.

use std::time::Duration;

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{get, read_router};

async fn seed(pool: &PgPool, aggregate: &str, sequence: i64, event: &str, actor: &str, at: &str) {
    sqlx::query(
        "INSERT INTO audit_log (aggregate_type, aggregate_id, sequence, event_type, event_version,
                                occurred_at, actor_id, actor_roles, source_ip, user_agent,
                                correlation_id, payload)
         VALUES ('Product', $1, $2, $3, '1', $4::timestamptz, $5, 'sales', '10.0.0.1', 'ua, \"quoted\"',
                 'corr-' || $2, jsonb_build_object($3::text, jsonb_build_object('sku', 'A;B')))",
    )
    .bind(aggregate)
    .bind(sequence)
    .bind(event)
    .bind(at)
    .bind(actor)
    .execute(pool)
    .await
    .unwrap();
}

async fn seed_trail(pool: &PgPool) {
    seed(
        pool,
        "p1",
        1,
        "ProductCreated",
        "alice",
        "2026-11-01T09:00:00Z",
    )
    .await;
    seed(
        pool,
        "p1",
        2,
        "ProductUpdated",
        "bob",
        "2026-11-02T09:00:00Z",
    )
    .await;
    seed(
        pool,
        "p2",
        1,
        "ProductCreated",
        "alice",
        "2026-11-03T09:00:00Z",
    )
    .await;
    seed(
        pool,
        "p2",
        2,
        "ProductArchived",
        "alice",
        "2026-11-04T09:00:00Z",
    )
    .await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_trail_filters_by_actor_aggregate_type_and_period(pool: PgPool) {
    seed_trail(&pool).await;
    let app = read_router(&pool, Duration::from_millis(200));
    let ids = |body: &serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{}#{}", r["aggregate_id"].as_str().unwrap(), r["sequence"]))
            .collect()
    };
    let all = get(&app, "/audit").await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    assert_eq!(
        ids(&all.body),
        ["p2#2", "p2#1", "p1#2", "p1#1"],
        "newest first"
    );

    let alice = get(&app, "/audit?actor=alice&limit=2&page=2").await;
    assert_eq!(alice.body["total"], 3);
    assert_eq!(ids(&alice.body), ["p1#1"]);

    let created = get(&app, "/audit?type=ProductCreated&aggregate_type=Product").await;
    assert_eq!(ids(&created.body), ["p2#1", "p1#1"]);

    let period = get(&app, "/audit?from=2026-11-02&to=2026-11-04").await;
    assert_eq!(
        ids(&period.body),
        ["p2#1", "p1#2"],
        "from inclusive, to exclusive"
    );

    let p1 = get(&app, "/audit?aggregate_id=p1").await;
    assert_eq!(p1.body["total"], 2);

    let bad = get(&app, "/audit?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.code(), "malformed_query");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_export_is_csv_with_the_same_filters(pool: PgPool) {
    seed_trail(&pool).await;
    let app = read_router(&pool, Duration::from_millis(200));
    let response = get(&app, "/audit/export?actor=alice").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.headers["content-type"], "text/csv; charset=utf-8");
    let text = response.body.as_str().unwrap().to_owned();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        read_api::http::audit::CSV_COLUMNS
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][1], "alice");
    assert_eq!(
        &rows[0][4], "ua, \"quoted\"",
        "quoting survives the round trip"
    );
    assert_eq!(&rows[0][9], "ProductArchived");
    let payload: serde_json::Value = serde_json::from_str(&rows[0][11]).unwrap();
    assert_eq!(payload["ProductArchived"]["sku"], "A;B");
}
