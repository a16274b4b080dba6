//! Option chains (expirations and strikes) cached beside the bars, so a warm
//! backtest asks the network for nothing. A list fetched on day D answers any
//! question asked as of D or earlier: the past does not change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::store::{StoreError, write_atomically};
use super::{Cache, CacheError, Fetcher};
use crate::market::Strike;
use crate::market::time::et_date;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ListFile<T> {
    /// The ET date the list was fetched.
    fetched: NaiveDate,
    values: Vec<T>,
}

/// In-memory copies of the list files, keyed by their path.
#[derive(Default)]
pub(super) struct Lists {
    expirations: Mutex<HashMap<PathBuf, ListFile<NaiveDate>>>,
    strikes: Mutex<HashMap<PathBuf, ListFile<Strike>>>,
}

impl<F: Fetcher> Cache<F> {
    /// Every listed expiration of `symbol`, as known on `as_of`.
    pub async fn expirations(&self, symbol: &str, as_of: NaiveDate) -> Result<Vec<NaiveDate>, CacheError> {
        let path = self.store.root().join("lists").join(symbol).join("expirations.json");
        let fetch = || async { self.fetcher.expirations(symbol).await };
        self.list(&self.lists.expirations, path, as_of, &format!("{symbol} expirations"), fetch).await
    }

    /// The strikes of one expiration of `symbol`, as known on `as_of`.
    pub async fn strikes(
        &self,
        symbol: &str,
        expiration: NaiveDate,
        as_of: NaiveDate,
    ) -> Result<Vec<Strike>, CacheError> {
        let path = self.store.root().join("lists").join(symbol).join(format!("strikes-{expiration}.json"));
        let fetch = || async { self.fetcher.strikes(symbol, expiration).await };
        self.list(&self.lists.strikes, path, as_of, &format!("{symbol} {expiration} strikes"), fetch).await
    }

    async fn list<T, Fut>(
        &self,
        memory: &Mutex<HashMap<PathBuf, ListFile<T>>>,
        path: PathBuf,
        as_of: NaiveDate,
        what: &str,
        fetch: impl FnOnce() -> Fut,
    ) -> Result<Vec<T>, CacheError>
    where
        T: Clone + Serialize + DeserializeOwned,
        Fut: std::future::Future<Output = Result<Vec<T>, super::FetchError>>,
    {
        self.metrics.cache_check();
        let cached = memory.lock().unwrap_or_else(|e| e.into_inner()).get(&path).cloned();
        let cached = match cached {
            Some(list) => Some(list),
            None => read_list(&path)?,
        };
        if let Some(list) = cached.filter(|l| l.fetched >= as_of) {
            self.metrics.cache_hit();
            tracing::debug!(target: "thetabench::cache", "[CACHE HIT] {what} fetched {}", list.fetched);
            let values = list.values.clone();
            memory.lock().unwrap_or_else(|e| e.into_inner()).insert(path, list);
            return Ok(values);
        }
        self.metrics.cache_miss();
        tracing::info!(target: "thetabench::cache", "[CACHE MISS] {what} need as of {as_of}");
        let relative = path.strip_prefix(self.store.root()).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if let Some(list) = self.remote_list::<T>(&relative, as_of, what).await {
            return self.keep_list(memory, path, list);
        }
        let values = fetch().await.map_err(|cause| CacheError::List { what: what.to_string(), cause })?;
        let list = ListFile { fetched: et_date((self.now)()), values };
        if let Some(remote) = self.live_remote().filter(|r| r.writes()) {
            let published = remote.publish_list(&relative, &list, |l: &ListFile<T>| l.fetched, &self.metrics).await;
            if let Err(e) = published {
                self.remote_failed(remote, &format!("publishing {what}"), e);
            }
        }
        self.keep_list(memory, path, list)
    }

    /// The remote's copy of a list, if it answers for `as_of`.
    async fn remote_list<T: DeserializeOwned>(
        &self,
        relative: &str,
        as_of: NaiveDate,
        what: &str,
    ) -> Option<ListFile<T>> {
        let remote = self.live_remote()?;
        match remote.list_file::<ListFile<T>>(relative, &self.metrics).await {
            Ok(Some(list)) if list.fetched >= as_of => {
                self.metrics.remote_answered(true);
                tracing::info!(target: "thetabench::cache", "[CACHE REMOTE HIT] {what} fetched {}", list.fetched);
                Some(list)
            }
            Ok(_) => {
                self.metrics.remote_answered(false);
                tracing::info!(target: "thetabench::cache", "[CACHE REMOTE MISS] {what} need as of {as_of}");
                None
            }
            Err(e) => {
                self.remote_failed(remote, what, e);
                None
            }
        }
    }

    /// Writes a list to disk and memory; returns its values.
    fn keep_list<T: Clone + Serialize>(
        &self,
        memory: &Mutex<HashMap<PathBuf, ListFile<T>>>,
        path: PathBuf,
        list: ListFile<T>,
    ) -> Result<Vec<T>, CacheError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io { path: dir.to_path_buf(), source })?;
        }
        write_atomically(&path, &serde_json::to_vec(&list).unwrap_or_default())?;
        let values = list.values.clone();
        memory.lock().unwrap_or_else(|e| e.into_inner()).insert(path, list);
        Ok(values)
    }
}

fn read_list<T: DeserializeOwned>(path: &Path) -> Result<Option<ListFile<T>>, StoreError> {
    match std::fs::read(path) {
        // A damaged list is simply fetched again.
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StoreError::Io { path: path.to_path_buf(), source }),
    }
}
