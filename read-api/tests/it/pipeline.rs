//! The three services on the real database and NATS, for tests that need the whole
//! write path: a relay and a projector running as tasks, and the two routers.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use command_api::auth::throttle::ThrottleConfig;
use command_api::auth::tokens::TokenIssuer;
use command_api::auth::Auth;
use command_api::relay::{Relay, RelayConfig};
use projector::consumer::{Consumer, ConsumerConfig, Stats};
use shared::web::{HttpSettings, NatsCheck, Readiness};
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
        Self {
            commands,
            queries: read_router(pool, Duration::from_secs(5)),
            nats,
            projector: stats,
            stop,
            tasks: vec![relay, projector],
        }
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
