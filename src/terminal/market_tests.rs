//! The synthetic market's rules across operations: regular answers stay what
//! they were, trades add up to their bars, extended hours are thin, the at-time
//! operations read the history, the greeks operations agree with each other and
//! with the prices, and `expiration=*` is every listed expiration.

use sha2::{Digest, Sha256};

use super::answer::tests::get;
use super::pricing::black_scholes;
use crate::market::Right;

/// A CSV answer read by column name.
struct Csv<'a> {
    header: Vec<&'a str>,
    rows: Vec<Vec<&'a str>>,
}

impl<'a> Csv<'a> {
    fn of(text: &'a str) -> Csv<'a> {
        let mut lines = text.lines();
        let header = lines.next().unwrap().split(',').collect();
        Csv { header, rows: lines.map(|l| l.split(',').collect()).collect() }
    }

    fn at(&self, name: &str) -> usize {
        self.header.iter().position(|c| *c == name).unwrap_or_else(|| panic!("no column {name}"))
    }

    fn text(&self, row: usize, name: &str) -> &'a str {
        self.rows[row][self.at(name)]
    }

    fn num(&self, row: usize, name: &str) -> f64 {
        self.text(row, name).parse().unwrap()
    }

    /// Cents of a price column.
    fn cents(&self, row: usize, name: &str) -> i64 {
        (self.num(row, name) * 100.0).round() as i64
    }

    /// Milliseconds of the day of a stamp column.
    fn ms(&self, row: usize, name: &str) -> u32 {
        ms_of(self.text(row, name))
    }
}

/// `2024-01-02T09:30:00.006` as milliseconds of the day.
fn ms_of(stamp: &str) -> u32 {
    let clock = stamp.trim_matches('"').split_once('T').unwrap().1;
    let (hms, millis) = clock.split_once('.').unwrap();
    let parts: Vec<u32> = hms.split(':').map(|p| p.parse().unwrap()).collect();
    ((parts[0] * 60 + parts[1]) * 60 + parts[2]) * 1000 + millis.parse::<u32>().unwrap()
}

fn query(pairs: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    pairs.to_vec()
}

