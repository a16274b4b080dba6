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
            negative: Color::LightRed,
            warning: Color::Yellow,
            selection_fg: Color::Black,
            selection_bg: Color::Cyan,
            border: Color::DarkGray,
            border_focused: Color::Cyan,
            title: Color::White,
            cached: Color::Green,
            placeholder: Color::Yellow,
            missing: Color::LightRed,
            cursor: Color::LightMagenta,
            chart_series: vec![Color::Cyan, Color::LightMagenta, Color::Yellow],
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

    /// A colour as xterm's default palette shows it.
    fn rgb(color: Color) -> (f64, f64, f64) {
        let (r, g, b) = match color {
            Color::Rgb(r, g, b) => (r, g, b),
            Color::Black => (0, 0, 0),
            Color::Red => (205, 0, 0),
            Color::Green => (0, 205, 0),
            Color::Yellow => (205, 205, 0),
            Color::Blue => (0, 0, 238),
            Color::Magenta => (205, 0, 205),
            Color::Cyan => (0, 205, 205),
            Color::Gray => (229, 229, 229),
            Color::DarkGray => (127, 127, 127),
            Color::LightRed => (255, 0, 0),
            Color::LightGreen => (0, 255, 0),
            Color::LightYellow => (255, 255, 0),
            Color::LightBlue => (92, 92, 255),
            Color::LightMagenta => (255, 0, 255),
            Color::LightCyan => (0, 255, 255),
            Color::White => (255, 255, 255),
            other => panic!("no palette value for {other:?}"),
        };
        (f64::from(r), f64::from(g), f64::from(b))
    }

    /// WCAG 2 contrast ratio.
    fn contrast(a: Color, b: Color) -> f64 {
        let luminance = |c: Color| {
            let channel = |v: f64| {
                let v = v / 255.0;
                if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
            };
            let (r, g, b) = rgb(c);
            0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
        };
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    /// Every role a theme draws text or marks with reads at 4.5:1 or better on
    /// the background the theme is made for (black for dark themes, white for
    /// light), and the selection's text on the selection.
    #[test]
    fn every_role_is_readable_on_its_background() {
        for (name, background) in [("dark", Color::Black), ("high-contrast", Color::Black), ("light", Color::White)] {
            let t = Theme::load(name).unwrap();
            let mut roles = vec![
                ("text", t.text),
                ("muted", t.muted),
                ("accent", t.accent),
                ("positive", t.positive),
                ("negative", t.negative),
                ("warning", t.warning),
                ("border", t.border),
                ("border_focused", t.border_focused),
                ("title", t.title),
                ("cached", t.cached),
                ("placeholder", t.placeholder),
                ("missing", t.missing),
                ("cursor", t.cursor),
            ];
            roles.extend(t.chart_series.iter().map(|c| ("chart_series", *c)));
            for (role, color) in roles {
                let ratio = contrast(color, background);
                assert!(ratio >= 4.5, "{name}: {role} {color:?} on {background:?} is {ratio:.2}:1");
            }
            let ratio = contrast(t.selection_fg, t.selection_bg);
            assert!(ratio >= 4.5, "{name}: the selection's text is {ratio:.2}:1");
        }
    }

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
