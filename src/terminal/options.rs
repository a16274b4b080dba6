//! The synthetic option market: which contracts are listed (weekly expirations,
//! a strike grid fixed at listing) and each contract's minute quotes and sparse
//! trades, priced by Black-Scholes from the underlying's minute path.

use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

use super::daily::DailyPath;
use super::intraday::{Bar, Quote, cents};
use super::pricing::{black_scholes, skewed_vol};
use super::rng::Rng;
use super::universe::Profile;
use crate::market::time::et_to_utc;
use crate::market::{Calendar, Right};

/// A contract trades from this many calendar days before its expiration.
pub const LISTED_DAYS: i64 = 90;
const FIRST_EXPIRATION_YEAR: i32 = 2016;
const LAST_EXPIRATION_YEAR: i32 = 2027;
const MINUTES_PER_YEAR: f64 = 365.0 * 24.0 * 60.0;

/// One option contract; the strike in thousandths of a dollar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    pub expiration: NaiveDate,
    pub strike_millis: u32,
    pub right: Right,
}

impl Contract {
    pub fn strike(&self) -> f64 {
        f64::from(self.strike_millis) / 1000.0
    }
}

/// Every weekly expiration 2016 through 2027 (monthly third Fridays included).
pub fn expirations() -> &'static [NaiveDate] {
    static ALL: OnceLock<Vec<NaiveDate>> = OnceLock::new();
    ALL.get_or_init(|| {
        let first = NaiveDate::from_ymd_opt(FIRST_EXPIRATION_YEAR, 1, 1).unwrap_or_default();
        let last = NaiveDate::from_ymd_opt(LAST_EXPIRATION_YEAR, 12, 31).unwrap_or_default();
        let mut out: Vec<NaiveDate> = first
            .iter_weeks()
            .take_while(|d| *d <= last + Duration::days(7))
            .filter_map(Calendar::weekly_expiration)
            .filter(|d| (first..=last).contains(d))
            .collect();
        out.dedup();
        out
    })
}

pub fn is_expiration(date: NaiveDate) -> bool {
    expirations().binary_search(&date).is_ok()
}

/// The first day a contract expiring on `expiration` has data.
pub fn listing_date(expiration: NaiveDate) -> NaiveDate {
    expiration - Duration::days(LISTED_DAYS)
}

/// Whether a contract of this expiration trades on `date`.
pub fn is_listed_on(expiration: NaiveDate, date: NaiveDate) -> bool {
    is_expiration(expiration) && (listing_date(expiration)..=expiration).contains(&date)
}

/// Strike spacing, in thousandths of a dollar, for an underlying at `price`.
fn strike_step_millis(price: f64) -> u32 {
    match price {
        p if p < 25.0 => 500,
        p if p < 100.0 => 1_000,
        p if p < 250.0 => 2_500,
        p if p < 1_000.0 => 5_000,
        _ => 10_000,
    }
}

/// The strikes listed for `expiration`: about 0.3x to 2x the underlying's close
/// on the listing session, evenly spaced. `None` if it is not an expiration.
pub fn strike_grid(path: &DailyPath, expiration: NaiveDate) -> Option<Vec<u32>> {
    if !is_expiration(expiration) {
        return None;
    }
    let price = path.between(listing_date(expiration), expiration).first()?.close;
    let step = strike_step_millis(price);
    let step_dollars = f64::from(step) / 1000.0;
    let low = ((0.3 * price / step_dollars).ceil() as u32).max(1);
    let high = ((2.0 * price / step_dollars).floor() as u32).max(low);
    Some((low..=high).map(|i| i * step).collect())
}

/// One session of one contract: a quote every minute and minute bars where
/// minutes without a trade are zero-price `count = 0` bars carrying the vwap.
pub struct ContractDay {
    pub bars: Vec<Bar>,
    pub quotes: Vec<Quote>,
}

/// The bytes that identify one contract on one day, for seeding.
pub fn contract_key(contract: &Contract, date: NaiveDate) -> [u8; 13] {
    let mut key = [0u8; 13];
    key[..4].copy_from_slice(&contract.expiration.num_days_from_ce().to_le_bytes());
    key[4..8].copy_from_slice(&contract.strike_millis.to_le_bytes());
    key[8] = contract.right.letter() as u8;
    key[9..].copy_from_slice(&date.num_days_from_ce().to_le_bytes());
    key
}

/// Years to a contract's expiry at each minute of one session, as its quotes
/// are priced (at least a minute): the calendar worked out once, not per minute.
#[derive(Debug, Clone, Copy)]
pub struct ExpiryClock {
    /// From the session's open.
    minutes: f64,
}

impl ExpiryClock {
    pub fn new(date: NaiveDate, expiration: NaiveDate) -> ExpiryClock {
        ExpiryClock { minutes: minutes_to_expiry(date, expiration) }
    }

    /// Years to expiry at minute `minute` after the open.
    pub fn years(self, minute: usize) -> f64 {
        (self.minutes - minute as f64).max(1.0) / MINUTES_PER_YEAR
    }

