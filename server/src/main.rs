use clap::Parser;
use std::process::ExitCode;
use vmr_scheduler::cli::{run, Cli};

#[tokio::main]
async fn main() -> ExitCode {
    run(Cli::parse()).await
}
