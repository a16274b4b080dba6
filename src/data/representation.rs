//! How a loaded dataset is held in memory: as the Polars frame the cache
//! returned (columnar) or as materialized rows (the reference).

use std::ops::Range;

use polars::prelude::DataFrame;

use super::Quote;
use super::history::{BarColumns, History};
use crate::cache::timestamps;
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

fn f64s<'a>(frame: &'a DataFrame, name: &str) -> &'a [f64] {
    frame.column(name).ok().and_then(|c| c.f64().ok()).and_then(|ca| ca.cont_slice().ok()).unwrap_or(&[])
}

fn i64s<'a>(frame: &'a DataFrame, name: &str) -> &'a [i64] {
    frame.column(name).ok().and_then(|c| c.i64().ok()).and_then(|ca| ca.cont_slice().ok()).unwrap_or(&[])
}

impl Representation for Columnar {
    type Held = DataFrame;
    const NAME: &'static str = "columnar";

    fn hold(mut frame: DataFrame, _style: DataStyle, _ledger: &Conversions) -> DataFrame {
        // Contiguous buffers make every later answer a plain slice.
        frame.rechunk_mut();
        frame
    }

    fn stamps(held: &DataFrame) -> &[i64] {
        timestamps(held)
    }

    fn history(held: &DataFrame, rows: Range<usize>) -> History<'_> {
        let rows = rows.start.min(held.height())..rows.end.min(held.height());
        let cut = |s: &'static str| &f64s(held, s)[rows.clone()];
        let cut_i = |s: &'static str| &i64s(held, s)[rows.clone()];
        History::Columns(BarColumns {
            ts: &timestamps(held)[rows.clone()],
            open: cut("open"),
            high: cut("high"),
            low: cut("low"),
            close: cut("close"),
            volume: cut_i("volume"),
            count: cut_i("count"),
        })
    }

    fn quote(held: &DataFrame, row: usize) -> Option<Quote> {
        Some(Quote {
            time: utc_from_ms(*timestamps(held).get(row)?),
            bid: *f64s(held, "bid").get(row)?,
            ask: *f64s(held, "ask").get(row)?,
            bid_size: *i64s(held, "bid_size").get(row)?,
            ask_size: *i64s(held, "ask_size").get(row)?,
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

    fn hold(mut frame: DataFrame, style: DataStyle, ledger: &Conversions) -> HeldRows {
        frame.rechunk_mut();
        let stamps = timestamps(&frame).to_vec();
        ledger.record(ConversionKind::Materialize, stamps.len());
        let (mut bars, mut quotes) = (Vec::new(), Vec::new());
        match style {
            DataStyle::Ohlc => {
                let [o, h, l, c] = ["open", "high", "low", "close"].map(|n| f64s(&frame, n));
                let (v, n) = (i64s(&frame, "volume"), i64s(&frame, "count"));
                bars = (0..stamps.len())
                    .map(|i| Bar {
                        ts_ms: stamps[i],
                        open: o[i],
                        high: h[i],
                        low: l[i],
                        close: c[i],
                        volume: v[i],
                        count: n[i],
                    })
                    .collect();
            }
            DataStyle::Quote => {
                let (b, a) = (f64s(&frame, "bid"), f64s(&frame, "ask"));
                let (bs, asz) = (i64s(&frame, "bid_size"), i64s(&frame, "ask_size"));
                quotes = (0..stamps.len())
                    .map(|i| QuoteBar { ts_ms: stamps[i], bid: b[i], ask: a[i], bid_size: bs[i], ask_size: asz[i] })
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
