//! The tier's concurrency cap: `concurrency` requests run at once, up to `queue`
//! more wait their turn, and anything beyond that is turned away (429), as the
//! real terminal does.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Semaphore, SemaphorePermit};

pub struct Limiter {
    running: Semaphore,
    admitted: AtomicUsize,
    capacity: usize,
}

/// A request admitted to run or to wait; leaving (drop) frees its place.
pub struct Ticket<'a> {
    limiter: &'a Limiter,
}

/// A request that is running; drop to let the next one in.
pub struct Slot<'a> {
    _permit: Option<SemaphorePermit<'a>>,
    _ticket: Ticket<'a>,
}

impl Limiter {
    pub fn new(concurrency: usize, queue: usize) -> Limiter {
        let concurrency = concurrency.max(1);
        Limiter { running: Semaphore::new(concurrency), admitted: AtomicUsize::new(0), capacity: concurrency + queue }
    }

    /// A place among the running and waiting requests, or `None` if all are taken.
    pub fn try_admit(&self) -> Option<Ticket<'_>> {
        self.admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < self.capacity).then_some(n + 1))
            .ok()
            .map(|_| Ticket { limiter: self })
    }
}

impl<'a> Ticket<'a> {
    /// Waits for a free slot (the queue).
    pub async fn run(self) -> Slot<'a> {
        // The semaphore is never closed, so `acquire` only fails in theory; then run unlimited.
        let permit = self.limiter.running.acquire().await.ok();
        Slot { _permit: permit, _ticket: self }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.limiter.admitted.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_the_cap_queues_the_rest_and_turns_away_beyond() {
        let limiter = Limiter::new(1, 2);
        let running = limiter.try_admit().unwrap().run().await;
        let waiting = [limiter.try_admit().unwrap(), limiter.try_admit().unwrap()];
        assert!(limiter.try_admit().is_none(), "one running plus a queue of two is full");
        drop(running);
        let [first, second] = waiting;
        let now_running = first.run().await;
        let queued_again = limiter.try_admit().expect("a place was freed");
        assert!(limiter.try_admit().is_none());
        // The second waiter cannot run while the slot is taken.
        let blocked = tokio::time::timeout(std::time::Duration::from_millis(20), second.run()).await;
        assert!(blocked.is_err());
        drop((now_running, queued_again));
        assert!(limiter.try_admit().is_some());
    }
}
