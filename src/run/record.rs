//! What a run leaves behind, gathered from its events: the trade ledger, the
//! equity curve and the final positions.

use chrono::{DateTime, Utc};

use crate::engine::{FillSource, RunEvent, Side, Valuation};

/// One entry of the trade ledger, written as a line of `trades.csv`
/// (`artifacts::TradeLine`): a fill, an expiry settlement, or an order the
/// account refused (`rejected`, with its reason; no money moved). Every field
/// means the same on every kind of row.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeRow {
    pub time: DateTime<Utc>,
    /// `fill`, `settlement` or `rejected`.
    pub event: &'static str,
    pub order_id: Option<u64>,
    pub asset: String,
    /// The direction of the position change: a settlement closing a long
    /// sells, one closing a short buys.
    pub side: Side,
    /// Shares or contracts, always positive.
    pub quantity: i64,
    /// The fill price; the intrinsic value on a settlement; 0 when rejected.
    pub price: f64,
    pub fee: f64,
    /// `trade` or `quote` on a fill, `expiry` on a settlement, empty when rejected.
    pub source: &'static str,
    pub tag: String,
    pub realized_pnl: f64,
    /// The cash balance after the row (unchanged by a rejection).
    pub cash: f64,
    /// Why a `rejected` row was refused; empty on other rows.
    pub reason: String,
}

impl TradeRow {
    /// Whether money moved (a fill or a settlement), as opposed to a refusal.
    pub fn is_trade(&self) -> bool {
        self.event != "rejected"
    }
}

/// One line of `equity.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EquityPoint {
    pub time: DateTime<Utc>,
    pub cash: f64,
    pub positions_value: f64,
    pub total: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Record {
    pub trades: Vec<TradeRow>,
    pub equity: Vec<EquityPoint>,
    /// The last valuation, with its per-position lines.
    pub last_valuation: Option<Valuation>,
    /// Every broker event, described in ET, for the log.
    pub journal: Vec<String>,
}

impl Record {
    pub fn observe(&mut self, event: &RunEvent) {
        match event {
            RunEvent::Filled {
                time,
                order_id,
                asset,
                side,
                quantity,
                price,
                fee,
                source,
                tag,
                realized_pnl,
                cash_after,
            } => {
                self.trades.push(TradeRow {
                    time: *time,
                    event: "fill",
                    order_id: Some(order_id.0),
                    asset: asset.to_string(),
                    side: *side,
                    quantity: *quantity as i64,
                    price: *price,
                    fee: *fee,
                    source: match source {
                        FillSource::Trade => "trade",
                        FillSource::Quote => "quote",
                    },
                    tag: tag.clone(),
                    realized_pnl: *realized_pnl,
                    cash: *cash_after,
                    reason: String::new(),
                });
            }
            RunEvent::Settled { time, asset, quantity, intrinsic, realized_pnl, cash_after, .. } => {
                self.trades.push(TradeRow {
                    time: *time,
                    event: "settlement",
                    order_id: None,
                    asset: asset.to_string(),
                    side: if *quantity > 0 { Side::Sell } else { Side::Buy },
                    quantity: quantity.abs(),
                    price: *intrinsic,
                    fee: 0.0,
                    source: "expiry",
                    tag: "expiry".into(),
                    realized_pnl: *realized_pnl,
                    cash: *cash_after,
                    reason: String::new(),
                });
            }
            RunEvent::OrderRejected { time, order_id, asset, side, quantity, reason, cash } => {
                self.trades.push(TradeRow {
                    time: *time,
                    event: "rejected",
                    order_id: order_id.map(|id| id.0),
                    asset: asset.to_string(),
                    side: *side,
                    quantity: *quantity as i64,
                    price: 0.0,
                    fee: 0.0,
                    source: "",
                    tag: String::new(),
                    realized_pnl: 0.0,
                    cash: *cash,
                    reason: reason.clone(),
                });
            }
            RunEvent::Equity { time, valuation } => {
                self.equity.push(EquityPoint {
                    time: *time,
                    cash: valuation.cash,
                    positions_value: valuation.positions_value,
                    total: valuation.total,
                });
                self.last_valuation = Some(valuation.clone());
            }
            RunEvent::Progress { .. } | RunEvent::Counters { .. } | RunEvent::DatasetsRead { .. } => return,
            _ => {}
        }
        self.journal.push(event.describe());
    }
}

