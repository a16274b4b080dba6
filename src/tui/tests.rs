//! Snapshots of every screen at 120×40 and 80×24, and scenarios that drive key
//! events through `handle_event`, the same entry point the loop uses.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::action::{Action, Effect};
use super::engine_thread::ControlChange;
use super::fixtures;
use super::layout::{DrawnAreas, Pane};
use super::state::run::RunStatus;
use super::state::{Load, Screen, State, handle_event, update};
use super::theme::Theme;
use super::ui::draw;

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

/// Draws `state` as the loop does, so it keeps the drawn areas clicks are tested against.
fn render(state: &mut State) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(state.width, state.height)).unwrap();
    draw(&mut terminal, state, &Theme::default()).unwrap();
    terminal
}

/// Snapshots `make` at both sizes, named `<name>_<w>x<h>`, and checks that
/// nothing is drawn outside the buffer.
fn snapshot(name: &str, make: impl Fn(u16, u16) -> State) {
    for (w, h) in SIZES {
        let terminal = render(&mut make(w, h));
        assert_eq!(terminal.backend().buffer().area.width, w);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn the_cache_pane_shows_remote_hits_only_with_a_remote() {
    let mut state = fixtures::running(120, 40);
    assert!(!render(&mut state).backend().to_string().contains("remote hits"), "no remote, no remote line");
    let m = &mut state.run.metrics;
    (m.remote.remote_gets, m.remote_hits, m.remote_misses) = (7, 5, 1);
    let text = render(&mut state).backend().to_string();
    assert!(text.contains("remote hits 5 · misses 1"), "{text}");
    assert!(text.contains("hits 60 · misses 30"), "local hits still shown: {text}");
}

#[test]
fn the_browser_marks_datasets_the_team_remote_also_holds() {
    let mut state = fixtures::browser(120, 40);
    let text = render(&mut state).backend().to_string();
    assert!(!text.contains('◆') && text.contains("4 datasets"), "{text}");
    let Load::Loaded(mut rows) = state.browser.datasets.clone() else { panic!("the fixture lists datasets") };
    rows[0].on_remote = true;
    update(&mut state, Action::Datasets(Ok(rows)));
    let text = render(&mut state).backend().to_string();
    assert!(text.contains("PLTR ◆"), "{text}");
    assert!(text.contains("4 datasets · 1 also on the team remote (◆)"), "{text}");
}

#[test]
fn session_screen_running() {
    snapshot("run_running", fixtures::running);
}

#[test]
fn session_screen_empty_while_connecting() {
    snapshot("run_connecting", fixtures::empty);
}

#[test]
fn session_screen_finished_with_a_scrubbed_cursor() {
    snapshot("run_finished", fixtures::finished);
}

#[test]
fn session_screen_shows_an_unreachable_terminal() {
    snapshot("run_unreachable", fixtures::unreachable_terminal);
    let text = render(&mut fixtures::unreachable_terminal(120, 40)).backend().to_string();
    assert!(text.contains("terminal unreachable"));
}

#[test]
fn session_form() {
    snapshot("run_form", |w, h| {
        let mut state = fixtures::running(w, h);
        press(&mut state, KeyCode::Char('e'));
        state
    });
}

#[test]
fn browser_list_and_detail() {
    snapshot("browser_list", fixtures::browser);
    snapshot("browser_detail", fixtures::browser_detail);
    snapshot("browser_loading", |w, h| {
        let mut state = fixtures::empty(w, h);
        press(&mut state, KeyCode::Char('2'));
        state
    });
}

#[test]
fn parity_identical_and_divergent() {
    snapshot("parity_identical", |w, h| fixtures::parity(w, h, true));
    snapshot("parity_divergent", |w, h| fixtures::parity(w, h, false));
    let text = render(&mut fixtures::parity(120, 40, false)).backend().to_string();
    assert!(text.contains("first divergence: trade row 2"));
    assert!(render(&mut fixtures::parity(120, 40, true)).backend().to_string().contains("identical to the last bit"));
}

#[test]
fn help_overlay() {
    snapshot("help", |w, h| {
        let mut state = fixtures::running(w, h);
        press(&mut state, KeyCode::Char('?'));
        state
    });
}

#[test]
fn too_small_notice() {
    let mut state = fixtures::running(120, 40);
    update(&mut state, Action::Resize { width: 40, height: 12 });
    let terminal = render(&mut state);
    insta::assert_snapshot!("too_small_40x12", terminal.backend());
    assert!(terminal.backend().to_string().contains("terminal too small"));
}

fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    handle_event(state, &Event::Key(KeyEvent::from(code)))
}

#[test]
fn number_keys_switch_screens_and_load_what_they_show() {
    let mut state = fixtures::running(120, 40);
    let effects = press(&mut state, KeyCode::Char('2'));
    assert_eq!(state.screen, Screen::Browser);
    assert!(matches!(effects[..], [Effect::LoadDatasets]));
    let effects = press(&mut state, KeyCode::Char('3'));
    assert_eq!(state.screen, Screen::Parity);
    assert!(matches!(effects[..], [Effect::LoadSavedRuns]));
    assert!(press(&mut state, KeyCode::Char('3')).is_empty(), "loads once");
    press(&mut state, KeyCode::Char('1'));
    assert_eq!(state.screen, Screen::Run);
}

#[test]
fn pause_and_single_step_reach_the_engine() {
    let mut state = fixtures::running(120, 40);
    let effects = press(&mut state, KeyCode::Char(' '));
    assert!(state.run.paused);
    assert!(matches!(effects[..], [Effect::Control(ControlChange::Pause(true))]));
    let effects = press(&mut state, KeyCode::Char('s'));
    assert!(matches!(effects[..], [Effect::Control(ControlChange::Pause(true)), Effect::Control(ControlChange::Step)]));
    let effects = press(&mut state, KeyCode::Char('-'));
    assert!(matches!(effects[..], [Effect::Control(ControlChange::Pace(Some(25.0)))]));
    press(&mut state, KeyCode::Char(' '));
    assert!(!state.run.paused);
}

#[test]
fn help_opens_swallows_keys_and_closes() {
    let mut state = fixtures::running(120, 40);
    press(&mut state, KeyCode::Char('?'));
    assert!(state.help);
    assert!(press(&mut state, KeyCode::Char('2')).is_empty());
    assert_eq!(state.screen, Screen::Run);
    press(&mut state, KeyCode::Esc);
    assert!(!state.help);
}

#[test]
fn ctrl_c_and_q_quit_and_cancel_the_run() {
    let mut state = fixtures::running(120, 40);
    let effects = handle_event(&mut state, &Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)));
    assert!(matches!(effects[..], [Effect::Control(ControlChange::Cancel), Effect::Quit]));
    let mut state = fixtures::browser(120, 40);
    press(&mut state, KeyCode::Char('/'));
    // While filtering, q is typed, not a quit; ctrl-c still quits.
    assert!(press(&mut state, KeyCode::Char('q')).is_empty());
    assert_eq!(state.browser.filter, "q");
}

