//! Reading and publishing datasets on the remote.
//!
//! A read is verified as a local load is (checksum, Parquet body, schema, and
//! that the sidecar claims exactly what the data holds); anything else is a
//! bad copy, reported and never served. A publish unions this machine's copy
//! with the remote's, uploads the union's data file under its content hash,
//! then replaces the sidecar only if it is still the one read (`If-Match`,
//! or `If-None-Match: *` when there was none). A writer that loses the race
//! reads again and retries, so no writer's days are lost however many write
//! at once. Old data files are left for `cache gc --remote`.

use std::path::Path;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use object_store::{PutMode, UpdateVersion};
use polars::prelude::DataFrame;
use serde::{Serialize, de::DeserializeOwned};

use super::{Put, Remote, RemoteError};
use crate::cache::integrity;
use crate::cache::key::DatasetKey;
use crate::cache::sidecar::Sidecar;
use crate::cache::store::{decode_verified, encode};
use crate::cache::union::{Replica, union};
use crate::metrics::Metrics;

/// Lost races after which a publish gives up (each retry reads again).
const MAX_RACES: u32 = 40;
/// A data file no sidecar names may be a writer's upload whose sidecar is
/// not written yet; `gc` leaves files younger than this alone.
pub const GC_GRACE: Duration = Duration::from_secs(60 * 60);

/// Set to a number of seconds in a build with the `failpoints` feature, it
/// replaces [`GC_GRACE`], so tests can collect files they just made.
#[cfg(feature = "failpoints")]
pub const GC_GRACE_ENV: &str = "THETABENCH_REMOTE_GC_GRACE_SECS";

fn gc_grace() -> Duration {
    #[cfg(feature = "failpoints")]
    if let Some(secs) = std::env::var(GC_GRACE_ENV).ok().and_then(|s| s.parse().ok()) {
        return Duration::from_secs(secs);
    }
    GC_GRACE
}

/// A verified dataset read from the remote.
pub struct RemoteDataset {
    pub sidecar: Sidecar,
    pub frame: DataFrame,
    e_tag: Option<String>,
}

impl RemoteDataset {
    /// The version this copy was read at: a local copy that includes it may
    /// publish over it without reading it again.
    pub fn seen(&self) -> Seen {
        Seen::Version(self.e_tag.clone())
    }
}

/// The remote's state of a dataset that a local copy already includes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// The remote held nothing of it.
    Absent,
    /// The remote's copy at this ETag.
    Version(Option<String>),
}

/// What the remote holds of a dataset.
pub enum RemoteCopy {
    Absent,
    Good(Box<RemoteDataset>),
    /// A sidecar that cannot be believed, and why; replaced by the next publish.
    Bad {
        why: String,
        e_tag: Option<String>,
    },
}

/// What a publish did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// The remote already held everything this copy has.
    UpToDate,
    /// The remote's sidecar now covers this many days (and placeholders).
    Wrote { days: usize, placeholders: usize },
}

impl Remote {
    fn sidecar_at(&self, key: &DatasetKey) -> object_store::path::Path {
        self.at(&format!("datasets/{}.json", key.relative_stem().to_string_lossy()))
    }

    fn data_at(&self, name: &str) -> object_store::path::Path {
        self.at(&format!("data/{name}"))
    }

