//! The strategies thetabench ships, and the registry the commands build them from.

pub mod buy_and_hold;
pub mod external;
pub mod params;
pub mod sma_cross;
pub mod weekly_momentum;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::Duration;

pub use external::{DEFAULT_ITERATION_TIMEOUT, ExternalError};
pub use params::{ParamError, Params};

use crate::engine::{FeeModel, Strategy};

/// Builds one strategy from its parameters: it asks `params` for each value it
/// takes (typed, with a default and help), which is also how it is listed.
pub type Make = fn(&mut Params) -> Result<Box<dyn Strategy + Send>, ParamError>;

/// Every strategy thetabench ships, by name, the default first: the one list
/// the commands and the workbench read.
const REGISTRY: [(&str, Make); 3] = [
    (weekly_momentum::WeeklyMomentum::NAME, |p| Ok(Box::new(weekly_momentum::WeeklyMomentum::new(p)?))),
    (buy_and_hold::BuyAndHold::NAME, |p| Ok(Box::new(buy_and_hold::BuyAndHold::new(p)?))),
    (sma_cross::SmaCross::NAME, |p| Ok(Box::new(sma_cross::SmaCross::new(p)?))),
];

/// Strategies a program built on thetabench added (see `examples/custom_strategy.rs`).
static REGISTERED: RwLock<Vec<(&'static str, Make)>> = RwLock::new(Vec::new());

/// Adds a Rust strategy beside the built-ins, for every command and the
/// workbench; call it before `thetabench::cli::main`. A name already taken is
/// refused.
pub fn register(name: &'static str, make: Make) -> Result<(), ParamError> {
    let mut registered = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
    if REGISTRY.iter().chain(registered.iter()).any(|(n, _)| *n == name) {
        return Err(ParamError::Taken(name.to_string()));
    }
    registered.push((name, make));
    Ok(())
}

/// Every compiled-in strategy, the default first, then the registered ones.
fn compiled() -> Vec<(&'static str, Make)> {
    let registered = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
    REGISTRY.iter().chain(registered.iter()).copied().collect()
}

/// Every compiled-in strategy's name, the default first.
pub fn names() -> Vec<&'static str> {
    compiled().into_iter().map(|(name, _)| name).collect()
}

/// A strategy ready to run, with its fee model and resolved parameters.
pub struct Built {
    pub strategy: Box<dyn Strategy + Send>,
    pub fees: FeeModel,
    pub params: BTreeMap<String, String>,
}

/// Building a strategy fails in two ways: its parameters (a usage error) or,
/// for a strategy file, the file and its process.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Params(#[from] ParamError),
    #[error(transparent)]
    External(#[from] ExternalError),
}

/// Where a strategy comes from: compiled in, or a file run in a child process.
enum Source {
    BuiltIn(Make),
    File(PathBuf),
}

/// A built-in by name; a path (anything ending `.py` or holding a `/`); or a
/// file `<name>.py` in one of the [`search_dirs`].
fn resolve(name: &str) -> Result<Source, ParamError> {
    if external::is_file(name) {
        return Ok(Source::File(PathBuf::from(name)));
    }
    if let Some((_, make)) = compiled().into_iter().find(|(n, _)| *n == name) {
        return Ok(Source::BuiltIn(make));
    }
    search_dirs()
        .into_iter()
        .map(|dir| dir.join(format!("{name}.py")))
        .find(|path| path.is_file())
        .map(Source::File)
        .ok_or_else(|| ParamError::Strategy { name: name.to_string(), choices: names().join(", ") })
}

/// Where strategy files are looked for by name: `./strategies/`, then
/// `<config dir>/thetabench/strategies/`.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("strategies")];
    if let Some(project) = directories::ProjectDirs::from("", "", "thetabench") {
        dirs.push(project.config_dir().join("strategies"));
    }
    dirs
}

/// The strategy files in the [`search_dirs`], sorted by path.
pub fn files() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = search_dirs()
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flat_map(|entries| entries.filter_map(Result::ok).map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "py") && path.is_file())
        .collect();
    found.sort();
    found
}

/// The parameters every strategy takes: thetabench's own, not the strategy's.
fn fee_model(params: &mut Params) -> Result<FeeModel, ParamError> {
    let fee_pct: f64 = params.get("fee_pct", 0.001, "a fraction of notional such as 0.001")?;
    params.check("fee_pct", (0.0..0.1).contains(&fee_pct), "must be in [0, 0.1)")?;
    Ok(FeeModel::percent(fee_pct))
}

