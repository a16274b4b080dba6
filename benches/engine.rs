//! Engine throughput: sma-cross over 10 symbols x one year of 1m bars (~980k
//! bars) on the columnar store, data already loaded. Target: ≥ 10M bars/s.
//!
//! `cargo bench --bench engine`
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use thetabench::cache::DatasetKey;
use thetabench::engine::{Account, FeeModel, RunSpec};
use thetabench::market::{Asset, DataStyle, Timestep};
use thetabench::strategies;

const SYMBOLS: &str = "SPY,QQQ,IWM,AAPL,MSFT,NVDA,TSLA,AMZN,META,GOOGL";

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn sma_cross_ten_symbols_one_year(bencher: divan::Bencher) {
    let window = common::window("2024-01-02", "2024-12-31");
    let mut view = common::SimulatedView::new(window);
    let spec = RunSpec { window, cash: 1_000_000.0, fees: FeeModel::default(), account: Account::Cash };
    let params = vec![format!("symbols={SYMBOLS}")];
    // The first run fetches and loads; only later runs are timed.
    let mut warmup = strategies::build("sma-cross", &params, strategies::DEFAULT_ITERATION_TIMEOUT).unwrap();
    thetabench::engine::run(&mut view.store, warmup.strategy.as_mut(), &spec, &mut |_| {}, &mut || true).unwrap();
    for symbol in SYMBOLS.split(',') {
        assert!(view.store.dataset_keys().contains(&DatasetKey::new(
            Asset::stock(symbol).unwrap(),
            Timestep::Minute,
            DataStyle::Ohlc
        )));
    }
    bencher.counter(divan::counter::ItemsCount::new(common::session_minutes(window) * 10)).bench_local(|| {
        let mut built = strategies::build("sma-cross", &params, strategies::DEFAULT_ITERATION_TIMEOUT).unwrap();
        thetabench::engine::run(&mut view.store, built.strategy.as_mut(), &spec, &mut |_| {}, &mut || true).unwrap()
    });
}
