//! Answering a parsed question from the synthetic market: the rows of a 200,
//! or "no data" (472). Pure given the question and the current time, which
//! only matters for today (bars whose minute has closed) and the future (none).

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};

use super::daily::{DailyPath, DayPrices, daily_path};
use super::intraday::{Bar, Quote, cents, closing_quote, minute_bars, minute_quotes, price_path};
use super::options::{
    Contract, closing_option_quote, contract_day, expirations, is_expiration, is_listed_on, listing_date, strike_grid,
};
use super::request::{EodQuery, IntradayQuery, Question, SecurityKind, Style};
use super::resample;
use super::table::{Cell, Format, Rendered, Table};
use super::universe::{Kind, Profile, UNIVERSE, lookup};
use crate::market::Calendar;
use crate::market::time::{et_date, et_to_utc};

const CONTRACT: &[&str] = &["symbol", "expiration", "strike", "right"];
const OHLC: &[&str] = &["timestamp", "open", "high", "low", "close", "volume", "count", "vwap"];
const QUOTE: &[&str] =
    &["bid_size", "bid_exchange", "bid", "bid_condition", "ask_size", "ask_exchange", "ask", "ask_condition"];
const EOD: &[&str] = &["created", "last_trade", "open", "high", "low", "close", "volume", "count"];

/// ET minute of day of the open, and of the EOD report.
const OPEN_MINUTE: u32 = 9 * 60 + 30;
const REPORT_MINUTE: u32 = 17 * 60 + 15;

/// The terminal has nothing for this request (472).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoData;

/// A known symbol with its daily path.
struct Underlying {
    profile: &'static Profile,
    path: &'static DailyPath,
}

fn underlying(symbol: &str, kind: SecurityKind) -> Result<Underlying, NoData> {
    let (slot, profile) = lookup(symbol).ok_or(NoData)?;
    let fits = match kind {
        SecurityKind::Stock => profile.kind == Kind::Stock,
        SecurityKind::Index => profile.kind == Kind::Index,
        SecurityKind::Option => true,
    };
    let path = daily_path(slot).filter(|_| fits).ok_or(NoData)?;
    Ok(Underlying { profile, path })
}

pub fn answer(question: &Question, format: Format, now: DateTime<Utc>) -> Result<Rendered, NoData> {
    let table = match question {
        Question::Intraday(q) => intraday(q, format, now)?,
        Question::Eod(q) => eod(q, format, now)?,
        Question::Expirations { symbol } => {
            let u = underlying(symbol, SecurityKind::Option)?;
            let mut table = Table::new(format, &[&["symbol", "expiration"]], expirations().len());
            for expiration in expirations() {
                table.row(&[Cell::Text(u.profile.symbol), Cell::Date(*expiration)]);
            }
            table
        }
        Question::Symbols(kind) => {
            let wanted = |p: &&Profile| match kind {
                SecurityKind::Index => p.kind == Kind::Index,
                SecurityKind::Stock | SecurityKind::Option => p.kind == Kind::Stock,
            };
            let mut table = Table::new(format, &[&["symbol"]], UNIVERSE.len());
            for profile in UNIVERSE.iter().filter(wanted) {
                table.row(&[Cell::Text(profile.symbol)]);
            }
            table
        }
        Question::Dates { kind, symbol, expiration } => dates(*kind, symbol, *expiration, format, now)?,
        Question::Greeks(q) => greeks::answer(q, format, now)?,
        Question::CalendarDay(date) => {
            let date = date.unwrap_or_else(|| et_date(now));
            let mut table = Table::new(format, &[CALENDAR], 1);
            table.row(&schedule(date));
            table
        }
        Question::YearHolidays(year) => {
            let mut table = Table::new(format, &[&["date"], CALENDAR], 16);
            let days = NaiveDate::from_ymd_opt(*year, 1, 1).into_iter().flat_map(|d| d.iter_days());
            for date in days.take_while(|d| d.year() == *year) {
                let row = schedule(date);
                // Holidays and early closes; weekends and regular sessions are not listed.
                if matches!(row[0], Cell::Word("full_close" | "early_close")) {
                    table.row(&[&[Cell::Date(date)], row.as_slice()].concat());
                }
            }
            table
        }
        Question::Strikes { symbol, expiration } => {
            let u = underlying(symbol, SecurityKind::Option)?;
            let grid = strike_grid(u.path, *expiration).ok_or(NoData)?;
            let mut table = Table::new(format, &[&["symbol", "strike"]], grid.len());
            for strike in grid {
                table.row(&[Cell::Text(u.profile.symbol), Cell::Fixed(i64::from(strike), 3)]);
            }
            table
        }
    };
    let rendered = table.finish();
    if rendered.rows == 0 { Err(NoData) } else { Ok(rendered) }
}

