//! The workbench: a terminal UI over a backtest as it runs, the cache, and
//! parity between runs. Elm-shaped: one `State`, `update` returns effects,
//! `view` draws; `app` runs the loop and the effects.

pub mod action;
mod app;
mod effects;
pub mod fixtures;
pub mod keymap;
pub mod log_buffer;
pub mod runner;
pub mod session_file;
pub mod state;
pub mod theme;
pub mod ui;

#[cfg(test)]
mod tests;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};

use crate::session::{Session, SessionOptions};

#[derive(Debug, Clone, clap::Args)]
pub struct TuiArgs {
    /// A session file (TOML): strategy, start, end, cash, store, params
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// Colour theme: dark, light, high-contrast, or one in <config dir>/themes
    #[arg(long, value_name = "NAME", default_value = "dark")]
    pub theme: String,
}

impl Default for TuiArgs {
    /// The demo session in the dark theme, as a bare `thetabench` starts.
    fn default() -> TuiArgs {
        TuiArgs { session: None, theme: "dark".into() }
    }
}

/// Opens the workbench on a terminal; elsewhere runs the same session headless
/// and prints its summary. `main` gives `logging::init` the [`log_buffer::layer`]
/// when stdout is a terminal, so no log line lands on the screen.
pub async fn run(options: SessionOptions, args: TuiArgs, log_dir: PathBuf) -> anyhow::Result<ExitCode> {
    let request = match &args.session {
        Some(path) => session_file::load(path)?,
        None => session_file::SessionFile::default().request()?,
    };
    if !std::io::stdout().is_terminal() {
        return headless(options, request).await;
    }
    let theme = theme::Theme::load(&args.theme)?;
    let keymap = keymap::Keymap::load()?;
    let state = state::State::new(keymap, request);
    tracing::info!("workbench started; logs in {}", log_dir.display());
    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal.size()?;
    let mut state = state;
    state.width = size.width;
    state.height = size.height;
    let outcome = app::run_loop(&mut guard.terminal, state, theme, options).await;
    drop(guard);
    outcome.map(|()| ExitCode::SUCCESS)
}

/// The demo session without a screen: run it and print what `thetabench run` prints.
async fn headless(options: SessionOptions, request: crate::run::RunRequest) -> anyhow::Result<ExitCode> {
    let session = Session::open(&options).await?;
    let cache =
        runner::fresh_cache(&options.cache_dir, &session.source.url(), options.tier).map_err(anyhow::Error::msg)?;
    let source = session.source.describe();
    let dir = crate::run::runs_dir().join(format!(
        "{}-headless-{}",
        request.strategy,
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
    ));
    let (summary_request, summary_dir) = (request.clone(), dir.clone());
    let dir = tokio::task::spawn_blocking(move || runner::run_to_dir(cache, &summary_request, &summary_dir, &source))
        .await
        .context("the engine thread failed")?
        .map_err(anyhow::Error::msg)?;
    let stats: crate::run::artifacts::Stats =
        serde_json::from_str(&std::fs::read_to_string(dir.join(crate::run::artifacts::STATS))?)?;
    let p = &stats.performance;
    println!(
        "{} {}..{}: final value {:.2} ({:+.2}%), max drawdown {:.2}%, Sharpe {:.2}, {} trades",
        request.strategy,
        request.window.start,
        request.window.end,
        p.final_value,
        p.total_return * 100.0,
        p.max_drawdown * 100.0,
        p.sharpe,
        p.trades
    );
    println!(
        "cache: {} hits, {} misses ({:.0}% hit ratio), {} network requests; source: {}",
        stats.cache_hits,
        stats.cache_misses,
        stats.hit_ratio * 100.0,
        stats.network_requests,
        session.source.describe()
    );
    println!("run directory: {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

type CrosstermTerminal = ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::Stdout>>;

/// Raw mode, the alternate screen and mouse capture, undone on drop and on panic.
struct TerminalGuard {
    terminal: CrosstermTerminal,
}

impl TerminalGuard {
    fn enter() -> anyhow::Result<TerminalGuard> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        enable_raw_mode().context("switching the terminal to raw mode")?;
        let entered = execute!(std::io::stdout(), EnterAlternateScreen, EnableMouseCapture);
        if let Err(e) = entered {
            restore();
            return Err(e).context("entering the alternate screen");
        }
        let backend = ratatui::backend::CrosstermBackend::new(std::io::stdout());
        match ratatui::Terminal::new(backend) {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e.into())
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = self.terminal.show_cursor();
        restore();
    }
}

/// Puts the terminal back as the shell expects it; safe to call more than once.
fn restore() {
    let _ = execute!(std::io::stdout(), DisableMouseCapture, LeaveAlternateScreen, crossterm::cursor::Show);
    let _ = disable_raw_mode();
}
