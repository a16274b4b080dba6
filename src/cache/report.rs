//! Read-only views of the cache for people: list, inspect, verify.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

use super::key::DatasetKey;
use super::sidecar::{Placeholder, Sidecar};
use super::store::{Store, StoreError};
use crate::market::time::fmt_et;
use crate::market::{Asset, Calendar};

/// One dataset as `cache ls` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetSummary {
    pub asset: String,
    pub kind: &'static str,
    pub timestep: String,
    pub style: String,
    pub rows: u64,
    pub days: usize,
    pub placeholder_days: usize,
    /// First and last bar, in ET.
    pub first: Option<String>,
    pub last: Option<String>,
    pub bytes: u64,
    pub sidecar: PathBuf,
}

impl DatasetSummary {
    pub fn new(path: PathBuf, s: &Sidecar) -> DatasetSummary {
        DatasetSummary {
            asset: s.key.asset.to_string(),
            kind: s.key.asset.kind(),
            timestep: s.key.timestep.to_string(),
            style: s.key.style.to_string(),
            rows: s.rows,
            days: s.days.len(),
            placeholder_days: s.placeholders.len(),
            first: s.first.map(fmt_et),
            last: s.last.map(fmt_et),
            bytes: s.bytes,
            sidecar: path,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecksumState {
    Ok,
    Mismatch,
    MissingData,
    BadSidecar,
    BadParquet,
    /// The sidecar claims what the data file does not hold.
    Contradiction,
    IoError,
}

impl ChecksumState {
    fn of(error: &StoreError) -> ChecksumState {
        match error {
            StoreError::ChecksumMismatch { .. } => ChecksumState::Mismatch,
            StoreError::MissingData { .. } => ChecksumState::MissingData,
            StoreError::BadSidecar { .. } => ChecksumState::BadSidecar,
            StoreError::BadParquet { .. } => ChecksumState::BadParquet,
            StoreError::Contradiction { .. } => ChecksumState::Contradiction,
            StoreError::Io { .. } => ChecksumState::IoError,
        }
    }
}

/// One dataset's verification.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub sidecar: PathBuf,
    pub asset: Option<String>,
    pub state: ChecksumState,
    pub detail: Option<String>,
}

/// Everything `cache inspect` shows of one dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    #[serde(flatten)]
    pub summary: DatasetSummary,
    /// Held sessions as runs of consecutive sessions, `first..last`.
    pub coverage: Vec<String>,
    /// Each placeholder day and when the terminal last said it has no data.
    pub placeholders: Vec<Placeholder>,
    pub data_file: Option<String>,
    pub sha256: Option<String>,
    pub checksum: ChecksumState,
    pub checksum_detail: Option<String>,
}

/// Every readable dataset, in path order; unreadable sidecars are skipped here
/// and reported by [`verify`].
pub fn list(store: &Store) -> Vec<DatasetSummary> {
    store
        .sidecar_paths()
        .into_iter()
        .filter_map(|path| store.read_sidecar_at(&path).ok().map(|s| DatasetSummary::new(path, &s)))
        .collect()
}

/// Checks every dataset's sidecar, data file, checksum and Parquet body, and
/// that the two agree (the checks every load makes).
pub fn verify(store: &Store) -> Vec<Verified> {
    store
        .sidecar_paths()
        .into_iter()
        .map(|path| match store.read_sidecar_at(&path) {
            Err(e) => {
                Verified { sidecar: path, asset: None, state: ChecksumState::of(&e), detail: Some(e.to_string()) }
            }
            Ok(sidecar) if store.sidecar_path(&sidecar.key) != path => Verified {
                detail: Some(format!(
                    "{}: the sidecar describes {}, whose sidecar belongs at {}",
                    path.display(),
                    sidecar.key,
                    store.sidecar_path(&sidecar.key).display()
                )),
                sidecar: path,
                asset: Some(sidecar.key.to_string()),
                state: ChecksumState::Contradiction,
            },
            Ok(sidecar) => {
                let (state, detail) = verify_one(store, &sidecar.key, &sidecar);
                Verified { sidecar: path, asset: Some(sidecar.key.to_string()), state, detail }
            }
        })
        .collect()
}

fn verify_one(store: &Store, key: &DatasetKey, sidecar: &Sidecar) -> (ChecksumState, Option<String>) {
    match store.load(key, sidecar) {
        Ok(_) => (ChecksumState::Ok, None),
        Err(e) => (ChecksumState::of(&e), Some(e.to_string())),
    }
}

/// Every dataset of `asset` (all timesteps and styles).
pub fn inspect(store: &Store, asset: &Asset) -> Vec<Inspection> {
    store
        .sidecar_paths()
        .into_iter()
        .filter_map(|path| store.read_sidecar_at(&path).ok().map(|s| (path, s)))
        .filter(|(_, s)| &s.key.asset == asset)
        .map(|(path, s)| Inspection::of(path, &s, store.load(&s.key, &s).err().as_ref()))
        .collect()
}

impl Inspection {
    /// One dataset's inspection, given what loading its data gave (`None`: it verified).
    pub fn of(path: PathBuf, sidecar: &Sidecar, load_error: Option<&StoreError>) -> Inspection {
        Inspection {
            summary: DatasetSummary::new(path, sidecar),
            coverage: session_runs(&sidecar.days),
            placeholders: sidecar.placeholders.clone(),
            data_file: sidecar.data_file.clone(),
            sha256: sidecar.sha256.clone(),
            checksum: load_error.map_or(ChecksumState::Ok, ChecksumState::of),
            checksum_detail: load_error.map(|e| e.to_string()),
        }
    }
}

/// Sorted session dates folded into runs of consecutive sessions.
pub fn session_runs(days: &[NaiveDate]) -> Vec<String> {
    let mut runs: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &day in days {
        match runs.last_mut() {
            Some((_, last)) if Calendar::next_session(*last) == day => *last = day,
            _ => runs.push((day, day)),
        }
    }
    runs.into_iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}..{b}") }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_skip_weekends_and_holidays() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let days = [d("2025-04-16"), d("2025-04-17"), d("2025-04-21"), d("2025-04-23")];
        assert_eq!(session_runs(&days), ["2025-04-16..2025-04-21", "2025-04-23"]);
    }
}
