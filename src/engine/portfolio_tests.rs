//! The portfolio's bookkeeping on worked examples: cash and fees per fill,
//! average cost, realized P&L, flips, expiry settlement and valuation.

use super::*;
use crate::engine::fees::FeeModel;
use crate::engine::testutil::{at, contract, date, pltr_call};
use crate::market::Right;

fn t() -> DateTime<Utc> {
    at(2025, 3, 13, 9, 30)
}

fn hims_call() -> Asset {
    Asset::Option(contract("HIMS", date(2025, 4, 4), 33.0, Right::Call))
}

#[test]
fn option_cash_moves_by_the_multiplier_and_the_fee() {
    let mut p = Portfolio::new(100_000.0);
    let fee = FeeModel::percent(0.001).fee(3.70, 17, 100.0);
    let effect = p.apply_fill(t(), &hims_call(), Side::Buy, 17, 3.70, fee);
    assert_eq!(effect.cash_change, -(3.70 * 17.0 * 100.0) - fee);
    assert!((effect.cash_change - -6_296.29).abs() < 1e-9);
    assert_eq!(p.cash(), 100_000.0 + effect.cash_change);
    let pos = p.position(&hims_call()).unwrap();
    assert_eq!((pos.quantity, pos.average_cost, pos.last_mark, pos.opened_at), (17, 3.70, Some(3.70), t()));
}

/// The reference's parity round trip: HIMS 33C ×17 bought at 3.70, sold at 1.79,
/// 0.1 % fees. The reference booked −3,247.09 because its fees lacked ×100; on the
/// true notional the fees are (3.70 + 1.79) × 17 × 100 × 0.001 = 9.333.
#[test]
fn reference_round_trip_with_fees_on_true_notional() {
    let fees = FeeModel::percent(0.001);
    let mut p = Portfolio::new(100_000.0);
    let buy_fee = fees.fee(3.70, 17, 100.0);
    let sell_fee = fees.fee(1.79, 17, 100.0);
    p.apply_fill(t(), &hims_call(), Side::Buy, 17, 3.70, buy_fee);
    let sell = p.apply_fill(at(2025, 3, 20, 9, 30), &hims_call(), Side::Sell, 17, 1.79, sell_fee);

    assert!((buy_fee + sell_fee - 9.333).abs() < 1e-9, "{}", buy_fee + sell_fee);
    let change = p.cash() - 100_000.0;
    assert!((change - -3_256.333).abs() < 1e-9, "{change}");
    // Exactly what the two fills computed, in the order they computed it.
    let buy_change = -(3.70 * 17.0 * 100.0) - buy_fee;
    let sell_change = 1.79 * 17.0 * 100.0 - sell_fee;
    assert_eq!(p.cash(), 100_000.0 + buy_change + sell_change);
    assert_eq!(sell.realized_pnl, (1.79 - 3.70) * 17.0 * 100.0);
    assert!((p.realized_pnl() - -3_247.0).abs() < 1e-9);
    assert!((p.fees_paid() - 9.333).abs() < 1e-9);
    assert!(p.positions().is_empty(), "a flat position is removed");
}

#[test]
fn average_cost_realized_pnl_and_flipping_to_short() {
    let stock = Asset::stock("PLTR").unwrap();
    let mut p = Portfolio::new(10_000.0);
    p.apply_fill(t(), &stock, Side::Buy, 10, 10.0, 0.0);
    p.apply_fill(t(), &stock, Side::Buy, 10, 12.0, 0.0);
    assert_eq!(p.position(&stock).unwrap().average_cost, 11.0);

    let partial = p.apply_fill(t(), &stock, Side::Sell, 5, 15.0, 0.0);
    assert_eq!(partial.realized_pnl, 20.0);
    let pos = p.position(&stock).unwrap();
    assert_eq!((pos.quantity, pos.average_cost, pos.realized_pnl), (15, 11.0, 20.0));

    // Selling 20 closes 15 at a loss of 2 each and opens a short of 5 at 9.
    let later = at(2025, 3, 14, 10, 0);
    let flip = p.apply_fill(later, &stock, Side::Sell, 20, 9.0, 0.0);
    assert_eq!(flip.realized_pnl, -30.0);
    let pos = p.position(&stock).unwrap();
    assert_eq!((pos.quantity, pos.average_cost, pos.opened_at), (-5, 9.0, later));

    // Covering the short below its cost is a gain.
    let cover = p.apply_fill(later, &stock, Side::Buy, 5, 8.0, 0.0);
    assert_eq!(cover.realized_pnl, 5.0);
    assert!(p.position(&stock).is_none());
    assert_eq!(p.realized_pnl(), -5.0);
    // 10 000 − 100 − 120 + 75 + 180 − 40 = 9 995 = start + realized (no fees).
    assert_eq!(p.cash(), 9_995.0);
}

