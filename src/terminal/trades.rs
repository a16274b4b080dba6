//! Individual trades that add up to the bars: a bar's trades are `count` prints
//! inside its minute whose sizes sum to its volume, the first at the open, the
//! last at the close, the high and the low among them. Seeded per minute, so a
//! minute's trades are the same whatever window or operation asks for them.

use chrono::{Datelike, NaiveDate};

use super::intraday::Bar;
use super::rng::Rng;

/// One print; the price in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trade {
    /// Milliseconds after midnight ET.
    pub ms: u32,
    pub sequence: i64,
    pub condition: i64,
    pub size: i64,
    pub exchange: i64,
    pub price: i64,
}

/// Where a security's trades print: how many exchanges, and the condition code they carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tape {
    exchanges: i64,
    condition: i64,
}

/// Stocks: the session's exchanges, condition 0 (a regular sale).
pub const STOCK_TAPE: Tape = Tape { exchanges: 20, condition: 0 };
/// Options: OPRA's exchanges, condition 130 as the description's examples show.
pub const OPTION_TAPE: Tape = Tape { exchanges: 22, condition: 130 };
/// The extended conditions: not reported (255), as OPRA does for options.
pub const NO_CONDITION: i64 = 255;

/// Sequence numbers of one minute start at its minute of the day times this,
/// so they rise through the day without counting the trades before them.
const SEQUENCES_PER_MINUTE: i64 = 1_000_000;
const MS_PER_MINUTE: u32 = 60_000;

/// The random stream of one minute's trades; `owner` names the security.
pub fn minute_rng(owner: &[&[u8]], date: NaiveDate, minute_of_day: u32) -> Rng {
    let (date, minute) = (date.num_days_from_ce().to_le_bytes(), minute_of_day.to_le_bytes());
    Rng::keyed(&[owner, &[&date, &minute, b"trades"]].concat())
}

/// The trades of `bar`, whose minute starts at `minute_of_day`, in time order.
/// With `steer_vwap` the prices between the open, high, low and close are drawn
/// to bring the trades' vwap to the bar's (within a cent); without it they are
/// uniform over the bar's range.
pub fn bar_trades(rng: &mut Rng, bar: &Bar, minute_of_day: u32, tape: Tape, steer_vwap: bool) -> Vec<Trade> {
    let n = usize::try_from(bar.count).unwrap_or_default();
    if n == 0 {
        return Vec::new();
    }
    // Never on the whole minute, where the minute's quote is stamped: a trade always
    // follows its quote, `exclusive` or not.
    let mut offsets: Vec<u32> = (0..n).map(|_| rng.range(1, i64::from(MS_PER_MINUTE) - 1) as u32).collect();
    offsets.sort_unstable();
    let sizes = split(rng, bar.volume, n);
    let prices = prices(rng, bar, &sizes, steer_vwap);
    let start = minute_of_day * MS_PER_MINUTE;
    let first_sequence = i64::from(minute_of_day) * SEQUENCES_PER_MINUTE;
    offsets
        .into_iter()
        .zip(sizes)
        .zip(prices)
        .enumerate()
        .map(|(i, ((offset, size), price))| Trade {
            ms: start + offset,
            sequence: first_sequence + i as i64,
            condition: tape.condition,
            size,
            exchange: rng.range(1, tape.exchanges),
            price,
        })
        .collect()
}

/// `total` in `n` positive parts (`total >= n`), skewed like real prints: many small, a few large.
fn split(rng: &mut Rng, total: i64, n: usize) -> Vec<i64> {
    let weights: Vec<f64> = (0..n).map(|_| (1.2 * rng.normal()).exp()).collect();
    let sum: f64 = weights.iter().sum();
    let spare = (total - n as i64).max(0) as f64;
    let mut sizes: Vec<i64> = weights.iter().map(|w| 1 + (spare * w / sum).floor() as i64).collect();
    // Flooring leaves less than one share a part: hand it out one by one.
    let short = usize::try_from(total - sizes.iter().sum::<i64>()).unwrap_or_default();
    for size in sizes.iter_mut().take(short) {
        *size += 1;
    }
    sizes
}

