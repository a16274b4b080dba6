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

/// First-order sensitivities of a Black-Scholes price (no dividends): theta per
/// calendar day, vega, rho and epsilon per point (0.01) of volatility, rate and
/// dividend yield, lambda the elasticity `delta × S / price`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Greeks {
    pub delta: f64,
    pub theta: f64,
    pub vega: f64,
    pub rho: f64,
    pub epsilon: f64,
    pub lambda: f64,
}

fn norm_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

pub fn greeks(right: Right, s: f64, k: f64, years: f64, vol: f64) -> Greeks {
    let root_t = years.sqrt();
    let d1 = ((s / k).ln() + (RATE + 0.5 * vol * vol) * years) / (vol * root_t);
    let d2 = d1 - vol * root_t;
    let discount = (-RATE * years).exp();
    let decay = -s * norm_pdf(d1) * vol / (2.0 * root_t);
    let (delta, theta_year, rho, epsilon) = match right {
        Right::Call => (
            norm_cdf(d1),
            decay - RATE * k * discount * norm_cdf(d2),
            k * years * discount * norm_cdf(d2),
            -s * years * norm_cdf(d1),
        ),
        Right::Put => (
            norm_cdf(d1) - 1.0,
            decay + RATE * k * discount * norm_cdf(-d2),
            -k * years * discount * norm_cdf(-d2),
            s * years * norm_cdf(-d1),
        ),
    };
    let price = black_scholes(right, s, k, years, vol);
    Greeks {
        delta,
        theta: theta_year / 365.0,
        vega: s * norm_pdf(d1) * root_t / 100.0,
        rho: rho / 100.0,
        epsilon: epsilon / 100.0,
        lambda: if price > 0.0 { delta * s / price } else { 0.0 },
    }
}

/// The volatility at which Black-Scholes gives `price`, by bisection; `None`
/// when no volatility in 1%..500% does (a price at or below intrinsic value).
pub fn implied_vol(right: Right, s: f64, k: f64, years: f64, price: f64) -> Option<f64> {
    let (mut low, mut high) = (0.01, 5.0);
    let at = |vol| black_scholes(right, s, k, years, vol);
    if !(price.is_finite() && price > at(low) && price < at(high)) {
        return None;
    }
    for _ in 0..60 {
        let mid = 0.5 * (low + high);
        if at(mid) < price { low = mid } else { high = mid }
    }
    Some(0.5 * (low + high))
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
    fn greeks_match_textbook_values_and_the_price_they_come_from() {
        // S=K=100, T=1, r=4%, vol=20%: d1 = 0.3, call delta N(0.3) = 0.6179, vega 100 n(0.3) / 100 = 0.3814.
        let g = greeks(Right::Call, 100.0, 100.0, 1.0, 0.2);
        assert!((g.delta - 0.6179).abs() < 1e-3, "{g:?}");
        assert!((g.vega - 0.3814).abs() < 1e-3, "{g:?}");
        let put = greeks(Right::Put, 100.0, 100.0, 1.0, 0.2);
        assert!((g.delta - put.delta - 1.0).abs() < 1e-9, "call delta - put delta = 1");
        // Delta is the price's slope: a finite difference agrees.
        let h = 0.01;
        let slope = (black_scholes(Right::Call, 100.0 + h, 100.0, 1.0, 0.2)
            - black_scholes(Right::Call, 100.0 - h, 100.0, 1.0, 0.2))
            / (2.0 * h);
        assert!((slope - g.delta).abs() < 1e-4);
        let price = black_scholes(Right::Put, 90.0, 100.0, 0.25, 0.35);
        let iv = implied_vol(Right::Put, 90.0, 100.0, 0.25, price).unwrap();
        assert!((iv - 0.35).abs() < 1e-6, "{iv}");
        assert_eq!(implied_vol(Right::Call, 100.0, 50.0, 0.25, 10.0), None, "below intrinsic");
    }

    #[test]
    fn floors_at_intrinsic_and_skews_low_strikes_up() {
        assert!(black_scholes(Right::Put, 50.0, 100.0, 0.5, 0.1) >= 50.0);
        assert!(skewed_vol(0.3, 100.0, 70.0) > skewed_vol(0.3, 100.0, 100.0));
        assert!(skewed_vol(0.3, 100.0, 100.0) > skewed_vol(0.3, 100.0, 115.0));
    }
}
