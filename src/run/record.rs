//! What a run leaves behind, gathered from its events: the trade ledger, the
//! equity curve and the final positions.

use chrono::{DateTime, Utc};

use crate::engine::{FillSource, RunEvent, Side, Valuation};
use crate::market::Asset;

/// One entry of the trade ledger, written as a line of `trades.csv`
/// (`artifacts::TradeLine`): a fill, an expiry settlement, or an order the
/// account refused (`rejected`, with its reason; no money moved). Every field
/// means the same on every kind of row.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeRow {
    pub time: DateTime<Utc>,
    /// `fill`, `settlement` or `rejected`.
    pub event: &'static str,
    pub order_id: Option<u64>,
    pub asset: String,
    /// The direction of the position change: a settlement closing a long
    /// sells, one closing a short buys.
    pub side: Side,
    /// Shares or contracts, always positive.
    pub quantity: i64,
    /// The fill price; the intrinsic value on a settlement; 0 when rejected.
    pub price: f64,
    pub fee: f64,
    /// `trade` or `quote` on a fill, `expiry` on a settlement, empty when rejected.
    pub source: &'static str,
    pub tag: String,
    pub realized_pnl: f64,
    /// The cash balance after the row (unchanged by a rejection).
    pub cash: f64,
    /// Why a `rejected` row was refused; empty on other rows.
    pub reason: String,
}

impl TradeRow {
    /// Whether money moved (a fill or a settlement), as opposed to a refusal.
    pub fn is_trade(&self) -> bool {
        self.event != "rejected"
    }
}

/// One line of `equity.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EquityPoint {
    pub time: DateTime<Utc>,
    pub cash: f64,
    pub positions_value: f64,
    pub total: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Record {
    pub trades: Vec<TradeRow>,
    pub equity: Vec<EquityPoint>,
    /// The last valuation, with its per-position lines.
    pub last_valuation: Option<Valuation>,
    /// Every broker event, described in ET, for the log.
    pub journal: Vec<String>,
}

impl Record {
    pub fn observe(&mut self, event: &RunEvent) {
        match event {
            RunEvent::Progress { .. } | RunEvent::Counters { .. } | RunEvent::DatasetsRead { .. } => return,
            RunEvent::Equity { time, valuation } => {
                self.equity.push(EquityPoint {
                    time: *time,
                    cash: valuation.cash,
                    positions_value: valuation.positions_value,
                    total: valuation.total,
                });
                self.last_valuation = Some(valuation.clone());
            }
            _ => self.trades.extend(trade_row(event)),
        }
        self.journal.push(event.describe());
    }
}

/// The `trades.csv` row an event makes: fills, settlements and rejections.
fn trade_row(event: &RunEvent) -> Option<TradeRow> {
    Some(match event {
        RunEvent::Filled {
            time,
            order_id,
            asset,
            side,
            quantity,
            price,
            fee,
            source,
            tag,
            realized_pnl,
            cash_after,
        } => TradeRow {
            order_id: Some(order_id.0),
            price: *price,
            fee: *fee,
            source: match source {
                FillSource::Trade => "trade",
                FillSource::Quote => "quote",
            },
            tag: tag.clone(),
            realized_pnl: *realized_pnl,
            ..TradeRow::new(*time, "fill", asset, *side, *quantity as i64, *cash_after)
        },
        RunEvent::Settled { time, asset, quantity, intrinsic, realized_pnl, cash_after, .. } => {
            // The position change: settling a long sells it, settling a short buys it back.
            let side = if *quantity > 0 { Side::Sell } else { Side::Buy };
            TradeRow {
                price: *intrinsic,
                source: "expiry",
                tag: "expiry".into(),
                realized_pnl: *realized_pnl,
                ..TradeRow::new(*time, "settlement", asset, side, quantity.abs(), *cash_after)
            }
        }
        RunEvent::OrderRejected { time, order_id, asset, side, quantity, reason, cash } => TradeRow {
            order_id: order_id.map(|id| id.0),
            reason: reason.clone(),
            ..TradeRow::new(*time, "rejected", asset, *side, *quantity as i64, *cash)
        },
        _ => return None,
    })
}

