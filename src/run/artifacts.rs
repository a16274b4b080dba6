//! The run directory: `manifest.json`, `trades.csv`, `equity.csv`,
//! `positions.csv`, `stats.json` (the README's "Run artifacts" lists their
//! columns). Each CSV has one serde row type here, written and read with the
//! `csv` crate. Written in a fixed order with fixed number formatting (Rust's
//! shortest round-trip `f64` form), so two runs of the same inputs give the
//! same bytes apart from the timing fields.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use csv::{ReaderBuilder, WriterBuilder};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize, Serializer};

use super::record::{EquityPoint, Record, TradeRow};
use super::stats::Performance;
use crate::data::RepresentationKind;
use crate::engine::valuation::PositionValue;
use crate::engine::{Account, MarkSource};
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
    pub store: RepresentationKind,
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
    /// Requests to and bytes moved with the team remote (0 without one).
    #[serde(flatten)]
    pub remote: crate::metrics::RemoteTraffic,
    pub conversions: BTreeMap<String, u64>,
    /// Timing field.
    pub elapsed_ms: u128,
}

/// The columns of `trades.csv`, in order: [`TradeLine`]'s fields.
pub const TRADE_COLUMNS: [&str; 14] = [
    "time_utc",
    "time_et",
    "event",
    "order_id",
    "asset",
    "side",
    "quantity",
    "price",
    "fee",
    "source",
    "tag",
    "realized_pnl",
    "cash",
    "reason",
];
/// The columns of `equity.csv`: [`EquityLine`]'s fields.
pub const EQUITY_COLUMNS: [&str; 5] = ["time_utc", "time_et", "cash", "positions_value", "total"];
/// The columns of `positions.csv`: [`PositionLine`]'s fields.
pub const POSITION_COLUMNS: [&str; 5] = ["asset", "quantity", "mark", "mark_source", "value"];

/// One row of `trades.csv`: a fill, a settlement or a refused order, each
/// column meaning the same on every row (see [`TradeRow`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TradeLine {
    /// RFC 3339 in UTC.
    pub time_utc: String,
    /// `YYYY-MM-DD HH:MM ±hh:mm` in New York time.
    pub time_et: String,
    /// `fill`, `settlement` or `rejected`.
    pub event: String,
    /// Empty on a settlement and on an order refused at submission.
    pub order_id: Option<u64>,
    pub asset: String,
    /// `BUY` or `SELL`.
    pub side: String,
    pub quantity: i64,
    #[serde(serialize_with = "shortest")]
    pub price: f64,
    #[serde(serialize_with = "shortest")]
    pub fee: f64,
    /// `trade` or `quote` on a fill, `expiry` on a settlement, empty when rejected.
    pub source: String,
    pub tag: String,
    #[serde(serialize_with = "shortest")]
    pub realized_pnl: f64,
    /// The cash balance after the row.
    #[serde(serialize_with = "shortest")]
    pub cash: f64,
    /// Why a `rejected` row was refused; empty on other rows.
    pub reason: String,
}

impl From<&TradeRow> for TradeLine {
    fn from(t: &TradeRow) -> TradeLine {
        TradeLine {
            time_utc: t.time.to_rfc3339(),
            time_et: fmt_et(t.time),
            event: t.event.to_string(),
            order_id: t.order_id,
            asset: t.asset.clone(),
            side: t.side.as_str().to_string(),
            quantity: t.quantity,
            price: t.price,
            fee: t.fee,
            source: t.source.to_string(),
            tag: t.tag.clone(),
            realized_pnl: t.realized_pnl,
            cash: t.cash,
            reason: t.reason.clone(),
        }
    }
}

/// One row of `equity.csv`: the portfolio marked at a session's close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EquityLine {
    pub time_utc: String,
    pub time_et: String,
    #[serde(serialize_with = "shortest")]
    pub cash: f64,
    #[serde(serialize_with = "shortest")]
    pub positions_value: f64,
    /// `cash + positions_value`.
    #[serde(serialize_with = "shortest")]
    pub total: f64,
}

