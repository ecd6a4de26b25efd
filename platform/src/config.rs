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

/// Development (the default) or production: production refuses development keys and
/// weak bootstrap passwords.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    #[default]
    Development,
    Production,
}

#[derive(clap::Args, Clone, Debug)]
pub struct EnvironmentConfig {
    #[arg(
        long = "env",
        env = "GESCOM_ENV",
        value_enum,
        default_value_t = Environment::Development
    )]
    pub environment: Environment,
}

/// Metrics sampled on a timer rather than as they happen (backlogs, ages, dead letters).
#[derive(clap::Args, Clone, Debug)]
pub struct MetricsConfig {
    /// How often, in milliseconds, backlog gauges are sampled (the outbox and the
    /// projector's consumer by command-api's relay; dead letters and the consumer by the
    /// projector).
    #[arg(long, env = "GESCOM_METRICS_SAMPLE_MS", default_value_t = 5_000)]
    pub metrics_sample_ms: u64,
}

impl MetricsConfig {
    pub fn sample_every(&self) -> Duration {
        Duration::from_millis(self.metrics_sample_ms.max(10))
    }
}

#[derive(clap::Args, Clone, Debug)]
pub struct HttpConfig {
    /// Longest time a request may take before a 504.
    #[arg(long, env = "GESCOM_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,
    /// Browser origins allowed to call the API (comma-separated), e.g. the frontend's
    /// `https://gescom.example.com`.
    #[arg(long, env = "GESCOM_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Reverse proxies (addresses or networks, comma-separated, e.g. `10.0.0.0/8`) whose
    /// `X-Forwarded-For` names the client; from any other peer the header is ignored.
    #[arg(long, env = "GESCOM_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
}

impl HttpConfig {
    pub fn settings(&self) -> Result<crate::web::HttpSettings, ConfigError> {
        let cors_origins = self
            .cors_origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .map(|o| {
                if o == "*" {
                    return Err(ConfigError(
                        "GESCOM_CORS_ORIGINS: name the frontend's origin; `*` is refused".into(),
                    ));
                }
                o.parse().map_err(|_| {
                    ConfigError(format!("GESCOM_CORS_ORIGINS: `{o}` is not a valid origin"))
                })
            })
            .collect::<Result<_, _>>()?;
        let trusted_proxies: Vec<ipnet::IpNet> = self
            .trusted_proxies
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        ConfigError(format!(
                            "GESCOM_TRUSTED_PROXIES: `{p}` is not an address or a network"
                        ))
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(crate::web::HttpSettings {
            request_timeout: Duration::from_millis(self.request_timeout_ms),
            cors_origins,
            trusted_proxies: std::sync::Arc::from(trusted_proxies),
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Issuer, audience and key id of access tokens: the same for every service.
#[derive(clap::Args, Clone, Debug)]
pub struct TokenConfig {
    #[arg(
        long = "jwt-issuer",
        env = "GESCOM_JWT_ISSUER",
        default_value = "gescom"
    )]
    pub issuer: String,
    #[arg(
        long = "jwt-audience",
        env = "GESCOM_JWT_AUDIENCE",
        default_value = "gescom-api"
    )]
    pub audience: String,
    /// Key id (`kid`) of the signing key. Keys made by `command-api keys generate --dev`
    /// have ids starting `dev-`, which production refuses.
    #[arg(long = "jwt-kid", env = "GESCOM_JWT_KID", default_value = "gescom-1")]
    pub kid: String,
    /// Lifetime of an access token, in seconds: command-api mints tokens for that long,
    /// and every service refuses one whose `exp − iat` is longer.
    #[arg(
        long = "access-token-ttl-secs",
        env = "GESCOM_ACCESS_TOKEN_TTL_SECS",
        default_value_t = crate::token::DEFAULT_ACCESS_TTL_SECS
    )]
    pub access_ttl_secs: u64,
}

impl TokenConfig {
    pub fn settings(&self) -> crate::token::TokenSettings {
        crate::token::TokenSettings {
            issuer: self.issuer.clone(),
            audience: self.audience.clone(),
            kid: self.kid.clone(),
            access_ttl_secs: self.access_ttl_secs,
        }
    }

    pub fn is_dev_key(&self) -> bool {
        self.kid.starts_with(DEV_KID_PREFIX)
    }
}

pub const DEV_KID_PREFIX: &str = "dev-";

/// Reads a PEM key from a file or from the variable itself.
fn read_pem(
    file: Option<&std::path::Path>,
    inline: Option<&str>,
    what: &str,
) -> Result<Vec<u8>, ConfigError> {
    match (file, inline) {
        (Some(path), _) => std::fs::read(path)
            .map_err(|e| ConfigError(format!("cannot read {what} {}: {e}", path.display()))),
        (None, Some(pem)) => Ok(pem.as_bytes().to_vec()),
        (None, None) => Err(ConfigError(format!("no {what} configured"))),
    }
}

