//! The cache browser's state: every dataset, a filter and sort, one dataset's
//! detail, and the eviction confirmation.

use std::path::PathBuf;

use ratatui::layout::Rect;

use super::Load;
use crate::tui::action::{Action, Command, Effect};
use crate::tui::model::{DatasetDetail, DatasetRow, RowsFrom};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Asset,
    Rows,
    Days,
    Size,
    Last,
}

impl SortKey {
    const ALL: [SortKey; 5] = [SortKey::Asset, SortKey::Rows, SortKey::Days, SortKey::Size, SortKey::Last];

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Asset => "asset",
            SortKey::Rows => "rows",
            SortKey::Days => "days",
            SortKey::Size => "size",
            SortKey::Last => "last",
        }
    }
}

/// Rows in one page of a dataset's detail (the effect loads this many).
pub const PAGE_ROWS: usize = 500;

#[derive(Debug, Clone)]
pub struct Browser {
    pub datasets: Load<Vec<DatasetRow>>,
    pub filter: String,
    pub filtering: bool,
    pub sort: SortKey,
    pub selected: usize,
    pub detail: Option<Load<Box<DatasetDetail>>>,
    pub preview_scroll: usize,
    /// A date being typed to jump the detail's rows to (`t`).
    pub jump: Option<String>,
    pub confirm_evict: Option<PathBuf>,
    pub message: Option<String>,
}

impl Default for Browser {
    fn default() -> Browser {
        Browser {
            datasets: Load::Idle,
            filter: String::new(),
            filtering: false,
            sort: SortKey::Asset,
            selected: 0,
            detail: None,
            preview_scroll: 0,
            jump: None,
            confirm_evict: None,
            message: None,
        }
    }
}

impl Browser {
    /// The rows the filter lets through, in sort order.
    pub fn visible(&self) -> Vec<&DatasetRow> {
        let Some(rows) = self.datasets.loaded() else { return vec![] };
        let needle = self.filter.to_lowercase();
        let mut rows: Vec<&DatasetRow> = rows
            .iter()
            .filter(|r| {
                let s = &r.summary;
                // An option matches by its readable name and by its OCC symbol.
                let occ = match s.asset.parse::<crate::market::Asset>() {
                    Ok(crate::market::Asset::Option(contract)) => contract.occ(),
                    _ => String::new(),
                };
                needle.is_empty()
                    || [s.asset.as_str(), occ.as_str(), s.kind, s.timestep.as_str(), s.style.as_str()]
                        .iter()
                        .any(|f| f.to_lowercase().contains(&needle))
            })
            .collect();
        match self.sort {
            SortKey::Asset => rows.sort_by(|a, b| a.summary.asset.cmp(&b.summary.asset)),
            SortKey::Rows => rows.sort_by_key(|r| std::cmp::Reverse(r.summary.rows)),
            SortKey::Days => rows.sort_by_key(|r| std::cmp::Reverse(r.summary.days)),
            SortKey::Size => rows.sort_by_key(|r| std::cmp::Reverse(r.summary.bytes)),
            SortKey::Last => rows.sort_by(|a, b| b.summary.last.cmp(&a.summary.last)),
        }
        rows
    }

    /// The first listed row and how many fit in a table `height` rows tall
    /// (borders and header take three): the selection stays in view.
    pub fn list_window(&self, height: u16) -> (usize, usize) {
        let visible = height.saturating_sub(3) as usize;
        (self.selected.saturating_sub(visible.saturating_sub(1)), visible)
    }

    /// A click on the dataset table drawn in `table` selects the row under
    /// it; returns whether it hit one.
    pub fn click(&mut self, table: Rect, row: u16) -> bool {
        if self.detail.is_some() {
            return false;
        }
        // Rows start below the border and the header.
        let (offset, visible) = self.list_window(table.height);
        let first = table.y + 2;
        let index = offset + usize::from(row.saturating_sub(first));
        let hit = row >= first && usize::from(row - first) < visible && index < self.visible().len();
        if hit {
            self.selected = index;
        }
        hit
    }

    fn selected_path(&self) -> Option<PathBuf> {
        self.visible().get(self.selected).map(|r| r.summary.sidecar.clone())
    }

    pub fn input(&mut self, c: char) {
        if let Some(jump) = self.jump.as_mut() {
            jump.push(c);
            return;
        }
        self.filter.push(c);
        self.selected = 0;
    }

    pub fn backspace(&mut self) {
        if let Some(jump) = self.jump.as_mut() {
            jump.pop();
            return;
        }
        self.filter.pop();
        self.selected = 0;
    }

    /// The loaded detail's path, first row and row count.
    fn page(&self) -> Option<(PathBuf, usize, usize, usize)> {
        let Some(Load::Loaded(d)) = &self.detail else { return None };
        Some((d.inspection.summary.sidecar.clone(), d.first_row, d.preview.len(), d.total_rows))
    }

