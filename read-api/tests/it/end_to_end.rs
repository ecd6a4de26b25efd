//! The whole data path: command-api → events + outbox → relay → JetStream → projector
//! → read model → read-api, each step a separate task on the real services.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use command_api::auth::throttle::ThrottleConfig;
use command_api::auth::tokens::TokenIssuer;
use command_api::auth::Auth;
use command_api::relay::{Relay, RelayConfig};
use projector::consumer::{Consumer, ConsumerConfig};
use serde_json::json;
use shared::auth::Role;
use shared::web::{HttpSettings, NatsCheck, Readiness};
use sqlx::PgPool;
use testkit::NatsTest;

use crate::helpers::{call, read_router};

#[sqlx::test(migrator = "shared::db::MIGRATOR")]
async fn a_created_product_is_readable_at_the_returned_version_on_the_first_try(pool: PgPool) {
    let nats = NatsTest::new().await;
    let (stop, shutdown) = testkit::shutdown_switch();
    let relay = Relay::new(
        pool.clone(),
        nats.client.clone(),
        RelayConfig::new(nats.config.stream.clone(), nats.subjects()),
    );
    let relay = tokio::spawn(relay.run(shutdown.clone().wait()));
    let consumer = Consumer::new(
        pool.clone(),
        nats.client.clone(),
        ConsumerConfig::new(nats.config.stream.clone(), nats.subjects()),
    );
    let projector = tokio::spawn(consumer.run(shutdown));
    let (issuer, verifier) = TokenIssuer::from_private_pem(
        testkit::auth::PRIVATE_PEM.as_bytes(),
        testkit::auth::settings(),
        chrono::Duration::minutes(15),
        chrono::Duration::days(7),
    )
    .unwrap();
    let commands = command_api::http::router(
        command_api::http::AppState::new(
            pool.clone(),
            Arc::new(Auth::new(pool.clone(), issuer, ThrottleConfig::default())),
        ),
        Readiness {
            db: pool.clone(),
            nats: NatsCheck::Reported(nats.client.clone()),
        },
        Arc::new(verifier),
        &HttpSettings::new(Duration::from_secs(10)),
    );
    let sales = testkit::auth::claims(&[Role::Sales]);
    let sales_token = format!("Bearer {}", testkit::auth::sign(&sales));
    let queries = read_router(&pool, Duration::from_secs(5));

    let created = call(
        &commands,
        Method::POST,
        "/products",
        &[
            ("x-request-id", "e2e-1"),
            ("authorization", &sales_token),
            ("user-agent", "e2e/1"),
        ],
        Some(json!({
            "sku": "E2E-1", "name": "Perceuse", "price": "89.00", "vat_rate": "20",
            "unit": "piece", "category": "Outillage"
        })),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let version = created.body["version"].as_u64().unwrap();

    let read = call(
        &queries,
        Method::GET,
        &format!("/products/{id}?min_version={version}"),
        &[],
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["sku"], "E2E-1");
    assert_eq!(read.body["price"], "89.00");
    assert_eq!(read.body["updated_by"], sales.sub.to_string());
    assert_eq!(read.body["last_correlation_id"], "e2e-1");

    let updated = call(
        &commands,
        Method::PATCH,
        &format!("/products/{id}"),
        &[("if-match", &format!("\"{version}\""))],
        Some(json!({"price": "79.00"})),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK);
    let etag = updated.headers["etag"]
        .to_str()
        .unwrap()
        .trim_matches('"')
        .to_owned();
    let listed = call(
        &queries,
        Method::GET,
        &format!("/products?q=e2e&min_version={id}:{etag}"),
        &[],
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    assert_eq!(listed.body["items"][0]["price"], "79.00");
    assert_eq!(listed.body["items"][0]["version"], 2);

    // The audit trail, for an admin: who created it, from where, under which request.
    let audit = call(
        &queries,
        Method::GET,
        &format!("/audit?aggregate_id={id}&type=ProductCreated"),
        &[],
        None,
    )
    .await;
    assert_eq!(audit.status, StatusCode::OK, "{:?}", audit.body);
    assert_eq!(audit.body["total"], 1);
    let entry = &audit.body["items"][0];
    assert_eq!(entry["actor_id"], sales.sub.to_string());
    assert_eq!(entry["actor_roles"], "sales");
    assert_eq!(entry["source_ip"], "192.0.2.7");
    assert_eq!(entry["user_agent"], "e2e/1");
    assert_eq!(entry["correlation_id"], "e2e-1");
    assert_eq!(entry["payload"]["ProductCreated"]["sku"], "E2E-1");
    // …and not for the sales user who did it.
    let denied = call(
        &queries,
        Method::GET,
        "/audit",
        &[("authorization", &sales_token)],
        None,
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    let _ = stop.send(());
    relay.await.unwrap();
    projector.await.unwrap();
    nats.cleanup().await;
}