impl From<&EquityPoint> for EquityLine {
    fn from(p: &EquityPoint) -> EquityLine {
        EquityLine {
            time_utc: p.time.to_rfc3339(),
            time_et: fmt_et(p.time),
            cash: p.cash,
            positions_value: p.positions_value,
            total: p.total,
        }
    }
}

/// One row of `positions.csv`: a position held at the end, as last marked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PositionLine {
    pub asset: String,
    /// Signed: negative for a short.
    pub quantity: i64,
    #[serde(serialize_with = "shortest")]
    pub mark: f64,
    pub mark_source: MarkSource,
    /// `quantity × mark × multiplier`.
    #[serde(serialize_with = "shortest")]
    pub value: f64,
}

impl From<&PositionValue> for PositionLine {
    fn from(line: &PositionValue) -> PositionLine {
        PositionLine {
            asset: line.asset.to_string(),
            quantity: line.quantity,
            mark: line.price,
            mark_source: line.source,
            value: line.value,
        }
    }
}

/// An `f64` as `{}` prints it (the shortest text that reads back to the same
/// bits: `100`, not the `csv` crate's own `100.0`).
fn shortest<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// A CSV file: the header, then one line per row.
fn csv_text<T: Serialize>(columns: &[&str], rows: impl IntoIterator<Item = T>) -> csv::Result<String> {
    // The header is written by hand so a file without rows still has one.
    let mut writer = WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    writer.write_record(columns)?;
    for row in rows {
        writer.serialize(row)?;
    }
    let bytes = writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    // Every field written is a Rust string.
    Ok(String::from_utf8(bytes).unwrap_or_default())
}

/// Reads a CSV artifact's rows by column name (`TradeLine`, `EquityLine`, `PositionLine`).
pub fn read_rows<T: DeserializeOwned>(text: &str) -> csv::Result<Vec<T>> {
    ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes()).deserialize().collect()
}

pub fn trades_csv(record: &Record) -> csv::Result<String> {
    csv_text(&TRADE_COLUMNS, record.trades.iter().map(TradeLine::from))
}

pub fn equity_csv(record: &Record) -> csv::Result<String> {
    csv_text(&EQUITY_COLUMNS, record.equity.iter().map(EquityLine::from))
}

pub fn positions_csv(record: &Record) -> csv::Result<String> {
    csv_text(&POSITION_COLUMNS, record.last_valuation.iter().flat_map(|v| &v.lines).map(PositionLine::from))
}

/// Writes every artifact into `dir` (created if needed).
pub fn write(dir: &Path, manifest: &Manifest, record: &Record, stats: &Stats) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(MANIFEST), pretty(manifest))?;
    std::fs::write(dir.join(TRADES), trades_csv(record)?)?;
    std::fs::write(dir.join(EQUITY), equity_csv(record)?)?;
    std::fs::write(dir.join(POSITIONS), positions_csv(record)?)?;
    std::fs::write(dir.join(STATS), pretty(stats))?;
    Ok(dir.to_path_buf())
}

