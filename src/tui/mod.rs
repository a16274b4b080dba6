//! The workbench: a terminal UI over a backtest as it runs, the cache, and
//! parity between runs. Elm-shaped: one `State`, `update` returns effects,
//! `view` draws; `app` runs the loop and the effects.
//!
//! Imports point one way: `ui` (drawing) reads `state`; `state` (update) reads
//! `action` and `model` (the plain data actions and effects carry); `layout`
//! (pane geometry and the `Pane`s) is a leaf both `state` and `ui` read.
//! `tests/layers.rs` checks it.

pub mod action;
mod app;
mod effects;
pub mod engine_thread;
pub mod export;
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures;
pub mod keymap;
pub mod layout;
pub mod log_buffer;
pub mod model;
pub mod run_file;
pub mod state;
pub mod theme;
pub mod ui;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};

use crate::stack::StackOptions;

#[derive(Debug, Clone, clap::Args)]
pub struct TuiArgs {
    /// A run file (TOML): strategy, start, end, cash, store, account, params
    /// (`--session` is the old name)
    #[arg(long = "run", value_name = "FILE", alias = "session")]
    pub run_file: Option<PathBuf>,
    /// Colour theme: dark, light, high-contrast, or one in <config dir>/themes
    #[arg(long, value_name = "NAME", default_value = "dark")]
    pub theme: String,
}

impl Default for TuiArgs {
    /// The demo run in the dark theme, as a bare `thetabench` starts.
    fn default() -> TuiArgs {
        TuiArgs { run_file: None, theme: "dark".into() }
    }
}

/// The backtest the workbench opens on: the run file's, or the demo.
pub fn run_file_request(args: &TuiArgs) -> anyhow::Result<crate::run::RunRequest> {
    match &args.run_file {
        Some(path) => run_file::load(path),
        None => run_file::RunFile::default().request(),
    }
}

/// Opens the workbench; the caller has checked that stdout is a terminal and
/// given `logging::init` the [`log_buffer::layer`], so no log line lands on the screen.
pub async fn run(options: StackOptions, args: TuiArgs, log_dir: PathBuf) -> anyhow::Result<ExitCode> {
    let request = run_file_request(&args)?;
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
