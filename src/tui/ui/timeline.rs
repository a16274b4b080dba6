//! Coverage timelines: one line per dataset across a window of days, each cell
//! a span of days coloured by the worst state in it (missing, placeholder, cached).

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::cache::Window;
use crate::market::Calendar;
use crate::tui::model::CoverageRow;
use crate::tui::theme::Theme;

pub struct Timeline<'a> {
    pub rows: &'a [CoverageRow],
    pub window: Window,
    /// The simulated (or scrubbed) day.
    pub cursor: Option<NaiveDate>,
    pub theme: &'a Theme,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cell {
    Outside,
    Cached,
    Placeholder,
    Missing,
}

impl Timeline<'_> {
    pub fn render_in(self, block: Block, area: Rect, buf: &mut Buffer) {
        let inner = block.inner(area);
        block.render(area, buf);
        if self.rows.is_empty() {
            Paragraph::new(Span::styled("no datasets touched yet", self.theme.muted())).render(inner, buf);
            return;
        }
        let label_width = (inner.width / 3).min(28) as usize;
        // Columns are trading sessions, so weekends and holidays are not drawn as gaps.
        let sessions: Vec<NaiveDate> = Calendar::sessions_between(self.window.start, self.window.end).collect();
        let span = sessions.len().max(1);
        // At most one cell per session, so no cell falls between two sessions and shows blank.
        let cells = (inner.width as usize).saturating_sub(label_width + 1).clamp(1, span);
        // A day that is not a session (an expiry on a holiday) takes the next session's cell.
        let cell_of = |day: NaiveDate| {
            let index = sessions.partition_point(|s| *s < day);
            (index < sessions.len()).then(|| index * cells / span)
        };
        let mut lines = Vec::new();
        for row in self.rows.iter().take(inner.height as usize) {
            let mut states = vec![Cell::Outside; cells];
            let mut mark = |days: &[NaiveDate], state: Cell| {
                for day in days {
                    if let Some(c) = cell_of(*day) {
                        states[c] = states[c].max(state);
                    }
                }
            };
            let missing: Vec<NaiveDate> = row
                .required
                .iter()
                .filter(|d| !row.days.contains(d) && !row.placeholders.contains(d))
                .copied()
                .collect();
            mark(&row.days, Cell::Cached);
            mark(&row.placeholders, Cell::Placeholder);
            mark(&missing, Cell::Missing);
            let expiry = row.expiry.and_then(cell_of);
            let cursor = self.cursor.and_then(cell_of);
            let label: String = row.label.chars().take(label_width).collect();
            let mut spans = vec![Span::styled(format!("{label:<label_width$} "), self.theme.style())];
            for (i, state) in states.iter().enumerate() {
                let (symbol, colour) = match state {
                    Cell::Outside => (" ", self.theme.muted),
                    Cell::Cached => ("█", self.theme.cached),
                    Cell::Placeholder => ("░", self.theme.placeholder),
                    Cell::Missing => ("·", self.theme.missing),
                };
                let symbol = if Some(i) == expiry { "│" } else { symbol };
                // The cursor is a bar in its own colour over the cell's, visible on any cell.
                let (symbol, style) = if Some(i) == cursor {
                    let under = if *state == Cell::Outside { Style::new() } else { Style::new().bg(colour) };
                    ("┃", under.fg(self.theme.cursor))
                } else {
                    (symbol, Style::new().fg(colour))
                };
                spans.push(Span::styled(symbol, style));
            }
            lines.push(Line::from(spans));
        }
        Paragraph::new(lines).render(inner, buf);
    }
}
