//! How a loaded dataset is held in memory: as the Polars frame the cache
//! returned (columnar) or as materialized rows (the reference).

use std::ops::Range;

use polars::prelude::{DataFrame, Float64Chunked, Int64Chunked};

use super::Quote;
use super::history::History;
use crate::market::bars::DATETIME;
use crate::market::conversion::{ConversionKind, Conversions};
use crate::market::time::utc_from_ms;
use crate::market::{Bar, DataStyle, QuoteBar};

pub trait Representation {
    type Held;
    const NAME: &'static str;

    /// Takes a loaded frame (sorted, single chunk) into this representation.
    fn hold(frame: DataFrame, style: DataStyle, ledger: &Conversions) -> Self::Held;
    fn stamps(held: &Self::Held) -> &[i64];
    /// A window of an OHLC dataset.
    fn history(held: &Self::Held, rows: Range<usize>) -> History<'_>;
    /// One snapshot of a quote dataset.
    fn quote(held: &Self::Held, row: usize) -> Option<Quote>;
    /// One bar of an OHLC dataset.
    fn bar(held: &Self::Held, row: usize) -> Option<Bar> {
        let history = Self::history(held, row..row + 1);
        history.first()
    }
}

/// Polars frames; answers are views into their buffers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Columnar;

/// A loaded frame with its columns resolved once (clones of the columns share
/// the frame's buffers), so each answer is a handful of slice operations.
pub struct HeldColumns {
    stamps: Int64Chunked,
    values: Vec<Option<ColumnValues>>,
}

enum ColumnValues {
    F64(Float64Chunked),
    I64(Int64Chunked),
}

/// Column positions in `HeldColumns::values`.
const OPEN: usize = 0;
const HIGH: usize = 1;
const LOW: usize = 2;
const CLOSE: usize = 3;
const VOLUME: usize = 4;
const COUNT: usize = 5;
const BID: usize = 6;
const ASK: usize = 7;
const BID_SIZE: usize = 8;
const ASK_SIZE: usize = 9;
const NAMES: [&str; 10] = ["open", "high", "low", "close", "volume", "count", "bid", "ask", "bid_size", "ask_size"];

impl HeldColumns {
    pub(super) fn closes(&self, rows: Range<usize>) -> &[f64] {
        self.f64s(CLOSE).get(rows).unwrap_or(&[])
    }

    pub(super) fn close_at(&self, row: usize) -> f64 {
        self.f64s(CLOSE).get(row).copied().unwrap_or_default()
    }

    pub(super) fn bar_at(&self, row: usize) -> Bar {
        let f = |c| self.f64s(c).get(row).copied().unwrap_or_default();
        let n = |c| self.i64s(c).get(row).copied().unwrap_or_default();
        Bar {
            ts_ms: Columnar::stamps(self).get(row).copied().unwrap_or_default(),
            open: f(OPEN),
            high: f(HIGH),
            low: f(LOW),
            close: f(CLOSE),
            volume: n(VOLUME),
            count: n(COUNT),
        }
    }

    // `hold` keeps only single-chunk, null-free columns, so the first chunk's
    // values are the column: no per-call checks on the hot path.
    fn f64s(&self, column: usize) -> &[f64] {
        match self.values.get(column) {
            Some(Some(ColumnValues::F64(ca))) => ca.downcast_iter().next().map_or(&[], |a| &a.values()[..]),
            _ => &[],
        }
    }

    fn i64s(&self, column: usize) -> &[i64] {
        match self.values.get(column) {
            Some(Some(ColumnValues::I64(ca))) => ca.downcast_iter().next().map_or(&[], |a| &a.values()[..]),
            _ => &[],
        }
    }
}

impl Representation for Columnar {
    type Held = HeldColumns;
    const NAME: &'static str = "columnar";

