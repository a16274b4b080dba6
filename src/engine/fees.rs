//! Trading costs. Fees are charged on the true notional: an option's price is per
//! share, so its notional carries the ×100 multiplier (the reference system forgot it).

use serde::{Deserialize, Serialize};

/// Costs charged on every fill. `Default` is free trading; the reference strategy's
/// 0.1 % is `FeeModel::percent(0.001)`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FeeModel {
    /// Fraction of notional (`0.001` = 0.1 %).
    pub percent: f64,
    /// Charged once per filled order.
    pub flat_per_order: f64,
    /// Charged per unit traded: per contract for options, per share for stocks.
    pub per_contract: f64,
}

impl FeeModel {
    pub fn percent(percent: f64) -> FeeModel {
        FeeModel { percent, ..FeeModel::default() }
    }

    /// `percent × price × quantity × multiplier + flat + per_contract × quantity`,
    /// unrounded: money is `f64` and the engine is deterministic, so results are
    /// reproducible to the bit and nothing is rounded behind the user's back.
    pub fn fee(&self, price: f64, quantity: u64, multiplier: f64) -> f64 {
        let quantity = quantity as f64;
        self.percent * price * quantity * multiplier + self.flat_per_order + self.per_contract * quantity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testutil::pltr_call;
    use crate::market::Asset;
    use crate::market::asset::OPTION_MULTIPLIER;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn option_fees_include_the_multiplier() {
        let fees = FeeModel::percent(0.001);
        let fee = fees.fee(3.70, 17, pltr_call().multiplier());
        assert!(close(fee, 6.29), "{fee}");
        // The reference charged 0.0629 here: the same formula without ×100.
        assert!(close(fees.fee(3.70, 17, 1.0), 0.0629));
    }

    #[test]
    fn all_three_parts_add_up() {
        let fees = FeeModel { percent: 0.001, flat_per_order: 1.0, per_contract: 0.65 };
        // 0.001 × 2 × 10 × 100 + 1 + 0.65 × 10 = 2 + 1 + 6.5
        assert!(close(fees.fee(2.0, 10, OPTION_MULTIPLIER), 9.5));
        assert_eq!(FeeModel::default().fee(123.0, 7, 1.0), 0.0);
        assert_eq!(Asset::stock("PLTR").unwrap().multiplier(), 1.0);
        assert_eq!("^SPX".parse::<Asset>().unwrap().multiplier(), 1.0);
    }

    #[test]
    fn deserializes_partial_config() {
        let fees: FeeModel = serde_json::from_str(r#"{"per_contract": 0.65}"#).unwrap();
        assert_eq!(fees, FeeModel { percent: 0.0, flat_per_order: 0.0, per_contract: 0.65 });
    }
}
