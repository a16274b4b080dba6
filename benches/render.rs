//! One full frame of the session screen at 200×60 into a TestBackend, from the
//! running fixture (30 sessions, a position, coverage, log). Budget: 2 ms.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use thetabench::tui::fixtures;
use thetabench::tui::theme::Theme;
use thetabench::tui::ui::draw;

fn main() {
    divan::main();
}

#[divan::bench]
fn session_screen_200x60(bencher: divan::Bencher) {
    let mut state = fixtures::running(200, 60);
    let theme = Theme::default();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    bencher.bench_local(|| {
        draw(&mut terminal, &mut state, &theme).unwrap();
    });
}
