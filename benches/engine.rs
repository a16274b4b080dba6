//! Engine throughput: sma-cross over 10 symbols x one year of 1m bars (~980k
//! bars) on the columnar store, data already loaded. Target: ≥ 10M bars/s.
//!
//! `cargo bench --bench engine`
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::sync::Arc;

use chrono::NaiveDate;
use thetabench::cache::{Cache, DatasetKey, Window};
use thetabench::data::{Columnar, Loader, MarketView};
use thetabench::engine::{Account, FeeModel, RunSpec};
use thetabench::market::{Asset, Calendar, DataStyle, Timestep};
use thetabench::metrics::Metrics;
use thetabench::strategies;
use thetabench::terminal::{self, SimConfig};
use thetabench::thetadata::{ClientConfig, ThetaClient};

const SYMBOLS: &str = "SPY,QQQ,IWM,AAPL,MSFT,NVDA,TSLA,AMZN,META,GOOGL";

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn sma_cross_ten_symbols_one_year(bencher: divan::Bencher) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let sim = runtime.block_on(terminal::spawn(SimConfig::default())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let metrics = Arc::new(Metrics::default());
    let client =
        ThetaClient::new(ClientConfig { base_url: sim.base_url(), ..ClientConfig::default() }, metrics.clone());
    let cache = Arc::new(Cache::new(dir.path(), client.unwrap(), metrics));
    let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let window = Window::new(day("2024-01-02"), day("2024-12-31")).unwrap();
    let bars_per_symbol: i64 =
        Calendar::sessions_between(window.start, window.end).map(|d| Calendar::session(d).unwrap().minutes()).sum();
    let mut store = MarketView::<Columnar, _>::new(Loader::new(cache.clone(), runtime.handle().clone()), window);
    let spec = RunSpec { window, cash: 1_000_000.0, fees: FeeModel::default(), account: Account::Cash };
    let params = vec![format!("symbols={SYMBOLS}")];
    // The first run fetches and loads; only later runs are timed.
    let mut warmup = strategies::build("sma-cross", &params, strategies::DEFAULT_ITERATION_TIMEOUT).unwrap();
    thetabench::engine::run(&mut store, warmup.strategy.as_mut(), &spec, &mut |_| {}, &mut || true).unwrap();
    for symbol in SYMBOLS.split(',') {
        assert!(store.dataset_keys().contains(&DatasetKey::new(
            Asset::stock(symbol).unwrap(),
            Timestep::Minute,
            DataStyle::Ohlc
        )));
    }
    bencher.counter(divan::counter::ItemsCount::new((bars_per_symbol * 10) as usize)).bench_local(|| {
        let mut built = strategies::build("sma-cross", &params, strategies::DEFAULT_ITERATION_TIMEOUT).unwrap();
        thetabench::engine::run(&mut store, built.strategy.as_mut(), &spec, &mut |_| {}, &mut || true).unwrap()
    });
}
