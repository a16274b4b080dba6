//! Deterministic states for snapshots, scenario tests and the render benchmark:
//! fixed times, fixed prices, no I/O.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

use super::action::Action;
use super::keymap::{DEFAULT_KEYMAP, Keymap};
use super::model::{CoverageRow, DatasetDetail, DatasetRow, ParityReport, RunSide, RunSummary};
use super::state::{Load, State, update};
use crate::cache::Window;
use crate::cache::report::{ChecksumState, DatasetSummary, Inspection, session_runs};
use crate::data::RepresentationKind;
use crate::engine::valuation::PositionValue;
use crate::engine::{FillSource, MarkSource, OrderId, OrderKind, RunEvent, Side, TimeInForce, Valuation};
use crate::market::conversion::{ConversionCount, ConversionKind};
use crate::market::{Asset, OptionContract, Right, Strike, Symbol};
use crate::metrics::MetricsSnapshot;
use crate::run::RunRequest;
use crate::run::artifacts::{Stats, TradeLine};
use crate::run::parity::{Divergence, Parity};
use crate::run::stats::Performance;

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 3).unwrap_or_default() + Days::new(n)
}

fn close(n: u64) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day(n).and_hms_opt(20, 0, 0).unwrap_or_default())
}

pub fn request() -> RunRequest {
    RunRequest {
        strategy: "weekly-momentum".into(),
        params: vec![],
        window: Window::new(day(0), day(60)).unwrap_or_else(|_| unreachable_window()),
        cash: 100_000.0,
        store: RepresentationKind::Columnar,
        account: crate::engine::Account::Cash,
        iteration_timeout: crate::strategies::DEFAULT_ITERATION_TIMEOUT,
    }
}

fn unreachable_window() -> Window {
    // day(0) <= day(60) always; this only satisfies the type.
    Window { start: day(0), end: day(60) }
}

fn call() -> Asset {
    Asset::Option(OptionContract {
        underlying: Symbol::literal("PLTR"),
        expiration: day(46),
        strike: Strike::from_millis(91_000),
        right: Right::Call,
    })
}

/// A fresh state as the loop starts it, sized `width`×`height`.
pub fn empty(width: u16, height: u16) -> State {
    let keymap = Keymap::parse(DEFAULT_KEYMAP).unwrap_or_else(|_| Keymap::parse("").unwrap_or_else(|_| unreachable!()));
    let mut state = State::new(keymap, request());
    state.width = width;
    state.height = height;
    state
}

fn metrics(session: u64) -> MetricsSnapshot {
    let mut conversions = BTreeMap::new();
    for (i, kind) in ConversionKind::ALL.into_iter().enumerate() {
        conversions
            .insert(kind, ConversionCount { count: session * (i as u64 + 1), rows: session * 390 * (i as u64 + 1) });
    }
    MetricsSnapshot {
        checks: session * 3,
        hits: session * 2,
        misses: session,
        network_requests: session + 2,
        bytes: session * 40_000,
        rows: session * 390,
        retries: 1,
        errors: BTreeMap::from([("429".to_string(), 1)]),
        conversions,
        in_flight: 0,
        fetching: Vec::new(),
        ..MetricsSnapshot::default()
    }
}

