//! The parity view: the choice of runs, then curves, stats, trades and a verdict.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph, Row, Table, Widget, Wrap};

use super::chrome::{ellipsis, pane};
use crate::run::artifacts::TradeLine;
use crate::tui::layout::parity_areas;
use crate::tui::model::ParityReport;
use crate::tui::state::Load;
use crate::tui::state::parity::{NOW_CHOICES, ParityView};
use crate::tui::theme::Theme;

/// Draws the parity screen into `area` and says where the list of runs went.
pub fn render(view: &ParityView, theme: &Theme, area: Rect, buf: &mut Buffer) -> Rect {
    let [choices, report] = parity_areas(area);
    render_choices(view, theme, choices, buf);
    let text = |t: &str, style: Style| {
        Paragraph::new(Span::styled(t.to_string(), style)).block(pane("Comparison", false, theme))
    };
    match &view.report {
        Load::Idle => text("choose two runs: enter on a saved run marks A, a second one compares", theme.muted())
            .render(report, buf),
        Load::Loading => text("running and comparing…", theme.muted()).render(report, buf),
        Load::Failed(e) => text(e, theme.warning_style()).render(report, buf),
        Load::Loaded(r) => render_report(r, view.trades_scroll, theme, report, buf),
    }
    choices
}

fn render_choices(view: &ParityView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut labels: Vec<String> = NOW_CHOICES.iter().map(|c| c.to_string()).collect();
    if let Some(saved) = view.saved.loaded() {
        for run in saved {
            let mark = if view.picked.as_ref() == Some(&run.dir) { "A " } else { "" };
            match &view.renaming {
                Some((dir, name)) if *dir == run.dir => labels.push(format!("name: {name}▏ (enter keeps, esc drops)")),
                _ => labels.push(format!("{mark}{}", run.label)),
            }
        }
    }
    // A label too long for the list ends in `…`, never mid-number without a mark.
    let width = usize::from(area.width.saturating_sub(2));
    let mut lines: Vec<Line> = labels
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let style = if i == view.selected { theme.selected() } else { theme.style() };
            Line::from(Span::styled(ellipsis(&l, width), style))
        })
        .collect();
    if matches!(view.saved, Load::Loading) {
        lines.push(Line::from(Span::styled("reading saved runs…", theme.muted())));
    } else if view.saved.loaded().is_some_and(Vec::is_empty) {
        lines.push(Line::from(Span::styled("no saved runs", theme.muted())));
    }
    let offset = u16::try_from(view.first_shown(area.height)).unwrap_or(u16::MAX);
    Paragraph::new(lines).scroll((offset, 0)).block(pane("Runs", true, theme)).render(area, buf);
}

fn render_report(r: &ParityReport, scroll: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let verdict = verdict_lines(r, theme);
    // The verdict wraps rather than being cut: its values are the point.
    let width = usize::from(area.width.max(1));
    let verdict_height: usize = verdict.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
    // Below 30 rows the stats table becomes a line, so the aligned trades keep room.
    let roomy = area.height >= 30;
    let stats_height = if roomy { 11 } else { 2 };
    let [verdict_area, charts, stats, trades] = area.layout(&Layout::vertical([
        Constraint::Length(u16::try_from(verdict_height).unwrap_or(u16::MAX)),
        Constraint::Fill(2),
        Constraint::Length(stats_height),
        Constraint::Fill(1),
    ]));
    Paragraph::new(verdict).wrap(Wrap { trim: false }).render(verdict_area, buf);
    render_equity(r, theme, charts, buf);
    if roomy {
        render_stats(r, theme, stats, buf);
    } else {
        render_stats_line(r, theme, stats, buf);
    }
    render_trades(r, scroll, theme, trades, buf);
}

/// The settings that differ (when any do), identical or where the runs part,
/// then which run is which.
fn verdict_lines<'a>(r: &ParityReport, theme: &Theme) -> Vec<Line<'a>> {
    let p = &r.parity;
    let line = if p.identical {
        Span::styled(
            format!(
                "identical to the last bit: {} trades, {} equity points, final value {}",
                p.trades.0, p.equity_points.0, p.final_value.0
            ),
            theme.signed(1.0),
        )
    } else if let Some(d) = &p.first_divergence {
        Span::styled(d.to_string(), theme.signed(-1.0))
    } else {
        Span::styled(
            format!("final values differ: {} in A, {} in B", p.final_value.0, p.final_value.1),
            theme.signed(-1.0),
        )
    };
    let mut lines = Vec::new();
    if let (Some(a), Some(b)) = (&r.a.manifest, &r.b.manifest) {
        let differences = crate::tui::model::settings_differences(a, b);
        if !differences.is_empty() {
            let text = format!("settings differ: {}", differences.join(" · "));
            lines.push(Line::from(Span::styled(text, theme.warning_style())));
        }
    }
    lines.push(Line::from(line));
    lines.push(Line::from(Span::styled(format!("A {} · B {}", r.a.label, r.b.label), theme.muted())));
    lines
}

