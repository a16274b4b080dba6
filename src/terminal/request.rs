//! Turning a request's path and query into a typed question, or a 400 message
//! naming the bad parameter.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::table::Format;
use crate::market::Right;

/// The regular session's bounds in ET milliseconds of the day: the defaults of
/// `start_time` and `end_time`.
pub const SESSION_START_MS: u32 = (9 * 60 + 30) * 60_000;
pub const SESSION_END_MS: u32 = 16 * 3_600_000;

/// The contracts an option request names; `None` is every value (see `contracts.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContractFilter {
    pub expiration: Option<NaiveDate>,
    pub strike_millis: Option<u32>,
    pub right: Option<Right>,
    /// At most this many calendar days to expiration.
    pub max_dte: Option<u32>,
    /// This many strikes either side of the spot, and one at it.
    pub strike_range: Option<u32>,
}

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
    /// Every trade.
    Trade,
    /// Every trade with the quote in force when it printed.
    TradeQuote,
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
    /// `option/list/contracts/{trade,quote}`: traded, or quoted (listed).
    Contracts {
        traded: bool,
    },
    CalendarToday,
    CalendarOnDate,
    YearHolidays,
    /// Option greeks at an interval's quotes.
    Greeks(GreeksKind),
    /// Option greeks at each trade.
    TradeGreeks(GreeksKind),
    /// Option greeks at each end-of-day report.
    GreeksEod,
    /// The last trade or quote (an index's price) at a time of day: `Trade`, `Quote` or `Price`.
    AtTime(SecurityKind, Style),
}

/// Which greeks an option greeks request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GreeksKind {
    FirstOrder,
    SecondOrder,
    ThirdOrder,
    All,
    ImpliedVolatility,
}

impl GreeksKind {
    fn from_name(name: &str) -> Option<GreeksKind> {
        Some(match name {
            "first_order" => GreeksKind::FirstOrder,
            "second_order" => GreeksKind::SecondOrder,
            "third_order" => GreeksKind::ThirdOrder,
            "all" => GreeksKind::All,
            "implied_volatility" => GreeksKind::ImpliedVolatility,
            _ => return None,
        })
    }
}

impl Endpoint {
    pub fn from_path(path: &str) -> Option<Endpoint> {
        use SecurityKind::{Index, Option, Stock};
        let path = path.trim_end_matches('/');
        if let Some(kind) = path.strip_prefix("/v3/option/history/greeks/") {
            return match kind {
                "eod" => Some(Endpoint::GreeksEod),
                _ => GreeksKind::from_name(kind).map(Endpoint::Greeks),
            };
        }
        if let Some(kind) = path.strip_prefix("/v3/option/history/trade_greeks/") {
            return GreeksKind::from_name(kind).map(Endpoint::TradeGreeks);
        }
        Some(match path {
            "/v3/stock/history/ohlc" => Endpoint::Intraday(Stock, Style::Ohlc),
            "/v3/stock/history/quote" => Endpoint::Intraday(Stock, Style::Quote),
            "/v3/stock/history/trade" => Endpoint::Intraday(Stock, Style::Trade),
            "/v3/stock/history/trade_quote" => Endpoint::Intraday(Stock, Style::TradeQuote),
            "/v3/stock/history/eod" => Endpoint::Eod(Stock),
            "/v3/stock/at_time/trade" => Endpoint::AtTime(Stock, Style::Trade),
            "/v3/stock/at_time/quote" => Endpoint::AtTime(Stock, Style::Quote),
            "/v3/index/history/ohlc" => Endpoint::Intraday(Index, Style::Ohlc),
            "/v3/index/history/price" => Endpoint::Intraday(Index, Style::Price),
            "/v3/index/history/eod" => Endpoint::Eod(Index),
            "/v3/index/at_time/price" => Endpoint::AtTime(Index, Style::Price),
            "/v3/option/history/ohlc" => Endpoint::Intraday(Option, Style::Ohlc),
            "/v3/option/history/quote" => Endpoint::Intraday(Option, Style::Quote),
            "/v3/option/history/trade" => Endpoint::Intraday(Option, Style::Trade),
            "/v3/option/history/trade_quote" => Endpoint::Intraday(Option, Style::TradeQuote),
            "/v3/option/history/open_interest" => Endpoint::Intraday(Option, Style::OpenInterest),
            "/v3/option/history/eod" => Endpoint::Eod(Option),
            "/v3/option/at_time/trade" => Endpoint::AtTime(Option, Style::Trade),
            "/v3/option/at_time/quote" => Endpoint::AtTime(Option, Style::Quote),
            "/v3/option/list/expirations" => Endpoint::Expirations,
            "/v3/option/list/strikes" => Endpoint::Strikes,
            "/v3/option/list/contracts/trade" => Endpoint::Contracts { traded: true },
            "/v3/option/list/contracts/quote" => Endpoint::Contracts { traded: false },
            "/v3/stock/list/symbols" => Endpoint::Symbols(Stock),
            "/v3/option/list/symbols" => Endpoint::Symbols(Option),
            "/v3/index/list/symbols" => Endpoint::Symbols(Index),
            "/v3/stock/list/dates/trade" | "/v3/stock/list/dates/quote" => Endpoint::Dates(Stock),
            "/v3/option/list/dates/trade" | "/v3/option/list/dates/quote" => Endpoint::Dates(Option),
            "/v3/index/list/dates" => Endpoint::Dates(Index),
            "/v3/calendar/today" => Endpoint::CalendarToday,
            "/v3/calendar/on_date" => Endpoint::CalendarOnDate,
            "/v3/calendar/year_holidays" => Endpoint::YearHolidays,
            _ => return None,
        })
    }

