//! The counters one data stack (a command, a run) keeps about its data: cache
//! decisions, network traffic, errors and conversions, read as one snapshot.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::{Deserialize, Serialize};

use crate::market::conversion::{ConversionCount, ConversionKind, Conversions};

#[derive(Debug, Default)]
pub struct Metrics {
    checks: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    network_requests: AtomicU64,
    bytes: AtomicU64,
    rows: AtomicU64,
    retries: AtomicU64,
    remote: RemoteCounters,
    /// Keyed by HTTP status (`"429"`) or transport failure (`"timeout"`, `"connect"`, `"body"`).
    errors: Mutex<BTreeMap<String, u64>>,
    pub conversions: Conversions,
    /// Requests sent and not yet answered.
    in_flight: AtomicU64,
    /// The datasets being fetched now, by name: days asked and days answered.
    fetching: Mutex<BTreeMap<String, (usize, usize)>>,
}

/// The team remote's traffic: requests each way, bytes both ways, and the
/// local misses it answered or could not.
#[derive(Debug, Default)]
struct RemoteCounters {
    gets: AtomicU64,
    puts: AtomicU64,
    bytes: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// One dataset being fetched, for a progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetching {
    pub dataset: String,
    pub days: usize,
    pub done: usize,
}

/// Ends a request in flight when dropped, answered or not.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Relaxed);
    }
}

impl Metrics {
    pub fn cache_check(&self) {
        self.checks.fetch_add(1, Relaxed);
    }

    pub fn cache_hit(&self) {
        self.hits.fetch_add(1, Relaxed);
    }

    pub fn cache_miss(&self) {
        self.misses.fetch_add(1, Relaxed);
    }

    /// One HTTP request sent to the terminal (every attempt counts).
    pub fn network_request(&self) {
        self.network_requests.fetch_add(1, Relaxed);
    }

    /// Body bytes received and rows decoded from them.
    pub fn received(&self, bytes: usize, rows: usize) {
        self.bytes.fetch_add(bytes as u64, Relaxed);
        self.rows.fetch_add(rows as u64, Relaxed);
    }

    /// A request is on the wire until the returned guard drops.
    pub fn in_flight(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Relaxed);
        InFlight(self)
    }

    /// `days` of `dataset` are being fetched.
    pub fn fetch_started(&self, dataset: &str, days: usize) {
        self.fetching.lock().unwrap_or_else(|e| e.into_inner()).insert(dataset.to_string(), (days, 0));
    }

    /// `days` more of `dataset` were answered.
    pub fn fetch_progressed(&self, dataset: &str, days: usize) {
        if let Some((_, done)) = self.fetching.lock().unwrap_or_else(|e| e.into_inner()).get_mut(dataset) {
            *done += days;
        }
    }

    pub fn fetch_ended(&self, dataset: &str) {
        self.fetching.lock().unwrap_or_else(|e| e.into_inner()).remove(dataset);
    }

    /// One read request to the remote (GET or LIST).
    pub fn remote_get(&self) {
        self.remote.gets.fetch_add(1, Relaxed);
    }

    /// One write request to the remote (PUT or DELETE).
    pub fn remote_put(&self) {
        self.remote.puts.fetch_add(1, Relaxed);
    }

    /// Object bytes moved to or from the remote.
    pub fn remote_moved(&self, bytes: usize) {
        self.remote.bytes.fetch_add(bytes as u64, Relaxed);
    }

    /// A local miss the remote answered (`true`) or could not.
    pub fn remote_answered(&self, hit: bool) {
        let counter = if hit { &self.remote.hits } else { &self.remote.misses };
        counter.fetch_add(1, Relaxed);
    }

    pub fn retry(&self) {
        self.retries.fetch_add(1, Relaxed);
    }

    pub fn error(&self, code: impl Into<String>) {
        *self.errors.lock().unwrap_or_else(|e| e.into_inner()).entry(code.into()).or_default() += 1;
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            checks: self.checks.load(Relaxed),
            hits: self.hits.load(Relaxed),
            misses: self.misses.load(Relaxed),
            network_requests: self.network_requests.load(Relaxed),
            bytes: self.bytes.load(Relaxed),
            rows: self.rows.load(Relaxed),
            retries: self.retries.load(Relaxed),
            remote: RemoteTraffic {
                remote_gets: self.remote.gets.load(Relaxed),
                remote_puts: self.remote.puts.load(Relaxed),
                remote_bytes: self.remote.bytes.load(Relaxed),
            },
            remote_hits: self.remote.hits.load(Relaxed),
            remote_misses: self.remote.misses.load(Relaxed),
            errors: self.errors.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            conversions: self.conversions.by_kind(),
            in_flight: self.in_flight.load(Relaxed),
            fetching: self
                .fetching
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|(dataset, (days, done))| Fetching { dataset: dataset.clone(), days: *days, done: *done })
                .collect(),
        }
    }
}

/// The team remote's traffic as every saved and printed figure names it
/// (flattened into run and fetch JSON); all 0 without a remote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteTraffic {
    /// GET and LIST requests.
    #[serde(default)]
    pub remote_gets: u64,
    /// PUT and DELETE requests.
    #[serde(default)]
    pub remote_puts: u64,
    /// Object bytes moved either way.
    #[serde(default)]
    pub remote_bytes: u64,
}

impl RemoteTraffic {
    /// Whether the remote was asked anything.
    pub fn any(&self) -> bool {
        self.remote_gets + self.remote_puts > 0
    }
}

/// A point-in-time copy of [`Metrics`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricsSnapshot {
    pub checks: u64,
    pub hits: u64,
    pub misses: u64,
    pub network_requests: u64,
    pub bytes: u64,
    pub rows: u64,
    pub retries: u64,
    /// Requests to the team remote; `network_requests` counts the terminal's only.
    #[serde(flatten)]
    pub remote: RemoteTraffic,
    #[serde(default)]
    pub remote_hits: u64,
    #[serde(default)]
    pub remote_misses: u64,
    pub errors: BTreeMap<String, u64>,
    pub conversions: BTreeMap<ConversionKind, ConversionCount>,
    /// Live state for progress lines; not part of any saved figure.
    #[serde(skip)]
    pub in_flight: u64,
    #[serde(skip)]
    pub fetching: Vec<Fetching>,
}

impl MetricsSnapshot {
    /// Hits over checks; `None` before the first check.
    pub fn hit_ratio(&self) -> Option<f64> {
        (self.checks > 0).then(|| self.hits as f64 / self.checks as f64)
    }
}
