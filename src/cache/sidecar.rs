//! The JSON sidecar beside each dataset's Parquet file: what the file holds and
//! the checksum that proves it. Renaming a new sidecar into place is the commit
//! point of every write.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::coverage::{Coverage, DaySet};
use super::key::DatasetKey;

/// Version 2 records when each placeholder was made; version 1 sidecars are
/// still read (their placeholders count as made at their last update).
pub const SCHEMA_VERSION: u32 = 2;

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
    pub placeholders: Vec<Placeholder>,
    pub updated: DateTime<Utc>,
}

/// A complete past session the terminal said (472) it has no data for, and
/// when it said so: `cache fetch --recheck-placeholders` asks again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placeholder {
    pub day: NaiveDate,
    pub made: DateTime<Utc>,
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

    /// Parses a sidecar of this version or of version 1.
    pub fn from_json(bytes: &[u8]) -> Result<Sidecar, String> {
        let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        match value.get("schema_version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(SCHEMA_VERSION) => {}
            // Version 1 listed placeholder days alone: stamp them with the update.
            Some(1) => {
                let updated = value.get("updated").cloned().unwrap_or_default();
                if let Some(days) = value.get_mut("placeholders").and_then(serde_json::Value::as_array_mut) {
                    for day in days.iter_mut() {
                        *day = serde_json::json!({ "day": day.take(), "made": updated.clone() });
                    }
                }
                value["schema_version"] = SCHEMA_VERSION.into();
            }
            Some(other) => return Err(format!("schema version {other} (this build reads 1 and {SCHEMA_VERSION})")),
            None => return Err("no schema_version".into()),
        }
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    pub fn placeholder_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.placeholders.iter().map(|p| p.day)
    }

    pub fn coverage(&self) -> Coverage {
        Coverage { days: self.days.iter().copied().collect(), placeholders: self.placeholder_days().collect() }
    }

    /// Records `coverage` after a fetch that asked the terminal about `asked`
    /// at `now`: a placeholder it asked about is stamped `now`, an older one
    /// keeps its stamp, and a day that now has data is no longer a placeholder.
    pub fn set_coverage(&mut self, coverage: &Coverage, asked: &DaySet, now: DateTime<Utc>) {
        self.days = coverage.days.iter().collect();
        let made_before = |day: NaiveDate| self.placeholders.iter().find(|p| p.day == day).map(|p| p.made);
        self.placeholders = coverage
            .placeholders
            .difference(&coverage.days)
            .iter()
            .map(|day| {
                let made = if asked.contains(day) { now } else { made_before(day).unwrap_or(now) };
                Placeholder { day, made }
            })
            .collect();
    }

    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain data into memory cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{Asset, DataStyle, Timestep};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn key() -> DatasetKey {
        DatasetKey::new(Asset::stock("PLTR").unwrap(), Timestep::Minute, DataStyle::Ohlc)
    }

    #[test]
    fn reads_version_1_with_placeholders_made_at_the_update() {
        let mut v2 = Sidecar::empty(key());
        v2.days = vec![d("2025-03-04")];
        v2.updated = "2025-04-01T12:00:00Z".parse().unwrap();
        let mut json: serde_json::Value = serde_json::from_slice(&v2.to_json()).unwrap();
        json["schema_version"] = 1.into();
        json["placeholders"] = serde_json::json!(["2025-03-03"]);
        let read = Sidecar::from_json(json.to_string().as_bytes()).unwrap();
        assert_eq!(read.schema_version, SCHEMA_VERSION);
        assert_eq!(read.placeholders, [Placeholder { day: d("2025-03-03"), made: v2.updated }]);
        assert_eq!(read.days, v2.days);
        assert_eq!(Sidecar::from_json(&read.to_json()).unwrap(), read);
        json["schema_version"] = 7.into();
        assert!(Sidecar::from_json(json.to_string().as_bytes()).unwrap_err().contains("schema version 7"));
    }

    #[test]
    fn placeholders_keep_their_stamp_unless_asked_again() {
        let (then, now) = ("2025-04-01T00:00:00Z".parse().unwrap(), "2025-05-01T00:00:00Z".parse().unwrap());
        let mut sidecar = Sidecar::empty(key());
        sidecar.placeholders = vec![
            Placeholder { day: d("2025-03-03"), made: then },
            Placeholder { day: d("2025-03-04"), made: then },
            Placeholder { day: d("2025-03-05"), made: then },
        ];
        let coverage = Coverage {
            days: [d("2025-03-05")].into_iter().collect(),
            placeholders: [d("2025-03-03"), d("2025-03-04"), d("2025-03-05"), d("2025-03-06")].into_iter().collect(),
        };
        let asked: DaySet = [d("2025-03-04"), d("2025-03-05"), d("2025-03-06")].into_iter().collect();
        sidecar.set_coverage(&coverage, &asked, now);
        assert_eq!(
            sidecar.placeholders,
            [
                Placeholder { day: d("2025-03-03"), made: then },
                Placeholder { day: d("2025-03-04"), made: now },
                Placeholder { day: d("2025-03-06"), made: now },
            ]
        );
        assert_eq!(sidecar.days, [d("2025-03-05")]);
    }
}
