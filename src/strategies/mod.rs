//! The strategies thetabench ships, and the registry the commands build them from.

pub mod buy_and_hold;
pub mod params;
pub mod sma_cross;
pub mod weekly_momentum;

use std::collections::BTreeMap;

pub use params::{ParamError, Params};

use crate::engine::{FeeModel, Strategy};

/// Builds one strategy from its parameters.
type Make = fn(&mut Params) -> Result<Box<dyn Strategy + Send>, ParamError>;

/// Every strategy thetabench ships, by name, the default first: the one list
/// the commands and the workbench read.
const REGISTRY: [(&str, Make); 3] = [
    (weekly_momentum::WeeklyMomentum::NAME, |p| Ok(Box::new(weekly_momentum::WeeklyMomentum::new(p)?))),
    (buy_and_hold::BuyAndHold::NAME, |p| Ok(Box::new(buy_and_hold::BuyAndHold::new(p)?))),
    (sma_cross::SmaCross::NAME, |p| Ok(Box::new(sma_cross::SmaCross::new(p)?))),
];

/// Every strategy name, the default first.
pub fn names() -> [&'static str; REGISTRY.len()] {
    REGISTRY.map(|(name, _)| name)
}

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
    let make = REGISTRY.iter().find(|(n, _)| *n == name).map(|(_, make)| make);
    let strategy = make.ok_or_else(|| ParamError::Strategy(name.to_string()))?(&mut params)?;
    let params = params.finish(name)?;
    Ok(Built { strategy, fees: FeeModel::percent(fee_pct), params })
}
