//! The bar schema shared by the wire decoder, the cache files and the stores.
//!
//! Columnar data is a Polars `DataFrame` whose first column is `datetime`
//! (milliseconds, UTC), stamped at the bar's open. The row forms below are the
//! simple representation the row store uses.

use std::fmt;
use std::str::FromStr;

use polars::prelude::{DataType, Field, Schema, TimeUnit, TimeZone};
use serde::{Deserialize, Serialize};

/// Which series of a contract a dataset holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataStyle {
    /// Trade bars: open, high, low, close, volume, count.
    Ohlc,
    /// NBBO snapshots: bid, ask, bid_size, ask_size.
    Quote,
    /// An option's first-order greeks and implied volatility, one snapshot a
    /// minute from the NBBO at that instant (v3 `greeks/first_order`).
    Greeks,
    /// An option's open interest, reported once a day before the open (v3
    /// `open_interest`, stamped when reported): daily only.
    OpenInterest,
}

impl DataStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            DataStyle::Ohlc => "ohlc",
            DataStyle::Quote => "quote",
            DataStyle::Greeks => "greeks",
            DataStyle::OpenInterest => "open_interest",
        }
    }

    /// The path segment after `/history/` in a v3 request.
    pub fn wire_path(self) -> &'static str {
        match self {
            DataStyle::Greeks => "greeks/first_order",
            style => style.as_str(),
        }
    }

    /// Why `asset` cannot have data of this style, if it cannot.
    pub fn unsupported_for(self, asset: &super::Asset) -> Option<&'static str> {
        match (self, asset) {
            (DataStyle::Quote, super::Asset::Index(_)) => Some("indices have no quotes, only ohlc"),
            (DataStyle::Greeks, super::Asset::Stock(_) | super::Asset::Index(_)) => {
                Some("greeks are an option's; stocks and indices have ohlc (and stocks quotes)")
            }
            (DataStyle::OpenInterest, super::Asset::Stock(_) | super::Asset::Index(_)) => {
                Some("open interest is an option's; stocks and indices have ohlc (and stocks quotes)")
            }
            _ => None,
        }
    }

    /// Column names after `datetime`, in file order.
    pub fn value_columns(self) -> &'static [&'static str] {
        match self {
            DataStyle::Ohlc => &OHLC_COLUMNS,
            DataStyle::Quote => &QUOTE_COLUMNS,
            DataStyle::Greeks => &GREEKS_COLUMNS,
            DataStyle::OpenInterest => &OPEN_INTEREST_COLUMNS,
        }
    }

    /// The full Polars schema of a dataset of this style.
    pub fn schema(self) -> Schema {
        let mut fields = vec![Field::new(DATETIME.into(), datetime_dtype())];
        for &name in self.value_columns() {
            let dtype = if INTEGER_COLUMNS.contains(&name) { DataType::Int64 } else { DataType::Float64 };
            fields.push(Field::new(name.into(), dtype));
        }
        Schema::from_iter(fields)
    }
}

impl fmt::Display for DataStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DataStyle {
    type Err = String;

    fn from_str(s: &str) -> Result<DataStyle, String> {
        match s.to_ascii_lowercase().as_str() {
            "ohlc" => Ok(DataStyle::Ohlc),
            "quote" => Ok(DataStyle::Quote),
            "greeks" => Ok(DataStyle::Greeks),
            "open_interest" | "open-interest" | "oi" => Ok(DataStyle::OpenInterest),
            _ => Err(format!("unknown data style {s:?}: use ohlc, quote, greeks or open_interest")),
        }
    }
}

pub const DATETIME: &str = "datetime";
pub const OHLC_COLUMNS: [&str; 6] = ["open", "high", "low", "close", "volume", "count"];
pub const QUOTE_COLUMNS: [&str; 4] = ["bid", "ask", "bid_size", "ask_size"];
/// Theta per calendar day; vega, rho and epsilon per point of their input.
pub const GREEKS_COLUMNS: [&str; 11] =
    ["bid", "ask", "delta", "theta", "vega", "rho", "epsilon", "lambda", "implied_vol", "iv_error", "underlying_price"];
pub const OPEN_INTEREST_COLUMNS: [&str; 1] = ["open_interest"];
const INTEGER_COLUMNS: [&str; 5] = ["volume", "count", "bid_size", "ask_size", "open_interest"];

/// `Datetime(ms, UTC)`: every stored instant is UTC; ET exists only on display.
pub fn datetime_dtype() -> DataType {
    DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
}

/// One trade bar, stamped at its open (UTC milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub ts_ms: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: i64,
    pub count: i64,
}

/// An option's first-order greeks at one instant (UTC milliseconds), from
/// the NBBO then: known from that instant on, like the quote.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Greeks {
    pub ts_ms: i64,
    pub bid: f64,
    pub ask: f64,
    pub delta: f64,
    /// Per calendar day.
    pub theta: f64,
    pub vega: f64,
    pub rho: f64,
    pub implied_vol: f64,
    pub underlying_price: f64,
}

impl Greeks {
    /// Whether a volatility priced the quote (v3 reports 0 with an error otherwise).
    pub fn is_priced(&self) -> bool {
        self.implied_vol > 0.0
    }
}

/// One NBBO snapshot (UTC milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QuoteBar {
    pub ts_ms: i64,
    pub bid: f64,
    pub ask: f64,
    pub bid_size: i64,
    pub ask_size: i64,
}
