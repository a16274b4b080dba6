//! A workbench with one more strategy, written in Rust, beside the built-ins:
//! every command (`run`, `parity`, `strategies`, the workbench) knows it.
//!
//!     cargo run --release --example custom_strategy -- run --strategy dip-buyer
//!     cargo run --release --example custom_strategy -- strategies
//!
//! Nothing in thetabench's sources changes: the strategy implements
//! `thetabench::engine::Strategy`, asks `Params` for its parameters (typed, with
//! a default and help, which is also how `strategies` lists them), and is
//! registered before `thetabench::cli::main` runs.

use std::process::ExitCode;

use thetabench::engine::{Context, OrderKind, Side, Sleep, Strategy, StrategyError, TimeInForce};
use thetabench::market::{Asset, Symbol, Timestep};
use thetabench::strategies::{self, ParamError, Params};

/// Buys a stock when it closes a given fraction below its highest close of the
/// last N sessions, and sells it after a fixed number of sessions.
struct DipBuyer {
    asset: Asset,
    lookback: usize,
    dip: f64,
    hold_sessions: u32,
    quantity: u64,
    /// Sessions the position has been held.
    held_for: u32,
}

impl DipBuyer {
    const NAME: &'static str = "dip-buyer";

    fn new(params: &mut Params) -> Result<DipBuyer, ParamError> {
        let symbol: Symbol = params.get("symbol", Symbol::literal("SPY"), "the stock to trade")?;
        let lookback: usize = params.get("lookback", 20, "sessions the high is taken over")?;
        let dip: f64 = params.get("dip", 0.03, "buy this fraction below the high")?;
        let hold_sessions: u32 = params.get("hold_sessions", 5, "sessions to hold")?;
        let quantity: u64 = params.get("quantity", 10, "shares per entry")?;
        params.check("lookback", lookback >= 2, "must be at least 2")?;
        params.check("dip", dip > 0.0 && dip < 1.0, "must be in (0, 1)")?;
        Ok(DipBuyer { asset: Asset::Stock(symbol), lookback, dip, hold_sessions, quantity, held_for: 0 })
    }
}

impl Strategy for DipBuyer {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn sleep(&self) -> Sleep {
        Sleep::DailyAtOpen
    }

    fn iterate(&mut self, ctx: &mut Context<'_>) -> Result<(), StrategyError> {
        let held = ctx.portfolio().position(&self.asset).map_or(0, |p| p.quantity);
        if held > 0 {
            self.held_for += 1;
            if self.held_for >= self.hold_sessions {
                ctx.submit(self.asset, Side::Sell, held as u64, OrderKind::Market, TimeInForce::Day, "time exit")?;
            }
            return Ok(());
        }
        self.held_for = 0;
        // Daily bars are seen once their session has closed: no look-ahead.
        let history = ctx.data().history(&self.asset, self.lookback, Timestep::Day)?;
        let (Some(last), true) = (history.last(), history.len() == self.lookback) else { return Ok(()) };
        let high = (0..history.len()).map(|i| history.bar(i).close).fold(f64::MIN, f64::max);
        if last.close <= high * (1.0 - self.dip) && ctx.open_orders().is_empty() {
            ctx.submit_unless_refused(
                self.asset,
                Side::Buy,
                self.quantity,
                OrderKind::Market,
                TimeInForce::Day,
                "dip",
            )?;
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    if let Err(e) = strategies::register(DipBuyer::NAME, |p| Ok(Box::new(DipBuyer::new(p)?))) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    thetabench::cli::main()
}
