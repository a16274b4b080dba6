//! The weekly momentum options strategy of the Python reference: every Thursday,
//! rank ten stocks by momentum and buy a call on the best-ranked stock it holds
//! no option on and that lists a fitting contract, 14 to 28 days out, struck at
//! the money, with 7% of cash; exit at +100%, −50% or after 7 days.
//!
//! Deviations from the reference, each deliberate:
//! - Daily bars are visible only after their session's close, so Thursday's
//!   ranking at the open ends with Wednesday's bar (the reference saw Thursday's).
//! - Momentum spans the last 63 daily bars (trading days); the reference asked
//!   for 63 rows of calendar days, about 43 sessions.
//! - The "already holding" check looks at option positions on the underlying;
//!   the reference looked for a stock position and so never fired.
//! - Fees fall on the true notional, ×100 for options (the run's fee model).
//! - An entry whose limit order does not fill expires at the close with its
//!   reason; no entry price is recorded for it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::params::{ParamError, Params};
use crate::engine::{Context, OrderKind, RunEvent, Side, Sleep, Strategy, StrategyError, TimeInForce};
use crate::market::time::et_date;
use crate::market::{Asset, OptionContract, Right, Strike, Symbol, Timestep};

pub const DEFAULT_SYMBOLS: [&str; 10] = ["HOOD", "VST", "STX", "WDC", "PLTR", "APP", "NRG", "CCJ", "CVNA", "HIMS"];

/// How many strikes around the money are tried before giving up on a symbol.
const STRIKE_CANDIDATES: usize = 5;

#[derive(Debug, Clone, Copy)]
struct Entry {
    price: f64,
    date: NaiveDate,
}

pub struct WeeklyMomentum {
    symbols: Vec<Symbol>,
    allocation: f64,
    min_days_to_expiry: i64,
    max_days_to_expiry: i64,
    take_profit: f64,
    stop_loss: f64,
    hold_days: i64,
    momentum_bars: usize,
    max_simultaneous: usize,
    last_traded_week: Option<(i32, u32)>,
    entries: BTreeMap<Asset, Entry>,
    exiting: BTreeSet<Asset>,
}

impl WeeklyMomentum {
    pub const NAME: &'static str = "weekly-momentum";

    pub fn new(params: &mut Params) -> Result<WeeklyMomentum, ParamError> {
        let s = WeeklyMomentum {
            symbols: params.symbols("symbols", &DEFAULT_SYMBOLS)?,
            allocation: params.get("allocation_pct", 0.07, "a fraction such as 0.07")?,
            min_days_to_expiry: params.get("min_days_to_expiry", 14, "whole days")?,
            max_days_to_expiry: params.get("max_days_to_expiry", 28, "whole days")?,
            take_profit: params.get("take_profit_pct", 1.0, "a fraction such as 1.0 for +100%")?,
            stop_loss: params.get("stop_loss_pct", -0.5, "a negative fraction such as -0.5")?,
            hold_days: params.get("hold_days", 7, "whole days")?,
            momentum_bars: params.get("momentum_days", 63, "a whole number of sessions")?,
            max_simultaneous: params.get("max_simultaneous", 1, "a whole number of positions")?,
            last_traded_week: None,
            entries: BTreeMap::new(),
            exiting: BTreeSet::new(),
        };
        params.check("allocation_pct", s.allocation > 0.0 && s.allocation <= 1.0, "must be in (0, 1]")?;
        params.check("min_days_to_expiry", s.min_days_to_expiry >= 0, "must not be negative")?;
        params.check(
            "max_days_to_expiry",
            s.max_days_to_expiry >= s.min_days_to_expiry,
            "must be ≥ min_days_to_expiry",
        )?;
        params.check("take_profit_pct", s.take_profit > 0.0, "must be positive")?;
        params.check("stop_loss_pct", s.stop_loss < 0.0 && s.stop_loss > -1.0, "must be in (-1, 0)")?;
        params.check("hold_days", s.hold_days >= 1, "must be at least 1")?;
        params.check("momentum_days", s.momentum_bars >= 2, "must be at least 2")?;
        params.check("max_simultaneous", s.max_simultaneous >= 1, "must be at least 1")?;
        Ok(s)
    }

    /// Symbols by momentum over the last `momentum_bars` daily bars, best first.
    fn rank(&self, ctx: &mut Context<'_>) -> Result<Vec<(Symbol, f64)>, StrategyError> {
        let mut scores = Vec::new();
        for &symbol in &self.symbols {
            let history = ctx.data().history(&Asset::Stock(symbol), self.momentum_bars, Timestep::Day)?;
            let (Some(first), Some(last)) = (history.first(), history.last()) else { continue };
            if history.len() < 2 || first.close <= 0.0 {
                continue;
            }
            scores.push((symbol, (last.close - first.close) / first.close));
        }
        scores.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(scores)
    }

