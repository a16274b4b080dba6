//! The team's remote tier: an S3-compatible bucket under the local cache.
//!
//! Layout under `s3://bucket/prefix/version/`:
//! - `datasets/<kind>/<timestep>/<style>/<slug>.json`: a dataset's sidecar,
//!   the only objects that change, always by conditional write;
//! - `data/<sha256>.parquet`: data files, named by their content, never changed;
//! - `lists/<symbol>/…json`: option chains, replaced only by newer ones.
//!
//! The transport here counts every request and byte into the caller's
//! [`Metrics`] and sorts failures into three kinds: a remote that refuses
//! us (credentials, no bucket: a clear error), one that is unavailable
//! (retried by the client, then skipped with one warning for the rest of the
//! process), and bad objects (reported and never served: see [`protocol`]).

pub mod protocol;
pub mod settings;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3Builder, S3ConditionalPut};
use object_store::path::Path as ObjectPath;
use object_store::{
    BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, RetryConfig,
};

pub use protocol::{Published, RemoteCopy, RemoteDataset, Seen};
pub use settings::{Credentials, RemoteMode, RemoteRequest, RemoteSettings};

use crate::metrics::Metrics;

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// Credentials refused, no such bucket: the user must fix something.
    #[error("remote {remote}: {detail}")]
    Refused { remote: String, detail: String },
    /// Down, slow or erroring after the client's retries.
    #[error("remote {remote} is unavailable: {detail}")]
    Unavailable { remote: String, detail: String },
    /// The copies on this machine and on the remote hold different rows.
    #[error("remote {remote}: {detail}")]
    Conflict { remote: String, detail: String },
    #[error("remote {remote} is read-only here (remote mode read)")]
    ReadOnly { remote: String },
    #[error("remote {remote}: encoding {detail}")]
    Encode { remote: String, detail: String },
}

/// What a conditional write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Put {
    Written,
    /// Someone else wrote first (the precondition failed).
    Lost,
}

/// An object's bytes and the ETag they were read at.
struct Object {
    bytes: Vec<u8>,
    e_tag: Option<String>,
}

pub struct Remote {
    store: Arc<dyn ObjectStore>,
    settings: RemoteSettings,
    root: ObjectPath,
    /// Set after the first unavailability: the rest of the process goes on without it.
    down: AtomicBool,
}

impl Remote {
    /// A client for `settings` signing with `credentials` (see
    /// [`Credentials::find`]), probed with one listing. A remote that refuses
    /// us is an error; one that does not answer is returned marked down, with
    /// its one warning logged.
    pub async fn connect(settings: RemoteSettings, credentials: &Credentials) -> Result<Remote, RemoteError> {
        let remote = Remote::new(settings, credentials)?;
        let probe = remote.store.list_with_delimiter(Some(&remote.root)).await;
        match probe.map_err(|e| remote.classify(e)) {
            Ok(_) => Ok(remote),
            Err(e @ RemoteError::Unavailable { .. }) => {
                remote.went_down(&e);
                Ok(remote)
            }
            Err(e) => Err(e),
        }
    }

