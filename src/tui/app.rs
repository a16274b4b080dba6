//! The loop: one `select!` over terminal events, engine events, effect replies,
//! signals and a tick; `update` in between. Every wake-up (the tick included)
//! asks for a redraw, and frames are drawn at most once per `FRAME` (16 ms).

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::EventStream;
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;

use super::action::{Action, Effect};
use super::effects;
use super::engine_thread::{self, Control, ControlChange, EngineMsg};
use super::model::{ParityKind, ParityReport, RunSummary};
use super::state::{State, handle_event, update};
use super::theme::Theme;
use super::ui::draw;
use crate::cache::{Cache, Store};
use crate::data::RepresentationKind;
use crate::metrics::Metrics;
use crate::stack::{DataStack, StackOptions};
use crate::thetadata::ThetaClient;

const TICK: Duration = Duration::from_millis(250);
/// At most one frame per this interval, however busy the channels are.
const FRAME: Duration = Duration::from_millis(16);

/// What the effects need from the outside world.
struct Resources {
    options: StackOptions,
    stack: Option<DataStack>,
    control: Arc<Control>,
    run_metrics: Option<Arc<Metrics>>,
    engine_rx: Option<mpsc::Receiver<EngineMsg>>,
    replies: mpsc::UnboundedSender<Action>,
}

pub async fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    mut state: State,
    theme: Theme,
    options: StackOptions,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let (replies, mut reply_rx) = mpsc::unbounded_channel();
    let mut resources = Resources {
        options,
        stack: None,
        control: Arc::new(Control::default()),
        run_metrics: None,
        engine_rx: None,
        replies,
    };
    let mut opening = Some(open_session(resources.options.clone()));
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut log_seen = 0u64;
    let mut dirty = true;
    let mut last_frame = tokio::time::Instant::now() - FRAME;
    loop {
        if dirty && last_frame.elapsed() >= FRAME {
            draw(terminal, &mut state, &theme)?;
            dirty = false;
            last_frame = tokio::time::Instant::now();
        }
        let wait = if dirty { FRAME.saturating_sub(last_frame.elapsed()) } else { TICK };
        let effects = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    handle_event(&mut state, &event)
                }
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(message) = recv_engine(&mut resources.engine_rx) => engine_action(&mut resources, &mut state, message),
            Some(action) = reply_rx.recv() => update(&mut state, action),
            outcome = recv_opening(&mut opening) => match outcome {
                Ok(stack) => {
                    let description = stack.source.describe();
                    resources.stack = Some(stack);
                    update(&mut state, Action::SourceReady { description })
                }
                Err(e) => update(&mut state, Action::SourceFailed(e)),
            },
            _ = tick.tick() => {
                let lines = super::log_buffer::buffer().since(&mut log_seen);
                let mut effects = if lines.is_empty() { vec![] } else { update(&mut state, Action::Log(lines)) };
                effects.extend(update(&mut state, Action::Tick));
                // Counters as requests complete, not only at a session's close.
                if let Some(metrics) = resources.run_metrics.as_ref().filter(|_| state.run.running()) {
                    effects.extend(update(&mut state, Action::LiveMetrics(metrics.snapshot())));
                }
                effects
            }
            _ = terminate.recv() => update(&mut state, Action::Command(super::action::Command::Quit)),
            _ = tokio::time::sleep(wait) => vec![],
        };
        dirty = true;
        for effect in effects {
            if let Effect::Quit = effect {
                resources.control.apply(ControlChange::Cancel);
                wait_for_engine(&mut resources.engine_rx).await;
                return Ok(());
            }
            execute(&mut resources, &state, effect);
        }
    }
    Ok(())
}

