//! The team remote against a real S3-compatible server (moto, one request at
//! a time like S3's conditional writes): machines sharing a cache, writers
//! racing, and a remote that is corrupt, lying, down or erroring.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::s3::{S3Server, team_env};
use common::*;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStoreExt, PutPayload};
use thetabench::terminal::SimConfig;

/// A machine of the team: its own cache directory, the shared terminal.
fn machine(cache: &Path, terminal: &str, remote: &[String]) -> Command {
    let mut command = thetabench(cache);
    team_env(&mut command).args(["--terminal", terminal]).args(remote);
    command
}

fn succeeded(output: Output) -> Output {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn fetch(cache: &Path, terminal: &str, remote: &[String], start: &str, end: &str) -> serde_json::Value {
    let output = machine(cache, terminal, remote)
        .args(["cache", "fetch", "PLTR", "--start", start, "--end", end, "--json"])
        .output()
        .unwrap();
    json(&succeeded(output))
}

/// The one PLTR dataset's sidecar in a local cache.
fn local_sidecar(cache: &Path) -> serde_json::Value {
    let path = cache.join("stock/1m/ohlc/PLTR.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn remote_sidecar_path(version: &str) -> ObjectPath {
    ObjectPath::from(format!("team/{version}/datasets/stock/1m/ohlc/PLTR.json"))
}

fn blocking<T>(work: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(work)
}

fn read_object(server: &S3Server, path: &ObjectPath) -> Vec<u8> {
    blocking(async { server.client().get(path).await.unwrap().bytes().await.unwrap().to_vec() })
}

fn write_object(server: &S3Server, path: &ObjectPath, bytes: Vec<u8>) {
    blocking(async { server.client().put(path, PutPayload::from(bytes)).await.unwrap() });
}

fn log_text(cache: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(cache.join("logs")).unwrap().flatten() {
        text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
    }
    text
}

/// Machine A runs the default strategy cold and publishes; machine B, with a
/// fresh local directory, runs it from the remote alone: no terminal request,
/// each object downloaded once, and a run identical to A's.
#[test]
fn a_second_machine_runs_from_the_remote_alone_and_identically() {
    let server = S3Server::start();
    let sim = BackgroundTerminal::start(SimConfig::default());
    let remote = server.flags("v1");
    let (a, b, runs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run = |cache: &Path, name: &str| {
        let out = runs.path().join(name).display().to_string();
        let args = ["run", "--start", "2025-03-03", "--end", "2025-03-31", "--out", &out, "--json"];
        json(&succeeded(machine(cache, &sim.url(), &remote).args(args).output().unwrap()))
    };
    let cold = run(a.path(), "a");
    assert!(cold["network_requests"].as_u64().unwrap() > 0, "{cold}");
    assert!(cold["remote_puts"].as_u64().unwrap() > 0, "A published what it fetched: {cold}");
    assert!(cold["trades"].as_u64().unwrap() > 0, "the strategy traded: {cold}");

    let from_remote = run(b.path(), "b");
    assert_eq!(from_remote["network_requests"], 0, "B asked the terminal nothing: {from_remote}");
    assert_eq!(from_remote["remote_puts"], 0, "B had nothing new to publish: {from_remote}");
    assert_eq!(from_remote["final_value"], cold["final_value"]);
    let parity = thetabench(a.path()).arg("parity").arg(runs.path().join("a")).arg(runs.path().join("b")).output();
    let parity = parity.unwrap();
    assert_eq!(parity.status.code(), Some(0), "{}", String::from_utf8_lossy(&parity.stdout));

    // Every byte B downloaded is in its cache once: no object was fetched twice.
    let held: usize = all_files(b.path()).iter().map(|(_, bytes)| bytes.len()).sum();
    let moved = from_remote["remote_bytes"].as_u64().unwrap() as usize;
    assert!(moved > 0 && moved <= held + held / 10, "moved {moved} bytes for {held} bytes held");
    assert!(log_text(b.path()).contains("[CACHE REMOTE HIT]"));
}

/// Two machines publish overlapping windows at the same moment, 20 times:
/// the remote always ends up with the union, every day's rows intact.
#[test]
fn writers_at_the_same_moment_lose_no_days() {
    let server = S3Server::start();
    let sim = BackgroundTerminal::start(SimConfig::default());
    let reference = tempfile::tempdir().unwrap();
    let union = fetch(reference.path(), &sim.url(), &[], "2025-03-03", "2025-03-21");
    let expected = local_sidecar(reference.path());
    let mut races = 0;
    for round in 0..20 {
        let remote = server.flags(&format!("race{round}"));
        let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let start = |cache: &Path, from: &str, to: &str| {
            machine(cache, &sim.url(), &remote)
                .args(["cache", "fetch", "PLTR", "--start", from, "--end", to, "--json"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let first = start(a.path(), "2025-03-03", "2025-03-14");
        let second = start(b.path(), "2025-03-10", "2025-03-21");
        succeeded(first.wait_with_output().unwrap());
        succeeded(second.wait_with_output().unwrap());
        races += [a.path(), b.path()].iter().filter(|p| log_text(p).contains("[CACHE REMOTE RACE]")).count();

        let pulled = machine(c.path(), &sim.url(), &remote).args(["cache", "pull", "--json"]).output().unwrap();
        succeeded(pulled);
        let got = local_sidecar(c.path());
        assert_eq!(got["days"], expected["days"], "round {round}: the remote covers both windows");
        assert_eq!(got["sha256"], expected["sha256"], "round {round}: every day's rows as the terminal serves them");
        let warm = fetch(c.path(), &sim.url(), &[], "2025-03-03", "2025-03-21");
        assert_eq!((warm["network_requests"].as_u64(), &warm["rows"]), (Some(0), &union["rows"]));
    }
    eprintln!("{races} writers lost a race in 20 rounds");
    assert!(races > 0, "in 20 rounds no writer ever lost a race: the test did not test concurrency");
}

/// A remote data file that fails its checksum is never served: the terminal
/// answers instead, and the reader replaces the bad copy for the next one.
#[test]
fn a_corrupt_remote_data_file_is_reported_skipped_and_replaced() {
    let server = S3Server::start();
    let sim = BackgroundTerminal::start(SimConfig::default());
    let remote = server.flags("v1");
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cold = fetch(a.path(), &sim.url(), &remote, "2025-03-03", "2025-03-07");
    let sidecar: serde_json::Value = serde_json::from_slice(&read_object(&server, &remote_sidecar_path("v1"))).unwrap();
    let data = ObjectPath::from(format!("team/v1/data/{}", sidecar["data_file"].as_str().unwrap()));
    let mut bytes = read_object(&server, &data);
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    write_object(&server, &data, bytes);

    let reader = fetch(b.path(), &sim.url(), &remote, "2025-03-03", "2025-03-07");
    assert!(reader["network_requests"].as_u64().unwrap() > 0, "the terminal answered instead: {reader}");
    assert_eq!(reader["rows"], cold["rows"]);
    let log = log_text(b.path());
    assert!(log.contains("[CACHE REMOTE BAD]") && log.contains("checksum mismatch"), "{log}");
    assert_eq!(local_sidecar(b.path())["sha256"], local_sidecar(a.path())["sha256"]);

    let healed = fetch(c.path(), &sim.url(), &remote, "2025-03-03", "2025-03-07");
    assert_eq!(healed["network_requests"], 0, "the next reader finds a good copy: {healed}");
}

/// A remote sidecar that claims a day its data does not hold is not
/// believed, and is replaced by the next writer.
#[test]
fn a_remote_sidecar_that_lies_is_not_believed() {
    let server = S3Server::start();
    let sim = BackgroundTerminal::start(SimConfig::default());
    let remote = server.flags("v1");
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    fetch(a.path(), &sim.url(), &remote, "2025-03-03", "2025-03-05");
    let path = remote_sidecar_path("v1");
    let mut sidecar: serde_json::Value = serde_json::from_slice(&read_object(&server, &path)).unwrap();
    sidecar["days"].as_array_mut().unwrap().push("2025-03-06".into());
    write_object(&server, &path, serde_json::to_vec(&sidecar).unwrap());

    let reader = fetch(b.path(), &sim.url(), &remote, "2025-03-03", "2025-03-06");
    assert!(reader["network_requests"].as_u64().unwrap() > 0, "{reader}");
    let log = log_text(b.path());
    assert!(log.contains("[CACHE REMOTE BAD]") && log.contains("the sidecar claims 1 day (2025-03-06)"), "{log}");
    let after: serde_json::Value = serde_json::from_slice(&read_object(&server, &path)).unwrap();
    assert_eq!(after["days"].as_array().unwrap().len(), 4, "the reader published its four true days: {after}");
    let healed = fetch(c.path(), &sim.url(), &remote, "2025-03-03", "2025-03-06");
    assert_eq!(healed["network_requests"], 0, "{healed}");
}

/// A remote nobody answers at costs one warning; the run goes on from the terminal.
#[test]
fn a_remote_that_is_down_costs_one_warning() {
    let sim = BackgroundTerminal::start(SimConfig::default());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let remote: Vec<String> =
        ["--remote", "s3://team-cache/team", "--remote-endpoint", &format!("http://127.0.0.1:{closed}")]
            .iter()
            .map(|s| s.to_string())
            .collect();
    let (cache, runs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let out = runs.path().join("run").display().to_string();
    let args = ["run", "--start", "2025-03-03", "--end", "2025-03-14", "--out", &out, "--json"];
    let output = succeeded(machine(cache.path(), &sim.url(), &remote).args(args).output().unwrap());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "one warning: {stderr}");
    assert!(warnings[0].contains(&format!("127.0.0.1:{closed}")) && warnings[0].contains("unavailable"), "{stderr}");
    assert!(json(&output)["network_requests"].as_u64().unwrap() > 0);
}

/// A remote that answers 500 to every other request: the client's retries
/// carry both the publish and the read, and B needs no terminal.
#[test]
fn a_remote_failing_half_the_time_still_serves() {
    let server = S3Server::failing_every(2);
    let sim = BackgroundTerminal::start(SimConfig::default());
    let remote = server.flags("v1");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cold = fetch(a.path(), &sim.url(), &remote, "2025-03-03", "2025-03-14");
    assert!(cold["remote_puts"].as_u64().unwrap() > 0, "{cold}");
    let warm = fetch(b.path(), &sim.url(), &remote, "2025-03-03", "2025-03-14");
    assert_eq!(warm["network_requests"], 0, "{warm}");
    assert_eq!(warm["rows"], cold["rows"]);
}

/// A remote that takes 300 ms over every answer slows a run, never fails it,
/// and still serves the next machine.
#[test]
fn a_slow_remote_is_waited_for() {
    let server = S3Server::slow(300);
    let sim = BackgroundTerminal::start(SimConfig::default());
    let remote = server.flags("v1");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cold = fetch(a.path(), &sim.url(), &remote, "2025-03-03", "2025-03-07");
    assert!(cold["remote_puts"].as_u64().unwrap() > 0, "{cold}");
    assert!(cold["elapsed_ms"].as_u64().unwrap() >= 900, "every remote request waited: {cold}");
    let warm = fetch(b.path(), &sim.url(), &remote, "2025-03-03", "2025-03-07");
    assert_eq!((warm["network_requests"].as_u64(), &warm["rows"]), (Some(0), &cold["rows"]), "{warm}");
}

/// In read mode nothing is written, even what the remote lacks.
#[test]
fn read_mode_never_writes() {
    let server = S3Server::start();
    let sim = BackgroundTerminal::start(SimConfig::default());
    let mut remote = server.flags("v1");
    remote.extend(["--remote-mode".to_string(), "read".to_string()]);
    let cache = tempfile::tempdir().unwrap();
    let fetched = fetch(cache.path(), &sim.url(), &remote, "2025-03-03", "2025-03-05");
    assert_eq!(fetched["remote_puts"], 0, "{fetched}");
    let listed = machine(cache.path(), &sim.url(), &[]).args(["cache", "ls", "--json"]).output();
    let listed = json(&succeeded(listed.unwrap()));
    assert!(listed["datasets"].as_array().unwrap().len() == 1, "the local cache has it: {listed}");
    let on_remote = machine(cache.path(), &sim.url(), &[])
        .args(["cache", "ls", "--remote", "s3://team-cache/team", "--remote-endpoint", &server.endpoint(), "--json"])
        .output();
    let on_remote = json(&succeeded(on_remote.unwrap()));
    assert_eq!(on_remote["datasets"].as_array().unwrap().len(), 0, "the remote has nothing: {on_remote}");
}

/// `cache push` publishes a local cache; `cache pull` copies a window of it
/// into another; a missing bucket is one clear line and exit 1.
#[test]
fn push_pull_and_a_missing_bucket() {
    let server = S3Server::start();
    let sim = BackgroundTerminal::start(SimConfig::default());
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    fetch(a.path(), &sim.url(), &[], "2025-03-03", "2025-03-07");
    let remote = server.flags("v1");
    let pushed =
        json(&succeeded(machine(a.path(), &sim.url(), &remote).args(["cache", "push", "--json"]).output().unwrap()));
    assert_eq!(pushed["datasets"][0]["result"], "published", "{pushed}");
    let again =
        json(&succeeded(machine(a.path(), &sim.url(), &remote).args(["cache", "push", "--json"]).output().unwrap()));
    assert_eq!(again["datasets"][0]["result"], "up to date", "{again}");

    let args = ["cache", "pull", "PLTR", "--start", "2025-03-04", "--end", "2025-03-05", "--json"];
    let pulled = json(&succeeded(machine(b.path(), &sim.url(), &remote).args(args).output().unwrap()));
    assert_eq!((&pulled["datasets"][0]["result"], &pulled["datasets"][0]["days"]), (&"pulled".into(), &2.into()));
    assert_eq!(local_sidecar(b.path())["days"], serde_json::json!(["2025-03-04", "2025-03-05"]));

    let missing = machine(b.path(), &sim.url(), &[])
        .args(["cache", "ls", "--remote", "s3://no-such-bucket/team", "--remote-endpoint", &server.endpoint()])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("bucket no-such-bucket does not exist"), "{stderr}");
}

/// Access keys the server does not know, or none at all: one clear line at
/// start, exit 1.
#[test]
fn wrong_credentials_are_one_clear_line() {
    let server = S3Server::checking_credentials();
    let cache = tempfile::tempdir().unwrap();
    let output = machine(cache.path(), "sim", &server.flags("v1"))
        .args(["cache", "fetch", "PLTR", "--start", "2025-03-03", "--end", "2025-03-05"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("InvalidAccessKeyId") && stderr.contains("s3://team-cache/team/v1"), "{stderr}");

    // No credentials anywhere: one line saying where they are looked for.
    let output = machine(cache.path(), "sim", &server.flags("v1"))
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_SHARED_CREDENTIALS_FILE", cache.path().join("no-credentials"))
        .args(["cache", "fetch", "PLTR", "--start", "2025-03-03", "--end", "2025-03-05"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!((output.status.code(), stderr.trim().lines().count()), (Some(1), 1), "{stderr}");
    assert!(stderr.contains("no AWS credentials") && stderr.contains("no-credentials"), "{stderr}");
}

/// `cache gc --remote` removes the data files no sidecar names once they are
/// older than the grace period (here 0 s), and never the one in use.
#[test]
fn gc_on_the_remote_removes_only_superseded_data() {
    let server = S3Server::start();
    let sim = BackgroundTerminal::start(SimConfig::default());
    let remote = server.flags("v1");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    fetch(a.path(), &sim.url(), &remote, "2025-03-03", "2025-03-05");
    fetch(a.path(), &sim.url(), &remote, "2025-03-03", "2025-03-07");
    let gc = |grace: &str| {
        let output = machine(a.path(), &sim.url(), &remote)
            .env("THETABENCH_REMOTE_GC_GRACE_SECS", grace)
            .args(["cache", "gc", "--json"])
            .output()
            .unwrap();
        json(&succeeded(output))
    };
    assert_eq!(gc("3600")["removed"].as_array().unwrap().len(), 0, "young files are left for writers in flight");
    let collected = gc("0");
    assert_eq!(collected["removed"].as_array().unwrap().len(), 1, "the three-day file is superseded: {collected}");
    let served = fetch(b.path(), &sim.url(), &remote, "2025-03-03", "2025-03-07");
    assert_eq!(served["network_requests"], 0, "the file in use stays: {served}");
}

/// A team shares one config file: its `[remote]` table is used without any
/// flag, a flag overrides one setting of it, and a bad file is a clear error.
#[test]
fn the_config_file_sets_the_remote_and_flags_override_it() {
    let server = S3Server::start();
    let sim = BackgroundTerminal::start(SimConfig::default());
    let (a, b, config_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = config_dir.path().join("config.toml");
    let table = format!(
        "[remote]\nurl = \"s3://team-cache/team\"\nendpoint = \"{}\"\nmode = \"read-write\"\nversion = \"shared\"\n",
        server.endpoint()
    );
    std::fs::write(&config, table).unwrap();
    let fetch_with = |cache: &Path, extra: &[&str]| {
        let output = machine(cache, &sim.url(), &[])
            .env("THETABENCH_CONFIG", &config)
            .args(extra)
            .args(["cache", "fetch", "PLTR", "--start", "2025-03-03", "--end", "2025-03-05", "--json"])
            .output()
            .unwrap();
        json(&succeeded(output))
    };
    let published = fetch_with(a.path(), &[]);
    assert!(published["remote_puts"].as_u64().unwrap() > 0, "the config file's remote, read-write: {published}");
    let listed = machine(a.path(), &sim.url(), &server.flags("shared")).args(["cache", "ls", "--json"]).output();
    assert_eq!(json(&succeeded(listed.unwrap()))["datasets"].as_array().unwrap().len(), 1, "under version `shared`");

    let read_only = fetch_with(b.path(), &["--remote-mode", "read", "--remote-version", "other"]);
    assert_eq!(read_only["remote_puts"], 0, "the flags override the file: {read_only}");
    assert!(read_only["network_requests"].as_u64().unwrap() > 0, "version `other` holds nothing: {read_only}");

    std::fs::write(&config, "[remote]\nurl = \"s3://team-cache/team\"\nmood = \"read\"\n").unwrap();
    let output = machine(b.path(), &sim.url(), &[])
        .env("THETABENCH_CONFIG", &config)
        .args(["cache", "fetch", "PLTR", "--start", "2025-03-03", "--end", "2025-03-05"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("config.toml") && stderr.contains("mood"), "{stderr}");
}

/// A machine that extends a window the remote partly holds downloads the
/// remote's copy once, adds the terminal's days and publishes the union
/// over the version it read, without reading the remote again.
#[test]
fn extending_a_window_reads_the_remote_once() {
    let server = S3Server::start();
    let sim = BackgroundTerminal::start(SimConfig::default());
    let remote = server.flags("v1");
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    fetch(a.path(), &sim.url(), &remote, "2025-03-03", "2025-03-07");
    let extended = fetch(b.path(), &sim.url(), &remote, "2025-03-03", "2025-03-14");
    assert!(extended["network_requests"].as_u64().unwrap() > 0, "the second week came from the terminal: {extended}");
    let traffic = (extended["remote_gets"].as_u64(), extended["remote_puts"].as_u64());
    assert_eq!(traffic, (Some(2), Some(2)), "one sidecar and one data file each way: {extended}");
    let log = log_text(b.path());
    assert!(log.contains("[CACHE REMOTE HIT] PLTR 1m ohlc days=5 of 10 missing"), "{log}");
    let served = fetch(c.path(), &sim.url(), &remote, "2025-03-03", "2025-03-14");
    assert_eq!(served["network_requests"], 0, "the remote holds both weeks: {served}");
}

/// The remote lists its datasets where a local cache keeps them (what the
/// workbench's browser compares to mark the shared ones), without
/// downloading them.
#[test]
fn the_remote_lists_its_datasets_at_their_local_paths() {
    use thetabench::cache::remote::{Credentials, RemoteMode, RemoteSettings};
    use thetabench::cache::{Remote, Store};
    let server = S3Server::start();
    let sim = BackgroundTerminal::start(SimConfig::default());
    let remote = server.flags("v1");
    let a = tempfile::tempdir().unwrap();
    for asset in ["PLTR", "PLTR 2025-03-21 90 C", "^SPX"] {
        let output = machine(a.path(), &sim.url(), &remote)
            .args(["cache", "fetch", asset, "--start", "2025-03-03", "--end", "2025-03-05"])
            .output()
            .unwrap();
        succeeded(output);
    }
    let store = Store::new(a.path());
    let local: Vec<std::path::PathBuf> =
        store.sidecar_paths().iter().map(|p| p.strip_prefix(a.path()).unwrap().to_path_buf()).collect();
    assert_eq!(local.len(), 3, "{local:?}");
    let settings = RemoteSettings {
        bucket: common::s3::BUCKET.into(),
        prefix: "team".into(),
        endpoint: Some(server.endpoint()),
        mode: RemoteMode::Read,
        version: "v1".into(),
    };
    let credentials = Credentials {
        access_key_id: "test".into(),
        secret_access_key: "test".into(),
        session_token: None,
        region: "us-east-1".into(),
    };
    let metrics = thetabench::metrics::Metrics::default();
    let mut listed = blocking(async {
        let remote = Remote::connect(settings, &credentials).await.unwrap();
        remote.dataset_paths(&metrics).await.unwrap()
    });
    listed.sort();
    assert_eq!(listed, local);
    let traffic = metrics.snapshot().remote;
    assert_eq!((traffic.remote_gets, traffic.remote_bytes), (1, 0), "one listing, nothing downloaded");
}