    /// The price an option is worth now: the quote mid, else its last trade.
    fn option_price(ctx: &mut Context<'_>, asset: &Asset) -> Result<Option<f64>, StrategyError> {
        if let Some(mid) = ctx.data().quote(asset)?.and_then(|q| q.mid()) {
            return Ok(Some(mid));
        }
        Ok(ctx.data().last_price(asset)?)
    }

    fn holds_underlying(&self, symbol: Symbol) -> bool {
        self.entries.keys().any(|a| a.symbol() == symbol)
    }

    /// Submits the entry for `symbol`; `false` when no contract fits.
    fn try_buy(&mut self, ctx: &mut Context<'_>, symbol: Symbol, today: NaiveDate) -> Result<bool, StrategyError> {
        let earliest = today + Duration::days(self.min_days_to_expiry);
        let latest = today + Duration::days(self.max_days_to_expiry);
        let Some(expiration) = ctx.data().expirations(&symbol)?.into_iter().find(|e| *e >= earliest && *e <= latest)
        else {
            return Ok(false);
        };
        let Some(spot) = ctx.data().last_price(&Asset::Stock(symbol))? else { return Ok(false) };
        let target = spot.round();
        let mut strikes: Vec<Strike> = ctx.data().strikes(&symbol, expiration)?;
        strikes.sort_by(|a, b| (a.dollars() - target).abs().total_cmp(&(b.dollars() - target).abs()).then(a.cmp(b)));
        for strike in strikes.into_iter().take(STRIKE_CANDIDATES) {
            let contract = Asset::Option(OptionContract { underlying: symbol, expiration, strike, right: Right::Call });
            let Some(mid) = Self::option_price(ctx, &contract)? else { continue };
            let limit = (mid * 100.0).round() / 100.0;
            let contracts = (ctx.portfolio().cash() * self.allocation / (limit * 100.0)).floor();
            if limit <= 0.0 || contracts < 1.0 {
                continue;
            }
            let kind = OrderKind::Limit { limit };
            // Refused by the account (recorded in the run): no entry this week.
            return Ok(ctx
                .submit_unless_refused(contract, Side::Buy, contracts as u64, kind, TimeInForce::Day, "entry")?
                .is_some());
        }
        Ok(false)
    }

    fn manage_exits(&mut self, ctx: &mut Context<'_>, today: NaiveDate) -> Result<(), StrategyError> {
        let entries: Vec<(Asset, Entry)> = self.entries.iter().map(|(a, e)| (*a, *e)).collect();
        for (asset, entry) in entries {
            let held = ctx.portfolio().position(&asset).map_or(0, |p| p.quantity);
            if held <= 0 || self.exiting.contains(&asset) {
                continue;
            }
            let held_days = (today - entry.date).num_days();
            let pnl = Self::option_price(ctx, &asset)?.map(|price| (price - entry.price) / entry.price);
            let reason = match pnl {
                Some(p) if p >= self.take_profit => "exit: take profit",
                Some(p) if p <= self.stop_loss => "exit: stop loss",
                _ if held_days >= self.hold_days => "exit: held long enough",
                _ => continue,
            };
            if ctx
                .submit_unless_refused(asset, Side::Sell, held as u64, OrderKind::Market, TimeInForce::Day, reason)?
                .is_some()
            {
                self.exiting.insert(asset);
            }
        }
        Ok(())
    }
}

impl Strategy for WeeklyMomentum {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn sleep(&self) -> Sleep {
        Sleep::DailyAtOpen
    }

    fn iterate(&mut self, ctx: &mut Context<'_>) -> Result<(), StrategyError> {
        let today = et_date(ctx.now());
        self.manage_exits(ctx, today)?;
        let week = (today.iso_week().year(), today.iso_week().week());
        if today.weekday() != Weekday::Thu || self.last_traded_week == Some(week) {
            return Ok(());
        }
        let open = self.entries.len() - self.exiting.len();
        let entering = ctx.open_orders().iter().any(|o| o.tag == "entry");
        if open < self.max_simultaneous && !entering {
            for (symbol, _) in self.rank(ctx)? {
                if !self.holds_underlying(symbol) && self.try_buy(ctx, symbol, today)? {
                    break;
                }
            }
        }
        self.last_traded_week = Some(week);
        Ok(())
    }

    fn on_event(&mut self, event: &RunEvent) {
        match event {
            RunEvent::Filled { asset, side: Side::Buy, price, time, tag, .. } if tag == "entry" => {
                self.entries.insert(*asset, Entry { price: *price, date: et_date(*time) });
            }
            RunEvent::Filled { asset, side: Side::Sell, .. } | RunEvent::Settled { asset, .. } => {
                self.entries.remove(asset);
                self.exiting.remove(asset);
            }
            // An exit that did not fill is tried again next session.
            RunEvent::Expired { asset, .. } | RunEvent::Cancelled { asset, .. } => {
                self.exiting.remove(asset);
            }
            _ => {}
        }
    }
}
