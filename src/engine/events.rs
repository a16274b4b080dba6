//! What a run reports, in the order it happened: every order lifecycle step and
//! cash movement (submissions, refusals, fills, cancels, expiries, settlements,
//! margin calls), plus its progress, the equity at each close, the datasets it
//! has read and the data counters.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::account::money;
use super::fill::FillSource;
use super::order::{OrderId, OrderKind, Side, TimeInForce};
use super::valuation::Valuation;
use crate::cache::{DatasetKey, Window};
use crate::market::Asset;
use crate::market::time::fmt_et;
use crate::metrics::MetricsSnapshot;

/// One dataset a run reads, and the window it was loaded for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetRead {
    pub key: DatasetKey,
    pub window: Window,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    OrderSubmitted {
        time: DateTime<Utc>,
        order_id: OrderId,
        asset: Asset,
        side: Side,
        quantity: u64,
        kind: OrderKind,
        tif: TimeInForce,
        tag: String,
    },
    /// Refused: at submission (no id is spent on it), or at its fill when the
    /// account can no longer carry it at the fill price (then it has an id and
    /// is closed as cancelled).
    OrderRejected {
        time: DateTime<Utc>,
        order_id: Option<OrderId>,
        asset: Asset,
        side: Side,
        quantity: u64,
        reason: String,
        /// The cash balance, which the refusal leaves as it was.
        cash: f64,
    },
    /// At a close, a margin account's equity is below its maintenance
    /// requirement; positions are liquidated after the grace.
    MarginCall {
        time: DateTime<Utc>,
        equity: f64,
        requirement: f64,
    },
    /// `time` is the open of the bar whose prices gave the fill.
    Filled {
        time: DateTime<Utc>,
        order_id: OrderId,
        asset: Asset,
        side: Side,
        quantity: u64,
        price: f64,
        fee: f64,
        source: FillSource,
        tag: String,
        /// P&L of the part that closed a position, before fees (0 for an opening fill).
        realized_pnl: f64,
        cash_after: f64,
    },
    Cancelled {
        time: DateTime<Utc>,
        order_id: OrderId,
        asset: Asset,
        reason: String,
    },
    Expired {
        time: DateTime<Utc>,
        order_id: OrderId,
        asset: Asset,
        reason: String,
    },
    /// An option position closed at expiry at its intrinsic value.
    Settled {
        time: DateTime<Utc>,
        asset: Asset,
        quantity: i64,
        underlying_close: f64,
        intrinsic: f64,
        /// The cash change: credited (long) or debited (short), `intrinsic × quantity × 100`.
        cash: f64,
        realized_pnl: f64,
        /// The cash balance after the settlement, as `Filled::cash_after`.
        cash_after: f64,
    },
    /// An expired option could not be settled yet (no underlying close); it is
    /// retried at every following session end.
    SettlementPending {
        time: DateTime<Utc>,
        asset: Asset,
        quantity: i64,
        reason: String,
    },
    /// The clock reached an iteration: `session` of `sessions` (1-based).
    Progress {
        time: DateTime<Utc>,
        session: usize,
        sessions: usize,
    },
    /// The portfolio marked at a session's close.
    Equity {
        time: DateTime<Utc>,
        valuation: Valuation,
    },
    /// The datasets the run has read so far and the window each was loaded
    /// for; sent whenever the set grows.
    DatasetsRead {
        time: DateTime<Utc>,
        datasets: Vec<DatasetRead>,
    },
    /// The data counters at a session's close: cache decisions, requests, conversions.
    Counters {
        time: DateTime<Utc>,
        metrics: MetricsSnapshot,
    },
}

impl RunEvent {
    pub fn time(&self) -> DateTime<Utc> {
        match self {
            RunEvent::OrderSubmitted { time, .. }
            | RunEvent::OrderRejected { time, .. }
            | RunEvent::MarginCall { time, .. }
            | RunEvent::Filled { time, .. }
            | RunEvent::Cancelled { time, .. }
            | RunEvent::Expired { time, .. }
            | RunEvent::Settled { time, .. }
            | RunEvent::SettlementPending { time, .. }
            | RunEvent::Progress { time, .. }
            | RunEvent::Equity { time, .. }
            | RunEvent::DatasetsRead { time, .. }
            | RunEvent::Counters { time, .. } => *time,
        }
    }

