//! The client against a scripted mock terminal on loopback: each test lists the
//! answers the mock gives, attempt by attempt.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use super::*;
use crate::market::DataStyle;

/// A complete session of 1m bars for 2025-03-10 (390 rows).
fn bars() -> &'static str {
    static BARS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let mut body = String::from("timestamp,open,high,low,close,volume,count,vwap\n");
        for m in 0..390 {
            let minute = 9 * 60 + 30 + m;
            body += &format!(
                "2025-03-10T{:02}:{:02}:00.000,10.25,10.50,10.00,10.40,1200,31,10.31\n",
                minute / 60,
                minute % 60
            );
        }
        body
    });
    BARS.as_str()
}

#[derive(Clone)]
enum Reply {
    Ok(&'static str),
    Status(u16, &'static str),
    Throttle,
    /// Sends the start of a body, then drops the connection.
    Cut(&'static str),
    /// Answers `Ok` after a pause (to observe concurrency).
    Slow(&'static str),
    /// A status with a body that never ends.
    Endless(u16),
}

#[derive(Default)]
struct Script {
    replies: Vec<Reply>,
    hits: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    uris: Mutex<Vec<String>>,
    /// Bytes of `Endless` bodies handed to the connection so far.
    served: Arc<AtomicUsize>,
}

async fn answer(State(script): State<Arc<Script>>, uri: Uri) -> Response {
    script.uris.lock().unwrap().push(uri.to_string());
    let n = script.hits.fetch_add(1, Ordering::SeqCst);
    let reply = script.replies[n.min(script.replies.len() - 1)].clone();
    let text = |status: u16, body: &'static str| {
        Response::builder().status(StatusCode::from_u16(status).unwrap()).body(Body::from(body)).unwrap()
    };
    match reply {
        Reply::Ok(body) => text(200, body),
        Reply::Status(status, body) => text(status, body),
        Reply::Throttle => {
            Response::builder().status(429).header("Retry-After", "1").body(Body::from("queue full")).unwrap()
        }
        Reply::Cut(start) => {
            let chunks: Vec<Result<Bytes, std::io::Error>> =
                vec![Ok(Bytes::from(start)), Err(std::io::Error::other("terminal dropped the connection"))];
            Response::new(Body::from_stream(futures_util::stream::iter(chunks)))
        }
        Reply::Endless(status) => {
            let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
            let served = script.served.clone();
            let chunks = futures_util::stream::repeat_with(move || {
                served.fetch_add(chunk.len(), Ordering::SeqCst);
                Ok::<_, std::io::Error>(chunk.clone())
            });
            Response::builder().status(status).body(Body::from_stream(chunks)).unwrap()
        }
        Reply::Slow(body) => {
            let now = script.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            script.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(40)).await;
            script.in_flight.fetch_sub(1, Ordering::SeqCst);
            text(200, body)
        }
    }
}

/// A mock terminal answering `replies` in order (the last one repeats).
async fn mock(replies: Vec<Reply>) -> (String, Arc<Script>) {
    let script = Arc::new(Script { replies, ..Script::default() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(answer).with_state(script.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, script)
}

fn client(url: &str) -> (ThetaClient, Arc<Metrics>) {
    let metrics = Arc::new(Metrics::default());
    let config = ClientConfig {
        base_url: url.to_string(),
        max_attempts: 3,
        backoff_base: Duration::from_millis(1),
        backoff_max: Duration::from_millis(5),
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_millis(500),
        ..ClientConfig::default()
    };
    (ThetaClient::new(config, metrics.clone()).unwrap(), metrics)
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 10).unwrap()
}

async fn pltr_day(client: &ThetaClient) -> Result<Option<DataFrame>, ThetaError> {
    client.history_day(&Asset::stock("PLTR").unwrap(), DataStyle::Ohlc, Timestep::Minute, day()).await
}

/// The cache's `Fetcher` needs `Send` futures from every endpoint.
#[test]
fn endpoint_futures_are_send() {
    fn send<T: Send>(_: T) {}
    let (client, _) = client("http://127.0.0.1:9");
    let stock = Asset::stock("PLTR").unwrap();
    send(client.history_day(&stock, DataStyle::Ohlc, Timestep::Minute, day()));
    send(client.eod(&stock, DataStyle::Ohlc, day(), day()));
    send(client.expirations("PLTR"));
    send(client.strikes("PLTR", day()));
    send(client.status());
}

#[tokio::test]
async fn a_day_of_bars_with_its_request_and_counters() {
    let (url, script) = mock(vec![Reply::Ok(bars())]).await;
    let (client, metrics) = client(&url);
    let frame = pltr_day(&client).await.unwrap().unwrap();
    assert_eq!(frame.height(), 390);
    assert_eq!(frame.schema().as_ref(), &DataStyle::Ohlc.schema());
    assert_eq!(
        script.uris.lock().unwrap().as_slice(),
        [
            "/v3/stock/history/ohlc?symbol=PLTR&date=20250310&interval=1m&start_time=09%3A30%3A00&end_time=15%3A59%3A00&format=csv"
        ]
    );
    let m = metrics.snapshot();
    assert_eq!((m.network_requests, m.rows, m.bytes, m.retries), (1, 390, bars().len() as u64, 0));
    assert_eq!(m.conversions[&ConversionKind::Decode].count, 1);
    assert_eq!(m.conversions[&ConversionKind::Decode].rows, 390);
}

#[tokio::test]
async fn no_data_is_none_or_empty_and_closed_days_send_nothing() {
    let (url, script) = mock(vec![Reply::Status(472, "No data found for your request")]).await;
    let (client, metrics) = client(&url);
    assert!(pltr_day(&client).await.unwrap().is_none());
    let eod = client.eod(&Asset::stock("PLTR").unwrap(), DataStyle::Quote, day(), day()).await.unwrap();
    assert!(eod.is_none());
    assert!(client.expirations("PLTR").await.unwrap().is_empty());
    let saturday = NaiveDate::from_ymd_opt(2025, 3, 8).unwrap();
    let closed = client.history_day(&Asset::stock("PLTR").unwrap(), DataStyle::Ohlc, Timestep::Minute, saturday).await;
    assert!(closed.unwrap().is_none());
    assert_eq!(script.hits.load(Ordering::SeqCst), 3, "no request for a closed day");
    assert!(metrics.snapshot().errors.is_empty(), "472 is not an error");
}

#[tokio::test]
async fn rejection_fails_at_once_with_the_terminals_message() {
    let (url, script) = mock(vec![Reply::Status(400, "bad parameter: interval"), Reply::Ok(bars())]).await;
    let (client, metrics) = client(&url);
    let err = pltr_day(&client).await.unwrap_err();
    assert!(
        matches!(&err, ThetaError::Rejected { status: 400, message, .. } if message == "bad parameter: interval"),
        "{err:?}"
    );
    assert!(err.to_string().contains("/v3/stock/history/ohlc?symbol=PLTR&date=20250310"), "{err}");
    assert_eq!(script.hits.load(Ordering::SeqCst), 1, "no retry");
    let m = metrics.snapshot();
    assert_eq!((m.retries, m.errors.get("400").copied()), (0, Some(1)));
}

#[tokio::test]
async fn throttling_is_retried_after_retry_after() {
    let (url, script) = mock(vec![Reply::Throttle, Reply::Ok(bars())]).await;
    let (client, metrics) = client(&url);
    let started = Instant::now();
    let frame = pltr_day(&client).await.unwrap().unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
    assert_eq!(frame.height(), 390);
    assert_eq!(script.hits.load(Ordering::SeqCst), 2);
    let m = metrics.snapshot();
    assert_eq!((m.retries, m.network_requests, m.errors.get("429").copied()), (1, 2, Some(1)));
}

#[tokio::test]
async fn server_errors_exhaust_the_attempts() {
    let (url, script) = mock(vec![Reply::Status(500, "boom")]).await;
    let (client, metrics) = client(&url);
    let err = client.strikes("PLTR", NaiveDate::from_ymd_opt(2025, 4, 18).unwrap()).await.unwrap_err();
    assert!(
        matches!(&err, ThetaError::Exhausted { attempts: 3, last_error, .. } if last_error.contains("500")),
        "{err:?}"
    );
    assert!(err.to_string().contains("/v3/option/list/strikes?symbol=PLTR&expiration=20250418"), "{err}");
    assert_eq!(script.hits.load(Ordering::SeqCst), 3);
    assert_eq!(metrics.snapshot().retries, 2);
}

#[tokio::test]
async fn a_body_cut_mid_stream_is_retried() {
    let (url, script) = mock(vec![Reply::Cut(&bars()[..90]), Reply::Ok(bars())]).await;
    let (client, metrics) = client(&url);
    let frame = pltr_day(&client).await.unwrap().unwrap();
    assert_eq!(frame.height(), 390);
    assert_eq!(script.hits.load(Ordering::SeqCst), 2);
    let m = metrics.snapshot();
    assert_eq!((m.retries, m.errors.get("body").copied(), m.rows), (1, Some(1), 390));
    assert_eq!(m.conversions[&ConversionKind::Decode].count, 1, "only the complete body is a conversion");
}

#[tokio::test]
async fn a_malformed_body_is_retried_then_named_with_its_request_and_row() {
    let bad = "timestamp,open,high,low,close,volume,count\n2025-03-10T09:30:00.000,1.0,1.0,1.0,oops,1,1\n";
    let (url, script) = mock(vec![Reply::Ok(bad)]).await;
    let (client, metrics) = client(&url);
    let err = pltr_day(&client).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ThetaError::Exhausted { attempts: 3, .. }), "{err:?}");
    assert!(text.contains("/v3/stock/history/ohlc?symbol=PLTR") && text.contains("row 1, column `close`"), "{text}");
    assert_eq!(script.hits.load(Ordering::SeqCst), 3, "a garbled answer may come back intact");
    assert_eq!(metrics.snapshot().errors.get("malformed").copied(), Some(3));
}

#[tokio::test]
async fn an_invalid_answer_is_retried_and_a_good_one_taken() {
    let half_the_rows = bars().match_indices('\n').nth(195).map_or(0, |(at, _)| at + 1);
    let (url, script) = mock(vec![Reply::Ok(&bars()[..half_the_rows]), Reply::Ok(bars())]).await;
    let (client, metrics) = client(&url);
    let frame = pltr_day(&client).await.unwrap().unwrap();
    assert_eq!(frame.height(), 390);
    assert_eq!(script.hits.load(Ordering::SeqCst), 2);
    assert_eq!(metrics.snapshot().errors.get("invalid").copied(), Some(1));
}

#[tokio::test]
async fn an_invalid_answer_names_the_request_the_row_and_the_fault() {
    let stray = bars().replacen("2025-03-10T12:00", "2025-03-11T12:00", 1);
    let (url, _) = mock(vec![Reply::Ok(Box::leak(stray.into_boxed_str()))]).await;
    let err = pltr_day(&client(&url).0).await.unwrap_err().to_string();
    assert!(err.contains("GET /v3/stock/history/ohlc?symbol=PLTR&date=20250310"), "{err}");
    assert!(err.contains("invalid answer: row 151: 2025-03-11 12:00 -04:00 is dated 2025-03-11"), "{err}");
}

#[tokio::test]
async fn error_bodies_and_endless_lines_are_quoted_and_read_only_in_part() {
    static HUGE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| "x".repeat(3 << 20));
    let (url, _) = mock(vec![Reply::Status(500, HUGE.as_str())]).await;
    let err = pltr_day(&client(&url).0).await.unwrap_err().to_string();
    assert!(err.len() < 600, "{} bytes of error", err.len());
    // An error answer is read only as far as its quote: an endless one still fails fast, with its status.
    let (url, script) = mock(vec![Reply::Endless(500)]).await;
    let err = pltr_day(&client(&url).0).await.unwrap_err().to_string();
    assert!(err.contains("last error: HTTP 500: xxx") && err.len() < 600, "{err}");
    let served = script.served.load(Ordering::SeqCst);
    assert!(served < 32 << 20, "three attempts pulled {served} bytes: more than socket buffers hold");
    let (url, _) = mock(vec![Reply::Ok(HUGE.as_str())]).await;
    let err = pltr_day(&client(&url).0).await.unwrap_err().to_string();
    assert!(err.contains("a line longer than 1048576 bytes") && err.len() < 600, "{err}");
}

