//! `view`: draws the state; no I/O, no clock. Panes are widgets that borrow state.

pub mod browser;
pub mod chrome;
pub mod layout;
pub mod parity;
pub mod session;
pub mod timeline;

use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::state::{Screen, State};
use super::theme::Theme;

pub fn view(state: &State, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width < layout::MIN_WIDTH || area.height < layout::MIN_HEIGHT {
        let notice = vec![
            Line::from("terminal too small"),
            Line::from(format!("{}×{}, need {}×{}", area.width, area.height, layout::MIN_WIDTH, layout::MIN_HEIGHT)),
        ];
        let y = area.height / 2;
        let rect = ratatui::layout::Rect::new(area.x, area.y + y.saturating_sub(1), area.width, 2.min(area.height));
        frame.render_widget(
            Paragraph::new(notice).alignment(Alignment::Center).style(theme.warning_style()).wrap(Wrap { trim: true }),
            rect,
        );
        return;
    }
    let areas = layout::frame_areas(area);
    frame.render_widget(chrome::Header { state, theme }, areas.header);
    match state.screen {
        Screen::Session => session::render(state, theme, areas.body, frame.buffer_mut()),
        Screen::Browser => browser::render(&state.browser, theme, areas.body, frame.buffer_mut()),
        Screen::Parity => parity::render(&state.parity, theme, areas.body, frame.buffer_mut()),
    }
    frame.render_widget(chrome::KeyBar { state, theme }, areas.keybar);
    if state.help {
        frame.render_widget(chrome::Help { state, theme }, area);
    }
}
