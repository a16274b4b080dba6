//! The one `State` and `update`, which applies an `Action` and returns the
//! `Effect`s the loop must run. `update` never awaits and never does I/O; it
//! tests clicks against the areas the last frame drew.

pub mod browser;
pub mod form;
pub mod parity;
pub mod run;

use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, MouseEventKind};

use super::action::{Action, Command, Effect};
use super::engine_thread::ControlChange;
use super::keymap::{Keymap, Mode};
use super::layout::{DrawnAreas, Pane};
use crate::run::RunRequest;

/// Lines the log pane keeps.
pub const LOG_LINES: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Run,
    Browser,
    Parity,
}

/// Something fetched in the background.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Idle,
    Loading,
    Loaded(T),
    Failed(String),
}

impl<T> Load<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Load::Loaded(t) => Some(t),
            _ => None,
        }
    }
}

pub struct State {
    pub screen: Screen,
    pub help: bool,
    pub width: u16,
    pub height: u16,
    pub keymap: Keymap,
    /// The data source, as the header names it.
    pub source: Load<String>,
    pub run: run::RunView,
    pub form: form::Form,
    pub browser: browser::Browser,
    pub parity: parity::ParityView,
    pub log: Vec<String>,
    pub log_scroll: usize,
    pub quitting: bool,
    /// Where the last frame drew its clickable panes (`ui::draw` keeps it).
    pub drawn: DrawnAreas,
    /// The last single click, to tell a double click.
    pub last_click: Option<(std::time::Instant, u16, u16)>,
}

impl State {
    pub fn new(keymap: Keymap, request: RunRequest) -> State {
        State {
            screen: Screen::Run,
            help: false,
            width: 120,
            height: 40,
            keymap,
            source: Load::Loading,
            form: form::Form::from_request(&request),
            run: run::RunView::new(request),
            browser: browser::Browser::default(),
            parity: parity::ParityView::default(),
            log: Vec::new(),
            log_scroll: 0,
            quitting: false,
            drawn: DrawnAreas::Nothing,
            last_click: None,
        }
    }

    /// The keymap table in force: the form while it is open, else the screen's.
    pub fn mode(&self) -> Mode {
        match self.screen {
            Screen::Run if self.form.open => Mode::Form,
            Screen::Run => Mode::Run,
            Screen::Browser => Mode::Browser,
            Screen::Parity => Mode::Parity,
        }
    }

    /// A text field has the keyboard: characters are typed, not looked up.
    fn typing(&self) -> bool {
        (self.screen == Screen::Browser && (self.browser.filtering || self.browser.jump.is_some()))
            || (self.form.open && self.form.editing)
            || (self.screen == Screen::Run && self.run.search.typing)
            || (self.screen == Screen::Parity && self.parity.renaming.is_some())
    }
}

/// Turns a terminal event into actions and applies them: the one entry point the
/// loop and the scenario tests share.
pub fn handle_event(state: &mut State, event: &Event) -> Vec<Effect> {
    let action = match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            let ctrl_c =
                key.code == KeyCode::Char('c') && key.modifiers.contains(crossterm::event::KeyModifiers::CONTROL);
            if state.typing() && !ctrl_c {
                match key.code {
                    KeyCode::Char(c) => Some(Action::Input(c)),
                    KeyCode::Backspace => Some(Action::Backspace),
                    KeyCode::Enter => Some(Action::Command(Command::Open)),
                    KeyCode::Esc => Some(Action::Command(Command::Back)),
                    _ => None,
                }
            } else if state.mode() == Mode::Form {
                // The open form has the keyboard: characters go to a text field,
                // and the screen switches wait until it closes.
                match key.code {
                    KeyCode::Char(c)
                        if state.form.on_text_field() && !key.modifiers.contains(KeyModifiers::CONTROL) =>
                    {
                        Some(Action::Input(c))
                    }
                    KeyCode::Backspace if state.form.on_text_field() => Some(Action::Backspace),
                    _ => state.keymap.resolve(Mode::Form, *key).filter(|c| !c.switches_screen()).map(Action::Command),
                }
            } else {
                state.keymap.resolve(state.mode(), *key).map(Action::Command)
            }
        }
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(_) => {
                Some(Action::Click { column: mouse.column, row: mouse.row, at: std::time::Instant::now() })
            }
            MouseEventKind::ScrollDown => Some(Action::Scroll { column: mouse.column, row: mouse.row, down: true }),
            MouseEventKind::ScrollUp => Some(Action::Scroll { column: mouse.column, row: mouse.row, down: false }),
            _ => None,
        },
        Event::Resize(width, height) => Some(Action::Resize { width: *width, height: *height }),
        _ => None,
    };
    action.map(|a| update(state, a)).unwrap_or_default()
}

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Command(command) => command_update(state, command),
        Action::Resize { width, height } => {
            state.width = width;
            state.height = height;
            vec![]
        }
        Action::Click { column, row, at } => click(state, column, row, at),
        Action::Scroll { column, row, down } => {
            if let DrawnAreas::Run(areas) = state.drawn {
                state.run.click(areas, column, row);
            }
            command_update(state, if down { Command::Down } else { Command::Up })
        }
        Action::Tick => state.run.tick(),
        Action::SourceReady { description } => {
            state.source = Load::Loaded(description);
            state.run.start(state.form.request())
        }
        Action::SourceFailed(message) => {
            state.source = Load::Failed(message.clone());
            state.run.fail(message);
            vec![]
        }
        Action::Log(lines) => {
            state.log.extend(lines);
            let excess = state.log.len().saturating_sub(LOG_LINES);
            state.log.drain(..excess);
            vec![]
        }
        Action::Input(c) => {
            type_into(state, Some(c));
            vec![]
        }
        Action::Backspace => {
            type_into(state, None);
            vec![]
        }
        Action::Run(_)
        | Action::RunFinished { .. }
        | Action::RunFailed(_)
        | Action::ConversionSites(_)
        | Action::StrategyFile { .. }
        | Action::LiveMetrics(_)
        | Action::Coverage(_) => state.run.apply(action),
        Action::Strategies(listings) => {
            let selected = state.form.choice().map(|c| c.strategy.clone()).unwrap_or_default();
            state.form.set_choices(&listings, &selected);
            vec![]
        }
        Action::Datasets(_) | Action::Detail(_) | Action::Evicted(_) | Action::Rechecked { .. } => {
            state.browser.apply(action)
        }
        Action::SavedRuns(_) | Action::ParityDone(_) => state.parity.apply(action),
    }
}

