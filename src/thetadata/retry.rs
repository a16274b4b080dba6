//! The retry policy: which failures are worth another attempt, and how long to
//! wait before it (exponential backoff with full jitter, at least `Retry-After`).

use std::error::Error;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::error::quote;

/// One failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No usable answer: `code` is `connect`, `timeout` or `body` (cut mid-stream).
    Transport { code: &'static str, detail: String },
    /// The terminal answered with an error status.
    Status { status: u16, message: String, retry_after: Option<Duration> },
    /// A complete 200 that cannot be taken: `malformed` (it does not decode)
    /// or `invalid` (it decodes to rows that cannot be right). A terminal or a
    /// proxy can garble one answer and send the next intact, so it is retried.
    BadAnswer { code: &'static str, detail: String },
}

impl Failure {
    /// Classifies a reqwest error; `in_body` says the status line had already arrived.
    pub fn transport(error: &reqwest::Error, in_body: bool) -> Failure {
        let code = if !in_body && error.is_connect() {
            // Refused or a connect timeout: nothing is listening there.
            "connect"
        } else if error.is_timeout() {
            "timeout"
        } else {
            // Cut mid-body, or dropped before the status line: the same remedy.
            "body"
        };
        Failure::Transport { code, detail: error_chain(error) }
    }

    /// An error status; `body` is at most the start of the answer, and only
    /// [`quote`]'s share of it is kept.
    pub fn status(status: u16, headers: &HeaderMap, body: &[u8]) -> Failure {
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        Failure::Status { status, message: quote(body), retry_after }
    }

    /// 429 (queue full), 474 (terminal disconnected from MDDS), 571 (server
    /// starting), 5xx and every transport failure may clear up; other statuses
    /// (400, 410, 471, 473, 404…) will not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Failure::Transport { .. } | Failure::BadAnswer { .. } => true,
            Failure::Status { status, .. } => matches!(status, 429 | 474 | 571 | 500..=599),
        }
    }

    /// Nothing answered: the signature of a terminal that is not running.
    pub fn is_connect(&self) -> bool {
        matches!(self, Failure::Transport { code: "connect", .. })
    }

    /// The key [`crate::metrics::Metrics::error`] counts it under.
    pub fn metric_code(&self) -> String {
        match self {
            Failure::Transport { code, .. } | Failure::BadAnswer { code, .. } => (*code).to_string(),
            Failure::Status { status, .. } => status.to_string(),
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Status { retry_after, .. } => *retry_after,
            Failure::Transport { .. } | Failure::BadAnswer { .. } => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Transport { code, detail } => write!(f, "{code} error: {detail}"),
            Failure::Status { status, message, .. } if message.is_empty() => write!(f, "HTTP {status}"),
            Failure::Status { status, message, .. } => write!(f, "HTTP {status}: {message}"),
            Failure::BadAnswer { code, detail } => write!(f, "{code} answer: {detail}"),
        }
    }
}

/// The error and its causes, `a: b: c`: reqwest's own message hides the useful
/// part ("Connection refused") in the source chain.
fn error_chain(error: &dyn Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

/// Exponential backoff with full jitter (AWS style): before retry `n` (from 1)
/// wait a uniform random time in `[0, min(max, base * 2^(n-1))]`, so clients
/// throttled together do not come back together.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The wait before retry `retry`; with a `Retry-After`, that long plus the
    /// jittered backoff, so the terminal's instruction is always honoured.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let doubling = 1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX);
        let ceiling = self.base.saturating_mul(doubling).min(self.max);
        let jittered = ceiling.mul_f64(unit_random());
        retry_after.map_or(jittered, |after| after + jittered)
    }
}

/// A uniform number in `[0, 1)`. Jitter needs spread, not cryptographic
/// quality; std's per-instance random hash keys provide it without a dependency.
fn unit_random() -> f64 {
    let bits = RandomState::new().hash_one(std::time::Instant::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_are_capped_and_jittered() {
        let backoff = Backoff { base: Duration::from_millis(100), max: Duration::from_secs(5) };
        for retry in 1..=40 {
            let ceiling = Duration::from_millis(100u64.saturating_mul(1 << (retry - 1).min(20))).min(backoff.max);
            let d = backoff.delay(retry, None);
            assert!(d <= ceiling, "retry {retry}: {d:?} > {ceiling:?}");
        }
        let spread: std::collections::BTreeSet<_> = (0..20).map(|_| backoff.delay(6, None)).collect();
        assert!(spread.len() > 10, "full jitter spreads delays: {spread:?}");
    }

    #[test]
    fn retry_after_is_a_floor() {
        let backoff = Backoff { base: Duration::from_millis(1), max: Duration::from_millis(2) };
        let d = backoff.delay(1, Some(Duration::from_secs(1)));
        assert!(d >= Duration::from_secs(1) && d <= Duration::from_millis(1002), "{d:?}");
    }

    #[test]
    fn which_statuses_retry() {
        let status = |s| Failure::Status { status: s, message: String::new(), retry_after: None };
        for s in [429, 474, 571, 500, 503] {
            assert!(status(s).is_retryable(), "{s}");
        }
        for s in [400, 404, 410, 471, 473] {
            assert!(!status(s).is_retryable(), "{s}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "2".parse().unwrap());
        let throttled = Failure::status(429, &headers, b" queue full \n");
        assert_eq!(throttled.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(throttled.to_string(), "HTTP 429: queue full");
        assert_eq!(throttled.metric_code(), "429");
        let garbled = Failure::BadAnswer { code: "invalid", detail: "row 3: high 1 is below low 2".into() };
        assert!(garbled.is_retryable());
        assert_eq!(garbled.to_string(), "invalid answer: row 3: high 1 is below low 2");
        let long = Failure::status(500, &HeaderMap::new(), &[b'x'; 4096]);
        assert!(long.to_string().len() < 220, "{long}");
    }
}
