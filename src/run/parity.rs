//! Two runs compared: identical to the last bit, or the first place they part.
//! The CSV artifacts are read with the `csv` crate and compared field by field
//! as written, so numbers compare by their exact text.

use std::path::Path;

use csv::{ReaderBuilder, StringRecord, WriterBuilder};
use serde::Serialize;

use super::artifacts::{EQUITY, MANIFEST, Manifest, STATS, Stats, TRADES};

#[derive(Debug, thiserror::Error)]
pub enum ParityError {
    #[error("{path}: {detail}")]
    Unreadable { path: String, detail: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Divergence {
    /// `settings` (the runs were asked different things), `trade` or `equity`.
    pub kind: &'static str,
    /// 1-based row in that file.
    pub row: usize,
    /// The row's time in ET (from run A, or B when A has no such row).
    pub time_et: String,
    pub field: String,
    pub a: String,
    pub b: String,
}

impl std::fmt::Display for Divergence {
    /// The verdict line both the command and the workbench print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Divergence { kind, row, time_et, field, a, b } = self;
        match *kind {
            "settings" => write!(f, "the runs were asked different things: {field} is {a} in A, {b} in B"),
            _ => write!(f, "first divergence: {kind} row {row} at {time_et}: {field} is {a} in A, {b} in B"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Parity {
    pub identical: bool,
    pub trades: (usize, usize),
    pub equity_points: (usize, usize),
    pub final_value: (f64, f64),
    pub first_divergence: Option<Divergence>,
}

fn read(dir: &Path, name: &str) -> Result<String, ParityError> {
    let path = dir.join(name);
    std::fs::read_to_string(&path)
        .map_err(|e| ParityError::Unreadable { path: path.display().to_string(), detail: e.to_string() })
}

/// A CSV artifact's header and rows, fields as written.
#[derive(Debug, Clone, Default)]
struct Table {
    header: StringRecord,
    rows: Vec<StringRecord>,
}

impl Table {
    fn parse(text: &str) -> csv::Result<Table> {
        let mut reader = ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        let header = reader.headers()?.clone();
        let rows = reader.records().collect::<csv::Result<_>>()?;
        Ok(Table { header, rows })
    }

    fn read(dir: &Path, name: &str) -> Result<Table, ParityError> {
        Table::parse(&read(dir, name)?)
            .map_err(|e| ParityError::Unreadable { path: dir.join(name).display().to_string(), detail: e.to_string() })
    }
}

/// Compares the settings (the account), then the trade ledgers, then the equity
/// curves, row by row and field by field.
pub fn compare(a: &Path, b: &Path) -> Result<Parity, ParityError> {
    let stats = |dir: &Path| -> Result<Stats, ParityError> {
        let text = read(dir, STATS)?;
        serde_json::from_str(&text)
            .map_err(|e| ParityError::Unreadable { path: dir.join(STATS).display().to_string(), detail: e.to_string() })
    };
    let manifest = |dir: &Path| -> Result<Manifest, ParityError> {
        let text = read(dir, MANIFEST)?;
        serde_json::from_str(&text).map_err(|e| ParityError::Unreadable {
            path: dir.join(MANIFEST).display().to_string(),
            detail: e.to_string(),
        })
    };
    let (stats_a, stats_b) = (stats(a)?, stats(b)?);
    let (trades_a, trades_b) = (Table::read(a, TRADES)?, Table::read(b, TRADES)?);
    let (equity_a, equity_b) = (Table::read(a, EQUITY)?, Table::read(b, EQUITY)?);
    let first_divergence = settings_difference(&manifest(a)?, &manifest(b)?)
        .or_else(|| first_difference("trade", &trades_a, &trades_b))
        .or_else(|| first_difference("equity", &equity_a, &equity_b));
    let final_value = (stats_a.performance.final_value, stats_b.performance.final_value);
    let same_final = final_value.0.to_bits() == final_value.1.to_bits();
    Ok(Parity {
        identical: first_divergence.is_none() && same_final,
        trades: (trades_a.rows.len(), trades_b.rows.len()),
        equity_points: (equity_a.rows.len(), equity_b.rows.len()),
        final_value,
        first_divergence,
    })
}

/// A setting that makes two runs answer different questions: today the
/// account model (a cash and a margin run are not the same run, even where
/// their trades happen to agree).
fn settings_difference(a: &Manifest, b: &Manifest) -> Option<Divergence> {
    let account = |m: &Manifest| m.account.map_or("none (written before accounts)".to_string(), |a| a.to_string());
    let (account_a, account_b) = (account(a), account(b));
    (account_a != account_b).then(|| Divergence {
        kind: "settings",
        row: 0,
        time_et: String::new(),
        field: "account".into(),
        a: account_a,
        b: account_b,
    })
}

/// A row as its file holds it (the line without its end).
fn line(row: &StringRecord) -> String {
    let mut writer = WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    // Writing to memory does not fail; the fields are UTF-8 already.
    let _ = writer.write_record(row);
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end_matches('\n').to_string()
}

/// The first row where the tables differ and, when both have it, the first
/// field; the field is named by A's header.
fn first_difference(kind: &'static str, a: &Table, b: &Table) -> Option<Divergence> {
    let time_column = a.header.iter().position(|name| name == "time_et");
    let time_of = |row: &StringRecord| time_column.and_then(|i| row.get(i)).unwrap_or_default().to_string();
    let field = |row: Option<&StringRecord>, i: usize| row.and_then(|r| r.get(i)).unwrap_or_default().to_string();
    for i in 0..a.rows.len().max(b.rows.len()) {
        let row = i + 1;
        match (a.rows.get(i), b.rows.get(i)) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => {
                let column = (0..x.len().max(y.len())).find(|c| x.get(*c) != y.get(*c)).unwrap_or(0);
                return Some(Divergence {
                    kind,
                    row,
                    time_et: time_of(x),
                    field: a.header.get(column).map_or_else(|| format!("column {}", column + 1), String::from),
                    a: field(Some(x), column),
                    b: field(Some(y), column),
                });
            }
            (x, y) => {
                let describe = |row: Option<&StringRecord>| row.map_or("(no row)".to_string(), line);
                return Some(Divergence {
                    kind,
                    row,
                    time_et: x.or(y).map(time_of).unwrap_or_default(),
                    field: "row".into(),
                    a: describe(x),
                    b: describe(y),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(a: &str, b: &str) -> Option<Divergence> {
        first_difference("equity", &Table::parse(a).unwrap(), &Table::parse(b).unwrap())
    }

    #[test]
    fn names_the_first_differing_field() {
        let a = "time_utc,time_et,total\nx,2025-03-03 16:00 -05:00,100\ny,2025-03-04 16:00 -05:00,101\n";
        let b = "time_utc,time_et,total\nx,2025-03-03 16:00 -05:00,100\ny,2025-03-04 16:00 -05:00,101.5\n";
        let d = first(a, b).unwrap();
        assert_eq!((d.row, d.field.as_str(), d.a.as_str(), d.b.as_str()), (2, "total", "101", "101.5"));
        assert_eq!(d.time_et, "2025-03-04 16:00 -05:00");
        assert!(first(a, a).is_none());
        let shorter = "time_utc,time_et,total\nx,2025-03-03 16:00 -05:00,100\n";
        let d = first(a, shorter).unwrap();
        assert_eq!((d.row, d.field.as_str(), d.b.as_str()), (2, "row", "(no row)"));
        assert_eq!(d.a, "y,2025-03-04 16:00 -05:00,101");
    }

    #[test]
    fn quoted_fields_compare_whole() {
        let header = "time_utc,time_et,reason,cash\n";
        let a = format!("{header}x,2025-03-03 16:00 -05:00,\"needs 1,000.5; has \"\"0\"\"\",7\n");
        let b = format!("{header}x,2025-03-03 16:00 -05:00,\"needs 1,000.5; has \"\"0\"\"\",8\n");
        let d = first(&a, &b).unwrap();
        assert_eq!((d.row, d.field.as_str(), d.a.as_str(), d.b.as_str()), (1, "cash", "7", "8"));
        let d = first(&a, header).unwrap();
        assert_eq!(d.a, "x,2025-03-03 16:00 -05:00,\"needs 1,000.5; has \"\"0\"\"\",7", "the row as written");
    }
}
