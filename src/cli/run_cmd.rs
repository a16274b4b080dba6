//! `thetabench run` and `thetabench parity`, and the headless run the workbench
//! falls back to off a terminal (`run_request`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

use super::{Cli, ParityArgs, RunArgs};
use crate::engine::RunEvent;
use crate::market::time::fmt_et;
use crate::run::{RunFailure, RunRequest, RunResult, parity};
use crate::stack::DataStack;
use crate::strategies::BuildError;

/// What `run --json` prints.
#[derive(Debug, Serialize)]
struct RunSummary<'a> {
    final_value: f64,
    total_return: f64,
    max_drawdown: f64,
    sharpe: f64,
    trades: usize,
    network_requests: u64,
    cache_hits: u64,
    cache_misses: u64,
    hit_ratio: f64,
    #[serde(flatten)]
    remote: crate::metrics::RemoteTraffic,
    conversions: &'a std::collections::BTreeMap<String, u64>,
    elapsed_ms: u128,
    run_dir: PathBuf,
    source: String,
}

fn default_run_dir(request: &RunRequest) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    crate::run::runs_dir().join(format!("{}-{}-{stamp}", request.strategy, request.store.as_str()))
}

/// A one-line progress bar on stderr, redrawn in place.
fn progress_bar(event: &RunEvent) {
    if let RunEvent::Progress { time, session, sessions } = event {
        let width = 30;
        let done = width * session / (*sessions).max(1);
        let bar: String = "#".repeat(done) + &"-".repeat(width - done);
        let mut err = std::io::stderr();
        let _ = write!(err, "\r[{bar}] {session}/{sessions} {}", fmt_et(*time));
        if session == sessions {
            let _ = writeln!(err);
        }
    }
}

pub async fn run(cli: &Cli, args: &RunArgs) -> anyhow::Result<ExitCode> {
    let demo = RunRequest::demo();
    let window = super::window(args.start.unwrap_or(demo.window.start), args.end.unwrap_or(demo.window.end))?;
    let request = RunRequest {
        strategy: args.strategy.clone().unwrap_or(demo.strategy),
        params: args.params.clone(),
        window,
        cash: args.cash.unwrap_or(demo.cash),
        store: args.store,
        account: args.account,
        iteration_timeout: args.iteration_timeout,
    };
    run_request(cli, request, args.out.clone(), args.json.json).await
}

/// Runs one backtest headless, writes its run directory (`out`, or a new one
/// under the runs dir) and prints the summary.
pub async fn run_request(cli: &Cli, request: RunRequest, out: Option<PathBuf>, json: bool) -> anyhow::Result<ExitCode> {
    // Bad parameters are reported before any data is touched.
    let built = match crate::run::prepare(&request) {
        // An unknown or ill-typed parameter is the command line's fault.
        Err(RunFailure::Strategy(BuildError::Params(e))) => return Err(super::UsageError(e.to_string()).into()),
        prepared => prepared?,
    };
    let stack = DataStack::open(&cli.stack_options()).await?;
    let cache = stack.cache.clone();
    let runtime = tokio::runtime::Handle::current();
    let show_progress = std::io::stderr().is_terminal() && !json;
    let engine_request = request.clone();
    let result: RunResult = tokio::task::spawn_blocking(move || {
        let mut sink = |event: &RunEvent| {
            if show_progress {
                progress_bar(event);
            }
        };
        crate::run::execute(cache, runtime, &engine_request, built, &mut sink, &mut || true)
    })
    .await
    .context("the engine thread failed")?
    .with_context(|| format!("via {}", stack.source.describe()))?;

    let source = stack.source.describe();
    let dir = out.unwrap_or_else(|| default_run_dir(&request));
    let dir = crate::run::save(&dir, &request, &result, &source)
        .with_context(|| format!("writing the run directory {}", dir.display()))?;
    for line in &result.record.journal {
        tracing::info!(target: "thetabench::run", "{line}");
    }
    print_summary(&request, &result, dir, source, json)?;
    Ok(ExitCode::SUCCESS)
}

/// What a finished run prints: one JSON object, or three lines of text.
fn print_summary(
    request: &RunRequest,
    result: &RunResult,
    dir: PathBuf,
    source: String,
    json: bool,
) -> anyhow::Result<()> {
    let window = request.window;
    let p = &result.performance;
    let m = &result.metrics;
    let hit_ratio = m.hit_ratio().unwrap_or(0.0);
    let conversions = m.conversions.iter().map(|(k, c)| (k.to_string(), c.count)).collect();
    if json {
        let summary = RunSummary {
            final_value: p.final_value,
            total_return: p.total_return,
            max_drawdown: p.max_drawdown,
            sharpe: p.sharpe,
            trades: p.trades,
            network_requests: m.network_requests,
            cache_hits: m.hits,
            cache_misses: m.misses,
            hit_ratio,
            remote: m.remote,
            conversions: &conversions,
            elapsed_ms: result.elapsed.as_millis(),
            run_dir: dir,
            source,
        };
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{} {}..{} on the {} store: final value {:.2} ({:+.2}%), max drawdown {:.2}%, Sharpe {:.2}, {} trades",
            request.strategy,
            window.start,
            window.end,
            request.store.as_str(),
            p.final_value,
            p.total_return * 100.0,
            p.max_drawdown * 100.0,
            p.sharpe,
            p.trades
        );
        println!(
            "cache: {} hits, {} misses ({:.0}% hit ratio), {} network requests, {} ms; source: {}",
            m.hits,
            m.misses,
            hit_ratio * 100.0,
            m.network_requests,
            result.elapsed.as_millis(),
            source
        );
        if m.remote.any() {
            let traffic = super::output::traffic(&m.remote);
            println!("team remote: {} hits, {} misses, {traffic}", m.remote_hits, m.remote_misses);
        }
        println!("run directory: {}", dir.display());
    }
    Ok(())
}

/// Exit 0 when identical, 1 when the runs diverge, 2 on bad input.
pub fn parity(args: &ParityArgs) -> ExitCode {
    let report = match parity::compare(&args.run_a, &args.run_b) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if args.json.json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else if report.identical {
        println!(
            "identical to the last bit: {} trades, {} equity points, final value {}",
            report.trades.0, report.equity_points.0, report.final_value.0
        );
    } else if let Some(d) = &report.first_divergence {
        println!("{d}");
    } else {
        println!("final values differ: {} in A, {} in B", report.final_value.0, report.final_value.1);
    }
    if report.identical { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// `thetabench strategies`: every strategy and its parameters.
pub fn strategies(json: bool) -> anyhow::Result<ExitCode> {
    let listings = crate::strategies::list();
    if json {
        println!("{}", serde_json::to_string_pretty(&listings)?);
        return Ok(ExitCode::SUCCESS);
    }
    for listing in &listings {
        println!("{} ({})", listing.name, listing.source);
        if let Some(error) = &listing.error {
            println!("  cannot be read: {error}");
        }
        for p in &listing.parameters {
            let default = p.default_text();
            let kind = serde_json::to_value(p.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
            let given = format!("{}={default}", p.name);
            println!("  --param {given:<28} {kind:<8} {}", p.help);
        }
    }
    Ok(ExitCode::SUCCESS)
}
