//! Option greeks answers, from the Black-Scholes model that prices the quotes
//! (`pricing.rs`): at each interval's quote (`greeks/*`), at each trade
//! (`trade_greeks/*`) and at each end-of-day report (`greeks/eod`). The implied
//! volatility inverts the price the row is about (the quote's mid, the trade's
//! price, the closing quote's mid); the greeks are taken at it, or at the
//! model's own volatility when no volatility prices it (then the implied
//! volatility reads 0 with an `iv_error` of 1).

use std::cell::OnceCell;

use chrono::{DateTime, Utc};

use super::days::{
    Day, NoData, OPEN_MINUTE, REPORT_MINUTE, Underlying, minutes_available, report_published, session_path, underlying,
};
use super::options::{Contract, ExpiryClock, closing_option_quote};
use super::pricing::{self, Greeks, HigherGreeks, implied_vol};
use super::request::{EodQuery, GreeksKind, GreeksQuery, Sampling, SecurityKind};
use super::resample;
use super::rows::{CONTRACT, QUOTE, TRADE, bar_cells, contract_cells, quote_cells, trade_cells};
use super::table::{Cell, Format, Table};
use crate::market::Right;

const FIRST_ORDER: &[&str] = &["delta", "theta", "vega", "rho", "epsilon", "lambda"];
const SECOND_ORDER: &[&str] = &["gamma", "vanna", "charm", "vomma", "veta"];
const THIRD_ORDER: &[&str] = &["speed", "zomma", "color", "ultima"];
const ALL: &[&str] = &[
    "delta",
    "theta",
    "vega",
    "rho",
    "epsilon",
    "lambda",
    "gamma",
    "vanna",
    "charm",
    "vomma",
    "veta",
    "vera",
    "speed",
    "zomma",
    "color",
    "ultima",
    "d1",
    "d2",
    "dual_delta",
    "dual_gamma",
];
/// What every greeks row ends with.
const TAIL: &[&str] = &["implied_vol", "iv_error", "underlying_timestamp", "underlying_price"];
/// `greeks/implied_volatility`: the volatilities of the bid, the mid and the ask.
const IMPLIED_VOLATILITY: &[&str] = &[
    "timestamp",
    "bid",
    "bid_implied_vol",
    "midpoint",
    "implied_vol",
    "ask",
    "ask_implied_vol",
    "iv_error",
    "underlying_timestamp",
    "underlying_price",
];
const INTERVAL_QUOTE: &[&str] = &["timestamp", "bid", "ask"];
const EOD_BAR: &[&str] = &["timestamp", "open", "high", "low", "close", "volume", "count"];

impl GreeksKind {
    /// The greeks' columns of this kind (none for the implied volatility alone).
    fn columns(self) -> &'static [&'static str] {
        match self {
            GreeksKind::FirstOrder => FIRST_ORDER,
            GreeksKind::SecondOrder => SECOND_ORDER,
            GreeksKind::ThirdOrder => THIRD_ORDER,
            GreeksKind::All => ALL,
            GreeksKind::ImpliedVolatility => &[],
        }
    }
}

/// A value with four decimals.
fn four(x: f64) -> Cell<'static> {
    Cell::Fixed((x * 10_000.0).round() as i64, 4)
}

/// The model's reading of one option price: its implied volatility, and the
/// greeks at the volatility they are taken at, each order worked out when a
/// column first asks for it.
struct Reading {
    iv: f64,
    iv_error: f64,
    /// The contract's right, the spot, the strike, the years to expiry and the volatility.
    at: (Right, f64, f64, f64, f64),
    first: OnceCell<Greeks>,
    higher: OnceCell<HigherGreeks>,
}

impl Reading {
    fn of(u: &Underlying, contract: &Contract, spot: f64, years: f64, price: f64) -> Reading {
        let strike = contract.strike();
        // A price no volatility gives (at intrinsic value) reports 0 with an error of 1.
        let (iv, iv_error) = match implied_vol(contract.right, spot, strike, years, price) {
            Some(iv) => (iv, (pricing::black_scholes(contract.right, spot, strike, years, iv) - price) / price),
            None => (0.0, 1.0),
        };
        let vol = if iv > 0.0 { iv } else { pricing::skewed_vol(u.profile.annual_vol, spot, strike) };
        Reading {
            iv,
            iv_error,
            at: (contract.right, spot, strike, years, vol),
            first: OnceCell::new(),
            higher: OnceCell::new(),
        }
    }

