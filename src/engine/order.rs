//! Orders as a strategy submits them, and the checks they must pass first.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::account::money;
use crate::market::Asset;
use crate::market::time::{et_date, fmt_et};

/// The largest quantity one order may carry: keeps every signed position sum
/// inside `i64` and every quantity exact as an `f64`.
pub const MAX_QUANTITY: u64 = 1_000_000_000;

/// Assigned by the broker, 1, 2, 3, … in submission order, so runs are reproducible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(pub u64);

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    /// +1 for a buy, −1 for a sell: the sign of the position change.
    pub fn sign(self) -> i64 {
        match self {
            Side::Buy => 1,
            Side::Sell => -1,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "BUY",
            Side::Sell => "SELL",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the order's price is decided; see `fill` for the rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OrderKind {
    Market,
    Limit { limit: f64 },
    Stop { stop: f64 },
    StopLimit { stop: f64, limit: f64 },
}

impl OrderKind {
    /// Positive finite prices, and for a stop-limit a limit on the paying side of
    /// the stop (buy: limit ≥ stop; sell: limit ≤ stop). That coherence is what makes
    /// a stop-limit triggered inside a bar fill at its stop without guessing the
    /// order of the bar's high and low (see `fill`).
    pub fn validate(&self, side: Side) -> Result<(), OrderError> {
        let positive = |field: &'static str, value: f64| {
            if value.is_finite() && value > 0.0 { Ok(()) } else { Err(OrderError::BadPrice { field, value }) }
        };
        match *self {
            OrderKind::Market => Ok(()),
            OrderKind::Limit { limit } => positive("limit", limit),
            OrderKind::Stop { stop } => positive("stop", stop),
            OrderKind::StopLimit { stop, limit } => {
                positive("stop", stop)?;
                positive("limit", limit)?;
                let coherent = match side {
                    Side::Buy => limit >= stop,
                    Side::Sell => limit <= stop,
                };
                if coherent { Ok(()) } else { Err(OrderError::IncoherentStopLimit { side, stop, limit }) }
            }
        }
    }
}

impl fmt::Display for OrderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderKind::Market => f.write_str("market"),
            OrderKind::Limit { limit } => write!(f, "limit {limit}"),
            OrderKind::Stop { stop } => write!(f, "stop {stop}"),
            OrderKind::StopLimit { stop, limit } => write!(f, "stop {stop} limit {limit}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeInForce {
    /// Expires at the close of the session it was submitted in.
    Day,
    /// Stays open until filled, cancelled, or its option contract expires.
    Gtc,
}

impl fmt::Display for TimeInForce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeInForce::Day => "day",
            TimeInForce::Gtc => "gtc",
        })
    }
}

/// An open order. Orders fill whole (no partial fills).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Order {
    pub id: OrderId,
    pub asset: Asset,
    pub side: Side,
    pub quantity: u64,
    pub kind: OrderKind,
    pub tif: TimeInForce,
    pub submitted_at: DateTime<Utc>,
    /// A stop-limit whose stop was reached in an earlier bar now works as a limit.
    pub triggered: bool,
    /// Free text from the strategy, carried into the fill event.
    pub tag: String,
    /// Why the order did not fill when last considered; `None` until then.
    pub waiting: Option<String>,
    /// Bars opening before this instant were already considered; none is seen twice.
    pub next_bar_from: DateTime<Utc>,
    /// Buying power the order holds back while it is open (see `engine::account`).
    pub reserved: f64,
}

impl Order {
    /// A fresh order, not yet considered against any bar.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: OrderId,
        asset: Asset,
        side: Side,
        quantity: u64,
        kind: OrderKind,
        tif: TimeInForce,
        submitted_at: DateTime<Utc>,
        tag: String,
    ) -> Order {
        Order {
            id,
            asset,
            side,
            quantity,
            kind,
            tif,
            submitted_at,
            triggered: false,
            tag,
            waiting: None,
            next_bar_from: submitted_at,
            reserved: 0.0,
        }
    }

    /// `#3 BUY 17 HIMS 2025-04-04 33 C limit 3.7 day`.
    pub fn describe(&self) -> String {
        format!("{} {} {} {} {} {}", self.id, self.side, self.quantity, self.asset, self.kind, self.tif)
    }
}

/// Where an order ended up. Only `Open` orders are in the broker's book.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum OrderStatus {
    Open,
    Filled { time: DateTime<Utc>, price: f64 },
    Cancelled { time: DateTime<Utc>, reason: String },
    Expired { time: DateTime<Utc>, reason: String },
}

