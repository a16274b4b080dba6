//! Every account rule on a worked example: cash accounts (fees, reservations,
//! no shorts), Reg T margin for stock, the CBOE minimum for short options,
//! covered calls and secured puts, and the margin call with its liquidation.

use chrono::Duration;

use super::*;
use crate::engine::broker::{Broker, LIQUIDATION_TAG};
use crate::engine::events::RunEvent;
use crate::engine::fees::FeeModel;
use crate::engine::order::{OrderError, OrderId, OrderKind, OrderStatus, Side, TimeInForce};
use crate::engine::testutil::{FakeData, at, bar, contract, date};
use crate::market::Right;

fn pltr() -> Asset {
    Asset::stock("PLTR").unwrap()
}

fn margin() -> Account {
    Account::Margin(MarginRates::default())
}

/// Submits at 10:00 on 2025-03-10 with every price at `price`.
fn submit(broker: &mut Broker, asset: Asset, side: Side, qty: u64, price: f64) -> Result<OrderId, OrderError> {
    let now = at(2025, 3, 10, 10, 0);
    broker.submit(now, asset, side, qty, OrderKind::Market, TimeInForce::Gtc, "t", &mut |_| Some(price))
}

#[test]
fn a_cash_account_pays_in_full_fees_included() {
    let mut broker = Broker::new(10_000.0, FeeModel::percent(0.001), Account::Cash);
    // 99 × 100 = 9,900 + 9.90 fee fits; 100 × 100 + 10 does not.
    assert!(submit(&mut broker, pltr(), Side::Buy, 99, 100.0).is_ok());
    let mut fresh = Broker::new(10_000.0, FeeModel::percent(0.001), Account::Cash);
    let err = submit(&mut fresh, pltr(), Side::Buy, 100, 100.0).unwrap_err();
    assert_eq!(err, OrderError::InsufficientBuyingPower { needs: 10_010.0, has: 10_000.0 });
    assert_eq!(err.to_string(), "insufficient buying power: needs 10,010.00, has 10,000.00");
    assert!(err.is_account_refusal());
    let events = fresh.take_events();
    assert!(matches!(&events[..], [RunEvent::OrderRejected { order_id: None, reason, cash, .. }]
        if reason == "insufficient buying power: needs 10,010.00, has 10,000.00" && *cash == 10_000.0));
}

#[test]
fn open_buys_reserve_their_cost() {
    let mut broker = Broker::new(10_000.0, FeeModel::default(), Account::Cash);
    submit(&mut broker, pltr(), Side::Buy, 60, 100.0).unwrap();
    let err = submit(&mut broker, pltr(), Side::Buy, 50, 100.0).unwrap_err();
    assert_eq!(err, OrderError::InsufficientBuyingPower { needs: 5_000.0, has: 4_000.0 });
    assert_eq!(broker.buying_power(&mut |_| Some(100.0)), 4_000.0);
    // A cancel gives the reservation back.
    broker.cancel(OrderId(1), at(2025, 3, 10, 10, 1), "changed my mind");
    assert!(submit(&mut broker, pltr(), Side::Buy, 50, 100.0).is_ok());
}

#[test]
fn a_cash_account_never_sells_short_or_writes_options() {
    let mut broker = Broker::new(10_000.0, FeeModel::default(), Account::Cash);
    let err = submit(&mut broker, pltr(), Side::Sell, 5, 100.0).unwrap_err();
    assert_eq!(err, OrderError::ShortInCashAccount { asset: "PLTR".into(), selling: 5, available: 0 });
    let call = Asset::Option(contract("PLTR", date(2025, 4, 18), 91.0, Right::Call));
    assert!(matches!(submit(&mut broker, call, Side::Sell, 1, 2.0), Err(OrderError::ShortInCashAccount { .. })));

    // Held shares can be sold, but not twice over.
    let t = at(2025, 3, 10, 10, 0);
    let mut data = FakeData::default().bar(&pltr(), bar(t, 100.0, 100.0, 100.0, 100.0));
    submit(&mut broker, pltr(), Side::Buy, 10, 100.0).unwrap();
    broker.process(t, &mut data);
    assert_eq!(broker.portfolio().position(&pltr()).map(|p| p.quantity), Some(10));
    assert!(submit(&mut broker, pltr(), Side::Sell, 6, 100.0).is_ok());
    let err = submit(&mut broker, pltr(), Side::Sell, 6, 100.0).unwrap_err();
    assert_eq!(err, OrderError::ShortInCashAccount { asset: "PLTR".into(), selling: 6, available: 4 });
}

