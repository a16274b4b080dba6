//! Cache behaviour against an in-memory fetcher (the integration tests in
//! `tests/` repeat the important cases against the simulated terminal).

use std::collections::BTreeSet;
use std::sync::Mutex;

use chrono::{Datelike, NaiveDate, NaiveTime};
use polars::prelude::{Column, DataFrame};

use super::*;
use crate::market::bars::{DATETIME, datetime_dtype};
use crate::market::{Asset, Calendar, DataStyle};

/// Answers three bars per day, `None` for `empty` days and an error for
/// `failing` days. Range and daily answers leave out `empty` days (a 472 when
/// every day asked is empty) and `omitted` days, however they are asked; a
/// range with a `failing` day fails whole.
#[derive(Default)]
struct FakeFetcher {
    calls: Mutex<Vec<NaiveDate>>,
    range_calls: Mutex<Vec<(NaiveDate, NaiveDate)>>,
    daily_calls: Mutex<Vec<(NaiveDate, NaiveDate)>>,
    empty: BTreeSet<NaiveDate>,
    failing: BTreeSet<NaiveDate>,
    omitted: BTreeSet<NaiveDate>,
}

pub(super) fn bars(day: NaiveDate) -> DataFrame {
    let open = et_to_utc(day, NaiveTime::from_hms_opt(9, 30, 0).unwrap()).timestamp_millis();
    let ts: Vec<i64> = (0..3).map(|i| open + i * 60_000).collect();
    let price: Vec<f64> = (0..3).map(|i| f64::from(day.ordinal()) + f64::from(i) / 100.0).collect();
    let dt = Column::new(DATETIME.into(), ts).cast(&datetime_dtype()).unwrap();
    let mut columns = vec![dt];
    for name in ["open", "high", "low", "close"] {
        columns.push(Column::new(name.into(), price.clone()));
    }
    columns.push(Column::new("volume".into(), vec![100i64; 3]));
    columns.push(Column::new("count".into(), vec![1i64; 3]));
    DataFrame::new(3, columns).unwrap()
}

impl Fetcher for FakeFetcher {
    async fn fetch_day(&self, _key: &DatasetKey, day: NaiveDate) -> Result<Option<DataFrame>, FetchError> {
        self.calls.lock().unwrap().push(day);
        if self.failing.contains(&day) {
            return Err(format!("terminal refused {day}").into());
        }
        Ok((!self.empty.contains(&day)).then(|| bars(day)))
    }

