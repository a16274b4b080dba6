//! Coverage in trading days: which days a dataset holds, which are placeholders
//! (complete past sessions the terminal had no data for), and what a window
//! still needs. Day sets are bitsets over the calendar's years, so the HIT path
//! is a handful of word operations.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};

use crate::market::calendar::{FIRST_DAY, FIRST_YEAR, LAST_DAY, LAST_YEAR};
use crate::market::{Asset, Calendar};

const WORDS: usize = 110; // 19 years of days, 64 per word

/// A window of ET calendar dates, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("start {start} is after end {end}")]
    Reversed { start: NaiveDate, end: NaiveDate },
    #[error("{0} is outside the calendar's years {FIRST_YEAR}..={LAST_YEAR}")]
    OutOfRange(NaiveDate),
}

impl Window {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Window, WindowError> {
        if start > end {
            return Err(WindowError::Reversed { start, end });
        }
        for day in [start, end] {
            if !Calendar::covers(day) {
                return Err(WindowError::OutOfRange(day));
            }
        }
        Ok(Window { start, end })
    }
}

/// A set of days between the calendar's first and last year.
#[derive(Clone, PartialEq, Eq)]
pub struct DaySet {
    words: Box<[u64; WORDS]>,
}

impl Default for DaySet {
    fn default() -> Self {
        DaySet { words: Box::new([0; WORDS]) }
    }
}

impl std::fmt::Debug for DaySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

fn index(day: NaiveDate) -> Option<usize> {
    usize::try_from((day - FIRST_DAY).num_days()).ok().filter(|i| *i < WORDS * 64)
}

impl DaySet {
    /// Every NYSE session, built once.
    pub fn sessions() -> &'static DaySet {
        static SESSIONS: OnceLock<DaySet> = OnceLock::new();
        SESSIONS.get_or_init(|| Calendar::sessions_between(FIRST_DAY, LAST_DAY).collect())
    }

    /// Every day in `[start, end]` (clipped to the calendar's range).
    pub fn range(start: NaiveDate, end: NaiveDate) -> DaySet {
        let mut set = DaySet::default();
        let (Some(lo), Some(hi)) = (index(start.max(FIRST_DAY)), index(end.min(LAST_DAY))) else {
            return set;
        };
        if start > end {
            return set;
        }
        for (w, word) in set.words.iter_mut().enumerate() {
            let (first, last) = (w * 64, w * 64 + 63);
            if last < lo || first > hi {
                continue;
            }
            let from = lo.saturating_sub(first);
            let to = (hi - first).min(63);
            let width = to - from + 1;
            let mask = if width == 64 { u64::MAX } else { ((1u64 << width) - 1) << from };
            *word |= mask;
        }
        set
    }

    /// Inserts a day; days outside the calendar's range are refused.
    pub fn insert(&mut self, day: NaiveDate) -> bool {
        match index(day) {
            Some(i) => {
                self.words[i / 64] |= 1 << (i % 64);
                true
            }
            None => false,
        }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        index(day).is_some_and(|i| self.words[i / 64] & (1 << (i % 64)) != 0)
    }

    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    pub fn union(&self, other: &DaySet) -> DaySet {
        self.zip(other, |a, b| a | b)
    }

    pub fn intersection(&self, other: &DaySet) -> DaySet {
        self.zip(other, |a, b| a & b)
    }

    pub fn difference(&self, other: &DaySet) -> DaySet {
        self.zip(other, |a, b| a & !b)
    }

    /// Whether `self ⊆ covered ∪ placeholders` restricted to nothing else:
    /// the allocation-free test the HIT path uses.
    pub fn is_covered_by(&self, covered: &DaySet, placeholders: &DaySet) -> bool {
        (0..WORDS).all(|w| self.words[w] & !(covered.words[w] | placeholders.words[w]) == 0)
    }

    fn zip(&self, other: &DaySet, f: impl Fn(u64, u64) -> u64) -> DaySet {
        let mut out = DaySet::default();
        for w in 0..WORDS {
            out.words[w] = f(self.words[w], other.words[w]);
        }
        out
    }

    pub fn first(&self) -> Option<NaiveDate> {
        self.iter().next()
    }

    pub fn last(&self) -> Option<NaiveDate> {
        let (w, word) = self.words.iter().enumerate().rev().find(|(_, w)| **w != 0)?;
        let bit = 63 - word.leading_zeros() as usize;
        Some(FIRST_DAY + chrono::Duration::days((w * 64 + bit) as i64))
    }

    /// Days in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            (0..64)
                .filter(move |bit| word & (1 << bit) != 0)
                .map(move |bit| FIRST_DAY + chrono::Duration::days((w * 64 + bit) as i64))
        })
    }
}

