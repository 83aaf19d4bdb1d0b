//! Run it: `cargo bench -p step05-futures-timers --features bench`
//!
//! The runtime benchmarks, under the same names in every step that can run them, so that
//! `cargo xtask bench` can line the steps up. Speed is measured here, never asserted in tests.

use std::hint::black_box;
use std::io;
use std::net::Ipv4Addr;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use step05_futures_timers::{AioListener, AioStream, Loop, gather, interrupt, sleep};

/// Tasks spawned by `spawn_join`, and sleepers in `timers`.
const TASKS: u64 = 10_000;
/// Interrupts awaited by `yield_selfwake`.
const YIELDS: u32 = 100_000;
/// Round trips in `echo`.
const ROUND_TRIPS: usize = 10_000;
/// The size of each message in `echo`.
const MESSAGE: usize = 64;

/// Spawn 10,000 tasks that each return a number, and await them all.
fn spawn_join(c: &mut Criterion) {
    c.bench_function("spawn_join", |b| {
        b.iter(|| {
            let numbers = Loop::new()
                .and_then(|l| l.run_task(gather((0..TASKS).map(|i| async move { i }))))
                .expect("the loop runs");
            black_box(numbers.len())
        })
    });
}

/// One task awaiting 100,000 interrupts: each is a wake of itself and a trip through the loop.
fn yield_selfwake(c: &mut Criterion) {
    c.bench_function("yield_selfwake", |b| {
        b.iter(|| {
            Loop::new()
                .and_then(|l| {
                    l.run_task(async {
                        for _ in 0..YIELDS {
                            interrupt().await;
                        }
                    })
                })
                .expect("the loop runs")
        })
    });
}

/// 10,000 tasks sleeping 1 ms on one loop: a timer each in the heap, all due together, and one
/// sleep of the loop in the kernel. (At least 1 ms of every iteration is that sleep.)
fn timers(c: &mut Criterion) {
    c.bench_function("timers", |b| {
        b.iter(|| {
            let event_loop = Loop::new().expect("a poller");
            for _ in 0..TASKS {
                event_loop.add_task(sleep(Duration::from_millis(1)));
            }
            event_loop.run().expect("the loop runs")
        })
    });
}

/// 10,000 round trips of 64 bytes over loopback, client and server two tasks of one loop: each
/// is a send, a wake through the reactor, a receive, and the same way back.
fn echo(c: &mut Criterion) {
    c.bench_function("echo", |b| b.iter(|| round_trips().expect("the echo runs")));
}

/// One server that sends back whatever it receives, and one client that sends a message and
/// waits for it to come back, [`ROUND_TRIPS`] times.
fn round_trips() -> io::Result<()> {
    let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let addr = listener.local_addr()?;
    let event_loop = Loop::new()?;
    event_loop.add_task(async move {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let mut buf = [0; MESSAGE];
        while let Ok(n @ 1..) = stream.recv(&mut buf).await {
            if stream.send_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    });
    event_loop.run_task(async move {
        let stream = AioStream::connect(addr).await?;
        let (message, mut reply) = ([7; MESSAGE], [0; MESSAGE]);
        for _ in 0..ROUND_TRIPS {
            stream.send_all(&message).await?;
            let mut received = 0;
            while received < MESSAGE {
                match stream.recv(&mut reply[received..]).await? {
                    0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                    n => received += n,
                }
            }
        }
        Ok(())
    })?
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
    targets = spawn_join, yield_selfwake, timers, echo
}
criterion_main!(benches);
