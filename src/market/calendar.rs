//! The NYSE trading calendar, 2012 through 2030: weekend and holiday rules, the
//! special closures the rules cannot know, and 13:00 ET early closes.
//!
//! No maintained Rust crate covers NYSE sessions with special closures, so this is
//! the rules plus a table. Days are precomputed once into a table for O(1) lookups.

use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};

use super::time::et_to_utc;

/// First and last years the calendar vouches for.
pub const FIRST_YEAR: i32 = 2012;
pub const LAST_YEAR: i32 = 2030;
/// The first and last days it covers (checked when compiled).
pub const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1) {
    Some(day) => day,
    None => panic!("FIRST_YEAR has a January 1st"),
};
pub const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31) {
    Some(day) => day,
    None => panic!("LAST_YEAR has a December 31st"),
};

/// Unscheduled closures: Hurricane Sandy and national days of mourning.
const SPECIAL_CLOSURES: [(i32, u32, u32); 4] = [(2012, 10, 29), (2012, 10, 30), (2018, 12, 5), (2025, 1, 9)];

/// One trading session's open and close, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub date: NaiveDate,
    pub open: DateTime<Utc>,
    pub close: DateTime<Utc>,
}

impl Session {
    pub fn is_early_close(&self) -> bool {
        self.close - self.open < Duration::minutes(390)
    }

    /// Minutes from open to close: 390, or 210 on early-close days.
    pub fn minutes(&self) -> i64 {
        (self.close - self.open).num_minutes()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Day {
    Closed,
    Full,
    Early,
}

/// The NYSE calendar. Cheap to copy; the table behind it is built once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Calendar;

impl Calendar {
    fn table() -> &'static [Day] {
        static TABLE: OnceLock<Vec<Day>> = OnceLock::new();
        TABLE.get_or_init(|| {
            let mut day = FIRST_DAY;
            let last = LAST_DAY;
            let mut table = Vec::with_capacity(7000);
            while day <= last {
                table.push(classify(day));
                day += Duration::days(1);
            }
            table
        })
    }

    fn day(date: NaiveDate) -> Day {
        let index = (date - FIRST_DAY).num_days();
        match usize::try_from(index).ok().and_then(|i| Self::table().get(i)) {
            Some(day) => *day,
            // Outside the table the rules still apply, without special closures.
            None => classify(date),
        }
    }

    /// Whether `date` lies in the years the calendar is known to be right for.
    pub fn covers(date: NaiveDate) -> bool {
        (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
    }

    pub fn is_session(date: NaiveDate) -> bool {
        Self::day(date) != Day::Closed
    }

    pub fn session(date: NaiveDate) -> Option<Session> {
        let close = match Self::day(date) {
            Day::Closed => return None,
            Day::Full => NaiveTime::from_hms_opt(16, 0, 0),
            Day::Early => NaiveTime::from_hms_opt(13, 0, 0),
        }?;
        let open = NaiveTime::from_hms_opt(9, 30, 0)?;
        Some(Session { date, open: et_to_utc(date, open), close: et_to_utc(date, close) })
    }

    /// Session dates in `[start, end]`, in order.
    pub fn sessions_between(start: NaiveDate, end: NaiveDate) -> impl Iterator<Item = NaiveDate> {
        start.iter_days().take_while(move |d| *d <= end).filter(|d| Self::is_session(*d))
    }

    /// The first session on or after `date`.
    pub fn session_on_or_after(date: NaiveDate) -> NaiveDate {
        date.iter_days().find(|d| Self::is_session(*d)).unwrap_or(date)
    }

    /// The last session on or before `date`.
    pub fn session_on_or_before(date: NaiveDate) -> NaiveDate {
        let mut day = date;
        while !Self::is_session(day) {
            day -= Duration::days(1);
        }
        day
    }

    /// The next session strictly after `date`.
    pub fn next_session(date: NaiveDate) -> NaiveDate {
        Self::session_on_or_after(date + Duration::days(1))
    }

    /// The previous session strictly before `date`.
    pub fn previous_session(date: NaiveDate) -> NaiveDate {
        Self::session_on_or_before(date - Duration::days(1))
    }

    /// The latest session whose close is at or before `now`: the last day whose
    /// data is complete and may be cached.
    pub fn last_complete_session(now: DateTime<Utc>) -> NaiveDate {
        let today = super::time::et_date(now);
        let mut day = Self::session_on_or_before(today);
        loop {
            match Self::session(day) {
                Some(s) if s.close <= now => return day,
                _ => day = Self::previous_session(day),
            }
        }
    }

    /// The weekly option expiration for the week of `date`: that week's Friday, or
    /// the Thursday before when Friday is a holiday. `None` if neither is a session.
    pub fn weekly_expiration(date: NaiveDate) -> Option<NaiveDate> {
        let friday = date + Duration::days(4 - i64::from(date.weekday().num_days_from_monday()));
        [friday, friday - Duration::days(1)].into_iter().find(|d| Self::is_session(*d))
    }
}

fn classify(date: NaiveDate) -> Day {
    if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) || is_holiday(date) {
        Day::Closed
    } else if is_early_close(date) {
        Day::Early
    } else {
        Day::Full
    }
}

// The holiday rules below only ever name real dates; a failure would be a bug in
// this file, which the calendar's tests (published session counts) would show.
#[allow(clippy::expect_used)]
fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("calendar rule produced a valid date")
}

