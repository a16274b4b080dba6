//! The run form: strategy, window, cash, store and parameters, then start.

use chrono::NaiveDate;

use crate::cache::Window;
use crate::data::RepresentationKind;
use crate::engine::Account;
use crate::run::RunRequest;
use crate::strategies::Listing;
use crate::strategies::params::Declaration;
use crate::tui::action::Command;

/// A strategy the form offers, with the parameters it declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// What `--strategy` takes: a name, or a file's path.
    pub strategy: String,
    pub label: String,
    pub parameters: Vec<Declaration>,
    /// Why a strategy file could not be read.
    pub error: Option<String>,
}

impl Choice {
    fn from_listing(listing: &Listing) -> Choice {
        let strategy = listing.strategy().to_string();
        let label = if strategy == listing.name {
            strategy.clone()
        } else {
            format!("{} ({})", listing.name, file_name(&strategy))
        };
        Choice { strategy, label, parameters: listing.parameters.clone(), error: listing.error.clone() }
    }

    /// A strategy not listed yet (a file named by the run): its declarations come later.
    fn unlisted(strategy: &str) -> Choice {
        Choice { strategy: strategy.to_string(), label: file_name(strategy), parameters: Vec::new(), error: None }
    }

    /// `key=default` for each of its own parameters (thetabench's `fee_pct` left out).
    fn defaults(&self) -> String {
        let own = self.parameters.iter().filter(|p| p.name != "fee_pct");
        own.map(|p| format!("{}={}", p.name, p.default_text())).collect::<Vec<_>>().join(" ")
    }
}

/// The last part of a path, for labels.
pub fn file_name(strategy: &str) -> String {
    std::path::Path::new(strategy)
        .file_name()
        .map_or_else(|| strategy.to_string(), |n| n.to_string_lossy().into_owned())
}

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
    /// The strategies offered: the compiled-in ones at first, the files once listed.
    pub choices: Vec<Choice>,
    /// An index into `choices`.
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
        let mut form = Form {
            open: false,
            editing: false,
            field: Field::Strategy,
            choices: Vec::new(),
            strategy: 0,
            start: request.window.start.to_string(),
            end: request.window.end.to_string(),
            cash: format!("{}", request.cash),
            store: request.store,
            account: request.account,
            params: request.params.join(" "),
            error: None,
        };
        form.set_choices(&crate::strategies::compiled_listings(), &request.strategy);
        form
    }

    /// Replaces the strategies offered, keeping `selected` chosen (added when
    /// it is not among them).
    pub fn set_choices(&mut self, listings: &[Listing], selected: &str) {
        self.choices = listings.iter().map(Choice::from_listing).collect();
        self.strategy = match self.choices.iter().position(|c| c.strategy == selected) {
            Some(at) => at,
            None => {
                self.choices.push(Choice::unlisted(selected));
                self.choices.len() - 1
            }
        };
    }

    /// The strategy chosen.
    pub fn choice(&self) -> Option<&Choice> {
        self.choices.get(self.strategy)
    }

    /// Keys in the parameters text that the chosen strategy does not take
    /// (none while its declarations are unknown).
    pub fn unknown_keys(&self) -> Vec<String> {
        let Some(choice) = self.choice().filter(|c| !c.parameters.is_empty()) else { return Vec::new() };
        self.params
            .split_whitespace()
            .filter_map(|pair| pair.split_once('=').map(|(k, _)| k.trim().replace('-', "_")))
            .filter(|key| !choice.parameters.iter().any(|p| p.name == *key))
            .collect()
    }

    pub fn value(&self, field: Field) -> String {
        match field {
            Field::Strategy => self.choice().map_or_else(String::new, |c| c.label.clone()),
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
        let strategy = self.choice().map(|c| c.strategy.clone()).ok_or("no strategy chosen")?;
        // A listed file is checked against its listing: the form never starts a
        // process (a file not listed yet is checked by the run itself).
        let choice = self.choice();
        let known = choice.filter(|c| !c.parameters.is_empty()).map(|c| c.parameters.as_slice());
        let listed_file = crate::strategies::file_of(&strategy).is_some();
        if !listed_file || known.is_some() {
            crate::strategies::check(&strategy, &params, known).map_err(|e| e.to_string())?;
        }
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

    /// Types into the selected text field (starting to edit it); the error
    /// the last run attempt gave is cleared, since the field is being fixed.
    pub fn input(&mut self, c: char) {
        if let Some(text) = self.text_mut() {
            text.push(c);
            self.editing = true;
            self.error = None;
        }
    }

    pub fn backspace(&mut self) {
        if let Some(text) = self.text_mut() {
            text.pop();
            self.editing = true;
            self.error = None;
        }
    }

    /// Whether the selected field takes typed text.
    pub fn on_text_field(&self) -> bool {
        self.field.is_text()
    }

    fn cycle(&mut self, forward: bool) {
        match self.field {
            Field::Strategy if !self.choices.is_empty() => {
                let n = self.choices.len();
                self.strategy = if forward { (self.strategy + 1) % n } else { (self.strategy + n - 1) % n };
                // A new strategy starts from its own defaults.
                self.params = self.choices[self.strategy].defaults();
                self.error = None;
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
