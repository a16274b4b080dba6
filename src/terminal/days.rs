//! One security's day as the answers read it: the underlying and its session
//! path, which minutes have closed at `now`, and the day's stretches of minutes
//! (the session; for a stock also the extended hours an answer reaches) with
//! their bars, quotes and trades.

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};

use super::daily::{DailyPath, daily_path};
use super::extended::{self, Extended};
use super::intraday::{Bar, Quote, minute_bars, minute_quotes, price_path};
use super::options::{Contract, contract_day, contract_key};
use super::request::{SESSION_END_MS, SESSION_START_MS, SecurityKind};
use super::rng::Rng;
use super::trades::{OPTION_TAPE, STOCK_TAPE, Tape, Trade, bar_trades, minute_rng};
use super::universe::{Kind, Profile, lookup};
use crate::market::Calendar;
use crate::market::time::{ET, et_date, et_to_utc};

/// ET minute of the day of the open.
pub const OPEN_MINUTE: u32 = 9 * 60 + 30;

/// ET minute of the day of the end-of-day report.
pub const REPORT_MINUTE: u32 = 17 * 60 + 15;

/// Whether the end-of-day report for `date` exists at `now` (it is created at 17:15 ET).
pub fn report_published(date: NaiveDate, now: DateTime<Utc>) -> bool {
    NaiveTime::from_hms_opt(REPORT_MINUTE / 60, REPORT_MINUTE % 60, 0).is_some_and(|t| et_to_utc(date, t) <= now)
}

/// The terminal has nothing for this request (472).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoData;

/// A known symbol with its daily path.
pub struct Underlying {
    pub profile: &'static Profile,
    pub path: &'static DailyPath,
}

pub fn underlying(symbol: &str, kind: SecurityKind) -> Result<Underlying, NoData> {
    let (slot, profile) = lookup(symbol).ok_or(NoData)?;
    let fits = match kind {
        SecurityKind::Stock => profile.kind == Kind::Stock,
        SecurityKind::Index => profile.kind == Kind::Index,
        SecurityKind::Option => true,
    };
    let path = daily_path(slot).filter(|_| fits).ok_or(NoData)?;
    Ok(Underlying { profile, path })
}

/// Minutes of `date`'s session with data at `now`: all of a past day, the closed ones today.
pub fn minutes_available(date: NaiveDate, now: DateTime<Utc>) -> Result<usize, NoData> {
    let session = Calendar::session(date).ok_or(NoData)?;
    if date > et_date(now) {
        return Err(NoData);
    }
    let elapsed = (now.min(session.close) - session.open).num_minutes().max(0);
    Ok(usize::try_from(elapsed).unwrap_or_default())
}

/// The underlying's price at each minute boundary of `date`'s session.
pub fn session_path(u: &Underlying, date: NaiveDate) -> Result<Vec<f64>, NoData> {
    let session = Calendar::session(date).ok_or(NoData)?;
    let day = u.path.day(date).ok_or(NoData)?;
    Ok(price_path(u.profile, day, usize::try_from(session.minutes()).unwrap_or_default()))
}

/// How many of the `len` minutes from `first` (minute of the day) have closed at `now`.
fn closed(first: u32, len: usize, date: NaiveDate, now: DateTime<Utc>) -> usize {
    let today = et_date(now);
    if date != today {
        return if date < today { len } else { 0 };
    }
    let now_minute = now.with_timezone(&ET).time().num_seconds_from_midnight() / 60;
    (now_minute.saturating_sub(first) as usize).min(len)
}

/// The extended hours an answer covers besides a stock's session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub pre: bool,
    pub post: bool,
}

impl Hours {
    pub const ALL: Hours = Hours { pre: true, post: true };

    /// What a `start_time`..`end_time` window (ms of the day) reaches: the
    /// pre-market when it starts before 09:30, the post-market when it ends after 16:00.
    pub fn reached_by(start_ms: u32, end_ms: u32) -> Hours {
        Hours { pre: start_ms < SESSION_START_MS, post: end_ms > SESSION_END_MS }
    }
}

/// What an answer reads of a stock's session: its bars, its quotes, or both
/// (the other is not drawn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wants {
    Bars,
    Quotes,
    Both,
}

impl Wants {
    fn bars(self) -> bool {
        self != Wants::Quotes
    }

    fn quotes(self) -> bool {
        self != Wants::Bars
    }
}

/// A run of minutes with a bar and a quote each: minute `k` starts `first + k`
/// minutes after midnight ET. Only the minutes closed at `now`.
pub struct Stretch {
    pub first: u32,
    pub bars: Vec<Bar>,
    pub quotes: Vec<Quote>,
    /// Whether its trades are drawn to meet the bar's vwap (the session's stock
    /// bars, which were drawn first) rather than setting it (extended hours).
    steer_vwap: bool,
}

