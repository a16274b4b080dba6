//! The backtest broker: keeps the order book, fills orders against the data it is
//! shown, books fills and expiries in the portfolio, and reports each step as a
//! `RunEvent`.
//!
//! Timing: the engine calls `process(now)` at every iteration, right after the
//! strategy ran. Each open order is then considered against one bar: the first that
//! opens at or after the later of `now` and the end of the last bar it was
//! considered against. So an order's first bar is the first opening at or after its
//! submission, no bar is considered twice, and a GTC order under a daily clock meets
//! one bar per day (bars between iterations are not scanned: the clock's resolution
//! is the strategy's sleeptime).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use super::events::RunEvent;
use super::fees::{FeeModel, multiplier};
use super::fill::{FillDecision, FillSource, evaluate, needs_quote};
use super::order::{self, Order, OrderError, OrderId, OrderKind, OrderStatus, Side, TimeInForce};
use super::portfolio::{Portfolio, last_trading_day};
use super::valuation::{Valuation, mark};
use crate::market::time::{et_date, et_date_ms, et_to_utc, fmt_et, utc_from_ms};
use crate::market::{Asset, Bar, Calendar, QuoteBar, Symbol};

/// The market data the broker needs; the engine implements it over the data layer.
/// Every method must answer only from data visible at or before the instant asked
/// about, except `bar_at_or_after`, which returns the bar an order would meet next.
pub trait FillData {
    /// The first bar opening at or after `t`, in `t`'s session; `None` if none.
    fn bar_at_or_after(&mut self, asset: &Asset, t: DateTime<Utc>) -> Option<Bar>;
    /// The NBBO in force at `t` (the latest snapshot stamped at or before `t`).
    fn quote_at(&mut self, asset: &Asset, t: DateTime<Utc>) -> Option<QuoteBar>;
    /// The underlying's official close on `date`, for expiry settlement.
    fn underlying_close(&mut self, symbol: Symbol, date: NaiveDate) -> Option<f64>;
    /// The last trade price known at `t` (from bars closed by `t`), for marks.
    fn last_trade(&mut self, asset: &Asset, t: DateTime<Utc>) -> Option<f64>;
}

#[derive(Debug, Clone)]
pub struct Broker {
    portfolio: Portfolio,
    fees: FeeModel,
    /// In submission order, which is the order they are considered in.
    open: Vec<Order>,
    /// Final status of every closed order.
    closed: BTreeMap<OrderId, OrderStatus>,
    last_id: u64,
    /// Events from `submit` and `cancel`, handed out first by the next call that
    /// returns events, so the record stays in the order things happened.
    pending: Vec<RunEvent>,
}

