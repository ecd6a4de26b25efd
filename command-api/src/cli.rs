//! Command line: `serve` (HTTP + relay), `relay` (alone), `migrate`.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};
use shared::config::{DatabaseConfig, NatsConfig};
use shared::shutdown::{shutdown_signal, Shutdown};

use crate::relay::{Relay, RelayConfig};
use crate::startup::{Application, Settings};

#[derive(Debug, Parser)]
#[command(name = "command-api", version, about = "gescom write side")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

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
        /// Longest time a request may take before a 504.
        #[arg(long, env = "GESCOM_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
        request_timeout_ms: u64,
    },
    /// Run the outbox relay alone.
    Relay {
        #[command(flatten)]
        database: DatabaseConfig,
        #[command(flatten)]
        nats: NatsConfig,
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
            nats,
            listen,
            embedded_relay,
            request_timeout_ms,
        } => {
            let app = Application::build(Settings {
                database,
                nats,
                listen,
                embedded_relay,
                request_timeout: Duration::from_millis(request_timeout_ms),
            })
            .await?;
            app.run_until_stopped(Shutdown::on(shutdown_signal())).await
        }
        Command::Relay { database, nats } => {
            let pool = shared::db::connect_and_migrate(&database).await?;
            let client = nats.connect().await?;
            let relay = Relay::new(
                pool,
                client,
                RelayConfig::new(nats.stream.clone(), nats.subjects()),
            );
            tracing::info!("outbox relay running");
            relay.run(shutdown_signal()).await;
            Ok(())
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