    fn hold(mut frame: DataFrame, _style: DataStyle, _ledger: &Conversions) -> HeldColumns {
        // Contiguous buffers make every later answer a plain slice.
        frame.rechunk_mut();
        let stamps = frame
            .column(DATETIME)
            .ok()
            .and_then(|c| c.datetime().ok())
            .map(|dt| dt.physical().clone())
            .filter(|ca| ca.cont_slice().is_ok())
            .unwrap_or_default();
        let values = NAMES
            .iter()
            .map(|name| {
                let column = frame.column(name).ok()?;
                let f64s = column.f64().ok().filter(|ca| ca.cont_slice().is_ok());
                let i64s = column.i64().ok().filter(|ca| ca.cont_slice().is_ok());
                f64s.map(|ca| ColumnValues::F64(ca.clone())).or_else(|| i64s.map(|ca| ColumnValues::I64(ca.clone())))
            })
            .collect();
        HeldColumns { stamps, values }
    }

    fn stamps(held: &HeldColumns) -> &[i64] {
        held.stamps.downcast_iter().next().map_or(&[], |a| &a.values()[..])
    }

    fn history(held: &HeldColumns, rows: Range<usize>) -> History<'_> {
        let len = Self::stamps(held).len();
        History::Columns { held, start: rows.start.min(len), end: rows.end.min(len) }
    }

    fn quote(held: &HeldColumns, row: usize) -> Option<Quote> {
        Some(Quote {
            time: utc_from_ms(*Self::stamps(held).get(row)?),
            bid: *held.f64s(BID).get(row)?,
            ask: *held.f64s(ASK).get(row)?,
            bid_size: *held.i64s(BID_SIZE).get(row)?,
            ask_size: *held.i64s(ASK_SIZE).get(row)?,
        })
    }
}

/// Plain rows, materialized once per load: simple on purpose.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rows;

pub struct HeldRows {
    stamps: Vec<i64>,
    bars: Vec<Bar>,
    quotes: Vec<QuoteBar>,
}

impl Representation for Rows {
    type Held = HeldRows;
    const NAME: &'static str = "rows";

    fn hold(frame: DataFrame, style: DataStyle, ledger: &Conversions) -> HeldRows {
        let columns = Columnar::hold(frame, style, ledger);
        let stamps = Columnar::stamps(&columns).to_vec();
        ledger.record(ConversionKind::Materialize, stamps.len());
        // The cache checked the schema on load, so every column is as long as `stamps`.
        let f = |c, i: usize| columns.f64s(c).get(i).copied().unwrap_or_default();
        let n = |c, i: usize| columns.i64s(c).get(i).copied().unwrap_or_default();
        let (mut bars, mut quotes) = (Vec::new(), Vec::new());
        match style {
            DataStyle::Ohlc => {
                bars = (0..stamps.len())
                    .map(|i| Bar {
                        ts_ms: stamps[i],
                        open: f(OPEN, i),
                        high: f(HIGH, i),
                        low: f(LOW, i),
                        close: f(CLOSE, i),
                        volume: n(VOLUME, i),
                        count: n(COUNT, i),
                    })
                    .collect();
            }
            DataStyle::Quote => {
                quotes = (0..stamps.len())
                    .map(|i| QuoteBar {
                        ts_ms: stamps[i],
                        bid: f(BID, i),
                        ask: f(ASK, i),
                        bid_size: n(BID_SIZE, i),
                        ask_size: n(ASK_SIZE, i),
                    })
                    .collect();
            }
        }
        HeldRows { stamps, bars, quotes }
    }

    fn stamps(held: &HeldRows) -> &[i64] {
        &held.stamps
    }

    fn history(held: &HeldRows, rows: Range<usize>) -> History<'_> {
        let len = held.bars.len();
        History::Rows(&held.bars[rows.start.min(len)..rows.end.min(len)])
    }

    fn quote(held: &HeldRows, row: usize) -> Option<Quote> {
        let q = held.quotes.get(row)?;
        Some(Quote { time: utc_from_ms(q.ts_ms), bid: q.bid, ask: q.ask, bid_size: q.bid_size, ask_size: q.ask_size })
    }
}
