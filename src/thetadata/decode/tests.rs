//! The decoder on small CSV bodies: bars, quotes, EOD rows and lists, columns
//! found by name, ET stamps to UTC across DST, any chunking, and each way a body
//! is refused.

use polars::prelude::*;

use super::*;
use crate::market::DataStyle;

const STOCK: &str = "timestamp,open,high,low,close,volume,count,vwap\n\
2025-03-10T09:30:00.000,10.25,10.50,10.00,10.40,1200,31,10.3100\n\
2025-03-10T09:31:00.000,10.40,10.45,10.35,10.41,900,12,10.3500\n";

fn ohlc(body: &str) -> Result<DataFrame, DecodeError> {
    decode_csv(body.as_bytes(), &Layout::bars(DataStyle::Ohlc))
}

fn stamps(frame: &DataFrame) -> Vec<String> {
    let ms = frame.column("datetime").unwrap().cast(&DataType::Int64).unwrap();
    ms.i64()
        .unwrap()
        .into_no_null_iter()
        .map(|t| chrono::DateTime::from_timestamp_millis(t).unwrap().to_rfc3339())
        .collect()
}

fn f64s(frame: &DataFrame, name: &str) -> Vec<f64> {
    frame.column(name).unwrap().f64().unwrap().into_no_null_iter().collect()
}

fn i64s(frame: &DataFrame, name: &str) -> Vec<i64> {
    frame.column(name).unwrap().i64().unwrap().into_no_null_iter().collect()
}

#[test]
fn decodes_into_the_bar_schema() {
    let frame = ohlc(STOCK).unwrap();
    assert_eq!(frame.schema().as_ref(), &DataStyle::Ohlc.schema());
    assert_eq!(stamps(&frame), ["2025-03-10T13:30:00+00:00", "2025-03-10T13:31:00+00:00"]);
    assert_eq!(f64s(&frame, "open"), [10.25, 10.40]);
    assert_eq!(i64s(&frame, "volume"), [1200, 900]);
    assert_eq!(i64s(&frame, "count"), [31, 12]);
}

#[test]
fn columns_match_by_name_in_any_order_with_quotes_and_extras() {
    let body = "\"vwap\",count,close,\"symbol\",low,high,volume,open,expiration,strike,right,timestamp\n\
                10.31,31,10.40,\"PLTR\",10.00,10.50,1200,\"10.25\",2025-04-18,91.000,\"CALL\",\"2025-03-10T09:30:00.000\"\n";
    let frame = ohlc(body).unwrap();
    assert_eq!(frame.schema().as_ref(), &DataStyle::Ohlc.schema());
    assert_eq!(f64s(&frame, "open"), [10.25]);
    assert_eq!(f64s(&frame, "high"), [10.50]);
    assert_eq!(i64s(&frame, "count"), [31]);
    assert_eq!(stamps(&frame), ["2025-03-10T13:30:00+00:00"]);
}

#[test]
fn any_chunking_gives_the_same_frame() {
    let whole = ohlc(STOCK).unwrap();
    for size in [1, 2, 7, 64] {
        let mut decoder = CsvDecoder::new(Layout::bars(DataStyle::Ohlc));
        for chunk in STOCK.as_bytes().chunks(size) {
            decoder.feed(chunk).unwrap();
        }
        assert!(decoder.finish().unwrap().into_frame().unwrap().equals(&whole), "chunk size {size}");
    }
}

#[test]
fn missing_column_is_named() {
    let err = ohlc("timestamp,open,high,low,volume,count\n").unwrap_err();
    assert!(matches!(err, DecodeError::MissingColumn { column: "close", .. }), "{err:?}");
    assert!(err.to_string().contains("`close`"), "{err}");
}

#[test]
fn bad_number_names_row_and_column() {
    let body = STOCK.replace("10.35,10.41", "10.35,10.4x1");
    let err = ohlc(&body).unwrap_err();
    assert_eq!(
        err,
        DecodeError::BadValue { row: 2, column: "close", value: "10.4x1".into(), expected: "a number" },
        "{err}"
    );
    assert!(err.to_string().starts_with("row 2, column `close`"), "{err}");
}

#[test]
fn short_or_truncated_final_row_is_an_error() {
    let truncated = format!("{STOCK}2025-03-10T09:32:00.000,10.41,10.44");
    let err = ohlc(&truncated).unwrap_err();
    assert!(
        matches!(&err, DecodeError::ShortRow { row: 3, column, fields: 3, expected: 8 } if column == "low"),
        "{err:?}"
    );
    let short_middle = STOCK.replace(",900,12,10.3500", "");
    assert!(matches!(ohlc(&short_middle).unwrap_err(), DecodeError::ShortRow { row: 2, .. }));
}

