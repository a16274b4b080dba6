//! Cash and positions: what fills and expiries do to them, and what they are worth.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::order::Side;
use super::valuation::{Mark, MarkSource, PositionValue, Valuation, mark};
use crate::market::asset::OPTION_MULTIPLIER;
use crate::market::{Asset, OptionContract, QuoteBar};

/// A holding. `quantity` is signed: shorts are negative. What the account allows
/// (buying power, shorting) is the broker's check (`engine::account`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Position {
    pub quantity: i64,
    /// Per unit, without the multiplier: an option bought at 3.70 has cost 3.70.
    pub average_cost: f64,
    /// From closing trades on this position, excluding fees.
    pub realized_pnl: f64,
    /// The latest mark or fill price.
    pub last_mark: Option<f64>,
    /// When the current position (since flat or since it flipped side) was opened.
    pub opened_at: DateTime<Utc>,
}

/// What one fill did to the portfolio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FillEffect {
    /// Signed: negative for a buy, and the fee is always subtracted.
    pub cash_change: f64,
    /// P&L of the part of the fill that closed an existing position, before fees.
    pub realized_pnl: f64,
}

/// What an expiry did to the portfolio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settlement {
    pub quantity: i64,
    /// Per share: call `max(0, S − K)`, put `max(0, K − S)`.
    pub intrinsic: f64,
    /// `intrinsic × quantity × 100`: ≥ 0 for a long, ≤ 0 for a short.
    pub cash: f64,
    pub realized_pnl: f64,
}

#[derive(Clone, PartialEq)]
pub struct Portfolio {
    cash: f64,
    /// Hashed: strategies look positions up at every iteration. Every listing
    /// goes through [`Portfolio::positions`], which sorts, so nothing that is
    /// reported or summed depends on hash order.
    positions: FxHashMap<Asset, Position>,
    realized_pnl: f64,
    fees_paid: f64,
}

impl Portfolio {
    pub fn new(cash: f64) -> Portfolio {
        Portfolio { cash, positions: FxHashMap::default(), realized_pnl: 0.0, fees_paid: 0.0 }
    }

    pub fn cash(&self) -> f64 {
        self.cash
    }

    /// Every position, in asset order.
    pub fn positions(&self) -> Vec<(&Asset, &Position)> {
        let mut listed: Vec<(&Asset, &Position)> = self.positions.iter().collect();
        listed.sort_unstable_by_key(|(asset, _)| **asset);
        listed
    }

    // Strategies ask at every iteration for every asset they trade.
    #[inline]
    pub fn position(&self, asset: &Asset) -> Option<&Position> {
        self.positions.get(asset)
    }

    /// Realized P&L over the whole run, closed positions included, before fees.
    pub fn realized_pnl(&self) -> f64 {
        self.realized_pnl
    }

    pub fn fees_paid(&self) -> f64 {
        self.fees_paid
    }

    /// Books a fill: cash moves by `price × quantity × multiplier` and the fee; the
    /// position's average cost follows opening trades, closing trades realize P&L
    /// against it, a position that crosses zero reopens at `price`, a flat one is
    /// removed. `quantity` is at most `order::MAX_QUANTITY` (checked at submission).
    pub fn apply_fill(
        &mut self,
        time: DateTime<Utc>,
        asset: &Asset,
        side: Side,
        quantity: u64,
        price: f64,
        fee: f64,
    ) -> FillEffect {
        let mult = asset.multiplier();
        let notional = price * quantity as f64 * mult;
        let cash_change = match side {
            Side::Buy => -notional - fee,
            Side::Sell => notional - fee,
        };
        self.cash += cash_change;
        self.fees_paid += fee;

        let delta = side.sign() * i64::try_from(quantity).unwrap_or(i64::MAX);
        let fresh = Position { quantity: 0, average_cost: price, realized_pnl: 0.0, last_mark: None, opened_at: time };
        let position = self.positions.entry(*asset).or_insert(fresh);
        let held = position.quantity;
        let mut realized_pnl = 0.0;
        if held == 0 {
            // Set, not averaged: `price × q / q` need not give back `price` exactly.
            position.average_cost = price;
        } else if held.signum() == delta.signum() {
            let (held_abs, added) = (held.unsigned_abs() as f64, quantity as f64);
            position.average_cost = (position.average_cost * held_abs + price * added) / (held_abs + added);
        } else {
            let closed = held.unsigned_abs().min(quantity) as f64;
            realized_pnl = (price - position.average_cost) * closed * mult * held.signum() as f64;
            position.realized_pnl += realized_pnl;
            if held.unsigned_abs() < quantity {
                position.average_cost = price;
                position.opened_at = time;
            }
        }
        position.quantity = held + delta;
        position.last_mark = Some(price);
        if position.quantity == 0 {
            self.positions.remove(asset);
        }
        self.realized_pnl += realized_pnl;
        FillEffect { cash_change, realized_pnl }
    }

