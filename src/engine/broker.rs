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

use super::account::{Account, Holding, Phase};
use super::events::RunEvent;
use super::fees::FeeModel;
use super::fill::{FillDecision, FillSource, evaluate, needs_quote};
use super::order::{self, Order, OrderError, OrderId, OrderKind, OrderStatus, Side, TimeInForce};
use super::portfolio::Portfolio;
use super::valuation::Valuation;
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

/// Prices the account checks use, as known at the moment of the check; `None`
/// where nothing is known (the position's last mark stands in).
pub type Prices<'a> = dyn FnMut(&Asset) -> Option<f64> + 'a;

/// A margin call standing since the close of `date`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct MarginCall {
    date: NaiveDate,
}

/// Tag of the orders that liquidate positions after a margin call.
pub const LIQUIDATION_TAG: &str = "liquidation";

#[derive(Debug, Clone)]
pub struct Broker {
    portfolio: Portfolio,
    fees: FeeModel,
    account: Account,
    margin_call: Option<MarginCall>,
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
    pub fn new(cash: f64, fees: FeeModel, account: Account) -> Broker {
        Broker {
            portfolio: Portfolio::new(cash),
            fees,
            account,
            margin_call: None,
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

    pub fn account(&self) -> &Account {
        &self.account
    }

    /// What a new order may still spend: for a cash account, cash less open
    /// buys' reservations; for a margin account, equity less the initial
    /// requirement and the reservations.
    pub fn buying_power(&self, prices: &mut Prices<'_>) -> f64 {
        let holdings = self.holdings(prices);
        let reserved: f64 = self.open.iter().map(|o| o.reserved).sum();
        match self.account {
            Account::Cash => self.portfolio.cash() - reserved,
            Account::Margin(_) => {
                equity(self.portfolio.cash(), &holdings)
                    - self.account.requirement(&holdings, Phase::Initial, prices)
                    - reserved
            }
        }
    }

    /// The positions priced for the account: at `prices`, else their last
    /// mark, else their average cost.
    fn holdings(&self, prices: &mut Prices<'_>) -> Vec<Holding> {
        self.portfolio
            .positions()
            .into_iter()
            .map(|(asset, p)| Holding {
                asset: *asset,
                quantity: p.quantity,
                price: prices(asset).or(p.last_mark).unwrap_or(p.average_cost),
            })
            .collect()
    }

    /// Whether the account can carry `quantity` of `asset` bought or sold at
    /// `price` on top of everything else, open orders' reservations included;
    /// the amount to reserve for it if so. At a fill the order is out of the
    /// book, and so are the orders not yet considered in that pass, so a fill
    /// is checked against what the account holds, not against reservations.
    fn afford(
        &self,
        order: Option<OrderId>,
        asset: &Asset,
        side: Side,
        quantity: u64,
        price: f64,
        prices: &mut Prices<'_>,
    ) -> Result<f64, OrderError> {
        let others: f64 = self.open.iter().filter(|o| Some(o.id) != order).map(|o| o.reserved).sum();
        let mult = asset.multiplier();
        let fee = self.fees.fee(price, quantity, mult);
        match self.account {
            Account::Cash => match side {
                Side::Buy => {
                    let (needs, has) = (price * quantity as f64 * mult + fee, self.portfolio.cash() - others);
                    if needs > has { Err(OrderError::InsufficientBuyingPower { needs, has }) } else { Ok(needs) }
                }
                Side::Sell => {
                    let held = self.portfolio.position(asset).map_or(0, |p| p.quantity);
                    let offered: u64 = self
                        .open
                        .iter()
                        .filter(|o| Some(o.id) != order && o.asset == *asset && o.side == Side::Sell)
                        .map(|o| o.quantity)
                        .sum();
                    let available = held - i64::try_from(offered).unwrap_or(i64::MAX);
                    if i64::try_from(quantity).unwrap_or(i64::MAX) > available {
                        Err(OrderError::ShortInCashAccount { asset: asset.to_string(), selling: quantity, available })
                    } else {
                        Ok(0.0)
                    }
                }
            },
            Account::Margin(_) => {
                let before = self.holdings(prices);
                let required_before = self.account.requirement(&before, Phase::Initial, prices);
                let after =
                    with_trade(&before, asset, side.sign() * i64::try_from(quantity).unwrap_or(i64::MAX), price);
                let needs = self.account.requirement(&after, Phase::Initial, prices) - required_before + fee;
                let has = equity(self.portfolio.cash(), &before) - required_before - others;
                if needs > 0.0 && needs > has {
                    Err(OrderError::InsufficientBuyingPower { needs, has })
                } else {
                    Ok(needs.max(0.0))
                }
            }
        }
    }

    pub fn open_orders(&self) -> &[Order] {
        &self.open
    }

    pub fn status(&self, id: OrderId) -> Option<OrderStatus> {
        if self.open.iter().any(|o| o.id == id) { Some(OrderStatus::Open) } else { self.closed.get(&id).cloned() }
    }

    /// Validates an order, checks the account can carry it at its reference
    /// price (the limit, else the latest known price from `prices`; an asset
    /// never priced is checked when it fills), and books it; ids count up from
    /// 1. Queues `OrderSubmitted`, or `OrderRejected` with the error's text.
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
        prices: &mut Prices<'_>,
    ) -> Result<OrderId, OrderError> {
        let checked = order::validate(&asset, side, quantity, &kind, now).and_then(|()| {
            // What a sale fetches does not matter to a cash account: only what it holds.
            let price = match (self.account, side) {
                (Account::Cash, Side::Sell) => Some(0.0),
                _ => reference_price(&kind, side, || prices(&asset)),
            };
            match price {
                Some(price) => self.afford(None, &asset, side, quantity, price, prices),
                None => Ok(0.0),
            }
        });
        let reservation = match checked {
            Ok(reservation) => reservation,
            Err(error) => {
                let reason = error.to_string();
                let cash = self.portfolio.cash();
                self.pending.push(RunEvent::OrderRejected {
                    time: now,
                    order_id: None,
                    asset,
                    side,
                    quantity,
                    reason,
                    cash,
                });
                return Err(error);
            }
        };
        self.last_id += 1;
        let id = OrderId(self.last_id);
        let mut order = Order::new(id, asset, side, quantity, kind, tif, now, tag.into());
        order.reserved = reservation;
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
        self.liquidate_if_due(now, data);
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
                FillDecision::Fill { time, price, source } => {
                    let prices = &mut |asset: &Asset| data.last_trade(asset, now);
                    let affordable = match order.tag.as_str() {
                        // Liquidations reduce what the account carries; they always go through.
                        LIQUIDATION_TAG => Ok(0.0),
                        _ => self.afford(Some(order.id), &order.asset, order.side, order.quantity, price, prices),
                    };
                    events.push(match affordable {
                        Ok(_) => self.fill(order, time, price, source),
                        Err(refusal) => self.refuse_at_fill(order, time, &refusal),
                    });
                }
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
            let day = contract.last_trading_day();
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
                    cash_after: self.portfolio.cash(),
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

    /// Marks every position ([`mark`]: option mid, else last trade, else last
    /// mark; stocks at the last trade, else the last mark), remembers the marks,
    /// and values the portfolio with the account's buying power and requirement. A margin
    /// account below its maintenance requirement gets a `MarginCall` (queued).
    pub fn mark_to_market(&mut self, now: DateTime<Utc>, data: &mut dyn FillData) -> Valuation {
        // Both closures read `data`: one borrow hands it to each call in turn.
        let data = std::cell::RefCell::new(data);
        let marks = self.portfolio.marks(&mut |asset| data.borrow_mut().last_trade(asset, now), &mut |asset| {
            data.borrow_mut().quote_at(asset, now)
        });
        let data = data.into_inner();
        for (asset, m) in &marks {
            self.portfolio.set_mark(asset, m.price);
        }
        let mut valuation = self.portfolio.value(&marks);
        let prices = &mut |asset: &Asset| data.last_trade(asset, now);
        valuation.buying_power = self.buying_power(prices);
        let holdings = self.holdings(prices);
        valuation.margin_used = self.account.requirement(&holdings, Phase::Initial, prices);
        let maintenance = self.account.requirement(&holdings, Phase::Maintenance, prices);
        if self.account.is_margin() && valuation.total < maintenance {
            self.margin_call.get_or_insert(MarginCall { date: et_date(now) });
            self.pending.push(RunEvent::MarginCall { time: now, equity: valuation.total, requirement: maintenance });
        } else {
            self.margin_call = None;
        }
        valuation
    }

    /// After a margin call's grace, at the first look in a later session: if
    /// the account is still below maintenance, cancels every open order and
    /// closes positions with market orders tagged [`LIQUIDATION_TAG`] until what
    /// is left meets maintenance. The order: short options, long options, short
    /// stock, long stock, each group largest position value first.
    fn liquidate_if_due(&mut self, now: DateTime<Utc>, data: &mut dyn FillData) {
        let (Some(call), Account::Margin(rates)) = (self.margin_call, self.account) else { return };
        let sessions_since = Calendar::sessions_between(call.date, et_date(now)).count().saturating_sub(1);
        if sessions_since < rates.grace_sessions as usize {
            return;
        }
        self.margin_call = None;
        let prices = &mut |asset: &Asset| data.last_trade(asset, now);
        let mut holdings = self.holdings(prices);
        let mut cash = self.portfolio.cash();
        if equity(cash, &holdings) >= self.account.requirement(&holdings, Phase::Maintenance, prices) {
            return;
        }
        for order in std::mem::take(&mut self.open) {
            let event = self.close(order, now, "cancelled for a margin call liquidation".into(), Closing::Cancelled);
            self.pending.push(event);
        }
        let mut queue = holdings.clone();
        queue.sort_by(|a, b| liquidation_rank(a).cmp(&liquidation_rank(b)).then(size(b).total_cmp(&size(a))));
        for h in queue {
            if equity(cash, &holdings) >= self.account.requirement(&holdings, Phase::Maintenance, prices) {
                break;
            }
            let side = if h.quantity > 0 { Side::Sell } else { Side::Buy };
            self.last_id += 1;
            let id = OrderId(self.last_id);
            let tag = LIQUIDATION_TAG.to_string();
            let quantity = h.quantity.unsigned_abs();
            let order = Order::new(id, h.asset, side, quantity, OrderKind::Market, TimeInForce::Day, now, tag.clone());
            self.pending.push(RunEvent::OrderSubmitted {
                time: now,
                order_id: id,
                asset: h.asset,
                side,
                quantity,
                kind: OrderKind::Market,
                tif: TimeInForce::Day,
                tag,
            });
            self.open.push(order);
            // Closing at the mark turns the position's value into cash: equity stays, the requirement falls.
            cash += h.quantity as f64 * h.price * h.asset.multiplier();
            holdings.retain(|kept| kept.asset != h.asset);
        }
    }

    fn fill(&mut self, order: Order, time: DateTime<Utc>, price: f64, source: FillSource) -> RunEvent {
        let fee = self.fees.fee(price, order.quantity, order.asset.multiplier());
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

    /// Closes an order the account cannot carry at its fill price.
    fn refuse_at_fill(&mut self, order: Order, time: DateTime<Utc>, refusal: &OrderError) -> RunEvent {
        let reason = refusal.to_string();
        self.closed.insert(order.id, OrderStatus::Cancelled { time, reason: reason.clone() });
        let Order { id, asset, side, quantity, .. } = order;
        RunEvent::OrderRejected { time, order_id: Some(id), asset, side, quantity, reason, cash: self.portfolio.cash() }
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

/// The price an order is checked at when submitted: its limit, else the latest
/// known price (for a stop, the worse of that and the stop); `None` when
/// nothing is known yet.
fn reference_price(kind: &OrderKind, side: Side, last: impl FnOnce() -> Option<f64>) -> Option<f64> {
    match (*kind, side) {
        (OrderKind::Limit { limit } | OrderKind::StopLimit { limit, .. }, _) => Some(limit),
        (OrderKind::Stop { stop }, Side::Buy) => Some(last().map_or(stop, |p| p.max(stop))),
        (OrderKind::Stop { stop }, Side::Sell) => Some(last().map_or(stop, |p| p.min(stop))),
        (OrderKind::Market, _) => last(),
    }
}

/// Cash plus the value of every holding (shorts count negative).
fn equity(cash: f64, holdings: &[Holding]) -> f64 {
    cash + holdings.iter().map(|h| h.quantity as f64 * h.price * h.asset.multiplier()).fold(0.0, |a, b| a + b)
}

/// `holdings` after trading `delta` units of `asset` at `price`.
fn with_trade(holdings: &[Holding], asset: &Asset, delta: i64, price: f64) -> Vec<Holding> {
    let mut after = holdings.to_vec();
    match after.iter_mut().find(|h| h.asset == *asset) {
        Some(h) => h.quantity += delta,
        None => after.push(Holding { asset: *asset, quantity: delta, price }),
    }
    after.retain(|h| h.quantity != 0);
    after
}

/// A holding's market value, whichever side it is on.
fn size(h: &Holding) -> f64 {
    h.price * h.quantity.unsigned_abs() as f64 * h.asset.multiplier()
}

/// Liquidation order: short options, long options, short stock, long stock.
fn liquidation_rank(h: &Holding) -> u8 {
    match (h.asset, h.quantity < 0) {
        (Asset::Option(_), true) => 0,
        (Asset::Option(_), false) => 1,
        (_, true) => 2,
        (_, false) => 3,
    }
}

/// Whether `asset` is an option whose last session is `date` or earlier.
fn expires_by(asset: &Asset, date: NaiveDate) -> bool {
    matches!(asset, Asset::Option(c) if c.last_trading_day() <= date)
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
