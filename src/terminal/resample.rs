//! Coarser bars from minute bars (5m, 15m, 1h), and quote snapshots at their stamps.

use super::intraday::{Bar, Quote};

/// Bars of `minutes` minutes stamped at their first minute. Zero-price minutes
/// (options without trades) do not move prices; a bar with no trade at all is
/// a zero-price bar that carries the vwap, like a quiet minute.
pub fn bars(minute_bars: &[Bar], minutes: usize) -> Vec<Bar> {
    if minutes <= 1 {
        return minute_bars.to_vec();
    }
    minute_bars.chunks(minutes).map(merge).collect()
}

/// One bar summarising `chunk` (not empty).
pub fn merge(chunk: &[Bar]) -> Bar {
    let first = chunk.first().copied().unwrap_or_default();
    let last = chunk.last().copied().unwrap_or_default();
    let volume: i64 = chunk.iter().map(|b| b.volume).sum();
    let count: i64 = chunk.iter().map(|b| b.count).sum();
    let vwap = if volume > 0 { chunk.iter().map(|b| b.vwap * b.volume).sum::<i64>() / volume } else { last.vwap };
    let mut priced = chunk.iter().filter(|b| b.open > 0);
    let Some(opening) = priced.next() else {
        return Bar { minute: first.minute, volume, count, vwap, ..Bar::default() };
    };
    let mut bar = *opening;
    for b in priced {
        bar.high = bar.high.max(b.high);
        bar.low = bar.low.min(b.low);
        bar.close = b.close;
    }
    Bar { minute: first.minute, volume, count, vwap, ..bar }
}

/// The quote at each bar's stamp.
pub fn quotes(minute_quotes: &[Quote], minutes: usize) -> Vec<Quote> {
    minute_quotes.iter().step_by(minutes.max(1)).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(minute: u16, prices: [i64; 4], volume: i64, vwap: i64) -> Bar {
        let [open, high, low, close] = prices;
        Bar { minute, open, high, low, close, volume, count: volume.min(1), vwap }
    }

    #[test]
    fn merges_prices_volume_and_vwap() {
        let minutes = [
            bar(0, [100, 105, 99, 104], 10, 1_020_000),
            bar(1, [0, 0, 0, 0], 0, 1_020_000),
            bar(2, [103, 110, 101, 108], 30, 1_060_000),
            bar(3, [0, 0, 0, 0], 0, 1_060_000),
        ];
        let merged = bars(&minutes, 2);
        assert_eq!(merged.len(), 2);
        assert_eq!(
            merged[0],
            Bar { minute: 0, open: 100, high: 105, low: 99, close: 104, volume: 10, count: 1, vwap: 1_020_000 }
        );
        assert_eq!(
            merge(&minutes),
            Bar { minute: 0, open: 100, high: 110, low: 99, close: 108, volume: 40, count: 2, vwap: 1_050_000 }
        );
        let quiet = merge(&minutes[1..2]);
        assert_eq!((quiet.open, quiet.count, quiet.vwap), (0, 0, 1_020_000));
    }
}
