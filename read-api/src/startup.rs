//! Building read-api from settings, then serving until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use platform::config::DatabaseConfig;
use platform::shutdown::Shutdown;
use platform::token::TokenVerifier;
use platform::web::{HttpSettings, NatsCheck, Readiness};
use tokio::net::TcpListener;

use crate::freshness::Freshness;
use crate::http::{router, AppState};
use crate::proforma::ProformaSettings;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseConfig,
    pub listen: SocketAddr,
    /// Longest wait for `min_version` before `projection_lagging`.
    pub max_wait: Duration,
    pub verifier: Arc<TokenVerifier>,
    pub http: HttpSettings,
    /// None: proformas answer 503 `seller_not_configured`.
    pub proforma: Option<ProformaSettings>,
}

pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = platform::db::connect_and_migrate(&settings.database).await?;
        platform::metrics::install();
        metrics::describe_histogram!(
            crate::proforma::RENDER_DURATION,
            metrics::Unit::Seconds,
            "Proforma PDF render time on the blocking pool, by language"
        );
        metrics::describe_histogram!(
            crate::facturx::RENDER_DURATION,
            metrics::Unit::Seconds,
            "Invoice and credit-note Factur-X PDF render time (layout, CII, PDF/A) on the \
             blocking pool, by language"
        );
        let state = AppState::new(
            pool.clone(),
            Freshness::start(pool.clone(), settings.max_wait),
        )
        .with_proforma(settings.proforma);
        // read-api does not use NATS: ready means the read models answer.
        let readiness = Readiness {
            db: pool,
            nats: NatsCheck::Unused,
        };
        Ok(Self {
            listener: TcpListener::bind(settings.listen).await?,
            router: router(state, readiness, settings.verifier, &settings.http),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run_until_stopped(self, shutdown: Shutdown) -> anyhow::Result<()> {
        tracing::info!(addr = %self.listener.local_addr()?, "read-api listening");
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown.wait())
            .await?;
        tracing::info!("read-api stopped");
        Ok(())
    }
}