/// Lets a cancelled run reach its next iteration and stop, so the engine never
/// touches a runtime that is shutting down. Bounded: a fetch stuck in its retries
/// is left behind rather than holding the quit.
async fn wait_for_engine(rx: &mut Option<mpsc::Receiver<EngineMsg>>) {
    let Some(rx) = rx else { return };
    let drained = async {
        while let Some(message) = rx.recv().await {
            if matches!(message, EngineMsg::Finished(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), drained).await;
}

async fn recv_engine(rx: &mut Option<mpsc::Receiver<EngineMsg>>) -> Option<EngineMsg> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

fn engine_action(resources: &mut Resources, state: &mut State, message: EngineMsg) -> Vec<Effect> {
    match message {
        EngineMsg::Event(event) => update(state, Action::Run(event)),
        EngineMsg::Finished(outcome) => {
            resources.engine_rx = None;
            let action = match outcome {
                Ok((result, run_dir)) => {
                    let p = &result.performance;
                    Action::RunFinished {
                        summary: RunSummary {
                            final_value: p.final_value,
                            total_return: p.total_return,
                            max_drawdown: p.max_drawdown,
                            sharpe: p.sharpe,
                            trades: p.trades,
                            run_dir,
                        },
                    }
                }
                Err(e) => Action::RunFailed(e),
            };
            update(state, action)
        }
    }
}

type Opening = tokio::sync::oneshot::Receiver<Result<DataStack, String>>;

/// Opens the data source in the background, so the first frame never waits on it.
fn open_session(options: StackOptions) -> Opening {
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let _ = tx.send(DataStack::open(&options).await.map_err(|e| e.to_string()));
    });
    rx
}

async fn recv_opening(opening: &mut Option<Opening>) -> Result<DataStack, String> {
    match opening {
        Some(rx) => {
            let outcome = rx.await.unwrap_or_else(|_| Err("the data source task ended".into()));
            *opening = None;
            outcome
        }
        None => std::future::pending().await,
    }
}

/// Lists (and with `verify` checks) the cache's datasets off the UI task,
/// marking those the team remote also holds when one answers.
fn load_datasets(resources: &Resources, store: Store, verify: bool) {
    let Some(remote) = resources.stack.as_ref().and_then(|s| s.remote.clone()).filter(|r| r.is_up()) else {
        return spawn_blocking_reply(&resources.replies, move || effects::datasets(&store, verify));
    };
    let replies = resources.replies.clone();
    tokio::spawn(async move {
        let listed = tokio::task::spawn_blocking({
            let store = store.clone();
            move || effects::datasets(&store, verify)
        });
        let action = listed.await.unwrap_or_else(|e| Action::Datasets(Err(e.to_string())));
        let _ = replies.send(effects::mark_remote(action, &store, &remote).await);
    });
}

fn spawn_blocking_reply(replies: &mpsc::UnboundedSender<Action>, work: impl FnOnce() -> Action + Send + 'static) {
    let replies = replies.clone();
    tokio::task::spawn_blocking(move || {
        let _ = replies.send(work());
    });
}

fn execute(resources: &mut Resources, state: &State, effect: Effect) {
    let store = Store::new(resources.options.cache_dir.clone());
    let replies = &resources.replies;
    match effect {
        Effect::Quit => {}
        Effect::Control(change) => resources.control.apply(change),
        Effect::StartRun(request) => {
            resources.control.apply(ControlChange::Cancel);
            resources.control = Arc::new(Control::default());
            let Some(stack) = &resources.stack else {
                let _ = replies.send(Action::RunFailed("the data source is not ready".into()));
                return;
            };
            let cache = match run_cache(&resources.options, stack) {
                Ok(cache) => cache,
                Err(e) => {
                    let _ = replies.send(Action::RunFailed(e));
                    return;
                }
            };
            resources.run_metrics = Some(cache.metrics().clone());
            let (tx, rx) = mpsc::channel(1024);
            resources.engine_rx = Some(rx);
            let dir = crate::run::runs_dir().join(run_name(&request.strategy, request.store, "tui"));
            if let Err(e) = engine_thread::spawn_run(
                cache,
                request,
                resources.control.clone(),
                tx,
                Some((dir, stack.source.describe())),
            ) {
                let _ = replies.send(Action::RunFailed(format!("starting the engine thread: {e}")));
            }
        }
        Effect::LoadConversionSites => {
            let sites = resources.run_metrics.as_ref().map(|m| m.conversions.by_site()).unwrap_or_default();
            let _ = replies.send(Action::ConversionSites(sites));
        }
        Effect::LoadCoverage(datasets) => spawn_blocking_reply(replies, move || effects::coverage(&store, &datasets)),
        Effect::LoadDatasets => load_datasets(resources, store, false),
        Effect::VerifyAll => load_datasets(resources, store, true),
        Effect::LoadDetail(path, from) => spawn_blocking_reply(replies, move || effects::detail(&store, &path, from)),
        Effect::Evict(path) => spawn_blocking_reply(replies, move || effects::evict(&store, &path)),
        Effect::RecheckPlaceholders(sidecar) => {
            let cache = match &resources.stack {
                Some(stack) => run_cache(&resources.options, stack),
                None => Err("the data source is not ready".into()),
            };
            let replies = replies.clone();
            tokio::spawn(async move {
                let outcome = match cache {
                    Ok(cache) => effects::recheck_placeholders(&cache, &sidecar).await,
                    Err(e) => Err(e),
                };
                let _ = replies.send(Action::Rechecked { sidecar, outcome });
            });
        }
        Effect::LoadSavedRuns => spawn_blocking_reply(replies, || effects::saved_runs(&crate::run::runs_dir())),
        Effect::DeleteRun(dir) => spawn_blocking_reply(replies, move || effects::delete_run(&dir)),
        Effect::RenameRun { dir, name } => spawn_blocking_reply(replies, move || effects::rename_run(&dir, &name)),
        Effect::WriteSvg { path, svg } => write_svg(&path, &svg),
        Effect::CopyToClipboard(text) => copy_to_clipboard(&text),
        Effect::LoadStrategies(current) => spawn_blocking_reply(replies, move || effects::strategies(current)),
        Effect::WatchStrategy(path) => spawn_blocking_reply(replies, move || {
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            Action::StrategyFile { path, modified }
        }),
        Effect::Parity(kind) => {
            let Some(stack) = &resources.stack else {
                let _ = replies.send(Action::ParityDone(Err("the data source is not ready".into())));
                return;
            };
            let (options, url, source) = (resources.options.clone(), stack.source.url(), stack.source.describe());
            let _ = state;
            spawn_blocking_reply(replies, move || Action::ParityDone(parity(kind, &options, &url, &source)));
        }
    }
}

