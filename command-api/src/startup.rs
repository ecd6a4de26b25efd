//! Building command-api from settings: pool, migrations, NATS, router, relay; then
//! serving until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use shared::config::{DatabaseConfig, NatsConfig};
use shared::shutdown::Shutdown;
use shared::web::{NatsCheck, Readiness};
use tokio::net::TcpListener;

use crate::domain::product::Product;
use crate::es::CommandBus;
use crate::http::{router, AppState};
use crate::relay::{Relay, RelayConfig};

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseConfig,
    pub nats: NatsConfig,
    pub listen: SocketAddr,
    /// Run the outbox relay inside this process (the default), or leave it to a
    /// separate `command-api relay`.
    pub embedded_relay: bool,
    pub request_timeout: Duration,
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    relay: Option<Relay>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = shared::db::connect_and_migrate(&settings.database).await?;
        let nats = settings.nats.connect().await?;
        let state = AppState {
            products: Arc::new(CommandBus::<Product>::new(pool.clone(), ())),
        };
        let readiness = Readiness {
            db: pool.clone(),
            nats: NatsCheck::Reported(nats.clone()),
        };
        let relay = settings.embedded_relay.then(|| {
            Relay::new(
                pool.clone(),
                nats,
                RelayConfig::new(settings.nats.stream.clone(), settings.nats.subjects()),
            )
        });
        let listener = TcpListener::bind(settings.listen).await?;
        Ok(Self {
            listener,
            router: router(state, readiness, settings.request_timeout),
            relay,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves HTTP (and the embedded relay) until `shutdown` fires; in-flight requests
    /// finish first.
    pub async fn run_until_stopped(self, shutdown: Shutdown) -> anyhow::Result<()> {
        tracing::info!(addr = %self.listener.local_addr()?, "command-api listening");
        let server = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown.clone().wait());
        match self.relay {
            Some(relay) => {
                let (served, ()) = tokio::join!(server, relay.run(shutdown.wait()));
                served?;
            }
            None => server.await?,
        }
        tracing::info!("command-api stopped");
        Ok(())
    }
}
