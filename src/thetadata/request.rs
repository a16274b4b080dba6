//! The v3 requests thetabench makes: path and query per the wire contract.
//! Pure data, so every parameter rule is testable without a server.

use std::fmt;

use chrono::{Duration, NaiveDate};
use reqwest::Url;

use crate::market::calendar::Session;
use crate::market::time::ET;
use crate::market::{Asset, DataStyle, OptionContract, Timestep};

/// One GET against the terminal: a path and its query, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    path: String,
    query: Vec<(&'static str, String)>,
}

/// The terminal's link to ThetaData's servers: `CONNECTED` when it is logged in.
pub const STATUS_PATH: &str = "/v3/terminal/mdds/status";

/// Session bars start here (ET); the terminal's own default, sent explicitly.
const SESSION_START: &str = "09:30:00";

impl Request {
    fn new(path: impl Into<String>) -> Request {
        Request { path: path.into(), query: Vec::new() }
    }

    fn param(mut self, key: &'static str, value: impl Into<String>) -> Request {
        self.query.push((key, value.into()));
        self
    }

    fn csv(self) -> Request {
        self.param("format", "csv")
    }

    /// `expiration`, `strike` and `right` naming one contract.
    fn contract(self, c: &OptionContract) -> Request {
        let millis = c.strike.millis();
        self.param("symbol", c.underlying.as_str())
            .param("expiration", yyyymmdd(c.expiration))
            .param("strike", format!("{}.{:03}", millis / 1000, millis % 1000))
            .param("right", c.right.wire().to_ascii_lowercase())
    }

    fn asset(self, asset: &Asset) -> Request {
        match asset {
            Asset::Option(c) => self.contract(c),
            Asset::Stock(s) | Asset::Index(s) => self.param("symbol", s.as_str()),
        }
    }

    pub fn status() -> Request {
        Request::new(STATUS_PATH)
    }

    /// One session of intraday bars, from the open to the last bar stamp before
    /// the close (`end_time` is inclusive on the stamp, so the close itself is excluded).
    pub fn history_day(
        asset: &Asset,
        style: DataStyle,
        interval: Timestep,
        session: &Session,
    ) -> Result<Request, Unsupported> {
        let request = Request::new(format!("/v3/{}/history/{}", asset.kind(), style.wire_path()));
        if interval.intraday().is_none() {
            return Err(Unsupported::new(&request, format!("{interval} is not an intraday interval; use eod")));
        }
        if let Some(why) = intraday_refusal(style, asset) {
            return Err(Unsupported::new(&request, why.into()));
        }
        let last_stamp = (session.close - Duration::minutes(1)).with_timezone(&ET);
        Ok(request
            .asset(asset)
            .param("date", yyyymmdd(session.date))
            .param("interval", interval.as_str())
            .param("start_time", SESSION_START)
            .param("end_time", last_stamp.format("%H:%M:%S").to_string())
            .csv())
    }

