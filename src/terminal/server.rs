//! The HTTP face: routing, status codes, the tier limiter, latency and fault
//! injection around the synthetic market's answers.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::SimConfig;
use super::answer::{NoData, answer};
use super::faults::Fault;
use super::limiter::Limiter;
use super::mangle::mangle;
use super::request::{Endpoint, Params, Question, parse};
use super::table::Rendered;
use crate::thetadata::STATUS_PATH;

pub const NO_DATA: &str = "No data found for your request";

/// What every request handler shares.
struct Shared {
    config: SimConfig,
    limiter: Limiter,
    /// Data requests admitted so far: the index into the fault stream.
    requests: AtomicU64,
}

fn router(config: SimConfig) -> Router {
    let limiter = Limiter::new(config.tier.concurrency(), config.queue);
    let shared = Arc::new(Shared { config, limiter, requests: AtomicU64::new(0) });
    Router::new().fallback(handle).with_state(shared)
}

/// Serves the simulated terminal on `listener` until `stop` resolves.
pub async fn serve_until(
    listener: TcpListener,
    config: SimConfig,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(config)).with_graceful_shutdown(stop).await
}

/// A simulated terminal running on the current runtime; stops when dropped.
#[derive(Debug)]
pub struct RunningTerminal {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningTerminal {
    pub(super) async fn start(config: SimConfig) -> std::io::Result<RunningTerminal> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_until(listener, config, async move {
            // A dropped sender is a stop too.
            let _ = stopped.await;
        }));
        Ok(RunningTerminal { addr, stop: Some(stop), task: Some(task) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the base URL a client is given.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits for open ones to finish.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        self.stop.take().map(|stop| stop.send(()));
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningTerminal {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    let mut response = (status, body.into()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

fn status_code(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// 472, what the real terminal answers when it has no rows.
fn no_data() -> Response {
    text(status_code(472), NO_DATA)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let started = Instant::now();
    let response = route(&shared, uri.path(), &params).await;
    tracing::debug!(
        target: "thetabench::terminal",
        "{} -> {} in {:.1} ms",
        uri,
        response.status(),
        started.elapsed().as_secs_f64() * 1e3
    );
    response
}

async fn route(shared: &Shared, path: &str, params: &HashMap<String, String>) -> Response {
    if path == STATUS_PATH {
        return text(StatusCode::OK, "CONNECTED");
    }
    if path == "/v2" || path.starts_with("/v2/") {
        return text(StatusCode::GONE, "This is a v3 terminal: /v2 endpoints are gone; use /v3");
    }
    let Some(endpoint) = Endpoint::from_path(path) else {
        return text(StatusCode::NOT_FOUND, format!("No such endpoint: {path}"));
    };
    let params = Params(params);
    let (format, question) = match params.format().and_then(|f| parse(endpoint, &params).map(|q| (f, q))) {
        Ok(parsed) => parsed,
        Err(bad) => return text(StatusCode::BAD_REQUEST, bad.0),
    };
    let Some(ticket) = shared.limiter.try_admit() else {
        let mut response = text(StatusCode::TOO_MANY_REQUESTS, "Too many requests: the request queue is full");
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    let _slot = ticket.run().await;
    let n = shared.requests.fetch_add(1, Ordering::Relaxed);
    let mut fault = shared.config.faults.pick(n);
    let mut question = question;
    if let Question::Intraday(q) = &mut question
        && q.start < q.end
    {
        // A range meets "no data" day by day, not whole.
        fault = fault.filter(|f| *f != Fault::NoData);
        let faults = &shared.config.faults;
        q.left_out = q.start.iter_days().take_while(|d| *d <= q.end).filter(|d| faults.leaves_out(n, *d)).collect();
    }
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    let failed = |code: u16, what: &str| text(status_code(code), format!("{what} (simulated fault)"));
    match fault {
        Some(Fault::Throttled) => return failed(429, "Too many requests"),
        Some(Fault::Disconnected) => return failed(474, "Disconnected from the market data server"),
        Some(Fault::Starting) => return failed(571, "Server is starting"),
        Some(Fault::Internal) => return failed(500, "Internal server error"),
        Some(Fault::NoData) => return no_data(),
        Some(Fault::Slow) => tokio::time::sleep(shared.config.faults.slow_delay).await,
        _ => {}
    }
    match answer(&question, format, Utc::now()) {
        Err(NoData) => no_data(),
        Ok(rendered) => data_response(rendered, fault),
    }
}

/// A 200 with the rows; a truncate or drop fault aborts the body part-way so
/// the client sees a transport error, never a clean short body, and a mangle
/// fault sends a clean body that is wrong.
fn data_response(rendered: Rendered, fault: Option<Fault>) -> Response {
    if let Some(bad) = fault.and_then(|kind| mangle(kind, &rendered)) {
        return ok(bad.content_type, bad.body.into_body());
    }
    let content_type = rendered.format.content_type();
    let body = match fault {
        Some(Fault::Truncate) => {
            let rows_len = rendered.bytes.len() - rendered.header_len;
            let cut = rendered.header_len + rows_len / 2;
            aborted_body(Some(Bytes::from(rendered.bytes).slice(..cut)))
        }
        Some(Fault::Drop) => aborted_body(None),
        _ => Body::from(rendered.bytes),
    };
    ok(content_type, body)
}

fn ok(content_type: &'static str, body: Body) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A streamed body that sends `sent` and then fails, which makes hyper drop the connection.
fn aborted_body(sent: Option<Bytes>) -> Body {
    let failure = std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "simulated fault: connection dropped");
    let chunks = sent.into_iter().map(Ok).chain(std::iter::once(Err(failure)));
    Body::from_stream(futures_util::stream::iter(chunks))
}
