//! The client: one `reqwest` connection pool, a semaphore sized to the tier,
//! and the retry loop every endpoint goes through.

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use futures_util::StreamExt;
use polars::prelude::DataFrame;
use reqwest::{Response, Url};
use tokio::sync::Semaphore;

use super::decode::{CsvDecoder, DecodeError, Decoded, Layout};
use super::error::{QUOTE_BYTES, ThetaError};
use super::request::{Request, Unsupported};
use super::retry::{Backoff, Failure};
use super::validate::{self, Expect, Values};
use crate::market::conversion::ConversionKind;
use crate::market::{Asset, Calendar, DataStyle, Strike, Timestep};
use crate::metrics::Metrics;

/// How to reach the terminal and how hard to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    pub base_url: String,
    /// Requests in flight at once; match the subscription tier ([`super::Tier::concurrency`]).
    pub concurrency: usize,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Whole attempt: connect, status line and body.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> ClientConfig {
        ClientConfig {
            base_url: super::default_base_url(),
            concurrency: 4,
            max_attempts: 6,
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(2),
        }
    }
}

/// A Theta Terminal v3 client. Cheap to clone; clones share the pool, the
/// concurrency cap and the metrics.
#[derive(Clone)]
pub struct ThetaClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    base: Url,
    http: reqwest::Client,
    permits: Semaphore,
    backoff: Backoff,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for ThetaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThetaClient").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