#[test]
fn the_browser_filter_narrows_the_list() {
    let mut state = fixtures::browser(120, 40);
    assert_eq!(state.browser.visible().len(), 4);
    press(&mut state, KeyCode::Char('/'));
    for c in "pltr".chars() {
        press(&mut state, KeyCode::Char(c));
    }
    press(&mut state, KeyCode::Enter);
    assert!(!state.browser.filtering);
    let assets: Vec<&str> = state.browser.visible().iter().map(|r| r.summary.asset.as_str()).collect();
    assert_eq!(assets, ["PLTR", "PLTR 2025-04-18 91 C"]);
    press(&mut state, KeyCode::Char('o'));
    assert_eq!(state.browser.visible()[0].summary.rows, 15_600, "sorted by rows, largest first");
    insta::assert_snapshot!("browser_filtered_120x40", render(&mut state).backend());

    // An option is found by its OCC symbol too.
    state.browser.filter = "pltr250418c".into();
    let assets: Vec<&str> = state.browser.visible().iter().map(|r| r.summary.asset.as_str()).collect();
    assert_eq!(assets, ["PLTR 2025-04-18 91 C"]);
}

#[test]
fn eviction_asks_first_and_only_yes_evicts() {
    let mut state = fixtures::browser(120, 40);
    assert!(press(&mut state, KeyCode::Char('d')).is_empty());
    assert!(state.browser.confirm_evict.is_some());
    assert!(render(&mut state).backend().to_string().contains("Move this dataset out of the cache?"));
    assert!(press(&mut state, KeyCode::Char('j')).is_empty(), "any other key keeps it");
    assert!(state.browser.confirm_evict.is_none());
    press(&mut state, KeyCode::Char('d'));
    let effects = press(&mut state, KeyCode::Char('d'));
    assert!(
        matches!(&effects[..], [Effect::Evict(path)] if path.ends_with("2.json")),
        "the first row sorted by asset is HIMS"
    );
    let effects = update(&mut state, Action::Evicted(Ok("/cache/quarantine/0".into())));
    assert!(matches!(effects[..], [Effect::LoadDatasets]));
    assert!(matches!(state.browser.datasets, Load::Loading));
}

#[test]
fn placeholders_are_rechecked_from_the_browser() {
    let mut state = fixtures::browser(120, 40);
    assert!(press(&mut state, KeyCode::Char('p')).is_empty(), "HIMS has no placeholder days");
    assert_eq!(state.browser.message.as_deref(), Some("this dataset has no placeholder days"));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    let effects = press(&mut state, KeyCode::Char('p'));
    let [Effect::RecheckPlaceholders(path)] = &effects[..] else { panic!("{effects:?}") };
    assert!(path.ends_with("1.json"), "the option row holds a placeholder day: {path:?}");
    let answer =
        Action::Rechecked { sidecar: path.clone(), outcome: Ok("PLTR: 1 of 1 placeholder days now have data".into()) };
    let effects = update(&mut state, answer);
    assert!(matches!(effects[..], [Effect::LoadDatasets]));
    assert_eq!(state.browser.message.as_deref(), Some("PLTR: 1 of 1 placeholder days now have data"));
}

