//! Command line: `serve` (HTTP + relay), `relay` (alone), `migrate`, `admin create`,
//! `keys generate`, `openapi`.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use contracts::account::{DisplayName, Email};
use contracts::auth::{Role, Roles};
use contracts::metadata::EventMeta;
use platform::config::{
    DatabaseConfig, Environment, EnvironmentConfig, HttpConfig, MetricsConfig, NatsConfig,
    SellerConfig, SignerConfig, DEV_KID_PREFIX,
};
use platform::shutdown::{shutdown_signal, Shutdown};

use crate::auth::passwords::{Hashing, HashingConfig, Password};
use crate::auth::throttle::ThrottleConfig;
use crate::auth::NewUser;
use crate::domain::user::User;
use crate::es::CommandBus;
use crate::relay::{Relay, RelayConfig};
use crate::startup::{Application, AuthSettings, Settings, TransmissionSettings};
use crate::transmission::port::Syntax;
use crate::transmission::DispatcherConfig;

#[derive(Debug, Parser)]
#[command(name = "command-api", version, about = "gescom write side")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start-up: the size of the biggest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the command HTTP API, with the outbox relay unless told otherwise.
    Serve {
        #[command(flatten)]
        database: DatabaseConfig,
        #[command(flatten)]
        nats: NatsConfig,
        #[arg(long, env = "GESCOM_COMMAND_LISTEN", default_value = "127.0.0.1:8081")]
        listen: SocketAddr,
        /// Run the outbox relay in this process.
        #[arg(long, env = "GESCOM_EMBEDDED_RELAY", default_value_t = true, action = clap::ArgAction::Set)]
        embedded_relay: bool,
        #[command(flatten)]
        http: HttpConfig,
        #[command(flatten)]
        auth: AuthArgs,
        /// VAT rates a price may use, in percent, comma-separated (default: metropolitan
        /// France's).
        #[arg(long, env = "GESCOM_VAT_RATES", default_value = contracts::product::VatRates::FRENCH)]
        vat_rates: String,
        #[command(flatten)]
        env: EnvironmentConfig,
        #[command(flatten)]
        relay: RelayArgs,
        /// The seller, copied into every invoice issued.
        #[command(flatten)]
        seller: SellerConfig,
        #[command(flatten)]
        transmission: TransmissionArgs,
    },
    /// Run the outbox relay alone.
    Relay {
        #[command(flatten)]
        database: DatabaseConfig,
        #[command(flatten)]
        nats: NatsConfig,
        #[command(flatten)]
        relay: RelayArgs,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Manage accounts from the shell (the first admin, a locked-out admin).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Manage token-signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Print the API's OpenAPI document (`docs/openapi/command-api.json`).
    Openapi,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an account. The password is read from GESCOM_ADMIN_PASSWORD or, when that
    /// is unset, from the first line of standard input.
    Create {
        #[command(flatten)]
        database: DatabaseConfig,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        /// Roles, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "admin")]
        roles: Vec<String>,
        #[arg(long, env = "GESCOM_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Write a new Ed25519 key pair (`jwt.key.pem`, `jwt.pub.pem`) into a directory and
    /// print the key id to configure as GESCOM_JWT_KID.
    Generate {
        #[arg(long)]
        out_dir: PathBuf,
        /// Mark the key as a development key (`dev-…` id), which production refuses.
        #[arg(long)]
        dev: bool,
    },
}

/// What the relay samples for metrics besides the outbox.
#[derive(Debug, clap::Args)]
struct RelayArgs {
    /// The projector's durable consumer (as the projector is configured), whose backlog
    /// the relay reports while the projector itself may be down.
    #[arg(long, env = "GESCOM_PROJECTOR_DURABLE", default_value = "projector")]
    projector_durable: String,
    #[command(flatten)]
    metrics: MetricsConfig,
}

impl RelayArgs {
    fn config(self, nats: &NatsConfig) -> RelayConfig {
        let mut config = RelayConfig::new(nats.stream.clone(), nats.subjects());
        config.projector_durable = self.projector_durable;
        config.sample_every = self.metrics.sample_every();
        config
    }
}

/// The approved platform issued documents are handed to (README "Transmission").
#[derive(Debug, clap::Args)]
struct TransmissionArgs {
    /// The platform's API base URL; unset, documents wait in the `transmissions` outbox.
    #[arg(long, env = "GESCOM_PLATFORM_URL")]
    platform_url: Option<String>,
    /// The bearer token the platform gave gescom.
    #[arg(long, env = "GESCOM_PLATFORM_TOKEN", hide_env_values = true)]
    platform_token: Option<String>,
    /// What the platform is handed: `factur-x`, `cii` or `ubl`.
    #[arg(long, env = "GESCOM_PLATFORM_SYNTAX", default_value = "factur-x")]
    platform_syntax: String,
    /// How often a deposited document's status is asked for, in seconds.
    #[arg(long, env = "GESCOM_PLATFORM_POLL_SECS", default_value_t = 300)]
    platform_poll_secs: u64,
    /// read-api's base URL, where documents are rendered.
    #[arg(long, env = "GESCOM_READ_API_URL")]
    read_api_url: Option<String>,
}

impl TransmissionArgs {
    fn settings(self) -> anyhow::Result<Option<TransmissionSettings>> {
        let Some(platform_url) = self.platform_url else {
            return Ok(None);
        };
        let syntax = Syntax::parse(&self.platform_syntax)
            .ok_or_else(|| anyhow::anyhow!("GESCOM_PLATFORM_SYNTAX: one of factur-x, cii, ubl"))?;
        let read_api_url = self
            .read_api_url
            .context("GESCOM_READ_API_URL is required with GESCOM_PLATFORM_URL")?;
        Ok(Some(TransmissionSettings {
            platform_url,
            platform_token: self.platform_token,
            read_api_url,
            dispatcher: DispatcherConfig {
                syntax,
                poll_every: Duration::from_secs(self.platform_poll_secs.max(1)),
                ..DispatcherConfig::default()
            },
        }))
    }
}

/// Token signing, lifetimes, login throttling and the first admin.
#[derive(Debug, clap::Args)]
struct AuthArgs {
    #[command(flatten)]
    signer: SignerConfig,
    /// Memory that concurrent password hashing may take, in MiB: with the machine's
    /// cores, it bounds how many argon2 checks (19 MiB each) run at once. Logins beyond
    /// the bound and its short queue get 503 with `Retry-After`.
    #[arg(
        long,
        env = "GESCOM_PASSWORD_HASHING_MEMORY_MIB",
        default_value_t = 256
    )]
    password_hashing_memory_mib: usize,
    /// Lifetime of a refresh token, in seconds; each refresh issues a new one.
    #[arg(long, env = "GESCOM_REFRESH_TOKEN_TTL_SECS", default_value_t = 7 * 24 * 3600)]
    refresh_token_ttl_secs: u32,
    /// Failed logins for one account, within the window, before it is locked.
    #[arg(
        long,
        env = "GESCOM_LOGIN_MAX_FAILURES_PER_ACCOUNT",
        default_value_t = 5
    )]
    login_max_failures_per_account: u32,
    /// Failed logins from one address, within the window, before it is locked.
    #[arg(
        long,
        env = "GESCOM_LOGIN_MAX_FAILURES_PER_ADDRESS",
        default_value_t = 20
    )]
    login_max_failures_per_address: u32,
    /// Window over which failures count, and length of a lock, in seconds.
    #[arg(long, env = "GESCOM_LOGIN_LOCKOUT_SECS", default_value_t = 900)]
    login_lockout_secs: u64,
    /// The first admin, created at start-up when no account exists.
    #[arg(
        long,
        env = "GESCOM_BOOTSTRAP_ADMIN_EMAIL",
        requires = "bootstrap_admin_password"
    )]
    bootstrap_admin_email: Option<String>,
    #[arg(long, env = "GESCOM_BOOTSTRAP_ADMIN_PASSWORD", hide_env_values = true)]
    bootstrap_admin_password: Option<String>,
}

