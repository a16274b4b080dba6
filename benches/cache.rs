//! Cache speed: the HIT check (target ≤ 1 µs) and a warm load of one symbol's
//! year of 1m bars from disk (target ≤ 20 ms).
//!
//! `cargo bench --bench cache`
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};
use divan::Bencher;
use polars::prelude::{Column, DataFrame};
use thetabench::cache::{Cache, DatasetKey, Offline, Sidecar, Store, Window};
use thetabench::market::bars::{DATETIME, datetime_dtype};
use thetabench::market::time::et_to_utc;
use thetabench::market::{Asset, Calendar, DataStyle, Timestep};
use thetabench::metrics::Metrics;

fn main() {
    divan::main();
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn year() -> Window {
    Window::new(d("2024-01-01"), d("2024-12-31")).unwrap()
}

fn key() -> DatasetKey {
    DatasetKey::new(Asset::stock("PLTR").unwrap(), Timestep::Minute, DataStyle::Ohlc)
}

/// A year of 1m bars (~98k rows) written through the store, as a fetch would.
fn write_year(dir: &std::path::Path) {
    let (mut ts, mut px, mut volume) = (Vec::new(), Vec::new(), Vec::new());
    let mut price = 25.0f64;
    let mut days = Vec::new();
    for (n, day) in Calendar::sessions_between(year().start, year().end).enumerate() {
        let session = Calendar::session(day).unwrap();
        let open = et_to_utc(day, NaiveTime::from_hms_opt(9, 30, 0).unwrap()).timestamp_millis();
        for m in 0..session.minutes() {
            ts.push(open + m * 60_000);
            price *= 1.0 + (((n as i64 * 7919 + m * 104729) % 201 - 100) as f64) * 1e-5;
            px.push((price * 100.0).round() / 100.0);
            volume.push(100 + (m * 37) % 900);
        }
        days.push(day);
    }
    let rows = ts.len();
    let mut columns = vec![Column::new(DATETIME.into(), ts).cast(&datetime_dtype()).unwrap()];
    for name in ["open", "high", "low", "close"] {
        columns.push(Column::new(name.into(), px.clone()));
    }
    columns.push(Column::new("volume".into(), volume));
    columns.push(Column::new("count".into(), vec![3i64; rows]));
    let mut frame = DataFrame::new(rows, columns).unwrap();
    let mut sidecar = Sidecar::empty(key());
    sidecar.days = days;
    Store::new(dir).commit(&key(), &mut frame, &mut sidecar).unwrap();
}

/// The flavor the program runs on: the cache reads the disk in place there.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

#[divan::bench]
fn hit_check(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path());
    let cache = Cache::new(dir.path(), Offline, Arc::new(Metrics::default()));
    let slice = runtime().block_on(cache.get(&key(), year())).unwrap();
    assert!(slice.hit && slice.frame.height() > 95_000);
    let key = key();
    let required = cache.required(&key, year());
    bencher.bench_local(|| divan::black_box(cache.check(divan::black_box(&key), divan::black_box(&required))));
}

#[divan::bench(sample_count = 30)]
fn warm_load_year(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    write_year(dir.path());
    let rt = runtime();
    bencher.bench_local(|| {
        // A fresh cache each time: read, verify the checksum, decode Parquet, slice.
        let cache = Cache::new(dir.path(), Offline, Arc::new(Metrics::default()));
        let slice = rt.block_on(cache.get(&key(), year())).unwrap();
        divan::black_box(slice.frame.height())
    });
}
