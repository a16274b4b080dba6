//! The run screen's panes: equity and drawdown, positions, cache, conversions,
//! orders, coverage, log; plus the form and failure overlays.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Clear, Dataset, Gauge, GraphType, Paragraph, Row, Sparkline, Table, Widget, Wrap};

use super::chrome::{ellipsis, pane};
use super::timeline::Timeline;
use crate::engine::Account;
use crate::market::time::{et_date, fmt_et};
use crate::run::stats::drawdowns;
use crate::tui::layout::{Pane, RunAreas, centered, run_areas};
use crate::tui::state::State;
use crate::tui::state::form::{Field, Form};
use crate::tui::state::run::{RunStatus, RunView};
use crate::tui::theme::Theme;

/// Draws the run screen into `area` and says where its panes went.
pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) -> RunAreas {
    let run = &state.run;
    let areas = run_areas(area, run.timeline_rows(), run.maximized.then_some(run.focus));
    let focused = |p: Pane| run.focus == p;
    // A maximized pane leaves the others without room: they are not drawn.
    let drawn = |rect: Rect| !rect.is_empty();
    if drawn(areas.equity) {
        EquityPane { run, theme, focused: focused(Pane::Equity) }.render(areas.equity, buf);
    }
    if drawn(areas.positions) {
        PositionsPane { run, theme, focused: focused(Pane::Positions) }.render(areas.positions, buf);
    }
    if drawn(areas.cache) {
        CachePane { run, theme, focused: focused(Pane::Cache) }.render(areas.cache, buf);
    }
    if drawn(areas.conversions) {
        ConversionsPane { run, theme, focused: focused(Pane::Conversions) }.render(areas.conversions, buf);
    }
    // A search keeps the matching lines of the orders and the log, and says so in their titles.
    let searched = |lines| matching(lines, &run.search);
    let search_note = |kept: usize| {
        if run.search.text.is_empty() && !run.search.typing {
            String::new()
        } else {
            let cursor = if run.search.typing { "▏" } else { "" };
            format!(" · /{}{cursor} ({kept})", run.search.text)
        }
    };
    if drawn(areas.orders) {
        // With the cursor on a past session, the orders end there.
        let kept = searched(run.shown_orders());
        let title = format!("Orders and fills{}", search_note(kept.len()));
        let orders = pane(&title, focused(Pane::Orders), theme);
        lines_pane(&kept, run.orders_scroll, orders, |_| theme.style(), areas.orders, buf);
    }
    let cursor = run.cursor_point().map(|(_, t, _)| et_date(t));
    let first = run.coverage_scroll.min(run.coverage.len());
    let shown = usize::from(areas.coverage.height.saturating_sub(2));
    // When the rows do not all fit, the title says which are shown (↑/↓ scroll them).
    let which = if run.coverage.len() > shown {
        format!(" {}–{} of {}", first + 1, (first + shown).min(run.coverage.len()), run.coverage.len())
    } else {
        String::new()
    };
    let title = format!("Coverage (ET){which}: █ cached ░ placeholder · missing │ expiry");
    if drawn(areas.coverage) {
        Timeline { rows: &run.coverage[first..], window: run.request.window, cursor, theme }.render_in(
            pane(&title, focused(Pane::Coverage), theme),
            areas.coverage,
            buf,
        );
    }
    if drawn(areas.log) {
        let kept = searched(&state.log);
        let title = format!("Log{}", search_note(kept.len()));
        let log = pane(&title, focused(Pane::Log), theme);
        lines_pane(&kept, state.log_scroll, log, |line| log_style(line, theme), areas.log, buf);
    }
    if let RunStatus::Failed(message) = &run.status {
        failure(message, theme, area, buf);
    }
    if state.form.open {
        let form = FormPane { form: &state.form, theme };
        // Notes wrap inside the box (70 columns inside its borders): an error is never cut.
        let notes: usize = form.notes().iter().map(|line| line.width().max(1).div_ceil(70)).sum();
        let height = (Field::ALL.len() + 3 + notes) as u16;
        form.render(centered(area, 72, height.min(area.height)), buf);
    }
    areas
}

/// Why the run failed, as wide and tall as the message needs (a strategy's
/// traceback keeps its lines and indentation), within the screen; the keys
/// stay on the bottom border, where a long message cannot push them out.
fn failure(message: &str, theme: &Theme, area: Rect, buf: &mut Buffer) {
    // The cause a person acts on comes first, the full chain of errors after it.
    let message = match cause(message) {
        Some(cause) => format!("{cause}\n{message}"),
        None => message.to_string(),
    };
    let message = message.as_str();
    let widest = message.lines().map(|l| l.chars().count()).max().unwrap_or(0) as u16;
    let width = (widest + 4).clamp(70, area.width.saturating_sub(2).max(20));
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = message.lines().map(|l| l.chars().count().max(1).div_ceil(inner)).sum();
    let rect = centered(area, width, (rows as u16).saturating_add(2));
    Clear.render(rect, buf);
    let lines: Vec<Line> = message.lines().map(|l| Line::from(Span::styled(l, theme.warning_style()))).collect();
    let keys = Span::styled(" r runs again · e edits the run · 2 opens the cache ", theme.muted());
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(pane("Run failed", true, theme).title_bottom(keys))
        .render(rect, buf);
}

