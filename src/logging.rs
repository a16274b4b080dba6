//! Logging: every event to a daily-rolling file (tracing-appender), warnings and
//! errors also to stderr. The returned guard flushes the file when dropped, so
//! `main` holds it for the whole process.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

pub const LOG_FILE_PREFIX: &str = "thetabench.log";
/// Target of the final error a command exits with: logged to the file only,
/// since the command prints it to stderr itself.
pub const EXIT_TARGET: &str = "thetabench::exit";

/// Starts logging into `dir`. `RUST_LOG` overrides the file's level (info).
pub fn init(dir: &Path, stderr_level: tracing::Level) -> std::io::Result<WorkerGuard> {
    std::fs::create_dir_all(dir)?;
    let appender = tracing_appender::rolling::daily(dir, LOG_FILE_PREFIX);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let file_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let file = fmt::layer().with_writer(writer).with_ansi(false).with_filter(file_filter);
    let stderr = fmt::layer().with_writer(std::io::stderr).without_time().with_target(false).with_filter(
        tracing_subscriber::filter::filter_fn(move |meta| {
            *meta.level() <= stderr_level && meta.target() != EXIT_TARGET
        }),
    );
    // A second init in one process (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(file).with(stderr).try_init();
    Ok(guard)
}
