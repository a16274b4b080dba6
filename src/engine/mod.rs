//! The backtest engine: the run loop over its schedule, the strategy API, and the
//! broker with its orders, fill rules, fees, accounts, portfolio, marks and the
//! events a run records. Synchronous and deterministic: the same calls with the
//! same data give byte-identical events.
//!
//! Money is `f64`. Nothing is rounded; since every computation happens in a fixed
//! order, results are reproducible to the bit and tests may compare them exactly.

pub mod account;
pub mod broker;
pub mod events;
pub mod fees;
pub mod fill;
pub mod order;
pub mod portfolio;
pub mod runner;
pub mod schedule;
pub mod spec;
pub mod strategy;
pub mod valuation;

#[cfg(test)]
mod testutil;

pub use account::{Account, MarginRates};
pub use broker::{Broker, FillData, LIQUIDATION_TAG};
pub use events::{DatasetRead, RunEvent};
pub use fees::FeeModel;
pub use fill::{FillDecision, FillSource};
pub use order::{Order, OrderError, OrderId, OrderKind, OrderStatus, Side, TimeInForce};
pub use portfolio::{Portfolio, Position};
pub use runner::{RunError, run};
pub use schedule::Sleep;
pub use spec::RunSpec;
pub use strategy::{Context, Strategy, StrategyError};
pub use valuation::{Mark, MarkSource, Valuation, mark};
