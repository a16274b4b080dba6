//! thetabench: a terminal workbench for backtesting stock and option strategies
//! on ThetaData market data.
//!
//! Layers, lowest first. A module imports its own layer and those below it,
//! never one above (`tests/layers.rs` checks it):
//!
//! 1. `market`: assets, the bar schema, the NYSE calendar, Eastern time; it
//!    knows nothing else of the crate.
//! 2. `metrics`: the counters a data stack keeps (cache decisions, traffic,
//!    conversions).
//! 3. `thetadata` (the Theta Terminal client) and `terminal` (the simulated
//!    terminal, which shares the client's subscription tiers).
//! 4. `cache`: coverage, the HIT/MISS decision, persistence; it asks a fetcher
//!    (the client) for what is missing.
//! 5. `data`: what a strategy may see, over the columnar or the row store.
//! 6. `engine`: the deterministic loop: schedule, broker, accounts, portfolio,
//!    strategy API.
//! 7. `strategies`: the built-in strategies.
//! 8. `run`: one headless run, its artifacts, stats and parity.
//! 9. `stack` (the data source and the cache over it) and `logging` (where log
//!    lines go): what the faces open before anything runs. Every layer logs
//!    through `tracing` itself; only the faces set logging up.
//! 10. `tui` (the workbench) and `cli` (the commands, with `main.rs`): the faces.

pub mod cache;
pub mod cli;
pub mod data;
pub mod engine;
pub mod logging;
pub mod market;
pub mod metrics;
pub mod run;
pub mod stack;
pub mod strategies;
pub mod terminal;
pub mod thetadata;
pub mod tui;
