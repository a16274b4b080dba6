//! The frame around the screens: header, key bar, help overlay, pane blocks.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget};

use crate::tui::action::Command;
use crate::tui::keymap::Mode;
use crate::tui::layout::{HEADER_NAME, TAB_LABELS, centered};
use crate::tui::state::run::RunStatus;
use crate::tui::state::{Load, Screen, State};
use crate::tui::theme::Theme;

/// A bordered pane, accented when focused.
pub fn pane<'a>(title: &'a str, focused: bool, theme: &Theme) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border(focused))
        .title(Span::styled(format!(" {title} "), theme.title()))
}

pub struct Header<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for Header<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let tab = |screen: Screen, label: &'static str| {
            if state.screen == screen {
                Span::styled(label, theme.selected())
            } else {
                Span::styled(label, theme.muted())
            }
        };
        let source = match &state.source {
            Load::Loaded(source) => Span::styled(source.clone(), theme.accent()),
            Load::Failed(e) => Span::styled(format!("data source failed: {e}"), theme.warning_style()),
            _ => Span::styled("connecting to the data source…", theme.muted()),
        };
        let [run_tab, cache_tab, parity_tab] = TAB_LABELS;
        let tabs = Line::from(vec![
            Span::styled(HEADER_NAME, theme.title()),
            tab(Screen::Run, run_tab),
            Span::raw(" "),
            tab(Screen::Browser, cache_tab),
            Span::raw(" "),
            tab(Screen::Parity, parity_tab),
            Span::raw("  "),
            source,
        ]);
        let run = &state.run;
        let r = &run.request;
        let status = match &run.status {
            RunStatus::Connecting => Span::styled("waiting for the data source", theme.muted()),
            RunStatus::Running if run.paused => Span::styled("⏸ paused", theme.warning_style()),
            RunStatus::Running => Span::styled("▶ running", theme.accent()),
            RunStatus::Finished(_) => Span::styled("■ finished", theme.style()),
            RunStatus::Failed(_) => Span::styled("✖ failed", theme.error_style()),
        };
        let pace = run.pace.map_or("full speed".to_string(), |p| format!("{p} days/s"));
        let (done, total) = run.progress;
        let when = run.now.map(crate::market::time::fmt_et).unwrap_or_default();
        let strategy = crate::tui::state::form::file_name(&r.strategy);
        // An edited strategy file comes first: the line is cut on narrow screens.
        let changed = run
            .strategy_changed()
            .then(|| Span::styled(format!("  {strategy} changed: r runs the new code ·"), theme.warning_style()));
        // What the data stack is doing comes next: a long fetch is never a silent screen.
        let activity = run.activity().map(|(text, trouble)| {
            Span::styled(format!("  {text} ·"), if trouble { theme.error_style() } else { theme.accent() })
        });
        let line = Line::from_iter(
            [
                Some(status),
                activity,
                changed,
                Some(Span::styled(
                    // Progress before the settings: a narrow line keeps what moves.
                    format!(
                        "  session {done}/{total} {when} · {strategy} {}..{} {} ${} · pace {pace}",
                        r.window.start,
                        r.window.end,
                        r.store,
                        crate::engine::account::money(r.cash)
                    ),
                    theme.style(),
                )),
            ]
            .into_iter()
            .flatten(),
        );
        Paragraph::new(vec![tabs, line]).render(area, buf);
    }
}

/// The commands worth showing in the bar, per mode.
fn bar_commands(mode: Mode) -> &'static [Command] {
    match mode {
        Mode::Run => &[
            Command::TogglePause,
            Command::Step,
            Command::Faster,
            Command::Slower,
            Command::Restart,
            Command::EditRun,
            Command::DrillConversions,
            Command::ScrubLeft,
        ],
        Mode::Browser => &[
            Command::Filter,
            Command::CycleSort,
            Command::Open,
            Command::Verify,
            Command::Evict,
            Command::Back,
            Command::RecheckPlaceholders,
        ],
        Mode::Parity => &[
            Command::Open,
            Command::ParityBothStores,
            Command::ParityColdWarm,
            Command::ParityPrevious,
            Command::Reload,
        ],
        Mode::Form => &[Command::Open, Command::Up, Command::Down, Command::ScrubRight, Command::Back],
        Mode::Global => &[],
    }
}