const CALENDAR: &[&str] = &["type", "open", "close"];

/// Option greeks and implied volatility, from the model that prices the quotes.
mod greeks {
    use chrono::{DateTime, NaiveDate, Utc};

    use super::super::options::{Contract, contract_day, is_listed_on, strike_grid, years_to_expiry};
    use super::super::pricing::{self, implied_vol};
    use super::super::request::{GreeksKind, GreeksQuery, SecurityKind};
    use super::super::resample;
    use super::super::table::{Cell, Format, Table};
    use super::{
        CONTRACT, NoData, OPEN_MINUTE, Underlying, contract_cells, minutes_available, session_path, underlying,
    };
    use crate::market::Right;

    const FIRST_ORDER: &[&str] = &[
        "timestamp",
        "bid",
        "ask",
        "delta",
        "theta",
        "vega",
        "rho",
        "epsilon",
        "lambda",
        "implied_vol",
        "iv_error",
        "underlying_timestamp",
        "underlying_price",
    ];
    const IMPLIED_VOLATILITY: &[&str] = &[
        "timestamp",
        "bid",
        "bid_implied_vol",
        "midpoint",
        "implied_vol",
        "ask",
        "ask_implied_vol",
        "iv_error",
        "underlying_timestamp",
        "underlying_price",
    ];