    /// The remote's copy of `key`, verified.
    pub async fn dataset(&self, key: &DatasetKey, metrics: &Metrics) -> Result<RemoteCopy, RemoteError> {
        let Some(object) = self.get(&self.sidecar_at(key), metrics).await? else { return Ok(RemoteCopy::Absent) };
        let bad = |why: String| Ok(RemoteCopy::Bad { why, e_tag: object.e_tag.clone() });
        let sidecar = match Sidecar::from_json(&object.bytes) {
            Ok(sidecar) => sidecar,
            Err(detail) => return bad(format!("unreadable sidecar: {detail}")),
        };
        let frame = match (&sidecar.data_file, &sidecar.sha256) {
            (None, _) => DataFrame::empty_with_schema(&key.style.schema()),
            (Some(name), Some(sha)) if *name == data_name(sha) => {
                let Some(data) = self.get(&self.data_at(name), metrics).await? else {
                    return bad(format!("data file {name} is missing"));
                };
                let shown = format!("{}/data/{name}", self.settings.root_url());
                match decode_verified(&data.bytes, Path::new(&shown), key, &sidecar) {
                    Ok(frame) => frame,
                    Err(e) => return bad(e.to_string()),
                }
            }
            (Some(name), _) => return bad(format!("the sidecar names {name}, not its checksum's file")),
        };
        if let Some(detail) = integrity::contradiction(key, &sidecar, &frame) {
            return bad(detail);
        }
        Ok(RemoteCopy::Good(Box::new(RemoteDataset { sidecar, frame, e_tag: object.e_tag })))
    }

    /// Publishes this machine's copy of `key`: the remote ends up holding
    /// the union of its copy and this one. With `seen` (the remote state the
    /// copy already includes) the first attempt writes without reading the
    /// remote again; if the remote has moved on since, it reads and merges.
    pub async fn publish(
        &self,
        key: &DatasetKey,
        ours: Replica<'_>,
        seen: Option<Seen>,
        metrics: &Metrics,
    ) -> Result<Published, RemoteError> {
        if !self.writes() {
            return Err(RemoteError::ReadOnly { remote: self.name() });
        }
        let mut seen = seen;
        for race in 0..MAX_RACES {
            let (mut sidecar, mut frame, mode) = match seen.take() {
                // Known already: no need to read the remote before writing.
                Some(Seen::Absent) => (ours.sidecar.clone(), ours.frame.clone(), PutMode::Create),
                Some(Seen::Version(e_tag)) => (ours.sidecar.clone(), ours.frame.clone(), update(e_tag)),
                None => match self.dataset(key, metrics).await? {
                    RemoteCopy::Absent => (ours.sidecar.clone(), ours.frame.clone(), PutMode::Create),
                    RemoteCopy::Bad { why, e_tag } => {
                        tracing::warn!(target: "thetabench::cache", "[CACHE REMOTE BAD] {key}: {why}; replacing it");
                        (ours.sidecar.clone(), ours.frame.clone(), update(e_tag))
                    }
                    RemoteCopy::Good(theirs) => {
                        let copy = Replica { sidecar: &theirs.sidecar, frame: &theirs.frame };
                        let merged = union(key, ours, copy)
                            .map_err(|detail| RemoteError::Conflict { remote: self.name(), detail })?;
                        if merged.adds_nothing_to(&copy) {
                            return Ok(Published::UpToDate);
                        }
                        (merged.sidecar, merged.frame, update(theirs.e_tag))
                    }
                },
            };
            let encoded = encode(&mut frame, &mut sidecar);
            let bytes = encoded.map_err(|detail| RemoteError::Encode { remote: self.name(), detail })?;
            sidecar.data_file = sidecar.sha256.as_deref().map(data_name);
            if let (Some(bytes), Some(name)) = (bytes, &sidecar.data_file) {
                // Same name, same bytes: overwriting also heals a corrupted copy.
                self.put(&self.data_at(name), bytes, PutMode::Overwrite, metrics).await?;
            }
            match self.put(&self.sidecar_at(key), sidecar.to_json(), mode, metrics).await? {
                Put::Written => {
                    return Ok(Published::Wrote { days: sidecar.days.len(), placeholders: sidecar.placeholders.len() });
                }
                Put::Lost => {
                    tracing::info!(target: "thetabench::cache", "[CACHE REMOTE RACE] {key}: another writer first; merging again");
                    tokio::time::sleep(Duration::from_millis(5 * u64::from(race + 1))).await;
                }
            }
        }
        Err(RemoteError::Unavailable {
            remote: self.name(),
            detail: format!("{key}: lost {MAX_RACES} races to other writers in a row"),
        })
    }

