//! A loaded frame's columns as the columnar store holds them: each column is the
//! buffer it shares with the frame, so a bar, a quote, greeks or a run of closes is a
//! slice index away. `History` windows borrow them; `Columnar` and `Rows` build
//! on them.

use std::ops::Range;

use polars::prelude::{ChunkedArray, DataFrame, PolarsNumericType};
use polars_buffer::Buffer;

use crate::market::bars::DATETIME;
use crate::market::{Bar, Greeks, QuoteBar};

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
    delta: Buffer<f64>,
    theta: Buffer<f64>,
    vega: Buffer<f64>,
    rho: Buffer<f64>,
    implied_vol: Buffer<f64>,
    underlying_price: Buffer<f64>,
    open_interest: Buffer<i64>,
}

/// One value of a column, 0 past its end (an absent column is empty).
fn at<T: Copy + Default>(column: &[T], row: usize) -> T {
    column.get(row).copied().unwrap_or_default()
}

/// A column's values, shared with the frame (nothing is copied); empty unless it
/// is a single chunk without nulls, which `from_frame` makes it by rechunking first.
fn values<T: PolarsNumericType>(column: Option<&ChunkedArray<T>>) -> Buffer<T::Native> {
    column
        .filter(|ca| ca.cont_slice().is_ok())
        .and_then(|ca| ca.downcast_iter().next())
        .map(|array| array.values().clone())
        .unwrap_or_default()
}

impl HeldColumns {
    /// Takes a loaded frame's columns, rechunked so each is one contiguous buffer.
    pub(super) fn from_frame(mut frame: DataFrame) -> HeldColumns {
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
            delta: f64s("delta"),
            theta: f64s("theta"),
            vega: f64s("vega"),
            rho: f64s("rho"),
            implied_vol: f64s("implied_vol"),
            underlying_price: f64s("underlying_price"),
            open_interest: i64s("open_interest"),
        }
    }

    /// The rows' times, in milliseconds since the epoch (UTC).
    #[inline]
    pub(super) fn stamps(&self) -> &[i64] {
        &self.stamps
    }

    /// Whether `row` holds a quote (the frame has a bid column reaching it).
    #[inline]
    pub(super) fn has_quote(&self, row: usize) -> bool {
        row < self.stamps.len() && row < self.bid.len()
    }

    /// Whether `row` holds greeks (the frame has a delta column reaching it).
    #[inline]
    pub(super) fn has_greeks(&self, row: usize) -> bool {
        row < self.stamps.len() && row < self.delta.len()
    }

    /// The open interest reported at `row`, if the frame holds it.
    #[inline]
    pub(super) fn open_interest_at(&self, row: usize) -> Option<i64> {
        self.open_interest.get(row).copied().filter(|_| row < self.stamps.len())
    }

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

    pub(super) fn quote_at(&self, row: usize) -> QuoteBar {
        QuoteBar {
            ts_ms: at(&self.stamps, row),
            bid: at(&self.bid, row),
            ask: at(&self.ask, row),
            bid_size: at(&self.bid_size, row),
            ask_size: at(&self.ask_size, row),
        }
    }

    pub(super) fn greeks_at(&self, row: usize) -> Greeks {
        Greeks {
            ts_ms: at(&self.stamps, row),
            bid: at(&self.bid, row),
            ask: at(&self.ask, row),
            delta: at(&self.delta, row),
            theta: at(&self.theta, row),
            vega: at(&self.vega, row),
            rho: at(&self.rho, row),
            implied_vol: at(&self.implied_vol, row),
            underlying_price: at(&self.underlying_price, row),
        }
    }
}
