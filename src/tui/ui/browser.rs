//! The cache browser: the dataset table, and one dataset's detail.

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Row, Table, Widget};

use super::chrome::{ellipsis, pane};
use super::timeline::Timeline;
use crate::cache::Window;
use crate::cache::report::ChecksumState;
use crate::tui::layout::{centered, dataset_list_areas};
use crate::tui::model::{CoverageRow, DatasetDetail};
use crate::tui::state::Load;
use crate::tui::state::browser::Browser;
use crate::tui::theme::Theme;

/// Draws the cache browser into `area`; the dataset table's area when it drew one.
pub fn render(browser: &Browser, theme: &Theme, area: Rect, buf: &mut Buffer) -> Option<Rect> {
    let mut table = None;
    match &browser.detail {
        Some(Load::Loaded(detail)) => render_detail(browser, detail, theme, area, buf),
        Some(Load::Failed(e)) => message(&format!("could not open the dataset: {e}"), theme, area, buf),
        Some(_) => message("loading the dataset…", theme, area, buf),
        None => table = render_list(browser, theme, area, buf),
    }
    if browser.confirm_evict.is_some() {
        let rect = centered(area, 60, 5);
        Clear.render(rect, buf);
        Paragraph::new(vec![
            Line::from("Move this dataset out of the cache?"),
            Line::from(Span::styled("d or enter: evict · any other key: keep it", theme.muted())),
        ])
        .block(pane("Evict", true, theme))
        .render(rect, buf);
    }
    table
}

fn message(text: &str, theme: &Theme, area: Rect, buf: &mut Buffer) {
    Paragraph::new(Span::styled(text.to_string(), theme.muted())).block(pane("Cache", true, theme)).render(area, buf);
}

fn checksum_label(state: Option<ChecksumState>) -> &'static str {
    match state {
        None => "?",
        Some(ChecksumState::Ok) => "ok",
        Some(ChecksumState::Mismatch) => "MISMATCH",
        Some(ChecksumState::MissingData) => "no data",
        Some(ChecksumState::BadSidecar) => "bad sidecar",
        Some(ChecksumState::BadParquet) => "bad parquet",
        Some(ChecksumState::Contradiction) => "CONTRADICTS",
        Some(ChecksumState::IoError) => "io error",
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1}M", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1}K", b as f64 / 1024.0),
        b => format!("{b}B"),
    }
}

/// The dataset table, or a message in its place; the table's area when drawn.
fn render_list(browser: &Browser, theme: &Theme, area: Rect, buf: &mut Buffer) -> Option<Rect> {
    let filter = if browser.filtering || !browser.filter.is_empty() {
        format!(" · filter /{}{}", browser.filter, if browser.filtering { "▏" } else { "" })
    } else {
        String::new()
    };
    let title = format!("Datasets · sort {}{filter}", browser.sort.label());
    let block = pane(&title, true, theme);
    let rows = match &browser.datasets {
        Load::Loaded(_) => browser.visible(),
        Load::Failed(e) => {
            message(&format!("could not list the cache: {e}"), theme, area, buf);
            return None;
        }
        _ => {
            message("reading the cache…", theme, area, buf);
            return None;
        }
    };
    if rows.is_empty() {
        let text = if browser.filter.is_empty() { "the cache is empty" } else { "no dataset matches the filter" };
        Paragraph::new(Span::styled(text, theme.muted())).block(block).render(area, buf);
        return None;
    }
    let [table_area, status] = dataset_list_areas(area);
    let (offset, visible_rows) = browser.list_window(table_area.height);
    // A narrow table drops kind, placeholder days and size and shows dates only,
    // so names and dates are whole (or end in `…`), never cut mid-value.
    let narrow = table_area.width < 110;
    let shown: Vec<&ListColumn> = LIST_COLUMNS.iter().filter(|c| !narrow || c.narrow.is_some()).collect();
    // The name takes what the fixed columns and their one-space gaps leave.
    let fixed: u16 = shown.iter().filter_map(|c| c.narrow).sum::<u16>() + shown.len() as u16 - 1;
    let asset_width = usize::from(table_area.width.saturating_sub(2 + fixed));
    let table_rows = rows.iter().enumerate().skip(offset).take(visible_rows).map(|(i, r)| {
        let s = &r.summary;
        // A dataset that failed its checks is in the error colour.
        let bad = r.checksum.is_some_and(|c| c != ChecksumState::Ok);
        let checksum = ratatui::widgets::Cell::from(checksum_label(r.checksum)).style(if bad {
            theme.error_style()
        } else {
            ratatui::style::Style::new()
        });
        // The checksum (the last column) is styled apart, so the cells stop before it.
        let cells = list_cells(s, r.on_remote, narrow, asset_width)
            .into_iter()
            .zip(LIST_COLUMNS.iter())
            .filter(|(_, c)| !narrow || c.narrow.is_some());
        let row = Row::new(cells.map(|(cell, _)| ratatui::widgets::Cell::from(cell)).chain([checksum]));
        if i == browser.selected { row.style(theme.selected()) } else { row }
    });
    let widths: Vec<Constraint> = shown
        .iter()
        .map(|c| match (narrow, c.narrow) {
            (true, Some(width)) if width > 0 => Constraint::Length(width),
            _ => c.wide,
        })
        .collect();
    let header: Vec<&str> = shown.iter().map(|c| c.header).collect();
    Table::new(table_rows, widths)
        .header(Row::new(header).style(theme.muted()))
        .style(theme.style())
        .block(block)
        .render(table_area, buf);
    let shared = rows.iter().filter(|r| r.on_remote).count();
    let line = browser.message.clone().unwrap_or_else(|| match shared {
        0 => format!("{} datasets", rows.len()),
        n => format!("{} datasets · {n} also on the team remote ({REMOTE_MARK})", rows.len()),
    });
    Paragraph::new(Span::styled(line, theme.muted())).render(status, buf);
    Some(table_area)
}

