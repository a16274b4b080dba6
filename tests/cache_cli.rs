//! `thetabench cache …` as a user runs it: real processes, a real simulated
//! terminal on loopback, real files.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use thetabench::terminal::SimConfig;

fn fetch_args(url: &str, symbol: &str, start: &str, end: &str) -> Vec<String> {
    ["--terminal", url, "cache", "fetch", symbol, "--start", start, "--end", end, "--json"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn fetch_reports_json_and_a_warm_fetch_makes_no_requests() {
    let sim = BackgroundTerminal::start(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let cold =
        thetabench(dir.path()).args(fetch_args(&sim.url(), "PLTR", "2025-03-03", "2025-03-28")).output().unwrap();
    assert!(cold.status.success(), "{}", String::from_utf8_lossy(&cold.stderr));
    let cold = json(&cold);
    assert_eq!(cold["rows"], 7800);
    assert_eq!(cold["days"], 20);
    assert_eq!(cold["placeholder_days"], 0);
    assert_eq!(cold["network_requests"], 1, "the month's 20 sessions in one request");
    assert_eq!((cold["cache_hits"].as_u64(), cold["cache_misses"].as_u64()), (Some(0), Some(1)));
    assert!(cold["retries"].is_u64());
    assert!(cold["source"].as_str().unwrap().contains(&sim.url()));

    let warm = json(
        &thetabench(dir.path()).args(fetch_args(&sim.url(), "PLTR", "2025-03-03", "2025-03-28")).output().unwrap(),
    );
    assert_eq!(warm["network_requests"], 0);
    assert_eq!(warm["cache_hits"], 1);
    assert_eq!(warm["rows"], 7800);
}

#[test]
fn a_corrupt_file_is_reported_by_verify_and_fetched_again() {
    let sim = BackgroundTerminal::start(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let args = fetch_args(&sim.url(), "HIMS", "2025-03-03", "2025-03-14");
    let first = json(&thetabench(dir.path()).args(&args).output().unwrap());
    let parquet = all_files(dir.path()).into_iter().find(|(p, _)| p.ends_with(".parquet")).unwrap().0;
    let path = dir.path().join(parquet);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 3;
    bytes[at] ^= 0x5a;
    std::fs::write(&path, bytes).unwrap();

    let verify = thetabench(dir.path()).args(["cache", "verify", "--json"]).output().unwrap();
    assert_eq!(verify.status.code(), Some(1), "verify fails on a corrupt dataset");
    let report = json(&verify);
    assert_eq!(report["bad"], 1);
    assert_eq!(report["results"][0]["state"], "mismatch");

    let again = json(&thetabench(dir.path()).args(&args).output().unwrap());
    assert_eq!(again["network_requests"], 1, "the corrupt data is fetched again (one request), not served");
    assert_eq!(again["rows"], first["rows"]);
    let verify = thetabench(dir.path()).args(["cache", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
}

#[test]
fn two_processes_on_one_dataset_leave_one_consistent_dataset() {
    let sim = BackgroundTerminal::start(SimConfig { latency: Duration::from_millis(20), ..SimConfig::default() });
    let dir = tempfile::tempdir().unwrap();
    let args = fetch_args(&sim.url(), "CCJ", "2025-06-02", "2025-06-27");
    let children: Vec<_> = (0..2)
        .map(|_| thetabench(dir.path()).args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap())
        .collect();
    let outputs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    for out in &outputs {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (a, b) = (json(&outputs[0]), json(&outputs[1]));
    assert_eq!(a["rows"], b["rows"]);
    assert_eq!(a["rows"], 19 * 390);
    let total = a["network_requests"].as_u64().unwrap() + b["network_requests"].as_u64().unwrap();
    assert_eq!(total, 1, "the month fetched once (one request) across both processes");
    assert!(thetabench(dir.path()).args(["cache", "verify"]).output().unwrap().status.success());
    let parquet_files = all_files(dir.path()).iter().filter(|(p, _)| p.ends_with(".parquet")).count();
    assert_eq!(parquet_files, 1);
}

#[cfg(feature = "failpoints")]
#[test]
fn a_process_killed_mid_write_leaves_the_previous_state_readable() {
    let sim = BackgroundTerminal::start(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let small = fetch_args(&sim.url(), "WDC", "2025-03-03", "2025-03-07");
    let before = json(&thetabench(dir.path()).args(&small).output().unwrap());
    let files_before = all_files(dir.path());

    kill_at_commit(dir.path(), fetch_args(&sim.url(), "WDC", "2025-03-03", "2025-03-21"));

    let verify = thetabench(dir.path()).args(["cache", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    let after = json(&thetabench(dir.path()).args(&small).output().unwrap());
    assert_eq!(after["network_requests"], 0, "the previous state is intact and served");
    assert_eq!(after["rows"], before["rows"]);
    let sidecars_before: Vec<_> = files_before.iter().filter(|(p, _)| p.ends_with(".json")).collect();
    let files_after = all_files(dir.path());
    let sidecars_after: Vec<_> = files_after.iter().filter(|(p, _)| p.ends_with(".json")).collect();
    assert_eq!(sidecars_before, sidecars_after, "the sidecar was never half-replaced");
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = thetabench(dir.path()).args(args).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (code, err) = run(&["cache", "fetch", "PLTR250418X00091000", "--start", "2025-03-03", "--end", "2025-03-07"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("bad right \"X\""), "{err}");
    let (code, err) = run(&["cache", "fetch", "PLTR", "--start", "2025-02-30", "--end", "2025-03-07"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("2025-02-30"), "{err}");
    let (code, err) =
        run(&["--terminal", "sim", "cache", "fetch", "PLTR", "--start", "2025-03-07", "--end", "2025-03-03"]);
    assert_eq!(code, Some(2), "a reversed window is a usage error");
    assert!(err.contains("after end"), "{err}");
    let (code, err) = run(&["cache", "fetch", "PLTR", "--start", "2009-03-02", "--end", "2009-03-06"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("2009-03-02 is outside the trading calendar's years 2012..=2030"), "{err}");
    let (code, err) = run(&["run", "--start", "2025-06-02", "--end", "2025-05-30"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--start/--end: start 2025-06-02 is after end 2025-05-30"), "{err}");
    let (code, err) = run(&["cache", "fetch", " PLTR", "--start", "2025-03-03", "--end", "2025-03-07"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("whitespace"), "{err}");
    let (code, err) =
        run(&["--terminal", "sim", "cache", "fetch", "ZZZZ", "--start", "2025-03-03", "--end", "2025-03-07"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("no data for ZZZZ"), "{err}");
}