impl ThetaClient {
    pub fn new(mut config: ClientConfig, metrics: Arc<Metrics>) -> Result<ThetaClient, ThetaError> {
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        let invalid = |detail: String| ThetaError::Config { base_url: config.base_url.clone(), detail };
        let base = Url::parse(&config.base_url).map_err(|e| invalid(format!("not a URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(invalid("the terminal speaks http".into()));
        }
        if config.concurrency == 0 || config.max_attempts == 0 {
            return Err(invalid("concurrency and max_attempts must be at least 1".into()));
        }
        let http = reqwest::Client::builder()
            // The terminal is local: a proxy from the environment must not intercept it.
            .no_proxy()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| invalid(e.to_string()))?;
        let inner = Inner {
            permits: Semaphore::new(config.concurrency),
            backoff: Backoff { base: config.backoff_base, max: config.backoff_max },
            base,
            http,
            metrics,
            config,
        };
        Ok(ThetaClient { inner: Arc::new(inner) })
    }

    pub fn base_url(&self) -> &str {
        &self.inner.config.base_url
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The terminal's link to ThetaData's servers: `CONNECTED`, `UNVERIFIED`,
    /// `DISCONNECTED` or `ERROR`. One attempt: callers probe with it.
    pub async fn status(&self) -> Result<String, ThetaError> {
        let request = Request::status();
        let answer = self.call(&request, 1, read_text).await?;
        answer.ok_or_else(|| malformed(&request, "472 no data for a status request".into()))
    }

    /// One trading day of intraday bars (1m/5m/15m/1h), restricted to the session:
    /// 09:30 up to the last bar stamp before the close (15:59, or 12:59 on early
    /// closes), every bar of it (see [`validate`]). `Ok(None)` when the terminal
    /// has no data (472) and, without a request, when `day` is not a session.
    pub async fn history_day(
        &self,
        asset: &Asset,
        style: DataStyle,
        interval: Timestep,
        day: NaiveDate,
    ) -> Result<Option<DataFrame>, ThetaError> {
        let Some(session) = Calendar::session(day) else {
            return Ok(None);
        };
        let request = Request::history_day(asset, style, interval, &session).map_err(unsupported)?;
        let interval_ms = interval.intraday_ms().unwrap_or(60_000);
        let expect = Expect::Session { session, interval_ms, values: values(asset, style) };
        self.frame(&request, Layout::bars(style), Some(expect)).await
    }

    /// Intraday bars of the sessions of `[start, end]` (at most a month) in one
    /// request, checked session by session (see [`validate`]). A session the
    /// answer leaves out is not an error here: the caller asks it alone, since
    /// only a 472 for that day says it has no data. `Ok(None)` on 472.
    pub async fn history_range(
        &self,
        asset: &Asset,
        style: DataStyle,
        interval: Timestep,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<DataFrame>, ThetaError> {
        let request = Request::history_range(asset, style, interval, start, end).map_err(unsupported)?;
        let interval_ms = interval.intraday_ms().unwrap_or(60_000);
        let expect = Expect::Sessions { start, end, interval_ms, values: values(asset, style) };
        self.frame(&request, Layout::bars(style), Some(expect)).await
    }

    /// Daily bars from the EOD reports: at most one row per session of the
    /// range, stamped at that session's open; `Quote` takes the report's closing
    /// NBBO; `OpenInterest` is the day's report, stamped when it was made. `Ok(None)` when the terminal has no data for the range (472) and,
    /// without a request, for an empty range.
    pub async fn eod(
        &self,
        asset: &Asset,
        style: DataStyle,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<DataFrame>, ThetaError> {
        if start > end {
            return Ok(None);
        }
        let expect = Expect::Eod { start, end, values: values(asset, style) };
        let request = Request::daily(asset, style, start, end).map_err(unsupported)?;
        self.frame(&request, Layout::daily(style), Some(expect)).await
    }

    /// Every listed expiration of `symbol`, ascending; empty on 472.
    pub async fn expirations(&self, symbol: &str) -> Result<Vec<NaiveDate>, ThetaError> {
        let days = self.list(&Request::expirations(symbol), Layout::expirations(), "expiration").await?;
        Ok(days
            .into_iter()
            .filter_map(|d| i32::try_from(d).ok().and_then(NaiveDate::from_num_days_from_ce_opt))
            .collect())
    }

    /// The strikes listed for one expiration, ascending; empty on 472.
    pub async fn strikes(&self, symbol: &str, expiration: NaiveDate) -> Result<Vec<Strike>, ThetaError> {
        let millis = self.list(&Request::strikes(symbol, expiration), Layout::strikes(), "strike").await?;
        Ok(millis.into_iter().filter_map(|m| u32::try_from(m).ok().map(Strike::from_millis)).collect())
    }

    /// A market-data frame, checked against `expect` inside each attempt; the
    /// one place wire -> columnar conversions are recorded.
    async fn frame(
        &self,
        request: &Request,
        layout: Layout,
        expect: Option<Expect>,
    ) -> Result<Option<DataFrame>, ThetaError> {
        let read = csv_reader(&layout, expect);
        let Some(decoded) = self.call(request, self.inner.config.max_attempts, read).await? else {
            return Ok(None);
        };
        let rows = decoded.rows();
        let frame = decoded.into_frame().map_err(|e| malformed(request, e.to_string()))?;
        self.inner.metrics.conversions.record(ConversionKind::Decode, rows);
        Ok(Some(frame))
    }

    /// One integer column of a list answer, sorted and deduplicated.
    async fn list(&self, request: &Request, layout: Layout, column: &str) -> Result<Vec<i64>, ThetaError> {
        let decoded = self.call(request, self.inner.config.max_attempts, csv_reader(&layout, None)).await?;
        let mut values = decoded.and_then(|d| d.ints(column).map(<[i64]>::to_vec)).unwrap_or_default();
        values.sort_unstable();
        values.dedup();
        Ok(values)
    }

    /// The retry loop: `Ok(None)` on 472, the body read by `read` on success.
    async fn call<T, F, Fut>(&self, request: &Request, max_attempts: u32, read: F) -> Result<Option<T>, ThetaError>
    where
        F: Fn(Response, Arc<Metrics>) -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let inner = &self.inner;
        let mut nothing_answered = true;
        let mut attempt = 0;
        let last = loop {
            attempt += 1;
            let failure = match self.attempt(request, attempt, &read).await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            inner.metrics.error(failure.metric_code());
            match &failure {
                Failure::Status { status, message, .. } if !failure.is_retryable() => {
                    return Err(ThetaError::Rejected {
                        request: request.to_string(),
                        status: *status,
                        message: message.clone(),
                    });
                }
                _ => {}
            }
            nothing_answered &= failure.is_connect();
            if attempt >= max_attempts {
                break failure;
            }
            let delay = inner.backoff.delay(attempt, failure.retry_after());
            inner.metrics.retry();
            tracing::warn!("GET {request}: {failure}; retry {attempt}/{} in {delay:?}", max_attempts - 1);
            tokio::time::sleep(delay).await;
        };
        Err(if nothing_answered {
            ThetaError::Unreachable {
                base_url: inner.config.base_url.clone(),
                request: request.to_string(),
                attempts: attempt,
                detail: last.to_string(),
            }
        } else {
            ThetaError::Exhausted { request: request.to_string(), attempts: attempt, last_error: last.to_string() }
        })
    }

    /// One attempt, holding a concurrency permit from sending until the body is read.
    async fn attempt<T, F, Fut>(&self, request: &Request, attempt: u32, read: &F) -> Result<Option<T>, Failure>
    where
        F: Fn(Response, Arc<Metrics>) -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let inner = &self.inner;
        // The semaphore lives as long as the client and is never closed.
        let _permit =
            inner.permits.acquire().await.map_err(|e| Failure::Transport { code: "closed", detail: e.to_string() })?;
        inner.metrics.network_request();
        let _on_the_wire = inner.metrics.in_flight();
        tracing::debug!("GET {request} (attempt {attempt})");
        let response =
            inner.http.get(request.url(&inner.base)).send().await.map_err(|e| Failure::transport(&e, false))?;
        match response.status().as_u16() {
            472 => Ok(None),
            200..=299 => read(response, inner.metrics.clone()).await.map(Some),
            status => {
                let headers = response.headers().clone();
                Err(Failure::status(status, &headers, &read_prefix(response, QUOTE_BYTES + 1).await))
            }
        }
    }
}

fn malformed(request: &Request, detail: String) -> ThetaError {
    ThetaError::Malformed { request: request.to_string(), detail }
}

fn unsupported(u: Unsupported) -> ThetaError {
    ThetaError::Unsupported { request: u.request, detail: u.detail }
}

/// How a bar answer for `asset` may look (index bars carry prices without trades).
fn values(asset: &Asset, style: DataStyle) -> Values {
    Values { style, priced_without_trades: matches!(asset, Asset::Index(_)) }
}

/// Reads a CSV body chunk by chunk as it streams in, then checks it against `expect`.
fn csv_reader(layout: &Layout, expect: Option<Expect>) -> impl Fn(Response, Arc<Metrics>) -> CsvRead + '_ {
    move |response, metrics| read_csv(response, layout.clone(), expect, metrics)
}

type CsvRead = std::pin::Pin<Box<dyn Future<Output = Result<Decoded, Failure>> + Send>>;

fn read_csv(response: Response, layout: Layout, expect: Option<Expect>, metrics: Arc<Metrics>) -> CsvRead {
    let malformed = |e: DecodeError| Failure::BadAnswer { code: "malformed", detail: e.to_string() };
    Box::pin(async move {
        let mut decoder = CsvDecoder::new(layout);
        let mut stream = response.bytes_stream();
        let mut bytes = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| Failure::transport(&e, true))?;
            bytes += chunk.len();
            // Stops reading at the first bad row: a garbled body is not read to its end.
            decoder.feed(&chunk).map_err(malformed)?;
        }
        let decoded = decoder.finish().map_err(malformed)?;
        metrics.received(bytes, decoded.rows());
        if let Some(expect) = &expect {
            validate::check(&decoded, expect)
                .map_err(|e| Failure::BadAnswer { code: "invalid", detail: e.to_string() })?;
        }
        Ok(decoded)
    })
}

/// A short text answer (the status endpoint's one word), read up to 4 KiB.
async fn read_text(response: Response, metrics: Arc<Metrics>) -> Result<String, Failure> {
    let bytes = read_prefix(response, 4096).await;
    metrics.received(bytes.len(), 0);
    Ok(String::from_utf8_lossy(&bytes).trim().to_string())
}

/// The first `limit` bytes of a body (an error answer's message), never more:
/// a terminal's error page can be any size.
async fn read_prefix(response: Response, limit: usize) -> Vec<u8> {
    let mut prefix = Vec::new();
    let mut stream = response.bytes_stream();
    while prefix.len() < limit {
        match stream.next().await {
            Some(Ok(chunk)) => prefix.extend_from_slice(&chunk[..chunk.len().min(limit - prefix.len())]),
            _ => break,
        }
    }
    prefix
}
