//! `MarketView`, the run's view of the market: loads datasets through the cache
//! for the run's window and answers a strategy's (and the broker's) questions as
//! of the simulated now.

use std::marker::PhantomData;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
// A fast hasher: keys are our own assets, not attacker input, and every
// strategy question starts with this lookup.
use rustc_hash::FxHashMap;

use super::representation::Representation;
use super::visibility::{first_at_or_after, visible_bars_from};
use super::{DataError, History, Loader, MarketData, Quote, SeriesId};
use crate::cache::{DatasetKey, Fetcher, Window};
use crate::market::calendar::FIRST_YEAR;
use crate::market::time::{et_date, et_date_ms, et_to_utc, fmt_et, utc_from_ms};
use crate::market::{Asset, Bar, Calendar, DataStyle, Greeks, QuoteBar, Strike, Symbol, Timestep};

/// Which representation a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RepresentationKind {
    Columnar,
    Rows,
}

impl RepresentationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RepresentationKind::Columnar => "columnar",
            RepresentationKind::Rows => "rows",
        }
    }
}

impl std::fmt::Display for RepresentationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RepresentationKind {
    type Err = String;

    fn from_str(s: &str) -> Result<RepresentationKind, String> {
        match s.to_ascii_lowercase().as_str() {
            "columnar" => Ok(RepresentationKind::Columnar),
            "rows" | "row" => Ok(RepresentationKind::Rows),
            _ => Err(format!("unknown store {s:?}: use columnar or rows")),
        }
    }
}

/// One ET day's bounds and its session's close, all UTC ms.
#[derive(Debug, Clone, Copy, Default)]
struct SessionMemo {
    day_start: i64,
    day_end: i64,
    close: Option<i64>,
}

/// Calendar days of history loaded before the run starts, per timestep.
fn lookback(timestep: Timestep) -> Duration {
    match timestep {
        Timestep::Day => Duration::days(200),
        _ => Duration::days(7),
    }
}

/// How far back a last price or quote is looked for.
const LAST_PRICE_SCAN: usize = 5 * 390;

struct Loaded<H> {
    key: DatasetKey,
    window: Window,
    held: H,
    /// The last visible count, where the next search starts.
    cursor: std::cell::Cell<usize>,
}

pub struct MarketView<R: Representation, F> {
    /// Unique in the process: series handles name the store they came from.
    identity: u64,
    loader: Loader<F>,
    run: Window,
    now: DateTime<Utc>,
    /// `now` in UTC ms, kept beside it: converting costs more than the
    /// visibility check it feeds.
    now_ms: i64,
    session_memo: std::cell::Cell<SessionMemo>,
    /// How many loads have happened; a change means new datasets or windows.
    loads: usize,
    /// Every dataset loaded, in first-load order; a reload replaces one in place.
    datasets: Vec<Loaded<R::Held>>,
    /// Where each series is in `datasets`.
    index: FxHashMap<(Asset, Timestep, DataStyle), usize>,
    representation: PhantomData<R>,
}

impl<R: Representation, F: Fetcher> MarketView<R, F> {
    pub fn new(loader: Loader<F>, run: Window) -> MarketView<R, F> {
        static STORES: AtomicU64 = AtomicU64::new(0);
        MarketView {
            identity: STORES.fetch_add(1, Ordering::Relaxed),
            loader,
            run,
            now: DateTime::<Utc>::UNIX_EPOCH,
            now_ms: 0,
            session_memo: Default::default(),
            loads: 0,
            datasets: Vec::new(),
            index: FxHashMap::default(),
            representation: PhantomData,
        }
    }

    /// Moves the simulated clock; only the engine calls this.
    pub fn set_now(&mut self, now: DateTime<Utc>) {
        self.now = now;
        self.now_ms = now.timestamp_millis();
    }

    /// Every dataset loaded so far.
    pub fn dataset_keys(&self) -> Vec<DatasetKey> {
        let mut keys: Vec<DatasetKey> = self.datasets.iter().map(|l| l.key.clone()).collect();
        keys.sort();
        keys
    }

