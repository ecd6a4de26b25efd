//! Building the projector from settings: pool, migrations, NATS, consumer and its
//! health endpoints; then running until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use platform::config::{DatabaseConfig, NatsConfig};
use platform::shutdown::Shutdown;
use platform::token::TokenVerifier;
use platform::web::{HttpSettings, NatsCheck, Readiness};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::consumer::{Consumer, ConsumerConfig, Role, Stats};
use crate::sampler::Sampler;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseConfig,
    pub nats: NatsConfig,
    pub listen: SocketAddr,
    pub durable: String,
    pub verifier: Arc<TokenVerifier>,
    pub http: HttpSettings,
    /// How often dead letters and the consumer's backlog are sampled for `/metrics`.
    pub metrics_sample: std::time::Duration,
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    consumer: Consumer,
    sampler: Sampler,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = platform::db::connect_and_migrate(&settings.database).await?;
        let nats = settings.nats.connect().await?;
        let mut config =
            ConsumerConfig::new(settings.nats.stream.clone(), settings.nats.subjects());
        config.durable = settings.durable;
        let (stream, durable) = (config.stream.clone(), config.durable.clone());
        let consumer = Consumer::new(pool.clone(), nats.clone(), config);
        let sampler = Sampler {
            pool: pool.clone(),
            jetstream: async_nats::jetstream::new(nats.clone()),
            stream,
            durable,
            role: consumer.role(),
            every: settings.metrics_sample,
        };
        let router = crate::admin::router(
            crate::admin::AdminState {
                role: consumer.role(),
                stats: consumer.stats(),
                pool: pool.clone(),
            },
            Readiness {
                db: pool,
                nats: NatsCheck::Required(nats),
            },
            settings.verifier,
            &settings.http,
        );
        Ok(Self {
            listener: TcpListener::bind(settings.listen).await?,
            router,
            consumer,
            sampler,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn role(&self) -> watch::Receiver<Role> {
        self.consumer.role()
    }

    pub fn stats(&self) -> Arc<Stats> {
        self.consumer.stats()
    }

    /// Runs the consumer, the metrics sampler and the health server until shutdown.
    pub async fn run_until_stopped(self, shutdown: Shutdown) -> anyhow::Result<()> {
        tracing::info!(addr = %self.listener.local_addr()?, "projector health endpoints listening");
        // Stops by itself at shutdown; never ends the consumer's run.
        tokio::spawn(self.sampler.run(shutdown.clone()));
        let server =
            axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown.clone().wait());
        tokio::select! {
            served = server => {
                served?;
                tracing::info!("projector health server stopped");
            }
            () = self.consumer.run(shutdown) => {
                tracing::info!("projector consumer stopped");
            }
        }
        Ok(())
    }
}
