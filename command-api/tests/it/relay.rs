use std::collections::HashMap;
use std::time::Duration;

use axum::http::StatusCode;
use command_api::relay::{Relay, RelayConfig};
use contracts::envelope::EventEnvelope;
use platform::config::NatsConfig;
use platform::nats::headers;
use sqlx::{Connection, PgPool};
use testkit::{eventually, NatsTest};

use crate::helpers::{append_raw, TestApp};

fn relay_for(pool: &PgPool, nats: &NatsTest, client: async_nats::Client) -> Relay {
    let mut config = RelayConfig::new(nats.config.stream.clone(), nats.subjects());
    config.ack_timeout = Duration::from_millis(300);
    config.idle_poll = Duration::from_millis(200);
    Relay::new(pool.clone(), client, config)
}

async fn unpublished(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn envelopes(messages: &[async_nats::jetstream::message::StreamMessage]) -> Vec<EventEnvelope> {
    messages
        .iter()
        .map(|m| serde_json::from_slice(&m.payload).expect("an event envelope"))
        .collect()
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_row_that_commits_late_is_not_skipped(pool: PgPool) {
    let nats = NatsTest::new().await;
    nats.stream().await;
    let relay = relay_for(&pool, &nats, nats.client.clone());

    // A takes the smaller outbox id but commits last.
    let mut a = pool.acquire().await.unwrap();
    let mut tx_a = a.begin().await.unwrap();
    append_raw(&mut tx_a, "agg-a", 1).await.unwrap();
    let mut b = pool.acquire().await.unwrap();
    let mut tx_b = b.begin().await.unwrap();
    append_raw(&mut tx_b, "agg-b", 1).await.unwrap();
    tx_b.commit().await.unwrap();

    // B is visible with the larger id; A is not yet.
    assert_eq!(relay.publish_batch().await.unwrap(), 1);
    tx_a.commit().await.unwrap();
    // A checkpoint on "max id seen" (B's) would now skip A.
    assert_eq!(relay.publish_batch().await.unwrap(), 1);
    assert_eq!(relay.publish_batch().await.unwrap(), 0);

    let published: Vec<String> = envelopes(&nats.messages().await)
        .into_iter()
        .map(|e| e.aggregate_id)
        .collect();
    assert_eq!(
        published,
        ["agg-b", "agg-a"],
        "A, committed late, is published too"
    );
    assert_eq!(unpublished(&pool).await, 0);
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn concurrent_writers_committing_out_of_order_reach_the_stream_once_and_in_order(
    pool: PgPool,
) {
    const WRITERS: usize = 12;
    const EVENTS_EACH: i64 = 15;
    let nats = NatsTest::new().await;
    let (stop, shutdown) = testkit::shutdown_switch();
    let relay = tokio::spawn(relay_for(&pool, &nats, nats.client.clone()).run(shutdown.wait()));

    let writers = (0..WRITERS).map(|w| {
        let pool = pool.clone();
        tokio::spawn(async move {
            for seq in 1..=EVENTS_EACH {
                let mut tx = pool.begin().await.unwrap();
                append_raw(&mut tx, &format!("writer-{w}"), seq)
                    .await
                    .unwrap();
                // Hold the transaction open a varying while, so that outbox ids commit
                // out of order across writers.
                let pause = ((w as i64 * 7 + seq * 3) % 11) as f64 / 1000.0;
                sqlx::query("SELECT pg_sleep($1)")
                    .bind(pause)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
        })
    });
    for writer in futures::future::join_all(writers).await {
        writer.unwrap();
    }
    let total = (WRITERS as u64) * (EVENTS_EACH as u64);
    eventually(
        "every event on the stream",
        Duration::from_secs(20),
        || async { nats.message_count().await >= total },
    )
    .await;
    eventually(
        "every outbox row marked",
        Duration::from_secs(5),
        || async { unpublished(&pool).await == 0 },
    )
    .await;
    let _ = stop.send(());
    relay.await.unwrap();

    let published = envelopes(&nats.messages().await);
    assert_eq!(published.len() as u64, total, "exactly once");
    let mut next: HashMap<String, i64> = HashMap::new();
    for event in &published {
        let expected = next.entry(event.aggregate_id.clone()).or_insert(1);
        assert_eq!(
            event.sequence, *expected,
            "{} out of order",
            event.aggregate_id
        );
        *expected += 1;
    }
    assert_eq!(next.len(), WRITERS);
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn messages_carry_subject_dedup_id_and_audit_headers(pool: PgPool) {
    let nats = NatsTest::new().await;
    nats.stream().await;
    let app = TestApp::new(pool.clone()).await;
    let created = app
        .json(
            axum::http::Method::POST,
            "/products",
            &[("x-request-id", "corr-7")],
            &crate::helpers::product_body("HDR-1"),
        )
        .await;
    let id = created.id();
    relay_for(&pool, &nats, nats.client.clone())
        .publish_batch()
        .await
        .unwrap();
    let messages = nats.messages().await;
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(
        message.subject.as_str(),
        format!("{}.events.Product.{id}", nats.config.prefix)
    );
    let h = &message.headers;
    let get = |name: &str| h.get(name).map(|v| v.as_str().to_owned());
    assert_eq!(get(headers::MSG_ID), Some(format!("Product:{id}:1")));
    assert_eq!(get(headers::EVENT_TYPE).as_deref(), Some("ProductCreated"));
    assert_eq!(get(headers::EVENT_VERSION).as_deref(), Some("1"));
    assert_eq!(get(headers::CORRELATION_ID).as_deref(), Some("corr-7"));
    assert_eq!(get(headers::ACTOR_ID), Some(app.caller.sub.to_string()));
    let envelope: EventEnvelope = serde_json::from_slice(&message.payload).unwrap();
    assert_eq!(envelope.payload["ProductCreated"]["sku"], "HDR-1");
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_republished_row_is_deduplicated_by_its_msg_id(pool: PgPool) {
    let nats = NatsTest::new().await;
    nats.stream().await;
    let mut conn = pool.acquire().await.unwrap();
    for seq in 1..=3 {
        append_raw(&mut conn, "dup", seq).await.unwrap();
    }
    let relay = relay_for(&pool, &nats, nats.client.clone());
    assert_eq!(relay.publish_batch().await.unwrap(), 3);
    // As if the relay died after publishing and before marking.
    sqlx::query("UPDATE outbox SET published_at = NULL")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(relay.publish_batch().await.unwrap(), 3);
    assert_eq!(nats.message_count().await, 3);
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn with_nats_unreachable_commands_succeed_and_the_relay_catches_up(pool: PgPool) {
    let nats = NatsTest::new().await;
    let app = TestApp::new(pool.clone()).await;
    for i in 0..5 {
        let response = app.create_product(&format!("OFF-{i}")).await;
        assert_eq!(response.status, StatusCode::CREATED);
    }

    // A relay pointed at a port where nothing listens publishes nothing and marks nothing.
    let unreachable = NatsConfig::new(
        "nats://127.0.0.1:1",
        &nats.config.prefix,
        &nats.config.stream,
    );
    let dead_client = unreachable.connect().await.unwrap();
    let dead_relay = relay_for(&pool, &nats, dead_client);
    assert!(dead_relay
        .publish_batch()
        .await
        .map_or(true, |sent| sent == 0));
    assert_eq!(unpublished(&pool).await, 5);

    // The same outbox, relayed to the real server.
    let (stop, shutdown) = testkit::shutdown_switch();
    let relay = tokio::spawn(relay_for(&pool, &nats, nats.client.clone()).run(shutdown.wait()));
    eventually(
        "the backlog is published",
        Duration::from_secs(20),
        || async { unpublished(&pool).await == 0 },
    )
    .await;
    let _ = stop.send(());
    relay.await.unwrap();
    assert_eq!(nats.message_count().await, 5);
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn published_rows_past_the_retention_are_pruned_and_pending_ones_kept(pool: PgPool) {
    let nats = NatsTest::new().await;
    nats.stream().await;
    let mut conn = pool.acquire().await.unwrap();
    for seq in 1..=3 {
        append_raw(&mut conn, "old", seq).await.unwrap();
    }
    let mut config = RelayConfig::new(nats.config.stream.clone(), nats.subjects());
    config.retention = Duration::ZERO;
    let relay = Relay::new(pool.clone(), nats.client.clone(), config);
    assert_eq!(relay.publish_batch().await.unwrap(), 3);
    append_raw(&mut conn, "old", 4).await.unwrap();
    assert_eq!(relay.prune().await.unwrap(), 3);
    let left: Vec<i64> = sqlx::query_scalar("SELECT sequence FROM outbox")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(left, [4], "the unpublished row stays");
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(events, 4, "the event store keeps everything");
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_running_relay_recreates_a_stream_deleted_under_it(pool: PgPool) {
    let nats = NatsTest::new().await;
    let (stop, shutdown) = testkit::shutdown_switch();
    let relay = tokio::spawn(relay_for(&pool, &nats, nats.client.clone()).run(shutdown.wait()));
    let mut conn = pool.acquire().await.unwrap();
    append_raw(&mut conn, "gone", 1).await.unwrap();
    eventually(
        "the first event is published",
        Duration::from_secs(10),
        || async { unpublished(&pool).await == 0 },
    )
    .await;
    nats.jetstream
        .delete_stream(&nats.config.stream)
        .await
        .unwrap();

    append_raw(&mut conn, "gone", 2).await.unwrap();
    eventually(
        "the second event is published",
        Duration::from_secs(15),
        || async { unpublished(&pool).await == 0 },
    )
    .await;
    assert_eq!(nats.message_count().await, 1, "on a new stream");
    let _ = stop.send(());
    relay.await.unwrap();
    nats.cleanup().await;
}

/// A stored event whose metadata does not read still goes out, and so do the rows behind
/// it: the relay is a pipe, the projector is where such an event is parked.
#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_event_with_unreadable_metadata_holds_no_row_back(pool: PgPool) {
    let nats = NatsTest::new().await;
    nats.stream().await;
    let relay = relay_for(&pool, &nats, nats.client.clone());
    sqlx::query(
        r#"INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                               payload, metadata)
           VALUES ('Stock', '0190a3c4-0000-7000-8000-0000000000aa', 1, 'StockLow', '1',
                   '{"StockLow": {"product_id": "0190a3c4-0000-7000-8000-0000000000aa",
                                  "available": "1", "threshold": "2"}}',
                   '{"actor_id": "alice"}')"#,
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut conn = pool.acquire().await.unwrap();
    append_raw(&mut conn, "agg-after", 1).await.unwrap();
    drop(conn);

    assert_eq!(relay.publish_batch().await.unwrap(), 2);
    assert_eq!(unpublished(&pool).await, 0);
    let published: Vec<String> = envelopes(&nats.messages().await)
        .into_iter()
        .map(|e| e.aggregate_id)
        .collect();
    assert_eq!(
        published,
        ["0190a3c4-0000-7000-8000-0000000000aa", "agg-after"]
    );
}