#[test]
fn opening_a_dataset_asks_for_its_detail() {
    let mut state = fixtures::browser(120, 40);
    press(&mut state, KeyCode::Down);
    let effects = press(&mut state, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::LoadDetail(path, _)] if path.ends_with("0.json")),
        "the second row sorted by asset is PLTR"
    );
    press(&mut state, KeyCode::Esc);
    assert!(state.browser.detail.is_none());
}

#[test]
fn the_form_edits_the_request_and_starts_again() {
    let mut state = fixtures::finished(120, 40);
    press(&mut state, KeyCode::Char('e'));
    assert!(state.form.open);
    press(&mut state, KeyCode::Right); // next strategy
    for _ in 0..3 {
        press(&mut state, KeyCode::Down);
    }
    press(&mut state, KeyCode::Enter); // edit cash
    for _ in 0..state.form.cash.len() {
        press(&mut state, KeyCode::Backspace);
    }
    for c in "5000".chars() {
        press(&mut state, KeyCode::Char(c));
    }
    press(&mut state, KeyCode::Enter);
    for _ in 0..3 {
        press(&mut state, KeyCode::Down);
    }
    let effects = press(&mut state, KeyCode::Enter);
    let started = effects.iter().find_map(|e| match e {
        Effect::StartRun(request) => Some(request.clone()),
        _ => None,
    });
    let request = started.expect("a run starts");
    assert_eq!(request.strategy, "buy-and-hold");
    assert_eq!(request.cash, 5000.0);
    assert!(!state.form.open);
    assert_eq!(state.run.status, RunStatus::Running);
    assert!(state.run.equity.is_empty());
}

#[test]
fn scrubbing_moves_the_cursor_only_after_the_run() {
    let mut state = fixtures::running(120, 40);
    press(&mut state, KeyCode::Left);
    assert_eq!(state.run.scrub, None);
    let mut state = fixtures::finished(120, 40);
    press(&mut state, KeyCode::Left);
    assert_eq!(state.run.scrub, Some(18));
}

