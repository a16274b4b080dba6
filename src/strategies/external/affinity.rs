//! One CPU for the engine thread and a strategy's process while they talk.
//!
//! The protocol is a strict ping-pong, so sharing a CPU loses no parallelism;
//! apart, every message may wake the other side on another CPU, which on
//! virtual machines costs 50–100 µs against about 7 µs on one CPU (measured:
//! a do-nothing strategy ran 7,410 iterations in 430–610 ms apart, 70 ms
//! together). `THETABENCH_PIN=0` leaves scheduling alone.

/// The CPU both sides use: the last one this thread may run on.
pub fn chosen_cpu() -> Option<usize> {
    if std::env::var("THETABENCH_PIN").is_ok_and(|v| v == "0") {
        return None;
    }
    imp::allowed().into_iter().max()
}

/// Keeps the current thread on `cpu` until dropped, then restores what it
/// was allowed before. Drop it on the thread that made it.
pub struct Pinned(imp::Saved);

impl Pinned {
    pub fn current_thread(cpu: usize) -> Pinned {
        Pinned(imp::pin(cpu))
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        imp::restore(&self.0);
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
    use nix::unistd::Pid;

    pub type Saved = Option<CpuSet>;

    fn this_thread() -> Pid {
        Pid::from_raw(0)
    }

    pub fn allowed() -> Vec<usize> {
        let Ok(set) = sched_getaffinity(this_thread()) else { return Vec::new() };
        (0..CpuSet::count()).filter(|cpu| set.is_set(*cpu).unwrap_or(false)).collect()
    }

    pub fn pin(cpu: usize) -> Saved {
        let saved = sched_getaffinity(this_thread()).ok();
        let mut one = CpuSet::new();
        if one.set(cpu).is_ok() {
            let _ = sched_setaffinity(this_thread(), &one);
        }
        saved
    }

    pub fn restore(saved: &Saved) {
        if let Some(set) = saved {
            let _ = sched_setaffinity(this_thread(), set);
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    pub type Saved = ();

    pub fn allowed() -> Vec<usize> {
        Vec::new()
    }

    pub fn pin(_cpu: usize) -> Saved {}

    pub fn restore(_saved: &Saved) {}
}
