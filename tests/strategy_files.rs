//! Strategies in Python through the strategy protocol: the ports reproduce the
//! built-ins bit for bit on both stores, failures are one clear error, and the
//! declarations reach `thetabench strategies --json`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use thetabench::terminal::SimConfig;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

struct Runs {
    sim: BackgroundTerminal,
    cache: tempfile::TempDir,
    runs: tempfile::TempDir,
}

impl Runs {
    fn new() -> Runs {
        Runs {
            sim: BackgroundTerminal::start(SimConfig::default()),
            cache: tempfile::tempdir().unwrap(),
            runs: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, out: &str, strategy: &str, extra: &[&str]) -> Output {
        let dir = self.runs.path().join(out);
        thetabench(self.cache.path())
            .args(["--terminal", &self.sim.url(), "run", "--strategy", strategy, "--json", "--out"])
            .arg(&dir)
            .args(extra)
            .output()
            .unwrap()
    }

    fn parity(&self, a: &str, b: &str) -> Output {
        let (a, b) = (self.runs.path().join(a), self.runs.path().join(b));
        thetabench(self.cache.path()).arg("parity").arg(a).arg(b).output().unwrap()
    }
}

#[test]
fn python_ports_reproduce_the_built_ins_on_both_stores() {
    let runs = Runs::new();
    let june = ["--start", "2025-06-02", "--end", "2025-06-27"];
    let cases: [(&str, &str, &[&str]); 3] = [
        ("weekly-momentum", "examples/strategies/weekly_momentum.py", &[]),
        ("sma-cross", "examples/strategies/sma_cross.py", &june),
        ("buy-and-hold", "examples/strategies/buy_and_hold.py", &june),
    ];
    for (built_in, file, window) in cases {
        for store in ["columnar", "rows"] {
            let args: Vec<&str> = window.iter().copied().chain(["--store", store]).collect();
            let rust = format!("{built_in}-{store}");
            let python = format!("{built_in}-{store}-py");
            let out = runs.run(&rust, built_in, &args);
            assert!(out.status.success(), "{built_in}: {}", stderr(&out));
            let out = runs.run(&python, repo(file).to_str().unwrap(), &args);
            assert!(out.status.success(), "{file}: {}", stderr(&out));
            let summary = json(&out);
            assert!(summary["trades"].as_u64().unwrap() > 0, "{file} traded: {summary}");
            let parity = runs.parity(&rust, &python);
            assert_eq!(parity.status.code(), Some(0), "{file} on {store}: {}", String::from_utf8_lossy(&parity.stdout));
        }
    }
}

/// A Python strategy picks calls by delta through `get_greeks` (the greeks
/// dataset, through the protocol), the same on both stores.
#[test]
fn a_python_strategy_buys_calls_by_delta() {
    let runs = Runs::new();
    let file = repo("examples/strategies/delta_calls.py");
    let window = ["--start", "2025-03-03", "--end", "2025-03-28"];
    for store in ["columnar", "rows"] {
        let args: Vec<&str> = window.iter().copied().chain(["--store", store]).collect();
        let out = runs.run(store, file.to_str().unwrap(), &args);
        assert!(out.status.success(), "{store}: {}", stderr(&out));
    }
    let trades = std::fs::read_to_string(runs.runs.path().join("columnar/trades.csv")).unwrap();
    let bought: Vec<&str> = trades.lines().filter(|l| l.contains("by delta") && l.contains("fill")).collect();
    assert!(bought.len() >= 3, "a call bought each Monday it held none: {trades}");
    assert!(bought.iter().all(|l| l.contains("PLTR") && l.contains('C')), "{trades}");
    let parity = runs.parity("columnar", "rows");
    assert_eq!(parity.status.code(), Some(0), "{}", String::from_utf8_lossy(&parity.stdout));
}

/// Market, limit, stop and stop-limit orders, DAY and GTC, cancels and their
/// events, through the protocol: the strategy raises if any answer is wrong.
#[test]
fn every_order_type_goes_through_the_protocol() {
    let runs = Runs::new();
    let file = repo("tests/strategies/orders.py");
    let window = ["--start", "2025-06-02", "--end", "2025-06-06"];
    let out = runs.run("orders", file.to_str().unwrap(), &window);
    assert!(out.status.success(), "{}", stderr(&out));
    let trades = std::fs::read_to_string(runs.runs.path().join("orders/trades.csv")).unwrap();
    assert!(trades.contains("BUY"), "{trades}");
}

#[test]
fn strategy_failures_end_the_run_with_one_clear_error() {
    let runs = Runs::new();
    let day = ["--start", "2025-06-02", "--end", "2025-06-03", "--iteration-timeout", "1"];
    let fail = |file: &str, extra: &[&str]| {
        let args: Vec<&str> = day.iter().chain(extra).copied().collect();
        let out = runs.run(file, repo(&format!("tests/strategies/{file}")).to_str().unwrap(), &args);
        (out.status.code(), stderr(&out))
    };

    let (code, err) = fail("raises.py", &[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("raises.py\", line 11, in compute") && err.contains("ZeroDivisionError"), "{err}");
    assert!(!err.contains("thetabench/strategy.py"), "the SDK's own frames are left out: {err}");

    let (code, err) = fail("hangs.py", &[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("did not answer within 1 s") && err.contains("2025-06-02 09:30"), "{err}");

    let (code, err) = fail("syntax.py", &[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("syntax.py:2: SyntaxError"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");

    let (code, err) = fail("noclass.py", &[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("defines no Strategy subclass"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");

    let (code, err) = fail("future.py", &[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("refused") && err.contains("no strategy sees a bar before it closes"), "{err}");

    let (code, err) = fail("wants_bad.py", &[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("timestep \"fortnight\" is not minute or day"), "{err}");

    let (code, err) = fail("malformed.py", &[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("broke the protocol") && err.contains("this is not json"), "{err}");

    let sma = repo("examples/strategies/sma_cross.py");
    let sma = sma.to_str().unwrap();
    let out = runs.run("ill-typed", sma, &["--param", "fast=ten"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(stderr(&out).contains("parameter fast=\"ten\": expected a whole number"), "{}", stderr(&out));
    let out = runs.run("unknown", sma, &["--param", "colour=red"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown parameter(s) colour for sma-cross.py"), "{}", stderr(&out));

    let empty = tempfile::tempdir().unwrap();
    let out = thetabench(runs.cache.path())
        .env("PATH", empty.path())
        .env_remove("THETABENCH_PYTHON")
        .args(["--terminal", &runs.sim.url(), "run", "--strategy", sma])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("python3 was not found on PATH"), "{}", stderr(&out));
    assert_eq!(stderr(&out).trim_end().lines().count(), 1, "one line: {}", stderr(&out));
}

#[test]
fn strategies_lists_built_ins_and_files_with_their_parameters() {
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir(work.path().join("strategies")).unwrap();
    std::fs::copy(repo("examples/strategies/sma_cross.py"), work.path().join("strategies/sma_cross.py")).unwrap();
    std::fs::copy(repo("tests/strategies/syntax.py"), work.path().join("strategies/broken.py")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let out = thetabench(cache.path()).current_dir(work.path()).args(["strategies", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let find = |name: &str| listed.iter().find(|l| l["name"] == name).unwrap_or_else(|| panic!("{name} in {listed:?}"));

    let built_in = find("sma-cross");
    assert_eq!(built_in["source"], "built-in");
    let fast = built_in["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "fast").unwrap();
    assert_eq!((fast["type"].as_str(), fast["default"].as_i64()), (Some("int"), Some(10)));

    let file = find("sma-cross.py");
    assert!(file["source"].as_str().unwrap().ends_with("sma_cross.py"));
    let params = file["parameters"].as_array().unwrap();
    let symbols = params.iter().find(|p| p["name"] == "symbols").unwrap();
    assert_eq!(symbols["type"], "symbols");
    assert_eq!(symbols["default"], serde_json::json!(["SPY"]));
    assert_eq!(symbols["help"], "stocks to trade, e.g. SPY,QQQ");
    assert!(params.iter().any(|p| p["name"] == "fee_pct"), "thetabench's own parameter is listed too");

    let broken = find("broken");
    assert!(broken["error"].as_str().unwrap().contains("SyntaxError"), "{broken}");

    // A file in ./strategies runs by its name.
    let sim = BackgroundTerminal::start(SimConfig::default());
    let out = thetabench(cache.path())
        .current_dir(work.path())
        .args(["--terminal", &sim.url(), "run", "--strategy", "sma_cross", "--json"])
        .args(["--start", "2025-06-02", "--end", "2025-06-03", "--out", "run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `examples/custom_strategy.rs`: a binary with one more Rust strategy, which
/// every command then knows. `cargo test` builds the examples beside the tests.
#[test]
fn a_registered_rust_strategy_runs_beside_the_built_ins() {
    let exe = std::env::current_exe().unwrap();
    let example = exe.parent().unwrap().parent().unwrap().join("examples").join("custom_strategy");
    assert!(example.is_file(), "{} is built by cargo test", example.display());
    let cache = tempfile::tempdir().unwrap();
    let listed = std::process::Command::new(&example)
        .args(["--cache-dir", cache.path().to_str().unwrap(), "strategies", "--json"])
        .output()
        .unwrap();
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    let names: Vec<&str> = listed.iter().filter_map(|l| l["name"].as_str()).collect();
    assert_eq!(&names[..4], ["weekly-momentum", "buy-and-hold", "sma-cross", "dip-buyer"]);

    let sim = BackgroundTerminal::start(SimConfig::default());
    let runs = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(&example)
        .args(["--cache-dir", cache.path().to_str().unwrap(), "--terminal", &sim.url()])
        .args(["run", "--strategy", "dip-buyer", "--param", "dip=0.02", "--json", "--out"])
        .arg(runs.path().join("dip"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(json(&out)["trades"].as_u64().unwrap() > 0, "the strategy traded");
}
