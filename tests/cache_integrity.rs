//! The cache never stores or serves a wrong bar: answers mangled on the wire
//! are refused and nothing of them is committed; sidecars that contradict their
//! data are not believed; placeholders can be asked about again; interrupted
//! writes leave nothing behind for long.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use thetabench::cache::{DatasetKey, Window};
use thetabench::market::{Asset, DataStyle, Timestep};
use thetabench::terminal::SimConfig;

fn pltr() -> DatasetKey {
    DatasetKey::new(Asset::stock("PLTR").unwrap(), Timestep::Minute, DataStyle::Ohlc)
}

fn three_days() -> Window {
    window("2025-03-10", "2025-03-12")
}

/// The window fetched from a healthy terminal into a fresh cache.
async fn clean_fetch(w: Window) -> polars::prelude::DataFrame {
    let sim = simulated(SimConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    cache_over(dir.path(), sim.base_url()).get(&pltr(), w).await.unwrap().frame
}

#[cfg(feature = "failpoints")]
fn parquet_files(dir: &std::path::Path) -> Vec<String> {
    all_files(dir).into_iter().map(|(p, _)| p).filter(|p| p.ends_with(".parquet")).collect()
}

#[tokio::test]
async fn every_mangled_answer_is_refused_nothing_is_cached_and_a_healthy_terminal_heals() {
    let reference = clean_fetch(three_days()).await;
    let cases = [
        ("stray-date", "is dated 2025-03-"),
        ("duplicate", "repeats or precedes"),
        ("off-session", "is outside the session"),
        ("negative", "is not a finite, non-negative price"),
        ("half", "195 of the 390 bars"),
        ("cut-value", "field(s) where the header has"),
        ("header-only", "a 200 with a header and no rows"),
        ("json", "missing column `timestamp`"),
        ("html", "missing column `timestamp`"),
        ("huge-line", "a line longer than 1048576 bytes"),
    ];
    for (fault, expected) in cases {
        let bad = simulated_with(&format!("{fault}=1")).await;
        let dir = tempfile::tempdir().unwrap();
        let cache = cache_with_attempts(dir.path(), bad.base_url(), 2);
        let err = cache.get(&pltr(), three_days()).await.unwrap_err().to_string();
        assert!(err.contains(expected), "{fault}: {err}");
        assert!(
            err.contains("GET /v3/stock/history/ohlc?symbol=PLTR&date=2025031"),
            "{fault} names the request: {err}"
        );
        assert!(err.len() < 1_000, "{fault}: a {} byte error", err.len());
        assert_eq!(cache.metrics().snapshot().retries, 4, "{fault}: the range was retried once, then each day once");
        assert!(all_files(dir.path()).is_empty(), "{fault}: nothing was committed: {:?}", all_files(dir.path()));

        let healthy = simulated(SimConfig::default()).await;
        let healed = cache_over(dir.path(), healthy.base_url()).get(&pltr(), three_days()).await.unwrap();
        assert!(healed.frame.equals_missing(&reference), "{fault}: healed data equals a clean fetch");
    }
}

#[tokio::test]
async fn the_good_days_of_a_partly_mangled_fetch_are_committed() {
    // Three months, one range request each; a mangled range falls back to its
    // days one by one, and some of those are mangled too (the draws are fixed
    // by request order, so this is the same every time).
    let w = window("2025-03-03", "2025-05-30");
    let sessions: Vec<chrono::NaiveDate> = thetabench::market::Calendar::sessions_between(w.start, w.end).collect();
    let reference = clean_fetch(w).await;
    let bad = simulated_with("stray-date=0.9").await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_with_attempts(dir.path(), bad.base_url(), 1);
    let err = cache.get(&pltr(), w).await.unwrap_err();
    let thetabench::cache::CacheError::Fetch { failed_days, .. } = err else { panic!("{err}") };
    let total = sessions.len();
    assert!((1..total).contains(&failed_days), "some of the {total} days failed: {failed_days}");
    let store = cache.store();
    let sidecar = store.read_sidecar(&pltr()).unwrap().expect("the good days were committed");
    assert_eq!(sidecar.days.len(), total - failed_days);
    assert!(sidecar.placeholders.is_empty(), "a refused day is not a placeholder");
    assert_eq!(store.load(&pltr(), &sidecar).unwrap().height(), 390 * (total - failed_days));

    let healthy = simulated(SimConfig::default()).await;
    let warm = cache_over(dir.path(), healthy.base_url());
    let healed = warm.get(&pltr(), w).await.unwrap();
    let refused: std::collections::BTreeSet<(i32, u32)> = sessions
        .iter()
        .filter(|d| !sidecar.days.contains(d))
        .map(|d| (chrono::Datelike::year(d), chrono::Datelike::month(d)))
        .collect();
    assert_eq!(
        warm.metrics().snapshot().network_requests,
        refused.len() as u64,
        "only the refused days, one request per month that has some"
    );
    assert!(healed.frame.equals_missing(&reference));
}

/// Fetches `symbol` for a week with the binary and returns the sidecar path.
fn fetched(dir: &std::path::Path, url: &str, symbol: &str) -> std::path::PathBuf {
    let out = thetabench(dir)
        .args(["--terminal", url, "cache", "fetch", symbol, "--start", "2025-03-03", "--end", "2025-03-07"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir.join(format!("stock/1m/ohlc/{symbol}.json"))
}

/// A hand edit of a sidecar's JSON.
type SidecarEdit = fn(&mut serde_json::Value);

fn edit_sidecar(path: &std::path::Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut json);
    std::fs::write(path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
}

#[test]
fn a_sidecar_the_data_contradicts_is_quarantined_and_refetched() {
    let sim = BackgroundTerminal::start(SimConfig::default());
    let cases: [(&str, SidecarEdit, &str); 8] = [
        ("no data file", |j| j["data_file"] = serde_json::Value::Null, "claims 5 days of data but names no data file"),
        (
            "more days than the file",
            |j| j["days"].as_array_mut().unwrap().push("2025-03-10".into()),
            "claims 1 day (2025-03-10), but the data file has no rows",
        ),
        (
            "covered days called placeholders",
            |j| {
                let days = j["days"].as_array_mut().unwrap();
                let moved: Vec<_> = days.drain(3..).collect();
                j["placeholders"] = moved
                    .into_iter()
                    .map(|day| serde_json::json!({ "day": day, "made": "2025-04-01T00:00:00Z" }))
                    .collect();
            },
            "calls 2 days (2025-03-06, 2025-03-07) placeholders, but the data file has rows on them",
        ),
        (
            "a day both covered and placeholder",
            |j| j["placeholders"] = serde_json::json!([{ "day": "2025-03-05", "made": "2025-04-01T00:00:00Z" }]),
            "lists 1 day (2025-03-05) both as covered and as placeholders",
        ),
        (
            "a held day not claimed",
            |j| _ = j["days"].as_array_mut().unwrap().remove(2),
            "the data file has rows on 1 day (2025-03-05), which the sidecar does not claim",
        ),
        ("wrong row count", |j| j["rows"] = 1000.into(), "the sidecar says 1000 rows, the data file holds 1950"),
        ("another dataset", |j| j["key"]["style"] = "quote".into(), "the sidecar describes HIMS 1m quote"),
        (
            "wrong bounds",
            |j| j["last"] = "2025-03-06T20:59:00Z".into(),
            "the sidecar's first and last bars (2025-03-03 09:30 -05:00..2025-03-06 15:59 -05:00) are not",
        ),
    ];
    for (name, edit, contradiction) in cases {
        let dir = tempfile::tempdir().unwrap();
        let sidecar = fetched(dir.path(), &sim.url(), "HIMS");
        edit_sidecar(&sidecar, edit);

        let verify = thetabench(dir.path()).args(["cache", "verify", "--json"]).output().unwrap();
        assert_eq!(verify.status.code(), Some(1), "{name}: verify fails");
        let report = json(&verify);
        assert_eq!(report["results"][0]["state"], "contradiction", "{name}: {report}");
        assert!(report["results"][0]["detail"].as_str().unwrap().contains(contradiction), "{name}: {report}");

        let again = thetabench(dir.path())
            .args(["--terminal", &sim.url(), "cache", "fetch", "HIMS", "--start", "2025-03-03", "--end", "2025-03-07"])
            .args(["--json"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&again.stderr);
        assert!(again.status.success(), "{name}: {stderr}");
        assert!(
            stderr.contains("[CACHE QUARANTINE] HIMS 1m ohlc") && stderr.contains(contradiction),
            "{name}: one WARN names the dataset and the contradiction: {stderr}"
        );
        let again = json(&again);
        assert_eq!((again["network_requests"].as_u64(), again["rows"].as_u64()), (Some(1), Some(1950)), "{name}");
        assert!(thetabench(dir.path()).args(["cache", "verify"]).output().unwrap().status.success(), "{name}");
    }
}

#[test]
fn placeholders_can_be_rechecked_and_are_named() {
    // A range leaves a day out at this rate, and the day asked alone is 472 at it again.
    let silent = BackgroundTerminal::start(SimConfig { faults: "472=0.8".parse().unwrap(), ..SimConfig::default() });
    let healthy = BackgroundTerminal::start(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let fetch = |url: &str, extra: &[&str]| {
        let out = thetabench(dir.path())
            .args([
                "--terminal",
                url,
                "cache",
                "fetch",
                "PLTR",
                "--start",
                "2025-03-03",
                "--end",
                "2025-03-14",
                "--json",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (json(&out), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (first, note) = fetch(&silent.url(), &[]);
    let placeholders = first["placeholders"].as_array().unwrap().clone();
    let count = placeholders.len();
    assert!((1..10).contains(&count), "some days answered 472: {first}");
    assert_eq!(first["placeholder_days"], count);
    assert_eq!(first["days"].as_u64().unwrap() as usize, 10 - count);
    let first_day = placeholders[0].as_str().unwrap();
    assert!(note.starts_with(&format!("note: no data for PLTR 1m ohlc on {count} of the window's sessions")), "{note}");
    assert!(note.contains(first_day) && note.contains("--recheck-placeholders"), "{note}");
    assert_eq!(note.lines().count(), 1, "{note}");

    let (believed, _) = fetch(&healthy.url(), &[]);
    assert_eq!(
        (believed["network_requests"].as_u64(), believed["placeholder_days"].as_u64()),
        (Some(0), Some(count as u64))
    );

    let (rechecked, note) = fetch(&healthy.url(), &["--recheck-placeholders"]);
    let asked = if count == 1 { "the placeholder day alone" } else { "the placeholder days' span, in one request" };
    assert_eq!(rechecked["network_requests"].as_u64(), Some(1), "{asked}");
    assert_eq!((rechecked["days"].as_u64(), rechecked["rows"].as_u64()), (Some(10), Some(3900)));
    assert!(rechecked["placeholders"].as_array().unwrap().is_empty() && note.is_empty(), "{note}");
    let inspect = json(&thetabench(dir.path()).args(["cache", "inspect", "PLTR", "--json"]).output().unwrap());
    assert_eq!(inspect["datasets"][0]["placeholders"], serde_json::json!([]));
}

#[test]
fn a_placeholder_records_when_it_was_made() {
    let silent = BackgroundTerminal::start(SimConfig { faults: "472=1".parse().unwrap(), ..SimConfig::default() });
    let dir = tempfile::tempdir().unwrap();
    let before = chrono::Utc::now();
    let out = thetabench(dir.path())
        .args(["--terminal", &silent.url(), "cache", "fetch", "PLTR", "--start", "2025-03-03", "--end", "2025-03-04"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "no data at all is still a failure");
    let inspect = json(&thetabench(dir.path()).args(["cache", "inspect", "PLTR", "--json"]).output().unwrap());
    let placeholders = inspect["datasets"][0]["placeholders"].as_array().unwrap();
    assert_eq!(placeholders.len(), 2);
    let made: chrono::DateTime<chrono::Utc> = placeholders[0]["made"].as_str().unwrap().parse().unwrap();
    assert!(made >= before - chrono::Duration::seconds(1) && made <= chrono::Utc::now(), "{made}");
}

/// Kills a fetch of WDC from 2025-03-03 to `end` at its commit point.
#[cfg(feature = "failpoints")]
fn kill_wdc_at_commit(dir: &std::path::Path, url: &str, end: &str) {
    kill_at_commit(dir, ["--terminal", url, "cache", "fetch", "WDC", "--start", "2025-03-03", "--end", end]);
}

#[cfg(feature = "failpoints")]
#[test]
fn a_kill_at_the_commit_point_leaves_one_data_file_after_the_next_commit() {
    let sim = BackgroundTerminal::start(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let fetch = |end: &str| {
        let out = thetabench(dir.path())
            .args(["--terminal", &sim.url(), "cache", "fetch", "WDC", "--start", "2025-03-03", "--end", end])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    fetch("2025-03-07");
    kill_wdc_at_commit(dir.path(), &sim.url(), "2025-03-14");
    assert_eq!(parquet_files(dir.path()).len(), 2, "the killed writer left its data file");
    fetch("2025-03-21");
    assert_eq!(parquet_files(dir.path()).len(), 1, "the next commit removed the orphan");
    assert!(thetabench(dir.path()).args(["cache", "verify"]).output().unwrap().status.success());
}

#[cfg(feature = "failpoints")]
#[test]
fn gc_removes_orphans_and_says_what_it_removed() {
    let sim = BackgroundTerminal::start(SimConfig::default());
    let dir = tempfile::tempdir().unwrap();
    fetched(dir.path(), &sim.url(), "HIMS");
    kill_wdc_at_commit(dir.path(), &sim.url(), "2025-03-14");
    let orphans = parquet_files(dir.path()).into_iter().filter(|p| p.contains("WDC")).collect::<Vec<_>>();
    assert_eq!(orphans.len(), 1, "a first write killed before its sidecar leaves only a data file");
    // A file of the user's that only looks like a dataset's is not the cache's to remove.
    let foreign = dir.path().join("stock/1m/ohlc/HIMS-notes.parquet");
    std::fs::write(&foreign, b"mine").unwrap();
    let kept = all_files(dir.path()).into_iter().filter(|(p, _)| p.contains("HIMS")).collect::<Vec<_>>();

    let gc = thetabench(dir.path()).args(["cache", "gc", "--json"]).output().unwrap();
    assert!(gc.status.success(), "{}", String::from_utf8_lossy(&gc.stderr));
    let report = json(&gc);
    let removed = report["removed"].as_array().unwrap();
    assert_eq!(removed.len(), 1, "{report}");
    assert!(removed[0]["path"].as_str().unwrap().ends_with(&orphans[0]), "{report}");
    assert!(report["bytes"].as_u64().unwrap() > 0);
    assert!(parquet_files(dir.path()).iter().all(|p| p.contains("HIMS")));
    assert_eq!(all_files(dir.path()).into_iter().filter(|(p, _)| p.contains("HIMS")).collect::<Vec<_>>(), kept);
    let text = thetabench(dir.path()).args(["cache", "gc"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&text.stdout).trim(), "0 files removed, 0 B freed");
}

#[test]
fn an_unusable_log_directory_is_a_warning_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    // A directory that cannot be made, and one whose log file cannot be opened
    // (today's file name is taken by a directory).
    let taken = dir.path().join("logs");
    let today = chrono::Utc::now().format("%Y-%m-%d");
    std::fs::create_dir_all(taken.join(format!("thetabench.log.{today}"))).unwrap();
    for log_dir in [file.join("logs"), taken] {
        let out = thetabench(dir.path()).arg("--log-dir").arg(&log_dir).args(["cache", "ls"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}: {stderr}", log_dir.display());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("warning: logging to ") && stderr.contains("is off"), "{stderr}");
    }
}
