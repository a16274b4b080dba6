//! How a loaded dataset is held in memory: as the Polars frame the cache
//! returned (columnar) or as materialized rows (the reference).

use std::ops::Range;

use polars::prelude::DataFrame;

use super::Quote;
use super::columns::HeldColumns;
use super::history::History;
use crate::market::conversion::{ConversionKind, Conversions};
use crate::market::{Bar, DataStyle, Greeks, QuoteBar};

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
    /// One snapshot of a greeks dataset.
    fn greeks(held: &Self::Held, row: usize) -> Option<Greeks>;
    /// One report of an open-interest dataset.
    fn open_interest(held: &Self::Held, row: usize) -> Option<i64>;
    /// One bar of an OHLC dataset.
    fn bar(held: &Self::Held, row: usize) -> Option<Bar> {
        let history = Self::history(held, row..row + 1);
        history.first()
    }
}

/// Polars frames; answers are views into their buffers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Columnar;

impl Representation for Columnar {
    type Held = HeldColumns;
    const NAME: &'static str = "columnar";

    fn hold(frame: DataFrame, _style: DataStyle, _ledger: &Conversions) -> HeldColumns {
        HeldColumns::from_frame(frame)
    }

    fn stamps(held: &HeldColumns) -> &[i64] {
        held.stamps()
    }

    #[inline]
    fn history(held: &HeldColumns, rows: Range<usize>) -> History<'_> {
        let len = held.stamps().len();
        History::Columns { held, start: rows.start.min(len), end: rows.end.min(len) }
    }

    fn quote(held: &HeldColumns, row: usize) -> Option<Quote> {
        held.has_quote(row).then(|| Quote::from(held.quote_at(row)))
    }

    fn greeks(held: &HeldColumns, row: usize) -> Option<Greeks> {
        held.has_greeks(row).then(|| held.greeks_at(row))
    }

    fn open_interest(held: &HeldColumns, row: usize) -> Option<i64> {
        held.open_interest_at(row)
    }
}

/// Plain rows, materialized once per load: simple on purpose.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rows;

pub struct HeldRows {
    stamps: Vec<i64>,
    bars: Vec<Bar>,
    quotes: Vec<QuoteBar>,
    greeks: Vec<Greeks>,
    open_interest: Vec<i64>,
}

impl Representation for Rows {
    type Held = HeldRows;
    const NAME: &'static str = "rows";

    fn hold(frame: DataFrame, style: DataStyle, ledger: &Conversions) -> HeldRows {
        let columns = Columnar::hold(frame, style, ledger);
        let rows = 0..columns.stamps().len();
        ledger.record(ConversionKind::Materialize, rows.len());
        let mut held = HeldRows {
            stamps: columns.stamps().to_vec(),
            bars: Vec::new(),
            quotes: Vec::new(),
            greeks: Vec::new(),
            open_interest: Vec::new(),
        };
        match style {
            DataStyle::Ohlc => held.bars = rows.map(|i| columns.bar_at(i)).collect(),
            DataStyle::Quote => held.quotes = rows.map(|i| columns.quote_at(i)).collect(),
            DataStyle::Greeks => held.greeks = rows.map(|i| columns.greeks_at(i)).collect(),
            // One value per row, so row numbers stay those of the stamps.
            DataStyle::OpenInterest => {
                held.open_interest = rows.map(|i| columns.open_interest_at(i).unwrap_or_default()).collect()
            }
        }
        held
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

    fn greeks(held: &HeldRows, row: usize) -> Option<Greeks> {
        held.greeks.get(row).copied()
    }

    fn open_interest(held: &HeldRows, row: usize) -> Option<i64> {
        held.open_interest.get(row).copied()
    }
}

#[cfg(test)]
mod tests {
    use polars::prelude::Column;

    use super::*;
    use crate::market::bars::{DATETIME, datetime_dtype};

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
