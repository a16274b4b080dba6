//! Black-Scholes with a volatility skew: the model behind synthetic option prices.

use crate::market::Right;

/// Risk-free rate used for every contract.
pub const RATE: f64 = 0.04;

/// Complementary error function (Numerical Recipes' Chebyshev fit, error < 1.2e-7):
/// plenty for prices rounded to cents, and no dependency.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Implied volatility for strike `k` with the underlying at `s`: higher for low
/// strikes (the equity skew), a little higher again far out of the money.
pub fn skewed_vol(base_vol: f64, s: f64, k: f64) -> f64 {
    let m = (k / s).ln();
    (base_vol * (1.0 - 0.8 * m + 1.5 * m * m)).clamp(0.5 * base_vol, 3.0 * base_vol).max(0.05)
}

/// The Black-Scholes price, never below intrinsic value. `years` must be positive.
pub fn black_scholes(right: Right, s: f64, k: f64, years: f64, vol: f64) -> f64 {
    let root_t = years.sqrt();
    let d1 = ((s / k).ln() + (RATE + 0.5 * vol * vol) * years) / (vol * root_t);
    let d2 = d1 - vol * root_t;
    let discount = (-RATE * years).exp();
    let price = match right {
        Right::Call => s * norm_cdf(d1) - k * discount * norm_cdf(d2),
        Right::Put => k * discount * norm_cdf(-d2) - s * norm_cdf(-d1),
    };
    price.max(right.intrinsic(k, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_textbook_values_and_parity() {
        // S=100, K=100, T=1, r=4%, vol=20%: call 9.925, put 6.004 (put-call parity).
        let call = black_scholes(Right::Call, 100.0, 100.0, 1.0, 0.2);
        let put = black_scholes(Right::Put, 100.0, 100.0, 1.0, 0.2);
        assert!((call - 9.925).abs() < 0.002, "call {call}");
        assert!((call - put - (100.0 - 100.0 * (-RATE).exp())).abs() < 1e-6);
        assert!((norm_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((norm_cdf(1.96) - 0.975).abs() < 1e-4);
    }

    #[test]
    fn floors_at_intrinsic_and_skews_low_strikes_up() {
        assert!(black_scholes(Right::Put, 50.0, 100.0, 0.5, 0.1) >= 50.0);
        assert!(skewed_vol(0.3, 100.0, 70.0) > skewed_vol(0.3, 100.0, 100.0));
        assert!(skewed_vol(0.3, 100.0, 100.0) > skewed_vol(0.3, 100.0, 115.0));
    }
}