    /// Whether the operation takes `expiration=*`: the description's
    /// `expiration` parameter rather than `expiration_no_star` (checked against
    /// `spec.rs` in the tests).
    pub fn takes_any_expiration(self) -> bool {
        match self {
            Endpoint::Intraday(SecurityKind::Option, style) => style != Style::Ohlc,
            Endpoint::Eod(SecurityKind::Option)
            | Endpoint::GreeksEod
            | Endpoint::TradeGreeks(_)
            | Endpoint::AtTime(SecurityKind::Option, _) => true,
            _ => false,
        }
    }
}

/// A 400 answer's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParamError(pub String);

/// ThetaData's words for a wildcard expiration over more than a day.
pub const DAY_AT_A_TIME: &str = "When expiration=*, you must request data a day-at-a-time";

/// Bars, quotes or trades over the sessions of `[start, end]` (at most a month).
#[derive(Debug, Clone, PartialEq)]
pub struct IntradayQuery {
    pub kind: SecurityKind,
    pub style: Style,
    pub symbol: String,
    /// The contracts of an option request.
    pub contracts: Option<ContractFilter>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Days of the range the answer leaves out (the 472 fault, day by day).
    pub left_out: Vec<NaiveDate>,
    pub interval_minutes: u16,
    /// Inclusive bounds on the row stamp, in milliseconds after midnight ET.
    pub start_ms: u32,
    pub end_ms: u32,
    /// `trade_quote`: pair a trade with a quote stamped strictly before it (else at or before).
    pub exclusive: bool,
}

/// End-of-day reports over a date range; with greeks for `greeks/eod`.
#[derive(Debug, Clone, PartialEq)]
pub struct EodQuery {
    pub kind: SecurityKind,
    pub symbol: String,
    pub contracts: Option<ContractFilter>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub greeks: bool,
}

/// The last trade or quote at `time_ms` of each session of `[start, end]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AtTimeQuery {
    pub kind: SecurityKind,
    /// `Trade`, `Quote` or (an index) `Price`.
    pub style: Style,
    pub symbol: String,
    pub contracts: Option<ContractFilter>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Milliseconds after midnight ET.
    pub time_ms: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    Intraday(IntradayQuery),
    Eod(EodQuery),
    AtTime(AtTimeQuery),
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
    /// The contracts quoted or traded on a day, of some symbols or all.
    Contracts {
        symbols: Option<Vec<String>>,
        date: NaiveDate,
        max_dte: Option<u32>,
        traded: bool,
    },
    /// The schedule of one day; `None` is today.
    CalendarDay(Option<NaiveDate>),
    YearHolidays(i32),
    Greeks(GreeksQuery),
}

/// When greeks are taken: at each interval's quote, or at each trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    Interval(u16),
    Trades,
}

