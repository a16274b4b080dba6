//! Run files: the TOML describing the backtest a workbench opens on
//! (see `assets/demo-run.toml`). Every field has the demo run's default.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::cache::Window;
use crate::data::RepresentationKind;
use crate::engine::Account;
use crate::run::RunRequest;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunFile {
    pub strategy: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub cash: f64,
    pub store: RepresentationKind,
    pub account: Account,
    pub params: Vec<String>,
}

impl Default for RunFile {
    /// The demo run ([`RunRequest::demo`]).
    fn default() -> RunFile {
        let demo = RunRequest::demo();
        RunFile {
            strategy: demo.strategy,
            start: demo.window.start,
            end: demo.window.end,
            cash: demo.cash,
            store: demo.store,
            account: demo.account,
            params: demo.params,
        }
    }
}

impl RunFile {
    pub fn parse(text: &str) -> anyhow::Result<RunFile> {
        Ok(toml::from_str(text)?)
    }

    /// The run it describes; bad strategy names and parameters are refused here.
    pub fn request(self) -> anyhow::Result<RunRequest> {
        crate::strategies::check(&self.strategy, &self.params, None)?;
        Ok(RunRequest {
            strategy: self.strategy,
            params: self.params,
            window: Window::new(self.start, self.end)?,
            cash: self.cash,
            store: self.store,
            account: self.account,
            iteration_timeout: crate::strategies::DEFAULT_ITERATION_TIMEOUT,
        })
    }
}

pub fn load(path: &Path) -> anyhow::Result<RunRequest> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    RunFile::parse(&text).and_then(RunFile::request).map_err(|e| anyhow::anyhow!("{}: {e:#}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_run_file_is_the_default_run() {
        let file = RunFile::parse(include_str!("../../assets/demo-run.toml")).unwrap();
        let request = file.request().unwrap();
        let default = RunFile::default().request().unwrap();
        assert_eq!(format!("{request:?}"), format!("{default:?}"));
        assert!(RunFile::parse("strategy = \"x\"\ncolour = 1").is_err());
        assert!(RunFile::parse("strategy = \"nope\"").unwrap().request().is_err());
    }
}
