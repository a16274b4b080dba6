//! Answering a parsed question from the synthetic market: the rows of a 200,
//! or "no data" (472). Pure given the question and the current time, which
//! only matters for today (minutes that have closed) and the future (none).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::contracts;
pub use super::days::NoData;
use super::days::{
    Day, Hours, OPEN_MINUTE, REPORT_MINUTE, Underlying, Wants, minutes_available, report_published, session_path,
    underlying,
};
use super::greeks;
use super::intraday::{Quote, cents, closing_quote, minute_bars};
use super::options::{Contract, closing_option_quote, expirations, is_expiration, listing_date, strike_grid};
use super::request::{EodQuery, IntradayQuery, Question, SecurityKind, Style};
use super::resample;
use super::rows::{CONTRACT, EOD, OHLC, QUOTE, bar_cells, contract_cells, quote_cells};
use super::table::{Cell, Format, Rendered, Table};
use super::ticks;
use super::universe::{Kind, Profile, UNIVERSE};
use crate::market::Calendar;
use crate::market::time::et_date;

pub fn answer(question: &Question, format: Format, now: DateTime<Utc>) -> Result<Rendered, NoData> {
    let table = match question {
        Question::Intraday(q) => intraday(q, format, now)?,
        Question::Eod(q) if q.greeks => greeks::eod(q, format, now)?,
        Question::Eod(q) => eod(q, format, now)?,
        Question::AtTime(q) => ticks::at_time(q, format, now)?,
        Question::Greeks(q) => greeks::answer(q, format, now)?,
        Question::Contracts { symbols, date, max_dte, traded } => {
            contracts::list(symbols.as_deref(), *date, *max_dte, *traded, format, now)?
        }
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
    let contract: &'static [&'static str] = if q.contracts.is_some() { CONTRACT } else { &CONTRACT[..0] };
    let rest: Vec<&'static [&'static str]> = match q.style {
        Style::Ohlc => vec![OHLC],
        Style::Quote => vec![&["timestamp"], QUOTE],
        Style::Price => vec![&["timestamp", "price"]],
        Style::OpenInterest => vec![&["timestamp", "open_interest"]],
        Style::Trade | Style::TradeQuote => ticks::columns(q.style),
    };
    [vec![contract], rest].concat()
}

/// One session's rows of the query into `table`.
fn intraday_day(
    u: &Underlying,
    q: &IntradayQuery,
    date: NaiveDate,
    now: DateTime<Utc>,
    table: &mut Table,
) -> Result<(), NoData> {
    let available = minutes_available(date, now)?;
    let path = session_path(u, date)?;
    let spot = u.path.day(date).ok_or(NoData)?.open;
    match (q.style, &q.contracts) {
        (Style::Price, _) => {
            // The index's value at each stamp: the path at that minute's start.
            let interval = usize::from(q.interval_minutes).max(1);
            let minutes = (0..available.min(path.len())).step_by(interval).map(|m| m as u32);
            for minute in minutes.filter(|m| wanted(q, OPEN_MINUTE + m)) {
                let price = Cell::Fixed(cents(path[minute as usize]), 2);
                table.row(&[Cell::Stamp(date, OPEN_MINUTE + minute), price]);
            }
        }
        (Style::OpenInterest, Some(filter)) => {
            // Reported once a day, before the open (06:30 ET, as ThetaData's OI reports).
            for contract in filter.select(u, date, spot) {
                let interest = open_interest(u, &contract, date);
                let stamp = Cell::Stamp(date, 6 * 60 + 30);
                table.row(&[&contract_cells(u.profile, &contract)[..], &[stamp, Cell::Int(interest)]].concat());
            }
        }
        (_, Some(filter)) => {
            for contract in filter.select(u, date, spot) {
                let day = Day::contract(u, &contract, date, &path, now);
                security_rows(q, &day, &contract_cells(u.profile, &contract), table);
            }
        }
        (_, None) => {
            let wants = match q.style {
                Style::Quote => Wants::Quotes,
                Style::TradeQuote => Wants::Both,
                _ => Wants::Bars,
            };
            let day = Day::stock(u, date, &path, Hours::reached_by(q.start_ms, q.end_ms), wants, now)?;
            security_rows(q, &day, &[], table);
        }
    }
    Ok(())
}