    /// A value with four decimals.
    fn four(x: f64) -> Cell<'static> {
        Cell::Fixed((x * 10_000.0).round() as i64, 4)
    }

    /// Every listed contract the query names, strike by strike, calls first.
    fn contracts(u: &Underlying, q: &GreeksQuery) -> Result<Vec<Contract>, NoData> {
        let grid = strike_grid(u.path, q.expiration).ok_or(NoData)?;
        let strikes: Vec<u32> = match q.strike_millis {
            Some(k) if grid.binary_search(&k).is_ok() => vec![k],
            Some(_) => return Err(NoData),
            None => grid,
        };
        let rights = q.right.map_or(vec![Right::Call, Right::Put], |r| vec![r]);
        Ok(strikes
            .into_iter()
            .flat_map(|strike_millis| {
                rights.iter().map(move |right| Contract { expiration: q.expiration, strike_millis, right: *right })
            })
            .collect())
    }

    pub fn answer(q: &GreeksQuery, format: Format, now: DateTime<Utc>) -> Result<Table, NoData> {
        let u = underlying(&q.symbol, SecurityKind::Option)?;
        let contracts = contracts(&u, q)?;
        let columns = match q.kind {
            GreeksKind::FirstOrder => FIRST_ORDER,
            GreeksKind::ImpliedVolatility => IMPLIED_VOLATILITY,
        };
        let mut table = Table::new(format, &[CONTRACT, columns], contracts.len() * 80);
        for date in q.start.iter_days().take_while(|d| *d <= q.end) {
            if !is_listed_on(q.expiration, date) {
                continue;
            }
            let (Ok(available), Ok(path)) = (minutes_available(date, now), session_path(&u, date)) else { continue };
            for contract in &contracts {
                day(&u, q, contract, date, &path[..], available, &mut table);
            }
        }
        Ok(table)
    }

    /// One contract's rows on one session, at the query's interval.
    fn day(
        u: &Underlying,
        q: &GreeksQuery,
        contract: &Contract,
        date: NaiveDate,
        path: &[f64],
        available: usize,
        table: &mut Table,
    ) {
        let quotes = contract_day(u.profile, contract, date, path).quotes;
        let prefix = contract_cells(u.profile, contract);
        let strike = f64::from(contract.strike_millis) / 1000.0;
        let wanted = |minute: u16| (q.start_ms..=q.end_ms).contains(&((OPEN_MINUTE + u32::from(minute)) * 60_000));
        let quotes = &quotes[..available.min(quotes.len())];
        for quote in resample::quotes(quotes, usize::from(q.interval_minutes)).iter().filter(|x| wanted(x.minute)) {
            let k = usize::from(quote.minute);
            let (spot, years) = (path[k], years_to_expiry(date, contract.expiration, k));
            let (bid, ask) = (quote.bid as f64 / 100.0, quote.ask as f64 / 100.0);
            let mid = (bid + ask) / 2.0;
            let iv_of = |price: f64| implied_vol(contract.right, spot, strike, years, price);
            // A mid no volatility prices (at intrinsic value) reports 0 with an error of 1.
            let (iv, iv_error) = match iv_of(mid) {
                Some(iv) => (iv, (pricing::black_scholes(contract.right, spot, strike, years, iv) - mid) / mid),
                None => (0.0, 1.0),
            };
            let stamp = Cell::Stamp(date, OPEN_MINUTE + u32::from(quote.minute));
            let underlying = [stamp, four(spot)];
            let values: Vec<Cell> = match q.kind {
                GreeksKind::FirstOrder => {
                    let vol = if iv > 0.0 { iv } else { pricing::skewed_vol(u.profile.annual_vol, spot, strike) };
                    let g = pricing::greeks(contract.right, spot, strike, years, vol);
                    [stamp, Cell::Fixed(quote.bid, 2), Cell::Fixed(quote.ask, 2)]
                        .into_iter()
                        .chain([g.delta, g.theta, g.vega, g.rho, g.epsilon, g.lambda, iv, iv_error].map(four))
                        .chain(underlying)
                        .collect()
                }
                GreeksKind::ImpliedVolatility => [
                    stamp,
                    Cell::Fixed(quote.bid, 2),
                    four(iv_of(bid).unwrap_or(0.0)),
                    four(mid),
                    four(iv),
                    Cell::Fixed(quote.ask, 2),
                    four(iv_of(ask).unwrap_or(0.0)),
                    four(iv_error),
                ]
                .into_iter()
                .chain(underlying)
                .collect(),
            };
            table.row(&[prefix.as_slice(), values.as_slice()].concat());
        }
    }
}

/// One day's schedule: its type and, when the market opens, its hours in ET.
fn schedule(date: NaiveDate) -> [Cell<'static>; 3] {
    let seconds = |t: DateTime<Utc>| {
        let local = t.with_timezone(&crate::market::time::ET).time();
        chrono::Timelike::num_seconds_from_midnight(&local)
    };
    match Calendar::session(date) {
        Some(s) => {
            let kind = if s.is_early_close() { "early_close" } else { "open" };
            [Cell::Word(kind), Cell::Clock(seconds(s.open)), Cell::Clock(seconds(s.close))]
        }
        None if date.weekday().number_from_monday() >= 6 => [Cell::Word("weekend"), Cell::Null, Cell::Null],
        None => [Cell::Word("full_close"), Cell::Null, Cell::Null],
    }
}