fn pretty<T: Serialize>(value: &T) -> String {
    // Plain data structures always serialize.
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chrono::TimeZone;

    use super::*;
    use crate::engine::Side;

    fn record() -> Record {
        let time = |minute| Utc.with_ymd_and_hms(2025, 4, 17, 14, minute, 0).unwrap();
        let fill = TradeRow {
            time: time(0),
            event: "fill",
            order_id: Some(1),
            asset: "PLTR 2025-04-18 91 C".into(),
            side: Side::Buy,
            quantity: 2,
            price: 3.0,
            fee: 1.3,
            source: "quote",
            tag: "entry".into(),
            realized_pnl: 0.0,
            cash: 0.1 + 0.2,
            reason: String::new(),
        };
        let settlement = TradeRow {
            time: time(1),
            event: "settlement",
            order_id: None,
            side: Side::Sell,
            price: 4.5,
            fee: 0.0,
            source: "expiry",
            tag: "expiry".into(),
            realized_pnl: 300.0,
            cash: 1e16,
            ..fill.clone()
        };
        let rejected = TradeRow {
            time: time(2),
            event: "rejected",
            order_id: None,
            asset: "SPY".into(),
            quantity: 200,
            price: 0.0,
            fee: 0.0,
            source: "",
            tag: String::new(),
            realized_pnl: 0.0,
            reason: "insufficient buying power: needs 1,000.5, \"cash\" 0".into(),
            ..settlement.clone()
        };
        Record { trades: vec![fill, settlement, rejected], ..Record::default() }
    }

    #[test]
    fn a_trades_file_round_trips_and_reads_by_column_name() {
        let record = record();
        let text = trades_csv(&record).unwrap();
        assert_eq!(text.lines().next(), Some(TRADE_COLUMNS.join(",").as_str()));
        let back: Vec<TradeLine> = read_rows(&text).unwrap();
        assert_eq!(back, record.trades.iter().map(TradeLine::from).collect::<Vec<_>>());

        // A reader that knows only the header, as pandas reads it.
        let mut reader = ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        let rows: Vec<HashMap<String, String>> = reader.deserialize().collect::<Result<_, _>>().unwrap();
        let column = |name: &str| rows.iter().map(|r| r[name].as_str()).collect::<Vec<_>>();
        assert_eq!(column("event"), ["fill", "settlement", "rejected"]);
        assert_eq!(column("side"), ["BUY", "SELL", "SELL"]);
        assert_eq!(column("order_id"), ["1", "", ""]);
        assert_eq!(column("reason")[2], "insufficient buying power: needs 1,000.5, \"cash\" 0");
        assert_eq!(column("time_et")[0], "2025-04-17 10:00 -04:00");
        // Numbers as `{}` prints them: the shortest text that reads back to the same bits.
        assert_eq!(column("cash"), ["0.30000000000000004", "10000000000000000", "10000000000000000"]);
        assert_eq!(column("price"), ["3", "4.5", "0"]);
    }

    #[test]
    fn files_without_rows_keep_their_header_and_headers_follow_the_row_types() {
        let empty = Record::default();
        assert_eq!(trades_csv(&empty).unwrap(), TRADE_COLUMNS.join(",") + "\n");
        assert_eq!(equity_csv(&empty).unwrap(), EQUITY_COLUMNS.join(",") + "\n");
        assert_eq!(positions_csv(&empty).unwrap(), POSITION_COLUMNS.join(",") + "\n");
        fn serde_header<T: Serialize>(row: T) -> String {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.serialize(row).unwrap();
            String::from_utf8(writer.into_inner().unwrap()).unwrap().lines().next().unwrap().to_string()
        }
        let record = record();
        assert_eq!(serde_header(TradeLine::from(&record.trades[0])), TRADE_COLUMNS.join(","));
        let time = record.trades[0].time;
        let point = EquityPoint { time, cash: 1.0, positions_value: 2.0, total: 3.0 };
        assert_eq!(serde_header(EquityLine::from(&point)), EQUITY_COLUMNS.join(","));
        let position = PositionLine {
            asset: "SPY".into(),
            quantity: -3,
            mark: 500.25,
            mark_source: MarkSource::LastTrade,
            value: -1500.75,
        };
        assert_eq!(serde_header(&position), POSITION_COLUMNS.join(","));
        let text = csv_text(&POSITION_COLUMNS, [&position]).unwrap();
        assert_eq!(text, "asset,quantity,mark,mark_source,value\nSPY,-3,500.25,last_trade,-1500.75\n");
        assert_eq!(read_rows::<PositionLine>(&text).unwrap(), [position]);
    }
}
