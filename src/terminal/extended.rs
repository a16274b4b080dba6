//! A stock's extended hours: a pre-market from 04:00 ET to the open and a
//! post-market from the close for four hours (to 20:00, or 17:00 after an early
//! close). Trading is thin: few trades, small sizes, quotes five times as wide,
//! and most minutes without a trade (a bar of zeros with count 0). The price
//! crosses the overnight gap: the post-market drifts from the close to the
//! geometric middle of the gap, the next pre-market goes on from there to the
//! open. Seeded apart from the session, which stays what it is without them.

use chrono::NaiveDate;

use super::daily::{DailyPath, DayPrices};
use super::intraday::{Bar, Quote, bridge, cents, day_rng, minute_sd, stock_quote};
use super::rng::Rng;
use super::trades::{Trade, vwap};
use super::universe::Profile;
use crate::market::Calendar;

/// Minute of the day the pre-market opens (04:00 ET).
pub const PRE_MARKET_OPEN: u32 = 4 * 60;
/// Minutes the post-market runs after the close.
pub const POST_MARKET_MINUTES: u32 = 4 * 60;
/// How much wider than in the session the extended hours' quotes are.
const WIDER: i64 = 5;
/// How much calmer the extended hours' price is than the session's, per minute.
const CALMER: f64 = 0.5;

/// Bars and quotes of the minutes of one extended stretch.
pub struct Extended {
    pub bars: Vec<Bar>,
    pub quotes: Vec<Quote>,
}

/// A traded bar's prints, given the bar and its minute of the day: the bar's
/// vwap is set from them, so it is the vwap of the trades the terminal serves.
pub type TradesOf<'a> = &'a dyn Fn(&Bar, u32) -> Vec<Trade>;

/// One extended stretch before it is drawn.
struct Leg {
    /// Minute of the day of its first minute.
    first: u32,
    minutes: u32,
    /// The price at its start and its end, in dollars.
    from: f64,
    to: f64,
    /// The chance a minute trades, by how far into the stretch it is (0 to 1).
    activity: fn(f64) -> f64,
    name: &'static [u8],
}

/// The pre-market of `day`, from 04:00 to `open_minute` (minutes after midnight).
pub fn pre_market(
    profile: &Profile,
    daily: &DailyPath,
    day: &DayPrices,
    open_minute: u32,
    trades: TradesOf,
) -> Extended {
    let before = daily.day(Calendar::previous_session(day.date)).map_or(day.open, |d| d.close);
    let leg = Leg {
        first: PRE_MARKET_OPEN,
        minutes: open_minute.saturating_sub(PRE_MARKET_OPEN),
        from: overnight(before, day.open),
        to: day.open,
        // Busier toward the open.
        activity: |x| 0.04 + 0.5 * x.powi(3),
        name: b"pre",
    };
    draw(profile, day.date, &leg, trades)
}

/// The post-market of `day`, from `close_minute` for four hours.
pub fn post_market(
    profile: &Profile,
    daily: &DailyPath,
    day: &DayPrices,
    close_minute: u32,
    trades: TradesOf,
) -> Extended {
    let after = daily.day(Calendar::next_session(day.date)).map_or(day.close, |d| d.open);
    let leg = Leg {
        first: close_minute,
        minutes: POST_MARKET_MINUTES,
        from: day.close,
        to: overnight(day.close, after),
        // Quieter and quieter after the close.
        activity: |x| 0.04 + 0.5 * (1.0 - x).powi(3),
        name: b"post",
    };
    draw(profile, day.date, &leg, trades)
}

/// The level the price passes overnight between a close and the next open.
fn overnight(close: f64, next_open: f64) -> f64 {
    (close * next_open).sqrt()
}

