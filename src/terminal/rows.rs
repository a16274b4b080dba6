//! The column groups and cells the answers share: a contract, a bar, a quote, a trade.

use chrono::NaiveDate;

use super::intraday::{Bar, Quote};
use super::options::Contract;
use super::table::Cell;
use super::trades::{NO_CONDITION, Trade};
use super::universe::Profile;

pub const CONTRACT: &[&str] = &["symbol", "expiration", "strike", "right"];
pub const OHLC: &[&str] = &["timestamp", "open", "high", "low", "close", "volume", "count", "vwap"];
pub const QUOTE: &[&str] =
    &["bid_size", "bid_exchange", "bid", "bid_condition", "ask_size", "ask_exchange", "ask", "ask_condition"];
pub const EOD: &[&str] = &["created", "last_trade", "open", "high", "low", "close", "volume", "count"];
/// A trade, its stamp first.
pub const TRADE: &[&str] = &[
    "timestamp",
    "sequence",
    "ext_condition1",
    "ext_condition2",
    "ext_condition3",
    "ext_condition4",
    "condition",
    "size",
    "exchange",
    "price",
];

pub fn contract_cells(profile: &'static Profile, contract: &Contract) -> [Cell<'static>; 4] {
    [
        Cell::Text(profile.symbol),
        Cell::Date(contract.expiration),
        Cell::Fixed(i64::from(contract.strike_millis), 3),
        Cell::Text(contract.right.wire()),
    ]
}

/// A bar without its stamp: open to vwap.
pub fn bar_cells(bar: &Bar) -> [Cell<'static>; 7] {
    [
        Cell::Fixed(bar.open, 2),
        Cell::Fixed(bar.high, 2),
        Cell::Fixed(bar.low, 2),
        Cell::Fixed(bar.close, 2),
        Cell::Int(bar.volume),
        Cell::Int(bar.count),
        Cell::Fixed(bar.vwap, 4),
    ]
}

/// A quote without its stamp.
pub fn quote_cells(q: &Quote) -> [Cell<'static>; 8] {
    [
        Cell::Int(q.bid_size),
        Cell::Int(q.bid_exchange),
        Cell::Fixed(q.bid, 2),
        Cell::Int(q.bid_condition),
        Cell::Int(q.ask_size),
        Cell::Int(q.ask_exchange),
        Cell::Fixed(q.ask, 2),
        Cell::Int(q.ask_condition),
    ]
}

/// A trade of `date` with its stamp: the columns of [`TRADE`].
pub fn trade_cells(date: NaiveDate, trade: &Trade) -> [Cell<'static>; 10] {
    let none = Cell::Int(NO_CONDITION);
    [
        Cell::StampMs(date, trade.ms),
        Cell::Int(trade.sequence),
        none,
        none,
        none,
        none,
        Cell::Int(trade.condition),
        Cell::Int(trade.size),
        Cell::Int(trade.exchange),
        Cell::Fixed(trade.price, 2),
    ]
}
