use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _telemetry = platform::telemetry::init();
    read_api::cli::run(read_api::cli::Cli::parse()).await
}
