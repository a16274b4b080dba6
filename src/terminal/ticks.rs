//! Answers of single prints: every trade (`history/trade`), every trade with the
//! quote in force when it printed (`history/trade_quote`), and the last trade,
//! quote or index price at a time of day (`at_time/*`).

use chrono::{DateTime, Utc};

use super::days::{Day, Hours, NoData, OPEN_MINUTE, Stretch, Wants, minutes_available, session_path, underlying};
use super::intraday::{Quote, cents};
use super::request::{AtTimeQuery, IntradayQuery, SecurityKind, Style};
use super::rows::{CONTRACT, QUOTE, TRADE, contract_cells, quote_cells, trade_cells};
use super::table::{Cell, Format, Table};
use super::trades::Trade;

/// `trade_quote`'s columns after the contract: both stamps, the trade, the quote.
pub const TRADE_QUOTE: &[&str] = &["trade_timestamp", "quote_timestamp"];

/// The column groups of a trade or trade-quote answer after the contract's.
pub fn columns(style: Style) -> Vec<&'static [&'static str]> {
    match style {
        Style::TradeQuote => vec![TRADE_QUOTE, &TRADE[1..], QUOTE],
        _ => vec![TRADE],
    }
}

/// The trades of `stretch` of `day` stamped within the query's window, each
/// after `prefix` (the contract's cells, or none), with its quote for `trade_quote`.
pub fn trade_rows(q: &IntradayQuery, day: &Day, stretch: &Stretch, prefix: &[Cell], table: &mut Table) {
    let window = q.start_ms..=q.end_ms;
    // One row's cells, reused: a day of a busy stock's trades is half a million rows.
    let mut row: Vec<Cell> = Vec::with_capacity(prefix.len() + 19);
    for k in 0..stretch.len() {
        let start = stretch.minute_of_day(k) * 60_000;
        if start + 59_999 < q.start_ms || start > q.end_ms {
            continue;
        }
        // Trades never print on the whole minute, so the minute's quote is the
        // one in force, `exclusive` or not.
        let quote = (q.style == Style::TradeQuote).then(|| quote_cells(&stretch.quotes[k]));
        for trade in day.trades(stretch, k).iter().filter(|t| window.contains(&t.ms)) {
            let trade_cells = trade_cells(day.date, trade);
            row.clear();
            row.extend_from_slice(prefix);
            match &quote {
                Some(quote) => {
                    row.extend([trade_cells[0], Cell::StampMs(day.date, start)]);
                    row.extend_from_slice(&trade_cells[1..]);
                    row.extend_from_slice(quote);
                }
                None => row.extend_from_slice(&trade_cells),
            }
            table.row(&row);
        }
    }
}

/// `at_time/*`: one row per session of the range (per contract for options):
/// the last trade or quote at or before the time of day, stamped when it
/// happened, or zeros stamped at the time of day when there is none yet.
pub fn at_time(q: &AtTimeQuery, format: Format, now: DateTime<Utc>) -> Result<Table, NoData> {
    let u = underlying(&q.symbol, q.kind)?;
    let contract: &[&str] = if q.contracts.is_some() { CONTRACT } else { &[] };
    let groups: Vec<&[&str]> = match q.style {
        Style::Quote => vec![contract, &["timestamp"], QUOTE],
        _ => vec![contract, TRADE],
    };
    let mut table = Table::new(format, &groups, 32);
    let (start, end) = q.contracts.map_or((q.start, q.end), |c| c.trading_days(q.start, q.end));
    for prices in u.path.between(start, end) {
        let date = prices.date;
        let (Ok(available), Ok(path)) = (minutes_available(date, now), session_path(&u, date)) else { continue };
        match &q.contracts {
            None if q.kind == SecurityKind::Index => {
                // The index's value at the last minute boundary, the close after it.
                let Some(minute) = (q.time_ms / 60_000).checked_sub(OPEN_MINUTE) else {
                    table.row(&trade_cells(date, &quiet_trade(q.time_ms)));
                    continue;
                };
                let k = (minute as usize).min(available);
                let price = Trade { price: cents(path[k]), ..quiet_trade((OPEN_MINUTE + k as u32) * 60_000) };
                table.row(&trade_cells(date, &price));
            }
            None => {
                let wants = if q.style == Style::Quote { Wants::Quotes } else { Wants::Bars };
                let day = Day::stock(&u, date, &path, Hours::ALL, wants, now)?;
                at_time_row(q, &day, &[], &mut table);
            }
            Some(filter) => {
                for contract in filter.select(&u, date, prices.open) {
                    let day = Day::contract(&u, &contract, date, &path, now);
                    at_time_row(q, &day, &contract_cells(u.profile, &contract), &mut table);
                }
            }
        }
    }
    Ok(table)
}

/// A print of nothing at `ms`: the row when there is no trade yet, and the frame of an index's price.
fn quiet_trade(ms: u32) -> Trade {
    Trade { ms, sequence: 0, condition: 0, size: 0, exchange: 0, price: 0 }
}

fn at_time_row(q: &AtTimeQuery, day: &Day, prefix: &[Cell], table: &mut Table) {
    let mut minutes = day.minutes_back_from(q.time_ms);
    match q.style {
        Style::Quote => {
            let (stamp, quote) = minutes
                .next()
                .map(|(s, k)| (s.minute_of_day(k) * 60_000, s.quotes[k]))
                .unwrap_or((q.time_ms, Quote::default()));
            table.row(&[prefix, &[Cell::StampMs(day.date, stamp)], &quote_cells(&quote)].concat());
        }
        _ => {
            let last = minutes
                .find_map(|(s, k): (&Stretch, usize)| day.trades(s, k).into_iter().rev().find(|t| t.ms <= q.time_ms));
            let trade = last.unwrap_or_else(|| quiet_trade(q.time_ms));
            table.row(&[prefix, &trade_cells(day.date, &trade)].concat());
        }
    }
}
