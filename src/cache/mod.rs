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
mod integrity;
pub mod key;
mod lists;
pub mod remote;
pub mod report;
pub mod sidecar;
pub mod store;
mod team;
pub mod union;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use futures_util::StreamExt;
use polars::prelude::{DataFrame, SortMultipleOptions};

pub use coverage::{Coverage, DaySet, MissReason, Window, WindowError};
pub use fetch::{FetchError, Fetcher, Offline};
pub use key::DatasetKey;
pub use remote::{Remote, RemoteError};
pub use sidecar::Sidecar;
pub use store::{Store, StoreError};
pub use team::Pulled;

use crate::market::conversion::ConversionKind;
use crate::market::time::{et_day_runs, et_to_utc, fmt_et_ms};
use crate::market::{Calendar, Timestep};
use crate::metrics::Metrics;

/// How many days one daily (EOD) request may span.
const DAILY_CHUNK_DAYS: i64 = 31;
/// Intraday days in flight at once; the client's semaphore is the real cap.
const DAYS_IN_FLIGHT: usize = 16;
/// Month-long intraday requests in flight for one dataset.
const MONTHS_IN_FLIGHT: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(transparent)]
    Store(#[from] StoreError),
    // `cause` is shown in the message rather than chained as a source, so an
    // error report prints it once.
    #[error("fetching {key} for {day}: {cause}")]
    Fetch { key: DatasetKey, day: NaiveDate, failed_days: usize, cause: FetchError },
    #[error("merging {key}: {detail}")]
    Merge { key: DatasetKey, detail: String },
    #[error("fetching {what}: {cause}")]
    List { what: String, cause: FetchError },
    #[error("waiting for the lock of {key}: {detail}")]
    Lock { key: DatasetKey, detail: String },
    #[error("reading {key} from disk: {detail}")]
    Disk { key: DatasetKey, detail: String },
    #[error("{key}: {cause}")]
    Remote { key: DatasetKey, cause: RemoteError },
}

/// What the disk holds of a dataset.
enum OnDisk {
    Absent,
    Loaded(Sidecar, DataFrame),
    /// Damaged files (a bad checksum, a lying sidecar): quarantined by the caller.
    Damaged(StoreError),
}

/// Reads and verifies a dataset's files; only a failing disk is an error.
fn read_on_disk(store: &Store, key: &DatasetKey) -> Result<OnDisk, StoreError> {
    let loaded = match store.read_sidecar(key) {
        Ok(None) => return Ok(OnDisk::Absent),
        Ok(Some(sidecar)) => store.load(key, &sidecar).map(|frame| OnDisk::Loaded(sidecar, frame)),
        Err(e) => Err(e),
    };
    match loaded {
        Err(e) if e.is_corruption() => Ok(OnDisk::Damaged(e)),
        other => other,
    }
}

/// What time it is: decides which sessions are complete (tests pin it).
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

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
    /// Sessions in the window that hold data.
    pub days: usize,
    /// Sessions in the window the terminal said it has no data for.
    pub placeholders: DaySet,
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
    now: Now,
    held: RwLock<HashMap<DatasetKey, Arc<Held>>>,
    flights: Mutex<HashMap<DatasetKey, Arc<tokio::sync::Mutex<()>>>>,
    lists: lists::Lists,
    /// The team's remote tier, asked before the terminal (see [`team`]).
    remote: Option<Arc<Remote>>,
}

impl<F: Fetcher> Cache<F> {
    pub fn new(root: impl Into<PathBuf>, fetcher: F, metrics: Arc<Metrics>) -> Cache<F> {
        Cache {
            store: Store::new(root),
            fetcher,
            metrics,
            now: Arc::new(Utc::now),
            held: RwLock::default(),
            flights: Mutex::default(),
            lists: lists::Lists::default(),
            remote: None,
        }
    }

    /// Puts the team's remote under this cache.
    pub fn with_remote(mut self, remote: Option<Arc<Remote>>) -> Cache<F> {
        self.remote = remote;
        self
    }

    pub fn remote(&self) -> Option<&Arc<Remote>> {
        self.remote.as_ref()
    }

