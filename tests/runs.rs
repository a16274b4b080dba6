//! Backtest runs against the simulated terminal: cold vs warm, columnar vs
//! rows, determinism, and no look-ahead.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::*;
use thetabench::cache::Window;
use thetabench::data::{Columnar, Loader, MarketData, MarketView, Rows};
use thetabench::engine::{Account, Context, FeeModel, RunEvent, RunSpec, Sleep, Strategy, StrategyError};
use thetabench::market::time::et_date_ms;
use thetabench::market::{Asset, Calendar, Greeks, Timestep};
use thetabench::terminal::SimConfig;

fn run_args(url: &str, out: &Path, store: &str) -> Vec<String> {
    let out = out.display().to_string();
    ["--terminal", url, "run", "--store", store, "--out", &out, "--json"].iter().map(|s| s.to_string()).collect()
}

fn without_timing(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for name in ["manifest.json", "trades.csv", "equity.csv", "positions.csv", "stats.json"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let kept: Vec<&str> =
            text.lines().filter(|l| !l.contains("\"created\"") && !l.contains("\"elapsed_ms\"")).collect();
        files.push((name.to_string(), kept.join("\n")));
    }
    files
}

/// The default weekly-momentum run, cold then warm, then on the row store.
#[test]
fn weekly_momentum_cold_warm_and_both_stores_agree() {
    let sim = BackgroundTerminal::start(SimConfig::default());
    let cache = tempfile::tempdir().unwrap();
    let runs = tempfile::tempdir().unwrap();
    let run = |name: &str, store: &str| {
        let out = thetabench(cache.path()).args(run_args(&sim.url(), &runs.path().join(name), store)).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        json(&out)
    };
    let cold = run("cold", "columnar");
    assert!(cold["network_requests"].as_u64().unwrap() > 0);
    assert!(cold["trades"].as_u64().unwrap() > 0, "the strategy traded: {cold}");
    let warm = run("warm", "columnar");
    assert_eq!(warm["network_requests"], 0, "a warm run makes no requests");
    assert_eq!(warm["cache_misses"], 0);
    assert_eq!(warm["conversions"]["materialize"], 0, "the columnar store copies no rows");
    assert_eq!(warm["final_value"], cold["final_value"]);

    let parity = |a: &str, b: &str| {
        thetabench(cache.path()).arg("parity").arg(runs.path().join(a)).arg(runs.path().join(b)).output().unwrap()
    };
    let out = parity("cold", "warm");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    let rows = run("rows", "rows");
    assert_eq!(rows["network_requests"], 0);
    assert!(rows["conversions"]["materialize"].as_u64().unwrap() > 0, "the row store materializes by design");
    assert_eq!(rows["final_value"].as_f64().unwrap().to_bits(), warm["final_value"].as_f64().unwrap().to_bits());
    let out = parity("warm", "rows");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    // Determinism: a second warm run writes the same bytes apart from timing fields.
    run("warm-again", "columnar");
    assert_eq!(without_timing(&runs.path().join("warm")), without_timing(&runs.path().join("warm-again")));

    // A run that differs is caught and located.
    let trades = runs.path().join("warm-again").join("trades.csv");
    let edited = std::fs::read_to_string(&trades).unwrap().replacen(",entry,", ",entry-edited,", 1);
    std::fs::write(&trades, edited).unwrap();
    let out = parity("warm", "warm-again");
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("trade row 1") && report.contains("tag"), "{report}");
    let out = thetabench(cache.path()).args(["parity", "/nonexistent/a", "/nonexistent/b"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// sma-cross trades every few minutes on many assets, through series handles and
/// lane sums: both stores must still agree to the bit, trade for trade.
#[test]
fn sma_cross_agrees_on_both_stores() {
    let sim = BackgroundTerminal::start(SimConfig::default());
    let cache = tempfile::tempdir().unwrap();
    let runs = tempfile::tempdir().unwrap();
    let run = |store: &str| {
        let mut args = run_args(&sim.url(), &runs.path().join(store), store);
        args.extend(["--strategy", "sma-cross", "--start", "2025-03-03", "--end", "2025-03-07"].map(String::from));
        args.extend(["--param", "symbols=SPY,QQQ,PLTR"].map(String::from));
        let out = thetabench(cache.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        json(&out)
    };
    let columnar = run("columnar");
    assert!(columnar["trades"].as_u64().unwrap() > 100, "sma-cross trades often: {columnar}");
    let rows = run("rows");
    assert_eq!(rows["final_value"].as_f64().unwrap().to_bits(), columnar["final_value"].as_f64().unwrap().to_bits());
    let out = thetabench(cache.path())
        .arg("parity")
        .arg(runs.path().join("columnar"))
        .arg(runs.path().join("rows"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

/// Records every bar a strategy is shown, minute and daily, asking both by
/// asset and by series handle (and checking the two agree).
struct Probe {
    asset: Asset,
    seen: Vec<(DateTime<Utc>, Timestep, Vec<i64>)>,
}

impl Strategy for Probe {
    fn name(&self) -> &str {
        "probe"
    }

    fn sleep(&self) -> Sleep {
        Sleep::EveryMinutes(29)
    }

    fn iterate(&mut self, ctx: &mut Context<'_>) -> Result<(), StrategyError> {
        let now = ctx.now();
        for (timestep, n) in [(Timestep::Minute, 500), (Timestep::Day, 10)] {
            let history = ctx.data().history(&self.asset, n, timestep)?;
            let stamps: Vec<i64> = (0..history.len()).map(|i| history.bar(i).ts_ms).collect();
            let series = ctx.data().series(&self.asset, timestep)?;
            let by_handle = ctx.data().history_of(series, n)?;
            let handle_stamps: Vec<i64> = (0..by_handle.len()).map(|i| by_handle.bar(i).ts_ms).collect();
            assert_eq!(handle_stamps, stamps, "{timestep} at {now}: a handle sees what a lookup sees");
            self.seen.push((now, timestep, stamps));
        }
        Ok(())
    }
}

#[test]
fn no_bar_is_visible_before_it_closes() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let sim = runtime.block_on(simulated(SimConfig::default()));
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(cache_over(dir.path(), sim.base_url()));
    // Thanksgiving week: a holiday, then the 13:00 early close of 2025-11-28.
    let window = Window::new(d("2025-11-24"), d("2025-12-02")).unwrap();
    let mut store = MarketView::<Columnar, _>::new(Loader::new(cache, runtime.handle().clone()), window);
    let mut probe = Probe { asset: Asset::stock("SPY").unwrap(), seen: Vec::new() };
    let spec = RunSpec { window, cash: 100_000.0, fees: FeeModel::default(), account: Account::Cash };
    let mut read = Vec::new();
    let mut sink = |event: &RunEvent| {
        if let RunEvent::DatasetsRead { datasets, .. } = event {
            read = datasets.iter().map(|d| (d.key.to_string(), d.window)).collect();
        }
    };
    thetabench::engine::run(&mut store, &mut probe, &spec, &mut sink, &mut || true).unwrap();
    let names: Vec<&str> = read.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["SPY 1m ohlc", "SPY 1d ohlc"], "the run reports the datasets it read");
    assert!(read.iter().all(|(_, w)| w.end == window.end && w.start < window.start), "windows include lookback");

    let mut checked_days_at_early_close = 0;
    for (now, timestep, stamps) in &probe.seen {
        let now_ms = now.timestamp_millis();
        assert!(!stamps.is_empty(), "{timestep} history at {now} is empty");
        for &stamp in stamps {
            let closes = match timestep {
                Timestep::Day => Calendar::session(et_date_ms(stamp)).unwrap().close.timestamp_millis(),
                _ => stamp + 60_000,
            };
            assert!(closes <= now_ms, "{timestep} bar stamped {stamp} closes after {now}");
        }
        if *timestep == Timestep::Day && et_date_ms(now_ms) == d("2025-11-28") {
            assert!(stamps.iter().all(|s| et_date_ms(*s) < d("2025-11-28")), "no daily bar of the early-close day");
            checked_days_at_early_close += 1;
        }
        if *timestep == Timestep::Minute {
            // The last visible minute is the one that closed most recently.
            let last = *stamps.last().unwrap();
            assert!(now_ms - last <= 60_000 || et_date_ms(last) < et_date_ms(now_ms), "stale minute data at {now}");
        }
    }
    assert!(checked_days_at_early_close > 0);

    // A handle is only good with the store that handed it out, even where the
    // other store holds a series at the same place.
    let spy = Asset::stock("SPY").unwrap();
    let handle = store.series(&spy, Timestep::Day).unwrap();
    let other_cache = Arc::new(cache_over(dir.path(), sim.base_url()));
    let mut other = MarketView::<Columnar, _>::new(Loader::new(other_cache, runtime.handle().clone()), window);
    other.set_now(store.now());
    for timestep in [Timestep::Minute, Timestep::Day] {
        other.series(&spy, timestep).unwrap();
    }
    assert_eq!(other.dataset_keys(), store.dataset_keys());
    let error = other.history_of(handle, 1).unwrap_err().to_string();
    assert!(error.contains("not handed out by this data store"), "{error}");
}

/// The call nearest 0.5 delta among the five strikes nearest the spot, as a
/// strategy would pick it, and every candidate (by strike) with its greeks.
fn pick_by_delta<S: MarketData>(store: &mut S, underlying: &str) -> (Asset, Vec<(Asset, Greeks)>) {
    let today = et_date_ms(store.now().timestamp_millis());
    let spot = store.last_price(&Asset::stock(underlying).unwrap()).unwrap().unwrap();
    let expiration =
        store.expirations(underlying).unwrap().into_iter().find(|e| (*e - today).num_days() >= 14).unwrap();
    let mut strikes = store.strikes(underlying, expiration).unwrap();
    strikes.sort_by(|a, b| (a.dollars() - spot).abs().total_cmp(&(b.dollars() - spot).abs()));
    strikes.truncate(5);
    strikes.sort_by(|a, b| a.dollars().total_cmp(&b.dollars()));
    let candidates: Vec<(Asset, Greeks)> = strikes
        .iter()
        .map(|strike| {
            let call: Asset = format!("{underlying} {expiration} {} C", strike.dollars()).parse().unwrap();
            let greeks = store.greeks(&call).unwrap().expect("a priced snapshot");
            (call, greeks)
        })
        .collect();
    let distance = |g: &Greeks| (g.delta - 0.5).abs();
    let best = candidates.iter().min_by(|a, b| distance(&a.1).total_cmp(&distance(&b.1))).unwrap();
    (best.0, candidates)
}

/// Greeks read into the cache as a dataset of their own let a strategy pick
/// a contract by delta: the snapshots are known only from their instant on,
/// agree with the option's own quote, fall with the strike as a call's delta
/// must, and read the same from both stores; so does the daily open interest.
#[test]
fn a_strategy_picks_a_contract_by_delta() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let sim = runtime.block_on(simulated(SimConfig::default()));
    let dir = tempfile::tempdir().unwrap();
    let window = Window::new(d("2025-03-03"), d("2025-03-07")).unwrap();
    let now: DateTime<Utc> = "2025-03-05T15:00:30Z".parse().unwrap(); // 10:00:30 ET
    let loader = || Loader::new(Arc::new(cache_over(dir.path(), sim.base_url())), runtime.handle().clone());
    let mut columnar = MarketView::<Columnar, _>::new(loader(), window);
    columnar.set_now(now);
    let (picked, candidates) = pick_by_delta(&mut columnar, "PLTR");
    for (call, g) in &candidates {
        let age = now.timestamp_millis() - g.ts_ms;
        assert!((0..60_000).contains(&age), "{call}: the minute's snapshot, none later: {g:?}");
        assert!(g.delta > 0.0 && g.delta < 1.0 && g.implied_vol > 0.0, "{call}: {g:?}");
        let quote = columnar.quote_at(call, now).unwrap().unwrap();
        assert_eq!((quote.bid, quote.ask), (g.bid, g.ask), "{call}: greeks come from the quote of their minute");
    }
    assert!(candidates.windows(2).all(|w| w[0].1.delta > w[1].1.delta), "a call's delta falls as the strike rises");
    assert!(candidates.iter().any(|(call, _)| *call == picked));
    // Open interest is reported once a day, at 06:30 ET: today's is known by 10:00.
    let (reported, interest) = columnar.open_interest(&picked).unwrap().unwrap();
    assert_eq!(reported, "2025-03-05T11:30:00Z".parse::<DateTime<Utc>>().unwrap());
    assert!(interest > 0);
    let mut before_the_report = MarketView::<Columnar, _>::new(loader(), window);
    before_the_report.set_now("2025-03-05T11:00:00Z".parse().unwrap());
    let (yesterday, _) = before_the_report.open_interest(&picked).unwrap().unwrap();
    assert_eq!(yesterday, "2025-03-04T11:30:00Z".parse::<DateTime<Utc>>().unwrap(), "not before it is reported");

    let mut rows = MarketView::<Rows, _>::new(loader(), window);
    rows.set_now(now);
    assert_eq!(pick_by_delta(&mut rows, "PLTR"), (picked, candidates), "both stores read the same greeks");
    assert_eq!(rows.open_interest(&picked).unwrap(), Some((reported, interest)));
}