impl AuthArgs {
    /// Checks what production must not run with, then builds the settings.
    fn settings(self, environment: Environment) -> anyhow::Result<AuthSettings> {
        let production = environment == Environment::Production;
        if production && self.signer.token.is_dev_key() {
            anyhow::bail!(
                "GESCOM_JWT_KID `{}` names a development key: production needs its own key pair",
                self.signer.token.kid
            );
        }
        let bootstrap_admin = match (self.bootstrap_admin_email, self.bootstrap_admin_password) {
            (Some(email), Some(password)) => {
                let email = Email::parse(&email)
                    .map_err(|e| anyhow::anyhow!("GESCOM_BOOTSTRAP_ADMIN_EMAIL: {e}"))?;
                let password = match Password::new(&password, Some(email.as_str())) {
                    Ok(p) => p,
                    Err(e) if production => {
                        anyhow::bail!(
                            "GESCOM_BOOTSTRAP_ADMIN_PASSWORD is refused in production: {e}"
                        )
                    }
                    Err(e) => {
                        tracing::warn!("GESCOM_BOOTSTRAP_ADMIN_PASSWORD is weak ({e}); accepted outside production only");
                        Password::presented(&password)
                            .context("GESCOM_BOOTSTRAP_ADMIN_PASSWORD is too long")?
                    }
                };
                Some((email, password))
            }
            _ => None,
        };
        let window = Duration::from_secs(self.login_lockout_secs);
        Ok(AuthSettings {
            private_key_pem: self.signer.private_pem()?,
            token: self.signer.token.settings(),
            access_ttl: chrono::Duration::seconds(
                i64::try_from(self.signer.token.access_ttl_secs).unwrap_or(i64::MAX),
            ),
            hashing: HashingConfig::for_this_machine(self.password_hashing_memory_mib),
            refresh_ttl: chrono::Duration::seconds(self.refresh_token_ttl_secs.into()),
            throttle: ThrottleConfig {
                max_per_account: self.login_max_failures_per_account,
                max_per_address: self.login_max_failures_per_address,
                window,
                lockout: window,
                ..ThrottleConfig::default()
            },
            bootstrap_admin,
        })
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            database,
            nats,
            listen,
            embedded_relay,
            http,
            auth,
            vat_rates,
            env,
            relay,
            seller,
            transmission,
        } => {
            let seller = seller.seller()?;
            if seller.is_none() {
                if env.environment == Environment::Production {
                    anyhow::bail!(
                        "GESCOM_SELLER_NAME, _SIRET and _VAT_NUMBER are required in production: \
                         every invoice carries them"
                    );
                }
                tracing::warn!("no seller configured: invoices answer 503 seller_not_configured");
            }
            let vat_rates = contracts::product::VatRates::parse(&vat_rates)
                .map_err(|e| anyhow::anyhow!("GESCOM_VAT_RATES: {e}"))?;
            let relay = relay.config(&nats);
            let app = Application::build(Settings {
                database,
                nats,
                listen,
                embedded_relay,
                relay,
                http: http.settings()?,
                auth: auth.settings(env.environment)?,
                vat_rates,
                seller,
                transmission: transmission.settings()?,
            })
            .await?;
            app.run_until_stopped(Shutdown::on(shutdown_signal())).await
        }
        Command::Relay {
            database,
            nats,
            relay,
        } => {
            let pool = platform::db::connect_and_migrate(&database).await?;
            let client = nats.connect().await?;
            let relay = Relay::new(pool, client, relay.config(&nats));
            tracing::info!("outbox relay running");
            relay.run(shutdown_signal()).await;
            Ok(())
        }
        Command::Migrate { database } => {
            platform::db::connect_and_migrate(&database).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    database,
                    email,
                    name,
                    roles,
                    password,
                },
        } => create_account(database, &email, &name, &roles, password).await,
        Command::Keys {
            command: KeysCommand::Generate { out_dir, dev },
        } => generate_keys(&out_dir, dev),
        Command::Openapi => Ok(platform::openapi::write_to_stdout(&crate::http::openapi()?)?),
    }
}