    /// Years to expiry at the close, as the end-of-day report prices it (a full session after the open).
    pub fn closing_years(self) -> f64 {
        self.years(390)
    }
}

/// Minutes from 09:30 ET on `date` to 16:00 ET on the expiration day.
fn minutes_to_expiry(date: NaiveDate, expiration: NaiveDate) -> f64 {
    let (open, close) = (NaiveTime::from_hms_opt(9, 30, 0), NaiveTime::from_hms_opt(16, 0, 0));
    match (open, close) {
        (Some(open), Some(close)) => (et_to_utc(expiration, close) - et_to_utc(date, open)).num_minutes() as f64,
        _ => 0.0,
    }
}

/// The draws behind a quote: its sizes and exchanges.
struct QuoteDraws {
    bid_size: i64,
    bid_exchange: i64,
    ask_size: i64,
    ask_exchange: i64,
}

impl QuoteDraws {
    fn draw(rng: &mut Rng) -> QuoteDraws {
        let (bid_size, bid_exchange) = (rng.range(1, 200), rng.range(1, 22));
        let (ask_size, ask_exchange) = (rng.range(1, 200), rng.range(1, 22));
        QuoteDraws { bid_size, bid_exchange, ask_size, ask_exchange }
    }

    /// The model's quote: a spread of at least a cent that widens away from the money; bid never negative.
    fn priced(self, minute: u16, model: f64, moneyness: f64) -> Quote {
        let spread = (0.01 + model * 0.02 * (1.0 + 4.0 * moneyness)).min(0.05 + 0.15 * model);
        let spread = cents(spread).max(1);
        let bid = (cents(model) - spread / 2).max(0);
        Quote {
            minute,
            bid_size: self.bid_size,
            bid_exchange: self.bid_exchange,
            bid,
            bid_condition: 0,
            ask_size: self.ask_size,
            ask_exchange: self.ask_exchange,
            ask: bid + spread,
            ask_condition: 0,
        }
    }
}

/// What every minute of a contract's day draws before its trades, in this
/// order: the quote's sizes and exchanges, then whether the minute trades (more
/// likely near the money). `contract_day` and `first_trade_minute` both walk
/// the day with it, so they cannot disagree.
fn minute_draws(rng: &mut Rng, spot: f64, strike: f64) -> (QuoteDraws, bool) {
    let draws = QuoteDraws::draw(rng);
    let moneyness = (strike / spot).ln().abs();
    (draws, rng.chance(0.6 * (-8.0 * moneyness).exp()))
}

/// A minute's trades, all inside the quote; `vwap` is the running value to carry.
fn option_trades(rng: &mut Rng, quote: &Quote, vwap: &mut i64) -> Bar {
    let (low_px, high_px) = (quote.bid.max(1), quote.ask.max(1));
    let mut price = || rng.range(low_px, high_px);
    let (open, close, extra) = (price(), price(), price());
    let count = rng.range(1, 6);
    let volume = count * rng.range(1, 10);
    let high = open.max(close).max(extra);
    let low = open.min(close).min(extra);
    *vwap = (open + close + high + low) * 25;
    Bar { minute: quote.minute, open, high, low, close, volume, count, vwap: *vwap }
}

/// The contract's session on `date`, from the underlying's minute price path.
pub fn contract_day(profile: &Profile, contract: &Contract, date: NaiveDate, path: &[f64]) -> ContractDay {
    let key = contract_key(contract, date);
    let mut rng = Rng::keyed(&[profile.symbol.as_bytes(), &key, b"option"]);
    let strike = contract.strike();
    let clock = ExpiryClock::new(date, contract.expiration);
    let minutes = path.len().saturating_sub(1);
    let mut bars = Vec::with_capacity(minutes);
    let mut quotes = Vec::with_capacity(minutes);
    let mut vwap = 0;
    for (k, spot) in path[..minutes].iter().enumerate() {
        let years = clock.years(k);
        let vol = skewed_vol(profile.annual_vol, *spot, strike);
        let model = black_scholes(contract.right, *spot, strike, years, vol);
        let moneyness = (strike / spot).ln().abs();
        let (draws, trades) = minute_draws(&mut rng, *spot, strike);
        let quote = draws.priced(k as u16, model, moneyness);
        let bar = if trades {
            option_trades(&mut rng, &quote, &mut vwap)
        } else {
            Bar { minute: k as u16, vwap, ..Bar::default() }
        };
        bars.push(bar);
        quotes.push(quote);
    }
    ContractDay { bars, quotes }
}

/// The first minute of `date`'s session in which the contract trades, without
/// pricing a single minute: until a minute trades, the day draws the same
/// whatever the prices (see `minute_draws`).
pub fn first_trade_minute(profile: &Profile, contract: &Contract, date: NaiveDate, path: &[f64]) -> Option<usize> {
    let key = contract_key(contract, date);
    let mut rng = Rng::keyed(&[profile.symbol.as_bytes(), &key, b"option"]);
    let minutes = path.len().saturating_sub(1);
    path[..minutes].iter().position(|spot| minute_draws(&mut rng, *spot, contract.strike()).1)
}

