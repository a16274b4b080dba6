//! Themes: TOML files of semantic roles. Built-ins are embedded; a file of the
//! same name in the user's config dir (`themes/NAME.toml`) patches one role at a time.

use std::path::PathBuf;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// Every built-in theme, by name, with its embedded TOML.
pub const BUILT_IN: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
];

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("no theme named {0:?} (built in: dark, light, high-contrast)")]
    Unknown(String),
    #[error("theme {name}: {detail}")]
    Invalid { name: String, detail: String },
}

/// A theme file as written: every role optional so a user file can patch a few.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeFile {
    pub text: Option<Color>,
    pub muted: Option<Color>,
    pub accent: Option<Color>,
    pub positive: Option<Color>,
    pub negative: Option<Color>,
    pub warning: Option<Color>,
    pub selection_fg: Option<Color>,
    pub selection_bg: Option<Color>,
    pub border: Option<Color>,
    pub border_focused: Option<Color>,
    pub title: Option<Color>,
    pub cached: Option<Color>,
    pub placeholder: Option<Color>,
    pub missing: Option<Color>,
    pub cursor: Option<Color>,
    pub chart_series: Option<Vec<Color>>,
}

/// Resolved colours the panes draw with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub text: Color,
    pub muted: Color,
    pub accent: Color,
    pub positive: Color,
    pub negative: Color,
    pub warning: Color,
    pub selection_fg: Color,
    pub selection_bg: Color,
    pub border: Color,
    pub border_focused: Color,
    pub title: Color,
    pub cached: Color,
    pub placeholder: Color,
    pub missing: Color,
    pub cursor: Color,
    pub chart_series: Vec<Color>,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme {
            text: Color::Gray,
            muted: Color::DarkGray,
            accent: Color::Cyan,
            positive: Color::Green,
            negative: Color::Red,
            warning: Color::Yellow,
            selection_fg: Color::Black,
            selection_bg: Color::Cyan,
            border: Color::DarkGray,
            border_focused: Color::Cyan,
            title: Color::White,
            cached: Color::Green,
            placeholder: Color::Yellow,
            missing: Color::Red,
            cursor: Color::Magenta,
            chart_series: vec![Color::Cyan, Color::Magenta, Color::Yellow],
        }
    }
}

impl Theme {
    fn patch(&mut self, file: ThemeFile) {
        let roles = [
            (&mut self.text, file.text),
            (&mut self.muted, file.muted),
            (&mut self.accent, file.accent),
            (&mut self.positive, file.positive),
            (&mut self.negative, file.negative),
            (&mut self.warning, file.warning),
            (&mut self.selection_fg, file.selection_fg),
            (&mut self.selection_bg, file.selection_bg),
            (&mut self.border, file.border),
            (&mut self.border_focused, file.border_focused),
            (&mut self.title, file.title),
            (&mut self.cached, file.cached),
            (&mut self.placeholder, file.placeholder),
            (&mut self.missing, file.missing),
            (&mut self.cursor, file.cursor),
        ];
        for (slot, value) in roles {
            if let Some(value) = value {
                *slot = value;
            }
        }
        if let Some(series) = file.chart_series.filter(|s| !s.is_empty()) {
            self.chart_series = series;
        }
    }

    /// Parses one theme file over the defaults.
    pub fn parse(name: &str, text: &str) -> Result<Theme, ThemeError> {
        let mut theme = Theme::default();
        theme.patch(parse_file(name, text)?);
        Ok(theme)
    }

    /// The built-in `name` (if any) patched by the user's file of that name (if any).
    pub fn load(name: &str) -> Result<Theme, ThemeError> {
        let built_in = BUILT_IN.iter().find(|(n, _)| *n == name).map(|(_, text)| *text);
        let user = user_theme_path(name).and_then(|path| std::fs::read_to_string(path).ok());
        if built_in.is_none() && user.is_none() {
            return Err(ThemeError::Unknown(name.to_string()));
        }
        let mut theme = Theme::default();
        for text in built_in.into_iter().chain(user.as_deref()) {
            theme.patch(parse_file(name, text)?);
        }
        Ok(theme)
    }

    pub fn style(&self) -> Style {
        Style::new().fg(self.text)
    }

    pub fn muted(&self) -> Style {
        Style::new().fg(self.muted)
    }

    pub fn accent(&self) -> Style {
        Style::new().fg(self.accent)
    }

    pub fn selected(&self) -> Style {
        Style::new().fg(self.selection_fg).bg(self.selection_bg)
    }

    pub fn warning_style(&self) -> Style {
        Style::new().fg(self.warning).add_modifier(Modifier::BOLD)
    }

    /// Something failed: a run, a check.
    pub fn error_style(&self) -> Style {
        Style::new().fg(self.negative).add_modifier(Modifier::BOLD)
    }

    /// A pane's border: accented when it has the focus.
    pub fn border(&self, focused: bool) -> Style {
        Style::new().fg(if focused { self.border_focused } else { self.border })
    }

    pub fn title(&self) -> Style {
        Style::new().fg(self.title).add_modifier(Modifier::BOLD)
    }

    /// Green for gains, red for losses, plain for zero.
    pub fn signed(&self, value: f64) -> Style {
        match value.partial_cmp(&0.0) {
            Some(std::cmp::Ordering::Greater) => Style::new().fg(self.positive),
            Some(std::cmp::Ordering::Less) => Style::new().fg(self.negative),
            _ => self.style(),
        }
    }

    pub fn series(&self, index: usize) -> Color {
        self.chart_series.get(index % self.chart_series.len().max(1)).copied().unwrap_or(self.accent)
    }
}

fn parse_file(name: &str, text: &str) -> Result<ThemeFile, ThemeError> {
    toml::from_str(text).map_err(|e| ThemeError::Invalid { name: name.to_string(), detail: e.to_string() })
}

fn user_theme_path(name: &str) -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "thetabench")?;
    Some(dirs.config_dir().join("themes").join(format!("{name}.toml")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses_strictly_and_sets_every_role() {
        for (name, text) in BUILT_IN {
            let file: ThemeFile = toml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(file.text.is_some() && file.cursor.is_some() && file.chart_series.is_some(), "{name}");
            Theme::load(name).unwrap();
        }
    }

    #[test]
    fn unknown_roles_and_names_are_refused() {
        assert!(matches!(Theme::parse("x", "sparkle = \"red\""), Err(ThemeError::Invalid { .. })));
        assert!(matches!(Theme::load("no-such-theme"), Err(ThemeError::Unknown(_))));
        assert_eq!(Theme::parse("x", "accent = \"#ff5555\"").unwrap().accent, Color::Rgb(0xff, 0x55, 0x55));
    }
}