async fn create_account(
    database: DatabaseConfig,
    email: &str,
    name: &str,
    roles: &[String],
    password: Option<String>,
) -> anyhow::Result<()> {
    let password = match password {
        Some(p) => p,
        None => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let roles = roles
        .iter()
        .map(|r| r.parse::<Role>())
        .collect::<Result<Vec<_>, _>>()
        .and_then(Roles::try_from)
        .map_err(|e| anyhow::anyhow!("--roles: {e}"))?;
    let user = NewUser {
        display_name: DisplayName::parse(name).map_err(|e| anyhow::anyhow!("--name: {e}"))?,
        password: Password::new(&password, Some(email.as_str()))
            .map_err(|e| anyhow::anyhow!("password: {e}"))?,
        email,
        roles,
        must_change_password: false,
    };
    let pool = platform::db::connect_and_migrate(&database).await?;
    let users = Arc::new(CommandBus::<User>::new(pool, ()));
    let metadata = EventMeta::system(uuid::Uuid::now_v7().to_string());
    let hashing = Hashing::new(HashingConfig::for_this_machine(256));
    let (id, _) = crate::auth::create_user(&users, &hashing, user, metadata)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(%id, "account created");
    Ok(())
}

fn generate_keys(out_dir: &std::path::Path, dev: bool) -> anyhow::Result<()> {
    let (private, public) = crate::auth::keys::generate().map_err(anyhow::Error::msg)?;
    std::fs::create_dir_all(out_dir)?;
    let private_path = out_dir.join("jwt.key.pem");
    write_private(&private_path, &private)?;
    std::fs::write(out_dir.join("jwt.pub.pem"), public)?;
    let suffix = format!(
        "{}-{:04x}",
        chrono::Utc::now().format("%Y%m%d"),
        rand::random::<u16>()
    );
    let kid = if dev {
        format!("{DEV_KID_PREFIX}{suffix}")
    } else {
        format!("k-{suffix}")
    };
    // The one line of output, so that scripts can capture it.
    #[allow(clippy::print_stdout)]
    {
        println!("GESCOM_JWT_KID={kid}");
    }
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, pem: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?
        .write_all(pem.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, pem: &str) -> std::io::Result<()> {
    std::fs::write(path, pem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    fn auth_args(kid: &str, password: &str) -> AuthArgs {
        let cli = Cli::try_parse_from([
            "command-api",
            "serve",
            "--database-url",
            "postgres://localhost/x",
            "--jwt-private-key",
            "unused",
            "--jwt-kid",
            kid,
            "--bootstrap-admin-email",
            "admin@example.com",
            "--bootstrap-admin-password",
            password,
        ])
        .unwrap();
        match cli.command {
            Command::Serve { auth, .. } => auth,
            _ => unreachable!(),
        }
    }

    #[test]
    fn production_refuses_a_development_key() {
        let error = auth_args("dev-20261128-abcd", "a long and unusual passphrase")
            .settings(Environment::Production)
            .map(drop)
            .unwrap_err();
        assert!(error.to_string().contains("development key"), "{error}");
        assert!(
            auth_args("dev-20261128-abcd", "a long and unusual passphrase")
                .settings(Environment::Development)
                .is_ok()
        );
    }

    #[test]
    fn production_refuses_a_weak_bootstrap_password() {
        for weak in ["dev-admin-password", "short", "admin@example.com"] {
            let error = auth_args("k-1", weak)
                .settings(Environment::Production)
                .map(drop)
                .unwrap_err();
            assert!(
                error.to_string().contains("refused in production"),
                "{weak}: {error}"
            );
            assert!(auth_args("k-1", weak)
                .settings(Environment::Development)
                .is_ok());
        }
        assert!(auth_args("k-1", "a long and unusual passphrase")
            .settings(Environment::Production)
            .is_ok());
    }
}
