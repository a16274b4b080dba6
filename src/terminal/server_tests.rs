//! The simulated terminal over real loopback HTTP, through reqwest.

use std::time::Duration;

use super::{FaultSpec, SimConfig, spawn};
use crate::thetadata::Tier;

const OHLC: &str = "/v3/stock/history/ohlc?symbol=PLTR&date=20250310&interval=1m";

async fn get(base: &str, path_and_query: &str) -> (u16, String) {
    let response = reqwest::get(format!("{base}{path_and_query}")).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn serves_csv_and_ndjson() {
    let sim = spawn(SimConfig::default()).await.unwrap();
    let base = sim.base_url();
    assert!(base.starts_with("http://127.0.0.1:"));
    assert_eq!(get(&base, "/v3/terminal/mdds/status").await, (200, "CONNECTED".to_string()));
    let (status, csv) = get(&base, OHLC).await;
    assert_eq!(status, 200);
    assert_eq!(csv.lines().next(), Some("timestamp,open,high,low,close,volume,count,vwap"));
    assert_eq!(csv.lines().count(), 391);
    let (status, ndjson) = get(&base, &format!("{OHLC}&format=ndjson")).await;
    assert_eq!(status, 200);
    let rows: Vec<serde_json::Value> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 390);
    assert_eq!(rows[0]["timestamp"], "2025-03-10T09:30:00.000");
    let first_csv_open: f64 = csv.lines().nth(1).unwrap().split(',').nth(1).unwrap().parse().unwrap();
    assert_eq!(rows[0]["open"].as_f64(), Some(first_csv_open));
    assert_eq!(get(&base, OHLC).await.1, csv, "same bytes on a second request");
    sim.shutdown().await.unwrap();
}

/// Every format v3 documents, holding the same rows as the CSV: JSON as
/// `{"response": [...]}`, HTML as a table, for a month-long range too.
#[tokio::test]
async fn every_format_holds_the_same_rows() {
    let sim = spawn(SimConfig::default()).await.unwrap();
    let base = sim.base_url();
    let range = "/v3/option/history/quote?symbol=PLTR&expiration=20250321&strike=90.000&right=call&start_date=20250303&end_date=20250307";
    for path in [OHLC, range] {
        let (_, csv) = get(&base, path).await;
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let csv_rows: Vec<Vec<String>> =
            lines.map(|l| l.split(',').map(|v| v.trim_matches('"').to_string()).collect()).collect();
        assert!(csv_rows.len() >= 390, "{path}: {} rows", csv_rows.len());
        let as_text = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), String::from);
        let (status, json) = get(&base, &format!("{path}&format=json")).await;
        assert_eq!(status, 200);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        let json_rows: Vec<Vec<String>> = json["response"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                let object = row.as_object().unwrap();
                assert_eq!(object.keys().collect::<Vec<_>>().len(), header.len());
                header.iter().map(|name| as_text(&object[*name])).collect()
            })
            .collect();
        let normalized = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| r.iter().map(|v| v.parse::<f64>().map_or_else(|_| v.clone(), |f| f.to_string())).collect())
                .collect()
        };
        assert_eq!(normalized(&json_rows), normalized(&csv_rows), "{path}: json");
        let (_, html) = get(&base, &format!("{path}&format=html")).await;
        let headings = format!("<tr>{}</tr>", header.iter().map(|h| format!("<th>{h}</th>")).collect::<String>());
        assert!(html.contains(&headings), "{path}: html header");
        let html_rows: Vec<Vec<String>> = html
            .lines()
            .filter(|l| l.starts_with("<tr><td>"))
            .map(|l| {
                l.trim_start_matches("<tr><td>")
                    .trim_end_matches("</td></tr>")
                    .split("</td><td>")
                    .map(String::from)
                    .collect()
            })
            .collect();
        assert_eq!(html_rows, csv_rows, "{path}: html");
    }
    sim.shutdown().await.unwrap();
}

/// The calendar and list operations, as the description shows them.
#[tokio::test]
async fn calendar_and_lists() {
    let sim = spawn(SimConfig::default()).await.unwrap();
    let base = sim.base_url();
    assert_eq!(get(&base, "/v3/calendar/on_date?date=20251225").await.1, "type,open,close\nfull_close,,\n");
    assert_eq!(
        get(&base, "/v3/calendar/on_date?date=20251128").await.1,
        "type,open,close\nearly_close,09:30:00,13:00:00\n"
    );
    assert_eq!(get(&base, "/v3/calendar/on_date?date=20251129").await.1, "type,open,close\nweekend,,\n");
    let (_, json) = get(&base, "/v3/calendar/on_date?date=20251225&format=json").await;
    assert_eq!(json, "{\"response\":[{\"type\":\"full_close\",\"open\":null,\"close\":null}\n]}\n");
    let (_, holidays) = get(&base, "/v3/calendar/year_holidays?year=2024").await;
    assert!(holidays.contains("2024-12-24,early_close,09:30:00,13:00:00\n2024-12-25,full_close,,\n"), "{holidays}");
    assert!(!holidays.contains("2024-12-28"), "weekends are not holidays");
    let (_, indices) = get(&base, "/v3/index/list/symbols").await;
    assert_eq!(indices, "symbol\n\"SPX\"\n\"NDX\"\n\"VIX\"\n");
    let (_, dates) = get(&base, "/v3/option/list/dates/quote?symbol=PLTR&expiration=20250321").await;
    let dates: Vec<&str> = dates.lines().skip(1).collect();
    assert_eq!((dates.first().copied(), dates.last().copied()), (Some("2024-12-23"), Some("2025-03-21")));
    assert_eq!(get(&base, "/v3/calendar/year_holidays?year=1999").await.0, 400);
    sim.shutdown().await.unwrap();
}