/// A run 30 sessions into 43: an option bought, equity moving, counters live.
pub fn running(width: u16, height: u16) -> State {
    let mut state = empty(width, height);
    update(&mut state, Action::SourceReady { description: "simulated terminal at http://127.0.0.1:40111".into() });
    let asset = call();
    let events = |n: u64| {
        let mut out = vec![RunEvent::Progress { time: close(n), session: n as usize + 1, sessions: 43 }];
        if n == 2 {
            out.push(RunEvent::OrderSubmitted {
                time: close(n),
                order_id: OrderId(1),
                asset,
                side: Side::Buy,
                quantity: 10,
                kind: OrderKind::Market,
                tif: TimeInForce::Day,
                tag: "entry".into(),
            });
            out.push(RunEvent::Filled {
                time: close(n),
                order_id: OrderId(1),
                asset,
                side: Side::Buy,
                quantity: 10,
                price: 3.5,
                fee: 3.5,
                source: FillSource::Quote,
                tag: "entry".into(),
                realized_pnl: 0.0,
                cash_after: 96_496.5,
            });
        }
        let mark = if n < 2 { 0.0 } else { 3.5 + ((n as f64) * 0.7).sin() * 1.2 + n as f64 * 0.05 };
        let held = n >= 2;
        let positions_value = if held { mark * 1000.0 } else { 0.0 };
        let cash = if held { 96_496.5 } else { 100_000.0 };
        let lines = if held {
            vec![PositionValue {
                asset,
                quantity: 10,
                price: mark,
                source: MarkSource::QuoteMid,
                value: positions_value,
                average_cost: 3.5,
                unrealized_pnl: (mark - 3.5) * 1000.0,
            }]
        } else {
            vec![]
        };
        out.push(RunEvent::Equity {
            time: close(n),
            valuation: Valuation {
                cash,
                positions_value,
                total: cash + positions_value,
                lines,
                buying_power: cash,
                margin_used: 0.0,
            },
        });
        out.push(RunEvent::Counters { time: close(n), metrics: metrics(n + 1) });
        out
    };
    for n in 0..30 {
        for event in events(n) {
            update(&mut state, Action::Run(event));
        }
    }
    let covered: Vec<NaiveDate> = (0..40).map(day).collect();
    update(
        &mut state,
        Action::Coverage(vec![
            CoverageRow {
                label: "PLTR 1m ohlc".into(),
                days: covered.clone(),
                placeholders: vec![day(5)],
                required: (0..61).map(day).collect(),
                expiry: None,
            },
            CoverageRow {
                label: asset.to_string() + " 1m quote",
                days: covered[2..30].to_vec(),
                placeholders: vec![],
                required: (2..47).map(day).collect(),
                expiry: Some(day(46)),
            },
        ]),
    );
    update(
        &mut state,
        Action::Log(vec![
            "INFO  data source: simulated terminal at http://127.0.0.1:40111".into(),
            "INFO  [CACHE HIT] PLTR 1m ohlc 2025-03-03..2025-05-02".into(),
            "INFO  [CACHE MISS] PLTR 2025-04-18 91 C 1m quote: 28 missing days".into(),
        ]),
    );
    state
}

/// The run over and the cursor scrubbed back ten sessions.
pub fn finished(width: u16, height: u16) -> State {
    let mut state = running(width, height);
    update(
        &mut state,
        Action::RunFinished {
            summary: RunSummary {
                final_value: 101_234.5,
                total_return: 0.0123,
                max_drawdown: 0.021,
                sharpe: 1.1,
                trades: 1,
                run_dir: Some(PathBuf::from("/runs/weekly-momentum-columnar-tui-20250101T000000.000Z")),
            },
        },
    );
    state.run.scrub = Some(19);
    state
}

pub fn unreachable_terminal(width: u16, height: u16) -> State {
    let mut state = running(width, height);
    update(
        &mut state,
        Action::RunFailed("terminal unreachable: connect to http://127.0.0.1:25503 failed after 6 attempts".into()),
    );
    state
}

fn summary(asset: &str, kind: &'static str, rows: u64, days: usize, n: u64) -> DatasetSummary {
    DatasetSummary {
        asset: asset.into(),
        kind,
        timestep: "1m".into(),
        style: if kind == "option" { "quote".into() } else { "ohlc".into() },
        rows,
        days,
        placeholder_days: (n % 2) as usize,
        first: Some("2025-03-03 09:30 -05:00".into()),
        last: Some(format!("2025-04-{:02} 15:59 -04:00", 10 + n)),
        bytes: rows * 24,
        sidecar: PathBuf::from(format!("/cache/{n}.json")),
    }
}

pub fn browser(width: u16, height: u16) -> State {
    let mut state = empty(width, height);
    state.screen = super::state::Screen::Browser;
    let rows = vec![
        DatasetRow {
            summary: summary("PLTR", "stock", 15_600, 40, 0),
            checksum: Some(ChecksumState::Ok),
            on_remote: false,
        },
        DatasetRow {
            summary: summary("PLTR 2025-04-18 91 C", "option", 10_920, 28, 1),
            checksum: Some(ChecksumState::Ok),
            on_remote: false,
        },
        DatasetRow {
            summary: summary("HIMS", "stock", 7_800, 20, 2),
            checksum: Some(ChecksumState::Mismatch),
            on_remote: false,
        },
        DatasetRow { summary: summary("^SPX", "index", 15_600, 40, 3), checksum: None, on_remote: false },
    ];
    update(&mut state, Action::Datasets(Ok(rows)));
    state
}

pub fn browser_detail(width: u16, height: u16) -> State {
    let mut state = browser(width, height);
    let days: Vec<NaiveDate> = (0..40).filter(|n| n % 7 < 5).map(day).collect();
    let preview: Vec<Vec<String>> = (0..30)
        .map(|i| {
            vec![
                format!("2025-03-03 09:{:02} -05:00", 30 + i),
                format!("{:.2}", 80.0 + i as f64 * 0.1),
                format!("{:.2}", 80.5 + i as f64 * 0.1),
                format!("{}", 1000 + i * 10),
            ]
        })
        .collect();
    let inspection = Inspection {
        summary: summary("PLTR", "stock", 15_600, days.len(), 0),
        coverage: session_runs(&days),
        placeholders: vec![crate::cache::sidecar::Placeholder {
            day: day(10),
            made: "2026-01-05T15:00:00Z".parse().unwrap_or_default(),
        }],
        data_file: Some("stock/PLTR/1m-ohlc.parquet".into()),
        sha256: Some("9f2c4e0d1b7a66e3c0ffee".into()),
        checksum: ChecksumState::Ok,
        checksum_detail: None,
    };
    state.browser.detail = Some(Load::Loaded(Box::new(DatasetDetail {
        inspection,
        days,
        columns: vec!["time (ET)".into(), "open".into(), "close".into(), "volume".into()],
        first_row: 0,
        total_rows: preview.len(),
        preview,
    })));
    state
}

