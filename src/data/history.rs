//! A window of bars as a strategy sees it: borrowed columns from the columnar
//! store (no copy) or a borrowed slice of rows from the row store.

use super::columns::HeldColumns;
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

    /// The first `n` bars of the window (all of them when it holds fewer).
    pub fn head(&self, n: usize) -> History<'a> {
        match *self {
            History::Columns { held, start, end } => History::Columns { held, start, end: (start + n).min(end) },
            History::Rows(rows) => History::Rows(&rows[..n.min(rows.len())]),
        }
    }

    /// The last `n` bars of the window (all of them when it holds fewer).
    pub fn tail(&self, n: usize) -> History<'a> {
        match *self {
            History::Columns { held, start, end } => {
                History::Columns { held, start: end.saturating_sub(n).max(start), end }
            }
            History::Rows(rows) => History::Rows(&rows[rows.len().saturating_sub(n)..]),
        }
    }

    /// The sum of the closes, in time order.
    pub fn close_sum(&self) -> f64 {
        match *self {
            History::Columns { held, start, end } => lane_sum(held.closes(start..end), |close| *close),
            History::Rows(rows) => lane_sum(rows, |bar| bar.close),
        }
    }
}

/// Adds in four interleaved lanes rather than one chain of dependent additions
/// (about four times fewer cycles). Both representations go through here, so
/// their sums agree to the bit.
fn lane_sum<T>(items: &[T], value: impl Fn(&T) -> f64) -> f64 {
    let chunks = items.chunks_exact(4);
    let rest = chunks.remainder().iter().fold(0.0, |sum, item| sum + value(item));
    let mut lanes = [0.0; 4];
    for chunk in chunks {
        for (lane, item) in lanes.iter_mut().zip(chunk) {
            *lane += value(item);
        }
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_sums_are_exact_on_integers_and_cover_every_element() {
        for n in 0..13 {
            let values: Vec<f64> = (1..=n).map(f64::from).collect();
            assert_eq!(lane_sum(&values, |v| *v), f64::from(n * (n + 1) / 2), "n = {n}");
        }
    }

    #[test]
    fn rows_sum_head_and_tail_like_the_slice() {
        let bars: Vec<Bar> = (0..11)
            .map(|i| Bar { ts_ms: i, open: 1.0, high: 1.0, low: 1.0, close: 0.1 * i as f64, volume: 1, count: 1 })
            .collect();
        let history = History::Rows(&bars);
        let closes: Vec<f64> = bars.iter().map(|b| b.close).collect();
        assert_eq!(history.close_sum().to_bits(), lane_sum(&closes, |c| *c).to_bits());
        assert_eq!(history.tail(3).len(), 3);
        assert_eq!(history.tail(3).first().map(|b| b.ts_ms), Some(8));
        assert_eq!(history.tail(50).len(), 11);
        assert_eq!(history.head(3).last().map(|b| b.ts_ms), Some(2));
        assert_eq!(history.head(50).len(), 11);
    }
}