/// The minutes of `leg` on `date`.
fn draw(profile: &Profile, date: NaiveDate, leg: &Leg, trades: TradesOf) -> Extended {
    let rng = |what: &[u8]| day_rng(profile, date, &[leg.name, what].concat());
    let sd = CALMER * minute_sd(profile);
    let path = bridge(&mut rng(b"-path"), leg.from, leg.to, leg.minutes as usize, sd);
    let (mut bar_rng, mut quote_rng) = (rng(b"-bars"), rng(b"-quotes"));
    let mut out = Extended { bars: Vec::with_capacity(path.len()), quotes: Vec::with_capacity(path.len()) };
    for (k, w) in path.windows(2).enumerate() {
        let activity = (leg.activity)(k as f64 / f64::from(leg.minutes));
        let mut bar = thin_bar(&mut bar_rng, k as u16, w[0], w[1], activity);
        if bar.count > 0 {
            bar.vwap = vwap(&trades(&bar, leg.first + k as u32));
        }
        out.bars.push(bar);
        out.quotes.push(stock_quote(&mut quote_rng, k as u16, w[0], WIDER));
    }
    out
}

/// One thin minute from `from` to `to` (dollars): with chance `activity` a few
/// small trades, never more prices than trades to print them (one trade, one
/// price), otherwise zeros with count 0. The vwap is left for the trades to set.
fn thin_bar(rng: &mut Rng, minute: u16, from: f64, to: f64, activity: f64) -> Bar {
    if !rng.chance(activity) {
        return Bar { minute, ..Bar::default() };
    }
    let count = rng.range(1, 6);
    let volume = count * rng.range(5, 150);
    let open = cents(from).max(1);
    let close = if count == 1 { open } else { cents(to).max(1) };
    // A trade between the first and the last may reach past them: the high
    // with a third trade, the low too with a fourth.
    let tick = 1 + open / 2_000;
    let mut high = open.max(close);
    let mut low = open.min(close);
    if count >= 3 {
        high += rng.range(0, tick);
    }
    if count >= 4 {
        low = (low - rng.range(0, tick)).max(1);
    }
    Bar { minute, open, high, low, close, volume, count, vwap: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::daily::daily_path;
    use crate::terminal::trades::{STOCK_TAPE, bar_trades, minute_rng};
    use crate::terminal::universe::lookup;

    #[test]
    fn extended_hours_are_thin_and_join_the_session() {
        let (slot, profile) = lookup("AAPL").unwrap();
        let daily = daily_path(slot).unwrap();
        let date = NaiveDate::from_ymd_opt(2025, 3, 11).unwrap();
        let day = daily.day(date).unwrap();
        let trades =
            |bar: &Bar, minute| bar_trades(&mut minute_rng(&[b"AAPL"], date, minute), bar, minute, STOCK_TAPE, false);
        let pre = pre_market(profile, daily, day, 9 * 60 + 30, &trades);
        let post = post_market(profile, daily, day, 16 * 60, &trades);
        assert_eq!((pre.bars.len(), post.bars.len()), (330, 240));
        for stretch in [&pre, &post] {
            let quiet = stretch.bars.iter().filter(|b| b.count == 0).count();
            assert!(quiet * 2 > stretch.bars.len(), "most minutes do not trade: {quiet}");
            for bar in stretch.bars.iter().filter(|b| b.count == 0) {
                assert_eq!(*bar, Bar { minute: bar.minute, ..Bar::default() }, "a quiet minute is all zeros");
            }
            for bar in stretch.bars.iter().filter(|b| b.count > 0) {
                assert!(bar.low <= bar.open.min(bar.close) && bar.open.max(bar.close) <= bar.high, "{bar:?}");
                assert!(bar.low * 100 <= bar.vwap && bar.vwap <= bar.high * 100, "{bar:?}");
            }
        }
        // The pre-market ends at the open; the post-market starts at the close.
        let last_pre = pre.bars.iter().rev().find(|b| b.count > 1).unwrap();
        assert!((last_pre.close as f64 / 100.0 / day.open - 1.0).abs() < 0.01, "{last_pre:?} vs {}", day.open);
        let first_post = post.bars.iter().find(|b| b.count > 0).unwrap();
        assert!((first_post.open as f64 / 100.0 / day.close - 1.0).abs() < 0.01, "{first_post:?} vs {}", day.close);
    }
}
