//! The run form: strategy, window, cash, store and parameters, then start.

use chrono::NaiveDate;

use crate::cache::Window;
use crate::data::RepresentationKind;
use crate::engine::Account;
use crate::run::RunRequest;
use crate::strategies::names;
use crate::tui::action::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Strategy,
    Start,
    End,
    Cash,
    Store,
    Params,
    Run,
}

impl Field {
    pub const ALL: [Field; 7] =
        [Field::Strategy, Field::Start, Field::End, Field::Cash, Field::Store, Field::Params, Field::Run];

    pub fn label(self) -> &'static str {
        match self {
            Field::Strategy => "Strategy",
            Field::Start => "Start (ET)",
            Field::End => "End (ET)",
            Field::Cash => "Cash",
            Field::Store => "Store",
            Field::Params => "Parameters",
            Field::Run => "[ Start run ]",
        }
    }

    fn is_text(self) -> bool {
        matches!(self, Field::Start | Field::End | Field::Cash | Field::Params)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub open: bool,
    pub editing: bool,
    pub field: Field,
    pub strategy: usize,
    pub start: String,
    pub end: String,
    pub cash: String,
    pub store: RepresentationKind,
    /// Carried from the run file as it is; the form does not edit it.
    pub account: Account,
    /// `key=value` pairs separated by spaces.
    pub params: String,
    pub error: Option<String>,
}

impl Form {
    pub fn from_request(request: &RunRequest) -> Form {
        Form {
            open: false,
            editing: false,
            field: Field::Strategy,
            strategy: names().iter().position(|n| *n == request.strategy).unwrap_or(0),
            start: request.window.start.to_string(),
            end: request.window.end.to_string(),
            cash: format!("{}", request.cash),
            store: request.store,
            account: request.account,
            params: request.params.join(" "),
            error: None,
        }
    }

    pub fn value(&self, field: Field) -> String {
        match field {
            Field::Strategy => names()[self.strategy % names().len()].to_string(),
            Field::Start => self.start.clone(),
            Field::End => self.end.clone(),
            Field::Cash => self.cash.clone(),
            Field::Store => self.store.to_string(),
            Field::Params => self.params.clone(),
            Field::Run => String::new(),
        }
    }

    /// The request the form describes, or why it is not one.
    pub fn request(&self) -> Result<RunRequest, String> {
        let date = |s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("{s:?} is not a YYYY-MM-DD date"))
        };
        let window = Window::new(date(&self.start)?, date(&self.end)?).map_err(|e| e.to_string())?;
        let cash: f64 = self.cash.trim().parse().map_err(|_| format!("{:?} is not an amount", self.cash))?;
        let params: Vec<String> = self.params.split_whitespace().map(String::from).collect();
        let strategy = names()[self.strategy % names().len()].to_string();
        crate::strategies::check(&strategy, &params).map_err(|e| e.to_string())?;
        let iteration_timeout = crate::strategies::DEFAULT_ITERATION_TIMEOUT;
        Ok(RunRequest { strategy, params, window, cash, store: self.store, account: self.account, iteration_timeout })
    }

    fn text_mut(&mut self) -> Option<&mut String> {
        match self.field {
            Field::Start => Some(&mut self.start),
            Field::End => Some(&mut self.end),
            Field::Cash => Some(&mut self.cash),
            Field::Params => Some(&mut self.params),
            _ => None,
        }
    }

    pub fn input(&mut self, c: char) {
        if let Some(text) = self.text_mut() {
            text.push(c);
        }
    }

    pub fn backspace(&mut self) {
        if let Some(text) = self.text_mut() {
            text.pop();
        }
    }

    fn cycle(&mut self, forward: bool) {
        match self.field {
            Field::Strategy => {
                self.strategy = if forward {
                    (self.strategy + 1) % names().len()
                } else {
                    (self.strategy + names().len() - 1) % names().len()
                }
            }
            Field::Store => {
                self.store = if self.store == RepresentationKind::Columnar {
                    RepresentationKind::Rows
                } else {
                    RepresentationKind::Columnar
                }
            }
            _ => {}
        }
    }

    /// Applies a command to the form. Returns the request to run when the
    /// command presses the run button on a valid form, which also closes it.
    pub fn command(&mut self, command: Command) -> Option<RunRequest> {
        let at = Field::ALL.iter().position(|f| *f == self.field).unwrap_or(0);
        match command {
            Command::Back if self.editing => self.editing = false,
            Command::Back => self.open = false,
            Command::Up => self.field = Field::ALL[at.saturating_sub(1)],
            Command::Down | Command::FocusNext => self.field = Field::ALL[(at + 1).min(Field::ALL.len() - 1)],
            Command::ScrubLeft => self.cycle(false),
            Command::ScrubRight => self.cycle(true),
            Command::Open if self.field.is_text() => self.editing = !self.editing,
            Command::Open if self.field == Field::Run => match self.request() {
                Ok(request) => {
                    self.error = None;
                    self.open = false;
                    return Some(request);
                }
                Err(e) => self.error = Some(e),
            },
            Command::Open => self.cycle(true),
            _ => {}
        }
        None
    }
}
