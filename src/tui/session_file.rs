//! Session files: the TOML a workbench session starts from
//! (see `assets/demo-session.toml`). Every field has the demo's default.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::cache::Window;
use crate::data::StoreKind;
use crate::engine::Account;
use crate::run::RunRequest;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionFile {
    pub strategy: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub cash: f64,
    pub store: StoreKind,
    pub account: Account,
    pub params: Vec<String>,
}

impl Default for SessionFile {
    /// The demo session ([`RunRequest::demo`]).
    fn default() -> SessionFile {
        let demo = RunRequest::demo();
        SessionFile {
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

impl SessionFile {
    pub fn parse(text: &str) -> anyhow::Result<SessionFile> {
        Ok(toml::from_str(text)?)
    }

    /// The run it describes; bad strategy names and parameters are refused here.
    pub fn request(self) -> anyhow::Result<RunRequest> {
        crate::strategies::build(&self.strategy, &self.params)?;
        Ok(RunRequest {
            strategy: self.strategy,
            params: self.params,
            window: Window::new(self.start, self.end)?,
            cash: self.cash,
            store: self.store,
            account: self.account,
        })
    }
}

pub fn load(path: &Path) -> anyhow::Result<RunRequest> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    SessionFile::parse(&text).and_then(SessionFile::request).map_err(|e| anyhow::anyhow!("{}: {e:#}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_session_file_is_the_default_session() {
        let file = SessionFile::parse(include_str!("../../assets/demo-session.toml")).unwrap();
        let request = file.request().unwrap();
        let default = SessionFile::default().request().unwrap();
        assert_eq!(format!("{request:?}"), format!("{default:?}"));
        assert!(SessionFile::parse("strategy = \"x\"\ncolour = 1").is_err());
        assert!(SessionFile::parse("strategy = \"nope\"").unwrap().request().is_err());
    }
}