/// Whether a row stamped at `minute_of_day` falls in the query's window.
fn wanted(q: &IntradayQuery, minute_of_day: u32) -> bool {
    (q.start_ms..=q.end_ms).contains(&(minute_of_day * 60_000))
}

/// One security's rows of the day: bars, quotes or trades, stretch by stretch
/// (resampled within each, so no bar straddles the open or the close).
fn security_rows(q: &IntradayQuery, day: &Day, prefix: &[Cell], table: &mut Table) {
    let interval = usize::from(q.interval_minutes);
    for stretch in &day.stretches {
        let stamp = |minute: u16| stretch.first + u32::from(minute);
        match q.style {
            Style::Ohlc => {
                for bar in resample::bars(&stretch.bars, interval).iter().filter(|b| wanted(q, stamp(b.minute))) {
                    table.row(&[prefix, &[Cell::Stamp(day.date, stamp(bar.minute))], &bar_cells(bar)].concat());
                }
            }
            Style::Quote => {
                for quote in resample::quotes(&stretch.quotes, interval).iter().filter(|x| wanted(q, stamp(x.minute))) {
                    table.row(&[prefix, &[Cell::Stamp(day.date, stamp(quote.minute))], &quote_cells(quote)].concat());
                }
            }
            Style::Trade | Style::TradeQuote => ticks::trade_rows(q, day, stretch, prefix, table),
            // Written from the path or once a day, without the day's minutes.
            Style::Price | Style::OpenInterest => {}
        }
    }
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

fn eod(q: &EodQuery, format: Format, now: DateTime<Utc>) -> Result<Table, NoData> {
    let u = underlying(&q.symbol, q.kind)?;
    let (start, end) = q.contracts.map_or((q.start, q.end), |c| c.trading_days(q.start, q.end));
    let days = u.path.between(start, end).iter().filter(|d| report_published(d.date, now));
    let contract = if q.contracts.is_some() { CONTRACT } else { &CONTRACT[..0] };
    let mut table = Table::new(format, &[contract, EOD, QUOTE], 32);
    for day in days {
        let Ok(path) = session_path(&u, day.date) else { continue };
        let minutes = path.len() - 1;
        let times = [Cell::Stamp(day.date, REPORT_MINUTE), Cell::Stamp(day.date, OPEN_MINUTE + minutes as u32)];
        let Some(filter) = &q.contracts else {
            let summary = resample::merge(&minute_bars(u.profile, day.date, &path));
            let quote = if u.profile.kind == Kind::Index { Quote::default() } else { closing_quote(u.profile, day) };
            table.row(&[&times, &bar_cells(&summary)[..6], &quote_cells(&quote)].concat());
            continue;
        };
        for contract in filter.select(&u, day.date, day.close) {
            let session = Day::contract(&u, &contract, day.date, &path, now);
            let summary = session.stretches.first().map(|s| resample::merge(&s.bars)).unwrap_or_default();
            let quote = closing_option_quote(u.profile, &contract, day.date, day.close);
            let prefix = contract_cells(u.profile, &contract);
            table.row(&[&prefix[..], &times, &bar_cells(&summary)[..6], &quote_cells(&quote)].concat());
        }
    }
    Ok(table)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::terminal::request::{Endpoint, Params, parse};
    use std::collections::HashMap;

    /// Long after every date the tests ask about.
    pub(in crate::terminal) fn later() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-15T12:00:00Z").unwrap().with_timezone(&Utc)
    }

    pub(in crate::terminal) fn get(path: &str, query: &[(&str, &str)]) -> Result<String, NoData> {
        get_at(path, query, later())
    }

    pub(in crate::terminal) fn get_at(
        path: &str,
        query: &[(&str, &str)],
        now: DateTime<Utc>,
    ) -> Result<String, NoData> {
        let map: HashMap<String, String> = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let params = Params(&map);
        let question = parse(Endpoint::from_path(path).unwrap(), &params).unwrap();
        answer(&question, params.format().unwrap(), now).map(|r| String::from_utf8(r.bytes).unwrap())
    }

    fn minute_bars(symbol: &str, date: &str) -> Result<String, NoData> {
        get("/v3/stock/history/ohlc", &[("symbol", symbol), ("date", date), ("interval", "1m")])
    }

    pub(in crate::terminal) fn column<'a>(csv: &'a str, name: &str) -> Vec<&'a str> {
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
