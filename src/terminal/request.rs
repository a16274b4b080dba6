//! Turning a request's path and query into a typed question, or a 400 message
//! naming the bad parameter.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::options::Contract;
use super::table::Format;
use crate::market::Right;

/// What kind of security a data path asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityKind {
    Stock,
    Index,
    Option,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Ohlc,
    Quote,
    /// An index's value at each stamp (`index/history/price`).
    Price,
    /// A contract's open interest, once a day (`option/history/open_interest`).
    OpenInterest,
}

/// The data endpoints, by path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Intraday(SecurityKind, Style),
    Eod(SecurityKind),
    Expirations,
    Strikes,
    Symbols(SecurityKind),
    /// The dates with data: `list/dates/{trade,quote}` (any request type for an index).
    Dates(SecurityKind),
    CalendarToday,
    CalendarOnDate,
    YearHolidays,
    Greeks(GreeksKind),
}

/// Which greeks an option greeks request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GreeksKind {
    FirstOrder,
    ImpliedVolatility,
}

impl Endpoint {
    pub fn from_path(path: &str) -> Option<Endpoint> {
        use SecurityKind::{Index, Option, Stock};
        Some(match path.trim_end_matches('/') {
            "/v3/stock/history/ohlc" => Endpoint::Intraday(Stock, Style::Ohlc),
            "/v3/stock/history/quote" => Endpoint::Intraday(Stock, Style::Quote),
            "/v3/stock/history/eod" => Endpoint::Eod(Stock),
            "/v3/index/history/ohlc" => Endpoint::Intraday(Index, Style::Ohlc),
            "/v3/index/history/price" => Endpoint::Intraday(Index, Style::Price),
            "/v3/option/history/open_interest" => Endpoint::Intraday(Option, Style::OpenInterest),
            "/v3/index/history/eod" => Endpoint::Eod(Index),
            "/v3/option/history/ohlc" => Endpoint::Intraday(Option, Style::Ohlc),
            "/v3/option/history/quote" => Endpoint::Intraday(Option, Style::Quote),
            "/v3/option/history/eod" => Endpoint::Eod(Option),
            "/v3/option/list/expirations" => Endpoint::Expirations,
            "/v3/option/list/strikes" => Endpoint::Strikes,
            "/v3/stock/list/symbols" => Endpoint::Symbols(Stock),
            "/v3/option/list/symbols" => Endpoint::Symbols(Option),
            "/v3/index/list/symbols" => Endpoint::Symbols(Index),
            "/v3/stock/list/dates/trade" | "/v3/stock/list/dates/quote" => Endpoint::Dates(Stock),
            "/v3/option/list/dates/trade" | "/v3/option/list/dates/quote" => Endpoint::Dates(Option),
            "/v3/index/list/dates" => Endpoint::Dates(Index),
            "/v3/calendar/today" => Endpoint::CalendarToday,
            "/v3/calendar/on_date" => Endpoint::CalendarOnDate,
            "/v3/calendar/year_holidays" => Endpoint::YearHolidays,
            "/v3/option/history/greeks/first_order" => Endpoint::Greeks(GreeksKind::FirstOrder),
            "/v3/option/history/greeks/implied_volatility" => Endpoint::Greeks(GreeksKind::ImpliedVolatility),
            _ => return None,
        })
    }
}

/// A 400 answer's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParamError(pub String);

/// Bars or quotes over the sessions of `[start, end]` (at most a month).
#[derive(Debug, Clone, PartialEq)]
pub struct IntradayQuery {
    pub kind: SecurityKind,
    pub style: Style,
    pub symbol: String,
    pub contract: Option<Contract>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Days of the range the answer leaves out (the 472 fault, day by day).
    pub left_out: Vec<NaiveDate>,
    pub interval_minutes: u16,
    /// Inclusive bounds on the bar stamp, in milliseconds after midnight ET.
    pub start_ms: u32,
    pub end_ms: u32,
}