    /// Scrolls the detail's rows, loading the next or previous page at an edge.
    fn scroll_rows(&mut self, command: Command) -> Vec<Effect> {
        let step = if matches!(command, Command::Up | Command::Down) { 1 } else { 10 };
        let down = matches!(command, Command::Down | Command::PageDown);
        let Some((path, first, shown, total)) = self.page() else { return vec![] };
        if down {
            if self.preview_scroll + step < shown {
                self.preview_scroll += step;
            } else if first + shown < total {
                self.detail = Some(Load::Loading);
                self.preview_scroll = 0;
                return vec![Effect::LoadDetail(path, RowsFrom::Row(first + shown))];
            }
        } else if self.preview_scroll >= step {
            self.preview_scroll -= step;
        } else if self.preview_scroll > 0 || first == 0 {
            self.preview_scroll = 0;
        } else {
            self.detail = Some(Load::Loading);
            self.preview_scroll = PAGE_ROWS - 1;
            return vec![Effect::LoadDetail(path, RowsFrom::Row(first.saturating_sub(PAGE_ROWS)))];
        }
        vec![]
    }

    /// While a date is typed: enter jumps the rows there, esc gives up.
    fn jump_command(&mut self, jump: String, command: Command) -> Vec<Effect> {
        match command {
            Command::Open => match chrono::NaiveDate::parse_from_str(jump.trim(), "%Y-%m-%d") {
                Ok(date) => match self.page() {
                    Some((path, ..)) => {
                        self.detail = Some(Load::Loading);
                        self.preview_scroll = 0;
                        vec![Effect::LoadDetail(path, RowsFrom::Date(date))]
                    }
                    None => vec![],
                },
                Err(_) => {
                    self.message = Some(format!("{jump:?} is not a YYYY-MM-DD date"));
                    vec![]
                }
            },
            Command::Back => vec![],
            _ => {
                self.jump = Some(jump);
                vec![]
            }
        }
    }

    pub fn command(&mut self, command: Command) -> Vec<Effect> {
        if let Some(jump) = self.jump.take() {
            return self.jump_command(jump, command);
        }
        if let Some(path) = self.confirm_evict.take() {
            // Only an explicit yes (the evict key again, or enter) evicts.
            return match command {
                Command::Evict | Command::Open => vec![Effect::Evict(path)],
                _ => vec![],
            };
        }
        let count = self.visible().len();
        match command {
            Command::Filter => self.filtering = true,
            Command::Open if self.filtering => self.filtering = false,
            Command::Back if self.filtering => {
                self.filtering = false;
                self.filter.clear();
            }
            Command::Back => self.detail = None,
            Command::CycleSort => {
                let at = SortKey::ALL.iter().position(|k| *k == self.sort).unwrap_or(0);
                self.sort = SortKey::ALL[(at + 1) % SortKey::ALL.len()];
            }
            Command::Up | Command::PageUp | Command::Down | Command::PageDown if self.detail.is_some() => {
                return self.scroll_rows(command);
            }
            Command::JumpToDate if self.page().is_some() => {
                self.message = None;
                self.jump = Some(String::new());
            }
            Command::Up => self.selected = self.selected.saturating_sub(1),
            Command::Down => self.selected = (self.selected + 1).min(count.saturating_sub(1)),
            Command::PageUp => self.selected = self.selected.saturating_sub(10),
            Command::PageDown => self.selected = (self.selected + 10).min(count.saturating_sub(1)),
            Command::Open => {
                if let Some(path) = self.selected_path() {
                    self.detail = Some(Load::Loading);
                    self.preview_scroll = 0;
                    return vec![Effect::LoadDetail(path, RowsFrom::Row(0))];
                }
            }
            Command::Evict => {
                self.confirm_evict = self.selected_path();
            }
            Command::RecheckPlaceholders => {
                let selected = self.visible().get(self.selected).map(|r| r.summary.clone());
                match selected {
                    Some(s) if s.placeholder_days > 0 => {
                        self.message =
                            Some(format!("asking the terminal again about {} placeholder days…", s.placeholder_days));
                        return vec![Effect::RecheckPlaceholders(s.sidecar)];
                    }
                    Some(_) => self.message = Some("this dataset has no placeholder days".into()),
                    None => {}
                }
            }
            Command::Verify => {
                self.message = Some("verifying every dataset…".into());
                return vec![Effect::VerifyAll];
            }
            Command::Reload => {
                self.datasets = Load::Loading;
                return vec![Effect::LoadDatasets];
            }
            _ => {}
        }
        vec![]
    }

    pub fn apply(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Datasets(Ok(rows)) => {
                self.selected = self.selected.min(rows.len().saturating_sub(1));
                self.datasets = Load::Loaded(rows);
                if self.message.as_deref().is_some_and(|m| m.starts_with("verifying")) {
                    self.message = Some("verified".into());
                }
            }
            Action::Datasets(Err(e)) => self.datasets = Load::Failed(e),
            Action::Detail(Ok(detail)) => self.detail = Some(Load::Loaded(detail)),
            Action::Detail(Err(e)) => self.detail = Some(Load::Failed(e)),
            Action::Rechecked { sidecar, outcome } => {
                self.message = Some(outcome.unwrap_or_else(|e| format!("recheck failed: {e}")));
                self.datasets = Load::Loading;
                let mut effects = vec![Effect::LoadDatasets];
                if self.detail.is_some() {
                    self.detail = Some(Load::Loading);
                    effects.push(Effect::LoadDetail(sidecar, RowsFrom::Row(0)));
                }
                return effects;
            }
            Action::Evicted(result) => {
                self.message = Some(match result {
                    Ok(moved) => format!("evicted: moved aside to {moved}"),
                    Err(e) => format!("evict failed: {e}"),
                });
                self.detail = None;
                self.datasets = Load::Loading;
                return vec![Effect::LoadDatasets];
            }
            _ => {}
        }
        vec![]
    }
}
