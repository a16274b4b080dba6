//! When a bar may be seen: an intraday bar at `stamp + interval`, a daily bar
//! at its session's close (13:00 ET on early-close days).

use chrono::{DateTime, Utc};

use crate::market::time::et_date_ms;
use crate::market::{Calendar, Timestep};

/// How many of the sorted `stamps` (bar opens, UTC ms) are complete at `now`.
pub fn visible_bars(stamps: &[i64], timestep: Timestep, now: DateTime<Utc>) -> usize {
    visible_bars_from(stamps, timestep, now.timestamp_millis(), 0)
}

/// [`visible_bars`], starting from a previous answer: the clock moves forward a
/// bar at a time, so for intraday bars a short walk from `hint` usually finds the
/// answer without a binary search. Daily bars (a few hundred) are searched whole.
#[inline]
pub fn visible_bars_from(stamps: &[i64], timestep: Timestep, now_ms: i64, hint: usize) -> usize {
    match timestep.intraday_ms() {
        // Complete once `stamp + interval <= now`: a first index past a cutoff.
        Some(interval) => first_at_or_after(stamps, now_ms - interval + 1, hint),
        None => {
            let complete =
                |t: &i64| Calendar::session(et_date_ms(*t)).is_some_and(|s| s.close.timestamp_millis() <= now_ms);
            stamps.partition_point(complete)
        }
    }
}

/// The first index whose stamp is at or after `t_ms`, searched from `hint`
/// outward: fills ask about the bar right after the clock, which is where the
/// visibility cursor already points.
#[inline]
pub fn first_at_or_after(stamps: &[i64], t_ms: i64, hint: usize) -> usize {
    const WALK: usize = 8;
    let hint = hint.min(stamps.len());
    if hint == 0 || stamps[hint - 1] < t_ms {
        let walked = stamps[hint..].iter().take(WALK).take_while(|s| **s < t_ms).count();
        if walked < WALK {
            return hint + walked;
        }
    }
    stamps.partition_point(|s| *s < t_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::time::et_to_utc;
    use chrono::{NaiveDate, NaiveTime};

    fn at(day: &str, hm: (u32, u32)) -> DateTime<Utc> {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        et_to_utc(day, NaiveTime::from_hms_opt(hm.0, hm.1, 0).unwrap())
    }

    #[test]
    fn first_at_or_after_agrees_with_a_binary_search() {
        let stamps: Vec<i64> = (0..100).map(|i| i * 60).collect();
        for t in [-5, 0, 1, 59, 60, 61, 3000, 5940, 5941, 9000] {
            let exact = stamps.partition_point(|s| *s < t);
            for hint in [0, 1, 50, exact, exact.saturating_sub(3), exact + 3, 200] {
                assert_eq!(first_at_or_after(&stamps, t, hint), exact, "t {t} hint {hint}");
            }
        }
    }

    #[test]
    fn a_hint_gives_the_same_answer() {
        let stamps: Vec<i64> = (0..300).map(|m| at("2025-03-10", (9, 30)).timestamp_millis() + m * 60_000).collect();
        for minute in [0, 1, 5, 59, 120, 299, 300] {
            let now = at("2025-03-10", (9, 30)) + chrono::Duration::minutes(minute);
            let exact = visible_bars(&stamps, Timestep::Minute, now);
            for hint in [0, 1, 3, exact, exact.saturating_sub(1), exact + 5, 1000] {
                assert_eq!(
                    visible_bars_from(&stamps, Timestep::Minute, now.timestamp_millis(), hint),
                    exact,
                    "minute {minute} hint {hint}"
                );
            }
        }
    }

    #[test]
    fn minute_bars_are_visible_once_closed() {
        let stamps: Vec<i64> = (0..3).map(|m| at("2025-03-10", (9, 30 + m)).timestamp_millis()).collect();
        assert_eq!(visible_bars(&stamps, Timestep::Minute, at("2025-03-10", (9, 30))), 0);
        assert_eq!(visible_bars(&stamps, Timestep::Minute, at("2025-03-10", (9, 31))), 1);
        assert_eq!(visible_bars(&stamps, Timestep::Minute, at("2025-03-10", (9, 33))), 3);
    }

    #[test]
    fn daily_bars_are_visible_at_the_close_even_early_ones() {
        let days = ["2025-11-26", "2025-11-28", "2025-12-01"];
        let stamps: Vec<i64> = days.iter().map(|d| at(d, (9, 30)).timestamp_millis()).collect();
        assert_eq!(
            visible_bars(&stamps, Timestep::Day, at("2025-11-28", (9, 30))),
            1,
            "Friday's bar not before its close"
        );
        assert_eq!(visible_bars(&stamps, Timestep::Day, at("2025-11-28", (12, 59))), 1);
        assert_eq!(visible_bars(&stamps, Timestep::Day, at("2025-11-28", (13, 0))), 2, "early close at 13:00");
        assert_eq!(visible_bars(&stamps, Timestep::Day, at("2025-12-01", (15, 59))), 2);
        assert_eq!(visible_bars(&stamps, Timestep::Day, at("2025-12-01", (16, 0))), 3);
    }
}
