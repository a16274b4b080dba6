//! How the cache uses the team's remote: on a local MISS the remote is asked
//! before the terminal, and what the terminal answered is published after
//! (in read-write mode). The remote never fails a fetch: a remote that is
//! down is skipped with one warning, a bad or contradicting copy is reported
//! and not served, and the terminal answers what the remote could not.

use std::sync::Arc;

use polars::prelude::DataFrame;

use super::coverage::{DaySet, Window};
use super::key::DatasetKey;
use super::remote::{Published, Remote, RemoteCopy, RemoteDataset, RemoteError, Seen};
use super::sidecar::Sidecar;
use super::union::{Replica, union};
use super::{Cache, CacheError, Fetcher, Held};
use crate::market::time::et_to_utc;

/// What a local miss found on the remote.
enum Found {
    Absent,
    Copy(Box<RemoteDataset>),
    /// A bad copy, or a remote that failed.
    Unusable,
}

/// What `cache pull` did for one dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pulled {
    /// The remote holds nothing of it (or nothing it could prove).
    Absent,
    /// Days (and placeholders) this machine did not hold before.
    Gained(usize),
}

impl<F: Fetcher> Cache<F> {
    /// The remote, while it answers.
    pub(super) fn live_remote(&self) -> Option<&Arc<Remote>> {
        self.remote.as_ref().filter(|r| r.is_up())
    }

    /// Logs a remote failure; an unavailable remote is skipped from now on.
    pub(super) fn remote_failed(&self, remote: &Remote, what: &str, error: RemoteError) {
        match error {
            e @ RemoteError::Unavailable { .. } => remote.went_down(&e),
            e => tracing::warn!(target: "thetabench::cache", "[CACHE REMOTE] {what}: {e}"),
        }
    }

    /// Asks the remote for `key` on a local miss of `asked`; whatever it
    /// holds is verified, unioned into the local copy and committed.
    /// Returns whether the local copy gained anything, and the remote state
    /// it now includes (for the publish that may follow).
    pub(super) async fn fill_from_remote(
        &self,
        key: &DatasetKey,
        held: &Held,
        asked: &DaySet,
    ) -> Result<(bool, Option<Seen>), CacheError> {
        let Some(remote) = self.live_remote() else { return Ok((false, None)) };
        let theirs = match self.remote_copy(remote, key).await {
            Found::Copy(theirs) => theirs,
            found => {
                self.remote_missed(key, asked);
                return Ok((false, matches!(found, Found::Absent).then_some(Seen::Absent)));
            }
        };
        let ours = Replica { sidecar: &held.sidecar, frame: &held.frame };
        let merged = match union(key, ours, Replica { sidecar: &theirs.sidecar, frame: &theirs.frame }) {
            Ok(merged) => merged,
            Err(detail) => {
                tracing::warn!(target: "thetabench::cache", "[CACHE REMOTE CONFLICT] {detail}; not served");
                return Ok((false, None));
            }
        };
        let covered = merged.coverage.days.union(&merged.coverage.placeholders);
        let gained = asked.intersection(&covered).len();
        if gained == 0 {
            self.remote_missed(key, asked);
            return Ok((false, None));
        }
        self.metrics.remote_answered(true);
        tracing::info!(
            target: "thetabench::cache",
            "[CACHE REMOTE HIT] {key} days={gained} of {} missing, rows={}",
            asked.len(),
            theirs.frame.height()
        );
        self.commit_held(key, merged.sidecar, merged.frame)?;
        Ok((true, Some(theirs.seen())))
    }

    /// The remote's verified copy of `key`; absent, or unusable (bad, or the
    /// remote failed: each logged).
    async fn remote_copy(&self, remote: &Remote, key: &DatasetKey) -> Found {
        match remote.dataset(key, &self.metrics).await {
            Ok(RemoteCopy::Good(theirs)) => Found::Copy(theirs),
            Ok(RemoteCopy::Absent) => Found::Absent,
            Ok(RemoteCopy::Bad { why, .. }) => {
                tracing::warn!(target: "thetabench::cache", "[CACHE REMOTE BAD] {key}: {why}; not served");
                Found::Unusable
            }
            Err(e) => {
                self.remote_failed(remote, &key.to_string(), e);
                Found::Unusable
            }
        }
    }

