//! `thetabench cache …`: fetch, ls, inspect, verify and gc, printed as tables
//! for people or as one JSON object with `--json`.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use serde::Serialize;

use super::output::{human_bytes, table};
use super::{CacheCommand, Cli, FetchArgs, remote_cmd};
use crate::cache::report::{self, ChecksumState};
use crate::cache::{DatasetKey, Slice, Store, Window};
use crate::market::time::fmt_et;
use crate::market::{DataStyle, Timestep};
use crate::metrics::MetricsSnapshot;
use crate::stack::DataStack;

pub async fn run(cli: &Cli, command: &CacheCommand) -> anyhow::Result<ExitCode> {
    let store = Store::new(cli.cache_dir());
    match command {
        CacheCommand::Fetch(args) => fetch(cli, args).await,
        CacheCommand::Ls(flag) if cli.remote.named() => remote_cmd::ls(cli, flag.json).await,
        CacheCommand::Gc(flag) if cli.remote.named() => remote_cmd::gc(cli, flag.json).await,
        CacheCommand::Push { assets, json } => remote_cmd::push(cli, assets, json.json).await,
        CacheCommand::Pull(args) => remote_cmd::pull(cli, args).await,
        CacheCommand::Ls(flag) => ls(&store, flag.json),
        CacheCommand::Inspect { asset, json } => inspect(&store, asset, json.json),
        CacheCommand::Gc(flag) => gc(&store, flag.json),
        CacheCommand::Verify(flag) => verify(&store, flag.json),
    }
}

/// `cache ls`: every dataset, one row each.
fn ls(store: &Store, json: bool) -> anyhow::Result<ExitCode> {
    let datasets = report::list(store);
    if json {
        print_json(&serde_json::json!({ "cache_dir": store.root(), "datasets": datasets }))?;
    } else if datasets.is_empty() {
        println!("no datasets in {}", store.root().display());
    } else {
        println!("{}", datasets_table(&datasets));
    }
    Ok(ExitCode::SUCCESS)
}

/// The table `cache ls` prints, local or remote.
pub(super) fn datasets_table(datasets: &[report::DatasetSummary]) -> String {
    let rows: Vec<Vec<String>> = datasets
        .iter()
        .map(|d| {
            vec![
                d.asset.clone(),
                d.kind.to_string(),
                d.timestep.clone(),
                d.style.clone(),
                d.rows.to_string(),
                d.days.to_string(),
                d.placeholder_days.to_string(),
                d.first.clone().unwrap_or_default(),
                d.last.clone().unwrap_or_default(),
                human_bytes(d.bytes),
            ]
        })
        .collect();
    let header = ["asset", "kind", "step", "style", "rows", "days", "placeholders", "first (ET)", "last (ET)", "size"];
    table(&header, &rows)
}

