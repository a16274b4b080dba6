//! The broker on hand-made bars and quotes (`testutil::FakeData`): order timing,
//! fills, cancels, DAY expiry, option expiry and settlement, marks, and the same
//! events from the same calls.

use super::*;
use crate::engine::account::{Account, MarginRates};
use crate::engine::events::RunEvent::{Cancelled, Expired, Filled, OrderRejected, OrderSubmitted, Settled};
use crate::engine::order::OrderKind::{Limit, Market, StopLimit};
use crate::engine::order::Side::{Buy, Sell};
use crate::engine::order::TimeInForce::{Day, Gtc};
use crate::engine::testutil::{FakeData, at, bar, date, empty_bar, pltr_call, quote};
use crate::engine::valuation::MarkSource;

/// These tests are about orders, fills and expiries: a margin account lets
/// them short and spend freely (the account rules have their own tests).
fn margin() -> Account {
    Account::Margin(MarginRates::default())
}

fn pltr() -> Asset {
    Asset::stock("PLTR").unwrap()
}

fn submit(
    broker: &mut Broker,
    now: DateTime<Utc>,
    asset: Asset,
    side: Side,
    qty: u64,
    kind: OrderKind,
    tif: TimeInForce,
) -> OrderId {
    broker.submit(now, asset, side, qty, kind, tif, "t", &mut |_| None).unwrap()
}

#[test]
fn ids_are_sequential_and_submissions_are_recorded() {
    let mut broker = Broker::new(10_000.0, FeeModel::default(), margin());
    let now = at(2025, 3, 10, 9, 30);
    assert_eq!(submit(&mut broker, now, pltr(), Buy, 1, Market, Day), OrderId(1));
    let err = broker.submit(now, pltr(), Buy, 0, Market, Day, "", &mut |_| None).unwrap_err();
    assert_eq!(err, OrderError::ZeroQuantity);
    assert_eq!(submit(&mut broker, now, pltr(), Sell, 2, Limit { limit: 90.0 }, Gtc), OrderId(2));
    let events = broker.take_events();
    assert!(matches!(&events[0], OrderSubmitted { order_id: OrderId(1), quantity: 1, .. }));
    assert!(matches!(&events[1], OrderRejected { reason, .. } if reason == "quantity must be positive, got 0"));
    assert!(matches!(&events[2], OrderSubmitted { order_id: OrderId(2), tif: Gtc, .. }));
    let ids: Vec<_> = broker.open_orders().iter().map(|o| o.id).collect();
    assert_eq!(ids, [OrderId(1), OrderId(2)]);
    assert!(broker.take_events().is_empty());
}

#[test]
fn market_order_fills_at_the_first_bar_opening_at_or_after_submission() {
    let mut data = FakeData::default()
        .bar(&pltr(), bar(at(2025, 3, 10, 9, 30), 80.0, 81.0, 79.0, 80.5))
        .bar(&pltr(), bar(at(2025, 3, 10, 9, 31), 82.0, 83.0, 81.0, 82.5));
    let mut broker = Broker::new(10_000.0, FeeModel { flat_per_order: 1.0, ..FeeModel::default() }, margin());
    let submitted = at(2025, 3, 10, 9, 30) + Duration::seconds(30);
    submit(&mut broker, submitted, pltr(), Buy, 10, Market, Day);
    let events = broker.process(submitted, &mut data);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(events[0], OrderSubmitted { .. }));
    assert_eq!(
        events[1],
        Filled {
            time: at(2025, 3, 10, 9, 31),
            order_id: OrderId(1),
            asset: pltr(),
            side: Buy,
            quantity: 10,
            price: 82.0,
            fee: 1.0,
            source: FillSource::Trade,
            tag: "t".into(),
            realized_pnl: 0.0,
            cash_after: 10_000.0 - 820.0 - 1.0,
        }
    );
    assert!(broker.open_orders().is_empty());
    assert_eq!(broker.status(OrderId(1)), Some(OrderStatus::Filled { time: at(2025, 3, 10, 9, 31), price: 82.0 }));
    assert_eq!(broker.portfolio().position(&pltr()).map(|p| p.quantity), Some(10));
}