    async fn fetch_range(
        &self,
        _key: &DatasetKey,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<DataFrame>, FetchError> {
        self.range_calls.lock().unwrap().push((start, end));
        let sessions: Vec<NaiveDate> = Calendar::sessions_between(start, end).collect();
        if let Some(day) = sessions.iter().find(|d| self.failing.contains(d)) {
            return Err(format!("terminal refused {start}..{end} (at {day})").into());
        }
        if sessions.iter().all(|day| self.empty.contains(day)) {
            return Ok(None);
        }
        let answered = sessions.iter().filter(|d| !self.empty.contains(d) && !self.omitted.contains(d));
        let frames: Vec<DataFrame> = answered.map(|day| bars(*day)).collect();
        Ok(Some(merge(&pltr(), frames).unwrap()))
    }

    async fn fetch_daily(
        &self,
        _key: &DatasetKey,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<DataFrame>, FetchError> {
        self.daily_calls.lock().unwrap().push((start, end));
        let sessions: Vec<NaiveDate> = Calendar::sessions_between(start, end).collect();
        if sessions.iter().all(|day| self.empty.contains(day)) {
            return Ok(None);
        }
        let answered = sessions.iter().filter(|d| !self.empty.contains(d) && !self.omitted.contains(d));
        let rows: Vec<DataFrame> = answered.map(|day| bars(*day).head(Some(1))).collect();
        Ok(Some(merge(&daily(), rows).unwrap()))
    }

    async fn expirations(&self, _symbol: &str) -> Result<Vec<NaiveDate>, FetchError> {
        self.calls.lock().unwrap().push(NaiveDate::MIN);
        Ok(vec![d("2025-03-21"), d("2025-03-28")])
    }

    async fn strikes(&self, _symbol: &str, _expiration: NaiveDate) -> Result<Vec<crate::market::Strike>, FetchError> {
        Ok(vec![crate::market::Strike::from_millis(90_000), crate::market::Strike::from_millis(91_000)])
    }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn cache(dir: &std::path::Path, fetcher: FakeFetcher) -> Cache<FakeFetcher> {
    let now: DateTime<Utc> = "2026-01-02T00:00:00Z".parse().unwrap();
    Cache::new(dir, fetcher, Arc::new(Metrics::default())).with_now(Arc::new(move || now))
}

pub(super) fn pltr() -> DatasetKey {
    DatasetKey::new(Asset::stock("PLTR").unwrap(), Timestep::Minute, DataStyle::Ohlc)
}

fn daily() -> DatasetKey {
    DatasetKey::new(Asset::stock("PLTR").unwrap(), Timestep::Day, DataStyle::Ohlc)
}

fn march() -> Window {
    Window::new(d("2025-03-03"), d("2025-03-14")).unwrap()
}

/// Requests made: single days and ranges.
fn calls(c: &Cache<FakeFetcher>) -> usize {
    c.fetcher().calls.lock().unwrap().len() + ranges(c).len()
}

fn ranges(c: &Cache<FakeFetcher>) -> Vec<(NaiveDate, NaiveDate)> {
    c.fetcher().range_calls.lock().unwrap().clone()
}

#[tokio::test]
async fn cold_then_warm_fetches_once_and_answers_identically() {
    let dir = tempfile::tempdir().unwrap();
    let cold = cache(dir.path(), FakeFetcher::default());
    let first = cold.get(&pltr(), march()).await.unwrap();
    assert!(!first.hit);
    assert_eq!((first.days, first.frame.height(), calls(&cold)), (10, 30, 1), "one request for the month");
    assert_eq!(ranges(&cold), [(d("2025-03-03"), d("2025-03-14"))]);

    // Same process: answered from memory.
    let again = cold.get(&pltr(), march()).await.unwrap();
    assert!(again.hit);
    assert_eq!(calls(&cold), 1);

    // A new process: answered from disk, bit-identical.
    let warm = cache(dir.path(), FakeFetcher::default());
    let second = warm.get(&pltr(), march()).await.unwrap();
    assert!(second.hit);
    assert_eq!(calls(&warm), 0);
    assert!(first.frame.equals_missing(&second.frame));
    let snap = warm.metrics().snapshot();
    assert_eq!((snap.checks, snap.hits, snap.misses), (1, 1, 0));
}

#[tokio::test]
async fn a_miss_fetches_only_missing_days() {
    let dir = tempfile::tempdir().unwrap();
    let c = cache(dir.path(), FakeFetcher::default());
    c.get(&pltr(), Window::new(d("2025-03-05"), d("2025-03-07")).unwrap()).await.unwrap();
    c.fetcher().calls.lock().unwrap().clear();
    let key = pltr();
    let required = c.required(&key, march());
    let Check::Miss { missing, reasons } = c.check(&key, &required) else { panic!("expected a miss") };
    assert_eq!(missing.len(), 7);
    assert_eq!(reasons, [MissReason::Start, MissReason::End]);
    let slice = c.get(&key, march()).await.unwrap();
    // One request spans the month's missing days; the days already held are not replaced.
    assert_eq!(ranges(&c), [(d("2025-03-05"), d("2025-03-07")), (d("2025-03-03"), d("2025-03-14"))]);
    assert!(c.fetcher().calls.lock().unwrap().is_empty());
    assert_eq!(slice.frame.height(), 30);
    assert!(timestamps(&slice.frame).is_sorted());
}

#[tokio::test]
async fn no_data_days_become_placeholders_and_are_not_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let fetcher = FakeFetcher { empty: [d("2025-03-05")].into(), ..Default::default() };
    let c = cache(dir.path(), fetcher);
    let slice = c.get(&pltr(), march()).await.unwrap();
    assert_eq!((slice.days, slice.placeholders.len()), (9, 1));
    let warm = cache(dir.path(), FakeFetcher::default());
    let again = warm.get(&pltr(), march()).await.unwrap();
    assert!(again.hit);
    assert_eq!((calls(&warm), again.placeholders.len()), (0, 1));
}

#[tokio::test]
async fn a_day_a_daily_answer_leaves_out_is_a_placeholder_only_after_a_472() {
    let dir = tempfile::tempdir().unwrap();
    let fetcher = FakeFetcher { empty: [d("2025-03-05"), d("2025-03-06")].into(), ..Default::default() };
    let c = cache(dir.path(), fetcher);
    let slice = c.get(&daily(), march()).await.unwrap();
    assert_eq!((slice.days, slice.placeholders.len(), slice.frame.height()), (8, 2, 8));
    assert_eq!(
        c.fetcher().daily_calls.lock().unwrap().as_slice(),
        [(d("2025-03-03"), d("2025-03-14")), (d("2025-03-05"), d("2025-03-06"))],
        "the left-out run is asked again on its own"
    );
}

#[tokio::test]
async fn a_day_left_out_twice_is_an_error_not_a_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let fetcher = FakeFetcher { omitted: [d("2025-03-12")].into(), ..Default::default() };
    let c = cache(dir.path(), fetcher);
    let err = c.get(&daily(), march()).await.unwrap_err();
    assert!(err.to_string().contains("leave out 2025-03-12, twice"), "{err}");
    let sidecar = c.store().read_sidecar(&daily()).unwrap().unwrap();
    assert_eq!((sidecar.days.len(), sidecar.placeholders.len()), (9, 0), "the other days are kept");
}

#[tokio::test]
async fn options_are_fetched_through_expiry_only() {
    let dir = tempfile::tempdir().unwrap();
    let key = DatasetKey::new("PLTR 2025-03-07 91 C".parse().unwrap(), Timestep::Minute, DataStyle::Ohlc);
    let c = cache(dir.path(), FakeFetcher::default());
    c.get(&key, march()).await.unwrap();
    assert_eq!(ranges(&c), [(d("2025-03-03"), d("2025-03-07"))], "nothing after the expiry is asked");
}

#[tokio::test]
async fn failed_days_keep_the_good_ones_and_name_the_bad() {
    let dir = tempfile::tempdir().unwrap();
    let fetcher = FakeFetcher { failing: [d("2025-03-11")].into(), ..Default::default() };
    let c = cache(dir.path(), fetcher);
    let err = c.get(&pltr(), march()).await.unwrap_err();
    assert!(matches!(err, CacheError::Fetch { day, failed_days: 1, .. } if day == d("2025-03-11")), "{err}");
    assert!(err.to_string().contains("2025-03-11"));
    let retry = cache(dir.path(), FakeFetcher::default());
    retry.get(&pltr(), march()).await.unwrap();
    assert_eq!(retry.fetcher().calls.lock().unwrap().as_slice(), [d("2025-03-11")]);
}

#[tokio::test]
async fn a_corrupt_file_is_quarantined_and_fetched_again() {
    let dir = tempfile::tempdir().unwrap();
    let original = cache(dir.path(), FakeFetcher::default()).get(&pltr(), march()).await.unwrap();
    let store = Store::new(dir.path());
    let sidecar = store.read_sidecar(&pltr()).unwrap().unwrap();
    let data = store.data_path(&pltr(), &sidecar).unwrap();
    let mut bytes = std::fs::read(&data).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&data, bytes).unwrap();
    assert!(matches!(store.load(&pltr(), &sidecar), Err(StoreError::ChecksumMismatch { .. })));

