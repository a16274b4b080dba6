//! Strategies in a child process, spoken to over its stdin and stdout
//! (docs/strategy-protocol.md). thetabench ships the Python side (`sdk`); the
//! engine's rules apply unchanged, because the child only asks questions and
//! submits orders through the same `Context` a built-in strategy uses.

mod affinity;
mod child;
mod questions;
pub mod sdk;
pub mod wire;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};

use self::child::Child;
use self::wire::{Declaration, FromStrategy};
use super::BuildError;
use super::params::ParamType;
use super::params::Params;
use crate::engine::{Context, RunEvent, RunSpec, Sleep, Strategy, StrategyError};

/// The interpreter, unless `THETABENCH_PYTHON` names another.
const PYTHON: &str = "python3";
/// How long a strategy may take over one iteration (and over its start).
pub const DEFAULT_ITERATION_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExternalError {
    #[error("{0} was not found on PATH: strategies in Python need Python 3.9 or later (or set THETABENCH_PYTHON)")]
    NoPython(String),
    #[error("strategy file {0} does not exist")]
    NoFile(String),
    /// The file could not be loaded (a syntax error, no Strategy class, an
    /// exception at import): one line naming file and line.
    #[error("{0}")]
    Load(String),
    /// The strategy raised: its traceback, the user's frames first.
    #[error("{0}")]
    Raised(String),
    #[error("the strategy did not answer within {} s (raise the limit with --iteration-timeout)", .0.as_secs_f64())]
    Timeout(Duration),
    #[error("the strategy process {what} ({status}){}", tail(stderr))]
    Exited { what: String, status: String, stderr: String },
    #[error("the strategy broke the protocol: {0}")]
    Protocol(String),
    #[error("{0}")]
    Io(String),
}

fn tail(stderr: &str) -> String {
    if stderr.is_empty() { String::new() } else { format!("; its last output:\n{stderr}") }
}

impl From<ExternalError> for StrategyError {
    fn from(e: ExternalError) -> StrategyError {
        StrategyError::Failed(e.to_string())
    }
}

/// What a strategy file declares: its name and parameters.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Described {
    pub name: String,
    pub path: PathBuf,
    pub parameters: Vec<Declaration>,
}

/// Whether a `--strategy` value names a file rather than a built-in.
pub fn is_file(name: &str) -> bool {
    name.ends_with(".py") || name.contains(std::path::MAIN_SEPARATOR) || name.contains('/')
}

/// Reads a strategy file's `hello` without starting it.
pub fn describe(path: &Path, timeout: Duration) -> Result<Described, ExternalError> {
    let mut child = spawn(path, &["--describe"], timeout, None)?;
    let (name, parameters) = hello(&mut child)?;
    child.finish();
    Ok(Described { name, path: path.to_path_buf(), parameters })
}

/// A strategy running in a child process.
pub struct ExternalStrategy {
    name: String,
    child: Child,
    parameters: Map<String, Value>,
    sleep: Sleep,
    /// Broker events since the last iteration, as the strategy will get them.
    events: Vec<Value>,
    /// The data questions of the last iteration: the next one answers them up
    /// front, saving a round trip each when they are asked again.
    standing: Vec<Value>,
    buffer: Vec<u8>,
    stopped: bool,
    /// Series declared in `ready`, loaded at the first iteration.
    wants: Vec<wire::Want>,
    /// The CPU the child runs on; the engine thread joins it for the run.
    cpu: Option<usize>,
    pinned: Option<affinity::Pinned>,
}

impl ExternalStrategy {
    /// Starts the file, reads its declarations and checks `params` against
    /// them (the typed values go to the strategy when the run begins).
    pub fn start(path: &Path, params: &mut Params, timeout: Duration) -> Result<ExternalStrategy, BuildError> {
        let cpu = affinity::chosen_cpu();
        let mut child = spawn(path, &[], timeout, cpu)?;
        let (name, declarations) = hello(&mut child)?;
        let parameters = typed_parameters(&declarations, params)?;
        Ok(ExternalStrategy {
            name,
            child,
            parameters,
            sleep: Sleep::EveryMinutes(1),
            events: Vec::new(),
            standing: Vec::new(),
            buffer: Vec::with_capacity(256),
            stopped: false,
            cpu,
            pinned: None,
            wants: Vec::new(),
        })
    }

