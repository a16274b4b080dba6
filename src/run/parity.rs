//! Two runs compared: identical to the last bit, or the first place they part.

use std::path::Path;

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

/// Compares the trade ledgers, then the equity curves, row by row and field by field.
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
    let (trades_a, trades_b) = (read(a, TRADES)?, read(b, TRADES)?);
    let (equity_a, equity_b) = (read(a, EQUITY)?, read(b, EQUITY)?);
    let first_divergence = settings_difference(&manifest(a)?, &manifest(b)?)
        .or_else(|| first_difference("trade", &trades_a, &trades_b))
        .or_else(|| first_difference("equity", &equity_a, &equity_b));
    let final_value = (stats_a.performance.final_value, stats_b.performance.final_value);
    let same_final = final_value.0.to_bits() == final_value.1.to_bits();
    Ok(Parity {
        identical: first_divergence.is_none() && same_final,
        trades: (rows(&trades_a), rows(&trades_b)),
        equity_points: (rows(&equity_a), rows(&equity_b)),
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

fn rows(csv: &str) -> usize {
    csv.lines().count().saturating_sub(1)
}

/// Splits a CSV line, honouring double quotes.
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut current, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    out.push(current);
    out
}

fn first_difference(kind: &'static str, a: &str, b: &str) -> Option<Divergence> {
    let (mut la, mut lb) = (a.lines(), b.lines());
    let header: Vec<String> = la.next().map(fields).unwrap_or_default();
    lb.next();
    let time_of = |row: &[String]| row.get(1).cloned().unwrap_or_default();
    for row in 1.. {
        match (la.next(), lb.next()) {
            (None, None) => return None,
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => {
                let (fx, fy) = (fields(x), fields(y));
                let i = (0..fx.len().max(fy.len())).find(|i| fx.get(*i) != fy.get(*i)).unwrap_or(0);
                return Some(Divergence {
                    kind,
                    row,
                    time_et: time_of(&fx),
                    field: header.get(i).cloned().unwrap_or_else(|| format!("column {}", i + 1)),
                    a: fx.get(i).cloned().unwrap_or_default(),
                    b: fy.get(i).cloned().unwrap_or_default(),
                });
            }
            (x, y) => {
                let present = fields(x.or(y).unwrap_or_default());
                let describe = |line: Option<&str>| line.map_or("(no row)".to_string(), |l| l.to_string());
                return Some(Divergence {
                    kind,
                    row,
                    time_et: time_of(&present),
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

    #[test]
    fn names_the_first_differing_field() {
        let a = "time_utc,time_et,total\nx,2025-03-03 16:00 -05:00,100\ny,2025-03-04 16:00 -05:00,101\n";
        let b = "time_utc,time_et,total\nx,2025-03-03 16:00 -05:00,100\ny,2025-03-04 16:00 -05:00,101.5\n";
        let d = first_difference("equity", a, b).unwrap();
        assert_eq!((d.row, d.field.as_str(), d.a.as_str(), d.b.as_str()), (2, "total", "101", "101.5"));
        assert_eq!(d.time_et, "2025-03-04 16:00 -05:00");
        assert!(first_difference("equity", a, a).is_none());
        let shorter = "time_utc,time_et,total\nx,2025-03-03 16:00 -05:00,100\n";
        let d = first_difference("equity", a, shorter).unwrap();
        assert_eq!((d.row, d.field.as_str(), d.b.as_str()), (2, "row", "(no row)"));
        assert_eq!(fields("a,\"b, c\",\"d\"\"e\""), ["a", "b, c", "d\"e"]);
    }
}