impl Stretch {
    fn new(
        first: u32,
        bars: Vec<Bar>,
        quotes: Vec<Quote>,
        steer_vwap: bool,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Stretch {
        let mut stretch = Stretch { first, bars, quotes, steer_vwap };
        let closed = closed(first, stretch.bars.len().max(stretch.quotes.len()), date, now);
        stretch.bars.truncate(closed);
        stretch.quotes.truncate(closed);
        stretch
    }

    /// Its minutes (those of its bars or its quotes, whichever were drawn).
    pub fn len(&self) -> usize {
        self.bars.len().max(self.quotes.len())
    }

    /// The minute of the day of minute `k`.
    pub fn minute_of_day(&self, k: usize) -> u32 {
        self.first + k as u32
    }
}

/// Who a day's trades belong to: seeds them apart from every other security's.
#[derive(Debug, Clone, Copy)]
enum Owner {
    Stock(&'static str),
    Contract(&'static str, [u8; 13]),
}

impl Owner {
    fn rng(&self, date: NaiveDate, minute_of_day: u32) -> Rng {
        match self {
            Owner::Stock(symbol) => minute_rng(&[symbol.as_bytes()], date, minute_of_day),
            Owner::Contract(symbol, key) => minute_rng(&[symbol.as_bytes(), key], date, minute_of_day),
        }
    }

    fn tape(&self) -> Tape {
        match self {
            Owner::Stock(_) => STOCK_TAPE,
            Owner::Contract(..) => OPTION_TAPE,
        }
    }

    /// The trades of `bar`, at `minute_of_day`.
    fn trades(&self, date: NaiveDate, bar: &Bar, minute_of_day: u32, steer_vwap: bool) -> Vec<Trade> {
        bar_trades(&mut self.rng(date, minute_of_day), bar, minute_of_day, self.tape(), steer_vwap)
    }
}

/// One security's day: its stretches in time order.
pub struct Day {
    pub date: NaiveDate,
    pub stretches: Vec<Stretch>,
    owner: Owner,
}

impl Day {
    /// A stock's or an index's day on `path`, its session path: the session's
    /// bars or quotes as `wants` says, and for a stock the extended hours `hours`
    /// asks for (all of theirs: they are thin).
    pub fn stock(
        u: &Underlying,
        date: NaiveDate,
        path: &[f64],
        hours: Hours,
        wants: Wants,
        now: DateTime<Utc>,
    ) -> Result<Day, NoData> {
        let prices = u.path.day(date).ok_or(NoData)?;
        let owner = Owner::Stock(u.profile.symbol);
        let bars = if wants.bars() { minute_bars(u.profile, date, path) } else { Vec::new() };
        let quotes = if wants.quotes() { minute_quotes(u.profile, date, path) } else { Vec::new() };
        let session = Stretch::new(OPEN_MINUTE, bars, quotes, true, date, now);
        let mut day = Day { date, stretches: Vec::with_capacity(3), owner };
        let extended = u.profile.kind == Kind::Stock;
        let close_minute = OPEN_MINUTE + path.len().saturating_sub(1) as u32;
        let trades = |bar: &Bar, minute: u32| owner.trades(date, bar, minute, false);
        let thin = |part: Extended, first: u32| Stretch::new(first, part.bars, part.quotes, false, date, now);
        if extended && hours.pre {
            let part = extended::pre_market(u.profile, u.path, prices, OPEN_MINUTE, &trades);
            day.stretches.push(thin(part, extended::PRE_MARKET_OPEN));
        }
        day.stretches.push(session);
        if extended && hours.post {
            let part = extended::post_market(u.profile, u.path, prices, close_minute, &trades);
            day.stretches.push(thin(part, close_minute));
        }
        Ok(day)
    }

    /// A contract's session on `path`, its underlying's session path.
    pub fn contract(u: &Underlying, contract: &Contract, date: NaiveDate, path: &[f64], now: DateTime<Utc>) -> Day {
        let session = contract_day(u.profile, contract, date, path);
        let stretch = Stretch::new(OPEN_MINUTE, session.bars, session.quotes, false, date, now);
        Day { date, stretches: vec![stretch], owner: Owner::Contract(u.profile.symbol, contract_key(contract, date)) }
    }

    /// The trades of minute `k` of `stretch`, in time order (none without a bar).
    pub fn trades(&self, stretch: &Stretch, k: usize) -> Vec<Trade> {
        stretch.bars.get(k).map_or_else(Vec::new, |bar| {
            self.owner.trades(self.date, bar, stretch.minute_of_day(k), stretch.steer_vwap)
        })
    }

    /// Every minute of the day, latest first, as (stretch, minute index), from
    /// the one holding `ms` (milliseconds of the day) back.
    pub fn minutes_back_from(&self, ms: u32) -> impl Iterator<Item = (&Stretch, usize)> {
        let minute = ms / 60_000;
        self.stretches.iter().rev().filter(move |s| s.first <= minute).flat_map(move |s| {
            let last = (minute - s.first) as usize;
            (0..s.len().min(last + 1)).rev().map(move |k| (s, k))
        })
    }
}
