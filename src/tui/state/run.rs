//! The run screen's state: one backtest as it runs, built from its events.

use chrono::{DateTime, Utc};

use crate::engine::{DatasetRead, RunEvent};
use crate::market::Asset;
use crate::market::conversion::{ConversionCount, ConversionKind};
use crate::metrics::MetricsSnapshot;
use crate::run::RunRequest;
use crate::tui::action::{Action, Command, Effect};
use crate::tui::engine_thread::ControlChange;
use crate::tui::layout::{Pane, RunAreas};
use crate::tui::model::{CoverageRow, RunSummary};

/// Paces the `+`/`-` keys step through, in trading days per second; `None` is full speed.
pub const PACES: [Option<f64>; 6] = [Some(1.0), Some(2.0), Some(5.0), Some(10.0), Some(25.0), None];
/// Order and fill lines kept.
const ORDER_LINES: usize = 500;
/// Ticks between coverage refreshes while a run is live.
const COVERAGE_EVERY: u64 = 4;
/// Ticks between looks at the strategy file's modification time.
const WATCH_EVERY: u64 = 4;

/// `/` on the run screen: the orders and the log show only the lines holding
/// `text` (any case) while it is set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Search {
    pub text: String,
    /// Keys go to `text` (enter keeps the search, esc clears it).
    pub typing: bool,
}

impl Search {
    /// Whether `line` passes: every line when there is no search.
    pub fn keeps(&self, line: &str) -> bool {
        self.text.is_empty() || line.to_lowercase().contains(&self.text.to_lowercase())
    }
}

/// The strategy file of the run on screen, watched for edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Watched {
    pub path: std::path::PathBuf,
    /// Its modification time when first looked at; `None` until then.
    baseline: Option<Option<std::time::SystemTime>>,
    /// It changed since: `r` runs the new code.
    pub changed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RunStatus {
    /// Waiting for the data source before the first run.
    Connecting,
    Running,
    Finished(RunSummary),
    Failed(String),
}

/// One held position as the engine valued it.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionRow {
    pub asset: Asset,
    pub quantity: i64,
    pub average_cost: f64,
    pub mark: f64,
    pub value: f64,
    pub unrealized: f64,
    pub days_to_expiry: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct RunView {
    pub request: RunRequest,
    pub status: RunStatus,
    pub paused: bool,
    pub pace: Option<f64>,
    pub progress: (usize, usize),
    pub now: Option<DateTime<Utc>>,
    pub cash: f64,
    pub total: f64,
    /// From the broker's valuation at the last close (see `engine::account`).
    pub buying_power: f64,
    pub margin_used: f64,
    pub positions: Vec<PositionRow>,
    /// The positions at each equity point, so the cursor can show them.
    pub position_history: Vec<Vec<PositionRow>>,
    /// Sessions (ET) with a fill, for "to the next trade".
    pub fill_days: std::collections::BTreeSet<chrono::NaiveDate>,
    pub equity: Vec<(DateTime<Utc>, f64)>,
    pub metrics: MetricsSnapshot,
    /// Hit ratio in percent at each session close.
    pub hit_history: Vec<u64>,
    pub drill: bool,
    pub sites: Vec<(ConversionKind, String, ConversionCount)>,
    pub coverage: Vec<CoverageRow>,
    /// The datasets the run reads, from its `DatasetsRead` events.
    pub datasets: Vec<DatasetRead>,
    pub orders: Vec<String>,
    pub orders_scroll: usize,
    /// The first coverage row shown.
    pub coverage_scroll: usize,
    pub focus: Pane,
    /// An index into `equity` once the run is over.
    pub scrub: Option<usize>,
    /// The focused pane takes the whole screen (`z` toggles).
    pub maximized: bool,
    pub search: Search,
    /// The strategy file, when the run's strategy is one.
    pub watched: Option<Watched>,
    /// The directory of the run before this one, for "this run vs the previous".
    pub previous_dir: Option<std::path::PathBuf>,
    ticks: u64,
}

impl RunView {
    pub fn new(request: RunRequest) -> RunView {
        RunView {
            cash: request.cash,
            total: request.cash,
            buying_power: request.cash,
            margin_used: 0.0,
            request,
            status: RunStatus::Connecting,
            paused: false,
            pace: None,
            progress: (0, 0),
            now: None,
            positions: vec![],
            position_history: vec![],
            fill_days: Default::default(),
            equity: vec![],
            metrics: MetricsSnapshot::default(),
            hit_history: vec![],
            drill: false,
            sites: vec![],
            coverage: vec![],
            datasets: vec![],
            orders: vec![],
            orders_scroll: 0,
            coverage_scroll: 0,
            focus: Pane::Equity,
            scrub: None,
            maximized: false,
            search: Search::default(),
            watched: None,
            previous_dir: None,
            ticks: 0,
        }
    }

