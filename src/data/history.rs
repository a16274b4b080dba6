//! A window of bars as a strategy sees it: borrowed columns from the columnar
//! store (no copy) or a borrowed slice of rows from the row store.

use crate::market::Bar;

/// Borrowed, equally long columns of one bar window.
#[derive(Debug, Clone, Copy)]
pub struct BarColumns<'a> {
    pub ts: &'a [i64],
    pub open: &'a [f64],
    pub high: &'a [f64],
    pub low: &'a [f64],
    pub close: &'a [f64],
    pub volume: &'a [i64],
    pub count: &'a [i64],
}

#[derive(Debug, Clone, Copy)]
pub enum History<'a> {
    Columns(BarColumns<'a>),
    Rows(&'a [Bar]),
}

impl History<'_> {
    pub fn len(&self) -> usize {
        match self {
            History::Columns(c) => c.ts.len(),
            History::Rows(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn close(&self, i: usize) -> f64 {
        match self {
            History::Columns(c) => c.close[i],
            History::Rows(rows) => rows[i].close,
        }
    }

    /// One bar by value (a single row, not a materialization of the window).
    pub fn bar(&self, i: usize) -> Bar {
        match self {
            History::Columns(c) => Bar {
                ts_ms: c.ts[i],
                open: c.open[i],
                high: c.high[i],
                low: c.low[i],
                close: c.close[i],
                volume: c.volume[i],
                count: c.count[i],
            },
            History::Rows(rows) => rows[i],
        }
    }

    pub fn last(&self) -> Option<Bar> {
        self.len().checked_sub(1).map(|i| self.bar(i))
    }

    pub fn first(&self) -> Option<Bar> {
        (!self.is_empty()).then(|| self.bar(0))
    }

    /// Closes in time order.
    pub fn closes(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.len()).map(|i| self.close(i))
    }
}