fn side(label: &str, final_value: f64, bump: f64) -> RunSide {
    let performance = Performance {
        initial_value: 100_000.0,
        final_value,
        total_return: final_value / 100_000.0 - 1.0,
        cagr: 0.02,
        max_drawdown: 0.021,
        sharpe: 1.1,
        trades: 2,
        win_rate: 0.5,
    };
    let entry = TradeLine {
        time_utc: "2025-03-05T20:00:00+00:00".into(),
        time_et: "2025-03-05 15:00 -05:00".into(),
        event: "fill".into(),
        order_id: Some(1),
        asset: "PLTR 2025-04-18 91 C".into(),
        side: "BUY".into(),
        quantity: 10,
        price: 3.5,
        fee: 3.5,
        source: "quote".into(),
        tag: "entry".into(),
        realized_pnl: 0.0,
        cash: 96_496.5,
        reason: String::new(),
    };
    RunSide {
        label: label.into(),
        dir: std::path::PathBuf::from("/runs").join(label.replace(' ', "-")),
        manifest: None,
        stats: Stats {
            performance,
            network_requests: 12,
            cache_hits: 40,
            cache_misses: 6,
            hit_ratio: 0.87,
            remote: Default::default(),
            conversions: BTreeMap::from([("decode".into(), 6), ("load".into(), 40)]),
            elapsed_ms: 900,
        },
        equity: (0..40)
            .map(|n| {
                (
                    format!("{} 16:00", day(n)),
                    100_000.0 + (n as f64 * 0.3).sin() * 800.0 + if n > 20 { bump } else { 0.0 },
                )
            })
            .collect(),
        trades: vec![
            entry.clone(),
            TradeLine {
                time_utc: "2025-03-26T20:00:00+00:00".into(),
                time_et: "2025-03-26 16:00 -04:00".into(),
                order_id: Some(2),
                side: "SELL".into(),
                price: 3.9 + bump / 1000.0,
                fee: 3.9,
                tag: "exit".into(),
                realized_pnl: 400.0,
                cash: 100_896.6 + bump,
                ..entry
            },
        ],
    }
}

pub fn parity(width: u16, height: u16, identical: bool) -> State {
    let mut state = empty(width, height);
    state.screen = super::state::Screen::Parity;
    update(
        &mut state,
        Action::SavedRuns(vec![crate::tui::model::SavedRun {
            dir: PathBuf::from("/runs/weekly-momentum-columnar-20250101T000000.000Z"),
            label: "01-01 09:00 weekly-momentum 2025-03-03..09-30 $100,000 → 102,332.60 columnar".into(),
            created: None,
        }]),
    );
    let bump = if identical { 0.0 } else { 12.5 };
    let (mut a, mut b) = (side("columnar store", 100_896.6, 0.0), side("rows store", 100_896.6 + bump, bump));
    if !identical {
        // The two runs were asked different things: the view says so above the verdict.
        let manifest = |cash: f64, store| crate::run::artifacts::Manifest {
            strategy: "weekly-momentum".into(),
            params: BTreeMap::new(),
            start: day(0),
            end: day(60),
            cash,
            store,
            account: Some(crate::engine::Account::Cash),
            source: "simulated terminal at http://127.0.0.1:1".into(),
            cache_fingerprint: String::new(),
            thetabench_version: String::new(),
            created: close(0),
        };
        a.manifest = Some(manifest(100_000.0, RepresentationKind::Columnar));
        b.manifest = Some(manifest(100_500.0, RepresentationKind::Rows));
    }
    let first_divergence = (!identical).then(|| Divergence {
        kind: "trade",
        row: 2,
        time_et: "2025-03-26 16:00 -04:00".into(),
        field: "price".into(),
        a: "3.9".into(),
        b: "3.9125".into(),
    });
    let parity = Parity {
        identical,
        trades: (2, 2),
        equity_points: (40, 40),
        final_value: (a.stats.performance.final_value, b.stats.performance.final_value),
        first_divergence,
    };
    update(&mut state, Action::ParityDone(Ok(Box::new(ParityReport { parity, a, b }))));
    state
}