/// The sessions a symbol (or one expiration's contracts) has data for, up to today.
fn dates(
    kind: SecurityKind,
    symbol: &str,
    expiration: Option<NaiveDate>,
    format: Format,
    now: DateTime<Utc>,
) -> Result<Table, NoData> {
    let u = underlying(symbol, kind)?;
    let today = et_date(now);
    let sessions: Vec<NaiveDate> = match expiration {
        Some(expiration) => {
            if !is_expiration(expiration) {
                return Err(NoData);
            }
            let last = expiration.min(today);
            Calendar::sessions_between(listing_date(expiration), last).collect()
        }
        None => u.path.between(crate::market::calendar::FIRST_DAY, today).iter().map(|d| d.date).collect(),
    };
    let mut table = Table::new(format, &[&["date"]], sessions.len());
    for date in sessions {
        table.row(&[Cell::Date(date)]);
    }
    Ok(table)
}

/// Whether `contract` trades on `date`: listed by then, not expired, and on its strike grid.
fn check_listed(u: &Underlying, contract: &Contract, date: NaiveDate) -> Result<(), NoData> {
    let on_grid =
        strike_grid(u.path, contract.expiration).is_some_and(|g| g.binary_search(&contract.strike_millis).is_ok());
    if on_grid && is_listed_on(contract.expiration, date) { Ok(()) } else { Err(NoData) }
}

/// Minutes of `date`'s session with data at `now`: all of a past day, the closed ones today.
fn minutes_available(date: NaiveDate, now: DateTime<Utc>) -> Result<usize, NoData> {
    let session = Calendar::session(date).ok_or(NoData)?;
    if date > et_date(now) {
        return Err(NoData);
    }
    let elapsed = (now.min(session.close) - session.open).num_minutes().max(0);
    Ok(usize::try_from(elapsed).unwrap_or_default())
}

/// Every session of the query's days, one after the other; a day without data
/// (not a session, not listed, in the future) adds no rows.
fn intraday(q: &IntradayQuery, format: Format, now: DateTime<Utc>) -> Result<Table, NoData> {
    let u = underlying(&q.symbol, q.kind)?;
    let days: Vec<NaiveDate> =
        q.start.iter_days().take_while(|d| *d <= q.end).filter(|d| !q.left_out.contains(d)).collect();
    let mut table = Table::new(format, &columns(q), days.len() * (390 / usize::from(q.interval_minutes) + 1));
    for date in days {
        // A day with no data is left out, as a real terminal leaves it out of a range.
        let _ = intraday_day(&u, q, date, now, &mut table);
    }
    Ok(table)
}

/// The column groups of an intraday answer.
fn columns(q: &IntradayQuery) -> Vec<&'static [&'static str]> {
    let contract: &'static [&'static str] = if q.contract.is_some() { CONTRACT } else { &CONTRACT[..0] };
    match q.style {
        Style::Ohlc => vec![contract, OHLC],
        Style::Quote => vec![contract, &["timestamp"], QUOTE],
        Style::Price => vec![contract, &["timestamp", "price"]],
        Style::OpenInterest => vec![contract, &["timestamp", "open_interest"]],
    }
}

