//! Pane geometry: where each screen's panes go in a frame of a given size, the
//! run screen's `Pane`s, and the areas a drawn frame reports back so a click
//! is tested against what is on the screen. A leaf: `ui` lays frames out with it
//! and `state` hit-tests clicks with it; it reads neither.

use ratatui::layout::{Constraint, Layout, Position, Rect};

/// Below this the workbench says so instead of drawing.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;

/// The run screen's panes, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Equity,
    Positions,
    Cache,
    Conversions,
    Orders,
    Coverage,
    Log,
}

impl Pane {
    pub const ALL: [Pane; 7] =
        [Pane::Equity, Pane::Positions, Pane::Cache, Pane::Conversions, Pane::Orders, Pane::Coverage, Pane::Log];
}

/// Where the last frame drew what a click can land on; the view returns it and
/// the state keeps it until the next frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DrawnAreas {
    /// No frame yet, a frame too small to hold panes, or a screen with nothing
    /// to click (the browser's detail or a message in place of its table).
    #[default]
    Nothing,
    Run(RunAreas),
    /// The browser's dataset table, borders and header included.
    DatasetTable(Rect),
    /// The parity screen's list of runs to compare, borders included.
    ParityChoices(Rect),
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunAreas {
    pub equity: Rect,
    pub positions: Rect,
    pub cache: Rect,
    pub conversions: Rect,
    pub orders: Rect,
    pub coverage: Rect,
    pub log: Rect,
}

impl RunAreas {
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

/// The run screen's panes; with `maximized`, that pane takes the whole body
/// and the others are empty.
pub fn run_areas(body: Rect, timeline_rows: usize, maximized: Option<Pane>) -> RunAreas {
    if let Some(pane) = maximized {
        let empty = Rect::new(body.x, body.y, 0, 0);
        let only = |p: Pane| if p == pane { body } else { empty };
        return RunAreas {
            equity: only(Pane::Equity),
            positions: only(Pane::Positions),
            cache: only(Pane::Cache),
            conversions: only(Pane::Conversions),
            orders: only(Pane::Orders),
            coverage: only(Pane::Coverage),
            log: only(Pane::Log),
        };
    }
    let roomy = body.height >= 30;
    // On a small screen the equity pane keeps room for its chart and drawdown:
    // the panes below take their least useful height (the log one line).
    let timeline = if roomy { (timeline_rows.max(1) as u16 + 2).clamp(4, body.height / 4) } else { 4 };
    let [top, middle, coverage, log] = body.layout(&Layout::vertical([
        Constraint::Fill(3),
        Constraint::Length(if roomy { 9 } else { 6 }),
        Constraint::Length(timeline),
        if roomy { Constraint::Fill(1) } else { Constraint::Length(3) },
    ]));
    let [equity, positions] = top.layout(&Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]));
    let [cache, conversions, orders] = middle.layout(&Layout::horizontal([
        Constraint::Percentage(30),
        Constraint::Percentage(22),
        Constraint::Fill(1),
    ]));
    RunAreas { equity, positions, cache, conversions, orders, coverage, log }
}

/// The cache browser's list: the dataset table, and a status line below it.
pub fn dataset_list_areas(body: Rect) -> [Rect; 2] {
    body.layout(&Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]))
}

/// The parity screen: the list of runs to compare, and the comparison.
pub fn parity_areas(body: Rect) -> [Rect; 2] {
    // Saved runs' labels are long: the list takes up to half of a wide screen.
    let list = (body.width * 45 / 100).max(30);
    body.layout(&Layout::horizontal([Constraint::Length(list), Constraint::Fill(1)]))
}

/// The header's first line: the name, then one tab per screen (run, cache, parity).
pub const HEADER_NAME: &str = "thetabench ";
pub const TAB_LABELS: [&str; 3] = [" 1 Run ", " 2 Cache ", " 3 Parity "];

/// Which tab (0, 1, 2) the header's first line shows at `column`: the tabs
/// follow the name, one space apart.
pub fn tab_at(column: u16) -> Option<usize> {
    let mut start = HEADER_NAME.chars().count();
    for (i, label) in TAB_LABELS.iter().enumerate() {
        let end = start + label.chars().count();
        if (start..end).contains(&usize::from(column)) {
            return Some(i);
        }
        start = end + 1;
    }
    None
}

/// A centred box of at most `width`×`height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height)
}