#[test]
fn day_order_expires_at_the_close_with_its_last_reason_and_gtc_survives() {
    let day1 = at(2025, 3, 10, 9, 30);
    let mut data = FakeData::default()
        .bar(&pltr(), bar(day1, 80.0, 81.0, 79.0, 80.5))
        .bar(&pltr(), bar(at(2025, 3, 11, 9, 30), 76.0, 77.0, 75.0, 76.5));
    let mut broker = Broker::new(10_000.0, FeeModel::default(), margin());
    let day_id = submit(&mut broker, day1, pltr(), Buy, 1, Limit { limit: 78.0 }, Day);
    let gtc_id = submit(&mut broker, day1, pltr(), Buy, 1, Limit { limit: 78.0 }, Gtc);
    let events = broker.process(day1, &mut data);
    assert_eq!(events.len(), 2, "only the two submissions: {events:?}");
    assert_eq!(broker.open_orders().len(), 2);
    let waiting = broker.open_orders()[0].waiting.clone().unwrap();
    assert_eq!(waiting, "BUY limit 78 not reached: bar at 2025-03-10 09:30 -04:00 open 80 high 81 low 79");

    let closed = broker.end_of_session(date(2025, 3, 10), &mut data);
    let reason = format!("day order not filled by the 2025-03-10 close; last: {waiting}");
    let close = at(2025, 3, 10, 16, 0);
    assert_eq!(closed, vec![Expired { time: close, order_id: day_id, asset: pltr(), reason: reason.clone() }]);
    assert_eq!(broker.status(day_id), Some(OrderStatus::Expired { time: close, reason }));

    // The GTC order meets the next day's first bar, which gaps below its limit.
    let day2 = at(2025, 3, 11, 9, 30);
    let events = broker.process(day2, &mut data);
    assert!(
        matches!(&events[..], [Filled { order_id, price, time, .. }] if *order_id == gtc_id && *price == 76.0 && *time == day2)
    );
    assert!(broker.open_orders().is_empty());
}

#[test]
fn cancel_closes_an_open_order_once() {
    let now = at(2025, 3, 10, 9, 30);
    let mut broker = Broker::new(10.0, FeeModel::default(), margin());
    let id = submit(&mut broker, now, pltr(), Buy, 1, Limit { limit: 1.0 }, Gtc);
    broker.take_events();
    assert!(broker.cancel(id, now, "strategy changed its mind"));
    assert!(!broker.cancel(id, now, "again"));
    assert!(!broker.cancel(OrderId(99), now, "unknown"));
    let events = broker.process(now, &mut FakeData::default());
    assert_eq!(
        events,
        vec![Cancelled { time: now, order_id: id, asset: pltr(), reason: "strategy changed its mind".into() }]
    );
    assert!(broker.open_orders().is_empty());
    assert!(matches!(broker.status(id), Some(OrderStatus::Cancelled { .. })));
}

#[test]
fn untraded_option_fills_at_the_ask_with_fees_on_true_notional() {
    let t = at(2025, 3, 10, 9, 31);
    let opt = pltr_call();
    let mut data = FakeData::default().bar(&opt, empty_bar(t)).quote(&opt, quote(t, 3.60, 3.70));
    let mut broker = Broker::new(100_000.0, FeeModel::percent(0.001), margin());
    submit(&mut broker, t, opt, Buy, 17, Market, Day);
    let events = broker.process(t, &mut data);
    let Some(Filled { price, fee, source, cash_after, .. }) = events.last() else { panic!("{events:?}") };
    assert_eq!((*price, *source), (3.70, FillSource::Quote));
    assert!((fee - 6.29).abs() < 1e-9, "{fee}");
    // Exact, as long as the test adds in the order the portfolio does.
    assert_eq!(*cash_after, 100_000.0 + (-(3.70 * 17.0 * 100.0) - fee));
}

#[test]
fn orders_for_a_contract_without_data_wait_or_expire_with_the_reason() {
    let t = at(2025, 3, 10, 9, 31);
    let mut data = FakeData::default();
    let mut broker = Broker::new(100_000.0, FeeModel::default(), margin());
    let day = submit(&mut broker, t, pltr_call(), Buy, 1, Market, Day);
    let gtc = submit(&mut broker, t, pltr_call(), Buy, 1, Market, Gtc);
    broker.process(t, &mut data);
    let expected = "no bar for PLTR 2025-04-18 91 C at or after 2025-03-10 09:31 -04:00";
    assert!(broker.open_orders().iter().all(|o| o.waiting.as_deref() == Some(expected)));
    let events = broker.end_of_session(date(2025, 3, 10), &mut data);
    assert!(
        matches!(&events[..], [Expired { order_id, reason, .. }] if *order_id == day && reason.ends_with(expected))
    );
    assert_eq!(broker.open_orders().iter().map(|o| o.id).collect::<Vec<_>>(), [gtc]);
}