/// Two presses on one cell closer than this are a double click.
const DOUBLE_CLICK: std::time::Duration = std::time::Duration::from_millis(400);

/// A click: on a header tab it switches screens (as its key does), elsewhere
/// it hits what the last frame drew there; a double click on a dataset or a
/// run also opens it (as enter does).
fn click(state: &mut State, column: u16, row: u16, at: std::time::Instant) -> Vec<Effect> {
    let double = state
        .last_click
        .take()
        .is_some_and(|(then, c, r)| (c, r) == (column, row) && at.saturating_duration_since(then) <= DOUBLE_CLICK);
    if !double {
        state.last_click = Some((at, column, row));
    }
    let switch = [Command::RunScreen, Command::BrowserScreen, Command::ParityScreen];
    if row == 0
        && let Some(command) = crate::tui::layout::tab_at(column).and_then(|i| switch.get(i))
    {
        return if state.form.open { vec![] } else { command_update(state, *command) };
    }
    match state.drawn {
        DrawnAreas::Run(areas) => state.run.click(areas, column, row),
        DrawnAreas::DatasetTable(table) => {
            if state.browser.click(table, row) && double {
                return command_update(state, Command::Open);
            }
        }
        DrawnAreas::ParityChoices(list) => {
            if state.parity.click(list, column, row) && double {
                return command_update(state, Command::Open);
            }
        }
        DrawnAreas::Nothing => {}
    }
    vec![]
}

/// A typed character (`None`: backspace) for the text field that has the keyboard.
fn type_into(state: &mut State, c: Option<char>) {
    match (state.form.open, state.screen, c) {
        (true, _, Some(c)) => state.form.input(c),
        (true, _, None) => state.form.backspace(),
        (false, Screen::Run, Some(c)) => state.run.search.text.push(c),
        (false, Screen::Run, None) => {
            state.run.search.text.pop();
        }
        (false, Screen::Parity, Some(c)) => state.parity.input(c),
        (false, Screen::Parity, None) => state.parity.backspace(),
        (false, Screen::Browser, Some(c)) => state.browser.input(c),
        (false, Screen::Browser, None) => state.browser.backspace(),
    }
}

fn command_update(state: &mut State, command: Command) -> Vec<Effect> {
    if state.help {
        // The overlay takes every key; help, back and quit close or leave it.
        match command {
            Command::Help | Command::Back => state.help = false,
            Command::Quit => return quit(state),
            _ => {}
        }
        return vec![];
    }
    match command {
        Command::Quit => return quit(state),
        Command::Help => state.help = true,
        Command::RunScreen => state.screen = Screen::Run,
        Command::BrowserScreen => {
            state.screen = Screen::Browser;
            if matches!(state.browser.datasets, Load::Idle) {
                state.browser.datasets = Load::Loading;
                return vec![Effect::LoadDatasets];
            }
        }
        Command::ParityScreen => {
            state.screen = Screen::Parity;
            if matches!(state.parity.saved, Load::Idle) {
                state.parity.saved = Load::Loading;
                return vec![Effect::LoadSavedRuns];
            }
        }
        Command::Up | Command::Down | Command::PageUp | Command::PageDown
            if state.screen == Screen::Run && !state.form.open && state.run.focus == Pane::Log =>
        {
            let step = match command {
                Command::Up => 1isize,
                Command::Down => -1,
                Command::PageUp => 10,
                _ => -10,
            };
            state.log_scroll = state.log_scroll.saturating_add_signed(step).min(state.log.len().saturating_sub(1));
        }
        Command::EditRun if state.mode() == Mode::Run => {
            state.form.open = true;
            let current = state.form.choice().and_then(|c| crate::strategies::file_of(&c.strategy));
            return vec![Effect::LoadStrategies(current)];
        }
        Command::ParityPrevious if matches!(state.mode(), Mode::Run | Mode::Parity) => {
            state.screen = Screen::Parity;
            let mut effects = state.parity.compare_runs(state.run.last_two_runs());
            if matches!(state.parity.saved, Load::Idle) {
                state.parity.saved = Load::Loading;
                effects.push(Effect::LoadSavedRuns);
            }
            return effects;
        }
        _ => {
            return match state.mode() {
                Mode::Form => match state.form.command(command) {
                    Some(request) => state.run.restart(Ok(request)),
                    None => vec![],
                },
                Mode::Run => state.run.command(command, || state.form.request()),
                Mode::Browser => state.browser.command(command),
                Mode::Parity => state.parity.command(command, &state.form),
                Mode::Global => vec![],
            };
        }
    }
    vec![]
}

fn quit(state: &mut State) -> Vec<Effect> {
    state.quitting = true;
    vec![Effect::Control(ControlChange::Cancel), Effect::Quit]
}
