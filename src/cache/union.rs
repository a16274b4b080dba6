//! Two copies of one dataset made into one: what a machine holds and what
//! the team's remote holds. Every day either covers is covered, every
//! placeholder either made stays one unless the other has rows for the day,
//! and where both hold a day its rows must be identical: two copies that
//! disagree about the past are an error, never silently resolved.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::DataFrame;

use super::coverage::Coverage;
use super::key::DatasetKey;
use super::sidecar::{Placeholder, Sidecar};
use super::timestamps;
use crate::market::time::et_day_runs;

/// One copy of a dataset: its sidecar and its verified rows.
#[derive(Clone, Copy)]
pub struct Replica<'a> {
    pub sidecar: &'a Sidecar,
    pub frame: &'a DataFrame,
}

/// The union of two copies.
#[derive(Debug)]
pub struct Union {
    /// `ours`' sidecar with the union's days and placeholders; the data
    /// fields are filled in when it is encoded.
    pub sidecar: Sidecar,
    pub frame: DataFrame,
    pub coverage: Coverage,
}

impl Union {
    /// Whether the union holds nothing `copy` lacks (days, placeholders, rows).
    pub fn adds_nothing_to(&self, copy: &Replica) -> bool {
        let theirs = copy.sidecar.coverage();
        self.coverage.days == theirs.days
            && self.coverage.placeholders.difference(&theirs.placeholders).is_empty()
            && self.frame.height() == copy.frame.height()
    }
}

/// The union of `ours` and `theirs`, or where they disagree, in words.
pub fn union(key: &DatasetKey, ours: Replica, theirs: Replica) -> Result<Union, String> {
    let our_days = day_rows(ours.frame);
    let their_days = day_rows(theirs.frame);
    let mut added = Vec::new();
    for (day, rows) in &their_days {
        match our_days.get(day) {
            Some(mine) if !mine.equals_missing(rows) => {
                return Err(format!(
                    "{key}: the two copies hold different rows on {day} ({} and {} rows)",
                    mine.height(),
                    rows.height()
                ));
            }
            Some(_) => {}
            None => added.push(rows.clone()),
        }
    }
    let mut frames = vec![ours.frame.clone()];
    frames.extend(added);
    let frame = super::merge(key, frames).map_err(|e| e.to_string())?;

    let mut days: Vec<NaiveDate> = ours.sidecar.days.iter().chain(&theirs.sidecar.days).copied().collect();
    days.sort();
    days.dedup();
    let mut placeholders: BTreeMap<NaiveDate, Placeholder> = BTreeMap::new();
    for p in ours.sidecar.placeholders.iter().chain(&theirs.sidecar.placeholders) {
        let newest = placeholders.get(&p.day).is_none_or(|held| held.made < p.made);
        if newest && days.binary_search(&p.day).is_err() {
            placeholders.insert(p.day, *p);
        }
    }
    let mut sidecar = ours.sidecar.clone();
    sidecar.key = key.clone();
    sidecar.days = days;
    sidecar.placeholders = placeholders.into_values().collect();
    Ok(Union { coverage: sidecar.coverage(), sidecar, frame })
}

/// A frame's rows, one slice per ET date.
fn day_rows(frame: &DataFrame) -> BTreeMap<NaiveDate, DataFrame> {
    et_day_runs(timestamps(frame)).map(|(day, rows)| (day, frame.slice(rows.start as i64, rows.len()))).collect()
}

#[cfg(test)]
mod tests {
    use polars::prelude::Column;

    use super::*;
    use crate::cache::store::encode;
    use crate::cache::tests::{bars, pltr};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A copy holding `days` of three bars each and the placeholders given.
    fn copy_of(days: &[&str], placeholders: &[(&str, &str)]) -> (Sidecar, DataFrame) {
        let frames: Vec<DataFrame> = days.iter().map(|day| bars(d(day))).collect();
        let mut frame = crate::cache::merge(&pltr(), frames).unwrap();
        let mut sidecar = Sidecar::empty(pltr());
        sidecar.days = days.iter().map(|s| d(s)).collect();
        sidecar.placeholders =
            placeholders.iter().map(|(day, made)| Placeholder { day: d(day), made: made.parse().unwrap() }).collect();
        encode(&mut frame, &mut sidecar).unwrap();
        (sidecar, frame)
    }

    #[test]
    fn covers_every_day_of_both_and_keeps_the_newest_placeholder_stamp() {
        let (sa, fa) = copy_of(&["2025-03-03", "2025-03-04"], &[("2025-03-07", "2025-04-01T00:00:00Z")]);
        let (sb, fb) = copy_of(
            &["2025-03-04", "2025-03-05"],
            &[("2025-03-07", "2025-05-01T00:00:00Z"), ("2025-03-03", "2025-05-01T00:00:00Z")],
        );
        let u = union(&pltr(), Replica { sidecar: &sa, frame: &fa }, Replica { sidecar: &sb, frame: &fb }).unwrap();
        assert_eq!(u.sidecar.days, [d("2025-03-03"), d("2025-03-04"), d("2025-03-05")]);
        // 03-03 has rows in the first copy: no longer a placeholder.
        let newest = Placeholder { day: d("2025-03-07"), made: "2025-05-01T00:00:00Z".parse().unwrap() };
        assert_eq!(u.sidecar.placeholders, [newest]);
        let (sc, fc) = copy_of(&["2025-03-03", "2025-03-04", "2025-03-05"], &[]);
        assert!(u.frame.equals_missing(&fc), "the union's rows are the three days' rows, once each");
        let (mut sidecar, mut frame) = (u.sidecar.clone(), u.frame.clone());
        encode(&mut frame, &mut sidecar).unwrap();
        assert_eq!(sidecar.sha256, sc.sha256, "the same rows encode to the same bytes");
        assert!(!u.adds_nothing_to(&Replica { sidecar: &sa, frame: &fa }));
        assert!(u.adds_nothing_to(&Replica { sidecar: &u.sidecar, frame: &u.frame }));
    }

    #[test]
    fn copies_that_disagree_on_a_day_are_an_error() {
        let (sa, fa) = copy_of(&["2025-03-03", "2025-03-04"], &[]);
        let (sb, mut fb) = copy_of(&["2025-03-04"], &[]);
        fb.with_column(Column::new("close".into(), vec![1.0f64; 3])).unwrap();
        let err =
            union(&pltr(), Replica { sidecar: &sa, frame: &fa }, Replica { sidecar: &sb, frame: &fb }).unwrap_err();
        assert!(err.contains("different rows on 2025-03-04"), "{err}");
    }
}
