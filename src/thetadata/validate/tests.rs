//! Each rule on a full synthetic session, broken in one place at a time.

use chrono::NaiveDate;

use super::*;
use crate::market::Timestep;
use crate::thetadata::decode::{CsvDecoder, Layout};

const HEADER: &str = "timestamp,open,high,low,close,volume,count,vwap";

fn session(date: &str) -> Session {
    Calendar::session(date.parse().unwrap()).unwrap()
}

/// One row per minute of `date`'s session: a traded bar, or a no-trade
/// interval (all zeros) every seventh minute.
fn rows(date: &str) -> Vec<String> {
    let minutes = session(date).minutes();
    (0..minutes)
        .map(|m| {
            let (h, mi) = ((9 * 60 + 30 + m) / 60, (9 * 60 + 30 + m) % 60);
            let stamp = format!("{date}T{h:02}:{mi:02}:00.000");
            if m % 7 == 3 {
                format!("{stamp},0.0,0.0,0.0,0.0,0,0,10.1")
            } else {
                format!("{stamp},10.10,10.50,10.00,10.40,1200,31,10.31")
            }
        })
        .collect()
}

fn decode(header: &str, rows: &[String]) -> Decoded {
    let mut decoder = CsvDecoder::new(Layout::bars(DataStyle::Ohlc));
    decoder.feed(format!("{header}\n{}\n", rows.join("\n")).as_bytes()).unwrap();
    decoder.finish().unwrap()
}

fn minute(date: &str) -> Expect {
    let values = Values { style: DataStyle::Ohlc, priced_without_trades: false };
    Expect::Session { session: session(date), interval_ms: Timestep::Minute.intraday_ms().unwrap(), values }
}

fn checked(rows: &[String]) -> Result<(), Invalid> {
    check(&decode(HEADER, rows), &minute("2025-03-10"))
}

#[test]
fn a_full_session_and_an_early_close_pass() {
    assert_eq!(checked(&rows("2025-03-10")), Ok(()));
    let early = rows("2025-11-28");
    assert_eq!(early.len(), 210);
    assert_eq!(check(&decode(HEADER, &early), &minute("2025-11-28")), Ok(()));
}

#[test]
fn one_stray_date_in_the_middle_is_refused() {
    let mut day = rows("2025-03-10");
    day[200] = day[200].replace("2025-03-10", "2025-03-11");
    let err = checked(&day).unwrap_err();
    assert_eq!(err.row, Some(201));
    assert!(err.to_string().contains("dated 2025-03-11, not the requested 2025-03-10"), "{err}");
}

#[test]
fn a_bar_outside_the_session_or_off_the_grid_is_refused() {
    let mut late = rows("2025-03-10");
    late[389] = late[389].replace("T15:59", "T16:05");
    let err = checked(&late).unwrap_err();
    assert!(err.to_string().starts_with("row 390: 2025-03-10 16:05") && err.what.contains("outside"), "{err}");
    let mut early = rows("2025-03-10");
    early[0] = early[0].replace("T09:30", "T09:29");
    assert_eq!(checked(&early).unwrap_err().row, Some(1));
    let mut off = rows("2025-03-10");
    off[5] = off[5].replace(":00.000", ":30.000");
    assert!(checked(&off).unwrap_err().what.contains("grid"));
}

#[test]
fn repeated_or_backward_stamps_are_refused() {
    let mut dup = rows("2025-03-10");
    dup[101] = dup[100].clone();
    let err = checked(&dup).unwrap_err();
    assert_eq!(err.row, Some(102));
    assert!(err.what.contains("repeats or precedes"), "{err}");
}

#[test]
fn a_cut_answer_is_refused_even_with_a_clean_close() {
    let day = rows("2025-03-10");
    let err = checked(&day[..195]).unwrap_err();
    assert_eq!(err.row, None);
    assert_eq!(err.what, "195 of the 390 bars of 2025-03-10 (a full session): a cut answer");
    let early = rows("2025-11-28");
    let err = check(&decode(HEADER, &early[..209]), &minute("2025-11-28")).unwrap_err();
    assert!(err.what.starts_with("209 of the 210 bars") && err.what.contains("early close"), "{err}");
}