/// Where the verifying services (read-api, projector) find the public key.
#[derive(clap::Args, Clone, Debug)]
pub struct VerifierConfig {
    /// PEM file of the Ed25519 public key that verifies access tokens.
    #[arg(
        long = "jwt-public-key-file",
        env = "GESCOM_JWT_PUBLIC_KEY_FILE",
        required_unless_present = "jwt_public_key"
    )]
    pub public_key_file: Option<std::path::PathBuf>,
    /// The same key as PEM text, for environments that pass secrets as variables.
    #[arg(
        id = "jwt_public_key",
        long = "jwt-public-key",
        env = "GESCOM_JWT_PUBLIC_KEY",
        hide_env_values = true
    )]
    pub public_key: Option<String>,
    #[command(flatten)]
    pub token: TokenConfig,
}

impl VerifierConfig {
    pub fn verifier(&self) -> Result<crate::token::TokenVerifier, ConfigError> {
        let pem = read_pem(
            self.public_key_file.as_deref(),
            self.public_key.as_deref(),
            "JWT public key",
        )?;
        crate::token::TokenVerifier::from_public_pem(&pem, &self.token.settings())
            .map_err(|e| ConfigError(format!("GESCOM_JWT_PUBLIC_KEY(_FILE): {e}")))
    }

    /// Refuses what must not run in production.
    pub fn check_for(&self, environment: Environment) -> Result<(), ConfigError> {
        if environment == Environment::Production && self.token.is_dev_key() {
            return Err(ConfigError(format!(
                "GESCOM_JWT_KID `{}` names a development key: production needs its own key pair",
                self.token.kid
            )));
        }
        Ok(())
    }
}

/// Where command-api finds its signing key.
#[derive(clap::Args, Clone, Debug)]
pub struct SignerConfig {
    /// PEM (PKCS#8) file of the Ed25519 private key that signs access tokens.
    #[arg(
        long = "jwt-private-key-file",
        env = "GESCOM_JWT_PRIVATE_KEY_FILE",
        required_unless_present = "jwt_private_key"
    )]
    pub private_key_file: Option<std::path::PathBuf>,
    #[arg(
        id = "jwt_private_key",
        long = "jwt-private-key",
        env = "GESCOM_JWT_PRIVATE_KEY",
        hide_env_values = true
    )]
    pub private_key: Option<String>,
    #[command(flatten)]
    pub token: TokenConfig,
}

impl SignerConfig {
    pub fn private_pem(&self) -> Result<Vec<u8>, ConfigError> {
        read_pem(
            self.private_key_file.as_deref(),
            self.private_key.as_deref(),
            "JWT private key",
        )
    }
}

/// Who sells: the seller's identity, which French law wants on every proforma and
/// invoice. read-api prints it on proformas; command-api copies it into each invoice it
/// issues (a snapshot). Both read the same variables.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SellerConfig {
    /// The seller's legal name; without it, no proforma and no invoice.
    #[arg(long, env = "GESCOM_SELLER_NAME")]
    pub seller_name: Option<String>,
    /// Postal address, lines separated by `|`.
    #[arg(long, env = "GESCOM_SELLER_ADDRESS", value_delimiter = '|')]
    pub seller_address: Vec<String>,
    #[arg(long, env = "GESCOM_SELLER_SIRET")]
    pub seller_siret: Option<String>,
    /// Intra-EU VAT number.
    #[arg(long, env = "GESCOM_SELLER_VAT_NUMBER")]
    pub seller_vat_number: Option<String>,
    /// `SAS`, `SARL`, …
    #[arg(long, env = "GESCOM_SELLER_LEGAL_FORM")]
    pub seller_legal_form: Option<String>,
    /// Share capital in euros.
    #[arg(long, env = "GESCOM_SELLER_CAPITAL")]
    pub seller_capital: Option<rust_decimal::Decimal>,
    /// Registration, e.g. `RCS Lyon 552 081 317`.
    #[arg(long, env = "GESCOM_SELLER_RCS")]
    pub seller_rcs: Option<String>,
    #[arg(long, env = "GESCOM_SELLER_EMAIL")]
    pub seller_email: Option<String>,
    #[arg(long, env = "GESCOM_SELLER_PHONE")]
    pub seller_phone: Option<String>,
}

impl SellerConfig {
    /// None without a seller name; an error when the name comes without a valid SIRET
    /// and VAT number.
    pub fn seller(&self) -> Result<Option<contracts::invoice::Seller>, ConfigError> {
        use contracts::customer::{Siret, VatNumber};
        let Some(name) = self
            .seller_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        else {
            return Ok(None);
        };
        let siret = self
            .seller_siret
            .as_deref()
            .ok_or_else(|| ConfigError("GESCOM_SELLER_SIRET is required with a seller".into()))
            .and_then(|s| {
                Siret::parse(s).map_err(|e| ConfigError(format!("GESCOM_SELLER_SIRET: {e}")))
            })?;
        let vat_number = self
            .seller_vat_number
            .as_deref()
            .ok_or_else(|| ConfigError("GESCOM_SELLER_VAT_NUMBER is required with a seller".into()))
            .and_then(|s| {
                VatNumber::parse(s)
                    .map_err(|e| ConfigError(format!("GESCOM_SELLER_VAT_NUMBER: {e}")))
            })?;
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        Ok(Some(contracts::invoice::Seller {
            name: name.to_owned(),
            address: self
                .seller_address
                .iter()
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect(),
            siret,
            vat_number,
            legal_form: text(&self.seller_legal_form),
            capital: self.seller_capital,
            rcs: text(&self.seller_rcs),
            email: text(&self.seller_email),
            phone: text(&self.seller_phone),
        }))
    }
}