/// The end-of-day report's quote: the model at the session's close.
pub fn closing_option_quote(profile: &Profile, contract: &Contract, date: NaiveDate, close: f64) -> Quote {
    let key = contract_key(contract, date);
    let mut rng = Rng::keyed(&[profile.symbol.as_bytes(), &key, b"option-eod"]);
    let strike = contract.strike();
    let years = ExpiryClock::new(date, contract.expiration).closing_years();
    let model = black_scholes(contract.right, close, strike, years, skewed_vol(profile.annual_vol, close, strike));
    QuoteDraws::draw(&mut rng).priced(0, model, (strike / close).ln().abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::daily::daily_path;
    use crate::terminal::intraday::price_path;
    use crate::terminal::universe::lookup;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn expirations_are_weekly_with_holiday_thursdays() {
        let all = expirations();
        assert_eq!(all.first().map(|d| d.year()), Some(2016));
        assert_eq!(all.last().map(|d| d.year()), Some(2027));
        assert!(is_expiration(d("2025-04-17")), "Good Friday moves it to Thursday");
        assert!(!is_expiration(d("2025-04-18")));
        assert!(is_expiration(d("2025-03-21")), "third Friday");
        assert!(all.windows(2).all(|w| (w[1] - w[0]).num_days() <= 8 && w[1] > w[0]));
    }

    #[test]
    fn strike_grid_spans_the_listing_price() {
        let (slot, _) = lookup("PLTR").unwrap();
        let path = daily_path(slot).unwrap();
        let expiration = d("2025-04-17");
        let grid = strike_grid(path, expiration).unwrap();
        let listing_close = path.between(listing_date(expiration), expiration)[0].close;
        let (low, high) = (f64::from(grid[0]) / 1000.0, f64::from(*grid.last().unwrap()) / 1000.0);
        assert!(low <= 0.35 * listing_close && high >= 1.9 * listing_close, "{low}..{high} for {listing_close}");
        assert!(grid.windows(2).all(|w| w[1] - w[0] == grid[1] - grid[0]));
        assert!(strike_grid(path, d("2025-04-16")).is_none());
    }

    /// `list/contracts/trade` asks `first_trade_minute`; the bars must agree.
    #[test]
    fn the_first_trade_is_found_without_pricing() {
        let (slot, profile) = lookup("NVDA").unwrap();
        let path = daily_path(slot).unwrap();
        let date = d("2025-03-10");
        let minute_path = price_path(profile, path.day(date).unwrap(), 390);
        let (mut traded, mut quiet) = (0, 0);
        for expiration in [d("2025-03-14"), d("2025-04-17"), d("2025-06-20")] {
            for strike_millis in strike_grid(path, expiration).unwrap() {
                for right in [Right::Call, Right::Put] {
                    let contract = Contract { expiration, strike_millis, right };
                    let bars = contract_day(profile, &contract, date, &minute_path).bars;
                    let first = first_trade_minute(profile, &contract, date, &minute_path);
                    assert_eq!(first, bars.iter().position(|b| b.count > 0), "{contract:?}");
                    if first.is_some() { traded += 1 } else { quiet += 1 }
                }
            }
        }
        assert!(traded > 0 && quiet > 0, "{traded} traded, {quiet} did not");
    }

    #[test]
    fn trades_lie_inside_the_quote_and_quiet_minutes_carry_vwap() {
        let (slot, profile) = lookup("PLTR").unwrap();
        let path = daily_path(slot).unwrap();
        let date = d("2025-03-10");
        let prices = path.day(date).unwrap();
        let minute_path = price_path(profile, prices, 390);
        let grid = strike_grid(path, d("2025-04-17")).unwrap();
        let atm = *grid.iter().min_by_key(|k| (f64::from(**k) / 1000.0 - prices.open).abs() as i64).unwrap();
        let contract = Contract { expiration: d("2025-04-17"), strike_millis: atm, right: Right::Call };
        let day = contract_day(profile, &contract, date, &minute_path);
        assert_eq!((day.bars.len(), day.quotes.len()), (390, 390));
        let traded = day.bars.iter().filter(|b| b.count > 0).count();
        assert!(traded > 20 && traded < 390, "some but not all minutes trade: {traded}");
        let mut last_vwap = 0;
        for (bar, quote) in day.bars.iter().zip(&day.quotes) {
            assert!(quote.bid >= 0 && quote.ask > quote.bid);
            if bar.count == 0 {
                assert_eq!((bar.open, bar.high, bar.low, bar.close, bar.volume), (0, 0, 0, 0, 0));
                assert_eq!(bar.vwap, last_vwap);
            } else {
                assert!(quote.bid <= bar.low && bar.high <= quote.ask, "{bar:?} {quote:?}");
                assert!(bar.volume >= bar.count);
            }
            last_vwap = bar.vwap;
        }
    }
}
