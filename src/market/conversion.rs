//! Conversions: every copy of market data from one representation into another
//! passes through [`Conversions::record`], which counts it by kind and call site.
//! It lives at the bottom layer so the decoder, the cache and the stores can all
//! report into the same ledger.

use std::collections::BTreeMap;
use std::fmt;
use std::panic::Location;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConversionKind {
    /// Wire bytes -> columnar batch.
    Decode,
    /// Parquet file -> memory.
    Load,
    /// Columnar -> row structs.
    Materialize,
    /// One timestep -> another.
    Resample,
}

impl ConversionKind {
    pub const ALL: [ConversionKind; 4] =
        [ConversionKind::Decode, ConversionKind::Load, ConversionKind::Materialize, ConversionKind::Resample];

    pub fn as_str(self) -> &'static str {
        match self {
            ConversionKind::Decode => "decode",
            ConversionKind::Load => "load",
            ConversionKind::Materialize => "materialize",
            ConversionKind::Resample => "resample",
        }
    }
}

impl fmt::Display for ConversionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Count and rows of one kind at one call site.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversionCount {
    pub count: u64,
    pub rows: u64,
}

/// The ledger of conversions for one set of counters (a command, a run).
#[derive(Debug, Default)]
pub struct Conversions {
    by_site: Mutex<BTreeMap<(ConversionKind, &'static str, u32), ConversionCount>>,
}

impl Conversions {
    /// Records one conversion of `rows` rows, attributed to the caller's location.
    #[track_caller]
    pub fn record(&self, kind: ConversionKind, rows: usize) {
        let site = Location::caller();
        let key = (kind, site.file(), site.line());
        let mut map = self.by_site.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry(key).or_default();
        entry.count += 1;
        entry.rows += rows as u64;
        tracing::trace!(target: "thetabench::conversion", "[CONVERSION] {kind} rows={rows} at {}:{}", site.file(), site.line());
    }

    /// Totals by kind (every kind present, zero if unseen).
    pub fn by_kind(&self) -> BTreeMap<ConversionKind, ConversionCount> {
        let mut out: BTreeMap<_, ConversionCount> =
            ConversionKind::ALL.iter().map(|k| (*k, Default::default())).collect();
        for ((kind, _, _), c) in self.by_site.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let total = out.entry(*kind).or_default();
            total.count += c.count;
            total.rows += c.rows;
        }
        out
    }

    /// Every call site, as `file:line`, in a stable order.
    pub fn by_site(&self) -> Vec<(ConversionKind, String, ConversionCount)> {
        self.by_site
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|((kind, file, line), c)| (*kind, format!("{file}:{line}"), *c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_kind_and_call_site() {
        let ledger = Conversions::default();
        for _ in 0..3 {
            ledger.record(ConversionKind::Decode, 10);
        }
        ledger.record(ConversionKind::Load, 5);
        let kinds = ledger.by_kind();
        assert_eq!(kinds[&ConversionKind::Decode], ConversionCount { count: 3, rows: 30 });
        assert_eq!(kinds[&ConversionKind::Load], ConversionCount { count: 1, rows: 5 });
        assert_eq!(kinds[&ConversionKind::Materialize].count, 0);
        let sites = ledger.by_site();
        assert_eq!(sites.len(), 2, "one loop site and one load site: {sites:?}");
        assert!(sites.iter().all(|(_, site, _)| site.contains("conversion.rs:")));
    }
}
