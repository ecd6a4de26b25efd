use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _telemetry = platform::telemetry::init();
    projector::cli::run(projector::cli::Cli::parse()).await
}