/// `cache inspect`: one asset's datasets; exit 1 when any is damaged.
fn inspect(store: &Store, asset: &crate::market::Asset, json: bool) -> anyhow::Result<ExitCode> {
    let found = report::inspect(store, asset);
    if json {
        print_json(&serde_json::json!({ "asset": asset.to_string(), "datasets": found }))?;
    } else if found.is_empty() {
        println!("{asset}: nothing cached in {}", store.root().display());
    }
    for d in found.iter().filter(|_| !json) {
        let s = &d.summary;
        println!("{} {} {}  ({})", s.asset, s.timestep, s.style, s.sidecar.display());
        println!("  rows          {}", s.rows);
        println!("  first, last   {} .. {}", s.first.as_deref().unwrap_or("-"), s.last.as_deref().unwrap_or("-"));
        println!("  days          {} in {}", s.days, d.coverage.join(", "));
        let asked = d.placeholders.iter().map(|p| p.made).max().map(fmt_et).unwrap_or_default();
        let days: Vec<NaiveDate> = d.placeholders.iter().map(|p| p.day).collect();
        let asked = if asked.is_empty() { asked } else { format!(" (last asked {asked})") };
        println!("  placeholders  {} {}{asked}", s.placeholder_days, report::session_runs(&days).join(", "));
        println!("  size          {} ({})", human_bytes(s.bytes), d.data_file.as_deref().unwrap_or("no data file"));
        println!("  checksum      {}", checksum_text(d.checksum, d.checksum_detail.as_deref()));
    }
    Ok(if found.iter().all(|d| d.checksum == ChecksumState::Ok) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `cache verify`: every dataset checked; exit 1 when any is bad.
fn verify(store: &Store, json: bool) -> anyhow::Result<ExitCode> {
    let results = report::verify(store);
    let bad = results.iter().filter(|v| v.state != ChecksumState::Ok).count();
    if json {
        print_json(&serde_json::json!({ "datasets": results.len(), "bad": bad, "results": results }))?;
    } else {
        for v in results.iter().filter(|v| v.state != ChecksumState::Ok) {
            println!(
                "{}: {}",
                v.asset.as_deref().unwrap_or(&v.sidecar.display().to_string()),
                checksum_text(v.state, v.detail.as_deref())
            );
        }
        println!("{} datasets verified, {bad} bad", results.len());
    }
    Ok(if bad == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `cache gc`: what was removed, and how much space that freed.
fn gc(store: &Store, json: bool) -> anyhow::Result<ExitCode> {
    let removed = store.gc().context("collecting unreferenced files")?;
    let freed: u64 = removed.iter().map(|(_, bytes)| bytes).sum();
    if json {
        let files: Vec<_> =
            removed.iter().map(|(path, bytes)| serde_json::json!({ "path": path, "bytes": bytes })).collect();
        print_json(&serde_json::json!({ "removed": files, "bytes": freed }))?;
    } else {
        for (path, bytes) in &removed {
            println!("removed {} ({})", path.display(), human_bytes(*bytes));
        }
        println!("{} files removed, {} freed", removed.len(), human_bytes(freed));
    }
    Ok(ExitCode::SUCCESS)
}

fn checksum_text(state: ChecksumState, detail: Option<&str>) -> String {
    match (state, detail) {
        (ChecksumState::Ok, _) => "ok".to_string(),
        (state, Some(detail)) => format!("{state:?}: {detail} (it will be fetched again on next use)").to_lowercase(),
        (state, None) => format!("{state:?}").to_lowercase(),
    }
}

pub(super) fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// What `cache fetch --json` prints.
#[derive(Debug, Serialize)]
struct FetchSummary {
    source: String,
    asset: String,
    timestep: Timestep,
    style: DataStyle,
    start: NaiveDate,
    end: NaiveDate,
    rows: usize,
    days: usize,
    placeholder_days: usize,
    /// The window's days the terminal said it has no data for.
    placeholders: Vec<NaiveDate>,
    network_requests: u64,
    cache_hits: u64,
    cache_misses: u64,
    retries: u64,
    bytes: u64,
    #[serde(flatten)]
    remote: crate::metrics::RemoteTraffic,
    errors: BTreeMap<String, u64>,
    conversions: BTreeMap<String, u64>,
    elapsed_ms: u128,
}

impl FetchSummary {
    fn new(source: String, slice: &Slice, window: Window, metrics: &MetricsSnapshot, started: Instant) -> FetchSummary {
        FetchSummary {
            source,
            asset: slice.key.asset.to_string(),
            timestep: slice.key.timestep,
            style: slice.key.style,
            start: window.start,
            end: window.end,
            rows: slice.frame.height(),
            days: slice.days,
            placeholder_days: slice.placeholders.len(),
            placeholders: slice.placeholders.iter().collect(),
            network_requests: metrics.network_requests,
            cache_hits: metrics.hits,
            cache_misses: metrics.misses,
            retries: metrics.retries,
            bytes: metrics.bytes,
            remote: metrics.remote,
            errors: metrics.errors.clone(),
            conversions: metrics.conversions.iter().map(|(k, c)| (k.to_string(), c.count)).collect(),
            elapsed_ms: started.elapsed().as_millis(),
        }
    }
}

async fn fetch(cli: &Cli, args: &FetchArgs) -> anyhow::Result<ExitCode> {
    let window = super::window(args.start, args.end)?;
    if args.timestep != Timestep::Minute && args.timestep != Timestep::Day {
        bail!("cache fetch takes --timestep 1m or 1d; {} bars are resampled from 1m", args.timestep);
    }
    let started = Instant::now();
    let stack = DataStack::open(&cli.stack_options()).await?;
    let key = DatasetKey::new(args.asset, args.timestep, args.style);
    let slice = if args.recheck_placeholders {
        stack.cache.recheck_placeholders(&key, window).await
    } else {
        stack.cache.get(&key, window).await
    };
    let slice = slice.with_context(|| format!("via {}", stack.source.describe()))?;
    let summary = FetchSummary::new(stack.source.describe(), &slice, window, &stack.metrics.snapshot(), started);
    if args.json.json {
        print_json(&summary)?;
    } else {
        println!(
            "{key}  {}..{}  rows={} days={} placeholder_days={}  {}  network_requests={} retries={}  {} ms\nsource: {}",
            window.start,
            window.end,
            summary.rows,
            summary.days,
            summary.placeholder_days,
            if slice.hit { "HIT" } else { "MISS" },
            summary.network_requests,
            summary.retries,
            summary.elapsed_ms,
            summary.source
        );
        if let Some(remote) = &stack.remote {
            println!("remote: {} ({})", remote.name(), super::output::traffic(&summary.remote));
        }
    }
    if !summary.placeholders.is_empty() {
        eprintln!(
            "note: no data for {key} on {} of the window's sessions (placeholders: {}); \
             --recheck-placeholders asks the terminal again",
            summary.placeholders.len(),
            report::session_runs(&summary.placeholders).join(", ")
        );
    }
    if summary.rows == 0 && summary.placeholder_days > 0 {
        eprintln!(
            "warning: the source has no data for {} from {} to {} (unknown symbol, not listed, or outside the subscription)",
            key.asset, window.start, window.end
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