    let c = cache(dir.path(), FakeFetcher::default());
    let refetched = c.get(&pltr(), march()).await.unwrap();
    assert_eq!(ranges(&c), [(d("2025-03-03"), d("2025-03-14"))], "the corrupt dataset is fetched whole again");
    assert!(refetched.frame.equals_missing(&original.frame));
    assert!(dir.path().join("quarantine").read_dir().unwrap().next().is_some());
    assert!(report::verify(&store).iter().all(|v| v.state == report::ChecksumState::Ok));
}

#[tokio::test]
async fn rows_out_of_time_order_contradict_the_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let (a, b) = (bars(d("2025-03-04")), bars(d("2025-03-03")));
    let mut unsorted = a.vstack(&b).unwrap();
    let mut sidecar = Sidecar::empty(pltr());
    sidecar.days = vec![d("2025-03-03"), d("2025-03-04")];
    store.commit(&pltr(), &mut unsorted, &mut sidecar).unwrap();
    let err = store.load(&pltr(), &sidecar).unwrap_err();
    assert!(err.to_string().contains("not in strictly increasing time order at row 4"), "{err}");
}

#[tokio::test]
async fn concurrent_gets_in_one_process_fetch_once() {
    let dir = tempfile::tempdir().unwrap();
    let c = cache(dir.path(), FakeFetcher::default());
    let key = pltr();
    let (a, b) = tokio::join!(c.get(&key, march()), c.get(&key, march()));
    assert!(a.unwrap().frame.equals_missing(&b.unwrap().frame));
    assert_eq!(calls(&c), 1);
}