/// The n-th (1-based) `weekday` of a month.
#[allow(clippy::expect_used)]
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n).expect("calendar rule produced a valid date")
}

fn last_weekday(year: i32, month: u32, weekday: Weekday) -> NaiveDate {
    let next_month = if month == 12 { ymd(year + 1, 1, 1) } else { ymd(year, month + 1, 1) };
    let mut day = next_month - Duration::days(1);
    while day.weekday() != weekday {
        day -= Duration::days(1);
    }
    day
}

/// Saturday holidays are observed on Friday, Sunday holidays on Monday.
fn observed(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date - Duration::days(1),
        Weekday::Sun => date + Duration::days(1),
        _ => date,
    }
}

/// Easter Sunday (anonymous Gregorian algorithm).
fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

fn is_holiday(date: NaiveDate) -> bool {
    let y = date.year();
    let special = SPECIAL_CLOSURES.iter().any(|&(sy, sm, sd)| date == ymd(sy, sm, sd));
    // A New Year's Day on Saturday would be observed in the previous year, which
    // the NYSE does not do; comparing within `date`'s own year leaves it out.
    let new_year = observed(ymd(y, 1, 1)) == date;
    let juneteenth = y >= 2022 && observed(ymd(y, 6, 19)) == date;
    special
        || new_year
        || date == nth_weekday(y, 1, Weekday::Mon, 3) // Martin Luther King Jr. Day
        || date == nth_weekday(y, 2, Weekday::Mon, 3) // Washington's Birthday
        || date == easter(y) - Duration::days(2) // Good Friday
        || date == last_weekday(y, 5, Weekday::Mon) // Memorial Day
        || juneteenth
        || date == observed(ymd(y, 7, 4))
        || date == nth_weekday(y, 9, Weekday::Mon, 1) // Labor Day
        || date == nth_weekday(y, 11, Weekday::Thu, 4) // Thanksgiving
        || date == observed(ymd(y, 12, 25))
}