#[test]
fn a_fill_the_account_cannot_pay_is_refused_at_the_fill() {
    let mut broker = Broker::new(10_000.0, FeeModel::default(), Account::Cash);
    let t = at(2025, 3, 10, 10, 0);
    // Nothing priced PLTR yet: the market order is checked when it fills.
    let id = broker.submit(t, pltr(), Side::Buy, 100, OrderKind::Market, TimeInForce::Day, "t", &mut |_| None).unwrap();
    let mut data = FakeData::default().bar(&pltr(), bar(t, 120.0, 121.0, 119.0, 120.5));
    let events = broker.process(t, &mut data);
    let rejected = events.iter().find(|e| matches!(e, RunEvent::OrderRejected { .. }));
    assert!(
        matches!(rejected, Some(RunEvent::OrderRejected { order_id: Some(i), reason, .. })
            if *i == id && reason == "insufficient buying power: needs 12,000.00, has 10,000.00"),
        "{events:?}"
    );
    assert_eq!(broker.portfolio().cash(), 10_000.0, "nothing was paid");
    assert!(matches!(broker.status(id), Some(OrderStatus::Cancelled { .. })));
    assert_eq!(broker.buying_power(&mut |_| None), 10_000.0, "its reservation is released");
}

#[test]
fn margin_lets_long_stock_borrow_half() {
    let mut broker = Broker::new(10_000.0, FeeModel::default(), margin());
    // 50% initial: $20,000 of stock needs $10,000 of equity.
    assert!(submit(&mut broker, pltr(), Side::Buy, 200, 100.0).is_ok());
    let mut other = Broker::new(10_000.0, FeeModel::default(), margin());
    let err = submit(&mut other, pltr(), Side::Buy, 201, 100.0).unwrap_err();
    assert_eq!(err, OrderError::InsufficientBuyingPower { needs: 10_050.0, has: 10_000.0 });
}

#[test]
fn margin_shorts_need_150_percent_proceeds_included() {
    let rates = MarginRates::default();
    let account = Account::Margin(rates);
    let short = [Holding { asset: pltr(), quantity: -100, price: 50.0 }];
    // $5,000 short: proceeds cover 100%, equity must cover the other 50% (30% to maintain).
    assert_eq!(account.requirement(&short, Phase::Initial, &mut |_| None), 2_500.0);
    assert!((account.requirement(&short, Phase::Maintenance, &mut |_| None) - 1_500.0).abs() < 1e-9);
    let long = [Holding { asset: pltr(), quantity: 100, price: 50.0 }];
    assert_eq!(account.requirement(&long, Phase::Initial, &mut |_| None), 2_500.0);
    assert_eq!(account.requirement(&long, Phase::Maintenance, &mut |_| None), 1_250.0);
    assert_eq!(Account::Cash.requirement(&long, Phase::Initial, &mut |_| None), 0.0);
}

#[test]
fn short_options_follow_the_cboe_minimum() {
    // Call, strike 105, underlying 100 (5 OTM), premium 2: 2 + max(20 − 5, 10) = 17 per share.
    assert_eq!(short_option_per_share(Right::Call, 105.0, 100.0, 2.0), 17.0);
    // Deep OTM call, strike 150: 20 − 50 < 10, so the 10% floor: 0.5 + 10.
    assert_eq!(short_option_per_share(Right::Call, 150.0, 100.0, 0.5), 10.5);
    // Put, strike 95, underlying 100 (5 OTM), premium 1.5: 1.5 + max(15, 9.5) = 16.5.
    assert_eq!(short_option_per_share(Right::Put, 95.0, 100.0, 1.5), 16.5);
    // Deep OTM put, strike 50: floor is 10% of the strike, 0.1 + 5.
    assert_eq!(short_option_per_share(Right::Put, 50.0, 100.0, 0.1), 5.1);
    // A put never needs more than its strike: strike 10, underlying 1, premium 9.5 → 9.5 + 1 capped at 10.
    assert_eq!(short_option_per_share(Right::Put, 10.0, 1.0, 9.5), 10.0);
}

