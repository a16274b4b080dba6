//! `thetabench cache push | pull | ls --remote | gc --remote`: the team
//! remote by hand. Each prints for people, or one JSON object with `--json`,
//! and exits 1 when any dataset failed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::bail;
use serde::Serialize;

use super::cache_cmd::{datasets_table, print_json};
use super::output::{human_bytes, traffic};
use super::{Cli, PullArgs};
use crate::cache::remote::Published;
use crate::cache::report::DatasetSummary;
use crate::cache::{Cache, DatasetKey, Offline, Pulled, Remote, Store};
use crate::market::Asset;
use crate::market::calendar::{FIRST_DAY, LAST_DAY};
use crate::metrics::Metrics;

/// The remote the command line, environment or config file names.
async fn remote(cli: &Cli) -> anyhow::Result<Arc<Remote>> {
    let remote = crate::stack::connect_remote(&cli.stack_options().remote).await?;
    let Some(remote) = remote else {
        bail!(
            "no remote is set: pass --remote s3://BUCKET/PREFIX, set {}, or add [remote] url to {}",
            super::REMOTE_ENV,
            crate::cache::remote::settings::config_path().display()
        )
    };
    if !remote.is_up() {
        bail!("remote {} does not answer", remote.name());
    }
    Ok(remote)
}

/// A cache over the local directory and the remote, with no terminal behind it.
fn cache(cli: &Cli, remote: Arc<Remote>) -> Cache<Offline> {
    Cache::new(cli.cache_dir(), Offline, Arc::new(Metrics::default())).with_remote(Some(remote))
}

/// One dataset's outcome, as `--json` lists it.
#[derive(Debug, Serialize)]
struct Outcome {
    dataset: String,
    /// `published`, `up to date`, `pulled`, `absent` or `failed`.
    result: &'static str,
    /// Days (with placeholders) the remote now holds (push) or this machine gained (pull).
    days: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// What `cache push|pull --json` prints.
#[derive(Serialize)]
struct Report<'a> {
    remote: String,
    datasets: &'a [Outcome],
    #[serde(flatten)]
    traffic: crate::metrics::RemoteTraffic,
}

fn wanted(assets: &[Asset], key: &DatasetKey) -> bool {
    assets.is_empty() || assets.contains(&key.asset)
}

/// `cache push [ASSET…]`: publishes local datasets.
pub async fn push(cli: &Cli, assets: &[Asset], json: bool) -> anyhow::Result<ExitCode> {
    let remote = remote(cli).await?;
    let cache = cache(cli, remote.clone());
    let store = Store::new(cli.cache_dir());
    let keys: Vec<DatasetKey> =
        store.sidecar_paths().iter().filter_map(|p| store.read_sidecar_at(p).ok()).map(|s| s.key).collect();
    let mut outcomes = Vec::new();
    for key in keys.into_iter().filter(|k| wanted(assets, k)) {
        let outcome = match cache.push(&key).await {
            Ok(Published::Wrote { days, placeholders }) => ("published", days + placeholders, None),
            Ok(Published::UpToDate) => ("up to date", 0, None),
            Err(e) => ("failed", 0, Some(e.to_string())),
        };
        outcomes.push(Outcome { dataset: key.to_string(), result: outcome.0, days: outcome.1, error: outcome.2 });
    }
    report(&remote, &cache, &outcomes, json, "nothing to push: no local datasets match")
}

/// `cache pull [ASSET…] [--start] [--end]`: copies the remote's datasets in.
pub async fn pull(cli: &Cli, args: &PullArgs) -> anyhow::Result<ExitCode> {
    let window = match (args.start, args.end) {
        (None, None) => None,
        (start, end) => Some(super::window(start.unwrap_or(FIRST_DAY), end.unwrap_or(LAST_DAY))?),
    };
    let remote = remote(cli).await?;
    let cache = cache(cli, remote.clone());
    let sidecars = remote.sidecars(cache.metrics()).await?;
    let mut outcomes = Vec::new();
    for key in sidecars.into_iter().map(|s| s.key).filter(|k| wanted(&args.assets, k)) {
        let outcome = match cache.pull(&key, window).await {
            Ok(Pulled::Gained(days)) => ("pulled", days, None),
            Ok(Pulled::Absent) => ("absent", 0, None),
            Err(e) => ("failed", 0, Some(e.to_string())),
        };
        outcomes.push(Outcome { dataset: key.to_string(), result: outcome.0, days: outcome.1, error: outcome.2 });
    }
    report(&remote, &cache, &outcomes, args.json.json, "nothing to pull: the remote holds no matching datasets")
}

fn report(
    remote: &Remote,
    cache: &Cache<Offline>,
    outcomes: &[Outcome],
    json: bool,
    none: &str,
) -> anyhow::Result<ExitCode> {
    let m = cache.metrics().snapshot();
    if json {
        print_json(&Report { remote: remote.name(), datasets: outcomes, traffic: m.remote })?;
    } else {
        if outcomes.is_empty() {
            println!("{none}");
        }
        for o in outcomes {
            match &o.error {
                Some(error) => println!("{}: failed: {error}", o.dataset),
                None => println!("{}: {} ({} days)", o.dataset, o.result, o.days),
            }
        }
        println!("remote {}: {}", remote.name(), traffic(&m.remote));
    }
    Ok(if outcomes.iter().any(|o| o.error.is_some()) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// `cache ls --remote`: the remote's datasets, as `cache ls` shows local ones.
pub async fn ls(cli: &Cli, json: bool) -> anyhow::Result<ExitCode> {
    let remote = remote(cli).await?;
    let sidecars = remote.sidecars(&Metrics::default()).await?;
    let root = remote.settings().root_url();
    let datasets: Vec<DatasetSummary> = sidecars
        .iter()
        .map(|s| {
            let path = PathBuf::from(format!("{root}/datasets/{}.json", s.key.relative_stem().to_string_lossy()));
            DatasetSummary::new(path, s)
        })
        .collect();
    if json {
        print_json(&serde_json::json!({ "remote": remote.name(), "datasets": datasets }))?;
    } else if datasets.is_empty() {
        println!("no datasets on {}", remote.name());
    } else {
        println!("{}", datasets_table(&datasets));
    }
    Ok(ExitCode::SUCCESS)
}

/// `cache gc --remote`: removes data files no remote sidecar names.
pub async fn gc(cli: &Cli, json: bool) -> anyhow::Result<ExitCode> {
    let remote = remote(cli).await?;
    let removed = remote.gc(&Metrics::default()).await?;
    let freed: u64 = removed.iter().map(|(_, bytes)| bytes).sum();
    if json {
        let files: Vec<_> =
            removed.iter().map(|(name, bytes)| serde_json::json!({ "name": name, "bytes": bytes })).collect();
        print_json(&serde_json::json!({ "remote": remote.name(), "removed": files, "bytes": freed }))?;
    } else {
        for (name, bytes) in &removed {
            println!("removed data/{name} ({})", human_bytes(*bytes));
        }
        let grace = crate::cache::remote::protocol::GC_GRACE.as_secs() / 60;
        println!(
            "{} files removed from {}, {} freed (files younger than {grace} min are left for writers in flight)",
            removed.len(),
            remote.name(),
            human_bytes(freed)
        );
    }
    Ok(ExitCode::SUCCESS)
}
