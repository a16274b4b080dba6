//! How a loaded dataset is held in memory: as the Polars frame the cache
//! returned (columnar) or as materialized rows (the reference).

use std::ops::Range;

use polars::prelude::{ChunkedArray, DataFrame, PolarsNumericType};
use polars_buffer::Buffer;

use super::Quote;
use super::history::History;
use crate::market::bars::DATETIME;
use crate::market::conversion::{ConversionKind, Conversions};
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

/// A loaded frame's columns, each held as the buffer it shares with the frame:
/// every answer is a slice index, with no lookup or downcast per call. A column
/// the frame lacks (quotes have no `open`) is empty.
pub struct HeldColumns {
    stamps: Buffer<i64>,
    open: Buffer<f64>,
    high: Buffer<f64>,
    low: Buffer<f64>,
    close: Buffer<f64>,
    volume: Buffer<i64>,
    count: Buffer<i64>,
    bid: Buffer<f64>,
    ask: Buffer<f64>,
    bid_size: Buffer<i64>,
    ask_size: Buffer<i64>,
}

/// One value of a column, 0 past its end (an absent column is empty).
fn at<T: Copy + Default>(column: &[T], row: usize) -> T {
    column.get(row).copied().unwrap_or_default()
}

/// A column's values, shared with the frame (nothing is copied); empty unless it
/// is a single chunk without nulls, which `hold` makes it by rechunking first.
fn values<T: PolarsNumericType>(column: Option<&ChunkedArray<T>>) -> Buffer<T::Native> {
    column
        .filter(|ca| ca.cont_slice().is_ok())
        .and_then(|ca| ca.downcast_iter().next())
        .map(|array| array.values().clone())
        .unwrap_or_default()
}

impl HeldColumns {
    pub(super) fn closes(&self, rows: Range<usize>) -> &[f64] {
        self.close.get(rows).unwrap_or(&[])
    }

    pub(super) fn bar_at(&self, row: usize) -> Bar {
        Bar {
            ts_ms: at(&self.stamps, row),
            open: at(&self.open, row),
            high: at(&self.high, row),
            low: at(&self.low, row),
            close: at(&self.close, row),
            volume: at(&self.volume, row),
            count: at(&self.count, row),
        }
    }

    fn quote_at(&self, row: usize) -> QuoteBar {
        QuoteBar {
            ts_ms: at(&self.stamps, row),
            bid: at(&self.bid, row),
            ask: at(&self.ask, row),
            bid_size: at(&self.bid_size, row),
            ask_size: at(&self.ask_size, row),
        }
    }
}

impl Representation for Columnar {
    type Held = HeldColumns;
    const NAME: &'static str = "columnar";

    fn hold(mut frame: DataFrame, _style: DataStyle, _ledger: &Conversions) -> HeldColumns {
        // Contiguous buffers make every later answer a plain slice.
        frame.rechunk_mut();
        let column = |name: &str| frame.column(name).ok();
        let f64s = |name: &str| values(column(name).and_then(|c| c.f64().ok()));
        let i64s = |name: &str| values(column(name).and_then(|c| c.i64().ok()));
        HeldColumns {
            stamps: values(column(DATETIME).and_then(|c| c.datetime().ok()).map(|dt| dt.physical())),
            open: f64s("open"),
            high: f64s("high"),
            low: f64s("low"),
            close: f64s("close"),
            volume: i64s("volume"),
            count: i64s("count"),
            bid: f64s("bid"),
            ask: f64s("ask"),
            bid_size: i64s("bid_size"),
            ask_size: i64s("ask_size"),
        }
    }

    fn stamps(held: &HeldColumns) -> &[i64] {
        &held.stamps
    }

    #[inline]
    fn history(held: &HeldColumns, rows: Range<usize>) -> History<'_> {
        let len = held.stamps.len();
        History::Columns { held, start: rows.start.min(len), end: rows.end.min(len) }
    }

    fn quote(held: &HeldColumns, row: usize) -> Option<Quote> {
        (row < held.stamps.len() && row < held.bid.len()).then(|| Quote::from(held.quote_at(row)))
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
        let rows = 0..columns.stamps.len();
        ledger.record(ConversionKind::Materialize, rows.len());
        let (mut bars, mut quotes) = (Vec::new(), Vec::new());
        match style {
            DataStyle::Ohlc => bars = rows.map(|i| columns.bar_at(i)).collect(),
            DataStyle::Quote => quotes = rows.map(|i| columns.quote_at(i)).collect(),
        }
        HeldRows { stamps: columns.stamps.to_vec(), bars, quotes }
    }

    fn stamps(held: &HeldRows) -> &[i64] {
        &held.stamps
    }

    fn history(held: &HeldRows, rows: Range<usize>) -> History<'_> {
        let len = held.bars.len();
        History::Rows(&held.bars[rows.start.min(len)..rows.end.min(len)])
    }

    fn quote(held: &HeldRows, row: usize) -> Option<Quote> {
        held.quotes.get(row).map(|q| Quote::from(*q))
    }
}

#[cfg(test)]
mod tests {
    use polars::prelude::Column;

    use super::*;
    use crate::market::bars::datetime_dtype;

    /// Closes whose sum depends on the order they are added in.
    fn frame(closes: &[f64]) -> DataFrame {
        let n = closes.len();
        let stamps: Vec<i64> = (0..n as i64).map(|i| 1_741_012_200_000 + i * 60_000).collect();
        let mut columns = vec![Column::new(DATETIME.into(), stamps).cast(&datetime_dtype()).unwrap()];
        for name in ["open", "high", "low"] {
            columns.push(Column::new(name.into(), vec![1.0; n]));
        }
        columns.push(Column::new("close".into(), closes.to_vec()));
        columns.push(Column::new("volume".into(), vec![10i64; n]));
        columns.push(Column::new("count".into(), vec![1i64; n]));
        DataFrame::new(n, columns).unwrap()
    }

    #[test]
    fn both_representations_answer_the_same_bits() {
        let closes: Vec<f64> =
            (0..23).map(|i| if i % 3 == 0 { 1e16 * f64::from(i % 2 * 2 - 1) } else { 0.1 * f64::from(i) }).collect();
        let ledger = Conversions::default();
        let columns = Columnar::hold(frame(&closes), DataStyle::Ohlc, &ledger);
        let rows = Rows::hold(frame(&closes), DataStyle::Ohlc, &ledger);
        assert_eq!(Columnar::stamps(&columns), Rows::stamps(&rows));
        let mut order_mattered = false;
        for start in 0..closes.len() {
            for end in start..=closes.len() {
                let (c, r) = (Columnar::history(&columns, start..end), Rows::history(&rows, start..end));
                assert_eq!(c.close_sum().to_bits(), r.close_sum().to_bits(), "closes {start}..{end}");
                assert_eq!(c.tail(4).close_sum().to_bits(), r.tail(4).close_sum().to_bits());
                assert_eq!(c.last(), r.last());
                let in_order = closes[start..end].iter().fold(0.0, |a, b| a + b);
                order_mattered |= in_order.to_bits() != c.close_sum().to_bits();
            }
        }
        assert!(order_mattered, "the closes should make the summation order visible");
    }
}
