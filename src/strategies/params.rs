//! Strategy parameters from `--param key=value`: typed, defaulted, validated,
//! and every unknown key an error.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use crate::market::Symbol;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("parameter {0:?} is not key=value")]
    Shape(String),
    #[error("parameter {key} given twice")]
    Duplicate { key: String },
    #[error("parameter {key}={value:?}: expected {expected}")]
    Type { key: String, value: String, expected: &'static str },
    #[error("parameter {key}={value}: {why}")]
    Invalid { key: String, value: String, why: String },
    #[error("unknown parameter(s) {unknown} for {strategy}; it takes: {known}")]
    Unknown { strategy: String, unknown: String, known: String },
    #[error(
        "unknown strategy {0:?}; choose one of weekly-momentum, buy-and-hold, sma-cross, or a strategy file (path/to/FILE.py, or NAME for strategies/NAME.py)"
    )]
    Strategy(String),
}

/// Parameters as given, consumed by a strategy's constructor.
#[derive(Debug, Clone, Default)]
pub struct Params {
    given: BTreeMap<String, String>,
    known: BTreeSet<String>,
    /// Every parameter's effective value, defaults included, for the manifest.
    resolved: BTreeMap<String, String>,
}

impl Params {
    pub fn parse<S: AsRef<str>>(pairs: &[S]) -> Result<Params, ParamError> {
        let mut params = Params::default();
        for pair in pairs {
            let pair = pair.as_ref();
            let (key, value) = pair.split_once('=').ok_or_else(|| ParamError::Shape(pair.to_string()))?;
            let key = key.trim().replace('-', "_");
            if params.given.insert(key.clone(), value.trim().to_string()).is_some() {
                return Err(ParamError::Duplicate { key });
            }
        }
        Ok(params)
    }

    /// A typed value, or `default` when not given.
    pub fn get<T: FromStr + ToString>(
        &mut self,
        key: &str,
        default: T,
        expected: &'static str,
    ) -> Result<T, ParamError> {
        self.known.insert(key.to_string());
        let value = match self.given.get(key) {
            None => default,
            Some(raw) => {
                raw.parse().map_err(|_| ParamError::Type { key: key.to_string(), value: raw.clone(), expected })?
            }
        };
        self.resolved.insert(key.to_string(), value.to_string());
        Ok(value)
    }

    /// A comma-separated list of symbols.
    pub fn symbols(&mut self, key: &str, default: &[&str]) -> Result<Vec<Symbol>, ParamError> {
        let joined: String = self.get(key, default.join(","), "comma-separated symbols")?;
        let invalid = |why: String| ParamError::Invalid { key: key.into(), value: joined.clone(), why };
        let symbols = joined
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Symbol::new(s).map_err(|e| invalid(format!("{e}"))))
            .collect::<Result<Vec<Symbol>, ParamError>>()?;
        if symbols.is_empty() {
            return Err(invalid("expected symbols like HOOD,PLTR".into()));
        }
        Ok(symbols)
    }

    pub fn check(&self, key: &str, ok: bool, why: &str) -> Result<(), ParamError> {
        if ok {
            return Ok(());
        }
        let value = self.resolved.get(key).cloned().unwrap_or_default();
        Err(ParamError::Invalid { key: key.to_string(), value, why: why.to_string() })
    }

    /// Ends construction: any given key the strategy did not ask for is an error.
    pub fn finish(self, strategy: &str) -> Result<BTreeMap<String, String>, ParamError> {
        let unknown: Vec<&String> = self.given.keys().filter(|k| !self.known.contains(*k)).collect();
        if !unknown.is_empty() {
            return Err(ParamError::Unknown {
                strategy: strategy.to_string(),
                unknown: unknown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                known: self.known.iter().cloned().collect::<Vec<_>>().join(", "),
            });
        }
        Ok(self.resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_defaults_and_errors() {
        let mut p = Params::parse(&["allocation-pct=0.05", "symbols=hood, pltr"]).unwrap();
        assert_eq!(p.get("allocation_pct", 0.07, "a number").unwrap(), 0.05);
        assert_eq!(p.get("hold_days", 7i64, "whole days").unwrap(), 7);
        assert_eq!(p.symbols("symbols", &["X"]).unwrap(), ["HOOD", "PLTR"]);
        let resolved = p.finish("weekly-momentum").unwrap();
        assert_eq!(resolved["hold_days"], "7");

        let mut bad = Params::parse(&["hold_days=seven"]).unwrap();
        let err = bad.get("hold_days", 7i64, "whole days").unwrap_err();
        assert_eq!(err.to_string(), "parameter hold_days=\"seven\": expected whole days");

        let mut unknown = Params::parse(&["colour=red"]).unwrap();
        unknown.get("hold_days", 7i64, "whole days").unwrap();
        let err = unknown.finish("weekly-momentum").unwrap_err();
        assert!(err.to_string().contains("unknown parameter(s) colour"), "{err}");
        assert!(matches!(Params::parse(&["novalue"]), Err(ParamError::Shape(_))));
        assert!(matches!(Params::parse(&["a=1", "a=2"]), Err(ParamError::Duplicate { .. })));
    }
}