/// One session's rows of the query into `table`.
fn intraday_day(
    u: &Underlying,
    q: &IntradayQuery,
    date: NaiveDate,
    now: DateTime<Utc>,
    table: &mut Table,
) -> Result<(), NoData> {
    if let Some(contract) = &q.contract {
        check_listed(u, contract, date)?;
    }
    let available = minutes_available(date, now)?;
    let path = session_path(u, date)?;
    let prefix = q.contract.as_ref().map(|c| contract_cells(u.profile, c));
    let prefix = prefix.as_ref().map(|p| p.as_slice()).unwrap_or(&[]);
    let interval = usize::from(q.interval_minutes);
    let stamp = |minute: u16| Cell::Stamp(date, OPEN_MINUTE + u32::from(minute));
    let wanted = |minute: u16| (q.start_ms..=q.end_ms).contains(&((OPEN_MINUTE + u32::from(minute)) * 60_000));
    match (q.style, &q.contract) {
        (Style::Price, _) => {
            // The index's value at each stamp: the path at that minute's start.
            let minutes = (0..available.min(path.len())).step_by(interval.max(1)).map(|m| m as u16);
            for minute in minutes.filter(|m| wanted(*m)) {
                table.row(&[prefix, &[stamp(minute), Cell::Fixed(cents(path[usize::from(minute)]), 2)]].concat());
            }
            return Ok(());
        }
        (Style::OpenInterest, Some(contract)) => {
            // Reported once a day, before the open (06:30 ET, as ThetaData's OI reports).
            let interest = open_interest(u, contract, date);
            table.row(&[prefix, &[Cell::Stamp(date, 6 * 60 + 30), Cell::Int(interest)]].concat());
            return Ok(());
        }
        _ => {}
    }
    let (bars, quotes) = minute_data(u, q, date, &path);
    for bar in resample::bars(&bars[..available.min(bars.len())], interval).iter().filter(|b| wanted(b.minute)) {
        table.row(&[prefix, &[stamp(bar.minute)], &bar_cells(bar)].concat());
    }
    for quote in resample::quotes(&quotes[..available.min(quotes.len())], interval).iter().filter(|q| wanted(q.minute))
    {
        table.row(&[prefix, &[stamp(quote.minute)], &quote_cells(quote)].concat());
    }
    Ok(())
}

/// A contract's open interest on `date`: deterministic, largest near the money,
/// building up from its listing and drifting from day to day.
fn open_interest(u: &Underlying, contract: &Contract, date: NaiveDate) -> i64 {
    let spot = u.path.day(date).map_or(1.0, |d| d.open);
    let moneyness = (f64::from(contract.strike_millis) / 1000.0 / spot).ln().abs();
    let listed_days = (date - listing_date(contract.expiration)).num_days().max(0) as f64;
    let days = chrono::Datelike::num_days_from_ce(&date).to_le_bytes();
    let key = [contract.strike_millis.to_le_bytes(), days].concat();
    let jitter = super::rng::Rng::keyed(&[u.profile.symbol.as_bytes(), &key, b"open-interest"]).uniform();
    (5_000.0 * (-6.0 * moneyness).exp() * (listed_days / 30.0).min(1.0) * (0.8 + 0.4 * jitter)).round() as i64
}

/// The underlying's price at each minute boundary of `date`'s session.
fn session_path(u: &Underlying, date: NaiveDate) -> Result<Vec<f64>, NoData> {
    let session = Calendar::session(date).ok_or(NoData)?;
    let day = u.path.day(date).ok_or(NoData)?;
    Ok(price_path(u.profile, day, usize::try_from(session.minutes()).unwrap_or_default()))
}

/// The full session of what `q` asks for: bars for ohlc, quotes for quote (the other stays empty).
fn minute_data(u: &Underlying, q: &IntradayQuery, date: NaiveDate, path: &[f64]) -> (Vec<Bar>, Vec<Quote>) {
    match (&q.contract, q.style) {
        (Some(contract), Style::Ohlc) => (contract_day(u.profile, contract, date, path).bars, Vec::new()),
        (Some(contract), Style::Quote) => (Vec::new(), contract_day(u.profile, contract, date, path).quotes),
        (None, Style::Ohlc) => (minute_bars(u.profile, date, path), Vec::new()),
        // Price and open interest are written without bars or quotes.
        (_, Style::Price | Style::OpenInterest) => (Vec::new(), Vec::new()),
        (None, Style::Quote) => (Vec::new(), minute_quotes(u.profile, date, path)),
    }
}

fn contract_cells(profile: &'static Profile, contract: &Contract) -> [Cell<'static>; 4] {
    [
        Cell::Text(profile.symbol),
        Cell::Date(contract.expiration),
        Cell::Fixed(i64::from(contract.strike_millis), 3),
        Cell::Text(contract.right.wire()),
    ]
}

