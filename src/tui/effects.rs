//! Effects that touch the disk (or, for a recheck, the terminal), run off the UI
//! task; each answers with an `Action`.

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;
use serde::de::DeserializeOwned;

use super::action::Action;
use super::model::{CoverageRow, DatasetDetail, DatasetRow, ParityReport, RowsFrom, RunSide, SavedRun};
use crate::cache::coverage::required_days;
use crate::cache::report::{self, ChecksumState};
use crate::cache::{Cache, Store, Window};
use crate::engine::DatasetRead;
use crate::market::time::fmt_et_ms;
use crate::run::artifacts::{self, EquityLine, Stats};
use crate::thetadata::ThetaClient;

/// Rows of a dataset the detail preview shows.
use super::state::browser::PAGE_ROWS as PREVIEW_ROWS;
/// Timeline rows at most (the pane is small).
const COVERAGE_ROWS: usize = 12;

pub fn datasets(store: &Store, verify: bool) -> Action {
    let states: Vec<(PathBuf, ChecksumState)> =
        if verify { report::verify(store).into_iter().map(|v| (v.sidecar, v.state)).collect() } else { vec![] };
    let rows = report::list(store)
        .into_iter()
        .map(|summary| {
            let checksum = states.iter().find(|(p, _)| *p == summary.sidecar).map(|(_, s)| *s);
            DatasetRow { summary, checksum, on_remote: false }
        })
        .collect();
    Action::Datasets(Ok(rows))
}

/// Marks the listed datasets the team remote also holds; the listing's
/// failure is logged and leaves the marks off.
pub async fn mark_remote(action: Action, store: &Store, remote: &crate::cache::Remote) -> Action {
    let Action::Datasets(Ok(mut rows)) = action else { return action };
    match remote.dataset_paths(&crate::metrics::Metrics::default()).await {
        Ok(paths) => {
            let held: std::collections::BTreeSet<PathBuf> = paths.into_iter().collect();
            for row in &mut rows {
                let relative = row.summary.sidecar.strip_prefix(store.root()).unwrap_or(&row.summary.sidecar);
                row.on_remote = held.contains(relative);
            }
        }
        Err(e) => tracing::warn!(target: "thetabench::tui", "listing the team remote: {e}"),
    }
    Action::Datasets(Ok(rows))
}

pub fn detail(store: &Store, path: &Path, from: RowsFrom) -> Action {
    let result = (|| {
        let sidecar = store.read_sidecar_at(path).map_err(|e| e.to_string())?;
        // One load serves both the checksum state and the page of rows.
        let loaded = store.load(&sidecar.key, &sidecar);
        let inspection = report::Inspection::of(path.to_path_buf(), &sidecar, loaded.as_ref().err());
        let total_rows = loaded.as_ref().map_or(0, DataFrame::height);
        let first_row = loaded.as_ref().map_or(0, |frame| first_row(frame, from));
        let (columns, preview) = loaded.map(|frame| page(&frame, first_row)).unwrap_or_default();
        Ok(Box::new(DatasetDetail { inspection, days: sidecar.days, columns, preview, first_row, total_rows }))
    })();
    Action::Detail(result)
}

/// Where a page starts: the row asked for, or the first on or after a date,
/// kept inside the dataset.
fn first_row(frame: &DataFrame, from: RowsFrom) -> usize {
    let last_page = frame.height().saturating_sub(1) / PREVIEW_ROWS * PREVIEW_ROWS;
    match from {
        RowsFrom::Row(row) => row.min(last_page),
        RowsFrom::Date(date) => {
            let times = crate::cache::timestamps(frame);
            let midnight = crate::market::time::et_to_utc(date, chrono::NaiveTime::MIN).timestamp_millis();
            times.partition_point(|t| *t < midnight).min(frame.height().saturating_sub(1))
        }
    }
}

/// A page of rows from `first` as text; the time column in ET.
fn page(frame: &DataFrame, first: usize) -> (Vec<String>, Vec<Vec<String>>) {
    let times = crate::cache::timestamps(frame);
    let names: Vec<String> = frame.get_column_names().iter().map(|n| n.to_string()).collect();
    let time_column = crate::market::bars::DATETIME;
    let mut columns = vec!["time (ET)".to_string()];
    columns.extend(names.iter().filter(|n| n.as_str() != time_column).cloned());
    let rows = (first..frame.height().min(first + PREVIEW_ROWS))
        .map(|i| {
            let mut row = vec![times.get(i).map(|ms| fmt_et_ms(*ms)).unwrap_or_default()];
            for name in names.iter().filter(|n| n.as_str() != time_column) {
                let cell =
                    frame.column(name).ok().and_then(|c| c.get(i).ok()).map(|v| v.to_string()).unwrap_or_default();
                row.push(cell);
            }
            row
        })
        .collect();
    (columns, rows)
}

/// Asks the terminal again about every placeholder day of one dataset and
/// says how many now have data.
pub async fn recheck_placeholders(cache: &Cache<ThetaClient>, sidecar: &Path) -> Result<String, String> {
    let read = cache.store().read_sidecar_at(sidecar).map_err(|e| e.to_string())?;
    let days: Vec<_> = read.placeholder_days().collect();
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Ok(format!("{} has no placeholder days", read.key));
    };
    let window = Window::new(*first, *last).map_err(|e| e.to_string())?;
    let slice = cache.recheck_placeholders(&read.key, window).await.map_err(|e| e.to_string())?;
    let filled = days.len() - slice.placeholders.len();
    Ok(format!("{}: {filled} of {} placeholder days now have data", read.key, days.len()))
}

