//! The three services on the real database and NATS, for tests that need the whole
//! write path: a relay and a projector running as tasks, and the two routers.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use command_api::auth::passwords::{Hashing, HashingConfig, Password};
use command_api::auth::throttle::ThrottleConfig;
use command_api::auth::tokens::TokenIssuer;
use command_api::auth::{Auth, NewUser};
use command_api::relay::{Relay, RelayConfig};
use contracts::account::{DisplayName, Email};
use contracts::auth::Role;
use contracts::auth::Roles;
use contracts::metadata::EventMeta;
use platform::web::{HttpSettings, NatsCheck, Readiness};
use projector::consumer::{Consumer, ConsumerConfig, Stats};
use serde_json::{json, Value};
use sqlx::PgPool;
use testkit::NatsTest;

use crate::helpers::{call, read_router};

/// The three services on the real database and NATS: a relay and a projector running as
/// tasks, and the two routers.
pub struct Pipeline {
    pub commands: axum::Router,
    pub queries: axum::Router,
    pub nats: NatsTest,
    pub projector: Arc<Stats>,
    pub pool: PgPool,
    auth: Arc<Auth>,
    stop: tokio::sync::oneshot::Sender<()>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Pipeline {
    pub async fn start(pool: &PgPool) -> Self {
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
        let stats = consumer.stats();
        let projector = tokio::spawn(consumer.run(shutdown));
        let (issuer, verifier) = TokenIssuer::from_private_pem(
            testkit::auth::PRIVATE_PEM.as_bytes(),
            testkit::auth::settings(),
            chrono::Duration::minutes(15),
            chrono::Duration::days(7),
        )
        .unwrap();
        let auth = Arc::new(Auth::new(
            pool.clone(),
            issuer,
            ThrottleConfig::default(),
            Hashing::new(HashingConfig::sized(2, 1024)),
        ));
        let commands = command_api::http::router(
            command_api::http::AppState::new(pool.clone(), Arc::clone(&auth))
                .with_seller(Some(testkit::seller())),
            Readiness {
                db: pool.clone(),
                nats: NatsCheck::Reported(nats.client.clone()),
            },
            Arc::new(verifier),
            &HttpSettings::new(crate::helpers::REQUEST_TIME_LIMIT),
        );
        Self {
            commands,
            queries: read_router(pool, Duration::from_secs(5)),
            pool: pool.clone(),
            nats,
            projector: stats,
            auth,
            stop,
            tasks: vec![relay, projector],
        }
    }

    /// `Bearer …` of a real, enabled admin account, created on first use: user
    /// management checks the caller's account as it is now, which a token made up for a
    /// test has not got.
    pub async fn admin_bearer(&self) -> String {
        let email = Email::parse("pipeline.admin@example.com").unwrap();
        let (id, _) = command_api::auth::create_user(
            &self.auth.users,
            &self.auth.hashing,
            NewUser {
                email: email.clone(),
                display_name: DisplayName::parse("Pipeline Admin").unwrap(),
                roles: Roles::one(Role::Admin),
                password: Password::new("the pipeline admin's passphrase", None).unwrap(),
                must_change_password: false,
            },
            EventMeta::system(uuid::Uuid::now_v7().to_string()),
        )
        .await
        .unwrap();
        let mut claims = testkit::auth::claims(&[Role::Admin]);
        claims.sub = id;
        claims.email = email.to_string();
        format!("Bearer {}", testkit::auth::sign(&claims))
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        for task in self.tasks {
            task.await.unwrap();
        }
        self.nats.cleanup().await;
    }
}

/// Sends a command as an admin and returns its body, asserting its status.
pub async fn command(
    pipeline: &Pipeline,
    method: Method,
    uri: &str,
    body: serde_json::Value,
    expected: StatusCode,
) -> serde_json::Value {
    let response = call(&pipeline.commands, method.clone(), uri, &[], Some(body)).await;
    assert_eq!(
        response.status, expected,
        "{method} {uri}: {:?}",
        response.body
    );
    response.body
}

/// The commands a scenario needs, as an admin, over command-api's HTTP API.
pub struct Shop<'a> {
    pub pipeline: &'a Pipeline,
}

impl Shop<'_> {
    pub async fn product(
        &self,
        sku: &str,
        price: &str,
        vat: &str,
        threshold: Option<&str>,
    ) -> String {
        let created = command(
            self.pipeline,
            Method::POST,
            "/products",
            json!({"sku": sku, "name": format!("Produit {sku}"), "price": price, "vat_rate": vat,
                   "unit": "piece", "category": "Test", "low_stock_threshold": threshold}),
            StatusCode::CREATED,
        )
        .await;
        created["id"].as_str().unwrap().to_owned()
    }

    pub async fn receive(&self, product: &str, quantity: &str) {
        command(
            self.pipeline,
            Method::POST,
            &format!("/stock/{product}/adjustments"),
            json!({"quantity": quantity, "reason": "receipt"}),
            StatusCode::OK,
        )
        .await;
    }

    pub async fn customer(&self, code: &str) -> String {
        let created = command(
            self.pipeline,
            Method::POST,
            "/customers",
            json!({"code": code, "legal_name": format!("{code} SARL")}),
            StatusCode::CREATED,
        )
        .await;
        created["id"].as_str().unwrap().to_owned()
    }

    /// A draft with `lines` (product, quantity).
    pub async fn order(&self, customer: &str, lines: &[(&str, &str)]) -> String {
        let order = command(
            self.pipeline,
            Method::POST,
            "/orders",
            json!({"customer_id": customer}),
            StatusCode::CREATED,
        )
        .await;
        let id = order["id"].as_str().unwrap().to_owned();
        for (product, quantity) in lines {
            command(
                self.pipeline,
                Method::POST,
                &format!("/orders/{id}/lines"),
                json!({"product_id": product, "quantity": quantity}),
                StatusCode::OK,
            )
            .await;
        }
        id
    }

    /// `submit`, `fulfil` or `cancel`; the order's new version.
    pub async fn step(&self, order: &str, step: &str) -> u64 {
        command(
            self.pipeline,
            Method::POST,
            &format!("/orders/{order}/{step}"),
            json!(null),
            StatusCode::OK,
        )
        .await["version"]
            .as_u64()
            .unwrap()
    }

    /// Waits until the order's read model has reached `version`.
    pub async fn seen(&self, order: &str, version: u64) {
        let read = call(
            &self.pipeline.queries,
            Method::GET,
            &format!("/orders/{order}?min_version={version}"),
            &[],
            None,
        )
        .await;
        assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    }

    pub async fn dashboard(&self, uri: &str) -> Value {
        let analyst = testkit::auth::bearer(&[Role::Analyst]);
        let response = call(
            &self.pipeline.queries,
            Method::GET,
            uri,
            &[("authorization", &analyst)],
            None,
        )
        .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{uri}: {:?}",
            response.body
        );
        response.body
    }
}