#[test]
fn a_covered_call_needs_nothing_beyond_its_shares() {
    let account = margin();
    let call = Asset::Option(contract("PLTR", date(2025, 4, 18), 105.0, Right::Call));
    let spot = &mut |a: &Asset| (*a == pltr()).then_some(100.0);
    let naked = [Holding { asset: call, quantity: -2, price: 2.0 }];
    assert_eq!(account.requirement(&naked, Phase::Initial, spot), 2.0 * 17.0 * 100.0);
    let covered =
        [Holding { asset: pltr(), quantity: 200, price: 100.0 }, Holding { asset: call, quantity: -2, price: 2.0 }];
    assert_eq!(account.requirement(&covered, Phase::Initial, spot), 10_000.0, "only the shares' 50%");
    let half =
        [Holding { asset: pltr(), quantity: 150, price: 100.0 }, Holding { asset: call, quantity: -2, price: 2.0 }];
    assert_eq!(account.requirement(&half, Phase::Initial, spot), 7_500.0 + 1_700.0, "one contract stays naked");
    // Long options are paid in full.
    let long = [Holding { asset: call, quantity: 3, price: 2.0 }];
    assert_eq!(account.requirement(&long, Phase::Maintenance, spot), 600.0);
}

#[test]
fn a_margin_call_liquidates_at_the_next_open_with_its_own_tag() {
    let mut broker = Broker::new(10_000.0, FeeModel::default(), margin());
    let (day1, day2) = (at(2025, 3, 10, 10, 0), at(2025, 3, 11, 9, 30));
    let mut data = FakeData::default()
        .bar(&pltr(), bar(day1, 100.0, 100.0, 100.0, 100.0))
        .bar(&pltr(), bar(day1 + Duration::minutes(300), 60.0, 60.0, 60.0, 60.0))
        .bar(&pltr(), bar(day2, 58.0, 58.0, 58.0, 58.0));
    submit(&mut broker, pltr(), Side::Buy, 200, 100.0).unwrap();
    broker.process(day1, &mut data);
    assert_eq!(broker.portfolio().cash(), -10_000.0, "half borrowed");

    // At the close PLTR is 60: equity 2,000 < 25% of 12,000.
    let close = at(2025, 3, 10, 16, 0);
    let valuation = broker.mark_to_market(close, &mut data);
    assert_eq!((valuation.total, valuation.margin_used), (2_000.0, 6_000.0));
    let calls = broker.take_events();
    assert!(
        matches!(&calls[..], [RunEvent::MarginCall { equity, requirement, .. }]
        if *equity == 2_000.0 && *requirement == 3_000.0),
        "{calls:?}"
    );

    // Not before the grace: a later look the same day does nothing.
    assert!(broker.process(close, &mut data).is_empty());
    let events = broker.process(day2, &mut data);
    let fill = events.iter().find_map(|e| match e {
        RunEvent::Filled { side, quantity, price, tag, .. } => Some((*side, *quantity, *price, tag.clone())),
        _ => None,
    });
    assert_eq!(fill, Some((Side::Sell, 200, 58.0, LIQUIDATION_TAG.to_string())), "{events:?}");
    assert!(broker.portfolio().position(&pltr()).is_none());
    assert_eq!(broker.portfolio().cash(), -10_000.0 + 200.0 * 58.0);
}