#[test]
fn a_click_focuses_the_pane_under_it() {
    let mut state = fixtures::running(120, 40);
    render(&mut state);
    let DrawnAreas::Run(areas) = state.drawn else { panic!("the run screen drew {:?}", state.drawn) };
    handle_event(
        &mut state,
        &Event::Mouse(crossterm::event::MouseEvent {
            kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
            column: areas.log.x + 2,
            row: areas.log.y + 1,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert_eq!(state.run.focus, Pane::Log);
}

#[test]
fn positions_carry_average_cost_and_unrealized_pnl() {
    let state = fixtures::running(120, 40);
    let position = &state.run.positions[0];
    assert_eq!(position.quantity, 10);
    assert_eq!(position.average_cost, 3.5);
    assert!((position.unrealized - (position.mark - 3.5) * 1000.0).abs() < 1e-9);
    assert_eq!(state.run.progress, (30, 43));
    assert_eq!(state.run.hit_history.len(), 30);
}

#[test]
fn clicking_a_dataset_row_selects_it() {
    let mut state = fixtures::browser(120, 40);
    let screen = render(&mut state).backend().to_string();
    let row = screen.lines().position(|l| l.contains("PLTR 2025-04-18 91 C")).unwrap() as u16;
    let click = |row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 5,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    handle_event(&mut state, &click(row));
    assert_eq!(state.browser.selected, 2, "rows sort HIMS, PLTR, the PLTR option, ^SPX");
    handle_event(&mut state, &click(2));
    assert_eq!(state.browser.selected, 2, "a click on the border or header selects nothing");
    let effects = handle_event(&mut state, &Event::Key(KeyEvent::from(KeyCode::Enter)));
    assert!(matches!(&effects[..], [Effect::LoadDetail(_, _)]));
}

#[test]
fn a_double_click_opens_a_dataset_or_picks_a_run() {
    let mut state = fixtures::browser(120, 40);
    let screen = render(&mut state).backend().to_string();
    let option = screen.lines().position(|l| l.contains("PLTR 2025-04-18 91 C")).unwrap() as u16;
    let start = std::time::Instant::now();
    let click = |state: &mut State, row: u16, after_ms: u64| {
        let at = start + std::time::Duration::from_millis(after_ms);
        update(state, Action::Click { column: 5, row, at })
    };
    assert!(click(&mut state, option - 1, 0).is_empty());
    assert!(click(&mut state, option, 100).is_empty(), "two rows are two single clicks");
    assert!(click(&mut state, option, 600).is_empty(), "500 ms apart is not a double click");
    assert!(matches!(&click(&mut state, option, 800)[..], [Effect::LoadDetail(_, _)]), "a double click opens");
    assert_eq!(state.browser.selected, 2);

    let mut state = fixtures::parity(120, 40, true);
    let screen = render(&mut state).backend().to_string();
    let run = screen.lines().position(|l| l.contains("01-01 09:00 weekly-momentum")).unwrap() as u16;
    click(&mut state, run, 0);
    click(&mut state, run, 200);
    assert!(state.parity.picked.is_some(), "a double click on a saved run picks it as run A, as enter does");
}

#[test]
fn x_in_the_parity_view_exports_the_overlay_beside_run_a() {
    let mut state = fixtures::parity(120, 40, false);
    let effects = handle_event(&mut state, &Event::Key(KeyEvent::from(KeyCode::Char('x'))));
    let [Effect::WriteSvg { path, svg }] = &effects[..] else { panic!("x writes an SVG: {effects:?}") };
    assert_eq!(path, &std::path::Path::new("/runs/columnar-store/parity-rows-store.svg"));
    assert!(svg.contains("first divergence") && svg.matches("<polyline").count() == 2, "{svg}");
}

/// The key bar (the bottom row) at `width`, without its trailing padding.
fn key_bar(state: &mut State) -> String {
    let buffer = render(state).backend().buffer().clone();
    let y = buffer.area.height - 1;
    let row: String = (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect();
    row.trim_end().to_string()
}

#[test]
fn the_key_bar_shows_whole_hints_at_every_width() {
    let full = key_bar(&mut fixtures::running(400, 40));
    assert!(full.ends_with("parity"), "a wide bar shows every hint: {full}");
    for width in 60..=200 {
        let bar = key_bar(&mut fixtures::running(width, 40));
        let rest = full.strip_prefix(bar.as_str()).unwrap_or_else(|| panic!("{width}: {bar:?} is not {full:?}"));
        // Descriptions never hold two spaces in a row, so this is a hint boundary.
        assert!(rest.is_empty() || rest.starts_with("  "), "{width}: a hint is cut in {bar:?}");
    }
}

#[test]
fn clicking_a_run_in_the_parity_list_selects_it() {
    let mut state = fixtures::parity(120, 40, true);
    let screen = render(&mut state).backend().to_string();
    let row = screen.lines().position(|l| l.contains("01-01 09:00 weekly-momentum")).unwrap() as u16;
    let click = |column, row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    handle_event(&mut state, &click(5, row));
    assert_eq!(state.parity.selected, 2, "the two \"now\" choices come first, then saved runs");
    handle_event(&mut state, &click(5, row - 1));
    assert_eq!(state.parity.selected, 1);
    handle_event(&mut state, &click(5, row + 5));
    assert_eq!(state.parity.selected, 1, "a click below the last choice selects nothing");
    handle_event(&mut state, &click(60, row));
    assert_eq!(state.parity.selected, 1, "a click on the comparison is not a choice");
    let effects = handle_event(&mut state, &Event::Key(KeyEvent::from(KeyCode::Enter)));
    assert!(!effects.is_empty(), "enter runs the chosen comparison");
}

/// The form offers the strategy files once listed, prefills a strategy's
/// defaults when it is chosen, and flags keys it does not take.
#[test]
fn the_form_lists_strategy_files_and_flags_unknown_parameters() {
    use crate::strategies::params::{Declaration, ParamType};
    let mut state = fixtures::running(120, 40);
    let effects = update(&mut state, Action::Command(super::action::Command::EditRun));
    assert!(matches!(effects.as_slice(), [Effect::LoadStrategies(None)]), "{effects:?}");
    let mut listings = crate::strategies::compiled_listings();
    listings.push(crate::strategies::Listing {
        name: "mine".into(),
        source: "strategies/mine.py".into(),
        parameters: vec![Declaration {
            name: "fast".into(),
            kind: ParamType::Int,
            default: 10.into(),
            help: "bars".into(),
        }],
        error: None,
    });
    update(&mut state, Action::Strategies(listings));
    assert_eq!(state.form.value(super::state::form::Field::Strategy), "weekly-momentum", "the choice is kept");
    for _ in 0..3 {
        update(&mut state, Action::Command(super::action::Command::ScrubRight));
    }
    assert_eq!(state.form.value(super::state::form::Field::Strategy), "mine (mine.py)");
    assert_eq!(state.form.params, "fast=10", "its defaults, prefilled");
    state.form.params.push_str(" colour=red");
    assert_eq!(state.form.unknown_keys(), ["colour"]);
    let screen = render(&mut state).backend().to_string();
    assert!(screen.contains("unknown: colour · it takes fast"), "{screen}");
    let err = state.form.request().unwrap_err();
    assert!(err.contains("strategy file strategies/mine.py does not exist"), "{err}");
}

/// An edit to the running strategy's file is noticed at the next look, not
/// at the first (which only sets the baseline); a new run starts afresh.
#[test]
fn an_edited_strategy_file_is_flagged_until_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.py");
    std::fs::write(&file, "").unwrap();
    let mut state = fixtures::running(120, 40);
    let mut request = state.run.request.clone();
    request.strategy = file.display().to_string();
    let effects = state.run.start(Ok(request.clone()));
    assert!(effects.iter().any(|e| matches!(e, Effect::WatchStrategy(p) if *p == file)), "{effects:?}");
    let seen = |secs| Action::StrategyFile {
        path: file.clone(),
        modified: Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)),
    };
    update(&mut state, seen(1));
    update(&mut state, seen(1));
    assert!(!state.run.strategy_changed());
    update(&mut state, seen(2));
    assert!(state.run.strategy_changed());
    let screen = render(&mut state).backend().to_string();
    assert!(screen.contains("mine.py changed: r runs the new code"), "{screen}");
    state.run.start(Ok(request));
    assert!(!state.run.strategy_changed());
}

#[test]
fn comparing_with_the_previous_run_needs_two_finished_runs() {
    let mut state = fixtures::running(120, 40);
    let effects = update(&mut state, Action::Command(super::action::Command::ParityPrevious));
    assert!(matches!(effects.as_slice(), [Effect::LoadSavedRuns]), "the list of runs is read: {effects:?}");
    assert_eq!(state.screen, Screen::Parity);
    assert!(matches!(&state.parity.report, Load::Failed(why) if why.contains("no two finished runs yet")));

    let finished = |dir: &str| Action::RunFinished {
        summary: crate::tui::model::RunSummary {
            final_value: 1.0,
            total_return: 0.0,
            max_drawdown: 0.0,
            sharpe: 0.0,
            trades: 0,
            run_dir: Some(dir.into()),
        },
    };
    update(&mut state, finished("runs/a"));
    let request = state.run.request.clone();
    state.run.start(Ok(request));
    update(&mut state, finished("runs/b"));
    let effects = update(&mut state, Action::Command(super::action::Command::ParityPrevious));
    assert!(
        matches!(effects.as_slice(), [Effect::Parity(crate::tui::model::ParityKind::Dirs(a, b))] if a.ends_with("runs/a") && b.ends_with("runs/b")),
        "{effects:?}"
    );
}

/// A strategy's traceback is shown whole, its lines kept, the keys still on view.
#[test]
fn a_failed_run_shows_the_strategy_traceback() {
    let mut state = fixtures::running(120, 40);
    let traceback = "strategy mine at 2025-06-02 09:30 -04:00: Traceback (most recent call last):\n  \
                     File \"strategies/mine.py\", line 12, in on_trading_iteration\n    return 1 / 0\n\
                     ZeroDivisionError: division by zero";
    update(&mut state, Action::RunFailed(traceback.into()));
    let screen = render(&mut state).backend().to_string();
    for line in ["File \"strategies/mine.py\", line 12, in on_trading_iteration", "ZeroDivisionError: division by zero"]
    {
        assert!(screen.contains(line), "{line} in\n{screen}");
    }
    assert!(screen.contains("r runs again · e edits the run"), "{screen}");
}

/// Space and `s` act on a run in progress only: a finished run starts again
/// with `r`, never by a stray key (which would also save a new run).
#[test]
fn a_finished_run_restarts_only_on_r() {
    let mut state = fixtures::finished(120, 40);
    for key in [KeyCode::Char(' '), KeyCode::Char('s')] {
        assert!(press(&mut state, key).is_empty(), "{key:?} started something");
        assert!(matches!(state.run.status, RunStatus::Finished(_)));
    }
    let effects = press(&mut state, KeyCode::Char('r'));
    assert!(effects.iter().any(|e| matches!(e, Effect::StartRun(_))), "{effects:?}");
}

/// The open form has the keyboard: digits and letters go to its text field,
/// not to the screen switches or the key map.
#[test]
fn typing_in_the_open_form_stays_in_the_form() {
    let mut state = fixtures::running(120, 40);
    state.form.open = true;
    state.form.field = super::state::form::Field::Cash;
    state.form.cash.clear();
    state.form.error = Some("\"\" is not an amount".into());
    for c in ['2', '5', '0', '0', 'q'] {
        press(&mut state, KeyCode::Char(c));
    }
    assert_eq!(state.screen, Screen::Run, "2 did not switch screens");
    assert!(!state.quitting, "q was typed, not obeyed");
    assert_eq!(state.form.cash, "2500q");
    assert_eq!(state.form.error, None, "the error clears once the field is edited");
    press(&mut state, KeyCode::Backspace);
    assert_eq!(state.form.cash, "2500");
}

/// Arrows and page keys scroll the focused pane, and only it.
#[test]
fn arrows_scroll_the_focused_pane() {
    let mut state = fixtures::finished(120, 40);
    state.run.coverage = (0..30).flat_map(|_| state.run.coverage.clone()).take(30).collect();
    state.run.focus = Pane::Equity;
    press(&mut state, KeyCode::Up);
    assert_eq!((state.run.orders_scroll, state.run.coverage_scroll, state.log_scroll), (0, 0, 0));
    state.run.focus = Pane::Coverage;
    press(&mut state, KeyCode::PageDown);
    assert_eq!((state.run.orders_scroll, state.run.coverage_scroll), (0, 10));
    let screen = render(&mut state).backend().to_string();
    assert!(screen.contains("Coverage (ET) 11–"), "the title says which rows show: {screen}");
    state.run.focus = Pane::Orders;
    press(&mut state, KeyCode::Up);
    assert_eq!((state.run.orders_scroll, state.run.coverage_scroll), (1, 10));
}

/// While data is fetched the status line says what, how far, and how many
/// requests are out; a terminal that refuses connections is named at once.
#[test]
fn the_status_line_shows_fetch_progress_and_refused_connections() {
    let mut state = fixtures::running(120, 40);
    let mut live = state.run.metrics.clone();
    live.in_flight = 2;
    live.fetching = vec![crate::metrics::Fetching { dataset: "HOOD 1d ohlc".into(), days: 14, done: 3 }];
    live.errors.clear();
    update(&mut state, Action::LiveMetrics(live.clone()));
    let screen = render(&mut state).backend().to_string();
    assert!(screen.contains("fetching HOOD 1d ohlc · 3/14 days · 2 in flight"), "{screen}");
    assert_eq!(state.run.metrics, live, "the counters follow the live ones");

    live.errors.insert("connect".into(), 3);
    update(&mut state, Action::LiveMetrics(live));
    let screen = render(&mut state).backend().to_string();
    assert!(screen.contains("the terminal refuses connections (3 attempts): is it running?"), "{screen}");
}

/// Saved runs are named by when and what, newest first, and `d` twice deletes one.
#[test]
fn saved_runs_read_newest_first_and_delete_on_a_second_d() {
    let runs = tempfile::tempdir().unwrap();
    for (name, created, strategy, final_value) in [
        ("a", "2026-11-30T10:00:00Z", "sma-cross", 98_443.28),
        ("b", "2026-12-01T08:20:00Z", "/home/me/strategies/mine.py", 101_000.5),
    ] {
        let dir = runs.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        let manifest = serde_json::json!({
            "strategy": strategy, "params": {}, "start": "2025-06-02", "end": "2025-06-27", "cash": 100000.0,
            "store": "columnar", "source": "sim", "cache_fingerprint": "", "thetabench_version": "0", "created": created,
        });
        std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
        let stats = crate::run::artifacts::Stats {
            performance: crate::run::Performance {
                initial_value: 100_000.0,
                final_value,
                total_return: 0.0,
                cagr: 0.0,
                max_drawdown: 0.0,
                sharpe: 0.0,
                trades: 1,
                win_rate: 0.0,
            },
            network_requests: 0,
            cache_hits: 0,
            cache_misses: 0,
            hit_ratio: 0.0,
            remote: Default::default(),
            conversions: Default::default(),
            elapsed_ms: 0,
        };
        std::fs::write(dir.join("stats.json"), serde_json::to_string(&stats).unwrap()).unwrap();
    }
    let Action::SavedRuns(listed) = super::effects::saved_runs(runs.path()) else { panic!("saved runs") };
    let labels: Vec<&str> = listed.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "12-01 03:20 mine.py 2025-06-02..06-27 $100,000 → 101,000.50 columnar",
            "11-30 05:00 sma-cross 2025-06-02..06-27 $100,000 → 98,443.28 columnar",
        ]
    );

    let mut state = fixtures::parity(120, 40, true);
    update(&mut state, Action::SavedRuns(listed));
    state.parity.selected = 2;
    // m names a run: typed keys go to the name, enter keeps it.
    press(&mut state, KeyCode::Char('m'));
    for c in "baseline 2".chars() {
        press(&mut state, KeyCode::Char(c));
    }
    assert_eq!(state.screen, Screen::Parity, "2 was typed into the name");
    let effects = press(&mut state, KeyCode::Enter);
    let [Effect::RenameRun { dir, name }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(name, "baseline 2");
    let Action::SavedRuns(named) = super::effects::rename_run(dir, name) else { panic!("the list again") };
    assert!(named[0].label.starts_with("12-01 03:20 baseline 2 2025-06-02..06-27"), "{}", named[0].label);
    update(&mut state, Action::SavedRuns(named));
    assert!(press(&mut state, KeyCode::Char('d')).is_empty(), "the first d only asks");
    assert!(matches!(&state.parity.report, Load::Failed(m) if m.starts_with("d again deletes 12-01 03:20 baseline 2")));
    let effects = press(&mut state, KeyCode::Char('d'));
    let [Effect::DeleteRun(dir)] = effects.as_slice() else { panic!("{effects:?}") };
    assert!(dir.ends_with("b"));
    let Action::SavedRuns(left) = super::effects::delete_run(dir) else { panic!("the list again") };
    assert_eq!(left.len(), 1);
    assert!(!runs.path().join("b").exists() && runs.path().join("a").exists());
}

