//! Run it: `cargo bench -p step05-futures-timers --features bench`
//!
//! The runtime benchmarks, under the same names in every step that can run them, so that
//! `cargo xtask bench` can line the steps up. Speed is measured here, never asserted in tests.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use step05_futures_timers::{Loop, gather, interrupt};

/// Tasks spawned by `spawn_join`.
const TASKS: u64 = 10_000;
/// Interrupts awaited by `yield_selfwake`.
const YIELDS: u32 = 100_000;

/// Spawn 10,000 tasks that each return a number, and await them all.
fn spawn_join(c: &mut Criterion) {
    c.bench_function("spawn_join", |b| {
        b.iter(|| {
            let numbers = Loop::new().run_task(gather((0..TASKS).map(|i| async move { i })));
            black_box(numbers.len())
        })
    });
}

/// One task awaiting 100,000 interrupts: each is a wake of itself and a trip through the loop.
fn yield_selfwake(c: &mut Criterion) {
    c.bench_function("yield_selfwake", |b| {
        b.iter(|| {
            Loop::new().run_task(async {
                for _ in 0..YIELDS {
                    interrupt().await;
                }
            })
        })
    });
}

/// Few samples: each iteration is already thousands of operations, and the machine is small.
fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = spawn_join, yield_selfwake
}
criterion_main!(benches);