/// SHA-256 of the answers the terminal gave before trades, extended hours and
/// wildcards were served: the client and the cache rely on them.
#[test]
fn regular_answers_are_the_bytes_they_were() {
    let pinned = [
        (
            "/v3/stock/history/ohlc",
            query(&[("symbol", "AAPL"), ("date", "20240102"), ("interval", "1m")]),
            "1a3d0416db4ab988dcc899223a60580b504d49d927143c6c4eff6bba834ad094",
        ),
        (
            "/v3/stock/history/ohlc",
            query(&[("symbol", "PLTR"), ("start_date", "20250630"), ("end_date", "20250707"), ("interval", "1m")]),
            "5ac205cf52416c1694962f9334572217db0fb64e60487b6bd6f3a0488cabc49c",
        ),
        (
            "/v3/stock/history/quote",
            query(&[("symbol", "AAPL"), ("date", "20240102"), ("interval", "1m")]),
            "1ce153600ea8884dfe1f53c1de351e815a9703890ab0b4c1f1ec2ecfab5c0749",
        ),
        (
            "/v3/option/history/ohlc",
            query(&[
                ("symbol", "AAPL"),
                ("expiration", "20231103"),
                ("strike", "170.000"),
                ("right", "call"),
                ("date", "20231103"),
                ("interval", "1m"),
            ]),
            "cc9de074a32a4e84665a71362cab8b4d0e9ff2ce00b8819f0d065c1029b6d358",
        ),
        (
            "/v3/option/history/quote",
            query(&[
                ("symbol", "AAPL"),
                ("expiration", "20241108"),
                ("strike", "220.000"),
                ("right", "call"),
                ("date", "20241104"),
                ("interval", "1m"),
            ]),
            "e2d9537fbe60b809eac946ab03b814297546ea010ce85a46f2b1169767555364",
        ),
        (
            "/v3/option/history/eod",
            query(&[
                ("symbol", "AAPL"),
                ("expiration", "20241115"),
                ("strike", "170.000"),
                ("right", "call"),
                ("start_date", "20241104"),
                ("end_date", "20241104"),
            ]),
            "5d1e9d8c769401e024c9a2e34197a13b64f64a155ffc5b45d8a6f9f8187f9d87",
        ),
        (
            "/v3/option/history/greeks/first_order",
            query(&[("symbol", "AAPL"), ("expiration", "20241108"), ("date", "20241104"), ("interval", "5m")]),
            "0758e4d6d1827146d4abf31cf465848a9c44e649e3d6784f3e83809b68d77bb4",
        ),
    ];
    for (path, query, sha) in pinned {
        let body = get(path, &query).unwrap();
        let digest: String = Sha256::digest(body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(digest, sha, "{path} {query:?}");
    }
}

/// Every bar's trades (the trade operation over the bar's minute) add up to
/// it; returns how many bars show a price no trade printed. Stock bars never
/// do; an option minute of one or two trades may (its bar draws its open, close
/// and a third price whatever the count), and its one trade prints at the close.
fn check_trades_add_up(bars: &Csv, trades: &Csv, vwap_within: Option<i64>) -> usize {
    let (mut next, mut unmet) = (0, 0);
    for bar in 0..bars.rows.len() {
        let start = bars.ms(bar, "timestamp");
        let mut mine = Vec::new();
        while next < trades.rows.len() && trades.ms(next, "timestamp") < start + 60_000 {
            assert!(trades.ms(next, "timestamp") >= start, "trade {next} before its bar");
            mine.push(next);
            next += 1;
        }
        let count = bars.num(bar, "count") as usize;
        assert_eq!(mine.len(), count, "bar at {}", bars.text(bar, "timestamp"));
        if count == 0 {
            continue;
        }
        let sizes: i64 = mine.iter().map(|t| trades.num(*t, "size") as i64).sum();
        assert_eq!(sizes, bars.num(bar, "volume") as i64, "volume at {}", bars.text(bar, "timestamp"));
        let price = |t: &usize| trades.cents(*t, "price");
        // A lone trade prints at the close.
        let opening = if count == 1 { "close" } else { "open" };
        assert_eq!(price(&mine[0]), bars.cents(bar, opening), "at {}", bars.text(bar, "timestamp"));
        assert_eq!(price(&mine[count - 1]), bars.cents(bar, "close"));
        let (high, low) = (mine.iter().map(price).max().unwrap(), mine.iter().map(price).min().unwrap());
        assert!(bars.cents(bar, "low") <= low && high <= bars.cents(bar, "high"));
        if (high, low) != (bars.cents(bar, "high"), bars.cents(bar, "low")) {
            assert!(count <= 2, "a bar of {count} trades misses its high or low");
            unmet += 1;
        }
        if let Some(within) = vwap_within {
            let value: f64 = mine.iter().map(|t| trades.num(*t, "price") * trades.num(*t, "size")).sum();
            let vwap = value / sizes as f64;
            let gap = ((vwap - bars.num(bar, "vwap")) * 10_000.0).round() as i64;
            assert!(gap.abs() <= within, "vwap {vwap} vs {} at {}", bars.num(bar, "vwap"), bars.text(bar, "timestamp"));
        }
    }
    assert_eq!(next, trades.rows.len(), "trades outside every bar");
    unmet
}

#[test]
fn a_stocks_trades_add_up_to_its_bars_in_and_out_of_the_session() {
    let day = [("symbol", "STX"), ("date", "20250310")];
    let (bars, trades) = (get("/v3/stock/history/ohlc", &day).unwrap(), get("/v3/stock/history/trade", &day).unwrap());
    // The session's bars were drawn first: their trades land on the vwap within a cent.
    assert_eq!(check_trades_add_up(&Csv::of(&bars), &Csv::of(&trades), Some(100)), 0);
    // Out of the session the trades set the vwap (to the ten-thousandth).
    for (from, to) in [("04:00:00", "09:29:59.999"), ("16:00:00", "20:00:00")] {
        let extended = [day.as_slice(), &[("start_time", from), ("end_time", to)]].concat();
        let bars = get("/v3/stock/history/ohlc", &extended).unwrap();
        let trades = get("/v3/stock/history/trade", &extended).unwrap();
        assert!(Csv::of(&trades).rows.len() > 20, "{from} to {to}");
        assert_eq!(check_trades_add_up(&Csv::of(&bars), &Csv::of(&trades), Some(1)), 0);
    }
    let all_day = [day.as_slice(), &[("start_time", "04:00:00"), ("end_time", "20:00:00")]].concat();
    let bars = get("/v3/stock/history/ohlc", &all_day).unwrap();
    let trades = get("/v3/stock/history/trade", &all_day).unwrap();
    assert_eq!(check_trades_add_up(&Csv::of(&bars), &Csv::of(&trades), Some(100)), 0);
    let window = [day.as_slice(), &[("start_time", "10:15:30"), ("end_time", "10:16:10.500")]].concat();
    let part = get("/v3/stock/history/trade", &window).unwrap();
    let part = Csv::of(&part);
    let whole = Csv::of(&trades);
    assert!((0..part.rows.len()).all(|r| (36_930_000..=36_970_500).contains(&part.ms(r, "timestamp"))));
    let first = whole.rows.iter().position(|r| r == &part.rows[0]).unwrap();
    assert_eq!(whole.rows[first..first + part.rows.len()], part.rows[..], "a window cuts the same trades");
}

#[test]
fn an_options_trades_add_up_to_its_bars() {
    let chain = [("symbol", "PLTR"), ("expiration", "20250321"), ("date", "20250310")];
    let (mut traded, mut unmet) = (0, 0);
    for strike in ["80.000", "90.000", "100.000"] {
        for right in ["call", "put"] {
            let contract = [chain.as_slice(), &[("strike", strike), ("right", right)]].concat();
            let bars = get("/v3/option/history/ohlc", &contract).unwrap();
            let trades = get("/v3/option/history/trade", &contract).unwrap();
            let (bars, trades) = (Csv::of(&bars), Csv::of(&trades));
            traded += trades.rows.len();
            unmet += check_trades_add_up(&bars, &trades, None);
            assert!((0..trades.rows.len()).all(|t| trades.text(t, "condition") == "130"));
        }
    }
    assert!(traded > 500, "{traded} trades");
    assert!(unmet * 4 < traded, "{unmet} short bars of {traded} trades");
}

#[test]
fn trade_quote_pairs_each_trade_with_the_quote_in_force() {
    let day = [("symbol", "HOOD"), ("date", "20250310"), ("start_time", "11:00:00"), ("end_time", "11:30:00")];
    let trades = get("/v3/stock/history/trade", &day).unwrap();
    let paired = get("/v3/stock/history/trade_quote", &day).unwrap();
    assert_eq!(
        paired,
        get("/v3/stock/history/trade_quote", &[day.as_slice(), &[("exclusive", "false")]].concat()).unwrap()
    );
    let quotes = get("/v3/stock/history/quote", &[day.as_slice(), &[("interval", "1m")]].concat()).unwrap();
    let (trades, paired, quotes) = (Csv::of(&trades), Csv::of(&paired), Csv::of(&quotes));
    assert_eq!(trades.rows.len(), paired.rows.len());
    for row in 0..paired.rows.len() {
        assert_eq!(paired.rows[row][2..11], trades.rows[row][1..], "the trade's own fields");
        assert_eq!(paired.text(row, "trade_timestamp"), trades.text(row, "timestamp"));
        let (trade_ms, quote_ms) = (paired.ms(row, "trade_timestamp"), paired.ms(row, "quote_timestamp"));
        assert!(quote_ms < trade_ms && trade_ms - quote_ms < 60_000);
        let quote = (0..quotes.rows.len()).find(|q| quotes.ms(*q, "timestamp") == quote_ms).unwrap();
        assert_eq!(paired.rows[row][11..], quotes.rows[quote][1..], "the quote stamped at {quote_ms}");
    }
}

#[test]
fn extended_hours_are_thin_and_leave_the_session_alone() {
    let day = [("symbol", "AAPL"), ("date", "20250311"), ("interval", "1m")];
    let session = get("/v3/stock/history/ohlc", &day).unwrap();
    let explicit = [day.as_slice(), &[("start_time", "09:30:00"), ("end_time", "16:00:00")]].concat();
    assert_eq!(get("/v3/stock/history/ohlc", &explicit).unwrap(), session, "the defaults are the session");
    let all_day = [day.as_slice(), &[("start_time", "04:00:00"), ("end_time", "20:00:00")]].concat();
    let extended = get("/v3/stock/history/ohlc", &all_day).unwrap();
    let (session, extended) = (Csv::of(&session), Csv::of(&extended));
    assert_eq!(extended.rows.len(), 330 + 390 + 240);
    assert_eq!(
        (extended.text(0, "timestamp"), extended.text(959, "timestamp")),
        ("2025-03-11T04:00:00.000", "2025-03-11T19:59:00.000")
    );
    assert_eq!(extended.rows[330..720], session.rows[..], "the session's bars are the session answer's");
    let outside: Vec<usize> = (0..330).chain(720..960).collect();
    let quiet = outside.iter().filter(|r| extended.num(**r, "count") == 0.0).count();
    assert!(quiet * 3 > outside.len() * 2, "most extended minutes have no trade: {quiet} of {}", outside.len());
    for r in outside.iter().filter(|r| extended.num(**r, "count") == 0.0) {
        assert!(extended.rows[*r][1..].iter().all(|v| v.parse::<f64>().unwrap() == 0.0), "{:?}", extended.rows[*r]);
    }
    let volume = |csv: &Csv, rows: &mut dyn Iterator<Item = usize>| rows.map(|r| csv.num(r, "volume")).sum::<f64>();
    let thin = volume(&extended, &mut outside.iter().copied());
    assert!(thin > 0.0 && thin < 0.01 * volume(&session, &mut (0..390)), "extended volume {thin}");
    let quotes = get("/v3/stock/history/quote", &all_day).unwrap();
    let quotes = Csv::of(&quotes);
    let spread = |rows: &mut dyn Iterator<Item = usize>| {
        let spreads: Vec<f64> = rows.map(|r| quotes.num(r, "ask") - quotes.num(r, "bid")).collect();
        spreads.iter().sum::<f64>() / spreads.len() as f64
    };
    let (wide, tight) = (spread(&mut outside.iter().copied()), spread(&mut (330..720)));
    assert!(wide > 3.0 * tight, "extended spread {wide} vs session {tight}");
    // A stretch of the morning only, at an interval: bars from 04:00, none straddling the open.
    let morning = [
        ("symbol", "AAPL"),
        ("date", "20250311"),
        ("interval", "1h"),
        ("start_time", "07:00:00"),
        ("end_time", "10:00:00"),
    ];
    let morning = get("/v3/stock/history/ohlc", &morning).unwrap();
    let stamps: Vec<&str> = Csv::of(&morning).rows.iter().map(|r| r[0]).collect();
    assert_eq!(
        stamps,
        ["2025-03-11T07:00:00.000", "2025-03-11T08:00:00.000", "2025-03-11T09:00:00.000", "2025-03-11T09:30:00.000"]
    );
    // After an early close the post-market runs 13:00 to 17:00; an index has no extended hours.
    let early = [("symbol", "SPY"), ("date", "20251128"), ("start_time", "12:59:00"), ("end_time", "23:00:00")];
    let early = get("/v3/stock/history/quote", &early).unwrap();
    let early = Csv::of(&early);
    assert_eq!(
        (early.text(1, "timestamp"), early.text(early.rows.len() - 1, "timestamp")),
        ("2025-11-28T13:00:00.000", "2025-11-28T16:59:00.000")
    );
    let index = get(
        "/v3/index/history/ohlc",
        &[("symbol", "SPX"), ("date", "20250311"), ("start_time", "04:00:00"), ("end_time", "20:00:00")],
    );
    assert_eq!(Csv::of(&index.unwrap()).rows.len(), 390);
}

#[test]
fn at_time_reads_the_history() {
    let date = [("symbol", "SPY"), ("start_date", "20250310"), ("end_date", "20250311")];
    for time in ["09:30:00.100", "12:34:56.789", "08:00:00", "15:59:59.999", "19:00:00"] {
        let at = [date.as_slice(), &[("time_of_day", time)]].concat();
        let last = get("/v3/stock/at_time/trade", &at).unwrap();
        let last = Csv::of(&last);
        assert_eq!(last.rows.len(), 2, "one row a session");
        let history = get(
            "/v3/stock/history/trade",
            &[("symbol", "SPY"), ("date", "20250310"), ("start_time", "04:00:00"), ("end_time", time)],
        )
        .unwrap();
        assert_eq!(last.rows[0], *Csv::of(&history).rows.last().unwrap(), "the last trade by {time}");
        let quote = get("/v3/stock/at_time/quote", &at).unwrap();
        let minute = &time[..5];
        let history = get(
            "/v3/stock/history/quote",
            &[
                ("symbol", "SPY"),
                ("date", "20250310"),
                ("start_time", "04:00:00"),
                ("end_time", "20:00:00"),
                ("interval", "1m"),
            ],
        )
        .unwrap();
        let history = Csv::of(&history);
        let expected = history.rows.iter().find(|r| r[0] == format!("2025-03-10T{minute}:00.000")).unwrap();
        assert_eq!(Csv::of(&quote).rows[0], *expected, "the quote in force at {time}");
    }
    let before = get("/v3/stock/at_time/trade", &[date.as_slice(), &[("time_of_day", "03:00:00")]].concat()).unwrap();
    assert_eq!(
        Csv::of(&before).rows[0],
        ["2025-03-10T03:00:00.000", "0", "255", "255", "255", "255", "0", "0", "0", "0.00"]
    );
    let contract = [
        ("symbol", "PLTR"),
        ("expiration", "20250321"),
        ("strike", "90"),
        ("right", "put"),
        ("start_date", "20250310"),
        ("end_date", "20250310"),
        ("time_of_day", "13:00:00"),
    ];
    let last = get("/v3/option/at_time/trade", &contract).unwrap();
    let trades = get(
        "/v3/option/history/trade",
        &[
            ("symbol", "PLTR"),
            ("expiration", "20250321"),
            ("strike", "90"),
            ("right", "put"),
            ("date", "20250310"),
            ("end_time", "13:00:00"),
        ],
    )
    .unwrap();
    assert_eq!(Csv::of(&last).rows[0], *Csv::of(&trades).rows.last().unwrap());
    let index = get(
        "/v3/index/at_time/price",
        &[("symbol", "SPX"), ("start_date", "20250310"), ("end_date", "20250310"), ("time_of_day", "10:15:30")],
    )
    .unwrap();
    let prices =
        get("/v3/index/history/price", &[("symbol", "SPX"), ("date", "20250310"), ("interval", "1m")]).unwrap();
    let at = Csv::of(&index);
    let price = Csv::of(&prices).rows.iter().find(|r| r[0] == "2025-03-10T10:15:00.000").map(|r| r[1]).unwrap();
    assert_eq!((at.text(0, "timestamp"), at.text(0, "price")), ("2025-03-10T10:15:00.000", price));
}

#[test]
fn the_greeks_operations_agree_with_each_other_and_the_prices() {
    let contract = [
        ("symbol", "PLTR"),
        ("expiration", "20250321"),
        ("strike", "90"),
        ("right", "call"),
        ("date", "20250310"),
        ("interval", "30m"),
    ];
    let ask = |kind: &str| get(&format!("/v3/option/history/greeks/{kind}"), &contract).unwrap();
    let (all, first, second, third) = (ask("all"), ask("first_order"), ask("second_order"), ask("third_order"));
    let all = Csv::of(&all);
    for other in [Csv::of(&first), Csv::of(&second), Csv::of(&third)] {
        assert_eq!(other.rows.len(), all.rows.len());
        for row in 0..all.rows.len() {
            for name in &other.header {
                assert_eq!(other.text(row, name), all.text(row, name), "{name}");
            }
        }
    }
    let trades =
        [("symbol", "PLTR"), ("expiration", "20250321"), ("strike", "90"), ("right", "call"), ("date", "20250310")];
    let greeks = get("/v3/option/history/trade_greeks/all", &trades).unwrap();
    let greeks = Csv::of(&greeks);
    let plain = get("/v3/option/history/trade", &trades).unwrap();
    assert_eq!(greeks.rows.len(), Csv::of(&plain).rows.len(), "a row a trade");
    let mut priced = 0;
    for row in 0..greeks.rows.len() {
        let (iv, price, spot) =
            (greeks.num(row, "implied_vol"), greeks.num(row, "price"), greeks.num(row, "underlying_price"));
        if iv == 0.0 {
            continue;
        }
        priced += 1;
        let years = {
            // From the underlying's minute to the expiration's close, as the model prices it.
            let minutes = (ms_of(greeks.text(row, "underlying_timestamp")) / 60_000) as f64;
            ((11.0 * 24.0 * 60.0) + 16.0 * 60.0 - minutes) / (365.0 * 24.0 * 60.0)
        };
        let model = |s: f64| black_scholes(Right::Call, s, 90.0, years, iv);
        assert!(
            (model(spot) - price).abs() < 0.01,
            "the implied volatility prices the trade: {} vs {price}",
            model(spot)
        );
        let h = 0.01;
        let slope = (model(spot + h) - model(spot - h)) / (2.0 * h);
        assert!((slope - greeks.num(row, "delta")).abs() < 2e-3, "delta {} vs slope {slope}", greeks.num(row, "delta"));
    }
    assert!(priced > 10, "{priced} trades with an implied volatility");
    let eod = [
        ("symbol", "PLTR"),
        ("expiration", "20250321"),
        ("strike", "90"),
        ("right", "call"),
        ("start_date", "20250303"),
        ("end_date", "20250307"),
    ];
    let report = get("/v3/option/history/greeks/eod", &eod).unwrap();
    let plain = get("/v3/option/history/eod", &eod).unwrap();
    let (report, plain) = (Csv::of(&report), Csv::of(&plain));
    assert_eq!(report.rows.len(), 5);
    for row in 0..5 {
        for name in ["open", "high", "low", "close", "volume", "count", "bid", "ask"] {
            assert_eq!(report.text(row, name), plain.text(row, name), "{name}");
        }
    }
}

#[test]
fn a_wildcard_expiration_is_every_listed_expiration() {
    let star =
        [("symbol", "HIMS"), ("expiration", "*"), ("date", "20250310"), ("strike_range", "2"), ("max_dte", "30")];
    let every = get("/v3/option/history/trade", &star).unwrap();
    let expirations = get("/v3/option/list/expirations", &[("symbol", "HIMS")]).unwrap();
    let listed: Vec<String> = Csv::of(&expirations)
        .rows
        .iter()
        .map(|r| r[1].replace('-', ""))
        .filter(|e| ("20250310".to_string()..="20250409".to_string()).contains(e))
        .collect();
    let mut joined = Vec::new();
    for expiration in &listed {
        let one =
            [("symbol", "HIMS"), ("expiration", expiration.as_str()), ("date", "20250310"), ("strike_range", "2")];
        if let Ok(csv) = get("/v3/option/history/trade", &one) {
            joined.extend(csv.lines().skip(1).map(String::from));
        }
    }
    assert!(listed.len() >= 4 && !joined.is_empty());
    assert_eq!(every.lines().skip(1).collect::<Vec<_>>(), joined);
}
