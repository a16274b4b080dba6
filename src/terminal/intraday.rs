//! One session of one symbol, minute by minute: a Brownian bridge from the
//! day's open to its close, bars with consistent highs and lows, a U-shaped
//! volume profile, and one NBBO quote per minute. Seeded by (symbol, date), so
//! a day is the same whatever was asked before.

use chrono::NaiveDate;

use super::daily::{DayPrices, SESSION_SHARE, SESSIONS_PER_YEAR};
use super::rng::Rng;
use super::universe::{Kind, Profile};

/// Minutes in a full session: the per-minute volatility is the same on early-close days.
const FULL_SESSION_MINUTES: f64 = 390.0;

/// One bar; prices in cents, vwap in ten-thousandths of a dollar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bar {
    /// Minutes after 09:30 ET of the bar's open.
    pub minute: u16,
    pub open: i64,
    pub high: i64,
    pub low: i64,
    pub close: i64,
    pub volume: i64,
    pub count: i64,
    pub vwap: i64,
}

/// One NBBO snapshot; prices in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quote {
    pub minute: u16,
    pub bid_size: i64,
    pub bid_exchange: i64,
    pub bid: i64,
    pub bid_condition: i64,
    pub ask_size: i64,
    pub ask_exchange: i64,
    pub ask: i64,
    pub ask_condition: i64,
}

pub fn cents(dollars: f64) -> i64 {
    (dollars * 100.0).round() as i64
}

/// The random stream for one purpose on one symbol-day.
pub fn day_rng(profile: &Profile, date: NaiveDate, purpose: &[u8]) -> Rng {
    let date = chrono::Datelike::num_days_from_ce(&date).to_le_bytes();
    Rng::keyed(&[profile.symbol.as_bytes(), &date, purpose])
}

pub fn minute_sd(profile: &Profile) -> f64 {
    SESSION_SHARE * profile.annual_vol / (SESSIONS_PER_YEAR * FULL_SESSION_MINUTES).sqrt()
}

/// The price at each minute boundary: `minutes + 1` points from the open to the close.
pub fn price_path(profile: &Profile, day: &DayPrices, minutes: usize) -> Vec<f64> {
    bridge(&mut day_rng(profile, day.date, b"path"), day.open, day.close, minutes, minute_sd(profile))
}

/// A Brownian bridge of the log price: `minutes + 1` points from `from` to `to`
/// (dollars), with steps of `sd`.
pub fn bridge(rng: &mut Rng, from: f64, to: f64, minutes: usize, sd: f64) -> Vec<f64> {
    let mut walk = Vec::with_capacity(minutes + 1);
    let mut level = 0.0;
    walk.push(0.0);
    for _ in 0..minutes {
        level += sd * rng.normal();
        walk.push(level);
    }
    let (from, to) = (from.ln(), to.ln());
    let n = minutes.max(1) as f64;
    walk.iter()
        .enumerate()
        .map(|(k, w)| {
            let t = k as f64 / n;
            (from + w - t * level + t * (to - from)).exp()
        })
        .collect()
}

/// Share of the day's volume traded in minute `k` of `minutes`: heavy at the open and close.
fn volume_weight(k: usize, minutes: usize) -> f64 {
    let x = 2.0 * (k as f64 + 0.5) / minutes as f64 - 1.0;
    1.0 + 3.0 * x * x
}

