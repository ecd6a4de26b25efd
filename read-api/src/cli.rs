//! Command line: `serve`, `migrate`.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};
use std::sync::Arc;

use shared::config::{DatabaseConfig, EnvironmentConfig, HttpConfig, VerifierConfig};
use shared::shutdown::{shutdown_signal, Shutdown};

use crate::startup::{Application, Settings};

#[derive(Debug, Parser)]
#[command(name = "read-api", version, about = "gescom read side")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start-up: the size of the biggest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the query HTTP API.
    Serve {
        #[command(flatten)]
        database: DatabaseConfig,
        #[arg(long, env = "GESCOM_READ_LISTEN", default_value = "127.0.0.1:8082")]
        listen: SocketAddr,
        /// Longest wait for `min_version` before answering 504 `projection_lagging`.
        #[arg(long, env = "GESCOM_MIN_VERSION_WAIT_MS", default_value_t = 2_000)]
        min_version_wait_ms: u64,
        #[command(flatten)]
        tokens: VerifierConfig,
        #[command(flatten)]
        http: HttpConfig,
        #[command(flatten)]
        env: EnvironmentConfig,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseConfig,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            database,
            listen,
            min_version_wait_ms,
            tokens,
            http,
            env,
        } => {
            tokens.check_for(env.environment)?;
            let app = Application::build(Settings {
                database,
                listen,
                max_wait: Duration::from_millis(min_version_wait_ms),
                verifier: Arc::new(tokens.verifier()?),
                http: http.settings()?,
            })
            .await?;
            app.run_until_stopped(Shutdown::on(shutdown_signal())).await
        }
        Command::Migrate { database } => {
            shared::db::connect_and_migrate(&database).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
