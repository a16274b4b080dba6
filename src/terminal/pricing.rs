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

/// Black-Scholes' `d1` and `d2`.
fn d1_d2(s: f64, k: f64, years: f64, vol: f64) -> (f64, f64) {
    let root_t = years.sqrt();
    let d1 = ((s / k).ln() + (RATE + 0.5 * vol * vol) * years) / (vol * root_t);
    (d1, d1 - vol * root_t)
}

/// The Black-Scholes price, never below intrinsic value. `years` must be positive.
pub fn black_scholes(right: Right, s: f64, k: f64, years: f64, vol: f64) -> f64 {
    let (d1, d2) = d1_d2(s, k, years, vol);
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
    let (d1, d2) = d1_d2(s, k, years, vol);
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

/// The higher-order sensitivities of a Black-Scholes price (no dividends), as
/// plain partial derivatives: spot in dollars, volatility as a fraction, time in
/// years passing (so charm, veta and color are `∂/∂t = −∂/∂T`), strike in dollars
/// for the duals. Equal for a call and a put except `dual_delta`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HigherGreeks {
    /// `∂²V/∂S²`
    pub gamma: f64,
    /// `∂²V/∂S∂σ`
    pub vanna: f64,
    /// `∂Δ/∂t`
    pub charm: f64,
    /// `∂²V/∂σ²`
    pub vomma: f64,
    /// `∂vega/∂t`
    pub veta: f64,
    /// `∂²V/∂r∂σ`
    pub vera: f64,
    /// `∂³V/∂S³`
    pub speed: f64,
    /// `∂³V/∂S²∂σ`
    pub zomma: f64,
    /// `∂Γ/∂t`
    pub color: f64,
    /// `∂³V/∂σ³`
    pub ultima: f64,
    pub d1: f64,
    pub d2: f64,
    /// `∂V/∂K`
    pub dual_delta: f64,
    /// `∂²V/∂K²`
    pub dual_gamma: f64,
}

pub fn higher_greeks(right: Right, s: f64, k: f64, years: f64, vol: f64) -> HigherGreeks {
    let root_t = years.sqrt();
    let sigma_t = vol * root_t;
    let (d1, d2) = d1_d2(s, k, years, vol);
    let discount = (-RATE * years).exp();
    let (pdf1, pdf2) = (norm_pdf(d1), norm_pdf(d2));
    let gamma = pdf1 / (s * sigma_t);
    let vega = s * pdf1 * root_t;
    HigherGreeks {
        gamma,
        vanna: -pdf1 * d2 / vol,
        charm: -pdf1 * (2.0 * RATE * years - d2 * sigma_t) / (2.0 * years * sigma_t),
        vomma: vega * d1 * d2 / vol,
        veta: vega * (RATE * d1 / sigma_t - (1.0 + d1 * d2) / (2.0 * years)),
        vera: -k * years * discount * pdf2 * d1 / vol,
        speed: -gamma / s * (d1 / sigma_t + 1.0),
        zomma: gamma * (d1 * d2 - 1.0) / vol,
        color: pdf1 / (2.0 * s * years * sigma_t) * (1.0 + (2.0 * RATE * years - d2 * sigma_t) * d1 / sigma_t),
        ultima: -vega / (vol * vol) * (d1 * d2 * (1.0 - d1 * d2) + d1 * d1 + d2 * d2),
        d1,
        d2,
        dual_delta: match right {
            Right::Call => -discount * norm_cdf(d2),
            Right::Put => discount * norm_cdf(-d2),
        },
        dual_gamma: discount * pdf2 / (k * sigma_t),
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

    /// Each greek is the slope of the one below it (the first order of the
    /// price itself), by central differences of the model.
    #[test]
    fn higher_greeks_are_slopes_of_the_lower_ones() {
        for (right, s, k, t, v) in [
            (Right::Call, 100.0, 100.0, 0.5, 0.3),
            (Right::Put, 90.0, 100.0, 0.25, 0.45),
            (Right::Call, 221.87, 220.0, 4.0 / 365.0, 0.3334),
            (Right::Put, 130.0, 120.0, 30.0 / 365.0, 0.6),
        ] {
            let price = |s: f64, k: f64, t: f64, v: f64| black_scholes(right, s, k, t, v);
            // Per unit, not per point or per day: vega, rho and theta as plain derivatives.
            let first = |s, t, v| {
                let g = greeks(right, s, k, t, v);
                (g.delta, g.vega * 100.0, g.rho * 100.0)
            };
            let higher = |s, k, t, v| higher_greeks(right, s, k, t, v);
            let (g, h) = (greeks(right, s, k, t, v), higher(s, k, t, v));
            let slope = |f: &dyn Fn(f64) -> f64, x: f64, dx: f64| (f(x + dx) - f(x - dx)) / (2.0 * dx);
            let close = |name: &str, analytic: f64, numeric: f64| {
                let tolerance = 1e-3 * (1.0 + analytic.abs());
                assert!(
                    (analytic - numeric).abs() < tolerance,
                    "{right:?} S={s} K={k} T={t} σ={v}: {name} {analytic} vs {numeric}"
                );
            };
            let (ds, dv, dt, dk) = (s * 1e-4, 1e-4, t * 1e-3, k * 1e-4);
            close("delta", g.delta, slope(&|x| price(x, k, t, v), s, ds));
            close("vega", g.vega * 100.0, slope(&|x| price(s, k, t, x), v, dv));
            close("theta", g.theta * 365.0, -slope(&|x| price(s, k, x, v), t, dt));
            close("dual_delta", h.dual_delta, slope(&|x| price(s, x, t, v), k, dk));
            close("gamma", h.gamma, slope(&|x| first(x, t, v).0, s, ds));
            close("vanna", h.vanna, slope(&|x| first(s, t, x).0, v, dv));
            close("charm", h.charm, -slope(&|x| first(s, x, v).0, t, dt));
            close("vomma", h.vomma, slope(&|x| first(s, t, x).1, v, dv));
            close("veta", h.veta, -slope(&|x| first(s, x, v).1, t, dt));
            close("vera", h.vera, slope(&|x| first(s, t, x).2, v, dv));
            close("speed", h.speed, slope(&|x| higher(x, k, t, v).gamma, s, ds));
            close("zomma", h.zomma, slope(&|x| higher(s, k, t, x).gamma, v, dv));
            close("color", h.color, -slope(&|x| higher(s, k, x, v).gamma, t, dt));
            close("ultima", h.ultima, slope(&|x| higher(s, k, t, x).vomma, v, dv));
            close("dual_gamma", h.dual_gamma, slope(&|x| higher(s, x, t, v).dual_delta, k, dk));
            assert!((h.d1 - h.d2 - v * t.sqrt()).abs() < 1e-12);
        }
    }

    #[test]
    fn floors_at_intrinsic_and_skews_low_strikes_up() {
        assert!(black_scholes(Right::Put, 50.0, 100.0, 0.5, 0.1) >= 50.0);
        assert!(skewed_vol(0.3, 100.0, 70.0) > skewed_vol(0.3, 100.0, 100.0));
        assert!(skewed_vol(0.3, 100.0, 100.0) > skewed_vol(0.3, 100.0, 115.0));
    }
}
