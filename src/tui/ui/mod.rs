//! `view`: draws the state; no I/O, no clock. Panes are widgets that borrow state.
//! It reports where it drew the clickable panes, and `draw` keeps that in the
//! state for the next click.

pub mod browser;
pub mod chrome;
pub mod parity;
pub mod run;
pub mod timeline;

use ratatui::backend::Backend;
use ratatui::layout::Alignment;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::{Frame, Terminal};

use super::layout::{self, DrawnAreas};
use super::state::{Screen, State};
use super::theme::Theme;

/// Draws one frame and keeps where its panes went in `state.drawn`, so a click
/// is tested against the frame on the screen. The loop, the tests and the render
/// benchmark all draw through here.
pub fn draw<B: Backend>(terminal: &mut Terminal<B>, state: &mut State, theme: &Theme) -> Result<(), B::Error> {
    let mut drawn = DrawnAreas::Nothing;
    terminal.draw(|frame| drawn = view(state, theme, frame))?;
    state.drawn = drawn;
    Ok(())
}

pub fn view(state: &State, theme: &Theme, frame: &mut Frame) -> DrawnAreas {
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
        return DrawnAreas::Nothing;
    }
    let areas = layout::frame_areas(area);
    frame.render_widget(chrome::Header { state, theme }, areas.header);
    let drawn = match state.screen {
        Screen::Run => DrawnAreas::Run(run::render(state, theme, areas.body, frame.buffer_mut())),
        Screen::Browser => browser::render(&state.browser, theme, areas.body, frame.buffer_mut())
            .map_or(DrawnAreas::Nothing, DrawnAreas::DatasetTable),
        Screen::Parity => {
            DrawnAreas::ParityChoices(parity::render(&state.parity, theme, areas.body, frame.buffer_mut()))
        }
    };
    frame.render_widget(chrome::KeyBar { state, theme }, areas.keybar);
    if state.help {
        frame.render_widget(chrome::Help { state, theme }, area);
    }
    drawn
}