    /// The greek a column names.
    fn greek(&self, name: &str) -> Option<f64> {
        let (right, s, k, years, vol) = self.at;
        let f = || self.first.get_or_init(|| pricing::greeks(right, s, k, years, vol));
        let h = || self.higher.get_or_init(|| pricing::higher_greeks(right, s, k, years, vol));
        Some(match name {
            "delta" => f().delta,
            "theta" => f().theta,
            "vega" => f().vega,
            "rho" => f().rho,
            "epsilon" => f().epsilon,
            "lambda" => f().lambda,
            "gamma" => h().gamma,
            "vanna" => h().vanna,
            "charm" => h().charm,
            "vomma" => h().vomma,
            "veta" => h().veta,
            "vera" => h().vera,
            "speed" => h().speed,
            "zomma" => h().zomma,
            "color" => h().color,
            "ultima" => h().ultima,
            "d1" => h().d1,
            "d2" => h().d2,
            "dual_delta" => h().dual_delta,
            "dual_gamma" => h().dual_gamma,
            _ => return None,
        })
    }

    /// The cells of `columns`, then the tail: implied volatility, its error and the underlying.
    fn cells(&self, columns: &[&str], underlying: [Cell<'static>; 2]) -> Vec<Cell<'static>> {
        let greeks = columns.iter().map(|name| four(self.greek(name).unwrap_or_default()));
        greeks.chain([four(self.iv), four(self.iv_error)]).chain(underlying).collect()
    }
}

/// `greeks/*` and `trade_greeks/*`: each named contract of each session.
pub fn answer(q: &GreeksQuery, format: Format, now: DateTime<Utc>) -> Result<Table, NoData> {
    let u = underlying(&q.symbol, SecurityKind::Option)?;
    let groups: Vec<&[&str]> = match (q.sampling, q.kind) {
        (Sampling::Interval(_), GreeksKind::ImpliedVolatility) => vec![CONTRACT, IMPLIED_VOLATILITY],
        (Sampling::Interval(_), kind) => vec![CONTRACT, INTERVAL_QUOTE, kind.columns(), TAIL],
        (Sampling::Trades, kind) => vec![CONTRACT, TRADE, kind.columns(), TAIL],
    };
    let mut table = Table::new(format, &groups, 1024);
    for date in q.start.iter_days().take_while(|d| *d <= q.end) {
        let (Ok(_), Ok(path), Some(prices)) = (minutes_available(date, now), session_path(&u, date), u.path.day(date))
        else {
            continue;
        };
        for contract in q.contracts.select(&u, date, prices.open) {
            let day = Day::contract(&u, &contract, date, &path, now);
            let clock = ExpiryClock::new(date, contract.expiration);
            let at = At { u: &u, q, contract: &contract, day: &day, path: &path, clock };
            match q.sampling {
                Sampling::Interval(minutes) => at.intervals(usize::from(minutes), &mut table),
                Sampling::Trades => at.trades(&mut table),
            }
        }
    }
    Ok(table)
}

/// One contract's session, for its rows.
struct At<'a> {
    u: &'a Underlying,
    q: &'a GreeksQuery,
    contract: &'a Contract,
    day: &'a Day,
    path: &'a [f64],
    clock: ExpiryClock,
}

impl At<'_> {
    fn wanted(&self, ms: u32) -> bool {
        (self.q.start_ms..=self.q.end_ms).contains(&ms)
    }

    /// The underlying at minute `k` of the session: its stamp and price.
    fn underlying(&self, k: usize) -> [Cell<'static>; 2] {
        [Cell::Stamp(self.day.date, OPEN_MINUTE + k as u32), four(self.path[k])]
    }

    fn reading(&self, k: usize, price: f64) -> Reading {
        Reading::of(self.u, self.contract, self.path[k], self.clock.years(k), price)
    }

