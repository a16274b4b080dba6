//! The plain data actions and effects carry: dataset rows and details, coverage
//! rows, a finished run's summary, parity requests and reports. A leaf: it reads
//! the crate's lower layers and nothing else of the workbench.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::cache::report::{ChecksumState, DatasetSummary, Inspection};
use crate::run::RunRequest;
use crate::run::artifacts::{Stats, TradeLine};
use crate::run::parity::Parity;

/// One listed dataset; the checksum arrives later from a background verify.
#[derive(Debug, Clone)]
pub struct DatasetRow {
    pub summary: DatasetSummary,
    pub checksum: Option<ChecksumState>,
    /// Whether the team remote holds this dataset too.
    pub on_remote: bool,
}

/// Everything the detail pane shows of one dataset: what `cache inspect` shows,
/// the held days one by one for the timeline, and the first rows.
#[derive(Debug, Clone)]
pub struct DatasetDetail {
    pub inspection: Inspection,
    /// Every held session (`inspection.coverage` folds them into runs).
    pub days: Vec<NaiveDate>,
    pub columns: Vec<String>,
    /// One page of rows from `first_row`, each cell formatted (times in ET).
    pub preview: Vec<Vec<String>>,
    /// The index of `preview`'s first row in the dataset.
    pub first_row: usize,
    /// How many rows the dataset holds.
    pub total_rows: usize,
}

/// Where a dataset's page of rows starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowsFrom {
    Row(usize),
    /// The first row on or after this ET date.
    Date(NaiveDate),
}

/// One dataset's coverage, for the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageRow {
    pub label: String,
    pub days: Vec<NaiveDate>,
    pub placeholders: Vec<NaiveDate>,
    /// Sessions the run asked for (the window, clipped at expiry).
    pub required: Vec<NaiveDate>,
    pub expiry: Option<NaiveDate>,
}

/// The end of a run, as the run screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub final_value: f64,
    pub total_return: f64,
    pub max_drawdown: f64,
    pub sharpe: f64,
    pub trades: usize,
    pub run_dir: Option<PathBuf>,
}

/// A run request carried in an effect; compared by what it asks for.
#[derive(Debug, Clone)]
pub struct RequestKey(pub Box<RunRequest>);

impl PartialEq for RequestKey {
    fn eq(&self, other: &RequestKey) -> bool {
        format!("{:?}", self.0) == format!("{:?}", other.0)
    }
}

/// Which two runs to compare.
#[derive(Debug, Clone, PartialEq)]
pub enum ParityKind {
    /// The form's request on the columnar store and on the rows store.
    BothStores(RequestKey),
    /// The form's request twice over a fresh cache: first cold, then warm.
    ColdWarm(RequestKey),
    Dirs(PathBuf, PathBuf),
}

/// A saved run as the parity view lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedRun {
    pub dir: PathBuf,
    /// When, strategy, window, cash, final value and store, e.g.
    /// `12-01 03:20 sma_cross.py 2025-06-02..06-27 $100,000 → 98,443.28 rows`.
    pub label: String,
    pub created: Option<chrono::DateTime<chrono::Utc>>,
}

/// How two runs' settings differ, one `what: a vs b` per setting, for the
/// line above the verdict (a different cash explains a divergence at row 1).
pub fn settings_differences(a: &crate::run::artifacts::Manifest, b: &crate::run::artifacts::Manifest) -> Vec<String> {
    let money = crate::engine::account::money;
    let params = |m: &crate::run::artifacts::Manifest| {
        m.params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
    };
    let account = |m: &crate::run::artifacts::Manifest| m.account.map_or("-".to_string(), |a| a.to_string());
    // The simulated terminal listens on a new port each time: that is not a different source.
    let source = |m: &crate::run::artifacts::Manifest| {
        if m.source.starts_with("simulated terminal") { "simulated terminal".to_string() } else { m.source.clone() }
    };
    let settings = [
        ("strategy", a.strategy.clone(), b.strategy.clone()),
        ("window", format!("{}..{}", a.start, a.end), format!("{}..{}", b.start, b.end)),
        ("cash", money(a.cash), money(b.cash)),
        ("parameters", params(a), params(b)),
        ("store", a.store.to_string(), b.store.to_string()),
        ("account", account(a), account(b)),
        ("data source", source(a), source(b)),
    ];
    settings.into_iter().filter(|(_, x, y)| x != y).map(|(what, x, y)| format!("{what} {x} vs {y}")).collect()
}

/// One side of a comparison, read back from its run directory.
#[derive(Debug, Clone)]
pub struct RunSide {
    pub label: String,
    /// The run directory it was read from.
    pub dir: std::path::PathBuf,
    /// `None` when the run directory's manifest could not be read.
    pub manifest: Option<crate::run::artifacts::Manifest>,
    pub stats: Stats,
    /// Equity totals with their ET times.
    pub equity: Vec<(String, f64)>,
    /// The rows of `trades.csv`.
    pub trades: Vec<TradeLine>,
}

#[derive(Debug, Clone)]
pub struct ParityReport {
    pub parity: Parity,
    pub a: RunSide,
    pub b: RunSide,
}