/// Writes an exported chart and says where in the log.
fn write_svg(path: &std::path::Path, svg: &str) {
    match std::fs::write(path, svg) {
        Ok(()) => tracing::info!(target: "thetabench::tui", "exported the chart to {}", path.display()),
        Err(e) => tracing::warn!(target: "thetabench::tui", "could not write {}: {e}", path.display()),
    }
}

/// Asks the terminal to put `text` on the clipboard (OSC 52) and says so in the log.
fn copy_to_clipboard(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout();
    match out.write_all(super::export::osc52(text).as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => tracing::info!(target: "thetabench::tui", "copied {text} (OSC 52: the terminal must allow it)"),
        Err(e) => tracing::warn!(target: "thetabench::tui", "could not copy {text}: {e}"),
    }
}

/// A cache over the data stack's source with this run's own counters.
fn run_cache(options: &StackOptions, stack: &DataStack) -> Result<Arc<Cache<ThetaClient>>, String> {
    engine_thread::fresh_cache(&options.cache_dir, &stack.source.url(), options.tier, stack.remote.clone())
}

fn run_name(strategy: &str, store: RepresentationKind, tag: &str) -> String {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    format!("{strategy}-{store}-{tag}-{stamp}")
}

/// Makes the runs a parity choice asks for (if any) and compares them.
fn parity(kind: ParityKind, options: &StackOptions, url: &str, source: &str) -> Result<Box<ParityReport>, String> {
    let runs = crate::run::runs_dir();
    match kind {
        ParityKind::Dirs(a, b) => effects::compare(&a, &b, (label(&a), label(&b))),
        ParityKind::BothStores(request) => {
            let mut request = *request.0;
            let mut dirs = Vec::new();
            for store in [RepresentationKind::Columnar, RepresentationKind::Rows] {
                request.store = store;
                let cache = engine_thread::fresh_cache(&options.cache_dir, url, options.tier, None)?;
                let dir = runs.join(run_name(&request.strategy, store, "parity"));
                dirs.push(engine_thread::run_to_dir(cache, &request, &dir, source)?);
            }
            effects::compare(&dirs[0], &dirs[1], ("columnar store".into(), "rows store".into()))
        }
        ParityKind::ColdWarm(request) => {
            let request = *request.0;
            // A fresh cache directory makes the first run cold; the second reads what it wrote.
            let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
            let mut dirs = Vec::new();
            for tag in ["cold", "warm"] {
                let cache = engine_thread::fresh_cache(scratch.path(), url, options.tier, None)?;
                let dir = runs.join(run_name(&request.strategy, request.store, tag));
                dirs.push(engine_thread::run_to_dir(cache, &request, &dir, source)?);
            }
            effects::compare(&dirs[0], &dirs[1], ("cold cache".into(), "warm cache".into()))
        }
    }
}

fn label(dir: &std::path::Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