/// 13:00 closes: July 3 and December 24 when they fall Monday to Thursday, and
/// the day after Thanksgiving.
fn is_early_close(date: NaiveDate) -> bool {
    let y = date.year();
    let weekday_before_holiday =
        |m, d| date == ymd(y, m, d) && !matches!(date.weekday(), Weekday::Fri | Weekday::Sat | Weekday::Sun);
    weekday_before_holiday(7, 3)
        || weekday_before_holiday(12, 24)
        || date == nth_weekday(y, 11, Weekday::Thu, 4) + Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn known_closures() {
        for closed in [
            "2012-01-02",
            "2012-04-06",
            "2012-10-29",
            "2012-10-30",
            "2015-04-03",
            "2016-12-26",
            "2017-01-02",
            "2018-12-05",
            "2020-07-03",
            "2021-12-24",
            "2022-06-20",
            "2022-12-26",
            "2023-01-02",
            "2023-06-19",
            "2024-03-29",
            "2024-06-19",
            "2025-01-01",
            "2025-01-09",
            "2025-01-20",
            "2025-02-17",
            "2025-04-18",
            "2025-05-26",
            "2025-06-19",
            "2025-07-04",
            "2025-09-01",
            "2025-11-27",
            "2025-12-25",
            "2026-07-03",
            "2027-06-18",
            "2027-12-24",
            "2028-12-25",
            "2030-04-19",
        ] {
            assert!(!Calendar::is_session(d(closed)), "{closed} should be closed");
        }
    }

    #[test]
    fn known_sessions() {
        // 2021-12-31: New Year's 2022 fell on a Saturday and was not observed.
        // 2022-01-03 and 2023-06-20 follow observed holidays; 2025-01-10 follows a closure.
        for open in ["2021-12-31", "2022-01-03", "2023-06-20", "2025-01-08", "2025-01-10", "2025-03-10", "2025-11-03"] {
            assert!(Calendar::is_session(d(open)), "{open} should be a session");
        }
    }

    #[test]
    fn early_closes_at_1300_et() {
        for early in ["2019-07-03", "2020-11-27", "2023-07-03", "2024-12-24", "2025-07-03", "2025-11-28", "2025-12-24"]
        {
            let s = Calendar::session(d(early)).unwrap();
            assert!(s.is_early_close(), "{early} should close early");
            assert_eq!(s.minutes(), 210);
        }
        let s = Calendar::session(d("2025-11-28")).unwrap();
        assert_eq!(s.close.to_rfc3339(), "2025-11-28T18:00:00+00:00");
        assert!(!Calendar::session(d("2021-07-02")).unwrap().is_early_close());
    }

    #[test]
    fn session_counts_per_year() {
        // Published NYSE session counts.
        let count = |y| Calendar::sessions_between(ymd(y, 1, 1), ymd(y, 12, 31)).count();
        assert_eq!(count(2012), 250);
        assert_eq!(count(2018), 251);
        assert_eq!(count(2022), 251);
        assert_eq!(count(2023), 250);
        assert_eq!(count(2024), 252);
        assert_eq!(count(2025), 250);
    }

    #[test]
    fn opens_follow_daylight_saving() {
        assert_eq!(Calendar::session(d("2025-03-07")).unwrap().open.to_rfc3339(), "2025-03-07T14:30:00+00:00");
        assert_eq!(Calendar::session(d("2025-03-10")).unwrap().open.to_rfc3339(), "2025-03-10T13:30:00+00:00");
        assert_eq!(Calendar::session(d("2025-11-03")).unwrap().open.to_rfc3339(), "2025-11-03T14:30:00+00:00");
    }

    #[test]
    fn last_complete_session_waits_for_the_close() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(Calendar::last_complete_session(at("2025-03-10T19:59:00Z")), d("2025-03-07"));
        assert_eq!(Calendar::last_complete_session(at("2025-03-10T20:00:00Z")), d("2025-03-10"));
        assert_eq!(Calendar::last_complete_session(at("2025-03-09T12:00:00Z")), d("2025-03-07"));
    }

    #[test]
    fn weekly_expirations_move_to_thursday_on_holidays() {
        assert_eq!(Calendar::weekly_expiration(d("2025-04-14")), Some(d("2025-04-17")));
        assert_eq!(Calendar::weekly_expiration(d("2025-04-21")), Some(d("2025-04-25")));
        assert_eq!(Calendar::weekly_expiration(d("2025-03-09")), Some(d("2025-03-07")));
    }
}
