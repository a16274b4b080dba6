//! The strategy protocol's cost: a Python strategy that does nothing, run every
//! minute of the first quarter of 2025 (about 24,000 iterations) through the engine, the child
//! process's start and stop included. Target: ≥ 50,000 iterations/s.
//!
//! `cargo bench --bench protocol`
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use thetabench::engine::{Account, FeeModel, RunSpec};
use thetabench::strategies;

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn do_nothing_python_every_minute_of_a_quarter(bencher: divan::Bencher) {
    // The strategy asks for no data; the terminal is there because a data view needs one.
    let window = common::window("2025-01-02", "2025-03-31");
    let mut view = common::SimulatedView::new(window);
    let spec = RunSpec { window, cash: 100_000.0, fees: FeeModel::default(), account: Account::Cash };
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/strategies/do_nothing.py");
    bencher.counter(divan::counter::ItemsCount::new(common::session_minutes(window))).bench_local(|| {
        let mut built = strategies::build(file, &[], strategies::DEFAULT_ITERATION_TIMEOUT).unwrap();
        thetabench::engine::run(&mut view.store, built.strategy.as_mut(), &spec, &mut |_| {}, &mut || true).unwrap()
    });
}