    /// One line for people, times in ET:
    /// `2025-03-13 09:31 -04:00 FILLED #1 BUY 17 HIMS 2025-04-04 33 C @ 3.7 (quote) fee 6.29 [entry]`.
    pub fn describe(&self) -> String {
        let what = match self {
            RunEvent::OrderSubmitted { order_id, asset, side, quantity, kind, tif, tag, .. } => {
                format!("SUBMITTED {order_id} {side} {quantity} {asset} {kind} {tif}{}", tagged(tag))
            }
            RunEvent::OrderRejected { order_id: None, asset, side, quantity, reason, .. } => {
                format!("REJECTED {side} {quantity} {asset}: {reason}")
            }
            RunEvent::OrderRejected { order_id: Some(id), asset, side, quantity, reason, .. } => {
                format!("REJECTED {id} {side} {quantity} {asset} at its fill: {reason}")
            }
            RunEvent::MarginCall { equity, requirement, .. } => {
                format!(
                    "MARGIN CALL equity {} below the maintenance requirement {}",
                    money(*equity),
                    money(*requirement)
                )
            }
            RunEvent::Filled { order_id, asset, side, quantity, price, fee, source, tag, .. } => {
                let source = match source {
                    FillSource::Trade => "trade",
                    FillSource::Quote => "quote",
                };
                format!("FILLED {order_id} {side} {quantity} {asset} @ {price} ({source}) fee {fee:.2}{}", tagged(tag))
            }
            RunEvent::Cancelled { order_id, asset, reason, .. } => format!("CANCELLED {order_id} {asset}: {reason}"),
            RunEvent::Expired { order_id, asset, reason, .. } => format!("EXPIRED {order_id} {asset}: {reason}"),
            RunEvent::Settled { asset, quantity, underlying_close, intrinsic, cash, .. } => {
                format!(
                    "SETTLED {quantity} {asset} at underlying {underlying_close}: intrinsic {intrinsic}, cash {cash}"
                )
            }
            RunEvent::SettlementPending { asset, quantity, reason, .. } => {
                format!("SETTLEMENT PENDING {quantity} {asset}: {reason}")
            }
            RunEvent::Progress { session, sessions, .. } => format!("SESSION {session}/{sessions}"),
            RunEvent::Equity { valuation, .. } => {
                format!(
                    "EQUITY {:.2} (cash {:.2}, positions {:.2})",
                    valuation.total, valuation.cash, valuation.positions_value
                )
            }
            RunEvent::DatasetsRead { datasets, .. } => format!("DATASETS {} read", datasets.len()),
            RunEvent::Counters { metrics, .. } => format!(
                "COUNTERS checks={} hits={} misses={} network_requests={}",
                metrics.checks, metrics.hits, metrics.misses, metrics.network_requests
            ),
        };
        format!("{} {what}", fmt_et(self.time()))
    }
}

fn tagged(tag: &str) -> String {
    if tag.is_empty() { String::new() } else { format!(" [{tag}]") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testutil::{at, contract, date};
    use crate::market::Right;

    fn fill() -> RunEvent {
        RunEvent::Filled {
            time: at(2025, 3, 13, 9, 31),
            order_id: OrderId(1),
            asset: Asset::Option(contract("HIMS", date(2025, 4, 4), 33.0, Right::Call)),
            side: Side::Buy,
            quantity: 17,
            price: 3.7,
            fee: 6.29,
            source: FillSource::Quote,
            tag: "entry".into(),
            realized_pnl: 0.0,
            cash_after: 93_703.71,
        }
    }

    #[test]
    fn describes_in_eastern_time() {
        assert_eq!(
            fill().describe(),
            "2025-03-13 09:31 -04:00 FILLED #1 BUY 17 HIMS 2025-04-04 33 C @ 3.7 (quote) fee 6.29 [entry]"
        );
        let expired = RunEvent::Expired {
            time: at(2025, 3, 7, 16, 0),
            order_id: OrderId(2),
            asset: Asset::stock("PLTR").unwrap(),
            reason: "day order not filled".into(),
        };
        assert_eq!(expired.describe(), "2025-03-07 16:00 -05:00 EXPIRED #2 PLTR: day order not filled");
    }

    #[test]
    fn serializes_with_a_tag_and_utc_times() {
        let json = serde_json::to_value(fill()).unwrap();
        assert_eq!(json["event"], "filled");
        assert_eq!(json["time"], "2025-03-13T13:31:00Z");
        assert_eq!(json["order_id"], 1);
        assert_eq!(json["side"], "buy");
        assert_eq!(json["source"], "quote");
        let submitted = RunEvent::OrderSubmitted {
            time: at(2025, 3, 13, 9, 30),
            order_id: OrderId(1),
            asset: Asset::stock("PLTR").unwrap(),
            side: Side::Sell,
            quantity: 3,
            kind: OrderKind::StopLimit { stop: 9.0, limit: 8.5 },
            tif: TimeInForce::Gtc,
            tag: String::new(),
        };
        let json = serde_json::to_value(&submitted).unwrap();
        assert_eq!(json["kind"], serde_json::json!({"type": "stop_limit", "stop": 9.0, "limit": 8.5}));
        assert_eq!(json["tif"], "gtc");
        assert_eq!(submitted.describe(), "2025-03-13 09:30 -04:00 SUBMITTED #1 SELL 3 PLTR stop 9 limit 8.5 gtc");
    }
}