    fn new(settings: RemoteSettings, credentials: &Credentials) -> Result<Remote, RemoteError> {
        let refused = |detail: String| RemoteError::Refused { remote: settings.to_string(), detail };
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(50),
                max_backoff: Duration::from_secs(2),
                base: 2.0,
            },
            max_retries: 4,
            retry_timeout: Duration::from_secs(20),
        };
        let client =
            ClientOptions::new().with_connect_timeout(Duration::from_secs(2)).with_timeout(Duration::from_secs(60));
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&credentials.region)
            .with_access_key_id(&credentials.access_key_id)
            .with_secret_access_key(&credentials.secret_access_key)
            .with_conditional_put(S3ConditionalPut::ETagMatch)
            .with_retry(retry)
            .with_client_options(client);
        if let Some(token) = &credentials.session_token {
            builder = builder.with_token(token);
        }
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
        }
        let store = builder.build().map_err(|e| refused(e.to_string()))?;
        let root: ObjectPath =
            [settings.prefix.as_str(), settings.version.as_str()].iter().filter(|p| !p.is_empty()).copied().collect();
        Ok(Remote { store: Arc::new(store), settings, root, down: AtomicBool::new(false) })
    }

    /// How messages name the remote: its URL, and its endpoint if any.
    pub fn name(&self) -> String {
        self.settings.to_string()
    }

    pub fn settings(&self) -> &RemoteSettings {
        &self.settings
    }

    pub fn writes(&self) -> bool {
        self.settings.mode == RemoteMode::ReadWrite
    }

    /// Whether the remote has answered so far (a run stops asking once it has not).
    pub fn is_up(&self) -> bool {
        !self.down.load(Ordering::Relaxed)
    }

    /// Records an unavailable remote: the first time, one warning.
    pub fn went_down(&self, error: &RemoteError) {
        if !self.down.swap(true, Ordering::Relaxed) {
            tracing::warn!(target: "thetabench::cache", "{error}; continuing from the terminal without it");
        }
    }

    /// `path` under the remote's root.
    fn at(&self, path: &str) -> ObjectPath {
        let mut full = self.root.clone();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            full = full.join(part);
        }
        full
    }

    /// An object's bytes, or `None` if there is no such object.
    async fn get(&self, path: &ObjectPath, metrics: &Metrics) -> Result<Option<Object>, RemoteError> {
        metrics.remote_get();
        let result = match self.store.get(path).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.classify(e)),
        };
        let e_tag = result.meta.e_tag.clone();
        let bytes = result.bytes().await.map_err(|e| self.classify(e))?.to_vec();
        metrics.remote_moved(bytes.len());
        Ok(Some(Object { bytes, e_tag }))
    }

    async fn put(
        &self,
        path: &ObjectPath,
        bytes: Vec<u8>,
        mode: PutMode,
        metrics: &Metrics,
    ) -> Result<Put, RemoteError> {
        metrics.remote_put();
        let size = bytes.len();
        let options = PutOptions { mode, ..PutOptions::default() };
        match self.store.put_opts(path, PutPayload::from(bytes), options).await {
            Ok(_) => {
                metrics.remote_moved(size);
                Ok(Put::Written)
            }
            Err(object_store::Error::Precondition { .. } | object_store::Error::AlreadyExists { .. }) => Ok(Put::Lost),
            Err(e) => Err(self.classify(e)),
        }
    }

    /// Every object under `path`, with its size and when it was written.
    async fn list(&self, path: &ObjectPath, metrics: &Metrics) -> Result<Vec<object_store::ObjectMeta>, RemoteError> {
        metrics.remote_get();
        self.store.list(Some(path)).try_collect().await.map_err(|e| self.classify(e))
    }

    async fn delete(&self, path: &ObjectPath, metrics: &Metrics) -> Result<(), RemoteError> {
        metrics.remote_put();
        match self.store.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.classify(e)),
        }
    }

    /// Sorts a client error into refused (the user's to fix) and unavailable.
    fn classify(&self, error: object_store::Error) -> RemoteError {
        let text = error.to_string();
        let code = between(&text, "<Code>", "</Code>");
        let refused =
            matches!(error, object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. })
                || code.is_some_and(|c| REFUSALS.contains(&c));
        let remote = self.name();
        let detail = match (code, between(&text, "<Message>", "</Message>")) {
            (Some("NoSuchBucket"), _) => format!("bucket {} does not exist (NoSuchBucket)", self.settings.bucket),
            (Some(code), Some(message)) => format!("{message} ({code})"),
            _ => brief(&text),
        };
        if refused { RemoteError::Refused { remote, detail } } else { RemoteError::Unavailable { remote, detail } }
    }
}

/// S3 error codes that mean "fix your settings", not "try again later".
const REFUSALS: [&str; 5] =
    ["NoSuchBucket", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidBucketName"];

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    Some(&text[start..start + text[start..].find(close)?])
}

/// The client's error text without its request dump: what failed and how often it was tried.
fn brief(text: &str) -> String {
    let tries = text.find("after ").map(|i| &text[i..]).and_then(|t| t.split(',').next()).unwrap_or("");
    let cause = text.rsplit(" - ").next().unwrap_or(text).trim();
    let line = if tries.is_empty() { cause.to_string() } else { format!("{cause} ({tries})") };
    line.chars().take(240).collect()
}
