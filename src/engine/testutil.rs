//! Builders shared by the engine's unit tests.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::broker::FillData;
use super::order::{Order, OrderId, OrderKind, Side, TimeInForce};
use crate::market::time::{et_date, et_date_ms, et_to_utc};
use crate::market::{Asset, Bar, OptionContract, QuoteBar, Right, Strike, Symbol};

/// An ET wall-clock time as the UTC instant the engine works in.
pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    et_to_utc(date(y, m, d), NaiveTime::from_hms_opt(h, min, 0).unwrap())
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn contract(root: &str, expiration: NaiveDate, strike: f64, right: Right) -> OptionContract {
    OptionContract {
        underlying: Symbol::new(root).unwrap(),
        expiration,
        strike: Strike::from_dollars(strike).unwrap(),
        right,
    }
}

/// PLTR 2025-04-18 91 C: expires on Good Friday, so its last session is the 17th.
pub fn pltr_call() -> Asset {
    Asset::Option(contract("PLTR", date(2025, 4, 18), 91.0, Right::Call))
}

/// A bar with trades.
pub fn bar(t: DateTime<Utc>, open: f64, high: f64, low: f64, close: f64) -> Bar {
    Bar { ts_ms: t.timestamp_millis(), open, high, low, close, volume: 100, count: 10 }
}

/// An option minute with no trades: zero prices, `count == 0`.
pub fn empty_bar(t: DateTime<Utc>) -> Bar {
    Bar { ts_ms: t.timestamp_millis(), open: 0.0, high: 0.0, low: 0.0, close: 0.0, volume: 0, count: 0 }
}

pub fn quote(t: DateTime<Utc>, bid: f64, ask: f64) -> QuoteBar {
    QuoteBar { ts_ms: t.timestamp_millis(), bid, ask, bid_size: 10, ask_size: 10 }
}

/// A one-lot day order submitted at `submitted_at`.
pub fn order(asset: Asset, side: Side, kind: OrderKind, submitted_at: DateTime<Utc>) -> Order {
    Order::new(OrderId(1), asset, side, 1, kind, TimeInForce::Day, submitted_at, String::new())
}

/// In-memory market data with the `FillData` contract: bars in time order.
#[derive(Default)]
pub struct FakeData {
    pub bars: BTreeMap<Asset, Vec<Bar>>,
    pub quotes: BTreeMap<Asset, Vec<QuoteBar>>,
    pub closes: BTreeMap<(String, NaiveDate), f64>,
    pub close_requests: Vec<(String, NaiveDate)>,
}

impl FakeData {
    pub fn bar(mut self, asset: &Asset, b: Bar) -> Self {
        self.bars.entry(*asset).or_default().push(b);
        self
    }

    pub fn quote(mut self, asset: &Asset, q: QuoteBar) -> Self {
        self.quotes.entry(*asset).or_default().push(q);
        self
    }
}

impl FillData for FakeData {
    fn bar_at_or_after(&mut self, asset: &Asset, t: DateTime<Utc>) -> Option<Bar> {
        let day = et_date(t);
        let bars = self.bars.get(asset)?;
        bars.iter().find(|b| b.ts_ms >= t.timestamp_millis() && et_date_ms(b.ts_ms) == day).copied()
    }

    fn quote_at(&mut self, asset: &Asset, t: DateTime<Utc>) -> Option<QuoteBar> {
        self.quotes.get(asset)?.iter().rev().find(|q| q.ts_ms <= t.timestamp_millis()).copied()
    }

    fn underlying_close(&mut self, symbol: Symbol, date: NaiveDate) -> Option<f64> {
        self.close_requests.push((symbol.to_string(), date));
        self.closes.get(&(symbol.to_string(), date)).copied()
    }

    /// Minute bars: a bar's close is known one minute after its open.
    fn last_trade(&mut self, asset: &Asset, t: DateTime<Utc>) -> Option<f64> {
        let seen = |b: &&Bar| b.count > 0 && b.ts_ms + 60_000 <= t.timestamp_millis();
        self.bars.get(asset)?.iter().rev().find(seen).map(|b| b.close)
    }
}