#[test]
fn accounts_read_and_print_their_command_line_form() {
    assert_eq!("cash".parse::<Account>().unwrap(), Account::Cash);
    assert_eq!("margin".parse::<Account>().unwrap(), margin());
    let custom: Account = "margin:long=60/30,short=200/150,grace=2".parse().unwrap();
    let Account::Margin(r) = custom else { panic!() };
    assert_eq!((r.long_initial, r.long_maintenance, r.short_initial, r.short_maintenance), (0.6, 0.3, 2.0, 1.5));
    assert_eq!(r.grace_sessions, 2);
    assert_eq!(custom.to_string(), "margin:long=60/30,short=200/150,grace=2");
    assert_eq!(custom.to_string().parse::<Account>().unwrap(), custom);
    let err = |s: &str| s.parse::<Account>().unwrap_err().to_string();
    assert!(err("portfolio").contains("unknown account type \"portfolio\""));
    assert!(err("margin:long=25/50").contains("maintenance 50% above initial 25%"));
    assert!(err("margin:long=abc/25").contains("\"abc\" is not a positive percentage"));
    assert!(err("cash:long=50/25").contains("a cash account takes no rates"));
    assert_eq!(serde_json::to_string(&margin()).unwrap(), "\"margin\"");
}

#[test]
fn money_reads_like_a_statement() {
    assert_eq!(money(5412.3), "5,412.30");
    assert_eq!(money(1020.554), "1,020.55");
    assert_eq!(money(-41212.0), "-41,212.00");
    assert_eq!(money(999.999), "1,000.00");
    assert_eq!(money(-0.001), "0.00");
    assert_eq!(money(1_234_567.0), "1,234,567.00");
}

#[test]
fn liquidation_closes_short_options_first_and_stops_once_maintenance_is_met() {
    let mut broker = Broker::new(5_000.0, FeeModel::default(), margin());
    let call = Asset::Option(contract("PLTR", date(2025, 4, 18), 110.0, Right::Call));
    let (day1, day2) = (at(2025, 3, 10, 10, 0), at(2025, 3, 11, 9, 30));
    let mut data = FakeData::default()
        .bar(&pltr(), bar(day1, 100.0, 100.0, 100.0, 100.0))
        .bar(&call, bar(day1, 2.0, 2.0, 2.0, 2.0))
        .bar(&call, bar(day1 + Duration::minutes(300), 20.0, 20.0, 20.0, 20.0))
        .bar(&pltr(), bar(day1 + Duration::minutes(300), 120.0, 120.0, 120.0, 120.0))
        .bar(&call, bar(day2, 21.0, 21.0, 21.0, 21.0))
        .bar(&pltr(), bar(day2, 121.0, 121.0, 121.0, 121.0));
    // 50 shares (needs 2,500) and 2 naked calls written at 2 (needs 2 × 100 × (2 + 10)).
    submit(&mut broker, pltr(), Side::Buy, 50, 100.0).unwrap();
    broker.process(day1, &mut data);
    let spot = |a: &Asset| if *a == pltr() { Some(100.0) } else { Some(2.0) };
    broker.submit(day1, call, Side::Sell, 2, OrderKind::Market, TimeInForce::Gtc, "t", &mut { spot }).unwrap();
    broker.process(day1, &mut data);
    assert_eq!(broker.portfolio().position(&call).map(|p| p.quantity), Some(-2));

    // The rally: the calls are worth 20 and PLTR 120, equity 5,000 − 5,000 + 400 + 6,000 − 4,000 = 2,400.
    broker.mark_to_market(at(2025, 3, 10, 16, 0), &mut data);
    assert!(matches!(&broker.take_events()[..], [RunEvent::MarginCall { .. }]));
    let events = broker.process(day2, &mut data);
    let liquidated: Vec<(Asset, Side)> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Filled { asset, side, tag, .. } if tag == LIQUIDATION_TAG => Some((*asset, *side)),
            _ => None,
        })
        .collect();
    assert_eq!(liquidated, [(call, Side::Buy)], "the short calls go first, and the shares stay: {events:?}");
    assert_eq!(broker.portfolio().position(&pltr()).map(|p| p.quantity), Some(50));
}
