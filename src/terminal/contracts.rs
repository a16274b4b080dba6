//! Which contracts an option request names on a day, and `list/contracts`.
//!
//! A request names one expiration or every one listed that day (`expiration=*`),
//! one strike or the whole grid (`strike=*`, the default), one right or both
//! (`both`, the default); `max_dte` keeps expirations at most that many days
//! away and `strike_range=n` the `n` strikes below the spot, the `n` above and
//! one at it.

use chrono::{DateTime, NaiveDate, Utc};

use super::days::{NoData, Underlying, minutes_available, session_path, underlying};
use super::options::{Contract, LISTED_DAYS, expirations, first_trade_minute, is_listed_on, listing_date, strike_grid};
use super::request::{ContractFilter, SecurityKind};
use super::rows::CONTRACT;
use super::table::{Format, Table};
use super::universe::{Kind, UNIVERSE};
use crate::market::Right;

impl ContractFilter {
    /// `start..=end` narrowed to the days a named expiration's contracts trade.
    pub fn trading_days(&self, start: NaiveDate, end: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self.expiration {
            Some(e) => (start.max(listing_date(e)), end.min(e)),
            None => (start, end),
        }
    }

    /// The named contracts listed on `date` with the underlying at `spot`, by
    /// expiration, then strike, calls before puts.
    pub fn select(&self, u: &Underlying, date: NaiveDate, spot: f64) -> Vec<Contract> {
        let named;
        let listed: &[NaiveDate] = match self.expiration {
            Some(e) => {
                named = [e];
                if is_listed_on(e, date) { &named } else { &[] }
            }
            None => listed_on(date),
        };
        let in_reach = |e: &&NaiveDate| self.max_dte.is_none_or(|days| (**e - date).num_days() <= i64::from(days));
        let rights: &[Right] = match &self.right {
            Some(right) => std::slice::from_ref(right),
            None => &[Right::Call, Right::Put],
        };
        let mut out = Vec::new();
        for expiration in listed.iter().filter(in_reach) {
            let Some(grid) = strike_grid(u.path, *expiration) else { continue };
            let strikes = match self.strike_millis {
                Some(k) if grid.binary_search(&k).is_ok() => vec![k],
                Some(_) => continue,
                None => match self.strike_range {
                    Some(n) => near(&grid, spot, n as usize),
                    None => grid,
                },
            };
            for strike_millis in strikes {
                out.extend(rights.iter().map(|right| Contract {
                    expiration: *expiration,
                    strike_millis,
                    right: *right,
                }));
            }
        }
        out
    }
}

/// The expirations whose contracts trade on `date`, soonest first.
fn listed_on(date: NaiveDate) -> &'static [NaiveDate] {
    let all = expirations();
    let from = all.partition_point(|e| *e < date);
    let to = all.partition_point(|e| *e <= date + chrono::Duration::days(LISTED_DAYS));
    &all[from..to.max(from)]
}

/// The `n` strikes of `grid` below `spot`, one at it if there is one, and the `n` above.
fn near(grid: &[u32], spot: f64, n: usize) -> Vec<u32> {
    let spot_millis = (spot * 1000.0).round() as u32;
    let below = grid.partition_point(|k| *k < spot_millis);
    let above = grid.partition_point(|k| *k <= spot_millis);
    grid[below.saturating_sub(n)..(above + n).min(grid.len())].to_vec()
}

/// `list/contracts/{request_type}`: every contract quoted on `date` (all that
/// are listed), or only those that traded, of `symbols` (every optionable one
/// when none is named).
pub fn list(
    symbols: Option<&[String]>,
    date: NaiveDate,
    max_dte: Option<u32>,
    traded: bool,
    format: Format,
    now: DateTime<Utc>,
) -> Result<Table, NoData> {
    let available = minutes_available(date, now)?;
    let named: Vec<Underlying> = match symbols {
        Some(symbols) => symbols.iter().filter_map(|s| underlying(s, SecurityKind::Option).ok()).collect(),
        None => UNIVERSE
            .iter()
            .filter(|p| p.kind == Kind::Stock)
            .filter_map(|p| underlying(p.symbol, SecurityKind::Option).ok())
            .collect(),
    };
    let filter = ContractFilter { max_dte, ..ContractFilter::default() };
    let mut table = Table::new(format, &[CONTRACT], 1024);
    for u in &named {
        let (Some(day), Ok(path)) = (u.path.day(date), session_path(u, date)) else { continue };
        for contract in filter.select(u, date, day.open) {
            if traded && first_trade_minute(u.profile, &contract, date, &path).is_none_or(|k| k >= available) {
                continue;
            }
            table.row(&super::rows::contract_cells(u.profile, &contract));
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_filter_names_listed_contracts_only() {
        let u = underlying("PLTR", SecurityKind::Option).unwrap();
        let date = d("2025-03-10");
        let spot = u.path.day(date).unwrap().open;
        let every = ContractFilter::default().select(&u, date, spot);
        assert!(every.iter().all(|c| is_listed_on(c.expiration, date)));
        let expirations: Vec<NaiveDate> = {
            let mut e: Vec<NaiveDate> = every.iter().map(|c| c.expiration).collect();
            e.dedup();
            e
        };
        assert_eq!(expirations, listed_on(date), "every listed expiration, in order");
        assert!(expirations.len() >= 12 && expirations[0] >= date);
        let soon = ContractFilter { max_dte: Some(7), ..ContractFilter::default() }.select(&u, date, spot);
        assert!(soon.iter().all(|c| (c.expiration - date).num_days() <= 7) && !soon.is_empty());
        let one_expiration = ContractFilter { expiration: Some(d("2025-03-21")), ..ContractFilter::default() };
        let chain = one_expiration.select(&u, date, spot);
        assert_eq!(chain.len(), strike_grid(u.path, d("2025-03-21")).unwrap().len() * 2);
        assert_eq!((chain[0].right, chain[1].right), (Right::Call, Right::Put));
        let ranged = ContractFilter { strike_range: Some(3), right: Some(Right::Put), ..one_expiration };
        let strikes: Vec<f64> = ranged.select(&u, date, spot).iter().map(|c| c.strike()).collect();
        assert!(strikes.len() == 6 || strikes.len() == 7, "{strikes:?}");
        assert_eq!(strikes.iter().filter(|k| **k < spot).count(), 3, "{strikes:?} around {spot}");
        let unlisted = ContractFilter { expiration: Some(d("2025-03-21")), ..ContractFilter::default() };
        assert!(unlisted.select(&u, d("2025-03-24"), spot).is_empty(), "expired");
    }

    #[test]
    fn traded_contracts_are_the_ones_with_trades() {
        let now = DateTime::parse_from_rfc3339("2026-01-15T12:00:00Z").unwrap().with_timezone(&Utc);
        let date = d("2025-03-10");
        let symbols = ["PLTR".to_string()];
        let rows = |traded| {
            let table = list(Some(&symbols), date, Some(14), traded, Format::Csv, now).unwrap().finish();
            String::from_utf8(table.bytes).unwrap().lines().skip(1).map(String::from).collect::<Vec<_>>()
        };
        let (quoted, traded) = (rows(false), rows(true));
        assert!(traded.len() < quoted.len() && !traded.is_empty(), "{} of {}", traded.len(), quoted.len());
        assert!(traded.iter().all(|row| quoted.contains(row)));
    }
}