/// WARN and ERROR log lines stand out from INFO in the log pane.
#[test]
fn warnings_and_errors_stand_out_in_the_log() {
    let mut state = fixtures::running(120, 40);
    state.log.push("WARN  [CACHE QUARANTINE] HIMS 1m ohlc: a contradiction".into());
    state.log.push("ERROR the run failed".into());
    state.log.push("INFO  [CACHE HIT] PLTR".into());
    let terminal = render(&mut state);
    let buffer = terminal.backend().buffer();
    let theme = Theme::default();
    let fg_of = |text: &str| {
        let area = buffer.area;
        (area.top()..area.bottom())
            .find_map(|y| {
                let line: String = (area.left()..area.right()).map(|x| buffer[(x, y)].symbol()).collect();
                line.find(text).map(|at| buffer[(area.left() + line[..at].chars().count() as u16, y)].fg)
            })
            .unwrap_or_else(|| panic!("{text} is on screen"))
    };
    assert_eq!(fg_of("WARN  [CACHE QUARANTINE]"), theme.warning);
    assert_eq!(fg_of("ERROR the run failed"), theme.negative);
    assert_eq!(fg_of("INFO  [CACHE HIT] PLTR"), theme.text);
}

/// `z` gives the focused pane the whole screen and back; esc restores too.
#[test]
fn z_maximizes_the_focused_pane() {
    let mut state = fixtures::running(120, 40);
    state.run.focus = Pane::Log;
    press(&mut state, KeyCode::Char('z'));
    assert!(state.run.maximized);
    render(&mut state);
    let DrawnAreas::Run(areas) = state.drawn else { panic!("the run screen drew {:?}", state.drawn) };
    assert!(areas.equity.is_empty() && areas.orders.is_empty());
    assert_eq!((areas.log.width, areas.log.height), (120, 37), "the log has the body to itself");
    press(&mut state, KeyCode::Esc);
    assert!(!state.run.maximized);
    press(&mut state, KeyCode::Char('z'));
    press(&mut state, KeyCode::Char('z'));
    assert!(!state.run.maximized);
}

