//! Buy one stock (`symbol`, SPY by default) with 98% of the cash at the first
//! open (room for a gap above the last trade), and hold it to the end.

use super::params::{ParamError, Params};
use crate::engine::{Context, OrderKind, Side, Sleep, Strategy, StrategyError, TimeInForce};
use crate::market::{Asset, Symbol};

pub struct BuyAndHold {
    asset: Asset,
    bought: bool,
}

impl BuyAndHold {
    pub const NAME: &'static str = "buy-and-hold";

    pub fn new(params: &mut Params) -> Result<BuyAndHold, ParamError> {
        let symbol = params.get("symbol", Symbol::literal("SPY"), "a stock symbol of 1-10 letters, digits or '.'")?;
        Ok(BuyAndHold { asset: Asset::Stock(symbol), bought: false })
    }
}

impl Strategy for BuyAndHold {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn sleep(&self) -> Sleep {
        Sleep::DailyAtOpen
    }

    fn iterate(&mut self, ctx: &mut Context<'_>) -> Result<(), StrategyError> {
        if self.bought {
            return Ok(());
        }
        let Some(price) = ctx.data().last_price(&self.asset)? else { return Ok(()) };
        // Leave room for the open to gap above the last trade.
        let shares = (ctx.portfolio().cash() * 0.98 / price).floor() as u64;
        if shares > 0 {
            // A refusal (the account cannot pay) is recorded; the next iteration tries again.
            let kind = OrderKind::Market;
            self.bought =
                ctx.submit_unless_refused(self.asset, Side::Buy, shares, kind, TimeInForce::Day, "buy")?.is_some();
        }
        Ok(())
    }
}