    /// Intraday bars of every session in `[start, end]` (v3 serves up to a
    /// month a request), each from the open to its last bar before 16:00; an
    /// early close simply has fewer bars.
    pub fn history_range(
        asset: &Asset,
        style: DataStyle,
        interval: Timestep,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Request, Unsupported> {
        let request = Request::new(format!("/v3/{}/history/{}", asset.kind(), style.wire_path()));
        let Some(step) = interval.intraday() else {
            return Err(Unsupported::new(&request, format!("{interval} is not an intraday interval; use eod")));
        };
        if let Some(why) = intraday_refusal(style, asset) {
            return Err(Unsupported::new(&request, why.into()));
        }
        let last_stamp = chrono::NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default() - step;
        Ok(request
            .asset(asset)
            .param("start_date", yyyymmdd(start))
            .param("end_date", yyyymmdd(end))
            .param("interval", interval.as_str())
            .param("start_time", SESSION_START)
            .param("end_time", last_stamp.format("%H:%M:%S").to_string())
            .csv())
    }

    /// One row per session of `[start, end]`: the end-of-day report read as
    /// `style`, or for open interest the day's report.
    pub fn daily(asset: &Asset, style: DataStyle, start: NaiveDate, end: NaiveDate) -> Result<Request, Unsupported> {
        let path = match style {
            DataStyle::OpenInterest => "/v3/option/history/open_interest".to_string(),
            _ => format!("/v3/{}/history/eod", asset.kind()),
        };
        let request = Request::new(path);
        if style == DataStyle::Greeks {
            return Err(Unsupported::new(&request, "daily greeks are not asked for; use 1m greeks".into()));
        }
        if let Some(why) = style.unsupported_for(asset) {
            return Err(Unsupported::new(&request, why.into()));
        }
        Ok(request.asset(asset).param("start_date", yyyymmdd(start)).param("end_date", yyyymmdd(end)).csv())
    }

    pub fn expirations(symbol: &str) -> Request {
        Request::new("/v3/option/list/expirations").param("symbol", symbol).csv()
    }

    pub fn strikes(symbol: &str, expiration: NaiveDate) -> Request {
        Request::new("/v3/option/list/strikes").param("symbol", symbol).param("expiration", yyyymmdd(expiration)).csv()
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The full URL under `base` (the query percent-encoded).
    pub fn url(&self, base: &Url) -> Url {
        let mut url = base.clone();
        url.set_path(&self.path);
        url.set_query(None);
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(self.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        url
    }
}

impl fmt::Display for Request {
    /// `path?key=value&…`, the form error messages and logs quote.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        for (i, (key, value)) in self.query.iter().enumerate() {
            write!(f, "{}{key}={value}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

/// A request the v3 protocol cannot express, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub request: String,
    pub detail: String,
}

impl Unsupported {
    fn new(request: &Request, detail: String) -> Unsupported {
        Unsupported { request: request.to_string(), detail }
    }
}

/// Why `style` of `asset` cannot be asked for intraday, if it cannot.
fn intraday_refusal(style: DataStyle, asset: &Asset) -> Option<&'static str> {
    match style {
        DataStyle::OpenInterest => Some("open interest is reported once a day: ask for 1d"),
        _ => style.unsupported_for(asset),
    }
}

fn yyyymmdd(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{Calendar, Symbol};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn session(s: &str) -> Session {
        Calendar::session(d(s)).unwrap()
    }

    #[test]
    fn stock_day_covers_the_session() {
        let r = Request::history_day(
            &Asset::stock("PLTR").unwrap(),
            DataStyle::Ohlc,
            Timestep::Minute,
            &session("2025-03-10"),
        )
        .unwrap();
        assert_eq!(
            r.to_string(),
            "/v3/stock/history/ohlc?symbol=PLTR&date=20250310&interval=1m&start_time=09:30:00&end_time=15:59:00&format=csv"
        );
    }

    #[test]
    fn early_close_ends_at_12_59() {
        let r = Request::history_day(
            &Asset::stock("SPY").unwrap(),
            DataStyle::Quote,
            Timestep::FiveMinutes,
            &session("2024-11-29"),
        )
        .unwrap();
        assert!(r.to_string().contains("/v3/stock/history/quote?"), "{r}");
        assert!(r.to_string().contains("&interval=5m&start_time=09:30:00&end_time=12:59:00&"), "{r}");
    }

    #[test]
    fn option_and_index_params() {
        let option: Asset = "PLTR 2025-04-18 91.5 P".parse().unwrap();
        let greeks =
            Request::history_day(&option, DataStyle::Greeks, Timestep::Minute, &session("2025-03-10")).unwrap();
        assert!(greeks.to_string().starts_with("/v3/option/history/greeks/first_order?symbol=PLTR"), "{greeks}");
        let stock = Asset::Stock(Symbol::literal("PLTR"));
        let refused =
            Request::history_range(&stock, DataStyle::Greeks, Timestep::Minute, d("2025-03-03"), d("2025-03-07"));
        assert!(refused.unwrap_err().detail.contains("greeks are an option's"));
        assert!(Request::daily(&option, DataStyle::Greeks, d("2025-03-03"), d("2025-03-07")).is_err());
        let oi = Request::daily(&option, DataStyle::OpenInterest, d("2025-03-03"), d("2025-03-07")).unwrap();
        assert!(oi.to_string().starts_with("/v3/option/history/open_interest?symbol=PLTR&expiration=20250418"), "{oi}");
        let intraday = Request::history_day(&option, DataStyle::OpenInterest, Timestep::Minute, &session("2025-03-10"));
        assert!(intraday.unwrap_err().detail.contains("once a day"));
        let r = Request::history_day(&option, DataStyle::Ohlc, Timestep::Hour, &session("2025-03-10")).unwrap();
        assert!(
            r.to_string().starts_with(
                "/v3/option/history/ohlc?symbol=PLTR&expiration=20250418&strike=91.500&right=put&date=20250310&interval=1h"
            ),
            "{r}"
        );
        let eod =
            Request::daily(&Asset::Index(Symbol::literal("SPX")), DataStyle::Ohlc, d("2025-03-03"), d("2025-03-31"))
                .unwrap();
        assert_eq!(
            eod.to_string(),
            "/v3/index/history/eod?symbol=SPX&start_date=20250303&end_date=20250331&format=csv"
        );
        assert_eq!(
            Request::strikes("PLTR", d("2025-04-18")).to_string(),
            "/v3/option/list/strikes?symbol=PLTR&expiration=20250418&format=csv"
        );
    }

    #[test]
    fn unsupported_requests_say_why() {
        let s = session("2025-03-10");
        let day = Request::history_day(&Asset::stock("PLTR").unwrap(), DataStyle::Ohlc, Timestep::Day, &s).unwrap_err();
        assert!(day.detail.contains("1d"), "{day:?}");
        let idx = Request::history_day(&Asset::Index(Symbol::literal("SPX")), DataStyle::Quote, Timestep::Minute, &s);
        assert!(idx.unwrap_err().request.starts_with("/v3/index/history/quote"));
    }

    #[test]
    fn url_encodes_the_query() {
        let base = Url::parse("http://127.0.0.1:25503/").unwrap();
        let url = Request::expirations("BRK.B").url(&base);
        assert_eq!(url.as_str(), "http://127.0.0.1:25503/v3/option/list/expirations?symbol=BRK.B&format=csv");
        assert_eq!(Request::status().url(&base).as_str(), "http://127.0.0.1:25503/v3/terminal/mdds/status");
    }
}
