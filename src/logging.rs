//! Logging: every event to a daily-rolling file (tracing-appender), plus one
//! console layer chosen by the caller: warnings on stderr for commands, a ring
//! buffer for the workbench (which must not scribble over its own screen). The
//! returned guard flushes the file when dropped, so `main` holds it.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, Layer, Registry, fmt};

pub const LOG_FILE_PREFIX: &str = "thetabench.log";
/// Target of the final error a command exits with: logged to the file only,
/// since the command prints it to stderr itself.
pub const EXIT_TARGET: &str = "thetabench::exit";

pub type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// Starts logging into `dir` plus `console`. `RUST_LOG` overrides the file's level (info).
pub fn init(dir: &Path, console: BoxedLayer) -> std::io::Result<WorkerGuard> {
    std::fs::create_dir_all(dir)?;
    let appender = tracing_appender::rolling::daily(dir, LOG_FILE_PREFIX);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let file_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let file = fmt::layer().with_writer(writer).with_ansi(false).with_filter(file_filter).boxed();
    // A second init in one process (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(vec![file, console]).try_init();
    Ok(guard)
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
