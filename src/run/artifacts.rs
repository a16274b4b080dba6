//! The run directory: `manifest.json`, `trades.csv`, `equity.csv`,
//! `positions.csv`, `stats.json`. Written in a fixed order with fixed number
//! formatting (Rust's shortest round-trip `f64` form), so two runs of the same
//! inputs give the same bytes apart from the timing fields.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::record::Record;
use super::stats::Performance;
use crate::data::StoreKind;
use crate::engine::Account;
use crate::market::time::fmt_et;

pub const MANIFEST: &str = "manifest.json";
pub const TRADES: &str = "trades.csv";
pub const EQUITY: &str = "equity.csv";
pub const POSITIONS: &str = "positions.csv";
pub const STATS: &str = "stats.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub strategy: String,
    pub params: BTreeMap<String, String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub cash: f64,
    pub store: StoreKind,
    /// Absent in runs written before accounts existed: those ran unchecked.
    #[serde(default)]
    pub account: Option<Account>,
    pub source: String,
    /// sha256 over the checksums of every dataset the run read.
    pub cache_fingerprint: String,
    pub thetabench_version: String,
    /// Timing field: when the run was written.
    pub created: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    #[serde(flatten)]
    pub performance: Performance,
    pub network_requests: u64,
    pub cache_hits: u64,
    pub cache_misses: u64,
    pub hit_ratio: f64,
    pub conversions: BTreeMap<String, u64>,
    /// Timing field.
    pub elapsed_ms: u128,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

pub fn trades_csv(record: &Record) -> String {
    let mut out = String::from(
        "time_utc,time_et,event,order_id,asset,side,quantity,price,fee,source,tag,realized_pnl,cash,reason\n",
    );
    for t in &record.trades {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            t.time.to_rfc3339(),
            fmt_et(t.time),
            t.event,
            t.order_id.map(|id| id.to_string()).unwrap_or_default(),
            csv_field(&t.asset),
            t.side,
            t.quantity,
            t.price,
            t.fee,
            t.source,
            csv_field(&t.tag),
            t.realized_pnl,
            t.cash,
            csv_field(&t.reason)
        );
    }
    out
}

pub fn equity_csv(record: &Record) -> String {
    let mut out = String::from("time_utc,time_et,cash,positions_value,total\n");
    for p in &record.equity {
        let _ =
            writeln!(out, "{},{},{},{},{}", p.time.to_rfc3339(), fmt_et(p.time), p.cash, p.positions_value, p.total);
    }
    out
}

pub fn positions_csv(record: &Record) -> String {
    let mut out = String::from("asset,quantity,mark,mark_source,value\n");
    for line in record.last_valuation.iter().flat_map(|v| &v.lines) {
        let source =
            serde_json::to_value(line.source).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            csv_field(&line.asset.to_string()),
            line.quantity,
            line.price,
            source,
            line.value
        );
    }
    out
}

/// Writes every artifact into `dir` (created if needed).
pub fn write(dir: &Path, manifest: &Manifest, record: &Record, stats: &Stats) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(MANIFEST), pretty(manifest))?;
    std::fs::write(dir.join(TRADES), trades_csv(record))?;
    std::fs::write(dir.join(EQUITY), equity_csv(record))?;
    std::fs::write(dir.join(POSITIONS), positions_csv(record))?;
    std::fs::write(dir.join(STATS), pretty(stats))?;
    Ok(dir.to_path_buf())
}

fn pretty<T: Serialize>(value: &T) -> String {
    // Plain data structures always serialize.
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}
