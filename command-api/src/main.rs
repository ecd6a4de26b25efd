use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _telemetry = platform::telemetry::init();
    command_api::cli::run(command_api::cli::Cli::parse()).await
}