    /// Grows with every load, so a caller can tell when [`Self::datasets_read`] changed.
    pub fn loads(&self) -> usize {
        self.loads
    }

    /// Every dataset loaded so far with the window it was loaded for, in key order.
    pub fn datasets_read(&self) -> Vec<(DatasetKey, Window)> {
        let mut read: Vec<(DatasetKey, Window)> = self.datasets.iter().map(|l| (l.key.clone(), l.window)).collect();
        read.sort_by(|a, b| a.0.cmp(&b.0));
        read
    }

    pub fn loader(&self) -> &Loader<F> {
        &self.loader
    }

    fn today(&self) -> NaiveDate {
        et_date(self.now)
    }

    /// The window a dataset is first loaded for: the run plus a lookback for
    /// stocks; for options from a week before first use through expiry.
    fn initial_window(&self, asset: &Asset, timestep: Timestep) -> Window {
        let earliest = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or_default();
        match asset.expiration() {
            Some(expiration) => {
                let start = (self.today() - Duration::days(7)).max(earliest);
                Window { start, end: self.run.end.min(expiration).max(start) }
            }
            None => Window { start: (self.run.start - lookback(timestep)).max(earliest), end: self.run.end },
        }
    }

    /// A longer window when fewer than `bars_needed` bars are visible and the
    /// data may reach back further; `None` when the loaded one will do.
    fn extension(&self, loaded: &Loaded<R::Held>, visible: usize, bars_needed: usize) -> Option<Window> {
        if visible >= bars_needed {
            return None;
        }
        let earliest = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or_default();
        if loaded.window.start <= earliest {
            return None;
        }
        let per_day = if loaded.key.timestep == Timestep::Day { 1 } else { 390 };
        let days = ((bars_needed - visible) / per_day + 1) as i64 * 7 / 5 + 5;
        Some(Window { start: (loaded.window.start - Duration::days(days)).max(earliest), end: loaded.window.end })
    }

    /// The dataset and how many of its bars are complete now, loaded (or
    /// reloaded over a longer window) so that at least `bars_needed` bars are
    /// visible when the data reaches back that far.
    fn dataset(
        &mut self,
        asset: &Asset,
        timestep: Timestep,
        style: DataStyle,
        bars_needed: usize,
    ) -> Result<(&Loaded<R::Held>, usize), DataError> {
        let i = self.index_of(asset, timestep, style)?;
        self.visible(i, bars_needed)
    }

    /// Where the dataset is in `datasets`, loading it first if need be.
    fn index_of(&mut self, asset: &Asset, timestep: Timestep, style: DataStyle) -> Result<usize, DataError> {
        match self.index.get(&(*asset, timestep, style)) {
            Some(&i) => Ok(i),
            None => {
                let window = self.initial_window(asset, timestep);
                self.load(DatasetKey::new(*asset, timestep, style), window, None)
            }
        }
    }

    /// Dataset `i` and how many of its bars are complete now; reloaded first over
    /// a longer window when fewer than `bars_needed` are visible and the data may
    /// reach back further.
    #[inline]
    fn visible(&mut self, i: usize, bars_needed: usize) -> Result<(&Loaded<R::Held>, usize), DataError> {
        let loaded = &self.datasets[i];
        let visible = visible_bars_from(R::stamps(&loaded.held), loaded.key.timestep, self.now_ms, loaded.cursor.get());
        loaded.cursor.set(visible);
        let Some(window) = self.extension(loaded, visible, bars_needed) else {
            return Ok((&self.datasets[i], visible));
        };
        let key = loaded.key.clone();
        self.load(key, window, Some(i))?;
        let loaded = &self.datasets[i];
        let visible = visible_bars_from(R::stamps(&loaded.held), loaded.key.timestep, self.now_ms, 0);
        loaded.cursor.set(visible);
        Ok((loaded, visible))
    }

