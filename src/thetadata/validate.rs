//! What a sane answer looks like. Every row of a market-data answer is checked
//! here, inside the attempt that fetched it, so a wrong answer is retried like a
//! dropped connection and never reaches the cache.
//!
//! Intervals without trades: ThetaData's v3 description gives no special form
//! for them, and its terminal emits them as ordinary rows with `count = 0`,
//! zero prices and zero volume (indices always report `count = 0`, with
//! prices). Exactly that is accepted; any other row must be a real bar.

use std::fmt;

use chrono::NaiveDate;

use super::decode::Decoded;
use crate::market::calendar::Session;
use crate::market::time::{et_date_ms, et_day_runs, fmt_et_ms};
use crate::market::{Calendar, DataStyle};

/// What the answer to one request must hold.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// One regular session of intraday rows on the interval's grid, complete.
    Session { session: Session, interval_ms: i64, values: Values },
    /// Intraday rows of some sessions of `[start, end]`, in order, each session
    /// present complete (a session may be absent: the caller asks it alone).
    Sessions { start: NaiveDate, end: NaiveDate, interval_ms: i64, values: Values },
    /// EOD rows, at most one per session of `[start, end]`, in date order.
    Eod { start: NaiveDate, end: NaiveDate, values: Values },
}

/// Which value columns a row carries and how they may look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Values {
    pub style: DataStyle,
    /// Index bars report `count = 0` with real prices; other bars without
    /// trades are all zeros.
    pub priced_without_trades: bool,
}

/// Why an answer was refused; `row` counts data rows from 1, as the decoder does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Invalid {
    pub row: Option<usize>,
    pub what: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            Some(row) => write!(f, "row {row}: {}", self.what),
            None => f.write_str(&self.what),
        }
    }
}

fn at(row: usize, what: String) -> Invalid {
    Invalid { row: Some(row + 1), what }
}

/// Checks a decoded answer against what its request asked for.
pub fn check(decoded: &Decoded, expect: &Expect) -> Result<(), Invalid> {
    let stamps = ints(decoded, crate::market::bars::DATETIME)?;
    if stamps.is_empty() {
        return Err(Invalid {
            row: None,
            what: "a 200 with a header and no rows (only a 472 says there is no data)".into(),
        });
    }
    match expect {
        Expect::Session { session, interval_ms, values } => {
            check_session_stamps(stamps, session, *interval_ms)?;
            check_values(decoded, *values)
        }
        Expect::Sessions { start, end, interval_ms, values } => {
            check_sessions(stamps, *start, *end, *interval_ms)?;
            check_values(decoded, *values)
        }
        Expect::Eod { start, end, values } => {
            check_eod_dates(stamps, *start, *end)?;
            check_values(decoded, *values)
        }
    }
}

/// Each day's rows as [`check_session_stamps`] checks one session, the days
/// inside `[start, end]`, each once, in order.
fn check_sessions(stamps: &[i64], start: NaiveDate, end: NaiveDate, interval_ms: i64) -> Result<(), Invalid> {
    let mut previous: Option<NaiveDate> = None;
    for (date, rows) in et_day_runs(stamps) {
        let first = rows.start;
        if date < start || date > end {
            return Err(at(
                first,
                format!("{} is dated {date}, outside the requested {start}..{end}", fmt_et_ms(stamps[first])),
            ));
        }
        if let Some(p) = previous.filter(|p| date <= *p) {
            return Err(at(
                first,
                format!("{} follows a row of {p}: repeated or out of order", fmt_et_ms(stamps[first])),
            ));
        }
        let session = Calendar::session(date).ok_or_else(|| {
            at(first, format!("{} is dated {date}, which is not a trading session", fmt_et_ms(stamps[first])))
        })?;
        check_session_stamps(&stamps[rows], &session, interval_ms)
            .map_err(|e| Invalid { row: e.row.map(|r| r + first), what: e.what })?;
        previous = Some(date);
    }
    Ok(())
}

/// Every stamp inside the session, on the grid, strictly after the one before,
/// and as many as the session has intervals.
fn check_session_stamps(stamps: &[i64], session: &Session, interval_ms: i64) -> Result<(), Invalid> {
    let (open, close) = (session.open.timestamp_millis(), session.close.timestamp_millis());
    let mut previous = None;
    for (row, &t) in stamps.iter().enumerate() {
        if t < open || t >= close {
            let date = et_date_ms(t);
            return Err(at(
                row,
                if date == session.date {
                    format!("{} is outside the session (until {})", fmt_et_ms(t), fmt_et_ms(close))
                } else {
                    format!("{} is dated {date}, not the requested {}", fmt_et_ms(t), session.date)
                },
            ));
        }
        if (t - open) % interval_ms != 0 {
            return Err(at(row, format!("{} is off the {} ms grid from the open", fmt_et_ms(t), interval_ms)));
        }
        if let Some(p) = previous.filter(|p| t <= *p) {
            return Err(at(row, format!("{} repeats or precedes the row before ({})", fmt_et_ms(t), fmt_et_ms(p))));
        }
        previous = Some(t);
    }
    let expected = usize::try_from((close - open + interval_ms - 1) / interval_ms).unwrap_or_default();
    if stamps.len() != expected {
        return Err(Invalid {
            row: None,
            what: format!(
                "{} of the {expected} bars of {} ({}): a cut answer",
                stamps.len(),
                session.date,
                if session.is_early_close() { "an early close" } else { "a full session" }
            ),
        });
    }
    Ok(())
}

