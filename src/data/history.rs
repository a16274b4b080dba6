//! A window of bars as a strategy sees it: borrowed columns from the columnar
//! store (no copy) or a borrowed slice of rows from the row store.

use super::representation::HeldColumns;
use crate::market::Bar;

#[derive(Clone, Copy)]
pub enum History<'a> {
    /// Rows `start..end` of a columnar dataset; nothing is copied.
    Columns {
        held: &'a HeldColumns,
        start: usize,
        end: usize,
    },
    Rows(&'a [Bar]),
}

impl std::fmt::Debug for History<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            History::Columns { start, end, .. } => write!(f, "History::Columns({start}..{end})"),
            History::Rows(rows) => write!(f, "History::Rows({} bars)", rows.len()),
        }
    }
}

impl<'a> History<'a> {
    pub fn len(&self) -> usize {
        match self {
            History::Columns { start, end, .. } => end - start,
            History::Rows(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn close(&self, i: usize) -> f64 {
        match self {
            History::Columns { held, start, .. } => held.close_at(start + i),
            History::Rows(rows) => rows[i].close,
        }
    }

    /// One bar by value (a single row, not a materialization of the window).
    pub fn bar(&self, i: usize) -> Bar {
        match self {
            History::Columns { held, start, .. } => held.bar_at(start + i),
            History::Rows(rows) => rows[i],
        }
    }

    pub fn last(&self) -> Option<Bar> {
        self.len().checked_sub(1).map(|i| self.bar(i))
    }

    pub fn first(&self) -> Option<Bar> {
        (!self.is_empty()).then(|| self.bar(0))
    }

    /// Closes in time order; from the columnar store, a walk over one slice.
    pub fn closes(&self) -> Closes<'a> {
        match *self {
            History::Columns { held, start, end } => Closes::Column(held.closes(start..end).iter()),
            History::Rows(rows) => Closes::Rows(rows.iter()),
        }
    }
}

/// The iterator behind [`History::closes`].
pub enum Closes<'a> {
    Column(std::slice::Iter<'a, f64>),
    Rows(std::slice::Iter<'a, Bar>),
}

impl Iterator for Closes<'_> {
    type Item = f64;

    fn next(&mut self) -> Option<f64> {
        match self {
            Closes::Column(it) => it.next().copied(),
            Closes::Rows(it) => it.next().map(|b| b.close),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Closes::Column(it) => it.size_hint(),
            Closes::Rows(it) => it.size_hint(),
        }
    }

    /// One branch per walk instead of one per element, so sums over a column
    /// run as a tight loop.
    fn fold<B, G: FnMut(B, f64) -> B>(self, init: B, mut g: G) -> B {
        match self {
            Closes::Column(it) => it.fold(init, |acc, x| g(acc, *x)),
            Closes::Rows(it) => it.fold(init, |acc, b| g(acc, b.close)),
        }
    }
}