/// `/` searches the orders and the log: keys type the search, enter keeps it,
/// esc clears it, and the titles say how many lines match.
#[test]
fn slash_searches_orders_and_log() {
    let mut state = fixtures::running(120, 40);
    state.log.push("INFO  [CACHE HIT] HIMS 1m ohlc".into());
    state.log.push("INFO  [CACHE HIT] PLTR 1m ohlc".into());
    let screen = render(&mut state).backend().to_string();
    assert!(screen.contains("[CACHE HIT] PLTR 1m ohlc") && screen.contains("FILLED #1"), "{screen}");
    press(&mut state, KeyCode::Char('/'));
    for c in "hims".chars() {
        press(&mut state, KeyCode::Char(c));
    }
    assert_eq!(state.screen, Screen::Run, "typing stays in the search");
    press(&mut state, KeyCode::Enter);
    assert!(!state.run.search.typing);
    let screen = render(&mut state).backend().to_string();
    assert!(screen.contains("Log · /hims (1)"), "{screen}");
    assert!(screen.contains("[CACHE HIT] HIMS 1m ohlc"));
    assert!(!screen.contains("[CACHE HIT] PLTR"), "other lines are hidden");
    assert!(!screen.contains("FILLED #1") && screen.contains("Orders and fills · /hims (0)"), "{screen}");
    press(&mut state, KeyCode::Esc);
    assert_eq!(state.run.search, super::state::run::Search::default());
}