/// Each EOD row stamped for a session of the window, one per session, in order.
fn check_eod_dates(stamps: &[i64], start: NaiveDate, end: NaiveDate) -> Result<(), Invalid> {
    let mut previous: Option<NaiveDate> = None;
    for (row, &t) in stamps.iter().enumerate() {
        let date = et_date_ms(t);
        if date < start || date > end {
            return Err(at(row, format!("dated {date}, outside the requested {start}..{end}")));
        }
        if !Calendar::is_session(date) {
            return Err(at(row, format!("dated {date}, which is not a trading session")));
        }
        if let Some(p) = previous.filter(|p| date <= *p) {
            return Err(at(row, format!("dated {date}, after a row for {p}: repeated or out of order")));
        }
        previous = Some(date);
    }
    Ok(())
}

fn check_values(decoded: &Decoded, values: Values) -> Result<(), Invalid> {
    match values.style {
        DataStyle::Ohlc => check_bars(decoded, values.priced_without_trades),
        DataStyle::Quote => check_quotes(decoded),
        DataStyle::Greeks => check_greeks(decoded),
        DataStyle::OpenInterest => {
            let open_interest = ints(decoded, "open_interest")?;
            (0..open_interest.len()).try_for_each(|row| check_sizes(row, &[("open_interest", open_interest[row])]))
        }
    }
}

/// A column of a decoded answer; the layout guarantees it, so absence is a bug
/// reported as an invalid answer rather than a panic.
fn floats<'a>(decoded: &'a Decoded, name: &'static str) -> Result<&'a [f64], Invalid> {
    decoded.floats(name).ok_or_else(|| Invalid { row: None, what: format!("no `{name}` column") })
}

fn ints<'a>(decoded: &'a Decoded, name: &'static str) -> Result<&'a [i64], Invalid> {
    decoded.ints(name).ok_or_else(|| Invalid { row: None, what: format!("no `{name}` column") })
}

fn check_bars(decoded: &Decoded, priced_without_trades: bool) -> Result<(), Invalid> {
    let (open, high, low, close) =
        (floats(decoded, "open")?, floats(decoded, "high")?, floats(decoded, "low")?, floats(decoded, "close")?);
    let (volume, count) = (ints(decoded, "volume")?, ints(decoded, "count")?);
    for row in 0..open.len() {
        let prices = [("open", open[row]), ("high", high[row]), ("low", low[row]), ("close", close[row])];
        check_prices(row, &prices)?;
        check_sizes(row, &[("volume", volume[row]), ("count", count[row])])?;
        let (o, h, l, c) = (open[row], high[row], low[row], close[row]);
        if count[row] == 0 && !priced_without_trades {
            if prices.iter().any(|(_, v)| *v != 0.0) || volume[row] != 0 {
                return Err(at(
                    row,
                    format!(
                        "count 0 with prices {o}/{h}/{l}/{c} and volume {}: an interval without trades is all zeros",
                        volume[row]
                    ),
                ));
            }
            continue;
        }
        if h < l {
            return Err(at(row, format!("high {h} is below low {l}")));
        }
        for (name, v) in [("open", o), ("close", c)] {
            if v < l || v > h {
                return Err(at(row, format!("{name} {v} lies outside [low {l}, high {h}]")));
            }
        }
    }
    Ok(())
}

fn check_quotes(decoded: &Decoded) -> Result<(), Invalid> {
    let (bid, ask) = (floats(decoded, "bid")?, floats(decoded, "ask")?);
    let (bid_size, ask_size) = (ints(decoded, "bid_size")?, ints(decoded, "ask_size")?);
    for row in 0..bid.len() {
        check_prices(row, &[("bid", bid[row]), ("ask", ask[row])])?;
        check_sizes(row, &[("bid_size", bid_size[row]), ("ask_size", ask_size[row])])?;
    }
    Ok(())
}

/// Greeks as the model can make them: a quote's prices, a delta within
/// [-1, 1], a volatility and an underlying price that are finite and not
/// negative, and every other greek finite.
fn check_greeks(decoded: &Decoded) -> Result<(), Invalid> {
    let (bid, ask, delta) = (floats(decoded, "bid")?, floats(decoded, "ask")?, floats(decoded, "delta")?);
    let (iv, underlying) = (floats(decoded, "implied_vol")?, floats(decoded, "underlying_price")?);
    let others = ["theta", "vega", "rho", "epsilon", "lambda", "iv_error"];
    let others: Vec<(&str, &[f64])> =
        others.iter().map(|n| floats(decoded, n).map(|v| (*n, v))).collect::<Result<_, _>>()?;
    for row in 0..bid.len() {
        check_prices(
            row,
            &[("bid", bid[row]), ("ask", ask[row]), ("implied_vol", iv[row]), ("underlying_price", underlying[row])],
        )?;
        if !(-1.0..=1.0).contains(&delta[row]) {
            return Err(at(row, format!("delta {} lies outside [-1, 1]", delta[row])));
        }
        if let Some((name, v)) = others.iter().map(|(n, v)| (n, v[row])).find(|(_, v)| !v.is_finite()) {
            return Err(at(row, format!("{name} {v} is not finite")));
        }
    }
    Ok(())
}

fn check_prices(row: usize, prices: &[(&str, f64)]) -> Result<(), Invalid> {
    match prices.iter().find(|(_, v)| !(v.is_finite() && *v >= 0.0)) {
        Some((name, v)) => Err(at(row, format!("{name} {v} is not a finite, non-negative price"))),
        None => Ok(()),
    }
}

fn check_sizes(row: usize, sizes: &[(&str, i64)]) -> Result<(), Invalid> {
    match sizes.iter().find(|(_, v)| *v < 0) {
        Some((name, v)) => Err(at(row, format!("{name} {v} is negative"))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