    fn remote_missed(&self, key: &DatasetKey, asked: &DaySet) {
        self.metrics.remote_answered(false);
        tracing::info!(target: "thetabench::cache", "[CACHE REMOTE MISS] {key} missing_days={}", asked.len());
    }

    fn commit_held(&self, key: &DatasetKey, mut sidecar: Sidecar, mut frame: DataFrame) -> Result<(), CacheError> {
        self.store.commit(key, &mut frame, &mut sidecar)?;
        self.remember(key, Held { coverage: sidecar.coverage(), sidecar, frame });
        Ok(())
    }

    /// Publishes a dataset the terminal just added to, in read-write mode;
    /// `seen` is the remote state it already includes.
    pub(super) async fn publish(&self, key: &DatasetKey, sidecar: &Sidecar, frame: &DataFrame, seen: Option<Seen>) {
        let Some(remote) = self.live_remote().filter(|r| r.writes()) else { return };
        match remote.publish(key, Replica { sidecar, frame }, seen, &self.metrics).await {
            Ok(Published::Wrote { days, placeholders }) => tracing::info!(
                target: "thetabench::cache",
                "[CACHE REMOTE PUT] {key} remote now holds days={days} placeholders={placeholders}"
            ),
            Ok(Published::UpToDate) => {}
            Err(e) => self.remote_failed(remote, &format!("publishing {key}"), e),
        }
    }

    /// `cache push`: publishes this machine's copy of `key`.
    pub async fn push(&self, key: &DatasetKey) -> Result<Published, CacheError> {
        let remote = self.remote.as_ref().ok_or_else(|| no_remote(key))?;
        self.load_from_disk(key).await?;
        let held = self.held(key);
        let ours = Replica { sidecar: &held.sidecar, frame: &held.frame };
        remote
            .publish(key, ours, None, &self.metrics)
            .await
            .map_err(|e| CacheError::Remote { key: key.clone(), cause: e })
    }

    /// `cache pull`: the remote's days of `key` within `window` (all of
    /// them without one), verified and added to this machine's copy.
    pub async fn pull(&self, key: &DatasetKey, window: Option<Window>) -> Result<Pulled, CacheError> {
        let remote = self.remote.as_ref().ok_or_else(|| no_remote(key))?;
        let _lock = self.lock(key).await?;
        self.load_from_disk(key).await?;
        let remote_error = |cause| CacheError::Remote { key: key.clone(), cause };
        let mut theirs = match remote.dataset(key, &self.metrics).await.map_err(remote_error)? {
            RemoteCopy::Good(theirs) => *theirs,
            RemoteCopy::Absent => return Ok(Pulled::Absent),
            RemoteCopy::Bad { why, .. } => {
                tracing::warn!(target: "thetabench::cache", "[CACHE REMOTE BAD] {key}: {why}; not served");
                return Ok(Pulled::Absent);
            }
        };
        if let Some(window) = window {
            theirs = within(theirs, window);
        }
        let held = self.held(key);
        let before = held.coverage.days.union(&held.coverage.placeholders).len();
        let ours = Replica { sidecar: &held.sidecar, frame: &held.frame };
        let merged = union(key, ours, Replica { sidecar: &theirs.sidecar, frame: &theirs.frame })
            .map_err(|detail| CacheError::Merge { key: key.clone(), detail })?;
        let gained = merged.coverage.days.union(&merged.coverage.placeholders).len() - before;
        if gained > 0 {
            self.commit_held(key, merged.sidecar, merged.frame)?;
        }
        Ok(Pulled::Gained(gained))
    }
}

fn no_remote(key: &DatasetKey) -> CacheError {
    CacheError::Remote {
        key: key.clone(),
        cause: RemoteError::Refused {
            remote: "(none)".into(),
            detail: "no remote is set: pass --remote s3://BUCKET/PREFIX or set it in the config file".into(),
        },
    }
}

/// A remote copy cut to the days of `window`.
fn within(mut copy: RemoteDataset, window: Window) -> RemoteDataset {
    let lower = et_to_utc(window.start, chrono::NaiveTime::MIN).timestamp_millis();
    let upper = et_to_utc(window.end + chrono::Duration::days(1), chrono::NaiveTime::MIN).timestamp_millis();
    copy.frame = super::slice_between(&copy.frame, lower, upper);
    let inside = |day: &chrono::NaiveDate| (window.start..=window.end).contains(day);
    copy.sidecar.days.retain(inside);
    copy.sidecar.placeholders.retain(|p| inside(&p.day));
    copy
}
