use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::telemetry::init();
    command_api::cli::run(command_api::cli::Cli::parse()).await
}
