//! `/metrics`: Prometheus text, public, requests labelled by route template, commands
//! counted by outcome, and the backlog the relay reports while no projector consumes.

use std::time::Duration;

use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use command_api::relay::{Relay, RelayConfig};
use serde_json::json;
use sqlx::PgPool;
use testkit::metrics::sample;
use testkit::{eventually, NatsTest};

use crate::helpers::TestApp;

const HTTP: &str = "gescom_http_request_duration_seconds_count";
const COMMANDS: &str = "gescom_commands_total";

/// `GET /metrics` without a token, as Prometheus scrapes: the text and its content type.
async fn scrape(app: &TestApp) -> (String, String) {
    let response = app
        .send(
            Request::builder()
                .uri("/metrics")
                // An empty authorization header: no token at all.
                .header(header::AUTHORIZATION, "")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.body);
    let content_type = response.header("content-type").unwrap_or("").to_owned();
    let text = response.body.as_str().unwrap_or("").to_owned();
    (text, content_type)
}

fn count(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    sample(text, name, labels).unwrap_or(0.0)
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn metrics_are_public_prometheus_text_labelled_by_route_template(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let id = uuid::Uuid::now_v7().to_string();
    let patched = app
        .patch_product(&id, None, &json!({"price": "1.00"}))
        .await;
    assert_eq!(patched.status, StatusCode::NOT_FOUND);
    let stray = format!("/no/such/{id}");
    let unmatched = app.post_empty(&stray).await;
    assert_eq!(unmatched.status, StatusCode::NOT_FOUND);
    let invented = app
        .send(
            Request::builder()
                .method("BREW")
                .uri(format!("/products/{id}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(invented.status, StatusCode::METHOD_NOT_ALLOWED);

    let (text, content_type) = scrape(&app).await;
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    assert!(text.contains("# TYPE gescom_http_request_duration_seconds histogram"));
    let by_template = [
        ("method", "PATCH"),
        ("route", "/products/{id}"),
        ("status", "404"),
    ];
    assert_eq!(count(&text, HTTP, &by_template), 1.0, "{text}");
    let stray_labels = [
        ("method", "POST"),
        ("route", "unmatched"),
        ("status", "404"),
    ];
    assert_eq!(count(&text, HTTP, &stray_labels), 1.0, "{text}");
    // Invented methods share one label.
    let other = [
        ("method", "other"),
        ("route", "/products/{id}"),
        ("status", "405"),
    ];
    assert_eq!(count(&text, HTTP, &other), 1.0, "{text}");
    assert!(!text.contains("BREW"), "{text}");
    // Raw paths never become labels.
    assert!(!text.contains(&id), "{text}");
    // Every service reports its pool.
    assert!(sample(&text, "gescom_db_pool_connections", &[("state", "idle")]).is_some());
    assert!(sample(&text, "gescom_db_pool_max_connections", &[]).is_some_and(|max| max >= 1.0));
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn commands_are_counted_by_type_and_outcome(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let create = |outcome| {
        [
            ("aggregate", "Product"),
            ("command", "Create"),
            ("outcome", outcome),
        ]
    };
    let update = |outcome| {
        [
            ("aggregate", "Product"),
            ("command", "Update"),
            ("outcome", outcome),
        ]
    };
    let (before, _) = scrape(&app).await;

    let created = app.create_product("METRIC-1").await;
    assert_eq!(created.status, StatusCode::CREATED);
    // The same SKU again: refused by its unique key.
    assert_eq!(
        app.create_product("METRIC-1").await.status,
        StatusCode::CONFLICT
    );
    let id = created.id();
    let changed = app
        .patch_product(&id, Some(1), &json!({"price": "13.00"}))
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    // A stale If-Match.
    let stale = app
        .patch_product(&id, Some(1), &json!({"price": "14.00"}))
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    let (after, _) = scrape(&app).await;
    let moved = |labels: &[(&str, &str)]| {
        count(&after, COMMANDS, labels) - count(&before, COMMANDS, labels)
    };
    assert_eq!(moved(&create("accepted")), 1.0, "{after}");
    assert_eq!(moved(&create("refused")), 1.0, "{after}");
    assert_eq!(moved(&update("accepted")), 1.0, "{after}");
    assert_eq!(moved(&update("version_mismatch")), 1.0, "{after}");
    assert_eq!(moved(&update("refused")), 0.0, "{after}");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_relay_reports_the_projector_backlog_while_no_projector_consumes(pool: PgPool) {
    const EVENTS: f64 = 5.0;
    let app = TestApp::new(pool.clone()).await;
    let nats = NatsTest::new().await;
    // The projector's durable consumer as the projector creates it, and nobody pulling:
    // a projector that has stopped.
    nats.stream()
        .await
        .create_consumer(pull::Config {
            durable_name: Some("projector".to_owned()),
            ack_policy: AckPolicy::Explicit,
            deliver_policy: DeliverPolicy::All,
            filter_subject: nats.subjects().all_events(),
            ..Default::default()
        })
        .await
        .unwrap();
    for i in 0..EVENTS as usize {
        let created = app.create_product(&format!("BACKLOG-{i}")).await;
        assert_eq!(created.status, StatusCode::CREATED);
    }
    let mut config = RelayConfig::new(nats.config.stream.clone(), nats.subjects());
    config.sample_every = Duration::from_millis(20);
    config.idle_poll = Duration::from_millis(100);
    let relay = Relay::new(pool.clone(), nats.client.clone(), config);

    // Before anything is published, the outbox holds every event.
    relay.sample_outbox().await.unwrap();
    let (text, _) = scrape(&app).await;
    assert_eq!(
        count(&text, "gescom_outbox_unpublished_events", &[]),
        EVENTS
    );
    assert!(count(&text, "gescom_outbox_oldest_unpublished_age_seconds", &[]) > 0.0);

    let (stop, shutdown) = testkit::shutdown_switch();
    let running = tokio::spawn(relay.run(shutdown.wait()));
    let projector = [("consumer", "projector")];
    eventually(
        "the relay reports every published event pending for the projector",
        Duration::from_secs(20),
        || async {
            let (text, _) = scrape(&app).await;
            count(
                &text,
                "gescom_projector_consumer_pending_messages",
                &projector,
            ) >= EVENTS
                && count(&text, "gescom_outbox_unpublished_events", &[]) == 0.0
        },
    )
    .await;
    let (text, _) = scrape(&app).await;
    assert!(
        count(
            &text,
            "gescom_projector_consumer_oldest_unacked_age_seconds",
            &projector
        ) > 0.0,
        "{text}"
    );
    assert_eq!(
        count(&text, "gescom_relay_published_events_total", &[]),
        EVENTS
    );
    assert_eq!(
        count(&text, "gescom_outbox_oldest_unpublished_age_seconds", &[]),
        0.0
    );
    let _ = stop.send(());
    running.await.unwrap();
    nats.cleanup().await;
}