impl Broker {
    pub fn new(cash: f64, fees: FeeModel) -> Broker {
        Broker {
            portfolio: Portfolio::new(cash),
            fees,
            open: Vec::new(),
            closed: BTreeMap::new(),
            last_id: 0,
            pending: Vec::new(),
        }
    }

    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }

    pub fn fees(&self) -> &FeeModel {
        &self.fees
    }

    pub fn open_orders(&self) -> &[Order] {
        &self.open
    }

    pub fn status(&self, id: OrderId) -> Option<OrderStatus> {
        if self.open.iter().any(|o| o.id == id) { Some(OrderStatus::Open) } else { self.closed.get(&id).cloned() }
    }

    /// Validates and books an order; ids count up from 1. Queues `OrderSubmitted`,
    /// or `OrderRejected` with the error's text.
    #[allow(clippy::too_many_arguments)]
    pub fn submit(
        &mut self,
        now: DateTime<Utc>,
        asset: Asset,
        side: Side,
        quantity: u64,
        kind: OrderKind,
        tif: TimeInForce,
        tag: impl Into<String>,
    ) -> Result<OrderId, OrderError> {
        if let Err(error) = order::validate(&asset, side, quantity, &kind, now) {
            self.pending.push(RunEvent::OrderRejected { time: now, asset, side, quantity, reason: error.to_string() });
            return Err(error);
        }
        self.last_id += 1;
        let id = OrderId(self.last_id);
        let order = Order::new(id, asset, side, quantity, kind, tif, now, tag.into());
        self.pending.push(RunEvent::OrderSubmitted {
            time: now,
            order_id: id,
            asset: order.asset,
            side,
            quantity,
            kind,
            tif,
            tag: order.tag.clone(),
        });
        self.open.push(order);
        Ok(id)
    }

    /// Cancels an open order; `false` if it is not open. Queues `Cancelled`.
    pub fn cancel(&mut self, id: OrderId, now: DateTime<Utc>, reason: &str) -> bool {
        let Some(index) = self.open.iter().position(|o| o.id == id) else {
            return false;
        };
        let order = self.open.remove(index);
        let event = self.close(order, now, reason.to_string(), Closing::Cancelled);
        self.pending.push(event);
        true
    }

    /// Events queued by `submit` and `cancel` since the last call that returned events.
    pub fn take_events(&mut self) -> Vec<RunEvent> {
        std::mem::take(&mut self.pending)
    }

    /// Considers every open order submitted at or before `now` against its next bar
    /// (see the module doc) and books the fills. Orders that do not fill keep the
    /// reason in `Order::waiting`. Returns queued events first, then the fills.
    pub fn process(&mut self, now: DateTime<Utc>, data: &mut dyn FillData) -> Vec<RunEvent> {
        let mut events = self.take_events();
        let mut still_open = Vec::with_capacity(self.open.len());
        for mut order in std::mem::take(&mut self.open) {
            if order.submitted_at > now {
                still_open.push(order);
                continue;
            }
            let from = now.max(order.next_bar_from);
            let bar = match checked_bar(&order, from, data.bar_at_or_after(&order.asset, from)) {
                Ok(bar) => bar,
                Err(reason) => {
                    order.waiting = Some(reason);
                    still_open.push(order);
                    continue;
                }
            };
            let quote = match &bar {
                Some(b) if needs_quote(&order.asset, b) => data.quote_at(&order.asset, utc_from_ms(b.ts_ms)),
                _ => None,
            };
            match evaluate(&order, from, bar.as_ref(), quote.as_ref()) {
                FillDecision::Fill { time, price, source } => events.push(self.fill(order, time, price, source)),
                FillDecision::Wait { reason, triggered } => {
                    order.triggered = triggered;
                    order.waiting = Some(reason);
                    if let Some(b) = bar {
                        order.next_bar_from = utc_from_ms(b.ts_ms) + Duration::milliseconds(1);
                    }
                    still_open.push(order);
                }
            }
        }
        self.open = still_open;
        events
    }

    /// The close of session `date`: cancels the open orders of option contracts
    /// whose last session this is (or was), expires DAY orders with the reason they
    /// did not fill, then cash-settles those contracts' positions from the
    /// underlying's close. Returns queued events first, then these, all stamped at
    /// the session's close.
    pub fn end_of_session(&mut self, date: NaiveDate, data: &mut dyn FillData) -> Vec<RunEvent> {
        let mut events = self.take_events();
        let close = Calendar::session(date)
            .map(|s| s.close)
            .unwrap_or_else(|| et_to_utc(date, NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default()));
        events.extend(self.close_orders_at(date, close));
        events.extend(self.settle_expired(date, close, data));
        events
    }

    /// Cancels the orders of contracts past their last session, expires DAY orders.
    fn close_orders_at(&mut self, date: NaiveDate, close: DateTime<Utc>) -> Vec<RunEvent> {
        let mut events = Vec::new();
        for order in std::mem::take(&mut self.open) {
            if expires_by(&order.asset, date) {
                let reason = format!("{} expires at the {date} close", order.asset);
                events.push(self.close(order, close, reason, Closing::Cancelled));
            } else if order.tif == TimeInForce::Day && et_date(order.submitted_at) <= date {
                let last = order.waiting.as_deref().unwrap_or("never considered: no process call after submission");
                let reason = format!("day order not filled by the {date} close; last: {last}");
                events.push(self.close(order, close, reason, Closing::Expired));
            } else {
                self.open.push(order);
            }
        }
        events
    }

    /// Settles the option positions whose last session is `date` or earlier.
    fn settle_expired(&mut self, date: NaiveDate, close: DateTime<Utc>, data: &mut dyn FillData) -> Vec<RunEvent> {
        let mut events = Vec::new();
        let contracts: Vec<_> = self
            .portfolio
            .positions()
            .iter()
            .filter_map(|(asset, p)| match asset {
                Asset::Option(c) if expires_by(asset, date) => Some((*c, p.quantity)),
                _ => None,
            })
            .collect();
        for (contract, quantity) in contracts {
            let day = last_trading_day(&contract);
            let underlying_close =
                data.underlying_close(contract.underlying, day).filter(|s| s.is_finite() && *s > 0.0);
            let asset = Asset::Option(contract);
            let settled = underlying_close.and_then(|s| self.portfolio.settle_option(&contract, s).map(|r| (s, r)));
            let event = match settled {
                Some((underlying_close, s)) => RunEvent::Settled {
                    time: close,
                    asset,
                    quantity: s.quantity,
                    underlying_close,
                    intrinsic: s.intrinsic,
                    cash: s.cash,
                    realized_pnl: s.realized_pnl,
                },
                None => RunEvent::SettlementPending {
                    time: close,
                    asset,
                    quantity,
                    reason: format!("no close for {} on {day}; retried at each session end", contract.underlying),
                },
            };
            events.push(event);
        }
        events
    }

    /// Marks every position (DESIGN §5: option mid, else last trade, else last
    /// mark; stocks at the last trade), remembers the marks, and values the portfolio.
    pub fn mark_to_market(&mut self, now: DateTime<Utc>, data: &mut dyn FillData) -> Valuation {
        let mut marks = BTreeMap::new();
        for (asset, position) in self.portfolio.positions() {
            let last_trade = data.last_trade(asset, now);
            let quote = match asset {
                Asset::Option(_) => data.quote_at(asset, now),
                Asset::Stock(_) | Asset::Index(_) => None,
            };
            if let Some(m) = mark(asset, last_trade, quote.as_ref(), position.last_mark) {
                marks.insert(*asset, m);
            }
        }
        for (asset, m) in &marks {
            self.portfolio.set_mark(asset, m.price);
        }
        self.portfolio.value(&marks)
    }

    fn fill(&mut self, order: Order, time: DateTime<Utc>, price: f64, source: FillSource) -> RunEvent {
        let fee = self.fees.fee(price, order.quantity, multiplier(&order.asset));
        let effect = self.portfolio.apply_fill(time, &order.asset, order.side, order.quantity, price, fee);
        self.closed.insert(order.id, OrderStatus::Filled { time, price });
        RunEvent::Filled {
            time,
            order_id: order.id,
            asset: order.asset,
            side: order.side,
            quantity: order.quantity,
            price,
            fee,
            source,
            tag: order.tag,
            realized_pnl: effect.realized_pnl,
            cash_after: self.portfolio.cash(),
        }
    }

    fn close(&mut self, order: Order, time: DateTime<Utc>, reason: String, how: Closing) -> RunEvent {
        let (order_id, asset) = (order.id, order.asset);
        match how {
            Closing::Cancelled => {
                self.closed.insert(order_id, OrderStatus::Cancelled { time, reason: reason.clone() });
                RunEvent::Cancelled { time, order_id, asset, reason }
            }
            Closing::Expired => {
                self.closed.insert(order_id, OrderStatus::Expired { time, reason: reason.clone() });
                RunEvent::Expired { time, order_id, asset, reason }
            }
        }
    }
}

/// Whether `asset` is an option whose last session is `date` or earlier.
fn expires_by(asset: &Asset, date: NaiveDate) -> bool {
    matches!(asset, Asset::Option(c) if last_trading_day(c) <= date)
}

enum Closing {
    Cancelled,
    Expired,
}

/// Guards against data that would break the timing rules: a bar opening before
/// `from` would fill in the past, and a DAY order never fills in a later session.
fn checked_bar(order: &Order, from: DateTime<Utc>, bar: Option<Bar>) -> Result<Option<Bar>, String> {
    match bar {
        Some(b) if b.ts_ms < from.timestamp_millis() => Err(format!(
            "data returned a bar for {} at {}, before {}; not used",
            order.asset,
            fmt_et(utc_from_ms(b.ts_ms)),
            fmt_et(from)
        )),
        Some(b) if order.tif == TimeInForce::Day && et_date_ms(b.ts_ms) != et_date(order.submitted_at) => {
            Err(format!("no bar for {} left in the session of this day order after {}", order.asset, fmt_et(from)))
        }
        bar => Ok(bar),
    }
}

#[cfg(test)]
#[path = "broker_tests.rs"]
mod tests;
