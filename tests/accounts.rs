//! Accounts over real runs: a cash account never lets cash go below zero and
//! lists what it refused; each account model gives the same run on both
//! stores; parity names a different account as a settings difference.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::path::Path;

use common::*;
use thetabench::run::artifacts::{EquityLine, TradeLine};
use thetabench::terminal::SimConfig;

const SYMBOLS: &str = "SPY,QQQ,IWM,AAPL,MSFT,NVDA,TSLA,AMZN,META,GOOGL";

/// sma-cross on ten symbols for June 2024, 200 shares a cross: far more than
/// $100,000 can pay for at once.
fn sma_cross(cache: &Path, url: &str, out: &Path, store: &str, account: &str) -> serde_json::Value {
    let output = thetabench(cache)
        .args(["--terminal", url, "run", "--strategy", "sma-cross", "--start", "2024-06-03", "--end", "2024-06-28"])
        .args(["--param", &format!("symbols={SYMBOLS}"), "--param", "quantity=200", "--param", "fee_pct=0.001"])
        .args(["--store", store, "--account", account, "--json", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    json(&output)
}

/// A CSV artifact's rows, read by column name with the `csv` crate.
fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Vec<T> {
    csv::Reader::from_path(path).unwrap().deserialize().collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_cash_account_never_goes_below_zero_and_lists_its_refusals() {
    let sim = BackgroundTerminal::start(SimConfig::default());
    let (cache, runs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cash = sma_cross(cache.path(), &sim.url(), &runs.path().join("cash"), "columnar", "cash");
    assert!(cash["trades"].as_u64().unwrap() > 20, "{cash}");

    let rows: Vec<TradeLine> = read(&runs.path().join("cash/trades.csv"));
    let refused: Vec<_> = rows.iter().filter(|r| r.event == "rejected").collect();
    assert!(!refused.is_empty(), "200 shares a cross outruns $100,000");
    for r in &refused {
        assert!(r.reason.starts_with("insufficient buying power: needs "), "{r:?}");
        assert_eq!(r.side, "BUY", "sales of held shares are never refused");
    }
    for r in &rows {
        assert!(r.cash >= 0.0, "the balance after a row went negative: {r:?}");
    }
    let equity: Vec<EquityLine> = read(&runs.path().join("cash/equity.csv"));
    for row in &equity {
        assert!(row.cash >= 0.0, "cash at a close went negative: {row:?}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(runs.path().join("cash/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["account"], "cash");

    // The same run with a margin account borrows instead of refusing.
    let margin = sma_cross(cache.path(), &sim.url(), &runs.path().join("margin"), "columnar", "margin");
    assert!(margin["trades"].as_u64() > cash["trades"].as_u64(), "{margin} vs {cash}");
    let parity = thetabench(cache.path())
        .arg("parity")
        .arg(runs.path().join("cash"))
        .arg(runs.path().join("margin"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&parity.stdout);
    assert_eq!(parity.status.code(), Some(1), "{said}");
    assert_eq!(said.trim(), "the runs were asked different things: account is cash in A, margin in B");
}

#[test]
fn each_account_model_gives_the_same_run_on_both_stores() {
    let sim = BackgroundTerminal::start(SimConfig::default());
    let (cache, runs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for account in ["cash", "margin:long=60/30,short=150/130,grace=1"] {
        let name = |store: &str| runs.path().join(format!("{}-{store}", &account[..4]));
        let columnar = sma_cross(cache.path(), &sim.url(), &name("columnar"), "columnar", account);
        let rows = sma_cross(cache.path(), &sim.url(), &name("rows"), "rows", account);
        assert_eq!(columnar["final_value"], rows["final_value"], "{account}");
        let parity = thetabench(cache.path()).arg("parity").arg(name("columnar")).arg(name("rows")).output().unwrap();
        assert_eq!(parity.status.code(), Some(0), "{account}: {}", String::from_utf8_lossy(&parity.stdout));
    }
}