impl FromIterator<NaiveDate> for DaySet {
    fn from_iter<I: IntoIterator<Item = NaiveDate>>(iter: I) -> DaySet {
        let mut set = DaySet::default();
        for day in iter {
            set.insert(day);
        }
        set
    }
}

/// The trading days a request for `window` of `asset` needs: sessions in the
/// window, clamped to an option's expiration and to the last complete session.
pub fn required_days(asset: &Asset, window: Window, now: DateTime<Utc>) -> DaySet {
    let mut end = window.end.min(Calendar::last_complete_session(now));
    if let Some(expiration) = asset.expiration() {
        end = end.min(expiration);
    }
    DaySet::range(window.start, end).intersection(DaySet::sessions())
}

/// Why days are missing, relative to what is already held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissReason {
    /// Missing days before the first held day (or nothing is held).
    Start,
    /// Missing days after the last held day.
    End,
    /// Missing days between held days.
    Gap,
}

impl MissReason {
    pub fn as_str(self) -> &'static str {
        match self {
            MissReason::Start => "start",
            MissReason::End => "end",
            MissReason::Gap => "gap",
        }
    }
}

/// What a dataset holds, in trading days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub days: DaySet,
    pub placeholders: DaySet,
}

impl Coverage {
    pub fn held(&self) -> DaySet {
        self.days.union(&self.placeholders)
    }

    pub fn missing(&self, required: &DaySet) -> DaySet {
        required.difference(&self.held())
    }

    /// The reasons for a set of missing days, in `start, end, gap` order.
    pub fn reasons(&self, missing: &DaySet) -> Vec<MissReason> {
        let held = self.held();
        let (Some(first), Some(last)) = (held.first(), held.last()) else {
            return vec![MissReason::Start, MissReason::End];
        };
        let mut reasons = Vec::new();
        if missing.first().is_some_and(|d| d < first) {
            reasons.push(MissReason::Start);
        }
        if missing.last().is_some_and(|d| d > last) {
            reasons.push(MissReason::End);
        }
        if missing.iter().any(|d| d > first && d < last) {
            reasons.push(MissReason::Gap);
        }
        reasons
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn required_days_are_sessions_clamped_to_expiry_and_today() {
        let window = Window::new(d("2025-03-31"), d("2025-04-30")).unwrap();
        let stock = required_days(&Asset::stock("PLTR").unwrap(), window, now());
        assert_eq!(stock.first(), Some(d("2025-03-31")));
        assert_eq!(stock.last(), Some(d("2025-04-30")));
        assert!(!stock.contains(d("2025-04-18")), "Good Friday is no session");
        assert_eq!(stock.len(), 22);

        let option: Asset = "PLTR 2025-04-17 91 C".parse().unwrap();
        let days = required_days(&option, window, now());
        assert_eq!(days.last(), Some(d("2025-04-17")), "nothing past expiry");

        let mid_session: DateTime<Utc> = "2025-04-10T15:00:00Z".parse().unwrap();
        assert_eq!(required_days(&Asset::stock("PLTR").unwrap(), window, mid_session).last(), Some(d("2025-04-09")));
    }

    #[test]
    fn missing_days_and_reasons() {
        let required: DaySet = Calendar::sessions_between(d("2025-03-03"), d("2025-03-14")).collect();
        let mut coverage = Coverage::default();
        assert_eq!(coverage.reasons(&coverage.missing(&required)), vec![MissReason::Start, MissReason::End]);
        for day in ["2025-03-04", "2025-03-05", "2025-03-10", "2025-03-11"] {
            coverage.days.insert(d(day));
        }
        coverage.placeholders.insert(d("2025-03-06"));
        let missing = coverage.missing(&required);
        assert_eq!(
            missing.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            ["2025-03-03", "2025-03-07", "2025-03-12", "2025-03-13", "2025-03-14"]
        );
        assert_eq!(coverage.reasons(&missing), vec![MissReason::Start, MissReason::End, MissReason::Gap]);
        assert!(!required.is_covered_by(&coverage.days, &coverage.placeholders));
        for day in missing.iter() {
            coverage.days.insert(day);
        }
        assert!(required.is_covered_by(&coverage.days, &coverage.placeholders));
    }

    #[test]
    fn day_set_range_and_bounds() {
        let set = DaySet::range(d("2012-01-01"), d("2012-03-10"));
        assert_eq!(set.len(), 70);
        assert_eq!(set.first(), Some(d("2012-01-01")));
        assert_eq!(set.last(), Some(d("2012-03-10")));
        let mut edge = DaySet::default();
        assert!(!edge.insert(d("2011-12-31")));
        assert!(edge.insert(d("2030-12-31")));
        assert_eq!(edge.last(), Some(d("2030-12-31")));
        assert!(Window::new(d("2025-02-01"), d("2025-01-01")).is_err());
        assert!(Window::new(d("2011-02-01"), d("2025-01-01")).is_err());
    }
}