/// Greeks come from the model that prices the quotes: the implied volatility of
/// a quote's mid is the model's (skewed) volatility within the spread's effect,
/// and a wildcard strike and right list every contract.
#[tokio::test]
async fn greeks_agree_with_the_option_prices() {
    let sim = spawn(SimConfig::default()).await.unwrap();
    let base = sim.base_url();
    let path = "/v3/option/history/greeks/first_order?symbol=PLTR&expiration=20250321&strike=90&right=call&date=20250310&interval=30m";
    let (status, csv) = get(&base, path).await;
    assert_eq!(status, 200, "{csv}");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 13, "09:30 to 15:30 every 30 minutes");
    for row in &rows {
        let value = |name: &str| row[at(name)].parse::<f64>().unwrap();
        let model = super::pricing::skewed_vol(0.60, value("underlying_price"), 90.0);
        assert!((value("implied_vol") - model).abs() < 0.02, "iv {} vs the model's {model}", value("implied_vol"));
        assert!((0.0..1.0).contains(&value("delta")) && value("theta") < 0.0 && value("vega") > 0.0);
        assert!(value("iv_error").abs() < 1e-3);
    }
    let every =
        "/v3/option/history/greeks/implied_volatility?symbol=PLTR&expiration=20250321&date=20250310&interval=1h";
    let (_, csv) = get(&base, every).await;
    let calls = csv.lines().filter(|l| l.contains("\"CALL\"")).count();
    let puts = csv.lines().filter(|l| l.contains("\"PUT\"")).count();
    assert!(calls == puts && calls >= 7 * 20, "{calls} call rows, {puts} put rows");
    sim.shutdown().await.unwrap();
}

/// An index's price at a stamp is the open of that minute's bar; open interest
/// comes once a day, before the open, for a listed contract only.
#[tokio::test]
async fn index_price_and_open_interest() {
    let sim = spawn(SimConfig::default()).await.unwrap();
    let base = sim.base_url();
    let (_, prices) = get(&base, "/v3/index/history/price?symbol=SPX&date=20250310&interval=1h").await;
    let (_, bars) = get(&base, "/v3/index/history/ohlc?symbol=SPX&date=20250310&interval=1m").await;
    let price_at = prices.lines().find(|l| l.starts_with("2025-03-10T10:30")).unwrap().split(',').nth(1).unwrap();
    let bar = bars.lines().find(|l| l.starts_with("2025-03-10T10:30")).unwrap();
    assert_eq!(Some(price_at), bar.split(',').nth(1), "price {price_at} vs bar {bar}");
    let oi = "/v3/option/history/open_interest?symbol=PLTR&expiration=20250321&strike=90&right=call&start_date=20250303&end_date=20250307";
    let (status, csv) = get(&base, oi).await;
    assert_eq!(status, 200);
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 5, "one a session");
    assert!(rows.iter().all(|r| r.contains("T06:30:00.000,") && !r.ends_with(",0")), "{csv}");
    let unlisted =
        "/v3/option/history/open_interest?symbol=PLTR&expiration=20250321&strike=90&right=call&date=20250101";
    assert_eq!(get(&base, unlisted).await.0, 472, "before the contract lists");
    sim.shutdown().await.unwrap();
}

#[tokio::test]
async fn error_statuses_carry_a_message() {
    let sim = spawn(SimConfig::default()).await.unwrap();
    let base = sim.base_url();
    let (status, message) = get(&base, "/v3/stock/history/ohlc?date=20250310").await;
    assert_eq!(status, 400);
    assert!(message.contains("symbol"), "{message}");
    let (status, message) = get(&base, "/v3/stock/history/ohlc?symbol=PLTR&date=20250310&interval=7m").await;
    assert_eq!((status, message.contains("interval=7m")), (400, true));
    assert_eq!(get(&base, "/v2/hist/stock/ohlc?root=PLTR").await.0, 410);
    let (status, message) = get(&base, "/v3/stock/history/trades?symbol=PLTR&date=20250310").await;
    assert_eq!((status, message.as_str()), (404, "No such endpoint: /v3/stock/history/trades"));
    assert_eq!(get(&base, "/v3/option/snapshot/quote?symbol=PLTR").await.0, 404, "snapshots are not simulated");
    let (status, message) = get(&base, "/v3/stock/history/trade").await;
    assert_eq!((status, message.as_str()), (400, "missing required parameter symbol"));
    let (status, message) = get(&base, "/v3/stock/history/ohlc?symbol=PLTR&date=20250704").await;
    assert_eq!((status, message.as_str()), (472, "No data found for your request"));
    let star = "/v3/option/history/trade?symbol=PLTR&expiration=*&start_date=20250310&end_date=20250311";
    let (status, message) = get(&base, star).await;
    assert_eq!((status, message.as_str()), (400, "When expiration=*, you must request data a day-at-a-time"));
}

