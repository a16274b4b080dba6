use std::process::ExitCode;

use clap::Parser;
use thetabench::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log_guard = match thetabench::logging::init(&cli.log_dir(), tracing::Level::WARN) {
        Ok(guard) => Some(guard),
        Err(e) => {
            eprintln!("warning: logging to {} is off: {e}", cli.log_dir().display());
            None
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(cli::run(cli))
}
