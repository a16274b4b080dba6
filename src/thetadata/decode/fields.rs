//! Hand parsers for the few value shapes the terminal prints. They run once per
//! field on every row, so they avoid allocation and fall back to `std` only for
//! shapes the fast path does not cover.

use chrono::{NaiveDate, NaiveTime};

use crate::market::time::et_naive_to_utc;

/// Powers of ten exactly representable as `f64`.
const POW10: [f64; 19] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18];

/// A finite decimal such as `10.25`, `-0.5` or `91.000`.
///
/// Fast path: at most 15 significant digits, so the mantissa and the power of ten
/// are both exact and one IEEE division rounds exactly as `str::parse` would.
pub fn parse_f64(raw: &[u8]) -> Option<f64> {
    let (negative, digits) = match raw.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, raw),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0usize;
    let mut scale = None;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' if count < 15 => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
            }
            b'.' if scale.is_none() => scale = Some(digits.len() - i - 1),
            _ => return parse_f64_slow(raw),
        }
    }
    if count == 0 {
        return parse_f64_slow(raw);
    }
    let value = mantissa as f64 / POW10[scale.unwrap_or(0)];
    Some(if negative { -value } else { value })
}

#[cold]
fn parse_f64_slow(raw: &[u8]) -> Option<f64> {
    std::str::from_utf8(raw).ok()?.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A whole number such as `58` or `-3`.
pub fn parse_i64(raw: &[u8]) -> Option<i64> {
    let (negative, digits) = match raw.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, raw),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut value: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(if negative { -value } else { value })
}

/// `CALL`, `PUT`, `call`, `put`, `C` or `P`: only checked, never stored.
pub fn is_right(raw: &[u8]) -> bool {
    ["C", "P", "CALL", "PUT"].iter().any(|r| raw.eq_ignore_ascii_case(r.as_bytes()))
}