/// Greeks of an option request's contracts over the sessions of `[start, end]`.
#[derive(Debug, Clone, PartialEq)]
pub struct GreeksQuery {
    pub kind: GreeksKind,
    pub sampling: Sampling,
    pub symbol: String,
    pub contracts: ContractFilter,
    pub start: NaiveDate,
    pub end: NaiveDate,
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
        if !valid_symbol(symbol) {
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

    /// One expiration, for the operations that take no `*`.
    fn expiration(&self) -> Result<NaiveDate, ParamError> {
        if self.get("expiration") == Some("*") {
            return Err(ParamError(
                "expiration=* is not supported by this operation: request one expiration (YYYYMMDD)".into(),
            ));
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
            .ok_or_else(|| ParamError(format!("bad strike={strike}: use dollars, e.g. 91.000, or *")))?
            as u32)
    }

    /// A whole number of at least `min`, if present.
    fn count(&self, name: &str, min: u32) -> Result<Option<u32>, ParamError> {
        let Some(value) = self.get(name) else { return Ok(None) };
        value
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= min)
            .map(Some)
            .ok_or_else(|| ParamError(format!("bad {name}={value}: use a whole number of at least {min}")))
    }

    /// `true` or `false`, `default` when absent.
    fn flag(&self, name: &str, default: bool) -> Result<bool, ParamError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(ParamError(format!("bad {name}={other}: use true or false"))),
        }
    }

    /// The contracts an option request names.
    fn contracts(&self, endpoint: Endpoint) -> Result<ContractFilter, ParamError> {
        let expiration = match self.get("expiration") {
            Some("*") if endpoint.takes_any_expiration() => None,
            _ => Some(self.expiration()?),
        };
        Ok(ContractFilter {
            expiration,
            strike_millis: self.any_strike()?,
            right: self.any_right()?,
            max_dte: self.count("max_dte", 0)?,
            strike_range: self.count("strike_range", 1)?,
        })
    }

    /// The documented choices of the parameters the terminal accepts but does not
    /// model (the venue, the greeks' rate, dividend and version): a value outside
    /// them is a 400 like any other bad value.
    fn check_choices(&self) -> Result<(), ParamError> {
        const RATE_TYPES: &[&str] = &[
            "sofr",
            "treasury_m1",
            "treasury_m3",
            "treasury_m6",
            "treasury_y1",
            "treasury_y2",
            "treasury_y3",
            "treasury_y5",
            "treasury_y7",
            "treasury_y10",
            "treasury_y20",
            "treasury_y30",
        ];
        let choices: [(&str, &[&str]); 3] =
            [("venue", &["nqb", "utp_cta"]), ("rate_type", RATE_TYPES), ("version", &["latest", "1"])];
        for (name, allowed) in choices {
            if let Some(value) = self.get(name).filter(|v| !allowed.contains(&v.to_ascii_lowercase().as_str())) {
                return Err(ParamError(format!("bad {name}={value}: use {}", allowed.join(", "))));
            }
        }
        for name in ["annual_dividend", "rate_value"] {
            if let Some(value) = self.get(name).filter(|v| v.parse::<f64>().map_or(true, |x| !x.is_finite())) {
                return Err(ParamError(format!("bad {name}={value}: use a number")));
            }
        }
        self.flag("underlyer_use_nbbo", false).map(|_| ())
    }

    /// `symbol` as a comma-separated list, if present.
    fn symbol_list(&self) -> Result<Option<Vec<String>>, ParamError> {
        let Some(list) = self.get("symbol") else { return Ok(None) };
        let symbols: Vec<String> = list.split(',').map(|s| s.trim().to_ascii_uppercase()).collect();
        match symbols.iter().find(|s| !valid_symbol(s)) {
            Some(bad) => {
                Err(ParamError(format!("bad symbol={bad}: use letters, digits or '.', commas between symbols")))
            }
            None => Ok(Some(symbols)),
        }
    }
}

fn valid_symbol(symbol: &str) -> bool {
    !symbol.is_empty() && symbol.len() <= 10 && symbol.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
}