/// Follows the name of a dataset the team remote also holds.
const REMOTE_MARK: char = '◆';

/// One column of the dataset list: its width on a wide table and, when it
/// stays on a narrow one, its fixed width there (0: it takes what is left).
struct ListColumn {
    header: &'static str,
    wide: Constraint,
    narrow: Option<u16>,
}

const fn column(header: &'static str, wide: Constraint, narrow: Option<u16>) -> ListColumn {
    ListColumn { header, wide, narrow }
}

/// The list's columns in order; a narrow table drops kind, placeholder days and size.
const LIST_COLUMNS: [ListColumn; 11] = [
    column("Asset", Constraint::Fill(2), Some(0)),
    column("Kind", Constraint::Length(6), None),
    column("Step", Constraint::Length(4), Some(4)),
    column("Style", Constraint::Length(5), Some(5)),
    column("Rows", Constraint::Length(7), Some(7)),
    column("First (ET)", Constraint::Fill(2), Some(10)),
    column("Last (ET)", Constraint::Fill(2), Some(10)),
    column("Days", Constraint::Length(4), Some(4)),
    column("Ph", Constraint::Length(4), None),
    column("Size", Constraint::Length(6), None),
    column("Checksum", Constraint::Length(8), Some(8)),
];

/// One dataset's cells before the checksum, in [`LIST_COLUMNS`] order;
/// narrow, the name ends in `…` at `asset_width` and times are dates.
fn list_cells(
    s: &crate::cache::report::DatasetSummary,
    on_remote: bool,
    narrow: bool,
    asset_width: usize,
) -> Vec<String> {
    let asset = if on_remote { format!("{} {REMOTE_MARK}", s.asset) } else { s.asset.clone() };
    let when = |t: &Option<String>| {
        let t = t.clone().unwrap_or_default();
        if narrow { t.chars().take(10).collect() } else { t }
    };
    vec![
        if narrow { ellipsis(&asset, asset_width) } else { asset },
        s.kind.to_string(),
        s.timestep.clone(),
        s.style.clone(),
        s.rows.to_string(),
        when(&s.first),
        when(&s.last),
        s.days.to_string(),
        s.placeholder_days.to_string(),
        size(s.bytes),
    ]
}

fn render_detail(browser: &Browser, d: &DatasetDetail, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let (i, s) = (&d.inspection, &d.inspection.summary);
    let [meta, timeline, preview] =
        area.layout(&Layout::vertical([Constraint::Length(7), Constraint::Length(3), Constraint::Fill(1)]));
    let lines = vec![
        Line::from(format!("{} · {} · {} {}", s.asset, s.kind, s.timestep, s.style)),
        Line::from(format!(
            "{} rows · {} days · {} placeholder days · {}",
            s.rows,
            s.days,
            s.placeholder_days,
            size(s.bytes)
        )),
        Line::from(format!(
            "first {} · last {}",
            s.first.clone().unwrap_or_default(),
            s.last.clone().unwrap_or_default()
        )),
        Line::from(vec![
            Span::raw("checksum "),
            Span::styled(
                checksum_label(Some(i.checksum)),
                if i.checksum == ChecksumState::Ok { theme.signed(1.0) } else { theme.error_style() },
            ),
            Span::raw(format!(" · sha256 {}", i.sha256.as_deref().map(|h| &h[..h.len().min(16)]).unwrap_or("-"))),
            Span::styled(i.checksum_detail.clone().map(|e| format!(" · {e}")).unwrap_or_default(), theme.error_style()),
        ]),
        Line::from(Span::styled(format!("file {}", i.data_file.clone().unwrap_or_else(|| "-".into())), theme.muted())),
    ];
    Paragraph::new(lines)
        .style(theme.style())
        .block(pane("Dataset (esc back · d evict)", true, theme))
        .render(meta, buf);
    let placeholders: Vec<NaiveDate> = i.placeholders.iter().map(|p| p.day).collect();
    let first = d.days.first().copied().or(placeholders.first().copied());
    let last = d.days.last().copied().or(placeholders.last().copied());
    if let (Some(a), Some(b)) = (first, last)
        && let Ok(window) = Window::new(a.min(b), a.max(b))
    {
        let row = CoverageRow {
            label: "coverage".into(),
            days: d.days.clone(),
            placeholders,
            required: vec![],
            expiry: None,
        };
        Timeline { rows: std::slice::from_ref(&row), window, cursor: None, theme }.render_in(
            pane(&format!("Coverage (ET) {a}..{b}"), false, theme),
            timeline,
            buf,
        );
    }
    let height = preview.height.saturating_sub(3) as usize;
    let start = browser.preview_scroll.min(d.preview.len().saturating_sub(1));
    let rows = d.preview.iter().skip(start).take(height).map(|cells| Row::new(cells.clone()));
    let widths: Vec<Constraint> = d
        .columns
        .iter()
        .enumerate()
        .map(|(i, _)| if i == 0 { Constraint::Length(23) } else { Constraint::Fill(1) })
        .collect();
    Table::new(rows, widths)
        .header(Row::new(d.columns.clone()).style(theme.muted()))
        .style(theme.style())
        .block(pane(
            &match &browser.jump {
                Some(typed) => format!("Rows from the date: {typed}▏ (YYYY-MM-DD, enter goes, esc stays)"),
                None => format!(
                    "Rows {}-{} of {} (↑/↓ pgup/pgdn page through · t from a date)",
                    d.first_row + start + 1,
                    d.first_row + (start + height).min(d.preview.len()),
                    d.total_rows
                ),
            },
            false,
            theme,
        ))
        .render(preview, buf);
}
