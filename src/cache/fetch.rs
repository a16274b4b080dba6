//! What the cache asks of a data source, and the Theta Terminal client's answer.

use std::future::Future;

use chrono::NaiveDate;
use polars::prelude::DataFrame;

use super::key::DatasetKey;
use crate::market::Strike;

pub type FetchError = Box<dyn std::error::Error + Send + Sync>;

/// A source of complete trading days. The cache decides what is missing; the
/// fetcher only fetches, and hands over only answers it has checked (every
/// row of the asked day or range, complete and sane: see
/// [`crate::thetadata::validate`]), since the cache commits what it is given.
pub trait Fetcher: Send + Sync {
    /// One trading day of intraday bars; `None` when the source says it has
    /// no data (472).
    fn fetch_day(
        &self,
        key: &DatasetKey,
        day: NaiveDate,
    ) -> impl Future<Output = Result<Option<DataFrame>, FetchError>> + Send;

    /// Intraday bars of the sessions of `[start, end]` (at most a month) in one
    /// request. Each session present is complete; a session may be absent (the
    /// cache then asks [`Fetcher::fetch_day`]). `None` on 472 for the range.
    fn fetch_range(
        &self,
        key: &DatasetKey,
        start: NaiveDate,
        end: NaiveDate,
    ) -> impl Future<Output = Result<Option<DataFrame>, FetchError>> + Send;

    /// Daily bars for `[start, end]`, at most one row per session; `None` when
    /// the source says it has no data for the range (472).
    fn fetch_daily(
        &self,
        key: &DatasetKey,
        start: NaiveDate,
        end: NaiveDate,
    ) -> impl Future<Output = Result<Option<DataFrame>, FetchError>> + Send;

    /// Every listed expiration of an underlying.
    fn expirations(&self, symbol: &str) -> impl Future<Output = Result<Vec<NaiveDate>, FetchError>> + Send;

    /// The strikes listed for one expiration.
    fn strikes(
        &self,
        symbol: &str,
        expiration: NaiveDate,
    ) -> impl Future<Output = Result<Vec<Strike>, FetchError>> + Send;
}

/// A source that never answers: reads a cache without touching the network,
/// and turns any missing day into a clear error.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

#[derive(Debug, thiserror::Error)]
#[error("offline: {key} is not cached for {days}")]
pub struct NotCached {
    key: String,
    days: String,
}

/// The error every [`Offline`] answer is: `what` is not cached for `days`.
fn not_cached<T>(what: impl ToString, days: impl ToString) -> Result<T, FetchError> {
    Err(Box::new(NotCached { key: what.to_string(), days: days.to_string() }))
}

impl Fetcher for Offline {
    async fn fetch_day(&self, key: &DatasetKey, day: NaiveDate) -> Result<Option<DataFrame>, FetchError> {
        not_cached(key, day)
    }

    async fn fetch_range(
        &self,
        key: &DatasetKey,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<DataFrame>, FetchError> {
        not_cached(key, format!("{start}..{end}"))
    }

    async fn fetch_daily(
        &self,
        key: &DatasetKey,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<DataFrame>, FetchError> {
        not_cached(key, format!("{start}..{end}"))
    }

    async fn expirations(&self, symbol: &str) -> Result<Vec<NaiveDate>, FetchError> {
        not_cached(format!("{symbol} expirations"), "today")
    }

    async fn strikes(&self, symbol: &str, expiration: NaiveDate) -> Result<Vec<Strike>, FetchError> {
        not_cached(format!("{symbol} {expiration} strikes"), "today")
    }
}

/// The Theta Terminal client is the production fetcher.
impl Fetcher for crate::thetadata::ThetaClient {
    async fn fetch_day(&self, key: &DatasetKey, day: NaiveDate) -> Result<Option<DataFrame>, FetchError> {
        Ok(self.history_day(&key.asset, key.style, key.timestep, day).await?)
    }

    async fn fetch_range(
        &self,
        key: &DatasetKey,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<DataFrame>, FetchError> {
        Ok(self.history_range(&key.asset, key.style, key.timestep, start, end).await?)
    }

    async fn fetch_daily(
        &self,
        key: &DatasetKey,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<DataFrame>, FetchError> {
        Ok(self.eod(&key.asset, key.style, start, end).await?)
    }

    async fn expirations(&self, symbol: &str) -> Result<Vec<NaiveDate>, FetchError> {
        Ok(crate::thetadata::ThetaClient::expirations(self, symbol).await?)
    }

    async fn strikes(&self, symbol: &str, expiration: NaiveDate) -> Result<Vec<Strike>, FetchError> {
        Ok(crate::thetadata::ThetaClient::strikes(self, symbol, expiration).await?)
    }
}
