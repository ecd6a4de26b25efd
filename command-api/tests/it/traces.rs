//! With the `otlp` feature: one trace from the HTTP request through the stored event to
//! the messages the relay publishes (`cargo nextest run -p gescom-command-api --features
//! otlp`). Without it, no `traceparent` is stored or sent.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use command_api::relay::{Relay, RelayConfig};
use contracts::metadata::is_traceparent;
use sqlx::PgPool;
use testkit::NatsTest;

use crate::helpers::{product_body, TestApp};

const CLIENT_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn trace_id(traceparent: &str) -> &str {
    traceparent.split('-').nth(1).unwrap_or("")
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_command_its_event_and_its_messages_share_the_client_trace(pool: PgPool) {
    #[cfg(feature = "otlp")]
    let _telemetry = platform::telemetry::init_unexported();
    let app = TestApp::new(pool.clone()).await;
    let nats = NatsTest::new().await;
    nats.stream().await;
    let created = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/products")
                .header(header::CONTENT_TYPE, "application/json")
                .header("x-request-id", "trace-test-1")
                .header(
                    "traceparent",
                    format!("00-{CLIENT_TRACE}-00f067aa0ba902b7-01"),
                )
                .body(Body::from(product_body("TRACE-1").to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let metadata: serde_json::Value =
        sqlx::query_scalar("SELECT metadata FROM events WHERE aggregate_type = 'Product'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let stored = metadata["traceparent"].as_str();

    let relay = Relay::new(
        pool.clone(),
        nats.client.clone(),
        RelayConfig::new(nats.config.stream.clone(), nats.subjects()),
    );
    assert_eq!(relay.publish_batch().await.unwrap(), 1);
    let messages = nats.messages().await;
    let headers = messages[0].headers.clone();
    let sent = headers.get("traceparent").map(|v| v.as_str().to_owned());
    assert_eq!(
        headers
            .get(platform::nats::headers::CORRELATION_ID)
            .map(|v| v.as_str()),
        Some("trace-test-1")
    );

    if cfg!(feature = "otlp") {
        let stored = stored.expect("a stored traceparent");
        let sent = sent.expect("a traceparent header");
        assert!(
            is_traceparent(stored) && is_traceparent(&sent),
            "{stored} {sent}"
        );
        // One trace: the client's, through the command, the event and the message.
        assert_eq!(trace_id(stored), CLIENT_TRACE);
        assert_eq!(trace_id(&sent), CLIENT_TRACE);
        // Each hop is a span of its own.
        assert_ne!(stored, sent);
    } else {
        assert_eq!(stored, None);
        assert_eq!(sent, None);
    }
    nats.cleanup().await;
}
