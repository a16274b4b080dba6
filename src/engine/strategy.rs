//! What a strategy is and what it may do during an iteration.

use chrono::{DateTime, Utc};

use super::broker::Broker;
use super::events::RunEvent;
use super::order::{Order, OrderError, OrderId, OrderKind, Side, TimeInForce};
use super::portfolio::Portfolio;
use super::schedule::Sleep;
use super::spec::RunSpec;
use crate::data::{DataError, MarketData};
use crate::market::{Asset, QuoteBar, Timestep};

#[derive(Debug, thiserror::Error)]
pub enum StrategyError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Order(#[from] OrderError),
    /// The strategy itself failed: e.g. a child-process strategy raised, or
    /// stopped answering. The text says what happened and where.
    #[error("{0}")]
    Failed(String),
}

/// The last trade of `asset` a strategy could see now, for the account's
/// checks: the close of the latest visible minute when it traded (one bar, so
/// no more history is loaded for it), else [`MarketData::last_price`]. A data
/// error counts as unknown: the order is then checked when it fills.
fn current_price(data: &mut dyn MarketData, asset: &Asset) -> Option<f64> {
    let latest = data.history(asset, 1, Timestep::Minute).ok().and_then(|h| (h.len() == 1).then(|| h.bar(0)));
    let traded = latest.filter(|b| b.count > 0).map(|b| b.close);
    traded.or_else(|| data.last_price(asset).ok().flatten()).filter(|p| p.is_finite() && *p > 0.0)
}

pub trait Strategy {
    fn name(&self) -> &str;
    /// How often it runs; read after [`Strategy::begin`].
    fn sleep(&self) -> Sleep;
    /// Once, before the first iteration, with the run's settings.
    fn begin(&mut self, _spec: &RunSpec) -> Result<(), StrategyError> {
        Ok(())
    }
    /// One iteration at `ctx.now()`.
    fn iterate(&mut self, ctx: &mut Context<'_>) -> Result<(), StrategyError>;
    /// Every broker event (fills, cancels, expiries, settlements) as it happens.
    fn on_event(&mut self, _event: &RunEvent) {}
    /// Once, after the last session (not after a failed or cancelled run).
    fn end(&mut self) {}
}

/// A strategy's window on the world during one iteration: the data as of now,
/// and the broker.
pub struct Context<'a> {
    pub(super) data: &'a mut dyn MarketData,
    pub(super) broker: &'a mut Broker,
}

impl Context<'_> {
    pub fn now(&self) -> DateTime<Utc> {
        self.data.now()
    }

    pub fn data(&mut self) -> &mut dyn MarketData {
        self.data
    }

    pub fn portfolio(&self) -> &Portfolio {
        self.broker.portfolio()
    }

    pub fn open_orders(&self) -> &[Order] {
        self.broker.open_orders()
    }

    /// Submits an order. An order the account cannot carry (buying power, a
    /// short in a cash account) is refused here with an `OrderError` and an
    /// `OrderRejected` event; [`OrderError::is_account_refusal`] tells those apart.
    pub fn submit(
        &mut self,
        asset: Asset,
        side: Side,
        quantity: u64,
        kind: OrderKind,
        tif: TimeInForce,
        tag: &str,
    ) -> Result<OrderId, OrderError> {
        let now = self.now();
        let data = &mut *self.data;
        self.broker.submit(now, asset, side, quantity, kind, tif, tag, &mut |a| current_price(data, a))
    }

    /// Like [`submit`](Context::submit), but an order the account refused is
    /// `Ok(None)`: the refusal is already in the run's events, and the strategy
    /// goes on. Other errors are still errors.
    pub fn submit_unless_refused(
        &mut self,
        asset: Asset,
        side: Side,
        quantity: u64,
        kind: OrderKind,
        tif: TimeInForce,
        tag: &str,
    ) -> Result<Option<OrderId>, OrderError> {
        match self.submit(asset, side, quantity, kind, tif, tag) {
            Ok(id) => Ok(Some(id)),
            Err(e) if e.is_account_refusal() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Cash plus every position at its mark now: options at the quote mid,
    /// else the last trade; stocks at the last trade; else the last mark.
    pub fn portfolio_value(&mut self) -> f64 {
        let data = std::cell::RefCell::new(&mut *self.data);
        let portfolio = self.broker.portfolio();
        let marks = portfolio.marks(&mut |asset| data.borrow_mut().last_price(asset).ok().flatten(), &mut |asset| {
            data.borrow_mut().quote(asset).ok().flatten().map(|q| QuoteBar {
                ts_ms: q.time.timestamp_millis(),
                bid: q.bid,
                ask: q.ask,
                bid_size: q.bid_size,
                ask_size: q.ask_size,
            })
        });
        portfolio.value(&marks).total
    }

    /// What a new order may still spend now (see `engine::account`).
    pub fn buying_power(&mut self) -> f64 {
        let data = &mut *self.data;
        self.broker.buying_power(&mut |a| current_price(data, a))
    }

    pub fn cancel(&mut self, id: OrderId, reason: &str) -> bool {
        let now = self.now();
        self.broker.cancel(id, now, reason)
    }
}
