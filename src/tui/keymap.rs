//! Keys to commands, per mode, from `assets/keymap.toml` (embedded) patched by
//! the user's `<config dir>/keymap.toml`. The help overlay and key bar read it.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Command;

pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Where a key is looked up: the screen's own table, then `global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    Global,
    Run,
    Browser,
    Parity,
    Form,
}

impl Mode {
    pub const ALL: [Mode; 5] = [Mode::Global, Mode::Run, Mode::Browser, Mode::Parity, Mode::Form];

    fn table(self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::Run => "run",
            Mode::Browser => "browser",
            Mode::Parity => "parity",
            Mode::Form => "form",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Mode::Global => "Everywhere",
            Mode::Run => "Run",
            Mode::Browser => "Cache browser",
            Mode::Parity => "Parity",
            Mode::Form => "Run form",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("keymap: {0}")]
    Toml(String),
    #[error("keymap: unknown mode [{0}]")]
    Mode(String),
    #[error("keymap: cannot read key {0:?}")]
    Key(String),
}

/// Bindings per mode, keyed by the normalized key name (`ctrl-c`, `enter`, `?`).
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    modes: BTreeMap<Mode, BTreeMap<String, Command>>,
}

impl Keymap {
    pub fn parse(text: &str) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap { modes: BTreeMap::new() };
        keymap.merge(text)?;
        Ok(keymap)
    }

    /// The embedded defaults patched by the user's file, if it exists.
    pub fn load() -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::parse(DEFAULT_KEYMAP)?;
        let user = directories::ProjectDirs::from("", "", "thetabench")
            .map(|dirs| dirs.config_dir().join("keymap.toml"))
            .and_then(|path| std::fs::read_to_string(path).ok());
        if let Some(text) = user {
            keymap.merge(&text)?;
        }
        Ok(keymap)
    }

    fn merge(&mut self, text: &str) -> Result<(), KeymapError> {
        let tables: BTreeMap<String, BTreeMap<String, Command>> =
            toml::from_str(text).map_err(|e| KeymapError::Toml(e.to_string()))?;
        for (table, bindings) in tables {
            let mode =
                Mode::ALL.into_iter().find(|m| m.table() == table).ok_or_else(|| KeymapError::Mode(table.clone()))?;
            for (key, command) in bindings {
                let name = normalize(&key).ok_or(KeymapError::Key(key))?;
                self.modes.entry(mode).or_default().insert(name, command);
            }
        }
        Ok(())
    }

    /// The command `key` means in `mode`, falling back to the global table.
    pub fn resolve(&self, mode: Mode, key: KeyEvent) -> Option<Command> {
        let name = key_name(key)?;
        [mode, Mode::Global].into_iter().find_map(|m| self.modes.get(&m)?.get(&name).copied())
    }

    /// `(key, command)` pairs of one mode, one line per command (keys joined).
    pub fn bindings(&self, mode: Mode) -> Vec<(String, Command)> {
        let mut by_command: Vec<(String, Command)> = Vec::new();
        for (key, command) in self.modes.get(&mode).into_iter().flatten() {
            match by_command.iter_mut().find(|(_, c)| c == command) {
                Some((keys, _)) => {
                    keys.push('/');
                    keys.push_str(key);
                }
                None => by_command.push((key.clone(), *command)),
            }
        }
        by_command.sort_by_key(|(_, c)| *c);
        by_command
    }

    /// The first key bound to `command` in `mode` or globally, for the key bar.
    pub fn key_for(&self, mode: Mode, command: Command) -> Option<&str> {
        [mode, Mode::Global].into_iter().find_map(|m| {
            self.modes.get(&m)?.iter().filter(|(_, c)| **c == command).map(|(k, _)| k.as_str()).min_by_key(|k| k.len())
        })
    }
}

/// A key as the keymap names it.
pub fn key_name(key: KeyEvent) -> Option<String> {
    let base = match key.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "enter".into(),
        KeyCode::Esc => "esc".into(),
        KeyCode::Tab => "tab".into(),
        KeyCode::BackTab => "backtab".into(),
        KeyCode::Backspace => "backspace".into(),
        KeyCode::Up => "up".into(),
        KeyCode::Down => "down".into(),
        KeyCode::Left => "left".into(),
        KeyCode::Right => "right".into(),
        KeyCode::PageUp => "pageup".into(),
        KeyCode::PageDown => "pagedown".into(),
        KeyCode::Home => "home".into(),
        KeyCode::End => "end".into(),
        KeyCode::F(n) => format!("f{n}"),
        _ => return None,
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    Some(format!("{}{}{base}", if ctrl { "ctrl-" } else { "" }, if alt { "alt-" } else { "" }))
}

fn normalize(key: &str) -> Option<String> {
    let lower = key.trim();
    if lower.is_empty() {
        return None;
    }
    let (ctrl, rest) = lower.strip_prefix("ctrl-").map_or((false, lower), |r| (true, r));
    let (alt, rest) = rest.strip_prefix("alt-").map_or((false, rest), |r| (true, r));
    let base = if rest.chars().count() == 1 { rest.to_string() } else { rest.to_ascii_lowercase() };
    Some(format!("{}{}{base}", if ctrl { "ctrl-" } else { "" }, if alt { "alt-" } else { "" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_resolve_per_mode_then_globally() {
        let keymap = Keymap::parse(DEFAULT_KEYMAP).unwrap();
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keymap.resolve(Mode::Browser, ctrl_c), Some(Command::Quit));
        assert_eq!(keymap.resolve(Mode::Run, KeyCode::Char('c').into()), Some(Command::DrillConversions));
        assert_eq!(keymap.resolve(Mode::Run, KeyCode::Char(' ').into()), Some(Command::TogglePause));
        assert_eq!(keymap.resolve(Mode::Browser, KeyCode::Char('/').into()), Some(Command::Filter));
        assert_eq!(keymap.resolve(Mode::Parity, KeyCode::Char('/').into()), None);
    }

    #[test]
    fn user_entries_patch_one_key_at_a_time() {
        let mut keymap = Keymap::parse(DEFAULT_KEYMAP).unwrap();
        keymap.merge("[global]\n\"u\" = \"quit\"\n").unwrap();
        assert_eq!(keymap.resolve(Mode::Run, KeyCode::Char('u').into()), Some(Command::Quit));
        assert_eq!(keymap.resolve(Mode::Run, KeyCode::Char('q').into()), Some(Command::Quit));
        assert!(keymap.merge("[nowhere]\n\"x\" = \"quit\"\n").is_err());
        assert!(keymap.merge("[global]\n\"x\" = \"explode\"\n").is_err());
    }
}