#[test]
fn header_only_is_not_no_data() {
    let err = checked(&[]).unwrap_err();
    assert!(err.what.contains("no rows") && err.what.contains("472"), "{err}");
}

#[test]
fn prices_must_be_sane() {
    let bad = |from: &str, to: &str| {
        let mut day = rows("2025-03-10");
        assert!(day[11].contains(from), "{from} in {}", day[11]);
        day[11] = day[11].replace(from, to);
        checked(&day).unwrap_err().to_string()
    };
    assert!(bad(",10.40,1200", ",-10.40,1200").contains("close -10.4 is not a finite, non-negative price"));
    assert!(bad(",10.50,10.00,", ",9.50,10.00,").contains("high 9.5 is below low 10"));
    assert!(bad("T09:41:00.000,10.10,", "T09:41:00.000,10.90,").contains("open 10.9 lies outside"));
    assert!(bad(",10.40,1200", ",10.60,1200").contains("close 10.6 lies outside"));
    assert!(bad(",1200,31,", ",-5,31,").contains("volume -5 is negative"));
    // A non-finite number never gets this far: the decoder refuses it.
    let mut decoder = CsvDecoder::new(Layout::bars(DataStyle::Ohlc));
    let nan = rows("2025-03-10")[11].replace(",10.40,1200", ",NaN,1200");
    let refused = decoder.feed(format!("{HEADER}\n{nan}\n").as_bytes()).and_then(|()| decoder.finish().map(|_| ()));
    assert!(refused.unwrap_err().to_string().contains("column `close`"));
}

#[test]
fn an_interval_without_trades_is_all_zeros() {
    let mut day = rows("2025-03-10");
    assert!(day[3].contains(",0.0,0.0,0.0,0.0,0,0,"));
    day[3] = day[3].replace(",0.0,0.0,0.0,0.0,0,0,", ",0.0,0.0,0.0,5.0,0,0,");
    let err = checked(&day).unwrap_err();
    assert!(err.what.contains("count 0") && err.what.contains("all zeros"), "{err}");
    // Index bars report count 0 with real prices.
    let index = rows("2025-03-10").iter().map(|r| r.replace(",1200,31,", ",0,0,")).collect::<Vec<_>>();
    let values = Values { style: DataStyle::Ohlc, priced_without_trades: true };
    let expect = Expect::Session { session: session("2025-03-10"), interval_ms: 60_000, values };
    assert_eq!(check(&decode(HEADER, &index), &expect), Ok(()));
    assert!(checked(&index).is_err(), "a stock bar with prices and count 0 is refused");
}

#[test]
fn eod_rows_are_one_per_session_of_the_window() {
    let header = "created,last_trade,open,high,low,close,volume,count";
    let row = |d: &str| format!("{d}T17:15:00.000,{d}T16:00:00.000,10.1,10.5,10.0,10.4,1200,31");
    let decode = |days: &[&str]| {
        let mut decoder = CsvDecoder::new(Layout::daily(DataStyle::Ohlc));
        let body: Vec<String> = days.iter().map(|d| row(d)).collect();
        decoder.feed(format!("{header}\n{}\n", body.join("\n")).as_bytes()).unwrap();
        decoder.finish().unwrap()
    };
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let values = Values { style: DataStyle::Ohlc, priced_without_trades: false };
    let expect = Expect::Eod { start: d("2025-03-03"), end: d("2025-03-07"), values };
    assert_eq!(check(&decode(&["2025-03-03", "2025-03-05"]), &expect), Ok(()));
    let err = |days: &[&str]| check(&decode(days), &expect).unwrap_err().to_string();
    assert!(err(&["2025-03-03", "2025-03-03"]).starts_with("row 2: dated 2025-03-03, after a row for 2025-03-03"));
    assert!(err(&["2025-03-04", "2025-03-10"]).contains("outside the requested 2025-03-03..2025-03-07"));
    let weekend = Expect::Eod { start: d("2025-03-03"), end: d("2025-03-09"), values };
    assert!(check(&decode(&["2025-03-08"]), &weekend).unwrap_err().to_string().contains("not a trading session"));
}

