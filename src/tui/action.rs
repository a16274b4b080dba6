//! The workbench's vocabulary: commands a key can name, actions `update`
//! applies, and effects it asks the loop to carry out.

use std::path::PathBuf;

use serde::Deserialize;

use super::engine_thread::ControlChange;
use super::model::{CoverageRow, DatasetDetail, DatasetRow, ParityKind, ParityReport, RunSummary};
use crate::engine::{DatasetRead, RunEvent};
use crate::market::conversion::{ConversionCount, ConversionKind};
use crate::run::RunRequest;

/// What a key can be bound to in `keymap.toml`.
/// Declared in the order help lists them: related commands together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Quit,
    Help,
    RunScreen,
    BrowserScreen,
    ParityScreen,
    FocusNext,
    FocusPrevious,
    Up,
    Down,
    PageUp,
    PageDown,
    Back,
    TogglePause,
    Step,
    Faster,
    Slower,
    Restart,
    EditRun,
    DrillConversions,
    ScrubLeft,
    ScrubRight,
    Filter,
    CycleSort,
    Open,
    Verify,
    Evict,
    RecheckPlaceholders,
    Reload,
    ParityBothStores,
    ParityColdWarm,
    /// Compare the last run with the one before it.
    ParityPrevious,
    /// Delete the selected saved run (asked twice).
    DeleteRun,
    /// Name the selected saved run.
    RenameRun,
    /// Type a date to show a dataset's rows from.
    JumpToDate,
    /// The focused pane takes the whole screen, or gives it back.
    Maximize,
    /// The cursor a week (five sessions) back or on.
    ScrubWeekBack,
    ScrubWeekOn,
    /// The cursor to the next session with a fill.
    NextTrade,
    /// Write the finished run's equity and drawdown as an SVG in its directory.
    ExportSvg,
    /// Copy the finished run's directory path to the clipboard (OSC 52).
    CopyRunPath,
}

impl Command {
    pub fn switches_screen(self) -> bool {
        matches!(self, Command::RunScreen | Command::BrowserScreen | Command::ParityScreen)
    }

    /// The words the help overlay and the key bar show.
    pub fn describe(self) -> &'static str {
        match self {
            Command::Quit => "quit",
            Command::Help => "help",
            Command::RunScreen => "run",
            Command::BrowserScreen => "cache browser",
            Command::ParityScreen => "parity",
            Command::FocusNext => "next pane",
            Command::FocusPrevious => "previous pane",
            Command::Up => "up",
            Command::Down => "down",
            Command::PageUp => "page up",
            Command::PageDown => "page down",
            Command::Back => "back / close",
            Command::TogglePause => "start / pause",
            Command::Step => "single step",
            Command::Faster => "faster",
            Command::Slower => "slower",
            Command::Restart => "run again",
            Command::EditRun => "edit the run",
            Command::DrillConversions => "conversions by site",
            Command::ScrubLeft => "cursor left",
            Command::ScrubRight => "cursor right",
            Command::Filter => "filter",
            Command::CycleSort => "sort",
            Command::Open => "open / choose",
            Command::Verify => "verify",
            Command::Evict => "evict",
            Command::RecheckPlaceholders => "recheck placeholders",
            Command::Reload => "reload",
            Command::ParityBothStores => "run both stores now",
            Command::ParityColdWarm => "cold vs warm now",
            Command::ParityPrevious => "vs previous run",
            Command::DeleteRun => "delete run",
            Command::RenameRun => "name run",
            Command::JumpToDate => "rows from a date",
            Command::Maximize => "maximize / restore pane",
            Command::ScrubWeekBack => "cursor a week back",
            Command::ScrubWeekOn => "cursor a week on",
            Command::NextTrade => "cursor: next trade",
            Command::ExportSvg => "export the chart (SVG)",
            Command::CopyRunPath => "copy the run's path",
        }
    }
}

/// Everything that changes the state.
#[derive(Debug, Clone)]
pub enum Action {
    Command(Command),
    /// A character typed into the active text field.
    Input(char),
    Backspace,
    /// A press of a mouse button, and when it came (two on one cell in
    /// quick succession are a double click).
    Click {
        column: u16,
        row: u16,
        at: std::time::Instant,
    },
    Scroll {
        column: u16,
        row: u16,
        down: bool,
    },
    Resize {
        width: u16,
        height: u16,
    },
    Tick,
    /// The data source answered (or the simulated one started).
    SourceReady {
        description: String,
    },
    SourceFailed(String),
    Run(RunEvent),
    RunFinished {
        summary: RunSummary,
    },
    RunFailed(String),
    ConversionSites(Vec<(ConversionKind, String, ConversionCount)>),
    Coverage(Vec<CoverageRow>),
    Log(Vec<String>),
    /// The running data stack's counters, read at a tick.
    LiveMetrics(crate::metrics::MetricsSnapshot),
    Datasets(Result<Vec<DatasetRow>, String>),
    Detail(Result<Box<DatasetDetail>, String>),
    Evicted(Result<String, String>),
    /// The outcome of asking the terminal again about a dataset's placeholder days.
    Rechecked {
        sidecar: PathBuf,
        outcome: Result<String, String>,
    },
    SavedRuns(Vec<super::model::SavedRun>),
    /// Every strategy the form can offer, files included.
    Strategies(Vec<crate::strategies::Listing>),
    /// When the running strategy's file was last modified.
    StrategyFile {
        path: PathBuf,
        modified: Option<std::time::SystemTime>,
    },
    ParityDone(Result<Box<ParityReport>, String>),
}

/// Work `update` asks for. The loop carries it out (quitting, engine controls and
/// the conversion sites at once, the rest off the UI task); all but quitting and
/// the controls answer with an `Action` (a run, through the engine's events).
#[derive(Debug, Clone)]
pub enum Effect {
    Quit,
    StartRun(RunRequest),
    /// Pause/resume/step/pace/cancel go to the engine thread's control block.
    Control(ControlChange),
    LoadConversionSites,
    /// The coverage of the datasets the run reads, each against its window.
    LoadCoverage(Vec<DatasetRead>),
    LoadDatasets,
    VerifyAll,
    /// One dataset's detail with a page of its rows.
    LoadDetail(PathBuf, super::model::RowsFrom),
    Evict(PathBuf),
    /// Ask the terminal again about the placeholder days of the dataset whose sidecar this is.
    RecheckPlaceholders(PathBuf),
    LoadSavedRuns,
    Parity(ParityKind),
    /// List the strategies (the compiled-in ones and the files found, plus
    /// this file when it is elsewhere).
    LoadStrategies(Option<PathBuf>),
    /// Look at when a strategy file was last modified.
    WatchStrategy(PathBuf),
    /// Remove a saved run's directory, then list the runs again.
    DeleteRun(PathBuf),
    /// Give a saved run a name (its `name.txt`), then list the runs again.
    RenameRun {
        dir: PathBuf,
        name: String,
    },
    /// Write `svg` to `path` and say where in the log.
    WriteSvg {
        path: PathBuf,
        svg: String,
    },
    /// Put `text` on the clipboard through the terminal.
    CopyToClipboard(String),
}