/// After the run the cursor moves by session, by week and to the next trade,
/// and the positions and orders follow it.
#[test]
fn the_cursor_moves_by_week_and_trade_and_positions_follow() {
    let mut state = fixtures::finished(120, 40);
    state.run.scrub = None;
    let last = state.run.equity.len() - 1;
    press(&mut state, KeyCode::Char('['));
    assert_eq!(state.run.scrub, Some(last - 5));
    press(&mut state, KeyCode::Char(']'));
    assert_eq!(state.run.scrub, Some(last));
    state.run.scrub = Some(0);
    assert!(state.run.shown_positions().is_empty(), "nothing held at the first close");
    assert!(state.run.shown_orders().is_empty(), "no order before the first close");
    press(&mut state, KeyCode::Char('n'));
    let at = state.run.scrub.unwrap();
    assert!(at > 0, "the next trade is after the first session");
    let day = crate::market::time::et_date(state.run.equity[at].0);
    assert!(state.run.fill_days.contains(&day));
    assert!(!state.run.shown_orders().is_empty(), "the fill is shown once the cursor reaches it");
    press(&mut state, KeyCode::Esc);
    assert_eq!(state.run.scrub, None);
    assert_eq!(state.run.shown_positions(), state.run.positions.as_slice());
}

/// `x` writes the finished run's chart next to its artifacts; `y` copies its
/// path; neither does anything before the run has a directory.
#[test]
fn x_exports_the_chart_and_y_copies_the_path_of_a_finished_run() {
    let mut state = fixtures::running(120, 40);
    assert!(press(&mut state, KeyCode::Char('x')).is_empty(), "a running run has no directory yet");
    let mut state = fixtures::finished(120, 40);
    let dir = state.run.finished_dir().cloned().expect("the fixture's run was saved");
    let effects = press(&mut state, KeyCode::Char('x'));
    let [Effect::WriteSvg { path, svg }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(path, &dir.join("equity.svg"));
    assert_eq!(svg.matches("<polyline").count(), 2);
    let effects = press(&mut state, KeyCode::Char('y'));
    assert!(matches!(effects.as_slice(), [Effect::CopyToClipboard(p)] if *p == dir.display().to_string()));
}

/// A dataset's rows page past the first 500 and jump to a date.
#[test]
fn dataset_rows_page_through_and_jump_to_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let sim = crate::terminal::SimConfig::default();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let sidecar = runtime.block_on(async {
        let server = crate::terminal::spawn(sim).await.unwrap();
        let metrics = std::sync::Arc::new(crate::metrics::Metrics::default());
        let config = crate::thetadata::ClientConfig { base_url: server.base_url(), ..Default::default() };
        let cache = crate::cache::Cache::new(
            dir.path(),
            crate::thetadata::ThetaClient::new(config, metrics.clone()).unwrap(),
            metrics,
        );
        let key = crate::cache::DatasetKey::new(
            crate::market::Asset::stock("PLTR").unwrap(),
            crate::market::Timestep::Minute,
            crate::market::DataStyle::Ohlc,
        );
        let window = crate::cache::Window::new("2025-03-03".parse().unwrap(), "2025-03-07".parse().unwrap()).unwrap();
        cache.get(&key, window).await.unwrap();
        cache.store().sidecar_path(&key)
    });
    let store = crate::cache::Store::new(dir.path());
    let load = |from| match super::effects::detail(&store, &sidecar, from) {
        Action::Detail(Ok(detail)) => detail,
        other => panic!("{other:?}"),
    };
    let first = load(crate::tui::model::RowsFrom::Row(0));
    assert_eq!((first.first_row, first.preview.len(), first.total_rows), (0, 500, 1950));
    let last = load(crate::tui::model::RowsFrom::Row(1500));
    assert_eq!((last.first_row, last.preview.len()), (1500, 450));
    assert!(last.preview.last().unwrap()[0].starts_with("2025-03-07 15:59"));
    let thursday = load(crate::tui::model::RowsFrom::Date("2025-03-06".parse().unwrap()));
    assert_eq!(thursday.first_row, 3 * 390);
    assert!(thursday.preview[0][0].starts_with("2025-03-06 09:30"), "{:?}", thursday.preview[0]);

    // The keys: pgdn at the end of a page loads the next one; t types a date.
    let mut state = fixtures::browser_detail(120, 40);
    update(&mut state, Action::Detail(Ok(first)));
    state.browser.preview_scroll = 495;
    let effects = press(&mut state, KeyCode::PageDown);
    assert!(matches!(&effects[..], [Effect::LoadDetail(_, crate::tui::model::RowsFrom::Row(500))]), "{effects:?}");
    update(&mut state, Action::Detail(Ok(last)));
    press(&mut state, KeyCode::Char('t'));
    for c in "2025-03-06".chars() {
        press(&mut state, KeyCode::Char(c));
    }
    let effects = press(&mut state, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::LoadDetail(_, crate::tui::model::RowsFrom::Date(d))] if d.to_string() == "2025-03-06"),
        "{effects:?}"
    );
}