    /// A row at each interval's quote.
    fn intervals(&self, interval: usize, table: &mut Table) {
        let prefix = contract_cells(self.u.profile, self.contract);
        let Some(session) = self.day.stretches.first() else { return };
        let quotes = resample::quotes(&session.quotes, interval);
        for quote in quotes.iter().filter(|x| self.wanted((OPEN_MINUTE + u32::from(x.minute)) * 60_000)) {
            let k = usize::from(quote.minute);
            let (bid, ask) = (quote.bid as f64 / 100.0, quote.ask as f64 / 100.0);
            let mid = (bid + ask) / 2.0;
            let reading = self.reading(k, mid);
            let stamp = Cell::Stamp(self.day.date, OPEN_MINUTE + u32::from(quote.minute));
            let values: Vec<Cell> = match self.q.kind {
                GreeksKind::ImpliedVolatility => {
                    let years = self.clock.years(k);
                    let iv_of = |price| {
                        implied_vol(self.contract.right, self.path[k], self.contract.strike(), years, price)
                            .unwrap_or(0.0)
                    };
                    [
                        stamp,
                        Cell::Fixed(quote.bid, 2),
                        four(iv_of(bid)),
                        four(mid),
                        four(reading.iv),
                        Cell::Fixed(quote.ask, 2),
                        four(iv_of(ask)),
                        four(reading.iv_error),
                    ]
                    .into_iter()
                    .chain(self.underlying(k))
                    .collect()
                }
                kind => [stamp, Cell::Fixed(quote.bid, 2), Cell::Fixed(quote.ask, 2)]
                    .into_iter()
                    .chain(reading.cells(kind.columns(), self.underlying(k)))
                    .collect(),
            };
            table.row(&[prefix.as_slice(), values.as_slice()].concat());
        }
    }

    /// A row at each trade.
    fn trades(&self, table: &mut Table) {
        let prefix = contract_cells(self.u.profile, self.contract);
        let Some(session) = self.day.stretches.first() else { return };
        for k in (0..session.bars.len()).filter(|k| session.bars[*k].count > 0) {
            for trade in self.day.trades(session, k).iter().filter(|t| self.wanted(t.ms)) {
                let reading = self.reading(k, trade.price as f64 / 100.0);
                let values = reading.cells(self.q.kind.columns(), self.underlying(k));
                table.row(&[prefix.as_slice(), &trade_cells(self.day.date, trade), values.as_slice()].concat());
            }
        }
    }
}

/// `greeks/eod`: each named contract's end-of-day report with the greeks of its
/// closing quote's mid, the underlying at its close.
pub fn eod(q: &EodQuery, format: Format, now: DateTime<Utc>) -> Result<Table, NoData> {
    let u = underlying(&q.symbol, SecurityKind::Option)?;
    let filter = q.contracts.unwrap_or_default();
    let (start, end) = filter.trading_days(q.start, q.end);
    let mut table = Table::new(format, &[CONTRACT, EOD_BAR, QUOTE, ALL, TAIL], 64);
    for day in u.path.between(start, end).iter().filter(|d| report_published(d.date, now)) {
        let Ok(path) = session_path(&u, day.date) else { continue };
        let close = OPEN_MINUTE + (path.len() - 1) as u32;
        for contract in filter.select(&u, day.date, day.close) {
            let session = Day::contract(&u, &contract, day.date, &path, now);
            let summary = session.stretches.first().map(|s| resample::merge(&s.bars)).unwrap_or_default();
            let quote = closing_option_quote(u.profile, &contract, day.date, day.close);
            let mid = (quote.bid + quote.ask) as f64 / 200.0;
            let years = ExpiryClock::new(day.date, contract.expiration).closing_years();
            let reading = Reading::of(&u, &contract, day.close, years, mid);
            let underlying = [Cell::Stamp(day.date, REPORT_MINUTE), four(day.close)];
            let values = reading.cells(ALL, underlying);
            let bar = bar_cells(&summary);
            let stamp = [Cell::Stamp(day.date, close)];
            table.row(
                &[&contract_cells(u.profile, &contract)[..], &stamp, &bar[..6], &quote_cells(&quote), &values].concat(),
            );
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::options::Contract;

    #[test]
    fn every_greeks_column_names_a_greek() {
        let u = underlying("PLTR", SecurityKind::Option).unwrap();
        let expiration = chrono::NaiveDate::from_ymd_opt(2025, 3, 21).unwrap();
        let contract = Contract { expiration, strike_millis: 90_000, right: Right::Put };
        let reading = Reading::of(&u, &contract, 88.0, 0.05, 4.2);
        for kind in [GreeksKind::FirstOrder, GreeksKind::SecondOrder, GreeksKind::ThirdOrder, GreeksKind::All] {
            for name in kind.columns() {
                assert!(reading.greek(name).is_some_and(f64::is_finite), "{name}");
            }
        }
        assert!(reading.iv > 0.0 && reading.iv_error.abs() < 1e-6);
    }
}
