//! What a strategy is and what it may do during an iteration.

use chrono::{DateTime, Utc};

use super::broker::Broker;
use super::clock::Sleep;
use super::events::RunEvent;
use super::order::{Order, OrderError, OrderId, OrderKind, Side, TimeInForce};
use super::portfolio::Portfolio;
use crate::data::{DataError, MarketData};
use crate::market::Asset;

#[derive(Debug, thiserror::Error)]
pub enum StrategyError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Order(#[from] OrderError),
}

pub trait Strategy {
    fn name(&self) -> &str;
    fn sleep(&self) -> Sleep;
    /// One iteration at `ctx.now()`.
    fn iterate(&mut self, ctx: &mut Context<'_>) -> Result<(), StrategyError>;
    /// Every broker event (fills, cancels, expiries, settlements) as it happens.
    fn on_event(&mut self, _event: &RunEvent) {}
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
        self.broker.submit(now, asset, side, quantity, kind, tif, tag)
    }

    pub fn cancel(&mut self, id: OrderId, reason: &str) -> bool {
        let now = self.now();
        self.broker.cancel(id, now, reason)
    }
}