#[test]
fn an_untraded_bar_without_a_quote_is_passed_and_the_next_bar_is_used() {
    let opt = pltr_call();
    let (t1, t2) = (at(2025, 3, 10, 9, 31), at(2025, 3, 10, 9, 32));
    let mut data =
        FakeData::default().bar(&opt, empty_bar(t1)).bar(&opt, empty_bar(t2)).quote(&opt, quote(t2, 1.0, 1.1));
    let mut broker = Broker::new(10_000.0, FeeModel::default(), margin());
    submit(&mut broker, t1, opt, Sell, 1, Market, Day);
    broker.process(t1, &mut data);
    assert_eq!(
        broker.open_orders()[0].waiting.as_deref(),
        Some("no quote for PLTR 2025-04-18 91 C at 2025-03-10 09:31 -04:00")
    );
    // Asked again at the same instant, the order moves on to the next bar.
    let events = broker.process(t1, &mut data);
    assert!(matches!(&events[..], [Filled { price, time, .. }] if *price == 1.0 && *time == t2), "{events:?}");
    assert_eq!(broker.portfolio().position(&opt).map(|p| p.quantity), Some(-1));
}

#[test]
fn a_stop_limit_remembers_its_trigger_across_bars() {
    let (t1, t2) = (at(2025, 3, 10, 9, 31), at(2025, 3, 10, 9, 32));
    // Gaps over stop 9 to 10 without coming back to limit 9.5; the next bar does.
    let mut data =
        FakeData::default().bar(&pltr(), bar(t1, 10.0, 10.5, 9.8, 10.2)).bar(&pltr(), bar(t2, 9.7, 9.9, 9.4, 9.6));
    let mut broker = Broker::new(1_000.0, FeeModel::default(), margin());
    submit(&mut broker, t1, pltr(), Buy, 1, StopLimit { stop: 9.0, limit: 9.5 }, Day);
    assert_eq!(broker.process(t1, &mut data).len(), 1, "only the submission");
    assert!(broker.open_orders()[0].triggered);
    let events = broker.process(t2, &mut data);
    assert!(matches!(&events[..], [Filled { price, .. }] if *price == 9.5), "{events:?}");
}

#[test]
fn expiry_cancels_open_orders_then_settles_in_the_money() {
    let t = at(2025, 4, 17, 10, 0);
    let opt = pltr_call();
    let mut data = FakeData::default().bar(&opt, bar(t, 3.0, 3.0, 3.0, 3.0));
    data.closes.insert(("PLTR".into(), date(2025, 4, 17)), 95.5);
    let mut broker = Broker::new(10_000.0, FeeModel::default(), margin());
    submit(&mut broker, t, opt, Buy, 2, Market, Day);
    broker.process(t, &mut data);
    let exit = submit(&mut broker, t, opt, Sell, 2, Limit { limit: 9.0 }, Gtc);
    broker.take_events();

    // The contract expires on Good Friday; its last session, the 17th, settles it.
    let close = at(2025, 4, 17, 16, 0);
    let events = broker.end_of_session(date(2025, 4, 17), &mut data);
    assert_eq!(
        events,
        vec![
            Cancelled {
                time: close,
                order_id: exit,
                asset: opt,
                reason: "PLTR 2025-04-18 91 C expires at the 2025-04-17 close".into()
            },
            Settled {
                time: close,
                asset: opt,
                quantity: 2,
                underlying_close: 95.5,
                intrinsic: 4.5,
                cash: 900.0,
                realized_pnl: 300.0,
                cash_after: 10_000.0 - 600.0 + 900.0
            },
        ]
    );
    assert_eq!(data.close_requests, [("PLTR".to_string(), date(2025, 4, 17))]);
    assert_eq!(broker.portfolio().cash(), 10_000.0 - 600.0 + 900.0);
    assert!(broker.portfolio().positions().is_empty() && broker.open_orders().is_empty());
}