    /// Loads `key` over `window` through the cache, in place of the dataset at
    /// `replacing`; returns where it is. Rare next to the questions it serves.
    #[cold]
    fn load(&mut self, key: DatasetKey, window: Window, replacing: Option<usize>) -> Result<usize, DataError> {
        let frame = self.loader.bars(&key, window)?;
        let held = R::hold(frame, key.style, &self.loader.metrics().conversions);
        self.loads += 1;
        let series = (key.asset, key.timestep, key.style);
        let loaded = Loaded { key, window, held, cursor: Default::default() };
        Ok(match replacing {
            Some(i) => {
                self.datasets[i] = loaded;
                i
            }
            None => {
                self.datasets.push(loaded);
                self.index.insert(series, self.datasets.len() - 1);
                self.datasets.len() - 1
            }
        })
    }
}

/// What the broker's fill model may see. Unlike [`MarketData`], `bar_at_or_after`
/// returns a bar that is still forming at `t`: the bar an order placed at `t` meets.
impl<R: Representation, F: Fetcher> MarketView<R, F> {
    /// The first minute bar opening at or after `t` in `t`'s session.
    pub fn bar_at_or_after(&mut self, asset: &Asset, t: DateTime<Utc>) -> Result<Option<Bar>, DataError> {
        let Some(close) = self.session_close(t) else { return Ok(None) };
        let (loaded, visible) = self.dataset(asset, Timestep::Minute, DataStyle::Ohlc, 0)?;
        let i = first_at_or_after(R::stamps(&loaded.held), t.timestamp_millis(), visible);
        Ok(R::bar(&loaded.held, i).filter(|b| b.ts_ms < close))
    }

    /// The close (UTC ms) of the session on `t`'s ET date, remembered for the
    /// day: the broker asks about the same day many times.
    fn session_close(&self, t: DateTime<Utc>) -> Option<i64> {
        let t_ms = t.timestamp_millis();
        let memo = self.session_memo.get();
        if memo.day_start <= t_ms && t_ms < memo.day_end {
            return memo.close;
        }
        let date = et_date(t);
        let day_start = et_to_utc(date, NaiveTime::MIN).timestamp_millis();
        let day_end = et_to_utc(date + Duration::days(1), NaiveTime::MIN).timestamp_millis();
        let close = Calendar::session(date).map(|s| s.close.timestamp_millis());
        self.session_memo.set(SessionMemo { day_start, day_end, close });
        close
    }

    /// The NBBO snapshot in force at `t`.
    pub fn quote_at(&mut self, asset: &Asset, t: DateTime<Utc>) -> Result<Option<QuoteBar>, DataError> {
        let (loaded, _) = self.dataset(asset, Timestep::Minute, DataStyle::Quote, 0)?;
        let visible = R::stamps(&loaded.held).partition_point(|s| *s <= t.timestamp_millis());
        Ok(visible.checked_sub(1).and_then(|i| R::quote(&loaded.held, i)).map(|q| QuoteBar {
            ts_ms: q.time.timestamp_millis(),
            bid: q.bid,
            ask: q.ask,
            bid_size: q.bid_size,
            ask_size: q.ask_size,
        }))
    }

    /// The last trade price from minute bars complete by `t`.
    pub fn last_trade_at(&mut self, asset: &Asset, t: DateTime<Utc>) -> Result<Option<f64>, DataError> {
        let saved = self.now;
        self.set_now(t);
        let price = self.last_price(asset);
        self.set_now(saved);
        price
    }

    /// The official close of `symbol` on `date`, from its daily bars.
    pub fn close_on(&mut self, symbol: Symbol, date: NaiveDate) -> Result<Option<f64>, DataError> {
        let (loaded, _) = self.dataset(&Asset::Stock(symbol), Timestep::Day, DataStyle::Ohlc, 0)?;
        let stamps = R::stamps(&loaded.held);
        let i = stamps.partition_point(|s| et_date_ms(*s) < date);
        Ok(R::bar(&loaded.held, i).filter(|b| et_date_ms(b.ts_ms) == date).map(|b| b.close))
    }
}

