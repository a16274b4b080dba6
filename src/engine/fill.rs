//! Fill rules: given an order and the first bar that opens at or after the moment
//! it is considered, decide its fill price or say why it waits. Pure functions.
//!
//! | order      | trade bar (buy; sells mirror)                                   | option bar without trades (quote)   |
//! |------------|-----------------------------------------------------------------|-------------------------------------|
//! | market     | open                                                            | buy ask, sell bid                   |
//! | limit      | open if limit ≥ open; limit if low ≤ limit < open               | ask if ask ≤ limit (sell: bid ≥ limit) |
//! | stop       | triggers at high ≥ stop; open if open ≥ stop (gap), else stop   | triggers at mid ≥ stop; then ask    |
//! | stop-limit | after the trigger, the limit rule (below)                       | trigger on mid, then the limit rule |
//!
//! A stop-limit triggered in an earlier bar is a limit order. One triggered inside
//! this bar applies the limit rule to the same bar with the stop's fill price (the
//! open on a gap, else the stop) as the effective open. Because orders are validated
//! to have buy limit ≥ stop (sell: ≤), an intrabar trigger always fills at the stop,
//! and a gap trigger happens at the open, after which the whole bar is fair game: the
//! rule never depends on the unknown order of the bar's high and low.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::order::{Order, OrderKind, Side};
use crate::market::time::{fmt_et, fmt_et_ms, utc_from_ms};
use crate::market::{Asset, Bar, QuoteBar};

/// Which prices a fill came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FillSource {
    /// The bar's trade prints.
    Trade,
    /// The NBBO, for option bars without trades.
    Quote,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FillDecision {
    /// `time` is the open of the bar the fill came from.
    Fill { time: DateTime<Utc>, price: f64, source: FillSource },
    /// Not filled in this bar. `triggered` is the stop-limit state the order keeps
    /// from now on (a gap through the stop can trigger without reaching the limit).
    Wait { reason: String, triggered: bool },
}

/// Whether a bar carries trade prices; ThetaData reports untraded option minutes
/// as `count == 0` with zero prices.
pub fn has_trades(bar: &Bar) -> bool {
    bar.count > 0 && bar.open > 0.0 && bar.high > 0.0 && bar.low > 0.0
}

/// Whether deciding on `bar` needs the NBBO: an option minute without trades.
pub fn needs_quote(asset: &Asset, bar: &Bar) -> bool {
    matches!(asset, Asset::Option(_)) && !has_trades(bar)
}

/// Decides `order` against `bar`, the first bar opening at or after `looked_from`,
/// and `quote`, the NBBO at that bar's time (used only when `needs_quote`).
pub fn evaluate(
    order: &Order,
    looked_from: DateTime<Utc>,
    bar: Option<&Bar>,
    quote: Option<&QuoteBar>,
) -> FillDecision {
    let wait = |reason: String| FillDecision::Wait { reason, triggered: order.triggered };
    let asset = &order.asset;
    let Some(bar) = bar else {
        return wait(format!("no bar for {asset} at or after {}", fmt_et(looked_from)));
    };
    if has_trades(bar) {
        return decide(order, &TradePrices(bar), FillSource::Trade, utc_from_ms(bar.ts_ms));
    }
    let when = fmt_et_ms(bar.ts_ms);
    if !needs_quote(asset, bar) {
        return wait(format!("no trades for {asset} in the bar at {when}"));
    }
    let Some(q) = quote else {
        return wait(format!("no quote for {asset} at {when}"));
    };
    let valid = |p: f64| p.is_finite() && p > 0.0;
    if !valid(q.bid) || !valid(q.ask) {
        return wait(format!("no two-sided quote for {asset} at {when} (bid {}, ask {})", q.bid, q.ask));
    }
    if q.ask < q.bid {
        return wait(format!("crossed quote for {asset} at {when} (bid {} > ask {})", q.bid, q.ask));
    }
    decide(order, &QuotePrices(q), FillSource::Quote, utc_from_ms(bar.ts_ms))
}