#[test]
fn bad_timestamp_and_empty_body() {
    let err = ohlc(&STOCK.replace("09:31:00.000", "9:31")).unwrap_err();
    assert!(matches!(err, DecodeError::BadValue { row: 2, column: "timestamp", .. }), "{err:?}");
    assert_eq!(ohlc("").unwrap_err(), DecodeError::NoHeader);
    let header_only = ohlc("timestamp,open,high,low,close,volume,count,vwap\n").unwrap();
    assert_eq!(header_only.height(), 0);
    assert_eq!(header_only.schema().as_ref(), &DataStyle::Ohlc.schema());
}

#[test]
fn dst_is_resolved_per_date() {
    let body = "timestamp,open,high,low,close,volume,count,vwap\n\
                2025-03-07T09:30:00.000,1.00,1.00,1.00,1.00,1,1,1.0\n\
                2025-03-10T09:30:00.000,1.00,1.00,1.00,1.00,1,1,1.0\n\
                2025-11-03T09:30:00.000,1.00,1.00,1.00,1.00,1,1,1.0\n";
    let frame = ohlc(body).unwrap();
    assert_eq!(stamps(&frame), ["2025-03-07T14:30:00+00:00", "2025-03-10T13:30:00+00:00", "2025-11-03T14:30:00+00:00"]);
}

#[test]
fn option_rows_without_trades_are_kept_as_is() {
    let body = "symbol,expiration,strike,right,timestamp,open,high,low,close,volume,count,vwap\n\
                PLTR,2025-04-18,91.000,CALL,2025-03-10T09:30:00.000,2.10,2.20,2.05,2.15,58,13,2.12\n\
                PLTR,2025-04-18,91.000,C,2025-03-10T09:31:00.000,0.00,0.00,0.00,0.00,0,0,2.12\n";
    let frame = ohlc(body).unwrap();
    assert_eq!(frame.height(), 2);
    assert_eq!(f64s(&frame, "close"), [2.15, 0.0]);
    assert_eq!(i64s(&frame, "count"), [13, 0]);
    let err = ohlc(&body.replace(",C,", ",X,")).unwrap_err();
    assert!(matches!(err, DecodeError::BadValue { row: 2, column: "right", .. }), "{err:?}");
}

#[test]
fn quotes_and_eod() {
    let quote = "timestamp,bid_size,bid_exchange,bid,bid_condition,ask_size,ask_exchange,ask,ask_condition\n\
                 2025-03-10T09:30:00.000,5,1,10.20,0,7,2,10.30,0\n";
    let frame = decode_csv(quote.as_bytes(), &Layout::bars(DataStyle::Quote)).unwrap();
    assert_eq!(frame.schema().as_ref(), &DataStyle::Quote.schema());
    assert_eq!((f64s(&frame, "bid"), i64s(&frame, "ask_size")), (vec![10.20], vec![7]));

    let eod = "created,last_trade,open,high,low,close,volume,count,bid_size,bid_exchange,bid,bid_condition,\
               ask_size,ask_exchange,ask,ask_condition\n\
               2025-03-07T17:15:00.000,2025-03-07T16:00:00.000,10,11,9,10.5,1000,50,3,1,10.49,0,4,1,10.51,0\n\
               2025-11-28T17:15:00.000,2025-11-28T13:00:00.000,10,11,9,10.5,1000,50,3,1,10.49,0,4,1,10.51,0\n";
    let daily = decode_csv(eod.as_bytes(), &Layout::daily(DataStyle::Ohlc)).unwrap();
    assert_eq!(daily.schema().as_ref(), &DataStyle::Ohlc.schema());
    assert_eq!(stamps(&daily), ["2025-03-07T14:30:00+00:00", "2025-11-28T14:30:00+00:00"]);
    let daily_quotes = decode_csv(eod.as_bytes(), &Layout::daily(DataStyle::Quote)).unwrap();
    assert_eq!(f64s(&daily_quotes, "ask"), [10.51, 10.51]);
}

#[test]
fn lists() {
    let mut decoder = CsvDecoder::new(Layout::strikes());
    decoder.feed(b"symbol,strike\nPLTR,91.000\n\"PLTR\",\"92.500\"\n").unwrap();
    let strikes = decoder.finish().unwrap();
    assert_eq!(strikes.ints("strike"), Some(&[91_000, 92_500][..]));
    let mut decoder = CsvDecoder::new(Layout::expirations());
    decoder.feed(b"symbol,expiration\nPLTR,2025-04-18\n").unwrap();
    let days = decoder.finish().unwrap();
    let expected = chrono::NaiveDate::from_ymd_opt(2025, 4, 18).unwrap();
    assert_eq!(days.ints("expiration"), Some(&[i64::from(chrono::Datelike::num_days_from_ce(&expected))][..]));
}
