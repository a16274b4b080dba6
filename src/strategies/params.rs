//! Strategy parameters from `--param key=value`: typed, defaulted, validated,
//! and every unknown key an error.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::market::Symbol;

/// A parameter a strategy takes: what `thetabench strategies` lists, and what a
/// strategy file declares in its handshake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    pub default: Value,
    #[serde(default)]
    pub help: String,
}

impl Declaration {
    /// The default as `--param` would give it: `10`, `0.07`, `SPY`, `HOOD,PLTR`.
    pub fn default_text(&self) -> String {
        match &self.default {
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    Int,
    Float,
    Str,
    Bool,
    /// A list of symbols, given as `HOOD,PLTR`.
    Symbols,
}

/// A type a parameter may have.
pub trait ParamValue: FromStr + ToString {
    const KIND: ParamType;
    fn json(&self) -> Value;
}

macro_rules! param_value {
    ($kind:ident: $($t:ty),*) => {$(
        impl ParamValue for $t {
            const KIND: ParamType = ParamType::$kind;
            fn json(&self) -> Value {
                Value::from(self.clone())
            }
        }
    )*};
}
param_value!(Int: i64, i32, u64, u32, usize);
param_value!(Float: f64);
param_value!(Bool: bool);
param_value!(Str: String);

impl ParamValue for Symbol {
    const KIND: ParamType = ParamType::Str;
    fn json(&self) -> Value {
        Value::from(self.to_string())
    }
}

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
    #[error("a strategy named {0:?} is already registered")]
    Taken(String),
    #[error(
        "unknown strategy {name:?}; choose one of {choices}, or a strategy file (path/to/FILE.py, or NAME for strategies/NAME.py)"
    )]
    Strategy { name: String, choices: String },
}

/// Parameters as given, consumed by a strategy's constructor.
#[derive(Debug, Clone, Default)]
pub struct Params {
    given: BTreeMap<String, String>,
    known: BTreeSet<String>,
    /// Every parameter's effective value, defaults included, for the manifest.
    resolved: BTreeMap<String, String>,
    /// Every parameter asked for, in the order asked, for listings.
    declared: Vec<Declaration>,
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
    pub fn get<T: ParamValue>(&mut self, key: &str, default: T, expected: &'static str) -> Result<T, ParamError> {
        self.declare(key, T::KIND, default.json(), expected);
        let value = match self.given.get(key) {
            None => default,
            Some(raw) => {
                raw.parse().map_err(|_| ParamError::Type { key: key.to_string(), value: raw.clone(), expected })?
            }
        };
        self.resolved.insert(key.to_string(), value.to_string());
        Ok(value)
    }

    fn declare(&mut self, key: &str, kind: ParamType, default: Value, help: &str) {
        if self.known.insert(key.to_string()) {
            self.declared.push(Declaration { name: key.to_string(), kind, default, help: help.to_string() });
        }
    }

    /// The parameters asked for so far, in order.
    pub fn declarations(&self) -> &[Declaration] {
        &self.declared
    }

    /// A comma-separated list of symbols.
    pub fn symbols(&mut self, key: &str, default: &[&str]) -> Result<Vec<Symbol>, ParamError> {
        let help = "comma-separated symbols";
        self.declare(key, ParamType::Symbols, Value::from(default.to_vec()), help);
        let joined: String = self.get(key, default.join(","), help)?;
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
