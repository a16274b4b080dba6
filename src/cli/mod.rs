//! The command line: argument definitions and dispatch. Commands print for
//! people by default and one JSON object with `--json`.

mod cache_cmd;
mod output;
mod remote_cmd;
mod run_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::cache::remote::{RemoteMode, RemoteRequest};
use crate::market::calendar::{FIRST_YEAR, LAST_YEAR};
use crate::market::{Asset, DataStyle, Timestep};
use crate::stack::StackOptions;
use crate::terminal::TerminalArgs;
use crate::thetadata::Tier;

#[derive(Debug, Parser)]
#[command(name = "thetabench", version, about = "A terminal workbench for backtesting on ThetaData market data")]
pub struct Cli {
    /// Cache directory [default: the user's cache dir, e.g. ~/.cache/thetabench]
    #[arg(long, global = true, env = "THETABENCH_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Theta Terminal URL, or `sim` for the simulated terminal
    /// [default: http://127.0.0.1:25503 if it answers CONNECTED, else the simulated terminal]
    #[arg(long, global = true, env = "THETABENCH_TERMINAL")]
    pub terminal: Option<String>,
    /// Subscription tier: caps concurrent requests (free 1, value 2, standard 4, pro 8)
    #[arg(long, global = true, default_value = "standard")]
    pub tier: Tier,
    /// Directory for rolling log files [default: <cache dir>/logs]
    #[arg(long, global = true)]
    pub log_dir: Option<PathBuf>,
    #[command(flatten)]
    pub remote: RemoteArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The team cache (also settable under `[remote]` in <config dir>/thetabench/config.toml).
#[derive(Debug, Clone, clap::Args)]
pub struct RemoteArgs {
    /// Team cache under the local one, asked before the terminal: s3://BUCKET/PREFIX
    /// [env: THETABENCH_REMOTE]. Without a value, the one the environment or config file
    /// names; `cache ls --remote` and `cache gc --remote` then work on the remote
    #[arg(long, global = true, num_args = 0..=1, value_name = "s3://BUCKET/PREFIX")]
    pub remote: Option<Option<String>>,
    /// S3-compatible server (MinIO, Garage, R2, B2) instead of AWS
    #[arg(long, global = true, env = "THETABENCH_REMOTE_ENDPOINT", value_name = "URL")]
    pub remote_endpoint: Option<String>,
    /// read: never write to the remote; read-write: publish what the terminal answered [default: read-write]
    #[arg(long, global = true, env = "THETABENCH_REMOTE_MODE", value_name = "read|read-write")]
    pub remote_mode: Option<RemoteMode>,
    /// Version component under the prefix: a new one starts a fresh team cache and leaves the old [default: v1]
    #[arg(long, global = true, env = "THETABENCH_REMOTE_VERSION", value_name = "VERSION")]
    pub remote_version: Option<String>,
}

/// The environment variable naming the team remote.
pub const REMOTE_ENV: &str = "THETABENCH_REMOTE";

impl RemoteArgs {
    /// Whether `--remote` is on the command line (with or without a value).
    pub fn named(&self) -> bool {
        self.remote.is_some()
    }