#[tokio::test]
async fn chains_are_cached_and_answer_any_earlier_date() {
    let dir = tempfile::tempdir().unwrap();
    let c = cache(dir.path(), FakeFetcher::default());
    let first = c.expirations("PLTR", d("2025-03-10")).await.unwrap();
    assert_eq!(first, [d("2025-03-21"), d("2025-03-28")]);
    let warm = cache(dir.path(), FakeFetcher::default());
    assert_eq!(warm.expirations("PLTR", d("2025-03-14")).await.unwrap(), first);
    assert_eq!(calls(&warm), 0, "a list fetched later answers earlier dates from disk");
    // The fixed clock says 2026-01-01 ET: a question about a later day asks again.
    warm.expirations("PLTR", d("2026-06-01")).await.unwrap();
    assert_eq!(calls(&warm), 1);
    assert_eq!(warm.strikes("PLTR", d("2025-03-21"), d("2025-03-10")).await.unwrap().len(), 2);
}

/// A month of missing days is one request; two months are two. A day the
/// range answer leaves out is asked alone, and only its own 472 makes it a
/// placeholder; a range that fails falls back to single days.
#[tokio::test]
async fn intraday_days_are_asked_a_month_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let fetcher = FakeFetcher {
        empty: [d("2025-04-02")].into(),
        omitted: [d("2025-04-03")].into(),
        failing: [d("2025-05-06")].into(),
        ..FakeFetcher::default()
    };
    let c = cache(dir.path(), fetcher);
    let window = Window::new(d("2025-03-27"), d("2025-04-04")).unwrap();
    let slice = c.get(&pltr(), window).await.unwrap();
    assert_eq!(ranges(&c), [(d("2025-03-27"), d("2025-03-31")), (d("2025-04-01"), d("2025-04-04"))]);
    let alone = c.fetcher().calls.lock().unwrap().clone();
    assert_eq!(alone, [d("2025-04-02"), d("2025-04-03")], "the two days the April answer left out");
    assert_eq!(slice.days, 6, "seven sessions, one without data; the omitted day came back when asked alone");
    assert_eq!(slice.frame.height(), 18);
    let sidecar = c.store().read_sidecar(&pltr()).unwrap().unwrap();
    assert_eq!(sidecar.placeholders.iter().map(|p| p.day).collect::<Vec<_>>(), [d("2025-04-02")]);

    // May: the range fails on the 6th, so each day is asked alone; the failing one is the error.
    let err = c.get(&pltr(), Window::new(d("2025-05-05"), d("2025-05-07")).unwrap()).await.unwrap_err();
    assert!(err.to_string().contains("2025-05-06"), "{err}");
    let alone = c.fetcher().calls.lock().unwrap().clone();
    assert_eq!(&alone[2..], [d("2025-05-05"), d("2025-05-06"), d("2025-05-07")]);
    let sidecar = c.store().read_sidecar(&pltr()).unwrap().unwrap();
    assert!(
        sidecar.days.contains(&d("2025-05-05")) && sidecar.days.contains(&d("2025-05-07")),
        "the good days are kept"
    );
}
