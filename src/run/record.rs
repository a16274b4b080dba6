//! What a run leaves behind, gathered from its events: the trade ledger, the
//! equity curve and the final positions.

use chrono::{DateTime, Utc};

use crate::engine::{RunEvent, Valuation};

/// One line of `trades.csv`: a fill, an expiry settlement, or an order the
/// account refused (`rejected`, with its reason; no money moved).
#[derive(Debug, Clone, PartialEq)]
pub struct TradeRow {
    pub time: DateTime<Utc>,
    pub event: &'static str,
    pub order_id: Option<u64>,
    pub asset: String,
    pub side: &'static str,
    pub quantity: i64,
    pub price: f64,
    pub fee: f64,
    pub source: &'static str,
    pub tag: String,
    pub realized_pnl: f64,
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
                    side: side.as_str(),
                    quantity: *quantity as i64,
                    price: *price,
                    fee: *fee,
                    source: match source {
                        crate::engine::FillSource::Trade => "trade",
                        crate::engine::FillSource::Quote => "quote",
                    },
                    tag: tag.clone(),
                    realized_pnl: *realized_pnl,
                    cash: *cash_after,
                    reason: String::new(),
                });
            }
            RunEvent::Settled { time, asset, quantity, intrinsic, cash, realized_pnl, .. } => {
                self.trades.push(TradeRow {
                    time: *time,
                    event: "settlement",
                    order_id: None,
                    asset: asset.to_string(),
                    side: if *quantity > 0 { "sell" } else { "buy" },
                    quantity: quantity.abs(),
                    price: *intrinsic,
                    fee: 0.0,
                    source: "expiry",
                    tag: "expiry".into(),
                    realized_pnl: *realized_pnl,
                    cash: *cash,
                    reason: String::new(),
                });
            }
            RunEvent::OrderRejected { time, order_id, asset, side, quantity, reason, cash } => {
                self.trades.push(TradeRow {
                    time: *time,
                    event: "rejected",
                    order_id: order_id.map(|id| id.0),
                    asset: asset.to_string(),
                    side: side.as_str(),
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
