//! Typed settings read from the environment (or flags), with clap reporting what is
//! missing or malformed by its variable name. Each service flattens the parts it needs.

use std::fmt;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

#[derive(clap::Args, Clone)]
pub struct DatabaseConfig {
    /// PostgreSQL connection URL.
    #[arg(
        id = "database_url",
        long = "database-url",
        env = "DATABASE_URL",
        value_name = "DATABASE_URL"
    )]
    pub url: String,
    /// Connections in this process's pool.
    #[arg(
        long = "database-max-connections",
        env = "DATABASE_MAX_CONNECTIONS",
        default_value_t = 10
    )]
    pub max_connections: u32,
}

// The URL may hold a password: never print it.
impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &"<redacted>")
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl DatabaseConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 10,
        }
    }

    pub fn connect_options(&self) -> Result<PgConnectOptions, sqlx::Error> {
        self.url.parse()
    }

    /// A pool that connects on first use, so that a service starts (and reports
    /// not-ready) while the database is still down.
    pub fn pool(&self) -> Result<PgPool, sqlx::Error> {
        Ok(PgPoolOptions::new()
            .max_connections(self.max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(self.connect_options()?))
    }
}

#[derive(clap::Args, Clone, Debug)]
pub struct NatsConfig {
    /// NATS server URL.
    #[arg(
        long = "nats-url",
        env = "NATS_URL",
        default_value = "nats://127.0.0.1:4222"
    )]
    pub url: String,
    /// Prefix of every subject this deployment publishes or reads.
    #[arg(
        long = "nats-prefix",
        env = "GESCOM_NATS_PREFIX",
        default_value = "gescom"
    )]
    pub prefix: String,
    /// JetStream stream that holds `<prefix>.events.>`.
    #[arg(
        long = "nats-stream",
        env = "GESCOM_NATS_STREAM",
        default_value = "GESCOM_EVENTS"
    )]
    pub stream: String,
}

impl NatsConfig {
    pub fn new(url: &str, prefix: &str, stream: &str) -> Self {
        Self {
            url: url.to_owned(),
            prefix: prefix.to_owned(),
            stream: stream.to_owned(),
        }
    }

    pub fn subjects(&self) -> crate::nats::Subjects {
        crate::nats::Subjects::new(self.prefix.clone())
    }

    /// A client that keeps retrying in the background: services start while NATS is
    /// down and catch up when it returns.
    pub async fn connect(&self) -> Result<async_nats::Client, async_nats::ConnectError> {
        async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(2))
            .connect(&self.url)
            .await
    }
}
