//! The caching core against the simulated terminal over loopback HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use chrono::{Duration, NaiveTime, Timelike};
use common::*;
use thetabench::cache::{DatasetKey, timestamps};
use thetabench::market::time::{ET, et_date_ms, utc_from_ms};
use thetabench::market::{Asset, Calendar, DataStyle, Timestep};
use thetabench::terminal::{FaultSpec, SimConfig};

fn minute_bars(symbol: &str) -> DatasetKey {
    DatasetKey::new(Asset::stock(symbol).unwrap(), Timestep::Minute, DataStyle::Ohlc)
}

#[tokio::test]
async fn cold_fetch_fills_the_cache_and_the_warm_fetch_makes_no_requests() {
    let sim = simulated(SimConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    // 20 sessions: 2025-03-03 .. 2025-03-28.
    let w = window("2025-03-03", "2025-03-28");
    let cold = cache_over(dir.path(), sim.base_url());
    let first = cold.get(&minute_bars("PLTR"), w).await.unwrap();
    let cold_stats = cold.metrics().snapshot();
    assert_eq!(first.days, 20);
    assert_eq!(first.frame.height(), 20 * 390);
    assert_eq!(cold_stats.network_requests, 1, "one request for the month's 20 sessions");
    let files = all_files(dir.path());

    let warm = cache_over(dir.path(), sim.base_url());
    let second = warm.get(&minute_bars("PLTR"), w).await.unwrap();
    let warm_stats = warm.metrics().snapshot();
    assert_eq!(warm_stats.network_requests, 0);
    assert_eq!((warm_stats.hits, warm_stats.misses), (1, 0));
    assert!(second.hit);
    assert!(first.frame.equals_missing(&second.frame), "warm data is bit-identical");
    assert_eq!(all_files(dir.path()), files, "a warm fetch writes nothing");
}

#[tokio::test]
async fn an_option_window_past_expiry_fetches_only_through_expiry() {
    let sim = simulated(SimConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_over(dir.path(), sim.base_url());
    let underlying = cache.get(&minute_bars("PLTR"), window("2025-03-14", "2025-03-14")).await.unwrap();
    let close = underlying.frame.column("close").unwrap().f64().unwrap().last().unwrap();
    let strikes = cache.strikes("PLTR", d("2025-03-21"), d("2025-03-14")).await.unwrap();
    let strike =
        strikes.iter().min_by(|a, b| (a.dollars() - close).abs().total_cmp(&(b.dollars() - close).abs())).unwrap();
    let contract: Asset = format!("PLTR 2025-03-21 {strike} C").parse().unwrap();
    let key = DatasetKey::new(contract, Timestep::Minute, DataStyle::Ohlc);
    let before = cache.metrics().snapshot().network_requests;
    let slice = cache.get(&key, window("2025-03-17", "2025-03-31")).await.unwrap();
    let requests = cache.metrics().snapshot().network_requests - before;
    assert_eq!(requests, 1, "one request for Mon 17th .. Fri 21st, nothing after expiry");
    let last = *timestamps(&slice.frame).last().unwrap();
    assert_eq!(et_date_ms(last), d("2025-03-21"));
    assert_eq!(slice.days, 5);
}

#[tokio::test]
async fn holidays_are_never_requested_and_no_data_days_become_placeholders() {
    let sim = simulated(SimConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_over(dir.path(), sim.base_url());
    // Good Friday 2025-04-18 lies inside: it is neither asked alone nor made a placeholder.
    let slice = cache.get(&minute_bars("HOOD"), window("2025-04-14", "2025-04-25")).await.unwrap();
    assert_eq!(cache.metrics().snapshot().network_requests, 1, "one request for the 9 sessions");
    assert!(slice.placeholders.is_empty());
    assert_eq!(slice.days, 9);
    assert!(timestamps(&slice.frame).iter().all(|t| et_date_ms(*t) != d("2025-04-18")));

    // A contract listed 90 days before expiry has no data before; those days are
    // placeholders and are never asked again.
    let contract: Asset = "HOOD 2025-06-20 40 C".parse().unwrap();
    let key = DatasetKey::new(contract, Timestep::Minute, DataStyle::Quote);
    let w = window("2025-03-10", "2025-03-28");
    let first = cache.get(&key, w).await.unwrap();
    assert!(!first.placeholders.is_empty(), "days before listing are placeholders");
    assert_eq!(first.days + first.placeholders.len(), 15);
    let warm = cache_over(dir.path(), sim.base_url());
    let again = warm.get(&key, w).await.unwrap();
    assert_eq!(warm.metrics().snapshot().network_requests, 0);
    assert_eq!(again.placeholders.len(), first.placeholders.len());
}

/// 390 bars per regular session starting 09:30 ET; the UTC open moves with DST.
#[tokio::test]
async fn sessions_keep_their_shape_across_dst_and_early_closes() {
    let sim = simulated(SimConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_over(dir.path(), sim.base_url());
    for (start, end, switch, before_utc_hour, after_utc_hour) in
        [("2025-03-06", "2025-03-12", "2025-03-09", 14, 13), ("2025-10-30", "2025-11-05", "2025-11-02", 13, 14)]
    {
        let slice = cache.get(&minute_bars("SPY"), window(start, end)).await.unwrap();
        let ts = timestamps(&slice.frame);
        for day in Calendar::sessions_between(d(start), d(end)) {
            let bars: Vec<i64> = ts.iter().copied().filter(|t| et_date_ms(*t) == day).collect();
            assert_eq!(bars.len(), 390, "{day}");
            let first = utc_from_ms(bars[0]);
            assert_eq!(first.with_timezone(&ET).time(), NaiveTime::from_hms_opt(9, 30, 0).unwrap(), "{day}");
            let expected_hour = if day < d(switch) { before_utc_hour } else { after_utc_hour };
            assert_eq!(first.hour(), expected_hour, "{day} opens at {first}");
            assert!(bars.windows(2).all(|w| w[1] - w[0] == 60_000), "{day}: one bar per minute");
        }
    }
    let early = cache.get(&minute_bars("SPY"), window("2025-11-28", "2025-11-28")).await.unwrap();
    assert_eq!(early.frame.height(), 210);
    let last = utc_from_ms(*timestamps(&early.frame).last().unwrap());
    assert_eq!(last.with_timezone(&ET).time(), NaiveTime::from_hms_opt(12, 59, 0).unwrap());
    assert_eq!(last + Duration::minutes(1), Calendar::session(d("2025-11-28")).unwrap().close);
}

#[tokio::test]
async fn faults_of_every_kind_still_give_identical_data() {
    let clean = simulated(SimConfig::default()).await;
    let faulty =
        simulated(SimConfig { faults: "all=0.2,slow-ms=30".parse::<FaultSpec>().unwrap(), ..SimConfig::default() })
            .await;
    // Seven months, seven range requests: the fault draws are fixed by request
    // order, and at 0.2 the first to fault is the seventh request.
    let w = window("2025-01-02", "2025-07-31");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let reference = cache_over(a.path(), clean.base_url()).get(&minute_bars("NVDA"), w).await.unwrap();
    let cache = cache_over(b.path(), faulty.base_url());
    let survived = cache.get(&minute_bars("NVDA"), w).await.unwrap();
    let stats = cache.metrics().snapshot();
    assert!(stats.retries > 0, "faults were injected and retried: {stats:?}");
    assert!(!stats.errors.is_empty());
    assert!(reference.frame.equals_missing(&survived.frame), "identical to the fault-free fetch");
    assert_eq!(all_files(a.path()).len(), all_files(b.path()).len());
}

#[tokio::test]
async fn a_terminal_that_is_down_is_a_clear_error_and_changes_nothing() {
    let sim = simulated(SimConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    cache_over(dir.path(), sim.base_url()).get(&minute_bars("AAPL"), window("2025-03-03", "2025-03-07")).await.unwrap();
    let before = all_files(dir.path());
    // Nothing listens on a port we just closed.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let down = cache_over(dir.path(), format!("http://127.0.0.1:{port}"));
    let err = down.get(&minute_bars("AAPL"), window("2025-03-03", "2025-03-14")).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "names the terminal: {message}");
    assert!(message.contains("AAPL"), "names the dataset: {message}");
    assert_eq!(all_files(dir.path()), before, "the cache is unchanged");
}