    fn send(&mut self, message: &impl serde::Serialize) -> Result<(), ExternalError> {
        self.buffer.clear();
        serde_json::to_writer(&mut self.buffer, message).map_err(|e| ExternalError::Io(e.to_string()))?;
        self.child.send(&self.buffer)
    }

    /// The next message; a log line is logged and skipped.
    fn receive(&mut self) -> Result<FromStrategy, ExternalError> {
        loop {
            let line = self.child.receive()?;
            match parse(line)? {
                FromStrategy::Log { level, message } => log(&self.name, &level, &message),
                FromStrategy::Error { message, traceback } => {
                    return Err(ExternalError::Raised(if traceback.is_empty() { message } else { traceback }));
                }
                message => return Ok(message),
            }
        }
    }

    fn iteration(&mut self, ctx: &mut Context<'_>) -> Result<(), ExternalError> {
        for want in std::mem::take(&mut self.wants) {
            questions::load(ctx, &want).map_err(ExternalError::Raised)?;
        }
        let now = ctx.now();
        let positions: Vec<(String, i64, f64)> = ctx
            .portfolio()
            .positions()
            .into_iter()
            .map(|(asset, p)| (wire::asset_name(asset), p.quantity, p.average_cost))
            .collect();
        let orders: Vec<u64> = ctx.open_orders().iter().map(|o| o.id.0).collect();
        let events = std::mem::take(&mut self.events);
        let answers = self.answer_standing(ctx)?;
        let iterate = wire::Iterate {
            op: "iterate",
            now: now.timestamp_millis(),
            et_offset: crate::market::time::et_offset_minutes(now),
            cash: ctx.portfolio().cash(),
            positions: &positions,
            orders: &orders,
            events: &events,
            answers: &answers,
        };
        self.send(&iterate)?;
        self.child.arm();
        loop {
            match self.receive()? {
                FromStrategy::Done { standing } => {
                    self.standing = standing;
                    break;
                }
                message => {
                    self.buffer.clear();
                    questions::answer(ctx, message, &mut self.buffer).map_err(ExternalError::Protocol)?;
                    self.child.send(&self.buffer)?;
                }
            }
        }
        self.child.disarm();
        Ok(())
    }
}

impl ExternalStrategy {
    /// The last iteration's data questions, answered as of now. Data questions
    /// change nothing, so answering one the strategy does not ask again is
    /// only work; one that is not a data question breaks the protocol.
    fn answer_standing(
        &mut self,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<(Value, Box<serde_json::value::RawValue>)>, ExternalError> {
        let standing = std::mem::take(&mut self.standing);
        let mut answers = Vec::with_capacity(standing.len());
        for question in standing {
            let message: FromStrategy = serde_json::from_value(question.clone())
                .map_err(|e| ExternalError::Protocol(format!("standing question {question}: {e}")))?;
            if !message.is_data_question() {
                return Err(ExternalError::Protocol(format!("{question} cannot be a standing question")));
            }
            let mut reply = Vec::new();
            questions::answer(ctx, message, &mut reply).map_err(ExternalError::Protocol)?;
            let reply = String::from_utf8(reply).map_err(|e| ExternalError::Io(e.to_string()))?;
            let reply =
                serde_json::value::RawValue::from_string(reply).map_err(|e| ExternalError::Io(e.to_string()))?;
            answers.push((question, reply));
        }
        Ok(answers)
    }
}

impl Strategy for ExternalStrategy {
    fn name(&self) -> &str {
        &self.name
    }

    fn sleep(&self) -> Sleep {
        self.sleep
    }

