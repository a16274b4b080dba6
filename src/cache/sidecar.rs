//! The JSON sidecar beside each dataset's Parquet file: what the file holds and
//! the checksum that proves it. Renaming a new sidecar into place is the commit
//! point of every write.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::coverage::Coverage;
use super::key::DatasetKey;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sidecar {
    pub schema_version: u32,
    pub key: DatasetKey,
    /// File name of the Parquet data beside this sidecar; `None` while the
    /// dataset holds only placeholder days.
    pub data_file: Option<String>,
    /// Hex sha256 of the data file's bytes.
    pub sha256: Option<String>,
    pub bytes: u64,
    pub rows: u64,
    /// First and last bar stamps (UTC).
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    pub days: Vec<NaiveDate>,
    pub placeholders: Vec<NaiveDate>,
    pub updated: DateTime<Utc>,
}

impl Sidecar {
    pub fn empty(key: DatasetKey) -> Sidecar {
        Sidecar {
            schema_version: SCHEMA_VERSION,
            key,
            data_file: None,
            sha256: None,
            bytes: 0,
            rows: 0,
            first: None,
            last: None,
            days: Vec::new(),
            placeholders: Vec::new(),
            updated: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    pub fn coverage(&self) -> Coverage {
        Coverage {
            days: self.days.iter().copied().collect(),
            placeholders: self.placeholders.iter().copied().collect(),
        }
    }

    pub fn set_coverage(&mut self, coverage: &Coverage) {
        self.days = coverage.days.iter().collect();
        // A day that now has data is no longer a placeholder.
        self.placeholders = coverage.placeholders.difference(&coverage.days).iter().collect();
    }

    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain data into memory cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}
