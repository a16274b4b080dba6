//! The account behind the portfolio: whether an order can be paid for, and what
//! the positions require. Checked when an order is submitted (against a
//! reference price) and again when it fills (against the fill price), so cash
//! never goes below what the account allows.
//!
//! - A cash account pays for every buy in full, fees included, from cash minus
//!   what open buy orders have reserved. It never sells what it does not hold
//!   (no short stock, no written options). Sale proceeds are usable at once (no
//!   settlement delay is modelled).
//! - A margin account follows Reg T with configurable rates. Requirements are
//!   stated as fractions of market value the account must hold: long stock 50%
//!   initial / 25% maintenance; short stock 150% / 130%, which includes the
//!   sale's own proceeds, so against equity a short needs 50% / 30%. Long
//!   options are paid in full. A short option needs the CBOE naked minimum,
//!   `premium + max(20% × underlying − out-of-the-money amount, 10% × underlying
//!   (calls) or strike (puts))` per share; a call covered by 100 held shares per
//!   contract needs nothing beyond the shares, and a put never needs more than
//!   its strike (the cash that secures it).
//!   Buying power is equity − initial requirement − open orders' reservations.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::market::asset::OPTION_MULTIPLIER;
use crate::market::{Asset, Right};

/// Written and read as its command-line form (`cash`, `margin`,
/// `margin:long=50/25,short=150/130,grace=1`), in manifests and run files too.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(try_from = "String", into = "String")]
pub enum Account {
    #[default]
    Cash,
    Margin(MarginRates),
}

/// Reg T requirements as fractions of market value, and the grace of a call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarginRates {
    pub long_initial: f64,
    pub long_maintenance: f64,
    /// Of the short's value, its own proceeds included (Reg T's 150%).
    pub short_initial: f64,
    pub short_maintenance: f64,
    /// Sessions a margin call stands before positions are liquidated at the
    /// open: 1 liquidates at the next session's open.
    pub grace_sessions: u32,
}

impl Default for MarginRates {
    fn default() -> MarginRates {
        MarginRates {
            long_initial: 0.5,
            long_maintenance: 0.25,
            short_initial: 1.5,
            short_maintenance: 1.3,
            grace_sessions: 1,
        }
    }
}

/// Which set of rates a requirement is computed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// For new positions: what buying power is measured against.
    Initial,
    /// For standing positions: falling below it is a margin call.
    Maintenance,
}

/// One position as the requirement sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Holding {
    pub asset: Asset,
    pub quantity: i64,
    /// Per unit, without the multiplier.
    pub price: f64,
}

impl Account {
    pub fn name(&self) -> &'static str {
        match self {
            Account::Cash => "cash",
            Account::Margin(_) => "margin",
        }
    }

    pub fn is_margin(&self) -> bool {
        matches!(self, Account::Margin(_))
    }

    /// What `holdings` require at `phase` (0 for a cash account, which holds no
    /// loans); `underlying` prices the stock behind an option.
    pub fn requirement(
        &self,
        holdings: &[Holding],
        phase: Phase,
        underlying: &mut dyn FnMut(&Asset) -> Option<f64>,
    ) -> f64 {
        let Account::Margin(rates) = self else { return 0.0 };
        let (long, short) = match phase {
            Phase::Initial => (rates.long_initial, rates.short_initial),
            Phase::Maintenance => (rates.long_maintenance, rates.short_maintenance),
        };
        let mut total = 0.0;
        for h in holdings {
            let units = h.quantity.unsigned_abs() as f64;
            total += match h.asset {
                Asset::Stock(_) | Asset::Index(_) if h.quantity > 0 => long * units * h.price,
                Asset::Stock(_) | Asset::Index(_) => (short - 1.0).max(0.0) * units * h.price,
                Asset::Option(_) if h.quantity > 0 => units * h.price * OPTION_MULTIPLIER,
                Asset::Option(c) => {
                    let covered = match c.right {
                        Right::Call => covering_shares(holdings, &Asset::Stock(c.underlying)) / OPTION_MULTIPLIER,
                        Right::Put => 0.0,
                    };
                    let naked = (units - covered.floor()).max(0.0);
                    // Unpriced, the underlying is taken at the strike (at the money).
                    let stock = Asset::Stock(c.underlying);
                    let held = holdings.iter().find(|x| x.asset == stock).map(|x| x.price);
                    let spot = underlying(&stock).or(held).unwrap_or(c.strike.dollars());
                    naked * short_option_per_share(c.right, c.strike.dollars(), spot, h.price) * OPTION_MULTIPLIER
                }
            };
        }
        total
    }
}