    /// Replaces the wall clock (tests pin "now" to make completeness deterministic).
    pub fn with_now(mut self, now: Now) -> Cache<F> {
        self.now = now;
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

    /// The days `window` needs, per the calendar and `now`.
    pub fn required(&self, key: &DatasetKey, window: Window) -> DaySet {
        coverage::required_days(&key.asset, window, (self.now)())
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
        self.get_with(key, window, false).await
    }

    /// Like [`get`](Cache::get), and asks the terminal again about the
    /// window's placeholder days: those that now have data are filled in.
    pub async fn recheck_placeholders(&self, key: &DatasetKey, window: Window) -> Result<Slice, CacheError> {
        self.get_with(key, window, true).await
    }

    async fn get_with(&self, key: &DatasetKey, window: Window, recheck: bool) -> Result<Slice, CacheError> {
        let required = self.required(key, window);
        self.metrics.cache_check();
        tracing::info!(
            target: "thetabench::cache",
            "[CACHE CHECK] {} {} {} need {}..{}",
            key.asset, key.timestep, key.style, window.start, window.end
        );
        if !self.is_held(key) {
            self.load_from_disk(key).await?;
        }
        if recheck {
            let placeholders = required.intersection(&self.held(key).coverage.placeholders);
            if !placeholders.is_empty() {
                self.metrics.cache_miss();
                tracing::info!(
                    target: "thetabench::cache",
                    "[CACHE RECHECK] {} placeholders {}..{} days={}",
                    key.asset,
                    placeholders.first().map(|d| d.to_string()).unwrap_or_default(),
                    placeholders.last().map(|d| d.to_string()).unwrap_or_default(),
                    placeholders.len()
                );
                self.fill(key, &required, true).await?;
                let held = self.held(key);
                return Ok(self.slice(key, &held, window, &required, false));
            }
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
            self.fill(key, &required, false).await?;
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

    /// Loads a dataset's verified state from disk into memory. The reading
    /// (files, sha256, Parquet decoding) runs off the async workers (see
    /// [`off_the_workers`]). Damaged files are quarantined and the dataset
    /// starts empty, so it is fetched again.
    async fn load_from_disk(&self, key: &DatasetKey) -> Result<(), CacheError> {
        let (store, owned) = (self.store.clone(), key.clone());
        let on_disk = off_the_workers(move || read_on_disk(&store, &owned))
            .await
            .map_err(|e| CacheError::Disk { key: key.clone(), detail: e.to_string() })??;
        let loaded = match on_disk {
            OnDisk::Absent => Held::empty(key),
            OnDisk::Loaded(sidecar, frame) => {
                self.metrics.conversions.record(ConversionKind::Load, frame.height());
                Held { coverage: sidecar.coverage(), sidecar, frame }
            }
            OnDisk::Damaged(e) => self.quarantine(key, &e)?,
        };
        self.remember(key, loaded);
        Ok(())
    }

    fn quarantine(&self, key: &DatasetKey, why: &StoreError) -> Result<Held, CacheError> {
        let to = self.store.quarantine(key)?;
        tracing::warn!(target: "thetabench::cache", "[CACHE QUARANTINE] {key}: {why}; moved to {}", to.display());
        Ok(Held::empty(key))
    }

    /// Takes the dataset's cross-process lock (waiting off the async
    /// workers); held until the returned file drops.
    async fn lock(&self, key: &DatasetKey) -> Result<std::fs::File, CacheError> {
        let (store, owned) = (self.store.clone(), key.clone());
        off_the_workers(move || store.lock(&owned))
            .await
            .map_err(|e| CacheError::Lock { key: key.clone(), detail: e.to_string() })?
            .map_err(CacheError::from)
    }

    /// The MISS path: one fetch per dataset at a time in this process (single
    /// flight) and across processes (the dataset's file lock). Whoever waited
    /// re-reads the disk first and fetches only what is still missing (and,
    /// with `recheck`, the placeholder days of `required`). Days that failed
    /// are not committed; the days that came back are, then the first failure
    /// is returned.
    async fn fill(&self, key: &DatasetKey, required: &DaySet, recheck: bool) -> Result<(), CacheError> {
        let flight = {
            let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
            flights.entry(key.clone()).or_default().clone()
        };
        let _in_process = flight.lock().await;
        let _file_lock = self.lock(key).await?;

        self.load_from_disk(key).await?;
        let asked_of = |held: &Held| {
            let missing = held.coverage.missing(required);
            if recheck { missing.union(&required.intersection(&held.coverage.placeholders)) } else { missing }
        };
        let mut held = self.held(key);
        let mut asked = asked_of(&held);
        if asked.is_empty() {
            return Ok(());
        }
        let (gained, seen) = self.fill_from_remote(key, &held, &asked).await?;
        if gained {
            held = self.held(key);
            asked = asked_of(&held);
            if asked.is_empty() {
                return Ok(());
            }
        }
        let mut coverage = held.coverage.clone();
        let mut frames = vec![held.frame.clone()];
        let mut answered = DaySet::default();
        let mut failure = None;
        let mut failed_days = 0;
        for (day, result) in self.fetch_days(key, &asked).await {
            match result {
                Ok(answer) => {
                    answered.insert(day);
                    match answer {
                        Some(frame) => {
                            coverage.days.insert(day);
                            frames.push(frame);
                        }
                        None => {
                            coverage.placeholders.insert(day);
                        }
                    }
                }
                Err(e) => {
                    failed_days += 1;
                    failure.get_or_insert((day, e));
                }
            }
        }
        if !answered.is_empty() {
            let mut frame = merge(key, frames)?;
            let mut sidecar = held.sidecar.clone();
            sidecar.set_coverage(&coverage, &answered, (self.now)());
            self.store.commit(key, &mut frame, &mut sidecar)?;
            self.publish(key, &sidecar, &frame, seen).await;
            self.remember(key, Held { coverage: sidecar.coverage(), sidecar, frame });
        }
        match failure {
            Some((day, cause)) => Err(CacheError::Fetch { key: key.clone(), day, failed_days, cause }),
            None => Ok(()),
        }
    }

    /// Asks the source about each day: intraday one request per day, daily in
    /// chunks of consecutive sessions. Each answer is the day's rows, `None`
    /// for a day the source said (472) it has no data for, or the error.
    async fn fetch_days(&self, key: &DatasetKey, days: &DaySet) -> Vec<(NaiveDate, DayAnswer)> {
        if key.timestep != Timestep::Day {
            let months: Vec<Vec<NaiveDate>> = month_groups(days);
            let name = key.to_string();
            self.metrics.fetch_started(&name, days.len());
            let answered: Vec<Vec<(NaiveDate, DayAnswer)>> = futures_util::stream::iter(months)
                .map(|month| async {
                    let answers = self.fetch_month(key, month).await;
                    self.metrics.fetch_progressed(&name, answers.len());
                    answers
                })
                .buffer_unordered(MONTHS_IN_FLIGHT)
                .collect()
                .await;
            self.metrics.fetch_ended(&name);
            let mut results: Vec<_> = answered.into_iter().flatten().collect();
            results.sort_by_key(|(day, _)| *day);
            return results;
        }
        let mut results = Vec::new();
        let name = key.to_string();
        self.metrics.fetch_started(&name, days.len());
        for chunk in daily_chunks(days) {
            let answers = self.fetch_daily_chunk(key, &chunk).await;
            self.metrics.fetch_progressed(&name, answers.len());
            results.extend(answers);
        }
        self.metrics.fetch_ended(&name);
        results.sort_by_key(|(day, _)| *day);
        results
    }

    /// The missing days of one calendar month of intraday data: one request
    /// for the month's span, split by ET date. A day the answer leaves out, or
    /// every day when the range request fails or says 472, is asked alone:
    /// only a 472 for the day itself makes it a placeholder.
    async fn fetch_month(&self, key: &DatasetKey, days: Vec<NaiveDate>) -> Vec<(NaiveDate, DayAnswer)> {
        let (Some(&first), Some(&last)) = (days.first(), days.last()) else { return Vec::new() };
        if first == last {
            return self.fetch_alone(key, days).await;
        }
        let by_day = match self.fetcher.fetch_range(key, first, last).await {
            Ok(Some(frame)) => split_by_day(&frame, &days),
            Ok(None) => days.iter().map(|day| (*day, None)).collect(),
            Err(e) => {
                tracing::info!(
                    target: "thetabench::cache",
                    "[CACHE RANGE] {key} {first}..{last} failed ({e}); asking its {} days one by one",
                    days.len()
                );
                days.iter().map(|day| (*day, None)).collect()
            }
        };
        let mut results = Vec::with_capacity(days.len());
        let mut alone = Vec::new();
        for (day, rows) in by_day {
            match rows {
                Some(frame) => results.push((day, Ok(Some(frame)))),
                None => alone.push(day),
            }
        }
        results.extend(self.fetch_alone(key, alone).await);
        results
    }

    /// Intraday days asked one request each.
    async fn fetch_alone(&self, key: &DatasetKey, days: Vec<NaiveDate>) -> Vec<(NaiveDate, DayAnswer)> {
        futures_util::stream::iter(days)
            .map(|day| async move { (day, self.fetcher.fetch_day(key, day).await) })
            .buffer_unordered(DAYS_IN_FLIGHT)
            .collect()
            .await
    }

    /// One chunk of daily bars. A day a 200 answer leaves out is asked again
    /// on its own run of sessions: only a 472 makes it a placeholder.
    async fn fetch_daily_chunk(&self, key: &DatasetKey, chunk: &[NaiveDate]) -> Vec<(NaiveDate, DayAnswer)> {
        let mut results = Vec::new();
        let mut absent = DaySet::default();
        for (day, answer) in self.daily_rows(key, chunk).await {
            match answer {
                Ok(DailyRow::Absent) => {
                    absent.insert(day);
                }
                answer => results.push((day, answer.map(DailyRow::into_answer))),
            }
        }
        for run in daily_chunks(&absent) {
            results.extend(self.daily_rows(key, &run).await.into_iter().map(|(day, answer)| {
                let answer = match answer {
                    Ok(DailyRow::Absent) => Err(format!("the terminal's EOD answers leave out {day}, twice").into()),
                    answer => answer.map(DailyRow::into_answer),
                };
                (day, answer)
            }));
        }
        results
    }

    /// What one request says about each of `days` (consecutive sessions).
    async fn daily_rows(&self, key: &DatasetKey, days: &[NaiveDate]) -> Vec<(NaiveDate, Result<DailyRow, FetchError>)> {
        let (Some(start), Some(end)) = (days.first(), days.last()) else { return Vec::new() };
        match self.fetcher.fetch_daily(key, *start, *end).await {
            Err(e) => {
                let text = e.to_string();
                days.iter().map(|d| (*d, Err(text.clone().into()))).collect()
            }
            Ok(None) => days.iter().map(|d| (*d, Ok(DailyRow::NoData))).collect(),
            Ok(Some(frame)) => split_by_day(&frame, days)
                .into_iter()
                .map(|(day, row)| (day, Ok(row.map_or(DailyRow::Absent, DailyRow::Row))))
                .collect(),
        }
    }

    fn slice(&self, key: &DatasetKey, held: &Held, window: Window, required: &DaySet, hit: bool) -> Slice {
        let lower = et_to_utc(window.start, NaiveTime::MIN).timestamp_millis();
        let upper = et_to_utc(window.end + Duration::days(1), NaiveTime::MIN).timestamp_millis();
        let frame = slice_between(&held.frame, lower, upper);
        Slice {
            key: key.clone(),
            frame,
            days: required.intersection(&held.coverage.days).len(),
            placeholders: required.intersection(&held.coverage.placeholders),
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

/// Stacks held and fetched frames into one sorted, single-chunk frame.
pub(crate) fn merge(key: &DatasetKey, frames: Vec<DataFrame>) -> Result<DataFrame, CacheError> {
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

/// Consecutive runs of sessions, each spanning at most a month.
fn daily_chunks(days: &DaySet) -> Vec<Vec<NaiveDate>> {
    let mut chunks: Vec<Vec<NaiveDate>> = Vec::new();
    for day in days.iter() {
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

/// The days grouped by calendar month, in order: one range request each.
fn month_groups(days: &DaySet) -> Vec<Vec<NaiveDate>> {
    let mut groups: Vec<Vec<NaiveDate>> = Vec::new();
    for day in days.iter() {
        match groups.last_mut() {
            Some(group) if group.last().is_some_and(|d| (d.year(), d.month()) == (day.year(), day.month())) => {
                group.push(day)
            }
            _ => groups.push(vec![day]),
        }
    }
    groups
}

/// One answer about one day: its rows, `None` for "no data" (472), or why it failed.
type DayAnswer = Result<Option<DataFrame>, FetchError>;

/// What a daily answer said about one of its days.
enum DailyRow {
    Row(DataFrame),
    /// The whole request was answered 472.
    NoData,
    /// A 200 that has no row for the day: not yet proof of anything.
    Absent,
}

impl DailyRow {
    /// The answer for the cache; only called on `Row` and `NoData`.
    fn into_answer(self) -> Option<DataFrame> {
        match self {
            DailyRow::Row(frame) => Some(frame),
            DailyRow::NoData | DailyRow::Absent => None,
        }
    }
}

/// One daily frame split into per-day rows; `None` for a day without a row.
fn split_by_day(frame: &DataFrame, days: &[NaiveDate]) -> Vec<(NaiveDate, Option<DataFrame>)> {
    let rows: HashMap<NaiveDate, DataFrame> =
        et_day_runs(timestamps(frame)).map(|(day, rows)| (day, frame.slice(rows.start as i64, rows.len()))).collect();
    days.iter().map(|day| (*day, rows.get(day).cloned())).collect()
}

/// Runs blocking work (file locks and reads, sha256, Parquet decoding) so that
/// it never stalls the async workers: in place on a multi-thread runtime (the
/// worker hands its other tasks off first), on the blocking pool elsewhere.
/// In place saves a hand-off to another thread and back, which costs a
/// cross-CPU wake-up each way (measured: +7-10% on a warm year's load).
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => Ok(tokio::task::block_in_place(work)),
        _ => tokio::task::spawn_blocking(work).await,
    }
}

#[cfg(test)]
mod tests;