    /// Every dataset sidecar on the remote (unreadable ones skipped), with
    /// the size of the data each names.
    pub async fn sidecars(&self, metrics: &Metrics) -> Result<Vec<Sidecar>, RemoteError> {
        let mut found = Vec::new();
        for meta in self.list(&self.at("datasets"), metrics).await? {
            if let Some(object) = self.get(&meta.location, metrics).await? {
                found.extend(Sidecar::from_json(&object.bytes).ok());
            }
        }
        found.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(found)
    }

    /// Where each dataset sidecar on the remote lies relative to the cache
    /// root, as it would locally (`stock/1m/ohlc/PLTR.json`): one listing,
    /// nothing downloaded.
    pub async fn dataset_paths(&self, metrics: &Metrics) -> Result<Vec<std::path::PathBuf>, RemoteError> {
        let root = self.at("datasets");
        let listed = self.list(&root, metrics).await?;
        Ok(listed
            .iter()
            .filter_map(|meta| meta.location.prefix_match(&root))
            .map(|parts| parts.map(|part| part.as_ref().to_string()).collect())
            .collect())
    }

    /// Removes data files no sidecar names and older than [`GC_GRACE`] (see `gc_grace`);
    /// returns their names and sizes. Run by `cache gc --remote` only.
    pub async fn gc(&self, metrics: &Metrics) -> Result<Vec<(String, u64)>, RemoteError> {
        let named: std::collections::BTreeSet<String> =
            self.sidecars(metrics).await?.into_iter().filter_map(|s| s.data_file).collect();
        let cutoff = Utc::now() - chrono::Duration::from_std(gc_grace()).unwrap_or_default();
        let mut removed = Vec::new();
        for meta in self.list(&self.at("data"), metrics).await? {
            let name = meta.location.filename().unwrap_or_default().to_string();
            if !named.contains(&name) && meta.last_modified < cutoff {
                self.delete(&meta.location, metrics).await?;
                removed.push((name, meta.size));
            }
        }
        Ok(removed)
    }

    /// A list (expirations, strikes) fetched on some ET date, if the remote
    /// has one; `relative` is its path under the cache root.
    pub async fn list_file<T: DeserializeOwned>(
        &self,
        relative: &str,
        metrics: &Metrics,
    ) -> Result<Option<T>, RemoteError> {
        let object = self.get(&self.at(relative), metrics).await?;
        // A damaged list is only a miss: the terminal is asked instead.
        Ok(object.and_then(|o| serde_json::from_slice(&o.bytes).ok()))
    }

    /// Publishes a list unless the remote's copy was fetched as late.
    pub async fn publish_list<T: Serialize + DeserializeOwned>(
        &self,
        relative: &str,
        list: &T,
        fetched: impl Fn(&T) -> NaiveDate,
        metrics: &Metrics,
    ) -> Result<(), RemoteError> {
        let path = self.at(relative);
        let current = self.get(&path, metrics).await?;
        let theirs: Option<T> = current.as_ref().and_then(|o| serde_json::from_slice(&o.bytes).ok());
        if theirs.is_some_and(|t| fetched(&t) >= fetched(list)) {
            return Ok(());
        }
        let mode = match current {
            None => PutMode::Create,
            Some(object) => update(object.e_tag),
        };
        // Losing the race means another machine published a list just now.
        self.put(&path, serde_json::to_vec(list).unwrap_or_default(), mode, metrics).await.map(|_| ())
    }
}

/// A data file's name on the remote: its full sha256.
fn data_name(sha: &str) -> String {
    format!("{sha}.parquet")
}

fn update(e_tag: Option<String>) -> PutMode {
    PutMode::Update(UpdateVersion { e_tag, version: None })
}