/// At 80 columns the conversions pane keeps every count whole.
#[test]
fn conversion_counts_are_never_cut() {
    let mut state = fixtures::running(80, 24);
    let screen = render(&mut state).backend().to_string();
    for (kind, count) in &state.run.metrics.conversions {
        let line = screen.lines().find(|l| l.contains(kind.as_str())).unwrap_or_else(|| panic!("{kind:?}: {screen}"));
        assert!(line.contains(&format!(" {}│", count.count)), "{kind:?} {}: {line}", count.count);
    }
}

/// A click on a header tab switches to its screen, as its key does.
#[test]
fn header_tabs_respond_to_clicks() {
    let mut state = fixtures::running(120, 40);
    let screen = render(&mut state).backend().to_string();
    let header = screen.lines().next().unwrap().trim_matches('"').to_string();
    let click = |state: &mut State, label: &str| {
        let column = header.find(label).unwrap() as u16 + 1;
        handle_event(
            state,
            &Event::Mouse(MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column,
                row: 0,
                modifiers: KeyModifiers::NONE,
            }),
        )
    };
    let effects = click(&mut state, "2 Cache");
    assert_eq!(state.screen, Screen::Browser);
    assert!(matches!(effects[..], [Effect::LoadDatasets]));
    click(&mut state, "3 Parity");
    assert_eq!(state.screen, Screen::Parity);
    click(&mut state, "1 Run");
    assert_eq!(state.screen, Screen::Run);
}

/// A long form error wraps inside the form instead of being cut.
#[test]
fn a_long_form_error_is_shown_whole() {
    let mut state = fixtures::running(80, 24);
    state.form.open = true;
    state.form.error = Some(
        "unknown strategy nosuch; choose one of weekly-momentum, buy-and-hold, sma-cross, or a strategy file".into(),
    );
    let screen = render(&mut state).backend().to_string();
    let text: String =
        screen.lines().map(|l| l.trim_matches(|c| c == '"' || c == '│' || c == ' ')).collect::<Vec<_>>().join(" ");
    assert!(text.contains("or a strategy file"), "{screen}");
}
