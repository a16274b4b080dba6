//! Coverage timelines: one line per dataset across a window of days, each cell
//! a span of days coloured by the worst state in it (missing, placeholder, cached).

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::cache::Window;
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
        let span_days = (self.window.end - self.window.start).num_days().max(0) as usize + 1;
        // At most one cell per day, so no cell falls between two days and shows blank.
        let cells = (inner.width as usize).saturating_sub(label_width + 1).clamp(1, span_days);
        let cell_of = |day: NaiveDate| {
            let offset = (day - self.window.start).num_days();
            (offset >= 0 && (offset as usize) < span_days).then(|| offset as usize * cells / span_days)
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
                let mut style = Style::new().fg(colour);
                let symbol = if Some(i) == expiry { "│" } else { symbol };
                if Some(i) == cursor {
                    style = style.bg(self.theme.cursor);
                }
                spans.push(Span::styled(symbol, style));
            }
            lines.push(Line::from(spans));
        }
        Paragraph::new(lines).render(inner, buf);
    }
}
