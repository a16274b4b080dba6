//! The parity view's state: pick two runs (saved, or made now), then compare.

use std::path::PathBuf;

use ratatui::layout::{Margin, Position, Rect};

use super::Load;
use super::form::Form;
use crate::tui::action::{Action, Command, Effect};
use crate::tui::model::{ParityKind, ParityReport, RequestKey, SavedRun};

#[derive(Debug, Clone)]
pub struct ParityView {
    pub saved: Load<Vec<SavedRun>>,
    /// A saved run `d` was pressed on once: a second `d` deletes it.
    pub deleting: Option<PathBuf>,
    /// A saved run being named, and the name typed so far.
    pub renaming: Option<(PathBuf, String)>,
    /// Index into the choices: the two "now" entries, then saved runs.
    pub selected: usize,
    pub picked: Option<PathBuf>,
    pub report: Load<Box<ParityReport>>,
    pub trades_scroll: usize,
}

impl Default for ParityView {
    fn default() -> ParityView {
        ParityView {
            saved: Load::Idle,
            deleting: None,
            renaming: None,
            selected: 0,
            picked: None,
            report: Load::Idle,
            trades_scroll: 0,
        }
    }
}

/// The fixed choices above the saved runs.
pub const NOW_CHOICES: [&str; 2] = ["run both stores now", "cold vs warm now"];

impl ParityView {
    pub fn choice_count(&self) -> usize {
        NOW_CHOICES.len() + self.saved.loaded().map_or(0, Vec::len)
    }

    fn start(&mut self, kind: ParityKind) -> Vec<Effect> {
        self.report = Load::Loading;
        self.trades_scroll = 0;
        vec![Effect::Parity(kind)]
    }

    /// The first choice drawn in a list `height` rows tall (borders included),
    /// so that the selected one stays in view.
    pub fn first_shown(&self, height: u16) -> usize {
        self.selected.saturating_sub(usize::from(height.saturating_sub(3)))
    }

    /// A click on a choice in the `list` pane selects it (enter then opens
    /// it); returns whether it hit one.
    pub fn click(&mut self, list: Rect, column: u16, row: u16) -> bool {
        let inside = list.inner(Margin::new(1, 1));
        if !inside.contains(Position::new(column, row)) {
            return false;
        }
        let index = self.first_shown(list.height) + usize::from(row - inside.y);
        let hit = index < self.choice_count();
        if hit {
            self.selected = index;
        }
        hit
    }

    /// The saved run at choice `index`, if it is one.
    fn saved_at(&self, index: usize) -> Option<&SavedRun> {
        self.saved.loaded()?.get(index.checked_sub(NOW_CHOICES.len())?)
    }

    pub fn command(&mut self, command: Command, form: &Form) -> Vec<Effect> {
        let request = || form.request().map(|r| RequestKey(Box::new(r)));
        let last = self.choice_count().saturating_sub(1);
        let deleting = self.deleting.take();
        if let Some((dir, name)) = self.renaming.take() {
            // While naming, enter keeps the name and esc drops it.
            return match command {
                Command::Open => vec![Effect::RenameRun { dir, name: name.trim().to_string() }],
                Command::Back => vec![],
                _ => {
                    self.renaming = Some((dir, name));
                    vec![]
                }
            };
        }
        match command {
            Command::RenameRun => {
                if let Some(run) = self.saved_at(self.selected) {
                    self.renaming = Some((run.dir.clone(), String::new()));
                }
            }
            Command::DeleteRun => {
                let Some(run) = self.saved_at(self.selected).cloned() else { return vec![] };
                if deleting.as_ref() == Some(&run.dir) {
                    self.report = Load::Idle;
                    if self.picked.as_ref() == Some(&run.dir) {
                        self.picked = None;
                    }
                    return vec![Effect::DeleteRun(run.dir)];
                }
                self.report = Load::Failed(format!("d again deletes {}", run.label));
                self.deleting = Some(run.dir);
            }
            Command::ExportSvg => return self.export(),
            Command::Up => self.selected = self.selected.saturating_sub(1),
            Command::Down => self.selected = (self.selected + 1).min(last),
            Command::PageUp => self.trades_scroll = self.trades_scroll.saturating_sub(10),
            Command::PageDown => self.trades_scroll += 10,
            Command::Back => self.picked = None,
            Command::Reload => {
                self.saved = Load::Loading;
                return vec![Effect::LoadSavedRuns];
            }
            Command::ParityBothStores | Command::ParityColdWarm | Command::Open => {
                let choice = if command == Command::ParityBothStores {
                    0
                } else if command == Command::ParityColdWarm {
                    1
                } else {
                    self.selected
                };
                if choice < NOW_CHOICES.len() {
                    return match request() {
                        Ok(r) if choice == 0 => self.start(ParityKind::BothStores(r)),
                        Ok(r) => self.start(ParityKind::ColdWarm(r)),
                        Err(e) => {
                            self.report = Load::Failed(format!("the run form does not describe a valid run: {e}"));
                            vec![]
                        }
                    };
                }
                let Some(dir) = self.saved_at(choice).map(|r| r.dir.clone()) else {
                    return vec![];
                };
                match self.picked.take() {
                    None => self.picked = Some(dir),
                    Some(a) => return self.start(ParityKind::Dirs(a, dir)),
                }
            }
            _ => {}
        }
        vec![]
    }

    /// The shown comparison as an SVG overlay in run A's directory, named
    /// after run B's.
    fn export(&self) -> Vec<Effect> {
        let Load::Loaded(report) = &self.report else { return vec![] };
        let (a, b) = (&report.a, &report.b);
        let title = format!("parity: {} vs {}", a.label, b.label);
        let divergence = report.parity.first_divergence.as_ref().map(|d| d.time_et.as_str());
        let svg = crate::tui::export::parity_svg(&title, (&a.label, &a.equity), (&b.label, &b.equity), divergence);
        let name = b.dir.file_name().map_or("b".into(), |n| n.to_string_lossy().into_owned());
        vec![Effect::WriteSvg { path: a.dir.join(format!("parity-{name}.svg")), svg }]
    }

    /// Types into the name being given to a run.
    pub fn input(&mut self, c: char) {
        if let Some((_, name)) = self.renaming.as_mut() {
            name.push(c);
        }
    }

    pub fn backspace(&mut self) {
        if let Some((_, name)) = self.renaming.as_mut() {
            name.pop();
        }
    }

    /// Compares the previous run with the last one; says what is missing when
    /// there are not two finished runs yet.
    pub fn compare_runs(&mut self, runs: Option<(PathBuf, PathBuf)>) -> Vec<Effect> {
        match runs {
            Some((previous, last)) => self.start(ParityKind::Dirs(previous, last)),
            None => {
                self.report = Load::Failed("no two finished runs yet: when a run has finished, r runs it again".into());
                vec![]
            }
        }
    }

    pub fn apply(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::SavedRuns(runs) => {
                self.selected = self.selected.min(NOW_CHOICES.len() + runs.len().saturating_sub(1));
                self.saved = Load::Loaded(runs);
            }
            Action::ParityDone(Ok(report)) => self.report = Load::Loaded(report),
            Action::ParityDone(Err(e)) => self.report = Load::Failed(e),
            _ => {}
        }
        vec![]
    }
}