/// One bar's worth of prices as the order rules see them.
trait Prices {
    /// The price a market order gets.
    fn market(&self, side: Side) -> f64;
    /// The fill price of a limit order, if any; `open` replaces the bar's open
    /// for a stop-limit triggered inside the bar.
    fn limit(&self, side: Side, limit: f64, open: Option<f64>) -> Option<f64>;
    /// The fill price of a stop order, if the stop is reached.
    fn stop(&self, side: Side, stop: f64) -> Option<f64>;
    /// The prices, for wait reasons.
    fn describe(&self) -> String;
}

struct TradePrices<'a>(&'a Bar);

impl Prices for TradePrices<'_> {
    fn market(&self, _side: Side) -> f64 {
        self.0.open
    }

    fn limit(&self, side: Side, limit: f64, open: Option<f64>) -> Option<f64> {
        let open = open.unwrap_or(self.0.open);
        match side {
            Side::Buy if limit >= open => Some(open),
            Side::Buy => (self.0.low <= limit).then_some(limit),
            Side::Sell if limit <= open => Some(open),
            Side::Sell => (self.0.high >= limit).then_some(limit),
        }
    }

    fn stop(&self, side: Side, stop: f64) -> Option<f64> {
        let open = self.0.open;
        match side {
            Side::Buy if open >= stop => Some(open),
            Side::Buy => (self.0.high >= stop).then_some(stop),
            Side::Sell if open <= stop => Some(open),
            Side::Sell => (self.0.low <= stop).then_some(stop),
        }
    }

    fn describe(&self) -> String {
        let b = self.0;
        format!("bar at {} open {} high {} low {}", fmt_et_ms(b.ts_ms), b.open, b.high, b.low)
    }
}

/// A valid two-sided quote: 0 < bid ≤ ask.
struct QuotePrices<'a>(&'a QuoteBar);

impl QuotePrices<'_> {
    fn mid(&self) -> f64 {
        (self.0.bid + self.0.ask) / 2.0
    }
}

impl Prices for QuotePrices<'_> {
    fn market(&self, side: Side) -> f64 {
        match side {
            Side::Buy => self.0.ask,
            Side::Sell => self.0.bid,
        }
    }

    /// The quote is a single snapshot, so a triggered stop's effective open is the
    /// same touch price and `open` changes nothing.
    fn limit(&self, side: Side, limit: f64, _open: Option<f64>) -> Option<f64> {
        let price = self.market(side);
        let reached = match side {
            Side::Buy => price <= limit,
            Side::Sell => price >= limit,
        };
        reached.then_some(price)
    }

    fn stop(&self, side: Side, stop: f64) -> Option<f64> {
        let reached = match side {
            Side::Buy => self.mid() >= stop,
            Side::Sell => self.mid() <= stop,
        };
        reached.then(|| self.market(side))
    }

    fn describe(&self) -> String {
        let q = self.0;
        format!("quote at {} bid {} ask {} mid {}", fmt_et_ms(q.ts_ms), q.bid, q.ask, self.mid())
    }
}

fn decide(order: &Order, prices: &dyn Prices, source: FillSource, time: DateTime<Utc>) -> FillDecision {
    let side = order.side;
    let fill = |price: f64| FillDecision::Fill { time, price, source };
    let wait = |reason: String, triggered: bool| FillDecision::Wait { reason, triggered };
    match order.kind {
        OrderKind::Market => fill(prices.market(side)),
        OrderKind::Limit { limit } => match prices.limit(side, limit, None) {
            Some(price) => fill(price),
            None => wait(format!("{side} limit {limit} not reached: {}", prices.describe()), false),
        },
        OrderKind::Stop { stop } => match prices.stop(side, stop) {
            Some(price) => fill(price),
            None => wait(format!("{side} stop {stop} not triggered: {}", prices.describe()), false),
        },
        OrderKind::StopLimit { stop, limit } => {
            let open = if order.triggered {
                None
            } else {
                match prices.stop(side, stop) {
                    Some(open) => Some(open),
                    None => return wait(format!("{side} stop {stop} not triggered: {}", prices.describe()), false),
                }
            };
            match prices.limit(side, limit, open) {
                Some(price) => fill(price),
                None => wait(
                    format!("{side} stop {stop} triggered, limit {limit} not reached: {}", prices.describe()),
                    true,
                ),
            }
        }
    }
}

#[cfg(test)]
#[path = "fill_tests.rs"]
mod tests;
