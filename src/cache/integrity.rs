//! Whether a sidecar and the data file it names tell the same story. Checked on
//! every load (and by `cache verify`), so a sidecar the data contradicts is
//! never believed: the dataset is quarantined and fetched again.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use polars::prelude::DataFrame;

use super::key::DatasetKey;
use super::sidecar::Sidecar;
use super::timestamps;
use crate::market::time::{et_day_runs, fmt_et, utc_from_ms};

/// The first way `sidecar` and `frame` (the data it names, already checked
/// against its sha256) disagree, in words.
pub fn contradiction(key: &DatasetKey, sidecar: &Sidecar, frame: &DataFrame) -> Option<String> {
    if &sidecar.key != key {
        return Some(format!("the sidecar describes {}, not {key}", sidecar.key));
    }
    if sidecar.data_file.is_none() && !sidecar.days.is_empty() {
        return Some(format!("the sidecar claims {} days of data but names no data file", sidecar.days.len()));
    }
    if frame.height() as u64 != sidecar.rows {
        return Some(format!("the sidecar says {} rows, the data file holds {}", sidecar.rows, frame.height()));
    }
    let stamps = timestamps(frame);
    if stamps.len() != frame.height() {
        return Some("the data file has no usable datetime column".into());
    }
    if let Some(row) = stamps.windows(2).position(|w| w[1] <= w[0]) {
        return Some(format!("the data file's rows are not in strictly increasing time order at row {}", row + 2));
    }
    let held: BTreeSet<NaiveDate> = et_day_runs(stamps).map(|(day, _)| day).collect();
    let claimed: BTreeSet<NaiveDate> = sidecar.days.iter().copied().collect();
    let placeholders: BTreeSet<NaiveDate> = sidecar.placeholder_days().collect();
    if let Some(both) = listed(claimed.intersection(&placeholders)) {
        return Some(format!("the sidecar lists {both} both as covered and as placeholders"));
    }
    if let Some(days) = listed(held.intersection(&placeholders)) {
        return Some(format!("the sidecar calls {days} placeholders, but the data file has rows on them"));
    }
    if let Some(days) = listed(claimed.difference(&held)) {
        return Some(format!("the sidecar claims {days}, but the data file has no rows on them"));
    }
    if let Some(days) = listed(held.difference(&claimed)) {
        return Some(format!("the data file has rows on {days}, which the sidecar does not claim"));
    }
    let bounds = stamps.first().zip(stamps.last()).map(|(f, l)| (utc_from_ms(*f), utc_from_ms(*l)));
    if sidecar.first.zip(sidecar.last) != bounds {
        let show = |b: Option<(DateTime<Utc>, DateTime<Utc>)>| {
            b.map_or("none".to_string(), |(f, l)| format!("{}..{}", fmt_et(f), fmt_et(l)))
        };
        return Some(format!(
            "the sidecar's first and last bars ({}) are not the data file's ({})",
            show(sidecar.first.zip(sidecar.last)),
            show(bounds)
        ));
    }
    None
}

/// `N days (a, b, c, …)`, or `None` for no days.
fn listed<'a>(days: impl Iterator<Item = &'a NaiveDate>) -> Option<String> {
    let days: Vec<&NaiveDate> = days.collect();
    let shown: Vec<String> = days.iter().take(3).map(|d| d.to_string()).collect();
    let more = if days.len() > 3 { ", …" } else { "" };
    match days.len() {
        0 => None,
        1 => Some(format!("1 day ({})", shown[0])),
        n => Some(format!("{n} days ({}{more})", shown.join(", "))),
    }
}
