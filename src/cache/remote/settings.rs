//! Where a team's remote is and how to reach it. Each setting comes from the
//! command line (or its environment variable) first, then from the `[remote]`
//! table of `<config dir>/thetabench/config.toml`, so a team shares one line:
//!
//! ```toml
//! [remote]
//! url = "s3://team-bucket/thetabench"
//! endpoint = "http://minio.internal:9000"   # S3-compatible servers only
//! mode = "read-write"                       # or "read"
//! version = "v1"                            # a new one starts afresh
//! ```
//!
//! Credentials and region come from the standard AWS variables, else from
//! the profile (`AWS_PROFILE`, else `default`) in `~/.aws/credentials` and
//! `~/.aws/config`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

/// The environment variable naming another config file (tests, CI).
pub const CONFIG_ENV: &str = "THETABENCH_CONFIG";
/// The version component used when none is set.
pub const DEFAULT_VERSION: &str = "v1";

/// Whether this machine may write to the remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemoteMode {
    /// Reads only: a run never writes.
    Read,
    /// Reads, and publishes what it fetched from the terminal.
    #[default]
    ReadWrite,
}

impl FromStr for RemoteMode {
    type Err = String;

    fn from_str(s: &str) -> Result<RemoteMode, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "read" | "read-only" => Ok(RemoteMode::Read),
            "read-write" => Ok(RemoteMode::ReadWrite),
            other => Err(format!("remote mode {other:?} is neither read nor read-write")),
        }
    }
}

impl fmt::Display for RemoteMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RemoteMode::Read => "read",
            RemoteMode::ReadWrite => "read-write",
        })
    }
}

/// What the command line asked for; unset values come from the config file.
#[derive(Debug, Clone, Default)]
pub struct RemoteRequest {
    pub url: Option<String>,
    pub endpoint: Option<String>,
    pub mode: Option<RemoteMode>,
    pub version: Option<String>,
}

/// A remote, resolved and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSettings {
    pub bucket: String,
    /// The prefix under the bucket, without slashes at either end ("" for none).
    pub prefix: String,
    pub endpoint: Option<String>,
    pub mode: RemoteMode,
    pub version: String,
}

impl RemoteSettings {
    /// The settings `request` and the config file make, `None` when neither
    /// names a remote. A bad URL, mode or config file is an error naming it.
    pub fn resolve(request: &RemoteRequest) -> Result<Option<RemoteSettings>, String> {
        let file = ConfigFile::read(&config_path())?.remote.unwrap_or_default();
        let Some(url) = request.url.clone().or(file.url) else { return Ok(None) };
        let (bucket, prefix) = parse_url(&url)?;
        let mode = match (request.mode, file.mode) {
            (Some(mode), _) => mode,
            (None, Some(text)) => text.parse()?,
            (None, None) => RemoteMode::default(),
        };
        let version = request.version.clone().or(file.version).unwrap_or_else(|| DEFAULT_VERSION.to_string());
        if version.is_empty() || version.contains('/') {
            return Err(format!("remote version {version:?} must be one path component, like v2"));
        }
        let endpoint = request.endpoint.clone().or(file.endpoint).map(|e| e.trim_end_matches('/').to_string());
        Ok(Some(RemoteSettings { bucket, prefix, endpoint, mode, version }))
    }

    /// `s3://bucket/prefix/version`: where this machine's objects live.
    pub fn root_url(&self) -> String {
        let prefix = if self.prefix.is_empty() { String::new() } else { format!("{}/", self.prefix) };
        format!("s3://{}/{prefix}{}", self.bucket, self.version)
    }
}

impl fmt::Display for RemoteSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.endpoint {
            Some(endpoint) => write!(f, "{} at {endpoint}", self.root_url()),
            None => f.write_str(&self.root_url()),
        }
    }
}