/// Long shares of `stock` held.
fn covering_shares(holdings: &[Holding], stock: &Asset) -> f64 {
    holdings.iter().filter(|h| h.asset == *stock && h.quantity > 0).map(|h| h.quantity as f64).sum()
}

/// The CBOE minimum for one short option, per share: premium plus the larger of
/// 20% of the underlying less the out-of-the-money amount and 10% of the
/// underlying (calls) or of the strike (puts); a put is capped at its strike.
pub fn short_option_per_share(right: Right, strike: f64, spot: f64, premium: f64) -> f64 {
    match right {
        Right::Call => {
            let out_of_the_money = (strike - spot).max(0.0);
            premium + (0.2 * spot - out_of_the_money).max(0.1 * spot)
        }
        Right::Put => {
            let out_of_the_money = (spot - strike).max(0.0);
            (premium + (0.2 * spot - out_of_the_money).max(0.1 * strike)).min(strike)
        }
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Account::Cash => f.write_str("cash"),
            Account::Margin(r) if *r == MarginRates::default() => f.write_str("margin"),
            Account::Margin(r) => write!(
                f,
                "margin:long={}/{},short={}/{},grace={}",
                percent(r.long_initial),
                percent(r.long_maintenance),
                percent(r.short_initial),
                percent(r.short_maintenance),
                r.grace_sessions
            ),
        }
    }
}

fn percent(fraction: f64) -> String {
    format!("{}", (fraction * 1e4).round() / 1e2)
}

/// Why an account spec was refused; each names the bad part.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("bad account {spec:?}: {why} (use cash, margin, or margin:long=50/25,short=150/130,grace=1)")]
pub struct AccountParseError {
    spec: String,
    why: String,
}

impl std::str::FromStr for Account {
    type Err = AccountParseError;

    /// `cash`, `margin`, or `margin:` with any of `long=I/M`, `short=I/M` (percent)
    /// and `grace=N` (sessions).
    fn from_str(spec: &str) -> Result<Account, AccountParseError> {
        let bad = |why: String| AccountParseError { spec: spec.to_string(), why };
        let (kind, rest) = spec.split_once(':').unwrap_or((spec, ""));
        match kind {
            "cash" if rest.is_empty() => return Ok(Account::Cash),
            "cash" => return Err(bad("a cash account takes no rates".into())),
            "margin" => {}
            other => return Err(bad(format!("unknown account type {other:?}"))),
        }
        let mut rates = MarginRates::default();
        for entry in rest.split(',').filter(|e| !e.is_empty()) {
            let (key, value) = entry.split_once('=').ok_or_else(|| bad(format!("{entry:?} is not key=value")))?;
            let pair = || -> Result<(f64, f64), AccountParseError> {
                let (i, m) = value.split_once('/').ok_or_else(|| bad(format!("{key} takes INITIAL/MAINTENANCE")))?;
                let number = |s: &str| {
                    s.parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite() && *v > 0.0)
                        .map(|v| v / 100.0)
                        .ok_or_else(|| bad(format!("{s:?} is not a positive percentage")))
                };
                let (initial, maintenance) = (number(i)?, number(m)?);
                if maintenance > initial {
                    return Err(bad(format!("{key}: maintenance {m}% above initial {i}%")));
                }
                Ok((initial, maintenance))
            };
            match key {
                "long" => (rates.long_initial, rates.long_maintenance) = pair()?,
                "short" => (rates.short_initial, rates.short_maintenance) = pair()?,
                "grace" => rates.grace_sessions = value.parse().map_err(|_| bad(format!("grace {value:?}")))?,
                other => return Err(bad(format!("unknown rate {other:?}"))),
            }
        }
        Ok(Account::Margin(rates))
    }
}

impl TryFrom<String> for Account {
    type Error = AccountParseError;

    fn try_from(spec: String) -> Result<Account, AccountParseError> {
        spec.parse()
    }
}

impl From<Account> for String {
    fn from(account: Account) -> String {
        account.to_string()
    }
}

/// Dollars as a person reads them: `5,412.30`, `-41,212.00`.
pub fn money(value: f64) -> String {
    let cents = format!("{:.2}", value.abs());
    let (whole, fraction) = cents.split_once('.').unwrap_or((&cents, "00"));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let negative = value < 0.0 && cents != "0.00";
    format!("{}{grouped}.{fraction}", if negative { "-" } else { "" })
}

#[cfg(test)]
#[path = "account_tests.rs"]
mod tests;
