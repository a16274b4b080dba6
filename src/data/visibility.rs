//! When a bar may be seen: an intraday bar at `stamp + interval`, a daily bar
//! at its session's close (13:00 ET on early-close days).

use chrono::{DateTime, Utc};

use crate::market::time::et_date_ms;
use crate::market::{Calendar, Timestep};

/// How many of the sorted `stamps` (bar opens, UTC ms) are complete at `now`.
pub fn visible_bars(stamps: &[i64], timestep: Timestep, now: DateTime<Utc>) -> usize {
    let now_ms = now.timestamp_millis();
    match timestep.intraday() {
        Some(interval) => {
            let interval = interval.num_milliseconds();
            stamps.partition_point(|t| t + interval <= now_ms)
        }
        None => stamps.partition_point(|t| {
            Calendar::session(et_date_ms(*t)).is_some_and(|s| s.close.timestamp_millis() <= now_ms)
        }),
    }
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