    /// What the data stack is doing now, for the status line: the dataset
    /// being fetched with its progress, or a terminal that refuses connections.
    pub fn activity(&self) -> Option<(String, bool)> {
        if !self.running() {
            return None;
        }
        if let Some(refused) = self.metrics.errors.get("connect").filter(|n| **n > 0) {
            let attempts = if *refused == 1 { "1 attempt".to_string() } else { format!("{refused} attempts") };
            return Some((format!("the terminal refuses connections ({attempts}): is it running?"), true));
        }
        let f = self.metrics.fetching.first()?;
        let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"][(self.ticks % 10) as usize];
        let more = self.metrics.fetching.len() - 1;
        let more = if more > 0 { format!(" (+{more} more)") } else { String::new() };
        let in_flight = self.metrics.in_flight;
        Some((
            format!("{spinner} fetching {}{more} · {}/{} days · {in_flight} in flight", f.dataset, f.done, f.days),
            false,
        ))
    }

    /// The saved directory of the run on screen, once it has finished.
    pub fn finished_dir(&self) -> Option<&std::path::PathBuf> {
        match &self.status {
            RunStatus::Finished(summary) => summary.run_dir.as_ref(),
            _ => None,
        }
    }

    /// The previous run and this one, both finished and saved.
    pub fn last_two_runs(&self) -> Option<(std::path::PathBuf, std::path::PathBuf)> {
        Some((self.previous_dir.clone()?, self.finished_dir()?.clone()))
    }

    pub fn strategy_changed(&self) -> bool {
        self.watched.as_ref().is_some_and(|w| w.changed)
    }

    /// Clears the last run and asks for a new one: `requested` (the run
    /// form's request), or the last request again when the form is not a valid run.
    pub fn start(&mut self, requested: Result<RunRequest, String>) -> Vec<Effect> {
        let request = requested.unwrap_or_else(|_| self.request.clone());
        let (paused, pace, focus, maximized) = (self.paused, self.pace, self.focus, self.maximized);
        let previous_dir = self.finished_dir().cloned().or(self.previous_dir.take());
        *self = RunView { paused, pace, focus, maximized, previous_dir, ..RunView::new(request.clone()) };
        self.status = RunStatus::Running;
        let file = crate::strategies::file_of(&request.strategy);
        self.watched = file.clone().map(|path| Watched { path, baseline: None, changed: false });
        let mut effects = vec![
            Effect::StartRun(request),
            Effect::Control(ControlChange::Pause(paused)),
            Effect::Control(ControlChange::Pace(pace)),
        ];
        effects.extend(file.map(Effect::WatchStrategy));
        effects
    }

    /// Cancels the run in progress, then starts as [`RunView::start`] does.
    pub fn restart(&mut self, requested: Result<RunRequest, String>) -> Vec<Effect> {
        let mut effects = vec![Effect::Control(ControlChange::Cancel)];
        effects.extend(self.start(requested));
        effects
    }

    pub fn fail(&mut self, message: String) {
        self.status = RunStatus::Failed(message);
    }

    pub fn running(&self) -> bool {
        self.status == RunStatus::Running
    }

    pub fn timeline_rows(&self) -> usize {
        self.coverage.len()
    }

    pub fn tick(&mut self) -> Vec<Effect> {
        self.ticks += 1;
        let mut effects = vec![];
        if self.running() && self.ticks.is_multiple_of(COVERAGE_EVERY) {
            effects.push(self.coverage_effect());
        }
        if let Some(watched) = self.watched.as_ref().filter(|w| !w.changed && self.ticks.is_multiple_of(WATCH_EVERY)) {
            effects.push(Effect::WatchStrategy(watched.path.clone()));
        }
        effects
    }

    fn coverage_effect(&self) -> Effect {
        Effect::LoadCoverage(self.datasets.clone())
    }

    pub fn click(&mut self, areas: RunAreas, column: u16, row: u16) {
        let position = ratatui::layout::Position::new(column, row);
        if let Some(pane) = areas.pane_at(position) {
            self.focus = pane;
        }
    }

