//! The strategies thetabench ships, and the registry the commands build them from.

pub mod buy_and_hold;
pub mod params;
pub mod sma_cross;
pub mod weekly_momentum;

use std::collections::BTreeMap;

pub use params::{ParamError, Params};

use crate::engine::{FeeModel, Strategy};

/// Every strategy name, the default first.
pub const NAMES: [&str; 3] =
    [weekly_momentum::WeeklyMomentum::NAME, buy_and_hold::BuyAndHold::NAME, sma_cross::SmaCross::NAME];

/// A strategy ready to run, with its fee model and resolved parameters.
pub struct Built {
    pub strategy: Box<dyn Strategy + Send>,
    pub fees: FeeModel,
    pub params: BTreeMap<String, String>,
}

/// Builds a strategy by name from `key=value` parameters.
pub fn build(name: &str, pairs: &[String]) -> Result<Built, ParamError> {
    let mut params = Params::parse(pairs)?;
    let fee_pct: f64 = params.get("fee_pct", 0.001, "a fraction of notional such as 0.001")?;
    params.check("fee_pct", (0.0..0.1).contains(&fee_pct), "must be in [0, 0.1)")?;
    let strategy: Box<dyn Strategy + Send> = match name {
        weekly_momentum::WeeklyMomentum::NAME => Box::new(weekly_momentum::WeeklyMomentum::new(&mut params)?),
        buy_and_hold::BuyAndHold::NAME => Box::new(buy_and_hold::BuyAndHold::new(&mut params)?),
        sma_cross::SmaCross::NAME => Box::new(sma_cross::SmaCross::new(&mut params)?),
        other => return Err(ParamError::Strategy(other.to_string())),
    };
    let params = params.finish(name)?;
    Ok(Built { strategy, fees: FeeModel::percent(fee_pct), params })
}
