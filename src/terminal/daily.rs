//! Each symbol's daily path: one open and close per NYSE session from 2012-01-03
//! through 2030, a mean-reverting random walk of the log price with small
//! overnight gaps. The walk starts at the base price on the first session of
//! 2025 and runs forward and backward from there, so recent years sit near
//! today's real price levels. Computed once per symbol (a pure function,
//! memoized), so a day's prices never depend on which requests came first.

use std::sync::OnceLock;

use chrono::NaiveDate;

use super::rng::Rng;
use super::universe::{Profile, UNIVERSE};
use crate::market::Calendar;
use crate::market::calendar::{FIRST_YEAR, LAST_YEAR};

/// Per-session pull of the log price toward the base (half-life about 140 sessions).
const MEAN_REVERSION: f64 = 0.005;
/// Shares of the daily variance taken by the overnight gap and by the session.
pub const GAP_SHARE: f64 = 0.35;
pub const SESSION_SHARE: f64 = 0.94;
pub const SESSIONS_PER_YEAR: f64 = 252.0;

/// One session's open and close, in dollars (unrounded).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayPrices {
    pub date: NaiveDate,
    pub open: f64,
    pub close: f64,
}

#[derive(Debug)]
pub struct DailyPath {
    days: Vec<DayPrices>,
}

impl DailyPath {
    pub fn first_date() -> NaiveDate {
        NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).map(Calendar::session_on_or_after).unwrap_or_default()
    }

    pub fn last_date() -> NaiveDate {
        NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).unwrap_or_default()
    }

    /// The session where the walk starts at the base price.
    fn anchor_date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 1, 2).unwrap_or_default()
    }

    fn generate(profile: &Profile) -> DailyPath {
        let sessions: Vec<NaiveDate> = Calendar::sessions_between(Self::first_date(), Self::last_date()).collect();
        let split = sessions.partition_point(|d| *d < Self::anchor_date());
        let (before, after) = sessions.split_at(split);
        let mut days = Walk::new(profile, b"daily-back").backward(before);
        days.extend(Walk::new(profile, b"daily").forward(after));
        DailyPath { days }
    }

    /// The session on `date`, if there is one in the path.
    pub fn day(&self, date: NaiveDate) -> Option<&DayPrices> {
        self.days.binary_search_by_key(&date, |d| d.date).ok().map(|i| &self.days[i])
    }

    /// Sessions in `[start, end]`.
    pub fn between(&self, start: NaiveDate, end: NaiveDate) -> &[DayPrices] {
        let from = self.days.partition_point(|d| d.date < start);
        let to = self.days.partition_point(|d| d.date <= end);
        &self.days[from..to.max(from)]
    }
}

/// The random walk of one symbol's log price, in either direction from the anchor.
struct Walk {
    rng: Rng,
    daily_sd: f64,
    level: f64,
}

impl Walk {
    fn new(profile: &Profile, purpose: &[u8]) -> Walk {
        Walk {
            rng: Rng::keyed(&[profile.symbol.as_bytes(), purpose]),
            daily_sd: profile.annual_vol / SESSIONS_PER_YEAR.sqrt(),
            level: profile.base_price.ln(),
        }
    }

    fn gap(&mut self) -> f64 {
        GAP_SHARE * self.daily_sd * self.rng.normal()
    }

    /// The log-price change over a session that starts at `from`, pulled toward the base.
    fn session_move(&mut self, from: f64) -> f64 {
        MEAN_REVERSION * (self.level - from) + SESSION_SHARE * self.daily_sd * self.rng.normal()
    }

    /// Sessions after the anchor: gap from the previous close, then the session.
    fn forward(mut self, dates: &[NaiveDate]) -> Vec<DayPrices> {
        let mut close = self.level;
        let mut out = Vec::with_capacity(dates.len());
        for date in dates {
            let open = close + self.gap();
            close = open + self.session_move(open);
            out.push(DayPrices { date: *date, open: open.exp(), close: close.exp() });
        }
        out
    }

    /// Sessions before the anchor, walked back from the anchor's open; in date order.
    fn backward(mut self, dates: &[NaiveDate]) -> Vec<DayPrices> {
        let mut next_open = self.level;
        let mut out = Vec::with_capacity(dates.len());
        for date in dates.iter().rev() {
            let close = next_open - self.gap();
            let open = close + self.session_move(close);
            out.push(DayPrices { date: *date, open: open.exp(), close: close.exp() });
            next_open = open;
        }
        out.reverse();
        out
    }
}

/// The daily path of the universe's `slot`-th symbol, built on first use.
pub fn daily_path(slot: usize) -> Option<&'static DailyPath> {
    static PATHS: [OnceLock<DailyPath>; UNIVERSE.len()] = [const { OnceLock::new() }; UNIVERSE.len()];
    let profile = UNIVERSE.get(slot)?;
    Some(PATHS.get(slot)?.get_or_init(|| DailyPath::generate(profile)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::universe::lookup;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn covers_every_session_and_stays_plausible() {
        for (slot, profile) in UNIVERSE.iter().enumerate() {
            let path = daily_path(slot).unwrap();
            assert!(path.day(d("2012-01-03")).is_some());
            assert!(path.day(d("2030-12-31")).is_some());
            assert!(path.day(d("2025-07-04")).is_none());
            for day in path.between(d("2012-01-01"), d("2030-12-31")) {
                let ratio = day.close / profile.base_price;
                assert!((0.1..10.0).contains(&ratio), "{} on {} at {}", profile.symbol, day.date, day.close);
            }
        }
    }

    #[test]
    fn gaps_are_small_and_days_chain() {
        let (slot, _) = lookup("PLTR").unwrap();
        let path = daily_path(slot).unwrap();
        let days = path.between(d("2025-01-01"), d("2025-12-31"));
        assert_eq!(days.len(), 250);
        for pair in days.windows(2) {
            let gap = (pair[1].open / pair[0].close).ln().abs();
            assert!(gap < 0.15, "gap {gap} on {}", pair[1].date);
        }
        assert_eq!(path.between(d("2025-07-03"), d("2025-07-07")).len(), 2, "07-04 is a holiday");
    }
}