/// What to do about a failure, when its text says which kind it is.
fn cause(message: &str) -> Option<&'static str> {
    let says = |words: &[&str]| words.iter().any(|w| message.contains(w));
    if says(&["unreachable", "onnection refused"]) {
        Some("The terminal does not answer (connection refused): is it running?")
    } else if says(&["did not answer within"]) {
        Some("The strategy stopped answering.")
    } else if says(&["Traceback (most recent call last)"]) {
        Some("The strategy raised an exception:")
    } else {
        None
    }
}

/// The newest lines at the bottom; `scroll` lines back from the end.
fn lines_pane(
    lines: &[&str],
    scroll: usize,
    block: ratatui::widgets::Block,
    style_of: impl Fn(&str) -> ratatui::style::Style,
    area: Rect,
    buf: &mut Buffer,
) {
    let inner = block.inner(area);
    block.render(area, buf);
    let height = inner.height as usize;
    let end = lines.len().saturating_sub(scroll);
    let start = end.saturating_sub(height);
    let shown: Vec<Line> = lines[start..end].iter().map(|l| Line::from(Span::styled(*l, style_of(l)))).collect();
    Paragraph::new(shown).render(inner, buf);
}

/// The lines a search keeps (all of them without one), borrowed.
fn matching<'a>(lines: &'a [String], search: &crate::tui::state::run::Search) -> Vec<&'a str> {
    lines.iter().map(String::as_str).filter(|l| search.keeps(l)).collect()
}

/// Log lines by level: errors and warnings stand out from the INFO stream.
fn log_style(line: &str, theme: &Theme) -> ratatui::style::Style {
    if line.starts_with("ERROR") {
        theme.error_style()
    } else if line.starts_with("WARN") {
        theme.warning_style()
    } else {
        theme.style()
    }
}

struct EquityPane<'a> {
    run: &'a RunView,
    theme: &'a Theme,
    focused: bool,
}

impl Widget for EquityPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (s, theme) = (self.run, self.theme);
        // The same peak-from-initial-cash rule as the run's statistics.
        let drawdown: Vec<(f64, f64)> = drawdowns(s.request.cash, s.equity.iter().map(|(_, v)| *v))
            .enumerate()
            .map(|(i, d)| (i as f64, -d))
            .collect();
        let deepest = drawdown.iter().fold(0.0f64, |deepest, (_, d)| deepest.max(-d));
        let title = match s.cursor_point() {
            Some((_, t, v)) if s.scrub.is_some() => format!("Equity · cursor {} {v:.2}", fmt_et(t)),
            Some((_, _, v)) => format!("Equity {v:.2} · max drawdown {:.1}%", deepest * 100.0),
            None => "Equity".to_string(),
        };
        let block = pane(&title, self.focused, theme);
        if s.equity.is_empty() {
            let text = match s.status {
                RunStatus::Connecting => "waiting for the data source…",
                _ => "no sessions yet",
            };
            Paragraph::new(Span::styled(text, theme.muted())).block(block).render(area, buf);
            return;
        }
        let points: Vec<(f64, f64)> = s.equity.iter().enumerate().map(|(i, (_, v))| (i as f64, *v)).collect();
        let (low, high) = points.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (_, v)| (lo.min(*v), hi.max(*v)));
        let pad = ((high - low) * 0.05).max(1.0);
        let x_max = (s.progress.1.max(points.len()) as f64 - 1.0).max(1.0);
        let inner = block.inner(area);
        block.render(area, buf);
        // A small pane keeps three rows for the drawdown, the least that draws it.
        let drawdown_rows = if inner.height < 14 { Constraint::Length(3) } else { Constraint::Percentage(28) };
        let [top, bottom] = inner.layout(&Layout::vertical([Constraint::Fill(1), drawdown_rows]));
        let mut datasets = vec![
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(ratatui::style::Style::new().fg(theme.series(0)))
                .data(&points),
        ];
        let cursor_line: Vec<(f64, f64)>;
        if let Some((i, _, _)) = s.cursor_point().filter(|_| s.scrub.is_some()) {
            cursor_line = vec![(i as f64, low - pad), (i as f64, high + pad)];
            datasets.push(
                Dataset::default()
                    .marker(Marker::Braille)
                    .graph_type(GraphType::Line)
                    .style(ratatui::style::Style::new().fg(theme.cursor))
                    .data(&cursor_line),
            );
        }
        // The axis spans the whole run: the right edge is its last session, and
        // the curve covers the part done so far.
        let first = s.equity.first().map(|(t, _)| et_date(*t).to_string()).unwrap_or_default();
        let last = s.request.window.end.to_string();
        // A short chart gives its date labels' rows to the curve (the window is in the status line).
        let x_axis = Axis::default().bounds([0.0, x_max]).style(theme.muted());
        let x_axis = if top.height >= 6 { x_axis.labels([first, last]) } else { x_axis };
        Chart::new(datasets)
            .x_axis(x_axis)
            .y_axis(
                Axis::default()
                    .bounds([low - pad, high + pad])
                    .labels([format!("{:.0}", low), format!("{:.0}", high)])
                    .style(theme.muted()),
            )
            .render(top, buf);
        if bottom.height < 3 {
            return;
        }
        Chart::new(vec![
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(ratatui::style::Style::new().fg(theme.negative))
                .data(&drawdown),
        ])
        .x_axis(Axis::default().bounds([0.0, x_max]))
        .y_axis(
            Axis::default()
                .bounds([-(deepest.max(0.001)), 0.0])
                .labels([format!("-{:.1}%", deepest * 100.0), "0%".to_string()])
                .style(theme.muted()),
        )
        .render(bottom, buf);
    }
}