/// The session's minute bars from its price path.
pub fn minute_bars(profile: &Profile, date: NaiveDate, path: &[f64]) -> Vec<Bar> {
    let mut rng = day_rng(profile, date, b"bars");
    let minutes = path.len().saturating_sub(1);
    let sd = minute_sd(profile);
    let total_weight: f64 = (0..minutes).map(|k| volume_weight(k, minutes)).sum();
    let day_volume = profile.daily_volume * (0.25 * rng.normal()).exp() * minutes as f64 / FULL_SESSION_MINUTES;
    path.windows(2)
        .enumerate()
        .map(|(k, w)| {
            let (open, close) = (cents(w[0]).max(1), cents(w[1]).max(1));
            let high = cents(w[0].max(w[1]) * (0.5 * sd * rng.normal().abs()).exp()).max(open).max(close);
            let low = cents(w[0].min(w[1]) * (-0.5 * sd * rng.normal().abs()).exp()).min(open).min(close).max(1);
            let mut bar = Bar { minute: k as u16, open, high, low, close, ..Bar::default() };
            if profile.kind == Kind::Stock {
                let share = volume_weight(k, minutes) / total_weight;
                bar.volume = (day_volume * share * (0.3 * rng.normal()).exp()).round().max(1.0) as i64;
                bar.count = (bar.volume / rng.range(60, 160)).max(1);
                let typical = (high + low + close) as f64 / 3.0 + 0.2 * (high - low) as f64 * (rng.uniform() - 0.5);
                bar.vwap = ((typical * 100.0).round() as i64).clamp(low * 100, high * 100);
            }
            bar
        })
        .collect()
}

/// An NBBO around `price` (dollars): a spread of one cent or a few on dearer
/// stocks, `widen` times that (1 in the session, more when trading is thin).
pub fn stock_quote(rng: &mut Rng, minute: u16, price: f64, widen: i64) -> Quote {
    let spread = (1 + (rng.uniform() * price / 200.0).floor() as i64) * widen;
    let bid = (cents(price) - spread / 2).max(1);
    Quote {
        minute,
        bid_size: rng.range(1, 30) * 100,
        bid_exchange: rng.range(1, 20),
        bid,
        bid_condition: 0,
        ask_size: rng.range(1, 30) * 100,
        ask_exchange: rng.range(1, 20),
        ask: bid + spread,
        ask_condition: 0,
    }
}

/// One quote per minute, at the price when the minute opens.
pub fn minute_quotes(profile: &Profile, date: NaiveDate, path: &[f64]) -> Vec<Quote> {
    let mut rng = day_rng(profile, date, b"quotes");
    let minutes = path.len().saturating_sub(1);
    path[..minutes].iter().enumerate().map(|(k, price)| stock_quote(&mut rng, k as u16, *price, 1)).collect()
}

/// The quote in the end-of-day report, at the closing price.
pub fn closing_quote(profile: &Profile, day: &DayPrices) -> Quote {
    let mut rng = day_rng(profile, day.date, b"eod-quote");
    stock_quote(&mut rng, 0, day.close, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::daily::daily_path;
    use crate::terminal::universe::lookup;

    fn day(symbol: &str, date: &str) -> (&'static Profile, DayPrices) {
        let (slot, profile) = lookup(symbol).unwrap();
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        (profile, *daily_path(slot).unwrap().day(date).unwrap())
    }

    #[test]
    fn bars_join_the_open_to_the_close_consistently() {
        let (profile, prices) = day("NVDA", "2025-03-10");
        let path = price_path(profile, &prices, 390);
        let bars = minute_bars(profile, prices.date, &path);
        assert_eq!(bars.len(), 390);
        assert_eq!(bars[0].open, cents(prices.open));
        assert_eq!(bars[389].close, cents(prices.close));
        for bar in &bars {
            assert!(bar.low <= bar.open.min(bar.close) && bar.open.max(bar.close) <= bar.high, "{bar:?}");
            assert!(bar.volume >= bar.count && bar.count >= 1);
            assert!(bar.low * 100 <= bar.vwap && bar.vwap <= bar.high * 100);
        }
        let edge = bars[0].volume + bars[389].volume;
        let middle = bars[194].volume + bars[195].volume;
        assert!(edge > middle, "U-shaped volume: edges {edge}, middle {middle}");
    }

    #[test]
    fn quotes_bracket_the_price() {
        let (profile, prices) = day("SPY", "2025-03-10");
        let path = price_path(profile, &prices, 390);
        let quotes = minute_quotes(profile, prices.date, &path);
        assert_eq!(quotes.len(), 390);
        for (q, p) in quotes.iter().zip(&path) {
            assert!(q.bid < q.ask && q.bid <= cents(*p) && cents(*p) <= q.ask, "{q:?} at {p}");
        }
    }
}
