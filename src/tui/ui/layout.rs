//! Pane geometry, computed from the frame size alone so drawing and mouse
//! hit-testing agree without the view writing anything back.

use ratatui::layout::{Constraint, Layout, Position, Rect};

use crate::tui::state::session::Pane;

/// Below this the workbench says so instead of drawing.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;

pub struct FrameAreas {
    pub header: Rect,
    pub body: Rect,
    pub keybar: Rect,
}

pub fn frame_areas(area: Rect) -> FrameAreas {
    let [header, body, keybar] =
        area.layout(&Layout::vertical([Constraint::Length(2), Constraint::Fill(1), Constraint::Length(1)]));
    FrameAreas { header, body, keybar }
}

#[derive(Debug, Clone, Copy)]
pub struct SessionAreas {
    pub equity: Rect,
    pub positions: Rect,
    pub cache: Rect,
    pub conversions: Rect,
    pub orders: Rect,
    pub coverage: Rect,
    pub log: Rect,
}

impl SessionAreas {
    pub fn pane_at(&self, at: Position) -> Option<Pane> {
        [
            (self.equity, Pane::Equity),
            (self.positions, Pane::Positions),
            (self.cache, Pane::Cache),
            (self.conversions, Pane::Conversions),
            (self.orders, Pane::Orders),
            (self.coverage, Pane::Coverage),
            (self.log, Pane::Log),
        ]
        .into_iter()
        .find(|(rect, _)| rect.contains(at))
        .map(|(_, pane)| pane)
    }
}

pub fn session_areas(body: Rect, timeline_rows: usize) -> SessionAreas {
    let roomy = body.height >= 30;
    let timeline = if roomy { (timeline_rows.max(1) as u16 + 2).clamp(4, body.height / 4) } else { 4 };
    let [top, middle, coverage, log] = body.layout(&Layout::vertical([
        Constraint::Fill(3),
        Constraint::Length(if roomy { 9 } else { 6 }),
        Constraint::Length(timeline),
        if roomy { Constraint::Fill(1) } else { Constraint::Min(3) },
    ]));
    let [equity, positions] = top.layout(&Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]));
    let [cache, conversions, orders] = middle.layout(&Layout::horizontal([
        Constraint::Percentage(30),
        Constraint::Percentage(22),
        Constraint::Fill(1),
    ]));
    SessionAreas { equity, positions, cache, conversions, orders, coverage, log }
}

/// The parity screen: the list of runs to compare, and the comparison.
pub fn parity_areas(body: Rect) -> [Rect; 2] {
    body.layout(&Layout::horizontal([Constraint::Length(30), Constraint::Fill(1)]))
}

/// A centred box of at most `width`×`height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height)
}
