//! The cache: trading-day coverage per dataset, the HIT/MISS decision, Parquet
//! persistence shared safely between processes, and the counters.
//!
//! A request names a dataset and a window of dates. The days it needs are the
//! sessions in the window (clamped to an option's expiry and to the last
//! complete session); what is missing is needed minus held minus placeholders.
//! Nothing missing is a HIT, answered from memory. A MISS fetches only the
//! missing days, under the dataset's lock, and commits them atomically.

pub mod coverage;
pub mod fetch;
pub mod key;
mod lists;
pub mod report;
pub mod sidecar;
pub mod store;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use futures_util::StreamExt;
use polars::prelude::{DataFrame, SortMultipleOptions};

pub use coverage::{Coverage, DaySet, MissReason, Window, WindowError};
pub use fetch::{FetchError, Fetcher, Offline};
pub use key::DatasetKey;
pub use sidecar::Sidecar;
pub use store::{Store, StoreError};

use crate::market::conversion::ConversionKind;
use crate::market::time::{et_date_ms, et_to_utc, fmt_et_ms};
use crate::market::{Calendar, Timestep};
use crate::metrics::Metrics;

/// How many days one daily (EOD) request may span.
const DAILY_CHUNK_DAYS: i64 = 31;
/// Intraday days in flight at once; the client's semaphore is the real cap.
const DAYS_IN_FLIGHT: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(transparent)]
    Store(#[from] StoreError),
    // `cause` is shown in the message rather than chained as a source, so an
    // error report prints it once.
    #[error("fetching {key} for {day}: {cause}")]
    Fetch { key: DatasetKey, day: NaiveDate, failed_days: usize, cause: FetchError },
    #[error("the source answered {key} for {day} with bars dated {found}")]
    WrongDay { key: DatasetKey, day: NaiveDate, found: NaiveDate },
    #[error("merging {key}: {detail}")]
    Merge { key: DatasetKey, detail: String },
    #[error("fetching {what}: {cause}")]
    List { what: String, cause: FetchError },
    #[error("waiting for the lock of {key}: {detail}")]
    Lock { key: DatasetKey, detail: String },
}

/// The clock that decides which sessions are complete.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The outcome of a coverage check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Hit,
    Miss { missing: DaySet, reasons: Vec<MissReason> },
}

/// A window of one dataset, as the cache answered it.
#[derive(Debug, Clone)]
pub struct Slice {
    pub key: DatasetKey,
    /// The rows stamped within the window's ET dates, sorted by time.
    pub frame: DataFrame,
    /// Sessions in the window that hold data, and those that are placeholders.
    pub days: usize,
    pub placeholder_days: usize,
    /// Whether the answer came without fetching.
    pub hit: bool,
}

/// A dataset as held in memory: its sidecar, coverage and verified frame.
struct Held {
    sidecar: Sidecar,
    coverage: Coverage,
    frame: DataFrame,
}

pub struct Cache<F> {
    store: Store,
    fetcher: F,
    metrics: Arc<Metrics>,
    clock: Clock,
    held: RwLock<HashMap<DatasetKey, Arc<Held>>>,
    flights: Mutex<HashMap<DatasetKey, Arc<tokio::sync::Mutex<()>>>>,
    lists: lists::Lists,
}

impl<F: Fetcher> Cache<F> {
    pub fn new(root: impl Into<PathBuf>, fetcher: F, metrics: Arc<Metrics>) -> Cache<F> {
        Cache {
            store: Store::new(root),
            fetcher,
            metrics,
            clock: Arc::new(Utc::now),
            held: RwLock::default(),
            flights: Mutex::default(),
            lists: lists::Lists::default(),
        }
    }