    fn request(&self) -> RemoteRequest {
        // Read here, not by clap: `cache ls --remote` must tell the flag from the variable.
        let from_env = std::env::var(REMOTE_ENV).ok().filter(|v| !v.is_empty());
        RemoteRequest {
            url: self.remote.clone().flatten().or(from_env),
            endpoint: self.remote_endpoint.clone(),
            mode: self.remote_mode,
            version: self.remote_version.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch, list, inspect and verify cached datasets
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Run a backtest headless and write its run directory
    Run(RunArgs),
    /// Compare two run directories: identical, or the first divergence (exit 0, 1; 2 on bad input)
    Parity(ParityArgs),
    /// List every strategy (built-in, and files in ./strategies and <config dir>/thetabench/strategies)
    /// with its parameters, types, defaults and help
    Strategies(JsonFlag),
    /// Serve the simulated Theta Terminal over HTTP
    Terminal(TerminalArgs),
    /// Open the workbench (the default on a terminal)
    Tui(crate::tui::TuiArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// weekly-momentum, buy-and-hold, sma-cross, a strategy file (my_strategy.py),
    /// or NAME for strategies/NAME.py [default: the demo run's, weekly-momentum]
    #[arg(long)]
    pub strategy: Option<String>,
    /// First session, YYYY-MM-DD [default: the demo run's, 2025-03-03]
    #[arg(long, value_parser = parse_date)]
    pub start: Option<NaiveDate>,
    /// Last session, YYYY-MM-DD, inclusive [default: the demo run's, 2025-09-30]
    #[arg(long, value_parser = parse_date)]
    pub end: Option<NaiveDate>,
    /// Starting cash in dollars [default: the demo run's, 100000]
    #[arg(long)]
    pub cash: Option<f64>,
    /// Data representation: columnar (Polars) or rows (the reference)
    #[arg(long, default_value = "columnar")]
    pub store: crate::data::RepresentationKind,
    /// cash (buys paid in full, no shorts) or margin (Reg T: 50%/25% long,
    /// 150%/130% short; rates as margin:long=50/25,short=150/130,grace=1)
    #[arg(long, default_value = "cash")]
    pub account: crate::engine::Account,
    /// Strategy parameter, key=value (repeatable)
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Seconds a strategy file may take over one iteration before it is stopped
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    pub iteration_timeout: std::time::Duration,
    /// Run directory [default: <data dir>/runs/<strategy>-<store>-<time>]
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, clap::Args)]
pub struct ParityArgs {
    pub run_a: PathBuf,
    pub run_b: PathBuf,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Make sure a window of one dataset is cached, fetching only missing days
    Fetch(FetchArgs),
    /// List every cached dataset (with --remote: the team remote's)
    Ls(JsonFlag),
    /// Show one asset's datasets: coverage in ET, placeholders, size, checksum
    Inspect {
        /// Stock (PLTR), index (^SPX) or option (PLTR250418C00091000 or "PLTR 2025-04-18 91 C")
        asset: Asset,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Check every dataset: checksum, Parquet body, and that the sidecar claims
    /// exactly the days the data file holds
    Verify(JsonFlag),
    /// Remove data files no sidecar names (left by interrupted writes) and
    /// stale temporary files; prints what it removed (with --remote: on the team remote)
    Gc(JsonFlag),
    /// Publish cached datasets to the team remote (all, or those of the assets named)
    Push {
        /// Stocks, indexes or options whose datasets to publish [default: every dataset]
        assets: Vec<Asset>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Copy datasets from the team remote into the local cache, verified
    Pull(PullArgs),
}

#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// Stocks, indexes or options whose datasets to copy [default: every dataset]
    pub assets: Vec<Asset>,
    /// First date to copy, YYYY-MM-DD (ET) [default: the first the remote holds]
    #[arg(long, value_parser = parse_date)]
    pub start: Option<NaiveDate>,
    /// Last date to copy, inclusive [default: the last the remote holds]
    #[arg(long, value_parser = parse_date)]
    pub end: Option<NaiveDate>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, clap::Args)]
pub struct JsonFlag {
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// Stock (PLTR), index (^SPX) or option (PLTR250418C00091000 or "PLTR 2025-04-18 91 C")
    pub asset: Asset,
    /// First date, YYYY-MM-DD (ET)
    #[arg(long, value_parser = parse_date)]
    pub start: NaiveDate,
    /// Last date, YYYY-MM-DD (ET), inclusive
    #[arg(long, value_parser = parse_date)]
    pub end: NaiveDate,
    #[arg(long, default_value = "1m")]
    pub timestep: Timestep,
    #[arg(long, default_value = "ohlc")]
    pub style: DataStyle,
    /// Ask the terminal again about the window's placeholder days (days it
    /// once said it had no data for) and fill in those that now have data
    #[arg(long)]
    pub recheck_placeholders: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}

/// A date in `YYYY-MM-DD` form within the calendar's years.
fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let date =
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date in YYYY-MM-DD form"))?;
    if !crate::market::Calendar::covers(date) {
        return Err(format!("{date} is outside the trading calendar's years {FIRST_YEAR}..={LAST_YEAR}"));
    }
    Ok(date)
}

fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    let seconds: f64 = s.trim().parse().map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
        return Err(format!("{s} must be more than 0 and at most 86400 seconds"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// A command line that asks for something impossible: exit code 2, like the
/// errors clap reports while parsing.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

/// `--start`/`--end` as a window, or a usage error naming both.
fn window(start: NaiveDate, end: NaiveDate) -> Result<crate::cache::Window, UsageError> {
    crate::cache::Window::new(start, end).map_err(|e| UsageError(format!("--start/--end: {e}")))
}

impl Cli {
    pub fn cache_dir(&self) -> PathBuf {
        self.cache_dir.clone().unwrap_or_else(default_cache_dir)
    }

    pub fn log_dir(&self) -> PathBuf {
        self.log_dir.clone().unwrap_or_else(|| self.cache_dir().join("logs"))
    }

    /// Whether this command line opens the interactive workbench.
    pub fn opens_workbench(&self) -> bool {
        use std::io::IsTerminal;
        match self.command {
            Some(Command::Tui(_)) | None => std::io::stdout().is_terminal(),
            _ => false,
        }
    }

    pub fn stack_options(&self) -> StackOptions {
        StackOptions {
            cache_dir: self.cache_dir(),
            terminal: self.terminal.clone(),
            tier: self.tier,
            remote: self.remote.request(),
        }
    }
}

pub fn default_cache_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "thetabench")
        .map(|dirs| dirs.cache_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("thetabench"))
}

/// The workbench on a terminal; elsewhere the same run headless, as
/// `thetabench run` would print it.
async fn workbench(cli: &Cli, args: &crate::tui::TuiArgs) -> anyhow::Result<ExitCode> {
    if cli.opens_workbench() {
        return crate::tui::run(cli.stack_options(), args.clone(), cli.log_dir()).await;
    }
    run_cmd::run_request(cli, crate::tui::run_file_request(args)?, None, false).await
}

/// Runs a parsed command line; errors are printed here and become exit code 1
/// (2 for a [`UsageError`]).
pub async fn run(cli: Cli) -> ExitCode {
    let result = match &cli.command {
        Some(Command::Cache(command)) => cache_cmd::run(&cli, command).await,
        Some(Command::Run(args)) => run_cmd::run(&cli, args).await,
        Some(Command::Parity(args)) => Ok(run_cmd::parity(args)),
        Some(Command::Strategies(json)) => run_cmd::strategies(json.json),
        Some(Command::Terminal(args)) => crate::terminal::run(args.clone()).await.map(|()| ExitCode::SUCCESS),
        Some(Command::Tui(args)) => workbench(&cli, args).await,
        None => workbench(&cli, &crate::tui::TuiArgs::default()).await,
    };
    result.unwrap_or_else(|e| {
        tracing::error!(target: crate::logging::EXIT_TARGET, "{e:#}");
        eprintln!("error: {e:#}");
        if e.is::<UsageError>() { ExitCode::from(2) } else { ExitCode::FAILURE }
    })
}

/// The whole program: what the `thetabench` binary runs, and what a binary
/// with extra strategies (`strategies::register`) calls after registering them.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The workbench draws on the terminal, so its log lines go to the log pane.
    let console = if cli.opens_workbench() {
        crate::tui::log_buffer::layer()
    } else {
        crate::logging::stderr(tracing::Level::WARN)
    };
    let _log_guard = match crate::logging::init(&cli.log_dir(), console) {
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
    let code = runtime.block_on(run(cli));
    // Background work still running (a cancelled fetch in its retries) must not
    // hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    code
}
