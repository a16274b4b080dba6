//! The data stack every command and the workbench work over: where the data comes from (a live Theta Terminal
//! or the simulated one), the client, the cache and the counters they share.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::cache::remote::{Credentials, RemoteRequest, RemoteSettings};
use crate::cache::{Cache, Remote, RemoteError};
use crate::metrics::Metrics;
use crate::terminal::{self, RunningTerminal, SimConfig};
use crate::thetadata::{ClientConfig, ThetaClient, ThetaError, Tier};

/// The `--terminal` value that asks for the simulated terminal explicitly.
pub const SIMULATED: &str = "sim";

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error("starting the simulated terminal: {0}")]
    Simulator(std::io::Error),
    #[error("{0}")]
    Client(#[from] ThetaError),
    #[error("the Theta Terminal at {url} answered {status}, not CONNECTED; log it in, or pass --terminal sim")]
    NotConnected { url: String, status: String },
    #[error("{0}")]
    RemoteSettings(String),
    #[error(transparent)]
    Remote(#[from] RemoteError),
}

/// The data source the stack talks to.
pub enum Source {
    Live { url: String },
    Simulated { terminal: RunningTerminal },
}

impl Source {
    pub fn url(&self) -> String {
        match self {
            Source::Live { url } => url.clone(),
            Source::Simulated { terminal } => terminal.base_url(),
        }
    }

    /// How outputs name the source, e.g. `simulated terminal at http://127.0.0.1:40111`.
    pub fn describe(&self) -> String {
        match self {
            Source::Live { url } => format!("theta terminal at {url}"),
            Source::Simulated { terminal } => format!("simulated terminal at {}", terminal.base_url()),
        }
    }

    pub fn is_simulated(&self) -> bool {
        matches!(self, Source::Simulated { .. })
    }
}

#[derive(Debug, Clone)]
pub struct StackOptions {
    pub cache_dir: PathBuf,
    /// `None`: a live terminal on the default port if it is CONNECTED, else the
    /// simulated one. `sim`: the simulated one. Anything else: that URL.
    pub terminal: Option<String>,
    pub tier: Tier,
    /// The team remote asked for on the command line (the config file fills in the rest).
    pub remote: RemoteRequest,
}

pub struct DataStack {
    pub source: Source,
    pub cache: Arc<Cache<ThetaClient>>,
    pub metrics: Arc<Metrics>,
    /// The team's remote tier, if one is set.
    pub remote: Option<Arc<Remote>>,
}

impl DataStack {
    pub async fn open(options: &StackOptions) -> Result<DataStack, StackError> {
        let metrics = Arc::new(Metrics::default());
        // Both probe the network: neither waits for the other.
        let (remote, source) =
            tokio::join!(connect_remote(&options.remote), resolve_source(options.terminal.as_deref(), options.tier));
        let (remote, source) = (remote?, source?);
        let cache = cache_over(&options.cache_dir, &source.url(), options.tier, metrics.clone(), remote.clone())?;
        tracing::info!("data source: {}", source.describe());
        if let Some(remote) = &remote {
            tracing::info!("team remote: {} ({})", remote.name(), remote.settings().mode);
        }
        Ok(DataStack { cache, source, metrics, remote })
    }
}

/// The remote the options and config file name, connected; `None` if neither names one.
pub async fn connect_remote(request: &RemoteRequest) -> Result<Option<Arc<Remote>>, StackError> {
    let Some(settings) = RemoteSettings::resolve(request).map_err(StackError::RemoteSettings)? else {
        return Ok(None);
    };
    let credentials =
        Credentials::find().map_err(|detail| RemoteError::Refused { remote: settings.to_string(), detail })?;
    Ok(Some(Arc::new(Remote::connect(settings, &credentials).await?)))
}

/// A cache in `cache_dir` over the team remote (if any), fetching from the
/// terminal at `url`, counting into `metrics`.
pub fn cache_over(
    cache_dir: &Path,
    url: &str,
    tier: Tier,
    metrics: Arc<Metrics>,
    remote: Option<Arc<Remote>>,
) -> Result<Arc<Cache<ThetaClient>>, ThetaError> {
    let config = ClientConfig { base_url: url.to_string(), concurrency: tier.concurrency(), ..ClientConfig::default() };
    let client = ThetaClient::new(config, metrics.clone())?;
    Ok(Arc::new(Cache::new(cache_dir, client, metrics).with_remote(remote)))
}

async fn resolve_source(terminal: Option<&str>, tier: Tier) -> Result<Source, StackError> {
    let simulated = || async {
        let config = SimConfig { tier, ..SimConfig::default() };
        terminal::spawn(config).await.map(|terminal| Source::Simulated { terminal }).map_err(StackError::Simulator)
    };
    match terminal {
        Some(SIMULATED) => simulated().await,
        Some(url) => {
            let url = url.trim_end_matches('/').to_string();
            match probe(&url).await {
                Some(status) if status == "CONNECTED" => Ok(Source::Live { url }),
                Some(status) => Err(StackError::NotConnected { url, status }),
                // Unreachable: the first request reports it with the retry policy's full message.
                None => Ok(Source::Live { url }),
            }
        }
        None => match probe(&crate::thetadata::default_base_url()).await {
            Some(status) if status == "CONNECTED" => Ok(Source::Live { url: crate::thetadata::default_base_url() }),
            _ => simulated().await,
        },
    }
}

/// The terminal's MDDS status, or `None` if nothing answers quickly.
async fn probe(url: &str) -> Option<String> {
    let config = ClientConfig {
        base_url: url.to_string(),
        connect_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_secs(2),
        max_attempts: 1,
        ..ClientConfig::default()
    };
    let client = ThetaClient::new(config, Arc::new(Metrics::default())).ok()?;
    client.status().await.ok()
}