    /// Replaces the wall clock (tests pin "now" to make completeness deterministic).
    pub fn with_clock(mut self, clock: Clock) -> Cache<F> {
        self.clock = clock;
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    pub fn fetcher(&self) -> &F {
        &self.fetcher
    }

    /// The days `window` needs, per the calendar and the clock.
    pub fn required(&self, key: &DatasetKey, window: Window) -> DaySet {
        coverage::required_days(&key.asset, window, (self.clock)())
    }

    /// HIT or MISS for data already in memory: the hot path, no I/O, no locks
    /// held beyond a read of the index. A dataset not yet loaded is a MISS.
    pub fn check(&self, key: &DatasetKey, required: &DaySet) -> Check {
        let held = self.held.read().unwrap_or_else(|e| e.into_inner());
        match held.get(key) {
            Some(h) if required.is_covered_by(&h.coverage.days, &h.coverage.placeholders) => Check::Hit,
            Some(h) => {
                let missing = h.coverage.missing(required);
                Check::Miss { reasons: h.coverage.reasons(&missing), missing }
            }
            None => Check::Miss { missing: required.clone(), reasons: vec![MissReason::Start, MissReason::End] },
        }
    }

    /// The window of a dataset, fetching whatever days are missing first.
    pub async fn get(&self, key: &DatasetKey, window: Window) -> Result<Slice, CacheError> {
        let required = self.required(key, window);
        self.metrics.cache_check();
        tracing::info!(
            target: "thetabench::cache",
            "[CACHE CHECK] {} {} {} need {}..{}",
            key.asset, key.timestep, key.style, window.start, window.end
        );
        if !self.is_held(key) {
            self.load_from_disk(key)?;
        }
        if let Check::Miss { missing, reasons } = self.check(key, &required) {
            self.metrics.cache_miss();
            tracing::info!(
                target: "thetabench::cache",
                "[CACHE MISS] {} need {}..{} missing_days={} reasons={}",
                key.asset,
                missing.first().map(|d| d.to_string()).unwrap_or_default(),
                missing.last().map(|d| d.to_string()).unwrap_or_default(),
                missing.len(),
                reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
            );
            self.fill(key, &required).await?;
            let held = self.held(key);
            return Ok(self.slice(key, &held, window, &required, false));
        }
        self.metrics.cache_hit();
        let held = self.held(key);
        let slice = self.slice(key, &held, window, &required, true);
        tracing::info!(
            target: "thetabench::cache",
            "[CACHE HIT] {} have {}..{} rows={}",
            key.asset,
            first_last(&slice.frame).map(|(f, _)| fmt_et_ms(f)).unwrap_or_else(|| "-".into()),
            first_last(&slice.frame).map(|(_, l)| fmt_et_ms(l)).unwrap_or_else(|| "-".into()),
            slice.frame.height()
        );
        Ok(slice)
    }

    /// A digest of the data behind `keys` as held now: equal fingerprints mean
    /// the same bytes were read, whatever the cache's history.
    pub fn fingerprint(&self, keys: &[DatasetKey]) -> String {
        let mut keys = keys.to_vec();
        keys.sort();
        let lines: String = keys
            .iter()
            .map(|k| {
                let held = self.held(k);
                format!("{k}={}\n", held.sidecar.sha256.as_deref().unwrap_or("-"))
            })
            .collect();
        store::sha256_hex(lines.as_bytes())
    }

    fn is_held(&self, key: &DatasetKey) -> bool {
        self.held.read().unwrap_or_else(|e| e.into_inner()).contains_key(key)
    }

    fn held(&self, key: &DatasetKey) -> Arc<Held> {
        let held = self.held.read().unwrap_or_else(|e| e.into_inner());
        held.get(key).cloned().unwrap_or_else(|| Arc::new(Held::empty(key)))
    }

    fn remember(&self, key: &DatasetKey, held: Held) {
        self.held.write().unwrap_or_else(|e| e.into_inner()).insert(key.clone(), Arc::new(held));
    }

    /// Loads a dataset's verified state from disk into memory. Damaged files
    /// are quarantined and the dataset starts empty, so it is fetched again.
    fn load_from_disk(&self, key: &DatasetKey) -> Result<(), CacheError> {
        let loaded = match self.store.read_sidecar(key) {
            Ok(None) => Held::empty(key),
            Ok(Some(sidecar)) => match self.store.load(key, &sidecar) {
                Ok(frame) => {
                    self.metrics.conversions.record(ConversionKind::Load, frame.height());
                    Held { coverage: sidecar.coverage(), sidecar, frame }
                }
                Err(e) if e.is_corruption() => self.quarantine(key, &e)?,
                Err(e) => return Err(e.into()),
            },
            Err(e) if e.is_corruption() => self.quarantine(key, &e)?,
            Err(e) => return Err(e.into()),
        };
        self.remember(key, loaded);
        Ok(())
    }

    fn quarantine(&self, key: &DatasetKey, why: &StoreError) -> Result<Held, CacheError> {
        let to = self.store.quarantine(key)?;
        tracing::warn!(target: "thetabench::cache", "[CACHE QUARANTINE] {key}: {why}; moved to {}", to.display());
        Ok(Held::empty(key))
    }

    /// The MISS path: one fetch per dataset at a time in this process (single
    /// flight) and across processes (the dataset's file lock). Whoever waited
    /// re-reads the disk first and fetches only what is still missing.
    async fn fill(&self, key: &DatasetKey, required: &DaySet) -> Result<(), CacheError> {
        let flight = {
            let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
            flights.entry(key.clone()).or_default().clone()
        };
        let _in_process = flight.lock().await;
        let store = self.store.clone();
        let lock_key = key.clone();
        let _file_lock = tokio::task::spawn_blocking(move || store.lock(&lock_key))
            .await
            .map_err(|e| CacheError::Lock { key: key.clone(), detail: e.to_string() })??;

        self.load_from_disk(key)?;
        let held = self.held(key);
        let missing = held.coverage.missing(required);
        if missing.is_empty() {
            return Ok(());
        }
        let fetched = self.fetch_missing(key, &missing).await;
        let mut coverage = held.coverage.clone();
        let mut frames = vec![held.frame.clone()];
        let mut failure = None;
        let mut failed_days = 0;
        for (day, result) in fetched {
            match result {
                Ok(Some(frame)) if frame.height() > 0 => {
                    check_day(key, day, &frame)?;
                    coverage.days.insert(day);
                    frames.push(frame);
                }
                Ok(_) => {
                    coverage.placeholders.insert(day);
                }
                Err(e) => {
                    failed_days += 1;
                    failure.get_or_insert((day, e));
                }
            }
        }
        if coverage != held.coverage {
            let mut frame = merge(key, frames)?;
            let mut sidecar = held.sidecar.clone();
            sidecar.set_coverage(&coverage);
            let bounds = first_last(&frame);
            sidecar.first = bounds.and_then(|(f, _)| DateTime::from_timestamp_millis(f));
            sidecar.last = bounds.and_then(|(_, l)| DateTime::from_timestamp_millis(l));
            self.store.commit(key, &mut frame, &mut sidecar)?;
            self.remember(key, Held { coverage: sidecar.coverage(), sidecar, frame });
        }
        match failure {
            Some((day, cause)) => Err(CacheError::Fetch { key: key.clone(), day, failed_days, cause }),
            None => Ok(()),
        }
    }

    /// Fetches each missing day: intraday one request per day, daily in chunks.
    async fn fetch_missing(
        &self,
        key: &DatasetKey,
        missing: &DaySet,
    ) -> Vec<(NaiveDate, Result<Option<DataFrame>, FetchError>)> {
        if key.timestep != Timestep::Day {
            let mut results: Vec<_> = futures_util::stream::iter(missing.iter())
                .map(|day| async move { (day, self.fetcher.fetch_day(key, day).await) })
                .buffer_unordered(DAYS_IN_FLIGHT)
                .collect()
                .await;
            results.sort_by_key(|(day, _)| *day);
            return results;
        }
        let mut results = Vec::new();
        for chunk in daily_chunks(missing) {
            let (start, end) = (chunk[0], chunk[chunk.len() - 1]);
            match self.fetcher.fetch_daily(key, start, end).await {
                Ok(frame) => results.extend(split_by_day(&frame, &chunk)),
                Err(e) => {
                    let shared = e.to_string();
                    results.extend(
                        chunk.iter().map(|d| (*d, Err::<Option<DataFrame>, FetchError>(shared.clone().into()))),
                    );
                }
            }
        }
        results
    }

    fn slice(&self, key: &DatasetKey, held: &Held, window: Window, required: &DaySet, hit: bool) -> Slice {
        let lower = et_to_utc(window.start, NaiveTime::MIN).timestamp_millis();
        let upper = et_to_utc(window.end + Duration::days(1), NaiveTime::MIN).timestamp_millis();
        let frame = slice_between(&held.frame, lower, upper);
        Slice {
            key: key.clone(),
            frame,
            days: required.intersection(&held.coverage.days).len(),
            placeholder_days: required.intersection(&held.coverage.placeholders).len(),
            hit,
        }
    }
}

impl Held {
    fn empty(key: &DatasetKey) -> Held {
        Held {
            sidecar: Sidecar::empty(key.clone()),
            coverage: Coverage::default(),
            frame: DataFrame::empty_with_schema(&key.style.schema()),
        }
    }
}

/// The UTC-millisecond stamps of a frame's `datetime` column.
pub fn timestamps(frame: &DataFrame) -> &[i64] {
    frame
        .column(crate::market::bars::DATETIME)
        .ok()
        .and_then(|c| c.datetime().ok())
        .and_then(|dt| dt.physical().cont_slice().ok())
        .unwrap_or(&[])
}

fn first_last(frame: &DataFrame) -> Option<(i64, i64)> {
    let ts = timestamps(frame);
    Some((*ts.first()?, *ts.last()?))
}

/// Rows with `lower <= datetime < upper`, without copying (the frame is sorted).
fn slice_between(frame: &DataFrame, lower: i64, upper: i64) -> DataFrame {
    let ts = timestamps(frame);
    let from = ts.partition_point(|t| *t < lower);
    let to = ts.partition_point(|t| *t < upper);
    frame.slice(from as i64, to.saturating_sub(from))
}

/// A fetched day must hold only bars of that ET date.
fn check_day(key: &DatasetKey, day: NaiveDate, frame: &DataFrame) -> Result<(), CacheError> {
    let ts = timestamps(frame);
    if ts.len() != frame.height() {
        return Err(CacheError::Merge {
            key: key.clone(),
            detail: "fetched frame has no usable datetime column".into(),
        });
    }
    for t in [ts.first(), ts.last()].into_iter().flatten() {
        let found = et_date_ms(*t);
        if found != day {
            return Err(CacheError::WrongDay { key: key.clone(), day, found });
        }
    }
    Ok(())
}

/// Stacks held and fetched frames into one sorted, single-chunk frame.
fn merge(key: &DatasetKey, frames: Vec<DataFrame>) -> Result<DataFrame, CacheError> {
    let err = |e: polars::error::PolarsError| CacheError::Merge { key: key.clone(), detail: e.to_string() };
    let schema = key.style.schema();
    let mut merged = DataFrame::empty_with_schema(&schema);
    for frame in frames.iter().filter(|f| f.height() > 0) {
        let frame = frame.select(schema.iter_names().cloned()).map_err(err)?;
        merged.vstack_mut(&frame).map_err(err)?;
    }
    let mut merged = merged.sort([crate::market::bars::DATETIME], SortMultipleOptions::default()).map_err(err)?;
    merged.rechunk_mut();
    Ok(merged)
}

/// Consecutive runs of missing sessions, each spanning at most a month.
fn daily_chunks(missing: &DaySet) -> Vec<Vec<NaiveDate>> {
    let mut chunks: Vec<Vec<NaiveDate>> = Vec::new();
    for day in missing.iter() {
        match chunks.last_mut() {
            Some(run)
                if Calendar::next_session(run[run.len() - 1]) == day
                    && (day - run[0]).num_days() < DAILY_CHUNK_DAYS =>
            {
                run.push(day)
            }
            _ => chunks.push(vec![day]),
        }
    }
    chunks
}

/// One daily frame split into per-day answers; days without a row have no data.
fn split_by_day(frame: &DataFrame, days: &[NaiveDate]) -> Vec<(NaiveDate, Result<Option<DataFrame>, FetchError>)> {
    let ts = timestamps(frame);
    days.iter()
        .map(|day| {
            let row = ts.iter().position(|t| et_date_ms(*t) == *day);
            (*day, Ok(row.map(|i| frame.slice(i as i64, 1))))
        })
        .collect()
}

#[cfg(test)]
mod tests;