struct PositionsPane<'a> {
    run: &'a RunView,
    theme: &'a Theme,
    focused: bool,
}

impl Widget for PositionsPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (s, theme) = (self.run, self.theme);
        let title = format!("Positions · cash {:.2} · total {:.2}", s.cash, s.total);
        // The account's side of it sits on the bottom border, where it has the width to itself.
        let account = match s.request.account {
            Account::Cash => format!(" cash account · buying power {:.2} ", s.buying_power),
            Account::Margin(_) => {
                format!(" margin · buying power {:.2} · margin used {:.2} ", s.buying_power, s.margin_used)
            }
        };
        // Narrow panes drop the average cost before the contract gets unreadable.
        let wide = area.width >= 56;
        let rows = s.shown_positions().iter().map(|p| {
            let mut cells = vec![Span::raw(p.asset.to_string()), Span::raw(p.quantity.to_string())];
            if wide {
                cells.push(Span::raw(format!("{:.2}", p.average_cost)));
            }
            cells.push(Span::raw(format!("{:.2}", p.mark)));
            cells.push(Span::styled(format!("{:+.2}", p.unrealized), theme.signed(p.unrealized)));
            cells.push(Span::raw(p.days_to_expiry.map_or("-".to_string(), |d| d.to_string())));
            Row::new(cells)
        });
        let (widths, header) = if wide {
            (
                vec![
                    Constraint::Min(12),
                    Constraint::Length(4),
                    Constraint::Length(7),
                    Constraint::Length(7),
                    Constraint::Length(9),
                    Constraint::Length(3),
                ],
                vec!["Contract", "Qty", "Avg", "Mark", "Unrl P&L", "DTE"],
            )
        } else {
            (
                vec![
                    Constraint::Min(12),
                    Constraint::Length(4),
                    Constraint::Length(6),
                    Constraint::Length(8),
                    Constraint::Length(3),
                ],
                vec!["Contract", "Qty", "Mark", "Unrl P&L", "DTE"],
            )
        };
        Table::new(rows, widths)
            .header(Row::new(header).style(theme.muted()))
            .style(theme.style())
            .block(pane(&title, self.focused, theme).title_bottom(Span::styled(account, theme.muted())))
            .render(area, buf);
    }
}

struct CachePane<'a> {
    run: &'a RunView,
    theme: &'a Theme,
    focused: bool,
}

impl Widget for CachePane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (m, theme) = (&self.run.metrics, self.theme);
        let block = pane("Cache", self.focused, theme);
        let inner = block.inner(area);
        block.render(area, buf);
        let [gauge, spark, counters] =
            inner.layout(&Layout::vertical([Constraint::Length(1), Constraint::Length(2), Constraint::Fill(1)]));
        let ratio = m.hit_ratio();
        Gauge::default()
            .ratio(ratio.unwrap_or(0.0).clamp(0.0, 1.0))
            .label(ratio.map_or("hit ratio –".to_string(), |r| format!("hit ratio {:.0}%", r * 100.0)))
            .gauge_style(ratatui::style::Style::new().fg(theme.positive).bg(theme.border))
            .render(gauge, buf);
        Sparkline::default()
            .data(&self.run.hit_history)
            .max(100)
            .style(ratatui::style::Style::new().fg(theme.series(0)))
            .render(spark, buf);
        let errors: u64 = m.errors.values().sum();
        // Short lines: counts grow to several digits and the pane is narrow.
        let mut text = vec![Line::from(format!("hits {} · misses {}", m.hits, m.misses))];
        // The team remote answers local misses before the terminal does.
        if m.remote.any() {
            text.push(Line::from(format!("remote hits {} · misses {}", m.remote_hits, m.remote_misses)));
        }
        text.push(Line::from(format!("requests {} · rows {}", m.network_requests, m.rows)));
        text.push(Line::from(format!("retries {} · errors {errors}", m.retries)));
        Paragraph::new(text).style(theme.style()).render(counters, buf);
    }
}