pub struct KeyBar<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for KeyBar<'_> {
    /// Whole hints only, up to the first that does not fit: a hint cut in half
    /// reads as a wrong key. The screen switches come last; the header's tabs
    /// name their keys too.
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (keymap, theme, mode) = (&self.state.keymap, self.theme, self.state.mode());
        // The screen switches come last, without the screen already shown.
        let here = match self.state.screen {
            Screen::Run => Command::RunScreen,
            Screen::Browser => Command::BrowserScreen,
            Screen::Parity => Command::ParityScreen,
        };
        let switches = [Command::RunScreen, Command::BrowserScreen, Command::ParityScreen];
        let commands = [Command::Help, Command::Quit]
            .iter()
            .chain(bar_commands(mode))
            // The open form keeps the keyboard: no screen switches then.
            .chain(switches.iter().filter(|c| **c != here && mode != Mode::Form));
        let mut room = usize::from(area.width);
        let mut spans = Vec::new();
        for command in commands {
            let Some(key) = keymap.key_for(mode, *command) else { continue };
            let (key, what) = (format!(" {key} "), format!(" {} ", describe_in(*command, mode)));
            let width = key.chars().count() + what.chars().count();
            if width > room {
                break;
            }
            room -= width;
            spans.push(Span::styled(key, theme.selected()));
            spans.push(Span::styled(what, theme.muted()));
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }
}

/// The help overlay, generated from the key map.
pub struct Help<'a> {
    pub state: &'a State,
    pub theme: &'a Theme,
}

impl Widget for Help<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (keymap, theme) = (&self.state.keymap, self.theme);
        let column = |mode: Mode| {
            let mut lines = vec![Line::from(Span::styled(mode.title(), theme.title()))];
            for (keys, command) in keymap.bindings(mode) {
                lines.push(Line::from(vec![
                    Span::styled(format!(" {keys:<13}"), theme.accent()),
                    Span::styled(describe_in(command, mode), theme.style()),
                ]));
            }
            lines
        };
        let (global, local) = (column(Mode::Global), column(self.state.mode()));
        let rect = centered(area, 76, global.len().max(local.len()) as u16 + 2);
        Clear.render(rect, buf);
        let block = pane("Keys (? or esc closes)", true, theme);
        let inner = block.inner(rect);
        block.render(rect, buf);
        let [left, right] = inner.layout(&ratatui::layout::Layout::horizontal([
            ratatui::layout::Constraint::Percentage(50),
            ratatui::layout::Constraint::Fill(1),
        ]));
        Paragraph::new(global).render(left, buf);
        Paragraph::new(local).render(right, buf);
    }
}

/// `text` cut to `width` characters, the cut marked with `…`.
pub fn ellipsis(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    text.chars().take(width.saturating_sub(1)).chain(['…']).collect()
}

/// What `command` does in `mode`, where that differs from [`Command::describe`]:
/// ←/→ move the cursor on the run screen and change the value in the form.
fn describe_in(command: Command, mode: Mode) -> &'static str {
    match (mode, command) {
        (Mode::Form, Command::ScrubLeft) => "previous value",
        (Mode::Form, Command::ScrubRight) => "next value",
        (Mode::Form, Command::Open) => "edit / run",
        (Mode::Run, Command::ScrubLeft) => "cursor a session back",
        (Mode::Run, Command::ScrubRight) => "cursor a session on",
        (Mode::Run, Command::Filter) => "search orders and log",
        _ => command.describe(),
    }
}
