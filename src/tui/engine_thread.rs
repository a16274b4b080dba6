//! The engine thread: runs one backtest with the UI's controls (pause, single
//! step, pace, cancel) and forwards every event over a channel. The UI never
//! blocks on it; it only flips the control block and reads the channel. Parity's
//! runs go to the end without controls (`run_to_dir`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::cache::{Cache, Remote};
use crate::engine::RunEvent;
use crate::metrics::Metrics;
use crate::run::{RunRequest, RunResult};
use crate::thetadata::{ThetaClient, Tier};

/// A change the UI asks of the running engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ControlChange {
    Pause(bool),
    /// Let exactly one more iteration through while paused.
    Step,
    /// Trading days per second; `None` is full speed.
    Pace(Option<f64>),
    Cancel,
}

#[derive(Debug, Default)]
struct ControlState {
    paused: bool,
    steps: u32,
    pace: Option<f64>,
    cancelled: bool,
    /// The session the engine is in, and when the pace last let a session through.
    session: usize,
    paced_session: usize,
    last_session_at: Option<Instant>,
}

/// Shared between the UI (writes) and the engine thread (waits).
#[derive(Debug, Default)]
pub struct Control {
    state: Mutex<ControlState>,
    changed: Condvar,
}

impl Control {
    fn lock(&self) -> MutexGuard<'_, ControlState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn apply(&self, change: ControlChange) {
        let mut state = self.lock();
        match change {
            ControlChange::Pause(paused) => state.paused = paused,
            ControlChange::Step => state.steps += 1,
            ControlChange::Pace(pace) => state.pace = pace,
            ControlChange::Cancel => state.cancelled = true,
        }
        drop(state);
        self.changed.notify_all();
    }

    fn saw_session(&self, session: usize) {
        self.lock().session = session;
    }

    /// The engine's `keep_going`: waits while paused, spaces sessions out at the pace,
    /// and answers false once cancelled.
    fn keep_going(&self) -> bool {
        let mut state = self.lock();
        loop {
            if state.cancelled {
                return false;
            }
            if state.paused && state.steps == 0 {
                state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            if let (Some(pace), Some(last)) = (state.pace, state.last_session_at)
                && state.session > state.paced_session
                && !state.paused
            {
                let due = last + Duration::from_secs_f64(1.0 / pace.max(0.01));
                let now = Instant::now();
                if now < due {
                    state = self
                        .changed
                        .wait_timeout(state, due - now)
                        .map(|(s, _)| s)
                        .unwrap_or_else(|e| e.into_inner().0);
                    continue;
                }
            }
            if state.session > state.paced_session || state.last_session_at.is_none() {
                state.paced_session = state.session;
                state.last_session_at = Some(Instant::now());
            }
            if state.paused {
                state.steps = state.steps.saturating_sub(1);
            }
            return true;
        }
    }
}

/// What the engine thread reports.
#[derive(Debug)]
pub enum EngineMsg {
    Event(RunEvent),
    Finished(Result<(Box<RunResult>, Option<PathBuf>), String>),
}

/// A fresh cache over the data stack's source with its own counters, so each run's
/// numbers start at zero while sharing the cache directory.
pub fn fresh_cache(
    cache_dir: &Path,
    source_url: &str,
    tier: Tier,
    remote: Option<Arc<Remote>>,
) -> Result<Arc<Cache<ThetaClient>>, String> {
    crate::stack::cache_over(cache_dir, source_url, tier, Arc::new(Metrics::default()), remote)
        .map_err(|e| e.to_string())
}

/// Starts a run on its own thread; events flow into `events` until it finishes.
pub fn spawn_run(
    cache: Arc<Cache<ThetaClient>>,
    request: RunRequest,
    control: Arc<Control>,
    events: mpsc::Sender<EngineMsg>,
    run_dir: Option<(PathBuf, String)>,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Handle::current();
    std::thread::Builder::new().name("engine".into()).spawn(move || {
        let mut sink = |event: &RunEvent| {
            if let RunEvent::Progress { session, .. } = event {
                control.saw_session(*session);
            }
            if events.blocking_send(EngineMsg::Event(event.clone())).is_err() {
                control.apply(ControlChange::Cancel);
            }
        };
        let outcome = crate::run::prepare(&request)
            .and_then(|built| {
                crate::run::execute(cache, runtime, &request, built, &mut sink, &mut || control.keep_going())
            })
            .map_err(|e| e.to_string())
            .map(|result| {
                let dir = run_dir.and_then(|(dir, source)| crate::run::save(&dir, &request, &result, &source).ok());
                (Box::new(result), dir)
            });
        let _ = events.blocking_send(EngineMsg::Finished(outcome));
    })?;
    Ok(())
}

/// Runs to the end on the calling (blocking) thread and writes the run directory.
pub fn run_to_dir(
    cache: Arc<Cache<ThetaClient>>,
    request: &RunRequest,
    dir: &Path,
    source: &str,
) -> Result<PathBuf, String> {
    let runtime = tokio::runtime::Handle::current();
    let result = crate::run::prepare(request)
        .and_then(|built| crate::run::execute(cache, runtime, request, built, &mut |_| {}, &mut || true))
        .map_err(|e| e.to_string())?;
    crate::run::save(dir, request, &result, source).map_err(|e| format!("writing {}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_holds_the_engine_and_step_lets_one_iteration_through() {
        let control = Arc::new(Control::default());
        control.apply(ControlChange::Pause(true));
        control.apply(ControlChange::Step);
        assert!(control.keep_going(), "the step passes");
        let waiter = {
            let control = control.clone();
            std::thread::spawn(move || control.keep_going())
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "paused with no step left");
        control.apply(ControlChange::Cancel);
        assert!(!waiter.join().unwrap(), "cancel ends the run");
    }
}
