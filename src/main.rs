//! The `thetabench` binary: parses the command line, sends logs to the rolling
//! file plus stderr (or the log pane, for the workbench), and runs the command
//! on a multi-threaded tokio runtime.

use std::process::ExitCode;

use clap::Parser;
use thetabench::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The workbench draws on the terminal, so its log lines go to the log pane.
    let console = if cli.opens_workbench() {
        thetabench::tui::log_buffer::layer()
    } else {
        thetabench::logging::stderr(tracing::Level::WARN)
    };
    let _log_guard = match thetabench::logging::init(&cli.log_dir(), console) {
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
    let code = runtime.block_on(cli::run(cli));
    // Background work still running (a cancelled fetch in its retries) must not
    // hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    code
}
