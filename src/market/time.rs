//! Eastern time <-> UTC, always through the tz database for the date at hand,
//! never with a fixed offset.

use std::ops::Range;

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Tz;

pub const ET: Tz = New_York;

/// The UTC instant of an ET wall-clock time. In the repeated autumn hour the
/// earlier instant is taken; a time skipped in spring moves forward an hour.
/// Regular sessions never touch either case (the switch is at 02:00).
pub fn et_to_utc(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    et_naive_to_utc(date.and_time(time))
}

pub fn et_naive_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    match ET.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => ET
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local)),
    }
}

/// The ET calendar date of an instant.
pub fn et_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&ET).date_naive()
}

/// The ET date of a UTC millisecond timestamp.
pub fn et_date_ms(ms: i64) -> NaiveDate {
    et_date(utc_from_ms(ms))
}

/// The runs of ascending UTC-millisecond stamps that share an ET date, as
/// `(date, rows)`: one time-zone lookup per day rather than per stamp, so whole
/// datasets can be split or checked by day cheaply. Stamps must be sorted.
pub fn et_day_runs(stamps: &[i64]) -> impl Iterator<Item = (NaiveDate, Range<usize>)> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        let first = *stamps.get(start)?;
        let date = et_date_ms(first);
        let next_midnight = date.succ_opt().map_or(i64::MAX, |next| et_to_utc(next, NaiveTime::MIN).timestamp_millis());
        let end = start + stamps[start..].partition_point(|t| *t < next_midnight);
        let run = (date, start..end);
        start = end;
        Some(run)
    })
}

pub fn utc_from_ms(ms: i64) -> DateTime<Utc> {
    // Beyond chrono's range (about ±262,000 years) an instant saturates rather
    // than reading as 1970: no stamp the decoder makes gets near it.
    DateTime::from_timestamp_millis(ms).unwrap_or(if ms < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// New York's offset from UTC at `t`, in minutes (−240 in summer, −300 in winter).
pub fn et_offset_minutes(t: DateTime<Utc>) -> i32 {
    use chrono::Offset;
    t.with_timezone(&ET).offset().fix().local_minus_utc() / 60
}

/// How a person reads a time: `2025-03-10 09:30 -04:00`.
pub fn fmt_et(t: DateTime<Utc>) -> String {
    t.with_timezone(&ET).format("%Y-%m-%d %H:%M %:z").to_string()
}

pub fn fmt_et_ms(ms: i64) -> String {
    fmt_et(utc_from_ms(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_per_date_across_dst() {
        let open = NaiveTime::from_hms_opt(9, 30, 0).unwrap();
        let before = et_to_utc(NaiveDate::from_ymd_opt(2025, 3, 7).unwrap(), open);
        let after = et_to_utc(NaiveDate::from_ymd_opt(2025, 3, 10).unwrap(), open);
        assert_eq!(before.to_rfc3339(), "2025-03-07T14:30:00+00:00");
        assert_eq!(after.to_rfc3339(), "2025-03-10T13:30:00+00:00");
        assert_eq!(fmt_et(after), "2025-03-10 09:30 -04:00");
        assert_eq!(fmt_et(before), "2025-03-07 09:30 -05:00");
    }

    #[test]
    fn day_runs_split_at_et_midnight() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
        let at = |d: u32, h: u32| et_to_utc(day(d), NaiveTime::from_hms_opt(h, 0, 0).unwrap()).timestamp_millis();
        // 23:00 ET on the 7th is already the 8th in UTC; it still belongs to the 7th.
        let stamps = [at(7, 9), at(7, 23), at(10, 0), at(10, 15), at(11, 9)];
        let runs: Vec<_> = et_day_runs(&stamps).collect();
        assert_eq!(runs, [(day(7), 0..2), (day(10), 2..4), (day(11), 4..5)]);
        assert_eq!(et_day_runs(&[]).count(), 0);
    }

    #[test]
    fn gap_and_fold_are_resolved() {
        let day = NaiveDate::from_ymd_opt(2025, 3, 9).unwrap();
        let skipped = et_to_utc(day, NaiveTime::from_hms_opt(2, 30, 0).unwrap());
        assert_eq!(skipped.to_rfc3339(), "2025-03-09T07:30:00+00:00");
        let fold = NaiveDate::from_ymd_opt(2025, 11, 2).unwrap();
        let repeated = et_to_utc(fold, NaiveTime::from_hms_opt(1, 30, 0).unwrap());
        assert_eq!(repeated.to_rfc3339(), "2025-11-02T05:30:00+00:00");
    }
}