fn bar_cells(bar: &Bar) -> [Cell<'static>; 7] {
    [
        Cell::Fixed(bar.open, 2),
        Cell::Fixed(bar.high, 2),
        Cell::Fixed(bar.low, 2),
        Cell::Fixed(bar.close, 2),
        Cell::Int(bar.volume),
        Cell::Int(bar.count),
        Cell::Fixed(bar.vwap, 4),
    ]
}

fn quote_cells(q: &Quote) -> [Cell<'static>; 8] {
    [
        Cell::Int(q.bid_size),
        Cell::Int(q.bid_exchange),
        Cell::Fixed(q.bid, 2),
        Cell::Int(q.bid_condition),
        Cell::Int(q.ask_size),
        Cell::Int(q.ask_exchange),
        Cell::Fixed(q.ask, 2),
        Cell::Int(q.ask_condition),
    ]
}

/// Whether the EOD report for `date` exists at `now` (it is created at 17:15 ET).
fn report_published(date: NaiveDate, now: DateTime<Utc>) -> bool {
    NaiveTime::from_hms_opt(17, 15, 0).is_some_and(|t| et_to_utc(date, t) <= now)
}

fn eod(q: &EodQuery, format: Format, now: DateTime<Utc>) -> Result<Table, NoData> {
    let u = underlying(&q.symbol, q.kind)?;
    let (mut start, mut end) = (q.start, q.end);
    if let Some(contract) = &q.contract {
        check_listed(&u, contract, contract.expiration)?;
        start = start.max(listing_date(contract.expiration));
        end = end.min(contract.expiration);
    }
    let days: Vec<&DayPrices> = u.path.between(start, end).iter().filter(|d| report_published(d.date, now)).collect();
    let prefix = q.contract.as_ref().map(|c| contract_cells(u.profile, c));
    let prefix = prefix.as_ref().map(|p| p.as_slice()).unwrap_or(&[]);
    let mut table = Table::new(format, &[&CONTRACT[..prefix.len()], EOD, QUOTE], days.len());
    for day in days {
        let Ok(path) = session_path(&u, day.date) else { continue };
        let minutes = path.len() - 1;
        let (summary, quote) = match &q.contract {
            Some(contract) => (
                resample::merge(&contract_day(u.profile, contract, day.date, &path).bars),
                closing_option_quote(u.profile, contract, day.date, day.close),
            ),
            None if u.profile.kind == Kind::Index => {
                (resample::merge(&minute_bars(u.profile, day.date, &path)), Quote::default())
            }
            None => (resample::merge(&minute_bars(u.profile, day.date, &path)), closing_quote(u.profile, day)),
        };
        let times = [Cell::Stamp(day.date, REPORT_MINUTE), Cell::Stamp(day.date, OPEN_MINUTE + minutes as u32)];
        let bar = bar_cells(&summary);
        table.row(&[prefix, &times, &bar[..6], &quote_cells(&quote)].concat());
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::request::{Endpoint, Params, parse};
    use std::collections::HashMap;

    /// Long after every date the tests ask about.
    fn later() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-15T12:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn get(path: &str, query: &[(&str, &str)]) -> Result<String, NoData> {
        get_at(path, query, later())
    }

    fn get_at(path: &str, query: &[(&str, &str)], now: DateTime<Utc>) -> Result<String, NoData> {
        let map: HashMap<String, String> = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let params = Params(&map);
        let question = parse(Endpoint::from_path(path).unwrap(), &params).unwrap();
        answer(&question, params.format().unwrap(), now).map(|r| String::from_utf8(r.bytes).unwrap())
    }

    fn minute_bars(symbol: &str, date: &str) -> Result<String, NoData> {
        get("/v3/stock/history/ohlc", &[("symbol", symbol), ("date", date), ("interval", "1m")])
    }

    fn column<'a>(csv: &'a str, name: &str) -> Vec<&'a str> {
        let mut lines = csv.lines();
        let at = lines.next().unwrap().split(',').position(|c| c == name).unwrap();
        lines.map(|l| l.split(',').nth(at).unwrap()).collect()
    }

    #[test]
    fn same_request_same_bytes_whatever_came_before() {
        let first = minute_bars("PLTR", "20250310").unwrap();
        for (symbol, date) in [("NVDA", "20250310"), ("PLTR", "20250307"), ("PLTR", "20250311"), ("SPY", "20240102")] {
            minute_bars(symbol, date).unwrap();
        }
        assert_eq!(minute_bars("PLTR", "20250310").unwrap(), first);
        assert_ne!(minute_bars("PLTR", "20250311").unwrap(), first);
    }

    #[test]
    fn full_and_early_sessions() {
        let full = minute_bars("SPY", "20250310").unwrap();
        let stamps = column(&full, "timestamp");
        assert_eq!(stamps.len(), 390);
        assert_eq!(stamps[0], "2025-03-10T09:30:00.000");
        assert_eq!(stamps[389], "2025-03-10T15:59:00.000");
        let early = minute_bars("SPY", "2025-11-28").unwrap();
        let stamps = column(&early, "timestamp");
        assert_eq!((stamps.len(), stamps[0], stamps[209]), (210, "2025-11-28T09:30:00.000", "2025-11-28T12:59:00.000"));
        let hourly = get("/v3/stock/history/ohlc", &[("symbol", "SPY"), ("date", "20250310"), ("interval", "1h")]);
        assert_eq!(column(&hourly.unwrap(), "timestamp").len(), 7);
        let window = [("symbol", "SPY"), ("date", "20250310"), ("start_time", "10:00:00"), ("end_time", "10:04:00")];
        assert_eq!(column(&get("/v3/stock/history/quote", &window).unwrap(), "bid").len(), 5);
    }

    /// A range is its sessions one after the other, each the same bytes as
    /// when asked alone; days without a session add nothing.
    #[test]
    fn a_range_is_its_sessions_in_order() {
        let range = [("symbol", "PLTR"), ("start_date", "20250630"), ("end_date", "20250707"), ("interval", "1m")];
        let range = get("/v3/stock/history/ohlc", &range).unwrap();
        let days = ["20250630", "20250701", "20250702", "20250703", "20250707"];
        let alone: Vec<String> = days.iter().map(|d| minute_bars("PLTR", d).unwrap()).collect();
        let rows: Vec<&str> = alone.iter().flat_map(|csv| csv.lines().skip(1)).collect();
        assert_eq!(range.lines().skip(1).collect::<Vec<_>>(), rows, "July 4th is a holiday, the 5th and 6th a weekend");
        assert_eq!(rows.len(), 390 * 4 + 210, "July 3rd closes early");
        let weekend = [("symbol", "PLTR"), ("start_date", "20250705"), ("end_date", "20250706")];
        assert_eq!(get("/v3/stock/history/ohlc", &weekend), Err(NoData));
    }

    #[test]
    fn no_data_days_and_symbols() {
        assert_eq!(minute_bars("SPY", "20250704"), Err(NoData), "Independence Day");
        assert_eq!(minute_bars("SPY", "20250308"), Err(NoData), "Saturday");
        assert_eq!(minute_bars("ZZZZ", "20250310"), Err(NoData), "unknown symbol");
        assert_eq!(minute_bars("SPX", "20250310"), Err(NoData), "an index is not a stock");
        let now = DateTime::parse_from_rfc3339("2025-03-10T15:00:00Z").unwrap().with_timezone(&Utc);
        let at = |date| get_at("/v3/stock/history/ohlc", &[("symbol", "SPY"), ("date", date)], now);
        assert_eq!(at("20250311"), Err(NoData), "the future");
        assert_eq!(column(&at("20250310").unwrap(), "close").len(), 90, "only the closed minutes of today");
    }

    fn option(path: &str, strike: &str, date: &str) -> Result<String, NoData> {
        let query =
            [("symbol", "PLTR"), ("expiration", "20250417"), ("strike", strike), ("right", "call"), ("date", date)];
        get(path, &query)
    }

    fn atm_strike() -> String {
        let strikes = get("/v3/option/list/strikes", &[("symbol", "PLTR"), ("expiration", "20250417")]).unwrap();
        let close: f64 = column(&minute_bars("PLTR", "20250310").unwrap(), "close")[0].parse().unwrap();
        let strikes: Vec<f64> = column(&strikes, "strike").iter().map(|s| s.parse().unwrap()).collect();
        let atm = strikes.iter().min_by(|a, b| (*a - close).abs().total_cmp(&(*b - close).abs())).unwrap();
        format!("{atm:.3}")
    }

    #[test]
    fn option_rows_trade_inside_the_quote() {
        let strike = atm_strike();
        let bars = option("/v3/option/history/ohlc", &strike, "20250310").unwrap();
        let quotes = option("/v3/option/history/quote", &strike, "20250310").unwrap();
        assert!(bars.lines().nth(1).unwrap().starts_with(&format!("\"PLTR\",2025-04-17,{strike},\"CALL\",")));
        let num = |csv: &str, name| column(csv, name).iter().map(|v| v.parse::<f64>().unwrap()).collect::<Vec<_>>();
        let (counts, lows, highs) = (num(&bars, "count"), num(&bars, "low"), num(&bars, "high"));
        let (bids, asks) = (num(&quotes, "bid"), num(&quotes, "ask"));
        assert_eq!((counts.len(), bids.len()), (390, 390));
        assert!(counts.contains(&0.0) && counts.iter().any(|c| *c > 0.0));
        for i in 0..390 {
            if counts[i] == 0.0 {
                assert_eq!((lows[i], highs[i]), (0.0, 0.0));
            } else {
                assert!(bids[i] <= lows[i] && highs[i] <= asks[i], "minute {i}");
            }
        }
    }

    #[test]
    fn unlisted_contracts_have_no_data() {
        let strike = atm_strike();
        let ohlc = "/v3/option/history/ohlc";
        assert!(option(ohlc, &strike, "20250417").is_ok(), "expiration day trades");
        assert_eq!(option(ohlc, &strike, "20250418"), Err(NoData), "after expiration");
        assert_eq!(option(ohlc, &strike, "20250110"), Err(NoData), "before listing");
        let off_grid = format!("{:.3}", strike.parse::<f64>().unwrap() + 0.123);
        assert_eq!(option(ohlc, &off_grid, "20250310"), Err(NoData), "off the strike grid");
        let eod = [("symbol", "PLTR"), ("expiration", "20250417"), ("strike", &strike), ("right", "put")];
        let rows = get(
            "/v3/option/history/eod",
            &[eod.as_slice(), &[("start_date", "20250101"), ("end_date", "20251231")]].concat(),
        );
        let created = column(&rows.unwrap(), "created").iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            created.first().map(String::as_str),
            Some("2025-01-17T17:15:00.000"),
            "first session on or after listing"
        );
        assert_eq!(created.last().map(String::as_str), Some("2025-04-17T17:15:00.000"));
    }

    #[test]
    fn eod_summarises_the_minutes() {
        let eod =
            get("/v3/stock/history/eod", &[("symbol", "HOOD"), ("start_date", "20251124"), ("end_date", "20251130")]);
        let eod = eod.unwrap();
        assert_eq!(
            column(&eod, "last_trade"),
            [
                "2025-11-24T16:00:00.000",
                "2025-11-25T16:00:00.000",
                "2025-11-26T16:00:00.000",
                "2025-11-28T13:00:00.000"
            ]
        );
        let minutes = minute_bars("HOOD", "20251128").unwrap();
        assert_eq!(column(&eod, "open")[3], column(&minutes, "open")[0]);
        assert_eq!(column(&eod, "close")[3], column(&minutes, "close")[209]);
        let index = get("/v3/index/history/eod", &[("symbol", "SPX"), ("date", "20250310")]).unwrap();
        assert_eq!(column(&index, "volume"), ["0"]);
    }
}