/// Why an order was refused; each variant names what was wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OrderError {
    #[error("quantity must be positive, got 0")]
    ZeroQuantity,
    #[error("quantity {0} exceeds the maximum of {MAX_QUANTITY}")]
    QuantityTooLarge(u64),
    #[error("{field} price must be a positive finite number, got {value}")]
    BadPrice { field: &'static str, value: f64 },
    #[error("stop-limit {side} needs its limit {} its stop, got stop {stop} limit {limit}", match side { Side::Buy => "at or above", Side::Sell => "at or below" })]
    IncoherentStopLimit { side: Side, stop: f64, limit: f64 },
    #[error("{asset} last traded on {last_trading_day}; cannot order it at {at}")]
    ContractExpired { asset: String, last_trading_day: chrono::NaiveDate, at: String },
    #[error("insufficient buying power: needs {}, has {}", money(*needs), money(*has))]
    InsufficientBuyingPower { needs: f64, has: f64 },
    #[error(
        "a cash account cannot sell short or write options: selling {selling} {asset} with {available} held and not already offered"
    )]
    ShortInCashAccount { asset: String, selling: u64, available: i64 },
}

impl OrderError {
    /// Whether the account refused the order (buying power, shorting): the
    /// order was sound, the account could not carry it. Strategies may go on.
    pub fn is_account_refusal(&self) -> bool {
        matches!(self, OrderError::InsufficientBuyingPower { .. } | OrderError::ShortInCashAccount { .. })
    }
}

/// All checks an order must pass before it enters the book.
pub fn validate(
    asset: &Asset,
    side: Side,
    quantity: u64,
    kind: &OrderKind,
    now: DateTime<Utc>,
) -> Result<(), OrderError> {
    if quantity == 0 {
        return Err(OrderError::ZeroQuantity);
    }
    if quantity > MAX_QUANTITY {
        return Err(OrderError::QuantityTooLarge(quantity));
    }
    kind.validate(side)?;
    if let Asset::Option(contract) = asset {
        let last_trading_day = contract.last_trading_day();
        if et_date(now) > last_trading_day {
            return Err(OrderError::ContractExpired { asset: asset.to_string(), last_trading_day, at: fmt_et(now) });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testutil::{at, pltr_call};

    fn check(side: Side, quantity: u64, kind: OrderKind) -> Result<(), OrderError> {
        validate(&Asset::stock("PLTR").unwrap(), side, quantity, &kind, at(2025, 3, 10, 9, 30))
    }

    #[test]
    fn accepts_well_formed_orders() {
        assert_eq!(check(Side::Buy, 1, OrderKind::Market), Ok(()));
        assert_eq!(check(Side::Sell, 5, OrderKind::Limit { limit: 2.5 }), Ok(()));
        assert_eq!(check(Side::Buy, 5, OrderKind::StopLimit { stop: 10.0, limit: 10.0 }), Ok(()));
        assert_eq!(check(Side::Sell, 5, OrderKind::StopLimit { stop: 10.0, limit: 9.5 }), Ok(()));
    }

    #[test]
    fn rejections_name_what_was_wrong() {
        assert_eq!(check(Side::Buy, 0, OrderKind::Market), Err(OrderError::ZeroQuantity));
        assert_eq!(
            check(Side::Buy, MAX_QUANTITY + 1, OrderKind::Market),
            Err(OrderError::QuantityTooLarge(MAX_QUANTITY + 1))
        );
        assert_eq!(
            check(Side::Buy, 1, OrderKind::Limit { limit: 0.0 }),
            Err(OrderError::BadPrice { field: "limit", value: 0.0 })
        );
        let nan = check(Side::Buy, 1, OrderKind::Stop { stop: f64::NAN }).unwrap_err();
        assert!(matches!(nan, OrderError::BadPrice { field: "stop", .. }));
        assert!(matches!(
            check(Side::Buy, 1, OrderKind::StopLimit { stop: 5.0, limit: f64::INFINITY }),
            Err(OrderError::BadPrice { field: "limit", .. })
        ));
        let buy = check(Side::Buy, 1, OrderKind::StopLimit { stop: 10.0, limit: 9.0 }).unwrap_err();
        assert_eq!(buy.to_string(), "stop-limit BUY needs its limit at or above its stop, got stop 10 limit 9");
        let sell = check(Side::Sell, 1, OrderKind::StopLimit { stop: 10.0, limit: 11.0 }).unwrap_err();
        assert_eq!(sell.to_string(), "stop-limit SELL needs its limit at or below its stop, got stop 10 limit 11");
    }

    #[test]
    fn expired_contracts_are_refused_but_expiry_day_is_fine() {
        let asset = pltr_call();
        // 2025-04-18 is Good Friday: the contract's last session is the 17th.
        let last_day = validate(&asset, Side::Sell, 1, &OrderKind::Market, at(2025, 4, 17, 15, 0));
        assert_eq!(last_day, Ok(()));
        let after = validate(&asset, Side::Sell, 1, &OrderKind::Market, at(2025, 4, 18, 9, 30)).unwrap_err();
        assert_eq!(
            after.to_string(),
            "PLTR 2025-04-18 91 C last traded on 2025-04-17; cannot order it at 2025-04-18 09:30 -04:00"
        );
    }
}
