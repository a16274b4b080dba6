//! Logging while the TUI draws: the rolling file as usual, and a ring buffer the
//! log pane reads, in place of stderr (which would scribble over the screen).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer};

const CAPACITY: usize = 1000;

/// The last log lines, and how many were ever pushed (so readers take only new ones).
#[derive(Debug, Default)]
pub struct LogBuffer {
    inner: Mutex<(VecDeque<String>, u64)>,
}

impl LogBuffer {
    pub fn push(&self, line: String) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.0.len() == CAPACITY {
            inner.0.pop_front();
        }
        inner.0.push_back(line);
        inner.1 += 1;
    }

    /// Lines pushed since `seen`, which it advances.
    pub fn since(&self, seen: &mut u64) -> Vec<String> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = (inner.1 - *seen).min(inner.0.len() as u64) as usize;
        *seen = inner.1;
        inner.0.iter().skip(inner.0.len() - fresh).cloned().collect()
    }
}

static BUFFER: OnceLock<LogBuffer> = OnceLock::new();

/// The process's log buffer (empty unless [`layer`] was given to
/// [`crate::logging::init`]).
pub fn buffer() -> &'static LogBuffer {
    BUFFER.get_or_init(LogBuffer::default)
}

struct RingLayer;

#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for RingLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut message = Message::default();
        event.record(&mut message);
        buffer().push(format!("{:<5} {}", event.metadata().level(), message.0));
    }
}

/// The console layer for a TUI process: info and above into the ring buffer the
/// log pane reads; pass it to [`crate::logging::init`].
pub fn layer() -> crate::logging::BoxedLayer {
    RingLayer.with_filter(tracing_subscriber::filter::LevelFilter::INFO).boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_take_only_new_lines_and_the_ring_stays_bounded() {
        let buffer = LogBuffer::default();
        let mut seen = 0;
        buffer.push("a".into());
        buffer.push("b".into());
        assert_eq!(buffer.since(&mut seen), ["a", "b"]);
        buffer.push("c".into());
        assert_eq!(buffer.since(&mut seen), ["c"]);
        for i in 0..CAPACITY + 5 {
            buffer.push(i.to_string());
        }
        assert_eq!(buffer.since(&mut seen).len(), CAPACITY);
    }
}
