//! Marks: the price each position is valued at, and where that price came from.

use serde::{Deserialize, Serialize};

use crate::market::{Asset, QuoteBar};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkSource {
    /// The NBBO mid (options with bid > 0 and ask > 0).
    QuoteMid,
    /// The last trade print.
    LastTrade,
    /// The previous mark carried forward (a fill price counts as a mark).
    LastMark,
    /// Never priced: valued at its average cost so the total stays defined.
    AverageCost,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mark {
    pub price: f64,
    pub source: MarkSource,
}

/// How a position is marked: options at the quote mid when bid > 0 and ask > 0,
/// else the last trade, else the previous mark; stocks and indices at the last
/// trade, else the previous mark. `None` when nothing is known.
pub fn mark(asset: &Asset, last_trade: Option<f64>, quote: Option<&QuoteBar>, previous: Option<f64>) -> Option<Mark> {
    let positive = |p: &f64| p.is_finite() && *p > 0.0;
    let mid = match asset {
        Asset::Option(_) => quote.filter(|q| positive(&q.bid) && positive(&q.ask)).map(|q| (q.bid + q.ask) / 2.0),
        Asset::Stock(_) | Asset::Index(_) => None,
    };
    let pick = |price: Option<f64>, source: MarkSource| price.map(|price| Mark { price, source });
    pick(mid, MarkSource::QuoteMid)
        .or_else(|| pick(last_trade.filter(positive), MarkSource::LastTrade))
        // A previous mark may be 0: an option that went worthless.
        .or_else(|| pick(previous.filter(|p| p.is_finite() && *p >= 0.0), MarkSource::LastMark))
}

/// One position's contribution to the portfolio value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionValue {
    pub asset: Asset,
    pub quantity: i64,
    pub price: f64,
    pub source: MarkSource,
    /// `quantity × price × multiplier`.
    pub value: f64,
    /// Per share (per contract unit for options), from the fills that opened it.
    pub average_cost: f64,
    /// `(price − average_cost) × quantity × multiplier`.
    pub unrealized_pnl: f64,
}

/// The portfolio's worth at one instant; `lines` in asset order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Valuation {
    pub cash: f64,
    pub positions_value: f64,
    /// `cash + positions_value`.
    pub total: f64,
    pub lines: Vec<PositionValue>,
    /// What a new order may still spend (see `engine::account`).
    pub buying_power: f64,
    /// The account's initial requirement for the positions (0 in a cash account).
    pub margin_used: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testutil::{at, pltr_call, quote};

    fn price_and_source(m: Option<Mark>) -> Option<(f64, MarkSource)> {
        m.map(|m| (m.price, m.source))
    }

    #[test]
    fn options_prefer_the_mid_then_the_last_trade_then_the_last_mark() {
        let t = at(2025, 3, 10, 10, 0);
        let opt = pltr_call();
        let q = quote(t, 1.92, 2.16);
        assert_eq!(price_and_source(mark(&opt, Some(2.5), Some(&q), Some(3.0))), Some((2.04, MarkSource::QuoteMid)));
        let one_sided = quote(t, 0.0, 0.05);
        assert_eq!(
            price_and_source(mark(&opt, Some(2.5), Some(&one_sided), Some(3.0))),
            Some((2.5, MarkSource::LastTrade))
        );
        assert_eq!(price_and_source(mark(&opt, None, None, Some(3.0))), Some((3.0, MarkSource::LastMark)));
        assert_eq!(price_and_source(mark(&opt, Some(0.0), None, Some(0.0))), Some((0.0, MarkSource::LastMark)));
        assert_eq!(mark(&opt, None, None, None), None);
    }

    #[test]
    fn stocks_use_the_last_trade_and_ignore_quotes() {
        let t = at(2025, 3, 10, 10, 0);
        let stock = Asset::stock("PLTR").unwrap();
        let q = quote(t, 80.0, 80.2);
        assert_eq!(price_and_source(mark(&stock, Some(80.5), Some(&q), None)), Some((80.5, MarkSource::LastTrade)));
        assert_eq!(price_and_source(mark(&stock, None, Some(&q), Some(79.0))), Some((79.0, MarkSource::LastMark)));
        assert_eq!(price_and_source(mark(&stock, Some(f64::NAN), None, None)), None);
    }
}