impl<R: Representation, F: Fetcher> MarketData for MarketView<R, F> {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }

    fn history(&mut self, asset: &Asset, n: usize, timestep: Timestep) -> Result<History<'_>, DataError> {
        let (loaded, end) = self.dataset(asset, timestep, DataStyle::Ohlc, n)?;
        Ok(R::history(&loaded.held, end.saturating_sub(n)..end))
    }

    fn series(&mut self, asset: &Asset, timestep: Timestep) -> Result<SeriesId, DataError> {
        let index = self.index_of(asset, timestep, DataStyle::Ohlc)?;
        Ok(SeriesId { store: self.identity, index })
    }

    fn history_of(&mut self, series: SeriesId, n: usize) -> Result<History<'_>, DataError> {
        if series.store != self.identity {
            return Err(DataError::UnknownSeries(series));
        }
        let (loaded, end) = self.visible(series.index, n)?;
        Ok(R::history(&loaded.held, end.saturating_sub(n)..end))
    }

    fn last_price(&mut self, asset: &Asset) -> Result<Option<f64>, DataError> {
        let history = self.history(asset, LAST_PRICE_SCAN, Timestep::Minute)?;
        // Minutes without trades come as zero-price bars; the last trade is older.
        Ok((0..history.len()).rev().map(|i| history.bar(i)).find(|b| b.count > 0 && b.close > 0.0).map(|b| b.close))
    }

    fn quote(&mut self, asset: &Asset) -> Result<Option<Quote>, DataError> {
        let now_ms = self.now_ms;
        let (loaded, _) = self.dataset(asset, Timestep::Minute, DataStyle::Quote, 1)?;
        // A quote is a snapshot at its stamp, known from that instant on.
        let visible = R::stamps(&loaded.held).partition_point(|t| *t <= now_ms);
        Ok((0..visible)
            .rev()
            .take(LAST_PRICE_SCAN)
            .filter_map(|i| R::quote(&loaded.held, i))
            .find(|q| q.bid > 0.0 || q.ask > 0.0))
    }

    fn quotes(&mut self, asset: &Asset, n: usize) -> Result<Vec<Quote>, DataError> {
        let now_ms = self.now_ms;
        let (loaded, _) = self.dataset(asset, Timestep::Minute, DataStyle::Quote, n)?;
        let visible = R::stamps(&loaded.held).partition_point(|t| *t <= now_ms);
        Ok((visible.saturating_sub(n)..visible).filter_map(|i| R::quote(&loaded.held, i)).collect())
    }

    fn greeks(&mut self, asset: &Asset) -> Result<Option<Greeks>, DataError> {
        let now_ms = self.now_ms;
        let (loaded, _) = self.dataset(asset, Timestep::Minute, DataStyle::Greeks, 1)?;
        let visible = R::stamps(&loaded.held).partition_point(|t| *t <= now_ms);
        Ok((0..visible).rev().take(LAST_PRICE_SCAN).filter_map(|i| R::greeks(&loaded.held, i)).find(Greeks::is_priced))
    }

    fn open_interest(&mut self, asset: &Asset) -> Result<Option<(DateTime<Utc>, i64)>, DataError> {
        let now_ms = self.now_ms;
        let (loaded, _) = self.dataset(asset, Timestep::Day, DataStyle::OpenInterest, 0)?;
        let stamps = R::stamps(&loaded.held);
        let visible = stamps.partition_point(|t| *t <= now_ms);
        let latest = visible.checked_sub(1);
        Ok(latest.and_then(|i| R::open_interest(&loaded.held, i).map(|oi| (utc_from_ms(stamps[i]), oi))))
    }

    fn expirations(&mut self, underlying: &str) -> Result<Vec<NaiveDate>, DataError> {
        let today = self.today();
        let all = self.loader.expirations(underlying, today)?;
        Ok(all.into_iter().filter(|e| *e >= today).collect())
    }

    fn strikes(&mut self, underlying: &str, expiration: NaiveDate) -> Result<Vec<Strike>, DataError> {
        Ok(self.loader.strikes(underlying, expiration, self.today())?)
    }
}

impl<R: Representation, F> std::fmt::Debug for MarketView<R, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MarketView<{}> at {} with {} datasets", R::NAME, fmt_et(self.now), self.datasets.len())
    }
}
