//! What the engine benches share: a columnar market view over a fresh cache fed by
//! the simulated terminal, and the bar count of a window's sessions.
#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code: a panic is a failed bench

use std::sync::Arc;

use chrono::NaiveDate;
use thetabench::cache::{Cache, Window};
use thetabench::data::{Columnar, Loader, MarketView};
use thetabench::market::Calendar;
use thetabench::metrics::Metrics;
use thetabench::terminal::{self, RunningTerminal, SimConfig};
use thetabench::thetadata::{ClientConfig, ThetaClient};

/// A market view and what it needs alive. Fields drop in order: the view, then the
/// terminal and the cache directory, then the runtime they all ran on.
pub struct SimulatedView {
    pub store: MarketView<Columnar, ThetaClient>,
    _terminal: RunningTerminal,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl SimulatedView {
    pub fn new(window: Window) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        let terminal = runtime.block_on(terminal::spawn(SimConfig::default())).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let metrics = Arc::new(Metrics::default());
        let config = ClientConfig { base_url: terminal.base_url(), ..ClientConfig::default() };
        let client = ThetaClient::new(config, metrics.clone()).unwrap();
        let cache = Arc::new(Cache::new(dir.path(), client, metrics));
        let store = MarketView::new(Loader::new(cache, runtime.handle().clone()), window);
        Self { store, _terminal: terminal, _dir: dir, _runtime: runtime }
    }
}

/// `first..=last` as a window, from `YYYY-MM-DD` dates.
pub fn window(first: &str, last: &str) -> Window {
    let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    Window::new(day(first), day(last)).unwrap()
}

/// Minutes in the window's sessions: the bars of one symbol, the iterations of an
/// every-minute strategy.
pub fn session_minutes(window: Window) -> usize {
    let minutes: i64 =
        Calendar::sessions_between(window.start, window.end).map(|d| Calendar::session(d).unwrap().minutes()).sum();
    minutes as usize
}