#[test]
fn expiry_out_of_the_money_is_worthless_and_a_missing_close_is_retried() {
    let t = at(2025, 4, 16, 10, 0);
    let opt = pltr_call();
    let mut data = FakeData::default().bar(&opt, bar(t, 1.0, 1.0, 1.0, 1.0));
    let mut broker = Broker::new(1_000.0, FeeModel::default(), margin());
    submit(&mut broker, t, opt, Buy, 1, Market, Day);
    broker.process(t, &mut data);
    assert!(broker.end_of_session(date(2025, 4, 16), &mut data).is_empty(), "not yet expiring");

    let pending = broker.end_of_session(date(2025, 4, 17), &mut data);
    assert!(matches!(&pending[..], [RunEvent::SettlementPending { quantity: 1, reason, .. }]
        if reason == "no close for PLTR on 2025-04-17; retried at each session end"));
    assert_eq!(broker.portfolio().positions().len(), 1);

    data.closes.insert(("PLTR".into(), date(2025, 4, 17)), 80.0);
    let settled = broker.end_of_session(date(2025, 4, 21), &mut data);
    assert!(matches!(&settled[..], [Settled { intrinsic, cash, realized_pnl, time, cash_after, .. }]
        if *intrinsic == 0.0 && *cash == 0.0 && *realized_pnl == -100.0 && *time == at(2025, 4, 21, 16, 0)
            && *cash_after == 900.0));
    assert!(broker.portfolio().positions().is_empty());
    assert_eq!(broker.portfolio().cash(), 900.0);
}

#[test]
fn mark_to_market_falls_back_from_mid_to_last_trade_to_last_mark() {
    let t = at(2025, 3, 10, 9, 31);
    let opt = pltr_call();
    let mut data =
        FakeData::default().bar(&opt, bar(t, 2.0, 2.0, 2.0, 2.2)).bar(&pltr(), bar(t, 80.0, 80.0, 80.0, 81.0));
    let mut broker = Broker::new(10_000.0, FeeModel::default(), margin());
    submit(&mut broker, t, opt, Buy, 1, Market, Gtc);
    submit(&mut broker, t, pltr(), Buy, 10, Market, Gtc);
    broker.process(t, &mut data);
    let cash = 10_000.0 - 200.0 - 800.0;

    // Before the bars close: nothing new, the fill prices are the last marks.
    let v = broker.mark_to_market(t, &mut data);
    let sources: Vec<_> = v.lines.iter().map(|l| (l.price, l.source)).collect();
    assert_eq!(sources, [(80.0, MarkSource::LastMark), (2.0, MarkSource::LastMark)]);
    assert_eq!(v.total, cash + 800.0 + 200.0);

    // After: the stock at its last trade; the option too, having no quote.
    let later = at(2025, 3, 10, 9, 40);
    let v = broker.mark_to_market(later, &mut data);
    let sources: Vec<_> = v.lines.iter().map(|l| (l.price, l.source)).collect();
    assert_eq!(sources, [(81.0, MarkSource::LastTrade), (2.2, MarkSource::LastTrade)]);

    // With a two-sided quote the option is marked at the mid.
    data.quotes.insert(opt, vec![quote(later, 2.4, 2.6)]);
    let v = broker.mark_to_market(later, &mut data);
    assert_eq!((v.lines[1].price, v.lines[1].source), (2.5, MarkSource::QuoteMid));
    assert_eq!(v.total, cash + 810.0 + 250.0);
    assert_eq!(broker.portfolio().position(&opt).and_then(|p| p.last_mark), Some(2.5));
}

/// The same script twice gives byte-identical records.
#[test]
fn runs_are_deterministic() {
    let run = || {
        let t = at(2025, 3, 10, 9, 31);
        let opt = pltr_call();
        let mut data = FakeData::default()
            .bar(&opt, empty_bar(t))
            .quote(&opt, quote(t, 1.5, 1.6))
            .bar(&pltr(), bar(t, 80.0, 81.0, 79.0, 80.0))
            .bar(&Asset::stock("AAPL").unwrap(), bar(t, 200.0, 201.0, 199.0, 200.0));
        let mut broker = Broker::new(100_000.0, FeeModel::percent(0.001), margin());
        for asset in [opt, Asset::stock("AAPL").unwrap(), pltr()] {
            submit(&mut broker, t, asset, Buy, 3, Market, Day);
        }
        let mut events = broker.process(t, &mut data);
        events.extend(broker.end_of_session(date(2025, 3, 10), &mut data));
        (serde_json::to_string(&events).unwrap(), format!("{:?}", broker.portfolio()))
    };
    let (first, second) = (run(), run());
    assert_eq!(first, second);
    assert!(first.0.contains(r#""order_id":3"#));
}
