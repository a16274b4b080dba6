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
}

impl DataStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            DataStyle::Ohlc => "ohlc",
            DataStyle::Quote => "quote",
        }
    }

    /// Column names after `datetime`, in file order.
    pub fn value_columns(self) -> &'static [&'static str] {
        match self {
            DataStyle::Ohlc => &OHLC_COLUMNS,
            DataStyle::Quote => &QUOTE_COLUMNS,
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
            _ => Err(format!("unknown data style {s:?}: use ohlc or quote")),
        }
    }
}

pub const DATETIME: &str = "datetime";
pub const OHLC_COLUMNS: [&str; 6] = ["open", "high", "low", "close", "volume", "count"];
pub const QUOTE_COLUMNS: [&str; 4] = ["bid", "ask", "bid_size", "ask_size"];
const INTEGER_COLUMNS: [&str; 4] = ["volume", "count", "bid_size", "ask_size"];

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

/// One NBBO snapshot (UTC milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QuoteBar {
    pub ts_ms: i64,
    pub bid: f64,
    pub ask: f64,
    pub bid_size: i64,
    pub ask_size: i64,
}
