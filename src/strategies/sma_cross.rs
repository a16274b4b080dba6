//! A stock strategy on 1m bars: long when the fast moving average of closes is
//! above the slow one, flat otherwise. Simple on purpose; it exists to measure
//! engine throughput.

use super::params::{ParamError, Params};
use crate::data::SeriesId;
use crate::engine::{Context, OrderKind, Side, Sleep, Strategy, StrategyError, TimeInForce};
use crate::market::{Asset, Timestep};

pub struct SmaCross {
    assets: Vec<Asset>,
    /// Handles to the assets' minute bars, in `assets` order, resolved at the
    /// first iteration: the questions asked every minute skip the lookup.
    series: Vec<SeriesId>,
    fast: usize,
    slow: usize,
    quantity: u64,
    /// Per asset: the account refused the buy of the current up-cross. It is
    /// tried again at the next one, not at every minute in between.
    refused: Vec<bool>,
}

impl SmaCross {
    pub const NAME: &'static str = "sma-cross";

    pub fn new(params: &mut Params) -> Result<SmaCross, ParamError> {
        let symbols = params.symbols("symbols", &["SPY"])?;
        let fast: usize = params.get("fast", 10, "a whole number of bars")?;
        let slow: usize = params.get("slow", 30, "a whole number of bars")?;
        let quantity: u64 = params.get("quantity", 10, "a whole number of shares")?;
        params.check("fast", fast >= 1 && fast < slow, "fast must be at least 1 and below slow")?;
        params.check("quantity", quantity > 0, "must be positive")?;
        let assets = symbols.into_iter().map(Asset::Stock).collect();
        Ok(SmaCross { assets, series: Vec::new(), fast, slow, quantity, refused: Vec::new() })
    }
}

impl Strategy for SmaCross {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn sleep(&self) -> Sleep {
        Sleep::EveryMinutes(1)
    }

    fn iterate(&mut self, ctx: &mut Context<'_>) -> Result<(), StrategyError> {
        if self.series.is_empty() {
            let data = ctx.data();
            self.series = self.assets.iter().map(|a| data.series(a, Timestep::Minute)).collect::<Result<_, _>>()?;
            self.refused = vec![false; self.assets.len()];
        }
        for ((asset, &series), refused) in self.assets.iter().zip(&self.series).zip(&mut self.refused) {
            let history = ctx.data().history_of(series, self.slow)?;
            if history.len() < self.slow {
                continue;
            }
            // The slow window is the fast one plus the bars before it: one walk.
            let fast_sum = history.tail(self.fast).close_sum();
            let older_sum = history.head(self.slow - self.fast).close_sum();
            let (fast, slow) = (fast_sum / self.fast as f64, (older_sum + fast_sum) / self.slow as f64);
            let held = ctx.portfolio().position(asset).map_or(0, |p| p.quantity);
            let pending = ctx.open_orders().iter().any(|o| &o.asset == asset);
            if pending {
                continue;
            }
            if fast <= slow {
                *refused = false;
            }
            if fast > slow && held == 0 && !*refused {
                // Beyond the account's buying power the order is refused (and recorded).
                let kind = OrderKind::Market;
                let id =
                    ctx.submit_unless_refused(*asset, Side::Buy, self.quantity, kind, TimeInForce::Day, "cross up")?;
                *refused = id.is_none();
            } else if fast < slow && held > 0 {
                ctx.submit_unless_refused(
                    *asset,
                    Side::Sell,
                    held as u64,
                    OrderKind::Market,
                    TimeInForce::Day,
                    "cross down",
                )?;
            }
        }
        Ok(())
    }
}
