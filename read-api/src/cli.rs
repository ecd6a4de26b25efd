//! Command line: `serve`, `migrate`, `openapi`.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};
use std::sync::Arc;

use platform::config::{
    ConfigError, DatabaseConfig, Environment, EnvironmentConfig, HttpConfig, VerifierConfig,
};
use platform::shutdown::{shutdown_signal, Shutdown};

use crate::proforma::{ProformaSettings, Seller};
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
        #[command(flatten)]
        seller: ProformaConfig,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Print the API's OpenAPI document (`docs/openapi/read-api.json`).
    Openapi,
}

/// Who issues proformas: French law wants the seller's identity on the document.
#[derive(clap::Args, Clone, Debug)]
pub struct ProformaConfig {
    #[command(flatten)]
    seller: platform::config::SellerConfig,
    /// How long an offer stands when the order sets no date of its own.
    #[arg(long, env = "GESCOM_PROFORMA_VALIDITY_DAYS", default_value_t = 30)]
    proforma_validity_days: u32,
}

impl ProformaConfig {
    /// None without a seller name; an error when the name comes without a valid SIRET
    /// and VAT number.
    pub fn settings(&self) -> Result<Option<ProformaSettings>, ConfigError> {
        Ok(self.seller.seller()?.map(|seller| ProformaSettings {
            seller: Seller {
                name: seller.name,
                address: seller.address,
                siret: seller.siret.as_str().to_owned(),
                vat_number: seller.vat_number.as_str().to_owned(),
                legal_form: seller.legal_form,
                capital: seller.capital,
                rcs: seller.rcs,
                email: seller.email,
                phone: seller.phone,
            },
            validity_days: self.proforma_validity_days,
        }))
    }
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
            seller,
        } => {
            tokens.check_for(env.environment)?;
            let proforma = seller.settings()?;
            if proforma.is_none() {
                if env.environment == Environment::Production {
                    anyhow::bail!(
                        "GESCOM_SELLER_NAME, _SIRET and _VAT_NUMBER are required in production: \
                         the proforma prints them"
                    );
                }
                tracing::warn!("no seller configured: proformas answer 503 seller_not_configured");
            }
            let app = Application::build(Settings {
                database,
                listen,
                max_wait: Duration::from_millis(min_version_wait_ms),
                verifier: Arc::new(tokens.verifier()?),
                http: http.settings()?,
                proforma,
            })
            .await?;
            app.run_until_stopped(Shutdown::on(shutdown_signal())).await
        }
        Command::Migrate { database } => {
            platform::db::connect_and_migrate(&database).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Openapi => Ok(platform::openapi::write_to_stdout(&crate::http::openapi()?)?),
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

    fn seller(args: &[&str]) -> Result<Option<ProformaSettings>, ConfigError> {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            seller: ProformaConfig,
        }
        let parsed = Only::try_parse_from(std::iter::once("read-api").chain(args.iter().copied()))
            .map_err(|e| ConfigError(e.to_string()))?;
        parsed.seller.settings()
    }

    #[test]
    fn a_seller_needs_valid_legal_ids() {
        assert_eq!(seller(&[]).ok(), Some(None));
        let full = seller(&[
            "--seller-name",
            " Négoce SAS ",
            "--seller-address",
            "1 rue A|69002 Lyon",
            "--seller-siret",
            "356 000 000 00048",
            "--seller-vat-number",
            "fr39356000000",
        ]);
        let Ok(Some(settings)) = full else {
            panic!("{full:?}");
        };
        assert_eq!(settings.seller.name, "Négoce SAS");
        assert_eq!(settings.seller.address, ["1 rue A", "69002 Lyon"]);
        assert_eq!(settings.seller.siret, "35600000000048");
        assert_eq!(settings.seller.vat_number, "FR39356000000");
        assert_eq!(settings.validity_days, 30);
        let wrong_siret = seller(&[
            "--seller-name",
            "X",
            "--seller-siret",
            "35600000000049",
            "--seller-vat-number",
            "FR39356000000",
        ]);
        assert!(
            matches!(&wrong_siret, Err(ConfigError(m)) if m.contains("GESCOM_SELLER_SIRET")),
            "{wrong_siret:?}"
        );
        let no_vat = seller(&["--seller-name", "X", "--seller-siret", "35600000000048"]);
        assert!(
            matches!(&no_vat, Err(ConfigError(m)) if m.contains("GESCOM_SELLER_VAT_NUMBER")),
            "{no_vat:?}"
        );
    }
}