/// Prices in cents for trades of `sizes`: the open first, the close last, the
/// high and the low where those do not already reach them. A bar of one trade
/// prints at its close; two trades cannot reach a third price (the option bars
/// draw one beside their open and close), so their high or low may go unmet.
fn prices(rng: &mut Rng, bar: &Bar, sizes: &[i64], steer_vwap: bool) -> Vec<i64> {
    let n = sizes.len();
    let mut prices = vec![None; n];
    prices[0] = Some(bar.open);
    prices[n - 1] = Some(bar.close);
    for extreme in [bar.high, bar.low] {
        let free: Vec<usize> = (1..n.saturating_sub(1)).filter(|i| prices[*i].is_none()).collect();
        if prices.contains(&Some(extreme)) || free.is_empty() {
            continue;
        }
        prices[free[rng.range(0, free.len() as i64 - 1) as usize]] = Some(extreme);
    }
    let (low, high) = (bar.low, bar.high);
    if !steer_vwap {
        return prices.into_iter().map(|p| p.unwrap_or_else(|| rng.range(low, high))).collect();
    }
    // What the free trades must add, in cents times shares, for the bar's vwap
    // (ten-thousandths of a dollar); each draws around what the rest would need,
    // less and less freely, so the last ones land it.
    let fixed: i64 = prices.iter().zip(sizes).filter_map(|(p, s)| p.map(|p| p * s)).sum();
    let mut owed = (bar.vwap as f64 * bar.volume as f64 / 100.0) - fixed as f64;
    let free_size: i64 = prices.iter().zip(sizes).filter(|(p, _)| p.is_none()).map(|(_, s)| s).sum();
    let mut left = free_size;
    for (price, size) in prices.iter_mut().zip(sizes) {
        if price.is_some() {
            continue;
        }
        let needed = owed / left as f64;
        let play = (high - low) as f64 * (left - size) as f64 / free_size as f64;
        let drawn = (needed + play * (rng.uniform() - 0.5)).round() as i64;
        let chosen = drawn.clamp(low, high);
        owed -= (chosen * size) as f64;
        left -= size;
        *price = Some(chosen);
    }
    prices.into_iter().map(|p| p.unwrap_or(bar.close)).collect()
}

/// The trades' volume-weighted price in ten-thousandths of a dollar (0 without volume).
pub fn vwap(trades: &[Trade]) -> i64 {
    let volume: i64 = trades.iter().map(|t| t.size).sum();
    if volume == 0 {
        return 0;
    }
    let value: i64 = trades.iter().map(|t| t.price * t.size).sum();
    (value as f64 * 100.0 / volume as f64).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(prices: [i64; 4], volume: i64, count: i64, vwap: i64) -> Bar {
        let [open, high, low, close] = prices;
        Bar { minute: 0, open, high, low, close, volume, count, vwap }
    }

    fn check_adds_up(bar: &Bar, trades: &[Trade]) {
        assert_eq!(trades.len() as i64, bar.count);
        assert_eq!(trades.iter().map(|t| t.size).sum::<i64>(), bar.volume);
        assert!(trades.iter().all(|t| t.size >= 1));
        assert_eq!((trades[0].price, trades[trades.len() - 1].price), (bar.open, bar.close));
        assert_eq!(trades.iter().map(|t| t.price).max(), Some(bar.high));
        assert_eq!(trades.iter().map(|t| t.price).min(), Some(bar.low));
        assert!(trades.windows(2).all(|w| w[0].ms <= w[1].ms && w[0].sequence < w[1].sequence));
    }

    #[test]
    fn a_bars_trades_add_up_to_it() {
        let minute = 9 * 60 + 45;
        let busy = bar([18_712, 18_790, 18_650, 18_740], 128_431, 1_161, 1_872_315);
        let mut rng = Rng::new(7);
        let trades = bar_trades(&mut rng, &busy, minute, STOCK_TAPE, true);
        check_adds_up(&busy, &trades);
        assert!((vwap(&trades) - busy.vwap).abs() <= 100, "vwap {} vs {}", vwap(&trades), busy.vwap);
        let start = minute * 60_000;
        assert!(trades.iter().all(|t| (start..start + 60_000).contains(&t.ms)));
        let few = bar([405, 410, 400, 400], 12, 3, 0);
        check_adds_up(&few, &bar_trades(&mut rng, &few, minute, OPTION_TAPE, false));
        let quiet = bar([0; 4], 0, 0, 1_020_000);
        assert!(bar_trades(&mut rng, &quiet, minute, OPTION_TAPE, false).is_empty());
    }

    #[test]
    fn same_minute_same_trades() {
        let date = NaiveDate::from_ymd_opt(2025, 3, 10).unwrap();
        let busy = bar([18_712, 18_790, 18_650, 18_740], 9_000, 80, 1_872_315);
        let draw =
            |owner: &[u8], minute| bar_trades(&mut minute_rng(&[owner], date, minute), &busy, minute, STOCK_TAPE, true);
        assert_eq!(draw(b"AAPL", 600), draw(b"AAPL", 600));
        assert_ne!(draw(b"AAPL", 600), draw(b"AAPL", 601));
        assert_ne!(draw(b"AAPL", 600), draw(b"MSFT", 600));
    }
}
