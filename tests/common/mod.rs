//! Shared test fixtures: a simulated terminal on loopback, a cache over it,
//! and the built binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test
#![allow(dead_code)]

pub mod s3;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use thetabench::cache::{Cache, Window};
use thetabench::metrics::Metrics;
use thetabench::terminal::{self, RunningTerminal, SimConfig};
use thetabench::thetadata::{ClientConfig, ThetaClient};

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn window(start: &str, end: &str) -> Window {
    Window::new(d(start), d(end)).unwrap()
}

/// Client settings for tests: quick backoff so fault tests stay fast.
pub fn client_config(base_url: String) -> ClientConfig {
    ClientConfig {
        base_url,
        max_attempts: 12,
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(50),
        request_timeout: Duration::from_secs(10),
        ..ClientConfig::default()
    }
}

pub fn cache_over(dir: &Path, base_url: String) -> Cache<ThetaClient> {
    cache_with_attempts(dir, base_url, client_config(String::new()).max_attempts)
}

/// A cache whose client gives up after `max_attempts` tries per request.
pub fn cache_with_attempts(dir: &Path, base_url: String, max_attempts: u32) -> Cache<ThetaClient> {
    let metrics = Arc::new(Metrics::default());
    let config = ClientConfig { max_attempts, ..client_config(base_url) };
    let client = ThetaClient::new(config, metrics.clone()).unwrap();
    Cache::new(dir, client, metrics)
}

/// A simulated terminal answering with `faults` (a `--faults` spec).
pub async fn simulated_with(faults: &str) -> RunningTerminal {
    simulated(SimConfig { faults: faults.parse().unwrap(), ..SimConfig::default() }).await
}

pub async fn simulated(config: SimConfig) -> RunningTerminal {
    terminal::spawn(config).await.unwrap()
}

/// A simulated terminal on its own runtime thread, for tests that run the binary.
pub struct BackgroundTerminal {
    pub terminal: RunningTerminal,
    _runtime: tokio::runtime::Runtime,
}

impl BackgroundTerminal {
    pub fn start(config: SimConfig) -> BackgroundTerminal {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let terminal = runtime.block_on(terminal::spawn(config)).unwrap();
        BackgroundTerminal { terminal, _runtime: runtime }
    }

    pub fn url(&self) -> String {
        self.terminal.base_url()
    }
}

pub fn thetabench(cache_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_thetabench"));
    command.arg("--cache-dir").arg(cache_dir).env_remove("THETABENCH_TERMINAL").env_remove("RUST_LOG");
    command
}

/// Runs the binary with `args` and kills it at its commit point, after its
/// data file is written and before its sidecar is (the store's failpoint).
#[cfg(feature = "failpoints")]
pub fn kill_at_commit(cache_dir: &Path, args: impl IntoIterator<Item = impl AsRef<std::ffi::OsStr>>) {
    use std::process::Stdio;
    use std::time::Instant;

    let marker = cache_dir.join("paused");
    let mut child = thetabench(cache_dir)
        .args(args)
        .env(thetabench::cache::store::FAILPOINT_ENV, &marker)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        assert!(Instant::now() < deadline, "the writer never reached its commit point");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_file(&marker).unwrap();
}

pub fn json(output: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): stdout={stdout} stderr={}", String::from_utf8_lossy(&output.stderr))
    })
}

pub fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().unwrap() != "logs" {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|x| x == "parquet" || x == "json") {
                out.push((path.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}