    /// Applies a run-screen command; `requested` is the run form's
    /// request, read only when the command starts a run.
    pub fn command(&mut self, command: Command, requested: impl FnOnce() -> Result<RunRequest, String>) -> Vec<Effect> {
        match command {
            // Pause and step act on a run in progress; a finished run is run
            // again only by `r`, never by a stray space.
            Command::TogglePause if self.running() => {
                self.paused = !self.paused;
                vec![Effect::Control(ControlChange::Pause(self.paused))]
            }
            Command::Step if self.running() => {
                self.paused = true;
                vec![Effect::Control(ControlChange::Pause(true)), Effect::Control(ControlChange::Step)]
            }
            Command::Faster | Command::Slower => {
                let at = PACES.iter().position(|p| *p == self.pace).unwrap_or(PACES.len() - 1);
                let next =
                    if command == Command::Faster { (at + 1).min(PACES.len() - 1) } else { at.saturating_sub(1) };
                self.pace = PACES[next];
                vec![Effect::Control(ControlChange::Pace(self.pace))]
            }
            Command::Restart => self.restart(requested()),
            Command::DrillConversions => {
                self.drill = !self.drill;
                if self.drill { vec![Effect::LoadConversionSites] } else { vec![] }
            }
            Command::ScrubLeft
            | Command::ScrubRight
            | Command::ScrubWeekBack
            | Command::ScrubWeekOn
            | Command::NextTrade
                if !self.running() && !self.equity.is_empty() =>
            {
                self.move_cursor(command);
                vec![]
            }
            Command::FocusNext | Command::FocusPrevious => {
                let at = Pane::ALL.iter().position(|p| *p == self.focus).unwrap_or(0);
                let n = Pane::ALL.len();
                self.focus = Pane::ALL[if command == Command::FocusNext { (at + 1) % n } else { (at + n - 1) % n }];
                vec![]
            }
            Command::Up | Command::PageUp | Command::Down | Command::PageDown => {
                self.scroll_focused(command);
                vec![]
            }
            Command::ExportSvg | Command::CopyRunPath => self.export(command),
            Command::Maximize => {
                self.maximized = !self.maximized;
                vec![]
            }
            Command::Filter => {
                self.search.typing = true;
                vec![]
            }
            Command::Open if self.search.typing => {
                self.search.typing = false;
                vec![]
            }
            Command::Back if self.search.typing || !self.search.text.is_empty() => {
                self.search = Search::default();
                vec![]
            }
            // Esc steps back one thing at a time: the drill-down, the maximized pane, the cursor.
            Command::Back => {
                if self.drill {
                    self.drill = false;
                } else if self.maximized {
                    self.maximized = false;
                } else {
                    self.scrub = None;
                }
                vec![]
            }
            _ => vec![],
        }
    }