#[tokio::test]
async fn nobody_listening_is_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let (client, metrics) = client(&url);
    let err = pltr_day(&client).await.unwrap_err();
    assert!(matches!(err, ThetaError::Unreachable { attempts: 3, .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("no Theta Terminal answers at {url}")), "{err}");
    assert_eq!(metrics.snapshot().errors.get("connect").copied(), Some(3));
}

#[tokio::test]
async fn status_lists_and_the_concurrency_cap() {
    let (url, _) = mock(vec![Reply::Ok("CONNECTED\n")]).await;
    assert_eq!(client(&url).0.status().await.unwrap(), "CONNECTED");

    let strikes = "symbol,strike\nPLTR,92.500\nPLTR,91.000\n\"PLTR\",91.000\n";
    let (url, _) = mock(vec![Reply::Ok(strikes)]).await;
    let got = client(&url).0.strikes("PLTR", day()).await.unwrap();
    assert_eq!(got, [Strike::from_millis(91_000), Strike::from_millis(92_500)]);

    let (url, script) = mock(vec![Reply::Slow("symbol,expiration\nPLTR,2025-04-18\n")]).await;
    let metrics = Arc::new(Metrics::default());
    let config = ClientConfig { base_url: url, concurrency: 2, ..ClientConfig::default() };
    let capped = ThetaClient::new(config, metrics).unwrap();
    let calls = (0..6).map(|_| capped.expirations("PLTR"));
    for answer in futures_util::future::join_all(calls).await {
        assert_eq!(answer.unwrap(), [NaiveDate::from_ymd_opt(2025, 4, 18).unwrap()]);
    }
    assert_eq!(script.max_in_flight.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn slow_answers_time_out_and_are_retried() {
    let (url, script) = mock(vec![Reply::Slow(bars())]).await;
    let metrics = Arc::new(Metrics::default());
    let config = ClientConfig {
        request_timeout: Duration::from_millis(10),
        backoff_base: Duration::from_millis(1),
        max_attempts: 2,
        base_url: url,
        ..ClientConfig::default()
    };
    let err = pltr_day(&ThetaClient::new(config, metrics.clone()).unwrap()).await.unwrap_err();
    assert!(
        matches!(&err, ThetaError::Exhausted { attempts: 2, last_error, .. } if last_error.contains("timeout")),
        "{err:?}"
    );
    assert_eq!(script.hits.load(Ordering::SeqCst), 2);
    assert_eq!(metrics.snapshot().errors.get("timeout").copied(), Some(2));
}