#[test]
fn quotes_must_be_non_negative() {
    let header = "timestamp,bid_size,bid,ask_size,ask";
    let quotes: Vec<String> = rows("2025-03-10").iter().map(|r| format!("{},10,10.00,12,10.05", &r[..23])).collect();
    let decode = |rows: &[String]| {
        let mut decoder = CsvDecoder::new(Layout::bars(DataStyle::Quote));
        decoder.feed(format!("{header}\n{}\n", rows.join("\n")).as_bytes()).unwrap();
        decoder.finish().unwrap()
    };
    let values = Values { style: DataStyle::Quote, priced_without_trades: false };
    let expect = Expect::Session { session: session("2025-03-10"), interval_ms: 60_000, values };
    assert_eq!(check(&decode(&quotes), &expect), Ok(()));
    let mut bad = quotes.clone();
    bad[7] = bad[7].replace(",10.00,", ",-0.01,");
    assert!(check(&decode(&bad), &expect).unwrap_err().to_string().starts_with("row 8: bid -0.01"));
}

#[test]
fn greeks_must_be_ones_a_model_can_make() {
    let header = "timestamp,bid,ask,delta,theta,vega,rho,epsilon,lambda,implied_vol,iv_error,underlying_price";
    let greeks: Vec<String> = rows("2025-03-10")
        .iter()
        .map(|r| format!("{},8.78,9.01,0.7049,-0.1353,0.0740,0.0293,-0.0338,7.6062,0.6347,0.0000,95.98", &r[..23]))
        .collect();
    let decode = |rows: &[String]| {
        let mut decoder = CsvDecoder::new(Layout::bars(DataStyle::Greeks));
        decoder.feed(format!("{header}\n{}\n", rows.join("\n")).as_bytes()).unwrap();
        decoder.finish().unwrap()
    };
    let values = Values { style: DataStyle::Greeks, priced_without_trades: false };
    let expect = Expect::Session { session: session("2025-03-10"), interval_ms: 60_000, values };
    assert_eq!(check(&decode(&greeks), &expect), Ok(()));
    for (good, bad, why) in [
        (",0.7049,", ",1.7049,", "row 5: delta 1.7049 lies outside [-1, 1]"),
        (",0.6347,", ",-0.6347,", "row 5: implied_vol -0.6347 is not a finite"),
        (",95.98", ",-95.98", "row 5: underlying_price -95.98 is not a finite"),
    ] {
        let mut broken = greeks.clone();
        broken[4] = broken[4].replace(good, bad);
        let error = check(&decode(&broken), &expect).unwrap_err().to_string();
        assert!(error.starts_with(why), "{error}");
    }
}

/// A month's answer: each day present complete, in order, inside the range;
/// a day left out is not an error (the cache asks it alone).
#[test]
fn a_range_is_checked_day_by_day() {
    let values = Values { style: DataStyle::Ohlc, priced_without_trades: false };
    let range = |start: &str, end: &str| Expect::Sessions {
        start: start.parse().unwrap(),
        end: end.parse().unwrap(),
        interval_ms: 60_000,
        values,
    };
    let days = |dates: &[&str]| dates.iter().flat_map(|d| rows(d)).collect::<Vec<_>>();
    let week = range("2025-03-10", "2025-03-14");
    assert_eq!(check(&decode(HEADER, &days(&["2025-03-10", "2025-03-12", "2025-03-14"])), &week), Ok(()));

    let err = check(&decode(HEADER, &days(&["2025-03-12", "2025-03-10"])), &week).unwrap_err();
    assert_eq!(err.row, Some(391), "the first row of the day out of order: {err}");

    let err = check(&decode(HEADER, &days(&["2025-03-10", "2025-03-17"])), &week).unwrap_err();
    assert!(err.what.contains("outside the requested 2025-03-10..2025-03-14"), "{err}");

    let mut cut = days(&["2025-03-10", "2025-03-11"]);
    cut.remove(500);
    let err = check(&decode(HEADER, &cut), &week).unwrap_err();
    assert!(err.what.contains("389 of the 390 bars of 2025-03-11"), "{err}");

    let mut stray = days(&["2025-03-10", "2025-03-11"]);
    stray[100] = stray[100].replace("2025-03-10", "2025-03-11");
    assert!(check(&decode(HEADER, &stray), &week).is_err(), "a row moved to the next day splits its day");
}
