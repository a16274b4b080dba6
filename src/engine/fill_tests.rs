//! Every fill rule of `fill.rs` on a stock bar and on option bars and quotes:
//! market, limit, stop and stop-limit, buys and sells, gaps and intrabar triggers.

use super::*;
use crate::engine::order::OrderKind::{Limit, Market, Stop, StopLimit};
use crate::engine::order::Side::{Buy, Sell};
use crate::engine::testutil::{at, bar, empty_bar, order, pltr_call, quote};

fn t0() -> DateTime<Utc> {
    at(2025, 3, 10, 9, 31)
}

/// Open 10, high 12, low 8, close 11.
fn stock_bar() -> Bar {
    bar(t0(), 10.0, 12.0, 8.0, 11.0)
}

fn on_stock(side: Side, kind: OrderKind) -> FillDecision {
    on_bar(side, kind, &stock_bar())
}

fn on_bar(side: Side, kind: OrderKind, b: &Bar) -> FillDecision {
    evaluate(&order(Asset::stock("PLTR").unwrap(), side, kind, t0()), t0(), Some(b), None)
}

fn trade(price: f64) -> FillDecision {
    FillDecision::Fill { time: t0(), price, source: FillSource::Trade }
}

fn quoted(price: f64) -> FillDecision {
    FillDecision::Fill { time: t0(), price, source: FillSource::Quote }
}

fn waits(decision: &FillDecision, contains: &str) -> bool {
    matches!(decision, FillDecision::Wait { reason, .. } if reason.contains(contains))
}

#[test]
fn market_fills_at_the_open_on_both_sides() {
    assert_eq!(on_stock(Buy, Market), trade(10.0));
    assert_eq!(on_stock(Sell, Market), trade(10.0));
}

#[test]
fn limit_buy() {
    assert_eq!(on_stock(Buy, Limit { limit: 10.5 }), trade(10.0), "limit above the open fills at the open");
    assert_eq!(on_stock(Buy, Limit { limit: 10.0 }), trade(10.0));
    assert_eq!(on_stock(Buy, Limit { limit: 9.0 }), trade(9.0), "low ≤ limit < open fills at the limit");
    assert_eq!(on_stock(Buy, Limit { limit: 8.0 }), trade(8.0));
    let untouched = on_stock(Buy, Limit { limit: 7.99 });
    assert_eq!(
        untouched,
        FillDecision::Wait {
            reason: "BUY limit 7.99 not reached: bar at 2025-03-10 09:31 -04:00 open 10 high 12 low 8".into(),
            triggered: false
        }
    );
}

#[test]
fn limit_sell() {
    assert_eq!(on_stock(Sell, Limit { limit: 9.5 }), trade(10.0), "limit below the open fills at the open");
    assert_eq!(on_stock(Sell, Limit { limit: 11.0 }), trade(11.0), "open < limit ≤ high fills at the limit");
    assert_eq!(on_stock(Sell, Limit { limit: 12.0 }), trade(12.0));
    assert!(waits(&on_stock(Sell, Limit { limit: 12.01 }), "SELL limit 12.01 not reached"));
}

#[test]
fn stop_buy() {
    assert_eq!(on_stock(Buy, Stop { stop: 9.0 }), trade(10.0), "gap through the stop fills at the open");
    assert_eq!(on_stock(Buy, Stop { stop: 11.0 }), trade(11.0), "touched inside the bar fills at the stop");
    assert_eq!(on_stock(Buy, Stop { stop: 12.0 }), trade(12.0));
    assert!(waits(&on_stock(Buy, Stop { stop: 12.5 }), "BUY stop 12.5 not triggered"));
}

#[test]
fn stop_sell() {
    assert_eq!(on_stock(Sell, Stop { stop: 10.5 }), trade(10.0), "gap through the stop fills at the open");
    assert_eq!(on_stock(Sell, Stop { stop: 9.0 }), trade(9.0));
    assert!(waits(&on_stock(Sell, Stop { stop: 7.5 }), "SELL stop 7.5 not triggered"));
}

#[test]
fn stop_limit_buy_triggered_inside_the_bar_fills_at_the_stop() {
    assert_eq!(on_stock(Buy, StopLimit { stop: 11.0, limit: 11.5 }), trade(11.0));
    assert_eq!(on_stock(Buy, StopLimit { stop: 11.0, limit: 11.0 }), trade(11.0));
    let untouched = on_stock(Buy, StopLimit { stop: 12.5, limit: 13.0 });
    assert!(matches!(untouched, FillDecision::Wait { triggered: false, .. }));
}

#[test]
fn stop_limit_buy_gapping_past_its_limit() {
    // Gap open 10 over stop 9: triggered at the open; limit 9.5 < open, low 8 reaches it.
    assert_eq!(on_stock(Buy, StopLimit { stop: 9.0, limit: 9.5 }), trade(9.5));
    // Limit 9.5 is never reached when the low stays at 9.8: the order remembers the trigger.
    let high_low = bar(t0(), 10.0, 12.0, 9.8, 11.0);
    let decision = on_bar(Buy, StopLimit { stop: 9.0, limit: 9.5 }, &high_low);
    assert_eq!(
        decision,
        FillDecision::Wait {
            reason:
                "BUY stop 9 triggered, limit 9.5 not reached: bar at 2025-03-10 09:31 -04:00 open 10 high 12 low 9.8"
                    .into(),
            triggered: true
        }
    );
}