fn digits(raw: &[u8]) -> Option<u32> {
    if raw.is_empty() {
        return None;
    }
    raw.iter().try_fold(0u32, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
}

/// Year, month and day, not yet checked to be a real date.
type Ymd = (i32, u32, u32);

/// `YYYY-MM-DD` or `YYYYMMDD` at the start of `raw`, and the rest.
fn split_date(raw: &[u8]) -> Option<(Ymd, &[u8])> {
    let (y, m, d, rest) = if raw.len() >= 10 && raw[4] == b'-' && raw[7] == b'-' {
        (&raw[0..4], &raw[5..7], &raw[8..10], &raw[10..])
    } else if raw.len() >= 8 {
        (&raw[0..4], &raw[4..6], &raw[6..8], &raw[8..])
    } else {
        return None;
    };
    Some(((i32::try_from(digits(y)?).ok()?, digits(m)?, digits(d)?), rest))
}

/// A calendar date (`2025-04-18` or `20250418`), as days since 0001-01-01.
pub fn parse_date_days(raw: &[u8]) -> Option<i64> {
    let ((y, m, d), rest) = split_date(raw)?;
    if !rest.is_empty() {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d).map(|date| i64::from(chrono::Datelike::num_days_from_ce(&date)))
}

/// ET wall-clock -> UTC milliseconds, through the tz database for each date.
///
/// Rows arrive in time order, so the UTC instant of the current (date, hour) is
/// memoised: the tz lookup runs once per hour of data, not once per row, and
/// every hour still gets its own offset (DST switches land on hour boundaries).
#[derive(Debug, Default)]
pub struct EtStamps {
    hour: Option<(u64, i64)>,
    open: Option<(u64, i64)>,
}

impl EtStamps {
    /// `YYYY-MM-DDTHH:MM:SS[.fff]` (or a space for `T`) in ET, as UTC milliseconds.
    pub fn utc_ms(&mut self, raw: &[u8]) -> Option<i64> {
        let ((y, mo, d), rest) = split_date(raw)?;
        if rest.len() < 9 || !matches!(rest[0], b'T' | b' ') || rest[3] != b':' || rest[6] != b':' {
            return None;
        }
        let (hour, minute, second) = (digits(&rest[1..3])?, digits(&rest[4..6])?, digits(&rest[7..9])?);
        if minute > 59 || second > 59 {
            return None;
        }
        let millis = match &rest[9..] {
            [] => 0,
            [b'.', frac @ ..] if !frac.is_empty() && frac.len() <= 9 => {
                let ms = &frac[..frac.len().min(3)];
                digits(frac)?;
                digits(ms)? * [100, 10, 1][ms.len() - 1]
            }
            _ => return None,
        };
        let key = (((y as u64 * 100 + u64::from(mo)) * 100 + u64::from(d)) * 100) + u64::from(hour);
        let base = match self.hour {
            Some((k, base)) if k == key => base,
            _ => {
                let local = NaiveDate::from_ymd_opt(y, mo, d)?.and_time(NaiveTime::from_hms_opt(hour, 0, 0)?);
                let base = et_naive_to_utc(local).timestamp_millis();
                self.hour = Some((key, base));
                base
            }
        };
        Some(base + i64::from(minute * 60 + second) * 1000 + i64::from(millis))
    }

    /// The 09:30 ET open of the date that starts `raw` (a date or a timestamp), in UTC ms.
    pub fn session_open_ms(&mut self, raw: &[u8]) -> Option<i64> {
        let ((y, m, d), rest) = split_date(raw)?;
        if !(rest.is_empty() || matches!(rest[0], b'T' | b' ')) {
            return None;
        }
        let key = (y as u64 * 100 + u64::from(m)) * 100 + u64::from(d);
        match self.open {
            Some((k, ms)) if k == key => Some(ms),
            _ => {
                let local = NaiveDate::from_ymd_opt(y, m, d)?.and_time(NaiveTime::from_hms_opt(9, 30, 0)?);
                let ms = et_naive_to_utc(local).timestamp_millis();
                self.open = Some((key, ms));
                Some(ms)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_match_std() {
        for s in ["10.25", "0.00", "-0.5", "91.000", "123456.7891", "7", "1e3", "0.1", "99999999999.9999"] {
            assert_eq!(parse_f64(s.as_bytes()), s.parse::<f64>().ok(), "{s}");
        }
        for s in ["", "-", "1.2.3", "abc", "NaN", "inf", "1,5"] {
            assert_eq!(parse_f64(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn integers() {
        assert_eq!(parse_i64(b"58"), Some(58));
        assert_eq!(parse_i64(b"-3"), Some(-3));
        for s in ["", "-", "5.0", "1e3", "12a"] {
            assert_eq!(parse_i64(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn timestamps_convert_per_date() {
        let mut clock = EtStamps::default();
        let utc = |c: &mut EtStamps, s: &str| {
            chrono::DateTime::from_timestamp_millis(c.utc_ms(s.as_bytes()).unwrap()).unwrap().to_rfc3339()
        };
        assert_eq!(utc(&mut clock, "2025-03-07T09:30:00.000"), "2025-03-07T14:30:00+00:00");
        assert_eq!(utc(&mut clock, "2025-03-07T09:31:05.250"), "2025-03-07T14:31:05.250+00:00");
        assert_eq!(utc(&mut clock, "2025-03-10T09:30:00.000"), "2025-03-10T13:30:00+00:00");
        assert_eq!(utc(&mut clock, "2025-11-03 09:30:00"), "2025-11-03T14:30:00+00:00");
        for bad in ["2025-03-10T09:60:00.000", "2025-02-30T09:30:00.000", "2025-03-10", "2025-03-10T09:30:00.x"] {
            assert_eq!(clock.utc_ms(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn session_open_from_created() {
        let mut clock = EtStamps::default();
        let open = clock.session_open_ms(b"2025-03-10T17:15:00.000").unwrap();
        assert_eq!(chrono::DateTime::from_timestamp_millis(open).unwrap().to_rfc3339(), "2025-03-10T13:30:00+00:00");
        assert_eq!(clock.session_open_ms(b"20250310"), Some(open));
    }

    #[test]
    fn rights_and_dates() {
        assert!(["CALL", "put", "C", "p"].iter().all(|r| is_right(r.as_bytes())));
        assert!(!is_right(b"X"));
        assert_eq!(parse_date_days(b"2025-04-18"), parse_date_days(b"20250418"));
        assert_eq!(parse_date_days(b"2025-04-31"), None);
    }
}
