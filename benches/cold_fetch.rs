//! Cold fetch of 10 symbols x one month of 1m bars from the simulated terminal
//! at tier STANDARD (4 requests in flight), through the client and the cache
//! into Parquet files: 10 requests, one month each. Target: ≤ 5 s.
//!
//! `cargo bench --bench cold_fetch`
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::sync::Arc;

use chrono::NaiveDate;
use thetabench::cache::{Cache, DatasetKey, Window};
use thetabench::market::{Asset, DataStyle, Timestep};
use thetabench::metrics::Metrics;
use thetabench::terminal::{self, SimConfig};
use thetabench::thetadata::{ClientConfig, ThetaClient, Tier};

const SYMBOLS: [&str; 10] = ["HOOD", "VST", "STX", "WDC", "PLTR", "APP", "NRG", "CCJ", "CVNA", "HIMS"];

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn ten_symbols_one_month(bencher: divan::Bencher) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let sim = runtime.block_on(terminal::spawn(SimConfig { tier: Tier::Standard, ..SimConfig::default() })).unwrap();
    let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let window = Window::new(day("2025-03-03"), day("2025-03-31")).unwrap();
    bencher.with_inputs(|| tempfile::tempdir().unwrap()).bench_local_values(|dir| {
        let metrics = Arc::new(Metrics::default());
        let config = ClientConfig {
            base_url: sim.base_url(),
            concurrency: Tier::Standard.concurrency(),
            ..ClientConfig::default()
        };
        let cache = Cache::new(dir.path(), ThetaClient::new(config, metrics.clone()).unwrap(), metrics.clone());
        runtime.block_on(async {
            let keys: Vec<_> = SYMBOLS
                .iter()
                .map(|s| DatasetKey::new(Asset::stock(s).unwrap(), Timestep::Minute, DataStyle::Ohlc))
                .collect();
            let slices = futures_util::future::join_all(keys.iter().map(|k| cache.get(k, window))).await;
            let rows: usize = slices.into_iter().map(|s| s.unwrap().frame.height()).sum();
            assert_eq!(rows, 10 * 21 * 390);
        });
        // One request per symbol for the month (210, one per day, before month-long requests).
        assert_eq!(metrics.snapshot().network_requests, 10);
        dir
    });
}
