//! The strategy protocol's cost: a Python strategy that does nothing, run every
//! minute of the first quarter of 2025 (about 24,000 iterations) through the engine, the child
//! process's start and stop included. Target: ≥ 50,000 iterations/s.
//!
//! `cargo bench --bench protocol`
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::sync::Arc;

use chrono::NaiveDate;
use thetabench::cache::{Cache, Window};
use thetabench::data::{Columnar, Loader, MarketView};
use thetabench::engine::{Account, FeeModel, RunSpec};
use thetabench::market::Calendar;
use thetabench::metrics::Metrics;
use thetabench::strategies;
use thetabench::terminal::{self, SimConfig};
use thetabench::thetadata::{ClientConfig, ThetaClient};

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn do_nothing_python_every_minute_of_a_quarter(bencher: divan::Bencher) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    // The strategy asks for no data; the terminal is there because a data view needs one.
    let sim = runtime.block_on(terminal::spawn(SimConfig::default())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let metrics = Arc::new(Metrics::default());
    let client =
        ThetaClient::new(ClientConfig { base_url: sim.base_url(), ..ClientConfig::default() }, metrics.clone());
    let cache = Arc::new(Cache::new(dir.path(), client.unwrap(), metrics));
    let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let window = Window::new(day("2025-01-02"), day("2025-03-31")).unwrap();
    let iterations: i64 =
        Calendar::sessions_between(window.start, window.end).map(|d| Calendar::session(d).unwrap().minutes()).sum();
    let mut store = MarketView::<Columnar, _>::new(Loader::new(cache.clone(), runtime.handle().clone()), window);
    let spec = RunSpec { window, cash: 100_000.0, fees: FeeModel::default(), account: Account::Cash };
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/strategies/do_nothing.py");
    bencher.counter(divan::counter::ItemsCount::new(iterations as usize)).bench_local(|| {
        let mut built = strategies::build(file, &[], strategies::DEFAULT_ITERATION_TIMEOUT).unwrap();
        thetabench::engine::run(&mut store, built.strategy.as_mut(), &spec, &mut |_| {}, &mut || true).unwrap()
    });
}