#[test]
fn expiry_in_the_money_credits_intrinsic_times_100() {
    let Asset::Option(c) = pltr_call() else { unreachable!() };
    let mut p = Portfolio::new(0.0);
    p.apply_fill(t(), &pltr_call(), Side::Buy, 2, 3.0, 0.0);
    let s = p.settle_option(&c, 95.5).unwrap();
    assert_eq!((s.quantity, s.intrinsic, s.cash, s.realized_pnl), (2, 4.5, 900.0, 300.0));
    assert_eq!(p.cash(), -600.0 + 900.0);
    assert!(p.positions().is_empty());
    assert_eq!(p.settle_option(&c, 95.5), None, "nothing left to settle");
}

#[test]
fn expiry_out_of_the_money_is_worthless() {
    let Asset::Option(c) = pltr_call() else { unreachable!() };
    let mut p = Portfolio::new(1_000.0);
    p.apply_fill(t(), &pltr_call(), Side::Buy, 1, 2.0, 0.0);
    let s = p.settle_option(&c, 90.0).unwrap();
    assert_eq!((s.intrinsic, s.cash, s.realized_pnl), (0.0, 0.0, -200.0));
    assert_eq!(p.cash(), 800.0);
    assert!(p.positions().is_empty());
}

#[test]
fn short_put_settles_by_paying_intrinsic() {
    let put = contract("PLTR", date(2025, 3, 21), 91.0, Right::Put);
    let asset = Asset::Option(put);
    let mut p = Portfolio::new(0.0);
    p.apply_fill(t(), &asset, Side::Sell, 3, 1.5, 0.0);
    assert_eq!(p.position(&asset).unwrap().quantity, -3);
    let s = p.settle_option(&put, 90.0).unwrap();
    assert_eq!((s.intrinsic, s.cash, s.realized_pnl), (1.0, -300.0, 150.0));
    assert_eq!(p.cash(), 450.0 - 300.0);
    // A short that expires worthless keeps its premium and pays nothing.
    p.apply_fill(t(), &asset, Side::Sell, 1, 1.5, 0.0);
    assert_eq!(p.settle_option(&put, 95.0).map(|s| s.cash), Some(-0.0));
}

#[test]
fn value_uses_marks_then_last_mark_then_average_cost() {
    let mut p = Portfolio::new(1_000.0);
    let stock = Asset::stock("PLTR").unwrap();
    p.apply_fill(t(), &pltr_call(), Side::Buy, 1, 2.0, 0.0);
    p.apply_fill(t(), &stock, Side::Buy, 10, 80.0, 0.0);
    p.set_mark(&stock, 81.0);
    let mut marks = BTreeMap::new();
    marks.insert(pltr_call(), Mark { price: 2.5, source: MarkSource::QuoteMid });
    let v = p.value(&marks);
    assert_eq!(v.cash, 1_000.0 - 200.0 - 800.0);
    let lines: Vec<_> = v.lines.iter().map(|l| (l.asset, l.price, l.source, l.value)).collect();
    assert_eq!(
        lines,
        vec![(stock, 81.0, MarkSource::LastMark, 810.0), (pltr_call(), 2.5, MarkSource::QuoteMid, 250.0)]
    );
    assert_eq!((v.positions_value, v.total), (1_060.0, 1_060.0));
    // Unrealized P&L carries the option's ×100: (2.5 − 2.0) × 1 × 100.
    let pnl: Vec<_> = v.lines.iter().map(|l| (l.average_cost, l.unrealized_pnl)).collect();
    assert_eq!(pnl, vec![(80.0, 10.0), (2.0, 50.0)]);

    // A position never marked falls back to its cost, labelled as such.
    let mut unmarked = p.clone();
    unmarked.positions.get_mut(&stock).unwrap().last_mark = None;
    let line = unmarked.value(&BTreeMap::new()).lines[0].clone();
    assert_eq!((line.price, line.source), (80.0, MarkSource::AverageCost));
}

#[test]
fn positions_list_in_asset_order_whatever_the_fill_order() {
    let mut a = Portfolio::new(0.0);
    let mut b = Portfolio::new(0.0);
    let assets = [pltr_call(), Asset::stock("ZZZ").unwrap(), hims_call(), Asset::stock("AAPL").unwrap()];
    for asset in &assets {
        a.apply_fill(t(), asset, Side::Buy, 1, 1.0, 0.0);
    }
    for asset in assets.iter().rev() {
        b.apply_fill(t(), asset, Side::Buy, 1, 1.0, 0.0);
    }
    let keys: Vec<String> = a.positions().iter().map(|(k, _)| k.to_string()).collect();
    assert_eq!(keys, ["AAPL", "ZZZ", "HIMS 2025-04-04 33 C", "PLTR 2025-04-18 91 C"]);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

#[test]
fn good_friday_expiry_settles_the_session_before() {
    let Asset::Option(c) = pltr_call() else { unreachable!() };
    assert_eq!(c.last_trading_day(), date(2025, 4, 17));
    let Asset::Option(h) = hims_call() else { unreachable!() };
    assert_eq!(h.last_trading_day(), date(2025, 4, 4));
}