/// The question a data request asks, or why it cannot be answered (400).
pub fn parse(endpoint: Endpoint, params: &Params) -> Result<Question, ParamError> {
    params.check_choices()?;
    if let Some(question) = without_symbol(endpoint, params)? {
        return Ok(question);
    }
    let symbol = params.symbol()?;
    match endpoint {
        Endpoint::Expirations => Ok(Question::Expirations { symbol }),
        Endpoint::Strikes => Ok(Question::Strikes { symbol, expiration: params.expiration()? }),
        Endpoint::Dates(kind) => {
            let expiration = if kind == SecurityKind::Option { Some(params.expiration()?) } else { None };
            Ok(Question::Dates { kind, symbol, expiration })
        }
        _ => history(endpoint, params, symbol),
    }
}

/// The operations that name no symbol, or a list of them; `None` for the rest.
fn without_symbol(endpoint: Endpoint, params: &Params) -> Result<Option<Question>, ParamError> {
    Ok(Some(match endpoint {
        Endpoint::Symbols(kind) => Question::Symbols(kind),
        Endpoint::CalendarToday => Question::CalendarDay(None),
        Endpoint::CalendarOnDate => Question::CalendarDay(Some(params.date("date")?)),
        Endpoint::YearHolidays => {
            let year = params.required("year")?;
            let year = year
                .parse::<i32>()
                .ok()
                .filter(|y| (crate::market::calendar::FIRST_YEAR..=crate::market::calendar::LAST_YEAR).contains(y))
                .ok_or_else(|| ParamError(format!("bad year={year}: use a year the calendar covers")))?;
            Question::YearHolidays(year)
        }
        Endpoint::Contracts { traded } => Question::Contracts {
            symbols: params.symbol_list()?,
            date: params.date("date")?,
            max_dte: params.count("max_dte", 0)?,
            traded,
        },
        _ => return Ok(None),
    }))
}

/// A wildcard expiration is served a day at a time.
fn one_day_if_wildcard(
    contracts: Option<&ContractFilter>,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), ParamError> {
    if contracts.is_some_and(|c| c.expiration.is_none()) && start != end {
        return Err(ParamError(DAY_AT_A_TIME.into()));
    }
    Ok((start, end))
}