    /// Cash-settles an option position at its intrinsic value from the underlying's
    /// close and removes it; out of the money it expires worthless. No fee is charged.
    /// `None` if there is no position in `contract`.
    pub fn settle_option(&mut self, contract: &OptionContract, underlying_close: f64) -> Option<Settlement> {
        let position = self.positions.remove(&Asset::Option(*contract))?;
        let strike = contract.strike.dollars();
        let intrinsic = contract.right.intrinsic(strike, underlying_close);
        let units = position.quantity as f64 * OPTION_MULTIPLIER;
        let cash = intrinsic * units;
        let realized_pnl = (intrinsic - position.average_cost) * units;
        self.cash += cash;
        self.realized_pnl += realized_pnl;
        Some(Settlement { quantity: position.quantity, intrinsic, cash, realized_pnl })
    }

    /// Records the latest mark of a held asset (ignored if not held).
    pub fn set_mark(&mut self, asset: &Asset, price: f64) {
        if let Some(position) = self.positions.get_mut(asset) {
            position.last_mark = Some(price);
        }
    }

    /// Each position's mark (see [`mark`]) from its last trade and, for an
    /// option, its quote, as `prices` gives them; a position neither prices
    /// falls back to its last mark, or has none.
    pub fn marks(
        &self,
        last_trade: &mut dyn FnMut(&Asset) -> Option<f64>,
        quote: &mut dyn FnMut(&Asset) -> Option<QuoteBar>,
    ) -> BTreeMap<Asset, Mark> {
        let mut marks = BTreeMap::new();
        for (asset, position) in self.positions() {
            let traded = last_trade(asset);
            let quoted = match asset {
                Asset::Option(_) => quote(asset),
                Asset::Stock(_) | Asset::Index(_) => None,
            };
            if let Some(m) = mark(asset, traded, quoted.as_ref(), position.last_mark) {
                marks.insert(*asset, m);
            }
        }
        marks
    }

    /// `cash + Σ quantity × mark × multiplier`. A position missing from `marks` is
    /// valued at its last mark, else at its average cost; each line says which.
    pub fn value(&self, marks: &BTreeMap<Asset, Mark>) -> Valuation {
        let lines: Vec<PositionValue> = self
            .positions()
            .into_iter()
            .map(|(asset, p)| {
                let carried = p.last_mark.map(|price| Mark { price, source: MarkSource::LastMark });
                let fallback = Mark { price: p.average_cost, source: MarkSource::AverageCost };
                let m = marks.get(asset).copied().or(carried).unwrap_or(fallback);
                PositionValue {
                    asset: *asset,
                    quantity: p.quantity,
                    price: m.price,
                    source: m.source,
                    value: p.quantity as f64 * m.price * asset.multiplier(),
                    average_cost: p.average_cost,
                    unrealized_pnl: p.quantity as f64 * (m.price - p.average_cost) * asset.multiplier(),
                }
            })
            .collect();
        // `Sum` for f64 starts at -0.0; an empty book is worth plain 0.
        let positions_value = lines.iter().map(|l| l.value).fold(0.0, |a, b| a + b);
        let total = self.cash + positions_value;
        // A portfolio alone knows no account: the broker fills these in.
        Valuation { cash: self.cash, positions_value, total, lines, buying_power: self.cash, margin_used: 0.0 }
    }
}

impl fmt::Debug for Portfolio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Portfolio")
            .field("cash", &self.cash)
            .field("positions", &self.positions())
            .field("realized_pnl", &self.realized_pnl)
            .field("fees_paid", &self.fees_paid)
            .finish()
    }
}

#[cfg(test)]
#[path = "portfolio_tests.rs"]
mod tests;