/// Builds a strategy from `key=value` parameters; a strategy file starts its
/// process here (answers are awaited for at most `timeout`).
pub fn build(name: &str, pairs: &[String], timeout: Duration) -> Result<Built, BuildError> {
    let mut params = Params::parse(pairs)?;
    let fees = fee_model(&mut params)?;
    let (strategy, label): (Box<dyn Strategy + Send>, String) = match resolve(name)? {
        Source::BuiltIn(make) => (make(&mut params)?, name.to_string()),
        Source::File(path) => {
            let strategy = external::ExternalStrategy::start(&path, &mut params, timeout)?;
            let label = strategy.name().to_string();
            (Box::new(strategy), label)
        }
    };
    let params = params.finish(&label)?;
    Ok(Built { strategy, fees, params })
}

/// Checks a strategy name and its parameters without starting it. A strategy
/// file's declarations are `known` when its listing has been read (the
/// workbench), else the file is asked for them (a short-lived process).
pub fn check(name: &str, pairs: &[String], known: Option<&[params::Declaration]>) -> Result<(), BuildError> {
    let mut params = Params::parse(pairs)?;
    fee_model(&mut params)?;
    let label = match resolve(name)? {
        Source::BuiltIn(make) => {
            make(&mut params)?;
            name.to_string()
        }
        Source::File(path) => {
            let described = match known {
                Some(_) if !path.is_file() => return Err(ExternalError::NoFile(path.display().to_string()).into()),
                Some(parameters) => {
                    external::Described { name: name.to_string(), path, parameters: parameters.to_vec() }
                }
                None => external::describe(&path, DEFAULT_ITERATION_TIMEOUT)?,
            };
            external::typed_parameters(&described.parameters, &mut params)?;
            described.name
        }
    };
    params.finish(&label)?;
    Ok(())
}

/// A strategy file's declarations, for listings.
pub fn describe_file(path: &Path) -> Result<external::Described, ExternalError> {
    external::describe(path, DEFAULT_ITERATION_TIMEOUT)
}

/// One strategy as `thetabench strategies` lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listing {
    pub name: String,
    /// `built-in`, or the file it is read from.
    pub source: String,
    pub parameters: Vec<params::Declaration>,
    /// Why a file could not be read (then `parameters` is empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Every built-in strategy, then every strategy file in the [`search_dirs`]
/// (each file asked for its declarations; one that fails is listed with why).
pub fn list() -> Vec<Listing> {
    let mut listings = compiled_listings();
    listings.extend(file_listings(&files()));
    listings
}

/// The compiled-in strategies, without starting anything.
pub fn compiled_listings() -> Vec<Listing> {
    compiled()
        .into_iter()
        .map(|(name, make)| {
            let mut params = Params::default();
            // With no parameters given every default is valid: only the declarations matter here.
            let _ = make(&mut params).and_then(|_| fee_model(&mut params));
            Listing {
                name: name.to_string(),
                source: BUILT_IN.into(),
                parameters: params.declarations().to_vec(),
                error: None,
            }
        })
        .collect()
}

/// Each file's declarations (its process started with `--describe`).
pub fn file_listings(paths: &[PathBuf]) -> Vec<Listing> {
    paths
        .iter()
        .map(|path| match describe_file(path) {
            Ok(described) => {
                let mut own = Params::default();
                let _ = fee_model(&mut own);
                let parameters = described.parameters.into_iter().chain(own.declarations().iter().cloned()).collect();
                Listing { name: described.name, source: path.display().to_string(), parameters, error: None }
            }
            Err(e) => Listing {
                name: path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
                source: path.display().to_string(),
                parameters: Vec::new(),
                error: Some(e.to_string()),
            },
        })
        .collect()
}

/// `Listing::source` of a compiled-in strategy.
pub const BUILT_IN: &str = "built-in";

impl Listing {
    /// What `--strategy` takes to run it: the name, or the file's path.
    pub fn strategy(&self) -> &str {
        if self.source == BUILT_IN { &self.name } else { &self.source }
    }
}

/// The file a `--strategy` value runs, if it names one (a path, or a name
/// found in the [`search_dirs`]); `None` for a compiled-in strategy.
pub fn file_of(name: &str) -> Option<PathBuf> {
    match resolve(name) {
        Ok(Source::File(path)) => Some(path),
        _ => None,
    }
}
