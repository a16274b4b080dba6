//! The bridge from the synchronous engine to the async cache: each call blocks
//! until the cache has answered, so data the cache lacks is fetched before the
//! strategy sees anything, and the engine itself never awaits.

use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::DataFrame;
use tokio::runtime::Handle;

use crate::cache::{Cache, CacheError, DatasetKey, Fetcher, Window};
use crate::market::Strike;
use crate::metrics::Metrics;

pub struct Loader<F> {
    cache: Arc<Cache<F>>,
    runtime: Handle,
}

impl<F: Fetcher> Loader<F> {
    /// `runtime` drives the cache; the loader must be used from a thread that is
    /// not itself running async code (the engine's own thread).
    pub fn new(cache: Arc<Cache<F>>, runtime: Handle) -> Loader<F> {
        Loader { cache, runtime }
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        self.cache.metrics()
    }

    pub fn bars(&self, key: &DatasetKey, window: Window) -> Result<DataFrame, CacheError> {
        self.runtime.block_on(self.cache.get(key, window)).map(|slice| slice.frame)
    }

    pub fn expirations(&self, symbol: &str, as_of: NaiveDate) -> Result<Vec<NaiveDate>, CacheError> {
        self.runtime.block_on(self.cache.expirations(symbol, as_of))
    }

    pub fn strikes(&self, symbol: &str, expiration: NaiveDate, as_of: NaiveDate) -> Result<Vec<Strike>, CacheError> {
        self.runtime.block_on(self.cache.strikes(symbol, expiration, as_of))
    }
}