/// Both equity curves on one chart, and B − A beside it.
fn render_equity(r: &ParityReport, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let [overlay, difference] = area.layout(&Layout::horizontal([Constraint::Percentage(60), Constraint::Fill(1)]));
    let series = |side: &[(String, f64)]| -> Vec<(f64, f64)> {
        side.iter().enumerate().map(|(i, (_, v))| (i as f64, *v)).collect()
    };
    let (a, b) = (series(&r.a.equity), series(&r.b.equity));
    let diff: Vec<(f64, f64)> = a.iter().zip(&b).map(|((x, va), (_, vb))| (*x, vb - va)).collect();
    let bounds = |pts: &[&[(f64, f64)]]| {
        let (lo, hi) =
            pts.iter().flat_map(|p| p.iter()).fold((f64::MAX, f64::MIN), |(lo, hi), (_, v)| (lo.min(*v), hi.max(*v)));
        if lo > hi {
            (0.0, 1.0)
        } else if hi - lo < 1e-9 {
            (lo - 1.0, hi + 1.0)
        } else {
            (lo, hi)
        }
    };
    let x_max = (a.len().max(b.len()) as f64 - 1.0).max(1.0);
    let (lo, hi) = bounds(&[&a, &b]);
    Chart::new(vec![
        Dataset::default()
            .name("A")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(theme.series(0)))
            .data(&a),
        Dataset::default()
            .name("B")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(theme.series(1)))
            .data(&b),
    ])
    .block(pane("Equity A and B", false, theme))
    .x_axis(Axis::default().bounds([0.0, x_max]))
    .y_axis(Axis::default().bounds([lo, hi]).labels([format!("{lo:.0}"), format!("{hi:.0}")]).style(theme.muted()))
    .render(overlay, buf);
    let (dlo, dhi) = bounds(&[&diff]);
    Chart::new(vec![
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(theme.series(2)))
            .data(&diff),
    ])
    .block(pane("B − A", false, theme))
    .x_axis(Axis::default().bounds([0.0, x_max]))
    .y_axis(Axis::default().bounds([dlo, dhi]).labels([format!("{dlo:.2}"), format!("{dhi:.2}")]).style(theme.muted()))
    .render(difference, buf);
}

/// The two runs' statistics side by side; a difference in the warning colour.
/// The stats that matter most on one line, for screens without room for the table.
fn render_stats_line(r: &ParityReport, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let (a, b) = (&r.a.stats.performance, &r.b.stats.performance);
    let money = crate::engine::account::money;
    let pair = |name: &str, x: String, y: String| {
        let style = if x == y { theme.style() } else { theme.warning_style() };
        Span::styled(format!("{name} {x} | {y}  "), style)
    };
    Paragraph::new(Line::from(vec![
        pair("final", money(a.final_value), money(b.final_value)),
        pair("drawdown", format!("{:.2}%", a.max_drawdown * 100.0), format!("{:.2}%", b.max_drawdown * 100.0)),
        pair("trades", a.trades.to_string(), b.trades.to_string()),
    ]))
    .wrap(Wrap { trim: true })
    .render(area, buf);
}

fn render_stats(r: &ParityReport, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let (sa, sb) = (&r.a.stats, &r.b.stats);
    let conversions = |s: &crate::run::artifacts::Stats| s.conversions.values().sum::<u64>().to_string();
    let rows = [
        ("final value", format!("{:.2}", sa.performance.final_value), format!("{:.2}", sb.performance.final_value)),
        (
            "return",
            format!("{:+.2}%", sa.performance.total_return * 100.0),
            format!("{:+.2}%", sb.performance.total_return * 100.0),
        ),
        (
            "max drawdown",
            format!("{:.2}%", sa.performance.max_drawdown * 100.0),
            format!("{:.2}%", sb.performance.max_drawdown * 100.0),
        ),
        ("Sharpe", format!("{:.2}", sa.performance.sharpe), format!("{:.2}", sb.performance.sharpe)),
        ("trades", sa.performance.trades.to_string(), sb.performance.trades.to_string()),
        ("requests", sa.network_requests.to_string(), sb.network_requests.to_string()),
        ("hit ratio", format!("{:.0}%", sa.hit_ratio * 100.0), format!("{:.0}%", sb.hit_ratio * 100.0)),
        ("conversions", conversions(sa), conversions(sb)),
    ];
    let table_rows = rows.into_iter().map(|(name, a, b)| {
        let style = if a == b { theme.style() } else { theme.warning_style() };
        Row::new(vec![name.to_string(), a, b]).style(style)
    });
    Table::new(table_rows, [Constraint::Length(14), Constraint::Fill(1), Constraint::Fill(1)])
        .header(Row::new(["", "A", "B"]).style(theme.muted()))
        .block(pane("Stats", false, theme))
        .render(area, buf);
}

/// The trades row by row, aligned; `≠` marks a row that differs.
fn render_trades(r: &ParityReport, scroll: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let count = r.a.trades.len().max(r.b.trades.len());
    let height = area.height.saturating_sub(3) as usize;
    let start = scroll.min(count.saturating_sub(1));
    let short = |row: Option<&TradeLine>| {
        row.map_or_else(
            || "—".into(),
            |t| {
                let id = t.order_id.map(|id| id.to_string()).unwrap_or_default();
                format!("{} {} {id} {} {} {} {} {}", t.time_et, t.event, t.asset, t.side, t.quantity, t.price, t.fee)
            },
        )
    };
    let trade_rows = (start..count).take(height).map(|i| {
        let (a, b) = (r.a.trades.get(i), r.b.trades.get(i));
        let same = a == b;
        let mark = if same { " " } else { "≠" };
        Row::new(vec![format!("{mark}{}", i + 1), short(a), short(b)]).style(if same {
            theme.style()
        } else {
            theme.warning_style()
        })
    });
    Table::new(trade_rows, [Constraint::Length(5), Constraint::Fill(1), Constraint::Fill(1)])
        .header(Row::new(["#", "A", "B"]).style(theme.muted()))
        .block(pane("Trades (≠ marks a mismatch; pgup/pgdn)", false, theme))
        .render(area, buf);
}