/// The history, `at_time` and greeks operations of one symbol.
fn history(endpoint: Endpoint, params: &Params, symbol: String) -> Result<Question, ParamError> {
    let contracts = |kind| if kind == SecurityKind::Option { params.contracts(endpoint).map(Some) } else { Ok(None) };
    let start_ms = || params.time("start_time", SESSION_START_MS);
    let end_ms = || params.time("end_time", SESSION_END_MS);
    Ok(match endpoint {
        Endpoint::Intraday(kind, style) => {
            let contracts = contracts(kind)?;
            let (start, end) = params.intraday_days()?;
            let (start, end) = one_day_if_wildcard(contracts.as_ref(), start, end)?;
            Question::Intraday(IntradayQuery {
                kind,
                style,
                symbol,
                contracts,
                start,
                end,
                left_out: Vec::new(),
                // Only the operations that document `interval` read it.
                interval_minutes: match style {
                    Style::Ohlc | Style::Quote | Style::Price => params.interval()?,
                    Style::OpenInterest | Style::Trade | Style::TradeQuote => 1,
                },
                start_ms: start_ms()?,
                end_ms: end_ms()?,
                exclusive: params.flag("exclusive", true)?,
            })
        }
        Endpoint::Eod(kind) | Endpoint::AtTime(kind, _) => {
            let contracts = contracts(kind)?;
            let (start, end) = params.date_range()?;
            let (start, end) = one_day_if_wildcard(contracts.as_ref(), start, end)?;
            match endpoint {
                Endpoint::AtTime(_, style) => {
                    params.required("time_of_day")?;
                    let time_ms = params.time("time_of_day", 0)?;
                    Question::AtTime(AtTimeQuery { kind, style, symbol, contracts, start, end, time_ms })
                }
                _ => Question::Eod(EodQuery { kind, symbol, contracts, start, end, greeks: false }),
            }
        }
        Endpoint::GreeksEod => {
            let contracts = contracts(SecurityKind::Option)?;
            let (start, end) = params.date_range()?;
            let (start, end) = one_day_if_wildcard(contracts.as_ref(), start, end)?;
            Question::Eod(EodQuery { kind: SecurityKind::Option, symbol, contracts, start, end, greeks: true })
        }
        Endpoint::Greeks(kind) | Endpoint::TradeGreeks(kind) => {
            let contracts = params.contracts(endpoint)?;
            let (start, end) = params.intraday_days()?;
            let (start, end) = one_day_if_wildcard(Some(&contracts), start, end)?;
            let sampling = match endpoint {
                Endpoint::Greeks(_) => Sampling::Interval(params.interval()?),
                _ => Sampling::Trades,
            };
            let (start_ms, end_ms) = (start_ms()?, end_ms()?);
            Question::Greeks(GreeksQuery { kind, sampling, symbol, contracts, start, end, start_ms, end_ms })
        }
        // Lists and the calendar are parsed by `parse` and `without_symbol`.
        _ => return Err(ParamError(format!("{endpoint:?} is not a history operation"))),
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
        assert_eq!(q.contracts.unwrap().strike_millis, Some(91_000));
        assert_eq!(q.contracts.unwrap().right, Some(Right::Call));
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
        assert!(err(option, &[base.as_slice(), &[("right", "sideways")]].concat()).contains("right=sideways"));
        assert!(err(option, &[base.as_slice(), &[("strike_range", "0")]].concat()).contains("strike_range=0"));
        assert!(err(option, &[base.as_slice(), &[("max_dte", "-1")]].concat()).contains("max_dte=-1"));
        assert!(err("/v3/stock/history/eod", &[("symbol", "SPY"), ("start_date", "20250310")]).contains("end_date"));
        let trade_quote = [("symbol", "SPY"), ("date", "20250310"), ("exclusive", "maybe")];
        assert!(err("/v3/stock/history/trade_quote", &trade_quote).contains("exclusive=maybe"));
        assert!(err(ohlc, &[("symbol", "SPY"), ("date", "20250310"), ("venue", "nyse")]).contains("venue=nyse"));
        let at_time = [("symbol", "SPY"), ("start_date", "20250310"), ("end_date", "20250310")];
        assert!(err("/v3/stock/at_time/trade", &at_time).contains("time_of_day"));
        let undocumented = [("symbol", "SPY"), ("date", "20250310"), ("interval", "tick")];
        assert!(ask("/v3/stock/history/trade", &undocumented).is_ok(), "trade takes no interval: ignored");
    }

    #[test]
    fn wildcards_default_and_a_star_expiration_is_one_day() {
        let chain =
            ask("/v3/option/history/ohlc", &[("symbol", "SPY"), ("date", "20250310"), ("expiration", "20250321")]);
        let Ok(Question::Intraday(q)) = chain else { panic!("{chain:?}") };
        let every = q.contracts.unwrap();
        assert_eq!((every.strike_millis, every.right), (None, None), "strike=* and right=both are the defaults");
        let star = [("symbol", "SPY"), ("expiration", "*")];
        let one_day = ask("/v3/option/history/trade", &[star.as_slice(), &[("date", "20250310")]].concat());
        let Ok(Question::Intraday(q)) = one_day else { panic!("{one_day:?}") };
        assert_eq!(q.contracts.unwrap().expiration, None);
        let range = [("start_date", "20250310"), ("end_date", "20250311")];
        assert_eq!(ask("/v3/option/history/trade", &[star.as_slice(), &range].concat()).unwrap_err().0, DAY_AT_A_TIME);
        let no_star = ask("/v3/option/history/ohlc", &[star.as_slice(), &[("date", "20250310")]].concat());
        assert!(no_star.unwrap_err().0.contains("expiration=* is not supported"), "ohlc takes one expiration");
    }

    /// Which operations take `expiration=*` follows the description's
    /// `expiration` and `expiration_no_star` parameters.
    #[test]
    fn star_expirations_follow_the_description() {
        for op in super::super::spec::OPERATIONS {
            let path = op.path.replace("{request_type}", "quote");
            let (Some(endpoint), Some(expiration)) =
                (Endpoint::from_path(&path), op.params.iter().find(|p| p.name == "expiration"))
            else {
                continue;
            };
            assert_eq!(endpoint.takes_any_expiration(), expiration.star, "{}", op.path);
        }
    }
}