struct ConversionsPane<'a> {
    run: &'a RunView,
    theme: &'a Theme,
    focused: bool,
}

impl Widget for ConversionsPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (s, theme) = (self.run, self.theme);
        let width = usize::from(area.width.saturating_sub(2));
        // Counts are never cut: a narrow pane drops the rows column, then
        // abbreviates (12.3k), and long site names end in `…`.
        let lines: Vec<Line> = if s.drill {
            s.sites
                .iter()
                .map(|(kind, site, c)| {
                    let site = site.rsplit('/').next().unwrap_or(site);
                    let count = format!(" {}", c.count);
                    let room = width.saturating_sub(count.len() + 7);
                    Line::from(format!("{kind:<6} {}{count}", ellipsis(site, room)))
                })
                .collect()
        } else {
            s.metrics
                .conversions
                .iter()
                .map(|(kind, c)| {
                    let name = kind.as_str();
                    Line::from(if width >= 31 {
                        format!("{name:<12}{:>7} {:>9} rows", c.count, c.rows)
                    } else {
                        let count = short_count(c.count);
                        format!(
                            "{:<w$}{count}",
                            ellipsis(name, width.saturating_sub(count.len() + 1)),
                            w = width.saturating_sub(count.len())
                        )
                    })
                })
                .collect()
        };
        let title = if s.drill { "Conversions by site (c)" } else { "Conversions (c: by site)" };
        Paragraph::new(lines).style(theme.style()).block(pane(title, self.focused, theme)).render(area, buf);
    }
}

struct FormPane<'a> {
    form: &'a Form,
    theme: &'a Theme,
}

impl FormPane<'_> {
    /// Lines under the fields: what is wrong, then the chosen strategy's parameters.
    fn notes(&self) -> Vec<Line<'static>> {
        let (form, theme) = (self.form, self.theme);
        let mut notes = Vec::new();
        if let Some(error) = &form.error {
            notes.push(Line::from(Span::styled(error.clone(), theme.warning_style())));
        }
        let Some(choice) = form.choice() else { return notes };
        if let Some(error) = &choice.error {
            notes.push(Line::from(Span::styled(format!("cannot be read: {error}"), theme.warning_style())));
        }
        let unknown = form.unknown_keys();
        if !unknown.is_empty() {
            let known: Vec<&str> = choice.parameters.iter().map(|p| p.name.as_str()).collect();
            let text = format!("unknown: {} · it takes {}", unknown.join(", "), known.join(", "));
            notes.push(Line::from(Span::styled(text, theme.warning_style())));
        }
        for p in choice.parameters.iter().filter(|p| p.name != "fee_pct") {
            notes.push(Line::from(vec![
                Span::styled(
                    format!("  {:<30}", ellipsis(&format!("{}={}", p.name, p.default_text()), 29)),
                    theme.style(),
                ),
                Span::styled(p.help.clone(), theme.muted()),
            ]));
        }
        notes
    }
}

impl Widget for FormPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (form, theme) = (self.form, self.theme);
        Clear.render(area, buf);
        let mut lines: Vec<Line> = Field::ALL
            .iter()
            .map(|field| {
                let selected = *field == form.field;
                let value = form.value(*field);
                let cursor = if selected && form.editing { "▏" } else { "" };
                let style = if selected { theme.selected() } else { theme.style() };
                Line::from(vec![
                    Span::styled(format!(" {:<12}", field.label()), style),
                    Span::styled(format!(" {value}{cursor}"), theme.accent()),
                ])
            })
            .collect();
        lines.extend(self.notes());
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane("Run (enter edits · ←/→ choose · esc closes)", true, theme))
            .render(area, buf);
    }
}

/// A count in at most six characters: `987`, `12.3k`, `4.56M`.
fn short_count(n: u64) -> String {
    match n {
        n if n < 10_000 => n.to_string(),
        n if n < 1_000_000 => format!("{:.1}k", n as f64 / 1_000.0),
        n => format!("{:.2}M", n as f64 / 1_000_000.0),
    }
}