/// `s3://BUCKET/PREFIX` as bucket and prefix.
fn parse_url(url: &str) -> Result<(String, String), String> {
    let rest =
        url.strip_prefix("s3://").ok_or_else(|| format!("remote {url:?} is not an s3://BUCKET/PREFIX address"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
    if bucket.len() < 3 || !bucket.chars().all(valid) {
        return Err(format!("remote {url:?}: {bucket:?} is not a bucket name (3-63 of a-z, 0-9, '-', '.')"));
    }
    Ok((bucket.to_string(), prefix.trim_matches('/').to_string()))
}

/// `THETABENCH_CONFIG`, else `<config dir>/thetabench/config.toml`.
pub fn config_path() -> PathBuf {
    if let Some(path) = std::env::var_os(CONFIG_ENV) {
        return PathBuf::from(path);
    }
    directories::ProjectDirs::from("", "", "thetabench")
        .map(|dirs| dirs.config_dir().join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("thetabench-config.toml"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    remote: Option<RemoteTable>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoteTable {
    url: Option<String>,
    endpoint: Option<String>,
    mode: Option<String>,
    version: Option<String>,
}

impl ConfigFile {
    /// The file at `path`; an absent file is an empty one.
    fn read(path: &Path) -> Result<ConfigFile, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

/// AWS credentials and region, as the AWS tools find them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    pub region: String,
}

impl Credentials {
    /// From `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (`AWS_SESSION_TOKEN`),
    /// else the profile's entries; the region from `AWS_REGION`,
    /// `AWS_DEFAULT_REGION`, the profile, else us-east-1.
    pub fn find() -> Result<Credentials, String> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let home = directories::BaseDirs::new().map(|d| d.home_dir().join(".aws")).unwrap_or_default();
        let profile = env("AWS_PROFILE").unwrap_or_else(|| "default".into());
        let credentials_file = env("AWS_SHARED_CREDENTIALS_FILE").map_or(home.join("credentials"), PathBuf::from);
        let config_file = env("AWS_CONFIG_FILE").map_or(home.join("config"), PathBuf::from);
        let from_profile = ini_section(&credentials_file, &profile);
        let config_section = if profile == "default" { profile.clone() } else { format!("profile {profile}") };
        let from_config = ini_section(&config_file, &config_section);
        let pick = |var: &str, entry: &str| env(var).or_else(|| lookup(&from_profile, entry));
        let (Some(access_key_id), Some(secret_access_key)) =
            (pick("AWS_ACCESS_KEY_ID", "aws_access_key_id"), pick("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"))
        else {
            return Err(format!(
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give profile {profile:?} \
                 keys in {}",
                credentials_file.display()
            ));
        };
        let region = env("AWS_REGION")
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .or_else(|| lookup(&from_config, "region"))
            .unwrap_or_else(|| "us-east-1".into());
        let session_token = pick("AWS_SESSION_TOKEN", "aws_session_token");
        Ok(Credentials { access_key_id, secret_access_key, session_token, region })
    }
}

/// The `key = value` lines of `[section]` in an INI file (empty if absent).
fn ini_section(path: &Path, section: &str) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let mut inside = false;
    let mut entries = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.trim() == section;
        } else if let (true, Some((key, value))) = (inside, line.split_once('=')) {
            entries.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    entries
}

fn lookup(entries: &[(String, String)], key: &str) -> Option<String> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_bucket_and_a_prefix() {
        assert_eq!(parse_url("s3://team-cache/thetabench/").unwrap(), ("team-cache".into(), "thetabench".into()));
        assert_eq!(parse_url("s3://team-cache").unwrap(), ("team-cache".into(), String::new()));
        assert!(parse_url("team-cache/x").unwrap_err().contains("not an s3://"));
        assert!(parse_url("s3://Team_Cache/x").unwrap_err().contains("not a bucket name"));
    }

    #[test]
    fn the_root_carries_the_version() {
        let settings = RemoteSettings {
            bucket: "b1b".into(),
            prefix: "team/cache".into(),
            endpoint: None,
            mode: RemoteMode::Read,
            version: "v2".into(),
        };
        assert_eq!(settings.root_url(), "s3://b1b/team/cache/v2");
        assert_eq!("READ-WRITE".parse::<RemoteMode>().unwrap(), RemoteMode::ReadWrite);
        assert!("write".parse::<RemoteMode>().is_err());
    }

    #[test]
    fn profiles_are_read_from_their_section() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, "[default]\naws_access_key_id = A\n[team]\naws_access_key_id = B\nregion=eu-west-1\n")
            .unwrap();
        assert_eq!(lookup(&ini_section(&path, "team"), "aws_access_key_id").as_deref(), Some("B"));
        assert_eq!(lookup(&ini_section(&path, "default"), "aws_access_key_id").as_deref(), Some("A"));
        assert!(ini_section(&path, "absent").is_empty());
    }
}
