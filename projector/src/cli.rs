//! Command line: `serve`, `rebuild`, `migrate`.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};
use std::sync::Arc;

use platform::config::{
    DatabaseConfig, EnvironmentConfig, HttpConfig, MetricsConfig, NatsConfig, VerifierConfig,
};
use platform::shutdown::{shutdown_signal, Shutdown};

use crate::startup::{Application, Settings};

#[derive(Debug, Parser)]
#[command(
    name = "projector",
    version,
    about = "gescom projector: JetStream to read models"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start-up: the size of the biggest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Consume the event stream and keep the read models up to date.
    Serve {
        #[command(flatten)]
        database: DatabaseConfig,
        #[command(flatten)]
        nats: NatsConfig,
        /// Address of /healthz, /readyz, /metrics and the admin routes.
        #[arg(
            long,
            env = "GESCOM_PROJECTOR_LISTEN",
            default_value = "127.0.0.1:8083"
        )]
        listen: SocketAddr,
        /// Durable JetStream consumer name.
        #[arg(long, env = "GESCOM_PROJECTOR_DURABLE", default_value = "projector")]
        durable: String,
        #[command(flatten)]
        tokens: VerifierConfig,
        #[command(flatten)]
        http: HttpConfig,
        #[command(flatten)]
        env: EnvironmentConfig,
        #[command(flatten)]
        metrics: MetricsConfig,
    },
    /// Empty every read model and replay the event store, with a progress line. A
    /// running projector steps down meanwhile and resumes after, without a gap.
    Rebuild {
        #[command(flatten)]
        database: DatabaseConfig,
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
            durable,
            tokens,
            http,
            env,
            metrics,
        } => {
            tokens.check_for(env.environment)?;
            let app = Application::build(Settings {
                database,
                nats,
                listen,
                durable,
                verifier: Arc::new(tokens.verifier()?),
                http: http.settings()?,
                metrics_sample: metrics.sample_every(),
            })
            .await?;
            Box::pin(app.run_until_stopped(Shutdown::on(shutdown_signal()))).await
        }
        Command::Rebuild { database } => {
            let pool = platform::db::connect_and_migrate(&database).await?;
            let started = std::time::Instant::now();
            let mut last_report = started;
            let done = crate::rebuild::rebuild(&pool, |p| {
                // At most one progress line a second, and always the last one.
                if p.done < p.total && last_report.elapsed() < std::time::Duration::from_secs(1) {
                    return;
                }
                last_report = std::time::Instant::now();
                let rate = p.done as f64 / started.elapsed().as_secs_f64().max(1e-3);
                let percent = if p.total == 0 {
                    100.0
                } else {
                    100.0 * p.done as f64 / p.total as f64
                };
                tracing::info!(
                    "rebuild: {}/{} events ({percent:.1} %), {rate:.0} events/s",
                    p.done,
                    p.total
                );
            })
            .await?;
            tracing::info!(events = done, elapsed = ?started.elapsed(), "rebuild complete");
            Ok(())
        }
        Command::Migrate { database } => {
            platform::db::connect_and_migrate(&database).await?;
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
