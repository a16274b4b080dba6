//! A backtest run from request to artifacts: build the strategy, run the engine
//! over the chosen store, gather the record and the statistics, and write the
//! run directory. `parity` compares two such directories.

pub mod artifacts;
pub mod parity;
pub mod record;
pub mod stats;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;

use crate::cache::{Cache, Fetcher, Window};
use crate::data::{Columnar, Loader, MarketView, Representation, RepresentationKind, Rows};
use crate::engine::{self, Account, RunError, RunEvent, RunSpec};
use crate::metrics::MetricsSnapshot;
use crate::strategies::{self, BuildError, Built};
pub use record::Record;
pub use stats::Performance;

#[derive(Debug, Clone)]
pub struct RunRequest {
    pub strategy: String,
    pub params: Vec<String>,
    pub window: Window,
    pub cash: f64,
    pub store: RepresentationKind,
    /// Cash or margin: what the broker lets an order spend.
    pub account: Account,
    /// How long a strategy file's process may take over one iteration.
    pub iteration_timeout: Duration,
}

impl RunRequest {
    /// The demo run the workbench opens on and `thetabench run` makes without
    /// options: weekly-momentum over March to September 2025 with $100,000 in a
    /// cash account, on the columnar store. `assets/demo-run.toml` spells
    /// the same run out as a run file (a test holds the two together).
    pub fn demo() -> RunRequest {
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap_or_default();
        RunRequest {
            strategy: strategies::weekly_momentum::WeeklyMomentum::NAME.to_string(),
            params: Vec::new(),
            window: Window { start: day(3, 3), end: day(9, 30) },
            cash: 100_000.0,
            store: RepresentationKind::Columnar,
            account: Account::Cash,
            iteration_timeout: strategies::DEFAULT_ITERATION_TIMEOUT,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunFailure {
    #[error(transparent)]
    Strategy(#[from] BuildError),
    #[error(transparent)]
    Run(#[from] Box<RunError>),
    #[error("cash must be a positive amount, not {0}")]
    Cash(f64),
}

#[derive(Debug, Clone)]
pub struct RunResult {
    pub params: BTreeMap<String, String>,
    pub record: Record,
    pub performance: Performance,
    pub metrics: MetricsSnapshot,
    pub cache_fingerprint: String,
    pub elapsed: Duration,
}

/// Checks a request and builds its strategy: the one place a run's strategy is
/// made, before any data is touched, so bad input is reported first.
pub fn prepare(request: &RunRequest) -> Result<Built, RunFailure> {
    if !(request.cash.is_finite() && request.cash > 0.0) {
        return Err(RunFailure::Cash(request.cash));
    }
    Ok(strategies::build(&request.strategy, &request.params, request.iteration_timeout)?)
}

/// Runs a prepared backtest synchronously. Call it from a thread that is not
/// running async code (e.g. `spawn_blocking`); `runtime` drives the cache's fetches.
pub fn execute<F: Fetcher>(
    cache: Arc<Cache<F>>,
    runtime: Handle,
    request: &RunRequest,
    mut built: Built,
    sink: &mut dyn FnMut(&RunEvent),
    keep_going: &mut dyn FnMut() -> bool,
) -> Result<RunResult, RunFailure> {
    let started = Instant::now();
    let spec = RunSpec { window: request.window, cash: request.cash, fees: built.fees, account: request.account };
    let loader = Loader::new(cache.clone(), runtime);
    let mut record = Record::default();
    let mut observe = |event: &RunEvent| {
        record.observe(event);
        sink(event);
    };
    let keys = match request.store {
        RepresentationKind::Columnar => {
            run_on::<Columnar, F>(loader, &spec, built.strategy.as_mut(), &mut observe, keep_going)
        }
        RepresentationKind::Rows => run_on::<Rows, F>(loader, &spec, built.strategy.as_mut(), &mut observe, keep_going),
    }
    .map_err(Box::new)?;
    let performance = stats::performance(request.cash, &record.equity, &record.trades);
    Ok(RunResult {
        params: built.params,
        performance,
        metrics: cache.metrics().snapshot(),
        cache_fingerprint: cache.fingerprint(&keys),
        record,
        elapsed: started.elapsed(),
    })
}

/// Where saved runs live by default: `<data dir>/runs`.
pub fn runs_dir() -> std::path::PathBuf {
    directories::ProjectDirs::from("", "", "thetabench")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("thetabench"))
        .join("runs")
}

/// Writes the run directory of a finished run; `source` names the data source.
pub fn save(
    dir: &std::path::Path,
    request: &RunRequest,
    result: &RunResult,
    source: &str,
) -> std::io::Result<std::path::PathBuf> {
    let stats = artifacts::Stats {
        performance: result.performance.clone(),
        network_requests: result.metrics.network_requests,
        cache_hits: result.metrics.hits,
        cache_misses: result.metrics.misses,
        hit_ratio: result.metrics.hit_ratio().unwrap_or(0.0),
        remote: result.metrics.remote,
        conversions: result.metrics.conversions.iter().map(|(k, c)| (k.to_string(), c.count)).collect(),
        elapsed_ms: result.elapsed.as_millis(),
    };
    let manifest = artifacts::Manifest {
        strategy: request.strategy.clone(),
        params: result.params.clone(),
        start: request.window.start,
        end: request.window.end,
        cash: request.cash,
        store: request.store,
        account: Some(request.account),
        source: source.to_string(),
        cache_fingerprint: result.cache_fingerprint.clone(),
        thetabench_version: env!("CARGO_PKG_VERSION").to_string(),
        created: chrono::Utc::now(),
    };
    artifacts::write(dir, &manifest, &result.record, &stats)
}

/// The engine over one representation; returns the datasets it read.
fn run_on<R: Representation, F: Fetcher>(
    loader: Loader<F>,
    spec: &RunSpec,
    strategy: &mut (dyn engine::Strategy + Send),
    sink: &mut dyn FnMut(&RunEvent),
    keep_going: &mut dyn FnMut() -> bool,
) -> Result<Vec<crate::cache::DatasetKey>, RunError> {
    let mut store = MarketView::<R, F>::new(loader, spec.window);
    engine::run(&mut store, strategy, spec, sink, keep_going)?;
    Ok(store.dataset_keys())
}