pub fn evict(store: &Store, path: &Path) -> Action {
    let result = store
        .read_sidecar_at(path)
        .and_then(|sidecar| store.quarantine(&sidecar.key))
        .map(|moved| moved.display().to_string())
        .map_err(|e| e.to_string());
    Action::Evicted(result)
}

/// The coverage of the datasets the run has read (the first `COVERAGE_ROWS`),
/// each from its sidecar and against the window it was loaded for.
pub fn coverage(store: &Store, datasets: &[DatasetRead]) -> Action {
    let now = chrono::Utc::now();
    let rows = datasets
        .iter()
        .take(COVERAGE_ROWS)
        .map(|read| {
            let sidecar = store.read_sidecar(&read.key).ok().flatten();
            let (days, placeholders) = match &sidecar {
                Some(s) => (s.days.clone(), s.placeholder_days().collect()),
                None => Default::default(),
            };
            CoverageRow {
                label: read.key.to_string(),
                days,
                placeholders,
                required: required_days(&read.key.asset, read.window, now).iter().collect(),
                expiry: read.key.asset.expiration(),
            }
        })
        .collect();
    Action::Coverage(rows)
}

/// Saved run directories, newest first.
pub fn saved_runs(dir: &Path) -> Action {
    let mut runs: Vec<SavedRun> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join(artifacts::STATS).is_file())
        .map(saved_run)
        .collect();
    runs.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| b.dir.cmp(&a.dir)));
    Action::SavedRuns(runs)
}

/// A run directory with a label a person can tell apart from the others.
fn saved_run(dir: PathBuf) -> SavedRun {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let manifest: Option<artifacts::Manifest> = read(artifacts::MANIFEST).and_then(|t| serde_json::from_str(&t).ok());
    let stats: Option<Stats> = read(artifacts::STATS).and_then(|t| serde_json::from_str(&t).ok());
    let Some(m) = manifest else {
        let label = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        return SavedRun { dir, label, created: None };
    };
    let money = crate::engine::account::money;
    let result = stats.map_or_else(String::new, |s| format!(" → {}", money(s.performance.final_value)));
    let when = m.created.with_timezone(&crate::market::time::ET).format("%m-%d %H:%M");
    // When and what first: a narrow list cuts the end. A run's name stands for its strategy.
    let name = read(NAME_FILE).map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let label = format!(
        "{when} {} {}..{} ${}{result} {}",
        name.unwrap_or_else(|| super::state::form::file_name(&m.strategy)),
        m.start,
        m.end.format("%m-%d"),
        money(m.cash).trim_end_matches(".00"),
        m.store,
    );
    SavedRun { dir, label, created: Some(m.created) }
}

/// The file a run's name is kept in, beside its artifacts.
const NAME_FILE: &str = "name.txt";

/// Names a saved run (an empty name removes it), then lists the runs again.
pub fn rename_run(dir: &Path, name: &str) -> Action {
    let path = dir.join(NAME_FILE);
    let written = if name.is_empty() {
        std::fs::remove_file(&path).or_else(|e| if e.kind() == std::io::ErrorKind::NotFound { Ok(()) } else { Err(e) })
    } else {
        std::fs::write(&path, name)
    };
    match written {
        Ok(()) => saved_runs(dir.parent().unwrap_or(dir)),
        Err(e) => Action::ParityDone(Err(format!("naming {}: {e}", dir.display()))),
    }
}

/// Removes a saved run: only a directory that holds a run's manifest.
pub fn delete_run(dir: &Path) -> Action {
    let outcome = if dir.join(artifacts::MANIFEST).is_file() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("deleting {}: {e}", dir.display()))
    } else {
        Err(format!("{} is not a run directory", dir.display()))
    };
    match outcome {
        Ok(()) => saved_runs(dir.parent().unwrap_or(dir)),
        Err(e) => Action::ParityDone(Err(e)),
    }
}

/// Every strategy the run form can offer: the compiled-in ones, the files in
/// the strategy directories, and `current` when it lives elsewhere.
pub fn strategies(current: Option<PathBuf>) -> Action {
    let mut files = crate::strategies::files();
    if let Some(current) = current.filter(|c| !files.contains(c)) {
        files.push(current);
    }
    let mut listings = crate::strategies::compiled_listings();
    listings.extend(crate::strategies::file_listings(&files));
    Action::Strategies(listings)
}

/// Compares two run directories and reads both back for display.
pub fn compare(a: &Path, b: &Path, labels: (String, String)) -> Result<Box<ParityReport>, String> {
    let parity = crate::run::parity::compare(a, b).map_err(|e| e.to_string())?;
    Ok(Box::new(ParityReport { parity, a: side(a, labels.0)?, b: side(b, labels.1)? }))
}

fn side(dir: &Path, label: String) -> Result<RunSide, String> {
    let read =
        |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()));
    let stats: Stats = serde_json::from_str(&read(artifacts::STATS)?).map_err(|e| e.to_string())?;
    let equity: Vec<EquityLine> = rows(dir, artifacts::EQUITY)?;
    let trades = rows(dir, artifacts::TRADES)?;
    let manifest = read(artifacts::MANIFEST).ok().and_then(|t| serde_json::from_str(&t).ok());
    let equity = equity.into_iter().map(|p| (p.time_et, p.total)).collect();
    Ok(RunSide { label, dir: dir.to_path_buf(), manifest, stats, equity, trades })
}

/// A CSV artifact's rows, read by column name.
fn rows<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Vec<T>, String> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    artifacts::read_rows(&text).map_err(|e| format!("{}: {e}", path.display()))
}