/// End-of-day reports over a date range.
#[derive(Debug, Clone, PartialEq)]
pub struct EodQuery {
    pub kind: SecurityKind,
    pub symbol: String,
    pub contract: Option<Contract>,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    Intraday(IntradayQuery),
    Eod(EodQuery),
    Expirations {
        symbol: String,
    },
    Strikes {
        symbol: String,
        expiration: NaiveDate,
    },
    Symbols(SecurityKind),
    /// Dates with data of a symbol, or of one expiration's contracts.
    Dates {
        kind: SecurityKind,
        symbol: String,
        expiration: Option<NaiveDate>,
    },
    /// The schedule of one day; `None` is today.
    CalendarDay(Option<NaiveDate>),
    YearHolidays(i32),
    Greeks(GreeksQuery),
}

/// Greeks of one expiration's contracts over the sessions of `[start, end]`:
/// every strike and both rights unless they are named.
#[derive(Debug, Clone, PartialEq)]
pub struct GreeksQuery {
    pub kind: GreeksKind,
    pub symbol: String,
    pub expiration: NaiveDate,
    pub strike_millis: Option<u32>,
    pub right: Option<Right>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub interval_minutes: u16,
    /// Inclusive bounds on the row stamp, in milliseconds after midnight ET.
    pub start_ms: u32,
    pub end_ms: u32,
}

/// The request's query parameters, with accessors that explain what is wrong.
pub struct Params<'a>(pub &'a HashMap<String, String>);

impl Params<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    fn required(&self, name: &str) -> Result<&str, ParamError> {
        self.get(name).ok_or_else(|| ParamError(format!("missing required parameter {name}")))
    }

    fn date(&self, name: &str) -> Result<NaiveDate, ParamError> {
        let value = self.required(name)?;
        ["%Y%m%d", "%Y-%m-%d"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(value, f).ok())
            .ok_or_else(|| ParamError(format!("bad {name}={value}: use YYYYMMDD or YYYY-MM-DD")))
    }

    fn symbol(&self) -> Result<String, ParamError> {
        let symbol = self.required("symbol")?;
        if symbol.len() > 10 || !symbol.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
            return Err(ParamError(format!("bad symbol={symbol}: use letters, digits or '.'")));
        }
        Ok(symbol.to_ascii_uppercase())
    }

    pub fn format(&self) -> Result<Format, ParamError> {
        match self.get("format").map(str::to_ascii_lowercase).as_deref() {
            None | Some("csv") => Ok(Format::Csv),
            Some("ndjson") => Ok(Format::Ndjson),
            Some("json") => Ok(Format::Json),
            Some("html") => Ok(Format::Html),
            Some(other) => Err(ParamError(format!("unsupported format={other}: use csv, json, ndjson or html"))),
        }
    }

    fn interval(&self) -> Result<u16, ParamError> {
        match self.get("interval").unwrap_or("1m") {
            "1m" => Ok(1),
            "5m" => Ok(5),
            "10m" => Ok(10),
            "15m" => Ok(15),
            "30m" => Ok(30),
            "1h" => Ok(60),
            other => Err(ParamError(format!("unsupported interval={other}: use 1m, 5m, 10m, 15m, 30m or 1h"))),
        }
    }

    /// `HH:MM:SS[.SSS]` as milliseconds after midnight.
    fn time(&self, name: &str, default_ms: u32) -> Result<u32, ParamError> {
        let Some(value) = self.get(name) else { return Ok(default_ms) };
        let bad = || ParamError(format!("bad {name}={value}: use HH:MM:SS"));
        let (clock, millis) = value.split_once('.').unwrap_or((value, "0"));
        let parts: Vec<u32> = clock.split(':').map(|p| p.parse().map_err(|_| bad())).collect::<Result<_, _>>()?;
        let millis: u32 = format!("{millis:0<3}").get(..3).and_then(|m| m.parse().ok()).ok_or_else(bad)?;
        match parts[..] {
            [h, m, s] if h < 24 && m < 60 && s < 60 => Ok(((h * 60 + m) * 60 + s) * 1000 + millis),
            _ => Err(bad()),
        }
    }

    /// The days of an intraday request: `date`, or `start_date`..`end_date`
    /// spanning at most a month (v3's limit for intraday history).
    fn intraday_days(&self) -> Result<(NaiveDate, NaiveDate), ParamError> {
        if self.get("date").is_some() {
            let day = self.date("date")?;
            return Ok((day, day));
        }
        let (start, end) = match (self.get("start_date").is_some(), self.get("end_date").is_some()) {
            (false, false) => {
                return Err(ParamError("missing required parameter date (or start_date and end_date)".into()));
            }
            (true, false) => (self.date("start_date")?, self.date("start_date")?),
            (false, true) => (self.date("end_date")?, self.date("end_date")?),
            (true, true) => (self.date("start_date")?, self.date("end_date")?),
        };
        if start > end {
            return Err(ParamError(format!("start_date={start} is after end_date={end}")));
        }
        if start.checked_add_months(chrono::Months::new(1)).is_none_or(|limit| end > limit) {
            return Err(ParamError(format!(
                "start_date={start} to end_date={end} spans more than a month: intraday history is served a month at a time"
            )));
        }
        Ok((start, end))
    }

    fn date_range(&self) -> Result<(NaiveDate, NaiveDate), ParamError> {
        if self.get("date").is_some() {
            let day = self.date("date")?;
            return Ok((day, day));
        }
        let (start, end) = (self.date("start_date")?, self.date("end_date")?);
        if start > end {
            return Err(ParamError(format!("start_date={start} is after end_date={end}")));
        }
        Ok((start, end))
    }

    fn expiration(&self) -> Result<NaiveDate, ParamError> {
        if self.get("expiration") == Some("*") {
            return Err(ParamError("expiration=* is not supported: request one expiration".into()));
        }
        self.date("expiration")
    }

    /// `strike`, or `None` for every strike (absent or `*`).
    fn any_strike(&self) -> Result<Option<u32>, ParamError> {
        match self.get("strike") {
            None | Some("*") => Ok(None),
            Some(_) => self.strike().map(Some),
        }
    }

    /// `right`, or `None` for both (absent or `both`).
    fn any_right(&self) -> Result<Option<Right>, ParamError> {
        match self.get("right") {
            None => Ok(None),
            Some(r) if r.eq_ignore_ascii_case("both") => Ok(None),
            Some(r) => {
                Right::parse(r).map(Some).ok_or_else(|| ParamError(format!("bad right={r}: use call, put or both")))
            }
        }
    }

    fn strike(&self) -> Result<u32, ParamError> {
        let strike = self.required("strike")?;
        Ok(strike
            .parse::<f64>()
            .ok()
            .map(|dollars| (dollars * 1000.0).round())
            .filter(|millis| *millis >= 1.0 && *millis < 1e8)
            .ok_or_else(|| ParamError(format!("bad strike={strike}: use dollars, e.g. 91.000")))? as u32)
    }

    fn contract(&self) -> Result<Contract, ParamError> {
        let expiration = self.expiration()?;
        let strike_millis = self.strike()?;
        let right = self.required("right")?;
        let right = Right::parse(right)
            .ok_or_else(|| ParamError(format!("bad right={right}: use call or put (both is not supported)")))?;
        Ok(Contract { expiration, strike_millis, right })
    }
}