#[test]
fn stop_limit_triggered_earlier_is_a_limit_order() {
    let mut o = order(Asset::stock("PLTR").unwrap(), Buy, StopLimit { stop: 13.0, limit: 13.5 }, t0());
    // High 12 would not trigger stop 13, but it triggered in an earlier bar.
    o.triggered = true;
    assert_eq!(evaluate(&o, t0(), Some(&stock_bar()), None), trade(10.0));
    o.side = Sell;
    o.kind = StopLimit { stop: 7.0, limit: 11.5 };
    assert_eq!(evaluate(&o, t0(), Some(&stock_bar()), None), trade(11.5));
}

#[test]
fn stop_limit_sell() {
    assert_eq!(on_stock(Sell, StopLimit { stop: 9.0, limit: 8.5 }), trade(9.0), "intrabar trigger fills at the stop");
    assert_eq!(
        on_stock(Sell, StopLimit { stop: 11.0, limit: 10.5 }),
        trade(10.5),
        "gap below the stop, limit in range"
    );
    let d = on_bar(Sell, StopLimit { stop: 11.0, limit: 10.5 }, &bar(t0(), 10.0, 10.2, 9.0, 10.0));
    assert!(matches!(d, FillDecision::Wait { triggered: true, .. }));
}

fn on_option(side: Side, kind: OrderKind, q: Option<&QuoteBar>) -> FillDecision {
    evaluate(&order(pltr_call(), side, kind, t0()), t0(), Some(&empty_bar(t0())), q)
}

#[test]
fn untraded_option_bars_fill_against_the_quote() {
    let q = quote(t0(), 1.92, 2.15);
    assert_eq!(on_option(Buy, Market, Some(&q)), quoted(2.15));
    assert_eq!(on_option(Sell, Market, Some(&q)), quoted(1.92));
    assert_eq!(on_option(Buy, Limit { limit: 2.15 }, Some(&q)), quoted(2.15));
    assert_eq!(on_option(Buy, Limit { limit: 3.0 }, Some(&q)), quoted(2.15), "fills at the ask, not the limit");
    assert!(waits(&on_option(Buy, Limit { limit: 2.0 }, Some(&q)), "BUY limit 2 not reached: quote at"));
    assert_eq!(on_option(Sell, Limit { limit: 1.5 }, Some(&q)), quoted(1.92));
    assert!(waits(&on_option(Sell, Limit { limit: 2.0 }, Some(&q)), "SELL limit 2 not reached"));
}

#[test]
fn option_stops_trigger_on_the_quote_mid() {
    let q = quote(t0(), 1.90, 2.10); // mid 2.00
    assert_eq!(on_option(Buy, Stop { stop: 2.0 }, Some(&q)), quoted(2.10));
    assert!(waits(&on_option(Buy, Stop { stop: 2.05 }, Some(&q)), "mid 2"));
    assert_eq!(on_option(Sell, Stop { stop: 2.0 }, Some(&q)), quoted(1.90));
    assert!(waits(&on_option(Sell, Stop { stop: 1.95 }, Some(&q)), "SELL stop 1.95 not triggered"));
    assert_eq!(on_option(Buy, StopLimit { stop: 2.0, limit: 2.10 }, Some(&q)), quoted(2.10));
    let d = on_option(Buy, StopLimit { stop: 2.0, limit: 2.05 }, Some(&q));
    assert!(matches!(d, FillDecision::Wait { triggered: true, .. }), "{d:?}");
}

#[test]
fn options_with_trades_use_the_trades() {
    let traded = bar(t0(), 2.0, 2.2, 1.9, 2.1);
    let q = quote(t0(), 1.0, 3.0);
    let o = order(pltr_call(), Buy, Market, t0());
    assert!(!needs_quote(&o.asset, &traded));
    assert_eq!(evaluate(&o, t0(), Some(&traded), Some(&q)), trade(2.0));
}

#[test]
fn missing_or_unusable_quotes_wait_with_a_reason() {
    let no_quote = on_option(Buy, Market, None);
    assert_eq!(
        no_quote,
        FillDecision::Wait {
            reason: "no quote for PLTR 2025-04-18 91 C at 2025-03-10 09:31 -04:00".into(),
            triggered: false
        }
    );
    assert!(waits(&on_option(Sell, Market, Some(&quote(t0(), 0.0, 0.05))), "no two-sided quote"));
    assert!(waits(&on_option(Sell, Market, Some(&quote(t0(), 1.0, f64::NAN))), "no two-sided quote"));
    assert!(waits(&on_option(Buy, Market, Some(&quote(t0(), 2.2, 2.1))), "crossed quote"));
}

#[test]
fn no_bar_or_no_trades_waits_with_a_reason() {
    let o = order(pltr_call(), Buy, Market, t0());
    assert_eq!(
        evaluate(&o, t0(), None, None),
        FillDecision::Wait {
            reason: "no bar for PLTR 2025-04-18 91 C at or after 2025-03-10 09:31 -04:00".into(),
            triggered: false
        }
    );
    let stock = order(Asset::stock("PLTR").unwrap(), Buy, Market, t0());
    assert!(waits(&evaluate(&stock, t0(), Some(&empty_bar(t0())), None), "no trades for PLTR in the bar at"));
}

#[test]
fn a_triggered_stop_limit_keeps_its_state_while_waiting_for_data() {
    let mut o = order(pltr_call(), Buy, StopLimit { stop: 2.0, limit: 2.1 }, t0());
    o.triggered = true;
    assert!(matches!(evaluate(&o, t0(), None, None), FillDecision::Wait { triggered: true, .. }));
}