    pub fn apply(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Run(event) => return self.observe(event),
            Action::RunFinished { summary } => {
                self.status = RunStatus::Finished(summary);
                self.paused = false;
                return vec![self.coverage_effect()];
            }
            Action::RunFailed(message) => self.status = RunStatus::Failed(message),
            Action::ConversionSites(sites) => self.sites = sites,
            Action::LiveMetrics(metrics) if self.running() => self.metrics = metrics,
            Action::StrategyFile { path, modified } => {
                if let Some(watched) = self.watched.as_mut().filter(|w| w.path == path) {
                    match watched.baseline {
                        None => watched.baseline = Some(modified),
                        Some(baseline) => watched.changed |= baseline != modified,
                    }
                }
            }
            Action::Coverage(rows) => self.coverage = rows,
            _ => {}
        }
        vec![]
    }

    fn observe(&mut self, event: RunEvent) -> Vec<Effect> {
        if !self.running() {
            return vec![];
        }
        self.now = Some(event.time());
        match &event {
            RunEvent::Progress { session, sessions, .. } => self.progress = (*session, *sessions),
            RunEvent::Equity { time, valuation } => {
                self.equity.push((*time, valuation.total));
                self.cash = valuation.cash;
                self.total = valuation.total;
                self.buying_power = valuation.buying_power;
                self.margin_used = valuation.margin_used;
                let today = crate::market::time::et_date(*time);
                self.positions = valuation
                    .lines
                    .iter()
                    .map(|line| PositionRow {
                        asset: line.asset,
                        quantity: line.quantity,
                        average_cost: line.average_cost,
                        mark: line.price,
                        value: line.value,
                        unrealized: line.unrealized_pnl,
                        days_to_expiry: line.asset.expiration().map(|e| (e - today).num_days()),
                    })
                    .collect();
                self.position_history.push(self.positions.clone());
            }
            RunEvent::Counters { metrics, .. } => {
                self.hit_history.push(metrics.hit_ratio().map_or(0, |r| (r * 100.0).round() as u64));
                self.metrics = metrics.clone();
                if self.drill {
                    return vec![Effect::LoadConversionSites];
                }
            }
            RunEvent::DatasetsRead { datasets, .. } => {
                self.datasets = datasets.clone();
                return vec![self.coverage_effect()];
            }
            RunEvent::Filled { time, .. } => {
                self.fill_days.insert(crate::market::time::et_date(*time));
                self.push_order(event.describe());
            }
            _ => self.push_order(event.describe()),
        }
        vec![]
    }

    /// The cursor after the run: a session or a week either way, or on to the
    /// next session with a fill.
    fn move_cursor(&mut self, command: Command) {
        let last = self.equity.len().saturating_sub(1);
        let at = self.scrub.unwrap_or(last);
        self.scrub = match command {
            Command::NextTrade => {
                // From the cursor (or the start) to the next session with a fill.
                let from = self.scrub.map_or(0, |at| at + 1);
                let next = (from..self.equity.len())
                    .find(|i| self.fill_days.contains(&crate::market::time::et_date(self.equity[*i].0)));
                next.or(self.scrub)
            }
            // A week is five sessions: equity points are one per session.
            Command::ScrubWeekBack => Some(at.saturating_sub(5)),
            Command::ScrubWeekOn => Some((at + 5).min(last)),
            Command::ScrubLeft => Some(at.saturating_sub(1)),
            _ => Some((at + 1).min(last)),
        };
    }

    /// What leaves the workbench for a finished run: its chart as an SVG
    /// beside its artifacts, or its directory's path on the clipboard.
    fn export(&self, command: Command) -> Vec<Effect> {
        let Some(dir) = self.finished_dir() else { return vec![] };
        if command == Command::CopyRunPath {
            return vec![Effect::CopyToClipboard(dir.display().to_string())];
        }
        let points: Vec<(String, f64)> =
            self.equity.iter().map(|(t, v)| (crate::market::time::et_date(*t).to_string(), *v)).collect();
        let title = format!("{} {}..{}", self.request.strategy, self.request.window.start, self.request.window.end);
        let svg = crate::tui::export::equity_svg(&title, self.request.cash, &points);
        vec![Effect::WriteSvg { path: dir.join("equity.svg"), svg }]
    }

    /// Arrows and page keys scroll the focused pane: orders back in time,
    /// the coverage timeline through its datasets. (The log's scroll is the
    /// state's, which holds the log.)
    fn scroll_focused(&mut self, command: Command) {
        let (step, back) = match command {
            Command::Up => (1, true),
            Command::PageUp => (10, true),
            Command::Down => (1, false),
            _ => (10, false),
        };
        match self.focus {
            Pane::Orders => {
                let last = self.orders.len().saturating_sub(1);
                self.orders_scroll =
                    if back { (self.orders_scroll + step).min(last) } else { self.orders_scroll.saturating_sub(step) };
            }
            Pane::Coverage => {
                let last = self.coverage.len().saturating_sub(1);
                self.coverage_scroll = if back {
                    self.coverage_scroll.saturating_sub(step)
                } else {
                    (self.coverage_scroll + step).min(last)
                };
            }
            _ => {}
        }
    }

    fn push_order(&mut self, line: String) {
        self.orders.push(line);
        let excess = self.orders.len().saturating_sub(ORDER_LINES);
        self.orders.drain(..excess);
    }

    /// The positions to show: at the cursor when scrubbing, else the latest.
    pub fn shown_positions(&self) -> &[PositionRow] {
        self.scrub.and_then(|i| self.position_history.get(i)).map_or(&self.positions, Vec::as_slice)
    }

    /// The order and fill lines to show: up to the cursor's time when scrubbing.
    pub fn shown_orders(&self) -> &[String] {
        let Some(until) = self.scrub.and_then(|i| self.equity.get(i)).map(|(t, _)| crate::market::time::fmt_et(*t))
        else {
            return &self.orders;
        };
        // Lines arrive in time order and start with their ET time,
        // `YYYY-MM-DD HH:MM`, which orders as text: the shown ones are a prefix.
        let until = &until[..16.min(until.len())];
        let end = self.orders.partition_point(|line| line.get(..16).is_none_or(|at| at <= until));
        &self.orders[..end]
    }

    /// The equity point the cursor is on: the scrubbed one, else the latest.
    pub fn cursor_point(&self) -> Option<(usize, DateTime<Utc>, f64)> {
        let at = self.scrub.unwrap_or(self.equity.len().checked_sub(1)?);
        self.equity.get(at).map(|(t, v)| (at, *t, *v))
    }
}