/// The question a data request asks, or why it cannot be answered (400).
pub fn parse(endpoint: Endpoint, params: &Params) -> Result<Question, ParamError> {
    // The operations that name no symbol.
    match endpoint {
        Endpoint::Symbols(kind) => return Ok(Question::Symbols(kind)),
        Endpoint::CalendarToday => return Ok(Question::CalendarDay(None)),
        Endpoint::CalendarOnDate => return Ok(Question::CalendarDay(Some(params.date("date")?))),
        Endpoint::YearHolidays => {
            let year = params.required("year")?;
            let year = year
                .parse::<i32>()
                .ok()
                .filter(|y| (crate::market::calendar::FIRST_YEAR..=crate::market::calendar::LAST_YEAR).contains(y))
                .ok_or_else(|| ParamError(format!("bad year={year}: use a year the calendar covers")))?;
            return Ok(Question::YearHolidays(year));
        }
        _ => {}
    }
    let symbol = params.symbol()?;
    let contract = |kind| if kind == SecurityKind::Option { params.contract().map(Some) } else { Ok(None) };
    Ok(match endpoint {
        Endpoint::Intraday(kind, style) => {
            let contract = contract(kind)?;
            let ((start, end), interval_minutes) = (params.intraday_days()?, params.interval()?);
            let start_ms = params.time("start_time", 9 * 3_600_000 + 30 * 60_000)?;
            let end_ms = params.time("end_time", 16 * 3_600_000)?;
            Question::Intraday(IntradayQuery {
                kind,
                style,
                symbol,
                contract,
                start,
                end,
                left_out: Vec::new(),
                interval_minutes,
                start_ms,
                end_ms,
            })
        }
        Endpoint::Eod(kind) => {
            let contract = contract(kind)?;
            let (start, end) = params.date_range()?;
            Question::Eod(EodQuery { kind, symbol, contract, start, end })
        }
        Endpoint::Expirations => Question::Expirations { symbol },
        Endpoint::Strikes => Question::Strikes { symbol, expiration: params.expiration()? },
        Endpoint::Greeks(kind) => {
            let ((start, end), interval_minutes) = (params.intraday_days()?, params.interval()?);
            Question::Greeks(GreeksQuery {
                kind,
                symbol,
                expiration: params.expiration()?,
                strike_millis: params.any_strike()?,
                right: params.any_right()?,
                start,
                end,
                interval_minutes,
                start_ms: params.time("start_time", 9 * 3_600_000 + 30 * 60_000)?,
                end_ms: params.time("end_time", 16 * 3_600_000)?,
            })
        }
        Endpoint::Dates(kind) => {
            let expiration = if kind == SecurityKind::Option { Some(params.expiration()?) } else { None };
            Question::Dates { kind, symbol, expiration }
        }
        // Answered above, before the symbol.
        Endpoint::Symbols(_) | Endpoint::CalendarToday | Endpoint::CalendarOnDate | Endpoint::YearHolidays => {
            return Err(ParamError(format!("{endpoint:?} takes no symbol")));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(path: &str, query: &[(&str, &str)]) -> Result<Question, ParamError> {
        let map: HashMap<String, String> = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        parse(Endpoint::from_path(path).unwrap(), &Params(&map))
    }

    #[test]
    fn parses_an_option_minute_request() {
        let q = ask(
            "/v3/option/history/ohlc",
            &[
                ("symbol", "pltr"),
                ("expiration", "2025-04-17"),
                ("strike", "91.000"),
                ("right", "C"),
                ("date", "20250310"),
                ("interval", "5m"),
                ("end_time", "12:00:00"),
            ],
        )
        .unwrap();
        let Question::Intraday(q) = q else { panic!("intraday expected") };
        assert_eq!(q.symbol, "PLTR");
        assert_eq!(q.contract.unwrap().strike_millis, 91_000);
        assert_eq!(q.contract.unwrap().right, Right::Call);
        assert_eq!((q.interval_minutes, q.start_ms, q.end_ms), (5, 34_200_000, 43_200_000));
    }

    #[test]
    fn names_the_bad_parameter() {
        let err = |path, query: &[(&str, &str)]| ask(path, query).unwrap_err().0;
        let ohlc = "/v3/stock/history/ohlc";
        assert!(err(ohlc, &[("date", "20250310")]).contains("symbol"));
        assert!(err(ohlc, &[("symbol", "SPY"), ("date", "2025-13-01")]).contains("date=2025-13-01"));
        assert!(err(ohlc, &[("symbol", "SPY"), ("date", "20250310"), ("interval", "1s")]).contains("interval=1s"));
        assert!(
            err(ohlc, &[("symbol", "SPY"), ("start_date", "20250310"), ("end_date", "20250411")])
                .contains("more than a month")
        );
        assert!(ask(ohlc, &[("symbol", "SPY"), ("start_date", "20250310"), ("end_date", "20250410")]).is_ok());
        assert!(err(ohlc, &[("symbol", "SPY"), ("date", "20250310"), ("start_time", "9:3x")]).contains("start_time"));
        let option = "/v3/option/history/quote";
        let base = [("symbol", "SPY"), ("date", "20250310"), ("expiration", "20250321"), ("strike", "500")];
        assert!(err(option, &[base.as_slice(), &[("right", "both")]].concat()).contains("right=both"));
        assert!(err(option, &base).contains("right"));
        assert!(err("/v3/stock/history/eod", &[("symbol", "SPY"), ("start_date", "20250310")]).contains("end_date"));
    }
}