    fn begin(&mut self, spec: &RunSpec) -> Result<(), StrategyError> {
        // `begin`, the iterations and `end` run on the engine thread.
        self.pinned = self.cpu.map(affinity::Pinned::current_thread);
        let parameters = std::mem::take(&mut self.parameters);
        let start = wire::Start {
            op: "start",
            parameters: &parameters,
            start: spec.window.start,
            end: spec.window.end,
            cash: spec.cash,
        };
        self.send(&start)?;
        self.child.arm();
        let sleeptime = match self.receive()? {
            FromStrategy::Ready { sleeptime, wants } => {
                self.wants = wants;
                sleeptime
            }
            other => return Err(ExternalError::Protocol(format!("expected ready, got {other:?}")).into()),
        };
        self.child.disarm();
        self.sleep = sleep(&sleeptime).map_err(ExternalError::Load)?;
        Ok(())
    }

    fn iterate(&mut self, ctx: &mut Context<'_>) -> Result<(), StrategyError> {
        Ok(self.iteration(ctx)?)
    }

    fn on_event(&mut self, event: &RunEvent) {
        self.events.extend(wire::event(event));
    }

    fn end(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        if self.send(&serde_json::json!({"op": "stop"})).is_ok() {
            self.child.arm();
            while let Ok(message) = self.receive() {
                if matches!(message, FromStrategy::Stopped) {
                    break;
                }
            }
        }
        self.child.finish();
        self.pinned = None;
    }
}

impl Drop for ExternalStrategy {
    fn drop(&mut self) {
        self.end();
    }
}

fn spawn(path: &Path, extra: &[&str], timeout: Duration, cpu: Option<usize>) -> Result<Child, ExternalError> {
    if !path.is_file() {
        return Err(ExternalError::NoFile(path.display().to_string()));
    }
    let sdk = sdk::install(&sdk_root()).map_err(|e| ExternalError::Io(format!("installing the Python SDK: {e}")))?;
    let python = std::env::var("THETABENCH_PYTHON").unwrap_or_else(|_| PYTHON.to_string());
    let label = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    Child::spawn(&python, &sdk, path, extra, label, timeout, cpu)
}

fn sdk_root() -> PathBuf {
    directories::ProjectDirs::from("", "", "thetabench")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("thetabench"))
        .join("python-sdk")
}

/// Reads the handshake; an error the file raised while loading is one line.
fn hello(child: &mut Child) -> Result<(String, Vec<Declaration>), ExternalError> {
    child.arm();
    let line = child.receive()?;
    let message = parse(line)?;
    child.disarm();
    match message {
        FromStrategy::Hello { protocol, name, parameters } if protocol == wire::PROTOCOL_VERSION => {
            Ok((name, parameters))
        }
        FromStrategy::Hello { protocol, .. } => Err(ExternalError::Protocol(format!(
            "it speaks protocol {protocol}; this thetabench speaks {}",
            wire::PROTOCOL_VERSION
        ))),
        FromStrategy::Error { message, .. } => Err(ExternalError::Load(message)),
        other => Err(ExternalError::Protocol(format!("expected hello, got {other:?}"))),
    }
}

fn parse(line: &str) -> Result<FromStrategy, ExternalError> {
    serde_json::from_str(line).map_err(|e| {
        let shown: String = line.chars().take(120).collect();
        ExternalError::Protocol(format!("{e} in the line {shown:?}"))
    })
}

fn log(name: &str, level: &str, message: &str) {
    match level {
        "error" => tracing::error!(target: "thetabench::strategy", "{name}: {message}"),
        "warn" | "warning" => tracing::warn!(target: "thetabench::strategy", "{name}: {message}"),
        "debug" => tracing::debug!(target: "thetabench::strategy", "{name}: {message}"),
        _ => tracing::info!(target: "thetabench::strategy", "{name}: {message}"),
    }
}

