//! Wire decode speed: CSV bodies -> bar DataFrames, in rows per second.
//! Target: ≥ 2 million rows/s in release; the row checks every answer passes
//! cost at most 10% of it (`stock_sessions_checked` against `_unchecked`).
//!
//! `cargo bench --bench decode`
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::fmt::Write;

use chrono::{Duration, NaiveDate, NaiveTime};
use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use thetabench::market::{Calendar, DataStyle};
use thetabench::thetadata::validate::{self, Expect, Values};
use thetabench::thetadata::{CsvDecoder, Layout, decode_csv};

/// Rows in each body: about 256 sessions of 1m bars.
const ROWS: usize = 100_000;
/// A typical network chunk.
const CHUNK: usize = 16 * 1024;

fn main() {
    divan::main();
}

/// 1m bars as the terminal prints them, session after session from 2024-01-02,
/// so timestamps cross the March and November DST switches. `contract` adds the
/// option columns; option minutes without trades are sent as zero bars.
fn body(rows: usize, contract: bool) -> String {
    let mut out = String::with_capacity(rows * if contract { 110 } else { 70 });
    if contract {
        out.push_str("symbol,expiration,strike,right,");
    }
    out.push_str("timestamp,open,high,low,close,volume,count,vwap\n");
    let first = NaiveDate::from_ymd_opt(2024, 1, 2).expect("valid date");
    let open = NaiveTime::from_hms_opt(9, 30, 0).expect("valid time");
    let mut price: f64 = 25.0;
    let mut written = 0;
    for day in first.iter_days().filter(|d| Calendar::is_session(*d)) {
        for minute in 0..390 {
            if written == rows {
                return out;
            }
            written += 1;
            let stamp = day.and_time(open) + Duration::minutes(minute);
            if contract {
                out.push_str("PLTR,2025-04-18,91.000,CALL,");
            }
            // A deterministic walk; every seventh option minute has no trades.
            price = (price + ((written * 7919 % 23) as f64 - 11.0) * 0.01).max(1.0);
            let _ = write!(out, "{}", stamp.format("%Y-%m-%dT%H:%M:%S%.3f"));
            if contract && written % 7 == 0 {
                let _ = writeln!(out, ",0.00,0.00,0.00,0.00,0,0,{price:.4}");
            } else {
                let (high, low, volume) = (price + 0.05, price - 0.04, 100 + written * 37 % 5000);
                let _ = writeln!(
                    out,
                    ",{price:.2},{high:.2},{low:.2},{:.2},{volume},{},{price:.4}",
                    price + 0.01,
                    1 + volume / 50
                );
            }
        }
    }
    out
}

fn bench_body(bencher: Bencher, contract: bool) {
    let body = body(ROWS, contract);
    let layout = Layout::bars(DataStyle::Ohlc);
    bencher
        .counter(ItemsCount::new(ROWS))
        .counter(BytesCount::new(body.len()))
        .bench(|| decode_csv(divan::black_box(body.as_bytes()), &layout).expect("a valid body"));
}

#[divan::bench]
fn stock_ohlc_1m(bencher: Bencher) {
    bench_body(bencher, false);
}

#[divan::bench]
fn option_ohlc_1m(bencher: Bencher) {
    bench_body(bencher, true);
}

/// The client's path: the same stock body pushed in network-sized chunks.
#[divan::bench]
fn stock_ohlc_1m_chunked(bencher: Bencher) {
    let body = body(ROWS, false);
    bencher.counter(ItemsCount::new(ROWS)).bench(|| {
        let mut decoder = CsvDecoder::new(Layout::bars(DataStyle::Ohlc));
        for chunk in divan::black_box(body.as_bytes()).chunks(CHUNK) {
            decoder.feed(chunk).expect("a valid chunk");
        }
        decoder.finish().expect("a complete body").into_frame().expect("a frame")
    });
}

/// The client's whole path for one answer per session, as a fetch makes it:
/// the same ~256 sessions of 1m bars decoded chunk by chunk, with and without
/// the row checks every answer now passes (`validate::check`). The ratio of the
/// two is the checks' cost.
fn sessions() -> Vec<(Expect, String)> {
    let body = body(ROWS, false);
    let mut lines = body.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let rows: Vec<&str> = lines.collect();
    let first = NaiveDate::from_ymd_opt(2024, 1, 2).expect("valid date");
    let days = first.iter_days().filter_map(Calendar::session);
    let values = Values { style: DataStyle::Ohlc, priced_without_trades: false };
    rows.chunks(390)
        .zip(days)
        // The body writes 390 bars on every session; early closes have fewer, so they are left out.
        .filter(|(chunk, session)| chunk.len() == 390 && !session.is_early_close())
        .map(|(chunk, session)| {
            let expect = Expect::Session { session, interval_ms: 60_000, values };
            (expect, format!("{header}\n{}\n", chunk.join("\n")))
        })
        .collect()
}

fn bench_sessions(bencher: Bencher, checked: bool) {
    let sessions = sessions();
    let rows = sessions.len() * 390;
    bencher.counter(ItemsCount::new(rows)).bench(|| {
        for (expect, body) in &sessions {
            let mut decoder = CsvDecoder::new(Layout::bars(DataStyle::Ohlc));
            for chunk in divan::black_box(body.as_bytes()).chunks(CHUNK) {
                decoder.feed(chunk).expect("a valid chunk");
            }
            let decoded = decoder.finish().expect("a complete body");
            if checked {
                validate::check(&decoded, expect).expect("a sane session");
            }
            divan::black_box(decoded.into_frame().expect("a frame"));
        }
    });
}

#[divan::bench]
fn stock_sessions_unchecked(bencher: Bencher) {
    bench_sessions(bencher, false);
}

#[divan::bench]
fn stock_sessions_checked(bencher: Bencher) {
    bench_sessions(bencher, true);
}