impl TradeRow {
    /// A row of `event` with no price, fee, source, tag or P&L yet.
    fn new(time: DateTime<Utc>, event: &'static str, asset: &Asset, side: Side, quantity: i64, cash: f64) -> TradeRow {
        TradeRow {
            time,
            event,
            order_id: None,
            asset: asset.to_string(),
            side,
            quantity,
            price: 0.0,
            fee: 0.0,
            source: "",
            tag: String::new(),
            realized_pnl: 0.0,
            cash,
            reason: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveTime};

    use super::*;
    use crate::engine::{Account, Broker, FeeModel, FillData, MarginRates, OrderKind, TimeInForce};
    use crate::market::time::et_to_utc;
    use crate::market::{Asset, Bar, OptionContract, QuoteBar, Right, Strike, Symbol};
    use crate::run::artifacts::{EquityLine, TradeLine, equity_csv, read_rows, trades_csv};

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 4, d).unwrap()
    }

    /// PLTR options expiring on Good Friday 2025-04-18 (last session the 17th).
    fn pltr(strike: f64, right: Right) -> Asset {
        let strike = Strike::from_dollars(strike).unwrap();
        Asset::Option(OptionContract { underlying: Symbol::new("PLTR").unwrap(), expiration: date(18), strike, right })
    }

    /// Every option trades at a fixed price all day; PLTR closes at 95.5.
    struct Flat;

    impl FillData for Flat {
        fn bar_at_or_after(&mut self, asset: &Asset, t: DateTime<Utc>) -> Option<Bar> {
            let p = self.last_trade(asset, t)?;
            Some(Bar { ts_ms: t.timestamp_millis(), open: p, high: p, low: p, close: p, volume: 100, count: 10 })
        }
        fn quote_at(&mut self, _: &Asset, _: DateTime<Utc>) -> Option<QuoteBar> {
            None
        }
        fn underlying_close(&mut self, _: Symbol, _: NaiveDate) -> Option<f64> {
            Some(95.5)
        }
        fn last_trade(&mut self, asset: &Asset, _: DateTime<Utc>) -> Option<f64> {
            match asset {
                Asset::Option(c) if c.right == Right::Call => Some(3.0),
                _ => Some(2.0),
            }
        }
    }

    /// A long call and a short put held to expiry: both settle at the 17th's
    /// close, and that close's equity point follows.
    #[test]
    fn a_settlement_row_carries_the_balance_after_it_and_an_upper_case_side() {
        let (call, put) = (pltr(91.0, Right::Call), pltr(100.0, Right::Put));
        let mut broker = Broker::new(10_000.0, FeeModel::default(), Account::Margin(MarginRates::default()));
        let (mut data, mut record) = (Flat, Record::default());
        let t = et_to_utc(date(16), NaiveTime::from_hms_opt(10, 0, 0).unwrap());
        for (asset, side, quantity) in [(call, Side::Buy, 2), (put, Side::Sell, 1)] {
            broker.submit(t, asset, side, quantity, OrderKind::Market, TimeInForce::Day, "t", &mut |_| None).unwrap();
        }
        let mut events = broker.process(t, &mut data);
        events.extend(broker.end_of_session(date(17), &mut data));
        let close = et_to_utc(date(17), NaiveTime::from_hms_opt(16, 0, 0).unwrap());
        events.push(RunEvent::Equity { time: close, valuation: broker.mark_to_market(close, &mut data) });
        events.iter().for_each(|e| record.observe(e));

        let trades: Vec<TradeLine> = read_rows(&trades_csv(&record).unwrap()).unwrap();
        let equity: Vec<EquityLine> = read_rows(&equity_csv(&record).unwrap()).unwrap();
        let kinds: Vec<(&str, &str, &str)> =
            trades.iter().map(|t| (t.event.as_str(), t.asset.as_str(), t.side.as_str())).collect();
        assert_eq!(
            kinds,
            [
                ("fill", "PLTR 2025-04-18 91 C", "BUY"),
                ("fill", "PLTR 2025-04-18 100 P", "SELL"),
                ("settlement", "PLTR 2025-04-18 91 C", "SELL"),
                ("settlement", "PLTR 2025-04-18 100 P", "BUY"),
            ]
        );
        // Each settlement moves the balance by its intrinsic value × quantity × 100.
        for pair in trades.windows(2).skip(1) {
            let signed = if pair[1].side == "SELL" { 1.0 } else { -1.0 };
            assert_eq!(pair[1].cash - pair[0].cash, signed * pair[1].price * pair[1].quantity as f64 * 100.0);
        }
        let last = trades.last().unwrap();
        assert_eq!((last.cash, last.time_et.as_str()), (equity[0].cash, equity[0].time_et.as_str()));
        assert_eq!(last.cash, broker.portfolio().cash());
    }
}
