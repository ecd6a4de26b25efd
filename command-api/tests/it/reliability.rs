//! A lost database connection is answered 503 with `Retry-After`, never 500, and
//! leaves nothing half-applied.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::TestApp;

/// Waits until a backend of this database other than `mine` waits on a lock, then
/// terminates it, as an administrator (or a failover) would.
pub(crate) async fn terminate_the_lock_waiter(pool: &PgPool, mine: i32) {
    loop {
        let terminated: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND pid <> $1 AND pid <> pg_backend_pid()",
        )
        .bind(mine)
        .fetch_all(pool)
        .await
        .unwrap();
        if !terminated.is_empty() {
            return;
        }
        tokio::task::yield_now().await;
    }
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_connection_lost_mid_command_answers_503_and_applies_nothing(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let mut blocker = pool.begin().await.unwrap();
    let mine: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *blocker)
        .await
        .unwrap();
    // The command's insert into `events` waits behind this lock, inside its transaction.
    sqlx::query("LOCK TABLE events IN EXCLUSIVE MODE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let (response, ()) = tokio::join!(app.create_product("LOST-1"), async {
        terminate_the_lock_waiter(&pool, mine).await;
    });
    blocker.rollback().await.unwrap();

    assert_eq!(
        response.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        response.body
    );
    assert_eq!(response.code(), "unavailable");
    assert_eq!(response.header("retry-after"), Some("1"));
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE payload::text LIKE '%LOST-1%'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, 0, "nothing half-applied");

    // The pool replaces the lost connection: the retry succeeds.
    let retried = app.create_product("LOST-1").await;
    assert_eq!(retried.status, StatusCode::CREATED, "{:?}", retried.body);
}