/// Every request meets `fault`, so the answer is that fault.
async fn with_fault(kind: &str) -> super::RunningTerminal {
    let faults: FaultSpec = format!("{kind}=1,slow-ms=50").parse().unwrap();
    spawn(SimConfig { faults, ..SimConfig::default() }).await.unwrap()
}

#[tokio::test]
async fn status_faults_and_slow_answers() {
    for (kind, code) in [("429", 429), ("474", 474), ("571", 571), ("500", 500)] {
        let sim = with_fault(kind).await;
        let (status, message) = get(&sim.base_url(), OHLC).await;
        assert_eq!(status, code);
        assert!(message.contains("simulated fault"), "{message}");
        assert_eq!(get(&sim.base_url(), "/v3/terminal/mdds/status").await.0, 200, "status is never faulted");
    }
    let clean = spawn(SimConfig::default()).await.unwrap();
    let slow = with_fault("slow").await;
    let started = std::time::Instant::now();
    assert_eq!(get(&slow.base_url(), OHLC).await, get(&clean.base_url(), OHLC).await);
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[tokio::test]
async fn truncated_and_dropped_bodies_are_transport_errors() {
    for kind in ["truncate", "drop"] {
        let sim = with_fault(kind).await;
        let result = match reqwest::get(format!("{}{OHLC}", sim.base_url())).await {
            Ok(response) => response.text().await.map(|_| ()),
            Err(e) => Err(e),
        };
        assert!(result.is_err(), "{kind} must not look like a complete body");
    }
}

#[tokio::test]
async fn mangled_answers_are_clean_but_wrong() {
    let stray = with_fault("stray-date").await;
    let (status, csv) = get(&stray.base_url(), OHLC).await;
    assert_eq!((status, csv.lines().count()), (200, 391));
    let dated = |day: &str| csv.lines().skip(1).filter(|row| row.starts_with(day)).count();
    assert_eq!((dated("2025-03-10T"), dated("2025-03-11T")), (389, 1));
    let huge = with_fault("huge-line").await;
    let body = reqwest::get(format!("{}{OHLC}", huge.base_url())).await.unwrap().bytes().await.unwrap();
    assert_eq!(body.len(), 50 << 20);
    assert!(!body.contains(&b'\n'));
    let missing = with_fault("472").await;
    assert_eq!(get(&missing.base_url(), OHLC).await, (472, "No data found for your request".to_string()));
}

#[tokio::test]
async fn beyond_the_queue_is_429_with_retry_after() {
    let config = SimConfig { tier: Tier::Free, latency: Duration::from_millis(300), queue: 1, ..SimConfig::default() };
    let sim = spawn(config).await.unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}{OHLC}", sim.base_url());
    let requests = (0..3).map(|_| client.get(&url).send());
    let responses = futures_util::future::join_all(requests).await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.as_ref().unwrap().status().as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 200, 429], "one running, one queued, one turned away");
    let turned_away = responses.iter().flatten().find(|r| r.status() == 429).unwrap();
    assert_eq!(turned_away.headers()["retry-after"], "1");
}

#[derive(Debug, clap::Parser)]
struct ArgsOnly {
    #[command(flatten)]
    args: super::TerminalArgs,
}

#[test]
fn command_line_defaults_and_errors() {
    use clap::Parser;
    let defaults = ArgsOnly::try_parse_from(["terminal"]).unwrap().args;
    assert_eq!((defaults.port, defaults.bind.to_string(), defaults.tier), (25503, "127.0.0.1".into(), Tier::Standard));
    let parsed = ArgsOnly::try_parse_from(["terminal", "--tier", "pro", "--latency-ms", "5", "--faults", "drop=0.5"]);
    let config = SimConfig::from(&parsed.unwrap().args);
    assert_eq!((config.tier, config.latency, config.queue), (Tier::Pro, Duration::from_millis(5), 16));
    assert_eq!(config.faults.rate(super::Fault::Drop), 0.5);
    let bad = ArgsOnly::try_parse_from(["terminal", "--faults", "429=0.1,oops=1"]).unwrap_err().to_string();
    assert!(bad.contains("\"oops\""), "{bad}");
}
