//! Building command-api from settings: pool, migrations, keys, NATS, router, relay, first
//! admin; then serving until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use contracts::account::Email;
use platform::config::{DatabaseConfig, NatsConfig};
use platform::shutdown::Shutdown;
use platform::token::TokenSettings;
use platform::web::{HttpSettings, NatsCheck, Readiness};
use tokio::net::TcpListener;

use crate::app::order_process::OrderProcesses;
use crate::auth::passwords::{Hashing, HashingConfig, Password};
use crate::auth::throttle::ThrottleConfig;
use crate::auth::tokens::TokenIssuer;
use crate::auth::Auth;
use crate::http::{router, AppState};
use crate::relay::{Relay, RelayConfig};
use crate::transmission::http::{HttpPlatform, ReadApiDocuments};
use crate::transmission::{Dispatcher, DispatcherConfig};

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseConfig,
    pub nats: NatsConfig,
    pub listen: SocketAddr,
    /// Run the outbox relay inside this process (the default), or leave it to a
    /// separate `command-api relay`.
    pub embedded_relay: bool,
    /// The embedded relay's settings (stream, projector consumer, metrics sampling).
    pub relay: RelayConfig,
    pub http: HttpSettings,
    pub auth: AuthSettings,
    pub vat_rates: contracts::product::VatRates,
    /// Copied into each invoice issued; none: invoices answer 503 `seller_not_configured`.
    pub seller: Option<contracts::invoice::Seller>,
    /// The approved platform; none: issued documents wait in the outbox.
    pub transmission: Option<TransmissionSettings>,
}

#[derive(Clone)]
pub struct TransmissionSettings {
    pub platform_url: String,
    pub platform_token: Option<String>,
    pub read_api_url: String,
    pub dispatcher: DispatcherConfig,
}

impl std::fmt::Debug for TransmissionSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransmissionSettings")
            .field("platform_url", &self.platform_url)
            .field("read_api_url", &self.read_api_url)
            .field("dispatcher", &self.dispatcher)
            .finish_non_exhaustive()
    }
}

/// How long the dispatcher waits for read-api or the platform.
const TRANSMISSION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone)]
pub struct AuthSettings {
    /// PKCS#8 PEM of the Ed25519 signing key.
    pub private_key_pem: Vec<u8>,
    pub token: TokenSettings,
    pub access_ttl: chrono::Duration,
    pub refresh_ttl: chrono::Duration,
    pub throttle: ThrottleConfig,
    pub hashing: HashingConfig,
    /// Created at start-up when no account exists yet.
    pub bootstrap_admin: Option<(Email, Password)>,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("token", &self.token)
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("throttle", &self.throttle)
            .field("hashing", &self.hashing)
            .field(
                "bootstrap_admin",
                &self.bootstrap_admin.as_ref().map(|(email, _)| email),
            )
            .finish_non_exhaustive()
    }
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    relay: Option<Relay>,
    /// Resumes order processes cut off by a crash.
    recovery: Arc<OrderProcesses>,
    dispatcher: Option<Dispatcher<HttpPlatform>>,
}

/// How often interrupted order processes are looked for.
const RECOVERY_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let auth_settings = settings.auth;
        let (issuer, verifier) = TokenIssuer::from_private_pem(
            &auth_settings.private_key_pem,
            auth_settings.token,
            auth_settings.access_ttl,
            auth_settings.refresh_ttl,
        )?;
        let pool = platform::db::connect_and_migrate(&settings.database).await?;
        platform::metrics::install();
        metrics::describe_counter!(
            crate::es::COMMANDS,
            "Commands handled, by aggregate, command and outcome (accepted, unchanged, refused, version_mismatch, conflict, unavailable, failed)"
        );
        let dispatcher = match settings.transmission {
            Some(transmission) => Some(Dispatcher::new(
                pool.clone(),
                ReadApiDocuments::new(
                    &transmission.read_api_url,
                    issuer.clone(),
                    TRANSMISSION_TIMEOUT,
                )?,
                HttpPlatform::new(
                    &transmission.platform_url,
                    transmission.platform_token,
                    TRANSMISSION_TIMEOUT,
                )?,
                transmission.dispatcher,
            )),
            None => None,
        };
        let auth = Arc::new(Auth::new(
            pool.clone(),
            issuer,
            auth_settings.throttle,
            Hashing::new(auth_settings.hashing),
        ));
        if let Some((email, password)) = auth_settings.bootstrap_admin {
            if let Some(id) = auth.ensure_first_admin(email.clone(), password).await? {
                tracing::info!(%id, %email, "first admin created from configuration");
            }
        }
        let nats = settings.nats.connect().await?;
        let state = AppState::new(pool.clone(), auth)
            .with_vat_rates(settings.vat_rates)
            .with_seller(settings.seller);
        let recovery = Arc::clone(&state.orders);
        let readiness = Readiness {
            db: pool.clone(),
            nats: NatsCheck::Reported(nats.clone()),
        };
        let relay = settings
            .embedded_relay
            .then(|| Relay::new(pool.clone(), nats, settings.relay));
        let listener = TcpListener::bind(settings.listen).await?;
        Ok(Self {
            listener,
            router: router(state, readiness, Arc::new(verifier), &settings.http),
            relay,
            recovery,
            dispatcher,
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
        let recovery = self
            .recovery
            .run_recovery(RECOVERY_EVERY, shutdown.clone().wait());
        // Boxed: the dispatcher's future is large and would inflate every caller's.
        let dispatcher = self
            .dispatcher
            .map(|d| Box::pin(d.run(shutdown.clone().wait())));
        let recovery = async move {
            match dispatcher {
                Some(dispatcher) => drop(tokio::join!(recovery, dispatcher)),
                None => recovery.await,
            }
        };
        match self.relay {
            Some(relay) => {
                let (served, (), ()) = tokio::join!(server, relay.run(shutdown.wait()), recovery);
                served?;
            }
            None => {
                let (served, ()) = tokio::join!(server, recovery);
                served?;
            }
        }
        tracing::info!("command-api stopped");
        Ok(())
    }
}
