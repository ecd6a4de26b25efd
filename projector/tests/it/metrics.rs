//! What ops see on `/metrics` about the projector: its lag and settled messages while it
//! runs, the backlog rising while it is stopped (reported by command-api's relay, which
//! keeps running), and its dead letters.
//!
//! One process holds one recorder: here the relay, the projector and the router scraped
//! share it, as separate services in production do not.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use projector::consumer::Role;
use projector::sampler::Sampler;
use sqlx::PgPool;
use testkit::metrics::sample;
use testkit::{eventually, NatsTest};
use tower::ServiceExt;

use crate::helpers::{spawn_projector, spawn_relay, Catalogue};

const WAIT: Duration = Duration::from_secs(20);
const PROJECTOR: [(&str, &str); 1] = [("consumer", "projector")];

/// `GET /metrics` on the projector's router, without a token.
async fn scrape(pool: &PgPool) -> String {
    let app = crate::helpers::admin_app(pool);
    let response = app
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    sample(text, name, labels).unwrap_or(0.0)
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_backlog_rises_while_the_projector_is_stopped_and_drains_when_it_is_back(pool: PgPool) {
    const RENAMES: u64 = 4;
    let nats = NatsTest::new().await;
    let relay = spawn_relay(&pool, &nats);
    let projector = spawn_projector(&pool, &nats);
    let catalogue = Catalogue::new(&pool);
    let id = catalogue.create("LAG-1", "Lentilles").await;
    testkit::all_events_projected(&pool, WAIT).await;

    // Running: each applied event's lag is measured, by aggregate type, and counted,
    // both just after the commit that made it visible.
    eventually("the lag and the message counted", WAIT, || async {
        let text = scrape(&pool).await;
        let product = [("aggregate_type", "Product")];
        value(&text, "gescom_projector_lag_seconds_count", &product) >= 1.0
            && value(
                &text,
                "gescom_projector_messages_total",
                &[("outcome", "applied")],
            ) >= 1.0
    })
    .await;

    // Stopped: what is published meanwhile stays pending on its durable consumer, and
    // the relay (another service, still running) says so.
    projector.running.stop().await;
    for i in 0..RENAMES {
        catalogue.rename(id, &format!("Lentilles {i}")).await;
    }
    // (A pull the stopped projector left open may still take some: those count as
    // delivered, not acknowledged.)
    eventually(
        "the relay reports the events the stopped projector has not acknowledged",
        WAIT,
        || async {
            let text = scrape(&pool).await;
            value(
                &text,
                "gescom_projector_consumer_pending_messages",
                &PROJECTOR,
            ) + value(
                &text,
                "gescom_projector_consumer_ack_pending_messages",
                &PROJECTOR,
            ) >= RENAMES as f64
        },
    )
    .await;
    let text = scrape(&pool).await;
    assert!(
        value(
            &text,
            "gescom_projector_consumer_oldest_unacked_age_seconds",
            &PROJECTOR
        ) > 0.0,
        "{text}"
    );

    // Back: it catches up, and the backlog drains to nothing.
    let projector = spawn_projector(&pool, &nats);
    testkit::all_events_projected(&pool, WAIT).await;
    eventually("the backlog drains", WAIT, || async {
        let text = scrape(&pool).await;
        value(
            &text,
            "gescom_projector_consumer_pending_messages",
            &PROJECTOR,
        ) == 0.0
            && value(
                &text,
                "gescom_projector_consumer_ack_pending_messages",
                &PROJECTOR,
            ) == 0.0
            && value(
                &text,
                "gescom_projector_consumer_oldest_unacked_age_seconds",
                &PROJECTOR,
            ) == 0.0
    })
    .await;
    projector.running.stop().await;
    relay.stop().await;
    nats.cleanup().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn parked_dead_letters_are_reported(pool: PgPool) {
    let nats = NatsTest::new().await;
    let (_role_tx, role) = tokio::sync::watch::channel(Role::Standby);
    let sampler = Sampler {
        pool: pool.clone(),
        jetstream: nats.jetstream.clone(),
        stream: nats.config.stream.clone(),
        durable: "projector".to_owned(),
        role,
        every: Duration::from_millis(20),
    };
    let (stop, shutdown) = testkit::shutdown_switch();
    let sampling = tokio::spawn(sampler.run(shutdown));
    eventually("no dead letter reported", WAIT, || async {
        let text = scrape(&pool).await;
        sample(
            &text,
            "gescom_projector_dead_letters",
            &[("status", "parked")],
        ) == Some(0.0)
    })
    .await;

    let mut conn = pool.acquire().await.unwrap();
    projector::dead_letters::park(&mut conn, "t.events.Product.x", "Product", "x", 1, "boom")
        .await
        .unwrap();
    eventually("one parked dead letter reported", WAIT, || async {
        let text = scrape(&pool).await;
        value(
            &text,
            "gescom_projector_dead_letters",
            &[("status", "parked")],
        ) == 1.0
    })
    .await;
    let text = scrape(&pool).await;
    assert_eq!(
        value(
            &text,
            "gescom_projector_dead_letters",
            &[("status", "rejected")]
        ),
        0.0
    );
    assert_eq!(value(&text, "gescom_projector_active", &[]), 0.0);
    let _ = stop.send(());
    sampling.await.unwrap();
    nats.cleanup().await;
}