/// `"1D"` → once at the open; `"5M"` → every five minutes; `"2H"` → every 120.
pub fn sleep(sleeptime: &str) -> Result<Sleep, String> {
    let s = sleeptime.trim().to_ascii_uppercase();
    let bad = || format!("sleeptime {sleeptime:?} is not like \"1D\", \"1M\", \"5M\" or \"1H\"");
    let (count, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let count: u32 = if count.is_empty() { 1 } else { count.parse().map_err(|_| bad())? };
    match (count, unit.trim()) {
        (0, _) => Err(bad()),
        (1, "D" | "DAY") => Ok(Sleep::DailyAtOpen),
        (n, "M" | "MIN" | "MINUTE" | "MINUTES" | "") => Ok(Sleep::EveryMinutes(n)),
        (n, "H" | "HOUR" | "HOURS") => Ok(Sleep::EveryMinutes(n * 60)),
        _ => Err(bad()),
    }
}

/// The given `--param` values typed by the file's declarations, defaults filled in.
pub fn typed_parameters(declarations: &[Declaration], params: &mut Params) -> Result<Map<String, Value>, BuildError> {
    let mut typed = Map::new();
    for d in declarations {
        let bad_default =
            || ExternalError::Protocol(format!("parameter {} has a default that is not a {:?}", d.name, d.kind));
        let value = match d.kind {
            ParamType::Int => {
                Value::from(params.get(&d.name, d.default.as_i64().ok_or_else(bad_default)?, "a whole number")?)
            }
            ParamType::Float => {
                Value::from(params.get(&d.name, d.default.as_f64().ok_or_else(bad_default)?, "a number")?)
            }
            ParamType::Bool => {
                Value::from(params.get(&d.name, d.default.as_bool().ok_or_else(bad_default)?, "true or false")?)
            }
            ParamType::Str => {
                Value::from(params.get(&d.name, d.default.as_str().ok_or_else(bad_default)?.to_string(), "text")?)
            }
            ParamType::Symbols => {
                let defaults: Vec<&str> =
                    d.default.as_array().ok_or_else(bad_default)?.iter().filter_map(Value::as_str).collect();
                let symbols = params.symbols(&d.name, &defaults)?;
                Value::from(symbols.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            }
        };
        typed.insert(d.name.clone(), value);
    }
    Ok(typed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeptimes_read_like_lumibot() {
        assert_eq!(sleep("1D"), Ok(Sleep::DailyAtOpen));
        assert_eq!(sleep("1M"), Ok(Sleep::EveryMinutes(1)));
        assert_eq!(sleep("15m"), Ok(Sleep::EveryMinutes(15)));
        assert_eq!(sleep("2H"), Ok(Sleep::EveryMinutes(120)));
        assert!(sleep("0M").is_err());
        assert!(sleep("2D").unwrap_err().contains("\"2D\""));
        assert!(sleep("soon").is_err());
    }

    #[test]
    fn parameters_are_typed_by_their_declarations() {
        let declare =
            |name: &str, kind, default: Value| Declaration { name: name.into(), kind, default, help: String::new() };
        let declarations = [
            declare("fast", ParamType::Int, Value::from(10)),
            declare("pct", ParamType::Float, Value::from(0.5)),
            declare("symbols", ParamType::Symbols, serde_json::json!(["SPY"])),
            declare("loud", ParamType::Bool, Value::from(false)),
        ];
        let mut params = Params::parse(&["fast=12", "symbols=hood,pltr"]).unwrap();
        let typed = typed_parameters(&declarations, &mut params).unwrap();
        assert_eq!(
            Value::Object(typed),
            serde_json::json!({"fast": 12, "pct": 0.5, "symbols": ["HOOD", "PLTR"], "loud": false})
        );

        let mut ill_typed = Params::parse(&["fast=ten"]).unwrap();
        let err = typed_parameters(&declarations, &mut ill_typed).unwrap_err();
        assert_eq!(err.to_string(), "parameter fast=\"ten\": expected a whole number");
    }
}
