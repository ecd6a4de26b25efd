//! gescom's load generator. See `loadgen/run --help` and README's "Performance".

// A terminal tool: the report on standard output is its purpose.
#![allow(clippy::print_stdout)]

mod cli;
mod client;
mod faults;
mod nats_server;
mod scenarios;
mod stack;
mod stats;

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    cli::run(cli::Args::parse()).await
}
