//! The messages of the strategy protocol (docs/strategy-protocol.md), as the
//! host reads and writes them.

use serde::{Deserialize, Serialize};

use crate::engine::{OrderKind, RunEvent, Side, TimeInForce};
use crate::market::Asset;
use crate::market::time::et_date;
pub use crate::strategies::params::Declaration;

pub const PROTOCOL_VERSION: u32 = 1;

/// Everything a strategy may send.
#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum FromStrategy {
    Hello {
        protocol: u32,
        name: String,
        parameters: Vec<Declaration>,
    },
    Ready {
        sleeptime: String,
        /// The series it will read, loaded before its first iteration.
        #[serde(default)]
        wants: Vec<Want>,
    },
    /// The iteration is over; `standing` are the data questions it asked,
    /// which the next `iterate` answers in advance.
    Done {
        #[serde(default)]
        standing: Vec<serde_json::Value>,
    },
    Stopped,
    Error {
        message: String,
        #[serde(default)]
        traceback: String,
    },
    Log {
        level: String,
        message: String,
    },
    History {
        asset: String,
        length: usize,
        timestep: String,
        #[serde(default)]
        end: Option<i64>,
    },
    LastPrice {
        asset: String,
    },
    Quote {
        asset: String,
    },
    Quotes {
        asset: String,
        length: usize,
    },
    Greeks {
        asset: String,
    },
    OpenInterest {
        asset: String,
    },
    Expirations {
        underlying: String,
    },
    Strikes {
        underlying: String,
        expiration: String,
    },
    PortfolioValue,
    BuyingPower,
    Submit {
        asset: String,
        side: String,
        quantity: u64,
        #[serde(rename = "type")]
        kind: String,
        limit: Option<f64>,
        stop: Option<f64>,
        tif: String,
        #[serde(default)]
        tag: String,
    },
    Cancel {
        id: u64,
    },
}

/// A series a strategy declares it will read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Want {
    pub asset: String,
    pub timestep: String,
}

#[derive(Serialize)]
pub struct Start<'a> {
    pub op: &'static str,
    pub parameters: &'a serde_json::Map<String, serde_json::Value>,
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    pub cash: f64,
}

#[derive(Serialize)]
pub struct Iterate<'a> {
    pub op: &'static str,
    pub now: i64,
    pub et_offset: i32,
    pub cash: f64,
    pub positions: &'a [(String, i64, f64)],
    pub orders: &'a [u64],
    pub events: &'a [serde_json::Value],
    /// `[question, reply]` for each standing question, answered as of `now`.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub answers: &'a [(serde_json::Value, Box<serde_json::value::RawValue>)],
}

/// The reply to a history question: columns, oldest bar first.
#[derive(Default, Serialize)]
pub struct Columns {
    pub ok: bool,
    pub time: Vec<i64>,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volume: Vec<i64>,
    pub count: Vec<i64>,
}

impl FromStrategy {
    /// A question about the data as of now: answering it changes nothing.
    pub fn is_data_question(&self) -> bool {
        matches!(
            self,
            FromStrategy::History { .. }
                | FromStrategy::LastPrice { .. }
                | FromStrategy::Quote { .. }
                | FromStrategy::Quotes { .. }
                | FromStrategy::Greeks { .. }
                | FromStrategy::OpenInterest { .. }
                | FromStrategy::Expirations { .. }
                | FromStrategy::Strikes { .. }
        )
    }
}

/// An asset's protocol name: `SPY`, `^SPX`, or the OCC symbol.
pub fn asset_name(asset: &Asset) -> String {
    match asset {
        Asset::Option(contract) => contract.occ(),
        Asset::Stock(_) | Asset::Index(_) => asset.to_string(),
    }
}

pub fn side(name: &str) -> Result<Side, String> {
    match name {
        "buy" => Ok(Side::Buy),
        "sell" => Ok(Side::Sell),
        other => Err(format!("side must be buy or sell, not {other:?}")),
    }
}

pub fn order_kind(kind: &str, limit: Option<f64>, stop: Option<f64>) -> Result<OrderKind, String> {
    let need = |price: Option<f64>, what: &str| price.ok_or_else(|| format!("a {kind} order needs a {what} price"));
    match kind {
        "market" => Ok(OrderKind::Market),
        "limit" => Ok(OrderKind::Limit { limit: need(limit, "limit")? }),
        "stop" => Ok(OrderKind::Stop { stop: need(stop, "stop")? }),
        "stop_limit" => Ok(OrderKind::StopLimit { stop: need(stop, "stop")?, limit: need(limit, "limit")? }),
        other => Err(format!("order type must be market, limit, stop or stop_limit, not {other:?}")),
    }
}

pub fn time_in_force(name: &str) -> Result<TimeInForce, String> {
    match name {
        "day" => Ok(TimeInForce::Day),
        "gtc" => Ok(TimeInForce::Gtc),
        other => Err(format!("time in force must be day or gtc, not {other:?}")),
    }
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

/// A broker event as the strategy receives it; `None` for the run's own
/// bookkeeping (progress, equity, counters), which strategies never see.
pub fn event(event: &RunEvent) -> Option<serde_json::Value> {
    use serde_json::json;
    let time = event.time();
    let mut value = match event {
        RunEvent::Filled { order_id, asset, side, quantity, price, fee, tag, .. } => json!({
            "event": "filled", "order_id": order_id.0, "asset": asset_name(asset), "side": side_name(*side),
            "quantity": quantity, "price": price, "fee": fee, "tag": tag,
        }),
        RunEvent::Cancelled { order_id, asset, reason, .. } => {
            json!({"event": "cancelled", "order_id": order_id.0, "asset": asset_name(asset), "reason": reason})
        }
        RunEvent::Expired { order_id, asset, reason, .. } => {
            json!({"event": "expired", "order_id": order_id.0, "asset": asset_name(asset), "reason": reason})
        }
        RunEvent::OrderRejected { order_id, asset, side, quantity, reason, .. } => json!({
            "event": "rejected", "order_id": order_id.map(|id| id.0), "asset": asset_name(asset),
            "side": side_name(*side), "quantity": quantity, "reason": reason,
        }),
        RunEvent::Settled { asset, quantity, intrinsic, cash, .. } => json!({
            "event": "settled", "asset": asset_name(asset), "quantity": quantity, "intrinsic": intrinsic, "cash": cash,
        }),
        RunEvent::MarginCall { equity, requirement, .. } => {
            json!({"event": "margin_call", "equity": equity, "requirement": requirement})
        }
        RunEvent::OrderSubmitted { .. }
        | RunEvent::SettlementPending { .. }
        | RunEvent::Progress { .. }
        | RunEvent::Equity { .. }
        | RunEvent::DatasetsRead { .. }
        | RunEvent::Counters { .. } => return None,
    };
    value["time"] = json!(time.timestamp_millis());
    value["date_et"] = json!(et_date(time).to_string());
    Some(value)
}
