//! thetabench: a terminal workbench for backtesting stock and option strategies
//! on ThetaData market data.
//!
//! Layers, lowest first (a module never imports one above it):
//! `market` (assets, schema, calendar, time) and `metrics`; `thetadata` (the
//! terminal client) and `terminal` (the simulated terminal); `cache`.

pub mod cache;
pub mod cli;
pub mod data;
pub mod engine;
pub mod logging;
pub mod market;
pub mod metrics;
pub mod run;
pub mod session;
pub mod strategies;
pub mod terminal;
pub mod thetadata;
pub mod tui;
