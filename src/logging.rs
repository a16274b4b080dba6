//! Logging: every event to a daily-rolling file (tracing-appender), plus one
//! console layer chosen by the caller: warnings on stderr for commands, a ring
//! buffer for the workbench (which must not scribble over its own screen). The
//! returned guard flushes the file when dropped, so `main` holds it.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, Layer, Registry, fmt};

pub const LOG_FILE_PREFIX: &str = "thetabench.log";
/// Target of the final error a command exits with: logged to the file only,
/// since the command prints it to stderr itself.
pub const EXIT_TARGET: &str = "thetabench::exit";

pub type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// Starts logging into `dir` plus `console`. `RUST_LOG` overrides the file's
/// level (info). When no log file can be made there (a missing parent it may
/// not create, a read-only disk), the console layer still starts and the
/// error says why, so the caller can warn and go on.
pub fn init(dir: &Path, console: BoxedLayer) -> Result<WorkerGuard, String> {
    let (layers, outcome) = match file_layer(dir) {
        Ok((file, guard)) => (vec![file, console], Ok(guard)),
        Err(e) => (vec![console], Err(e)),
    };
    // A second init in one process (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(layers).try_init();
    outcome
}

fn file_layer(dir: &Path) -> Result<(BoxedLayer, WorkerGuard), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .build(dir)
        .map_err(|e| e.to_string())?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let file_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    Ok((fmt::layer().with_writer(writer).with_ansi(false).with_filter(file_filter).boxed(), guard))
}

/// Events at `level` or above on stderr, except the exit error commands print
/// themselves and the client's retries (they are in the log file; the command
/// reports the outcome).
pub fn stderr(level: tracing::Level) -> BoxedLayer {
    use std::io::IsTerminal;
    fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .with_target(false)
        .with_filter(tracing_subscriber::filter::filter_fn(move |meta| {
            *meta.level() <= level
                && meta.target() != EXIT_TARGET
                && !meta.target().starts_with("thetabench::thetadata")
        }))
        .boxed()
}
