//! Run it: `cargo bench -p step05-futures-timers --features bench`, or `cargo xtask bench` to
//! line it up with the other steps, tokio, smol and asyncio.
//!
//! The runtime benchmarks, under the same names in every step that can run them (definitions in
//! `bench/README.md`). Speed is measured here, never asserted in tests.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use step05_futures_timers::{AioListener, AioStream, Loop, OneShot, gather, interrupt, sleep};

// Each runtime uses the sizes of the workloads it can run, and no more.
#[allow(dead_code)]
#[path = "../../bench/harness.rs"]
mod harness;

use harness::{Entry, MESSAGE, SERVER_BUFFER, timed};

/// Why `stream_lines` does not apply here.
const NO_LINE_STREAM: &str = "no line stream before step06";

fn main() {
    // One loop for the whole process, as tokio's runtime and smol's executor are: each run
    // measures the work, not making a poller.
    let event_loop = Loop::new().expect("a poller");
    let l = &event_loop;
    harness::main(&mut [
        (
            "spawn_join",
            Entry::Run(&mut |n| timed(n, || spawn_join(l))),
        ),
        (
            "yield_selfwake",
            Entry::Run(&mut |n| timed(n, || yields(l))),
        ),
        // The same `interrupt()`: while tasks keep waking, this loop asks the reactor once
        // every 61 polls, not at each yield. It has no fair yield: this is its self-wake again.
        ("yield_fair", Entry::Run(&mut |n| timed(n, || yields(l)))),
        ("ping_pong", Entry::Run(&mut |n| timed(n, || ping_pong(l)))),
        ("timers_1ms", Entry::Run(&mut |n| timed(n, || timers(l, 1)))),
        (
            "timers_10ms",
            Entry::Run(&mut |n| timed(n, || timers(l, 10))),
        ),
        ("echo", Entry::Run(&mut |n| timed(n, || echo(l)))),
        ("idle_conns", Entry::Run(&mut |n| idle_conns(l, n))),
        ("stream_lines", Entry::Skip(NO_LINE_STREAM)),
    ]);
}

/// Spawns 10,000 tasks that each return a number; `gather` collects them in order.
fn spawn_join(event_loop: &Loop) {
    let numbers = event_loop
        .run_task(gather((0..harness::tasks()).map(|i| async move { i })))
        .expect("the loop runs");
    assert_eq!(numbers.len() as u64, harness::tasks());
}

/// One task, 100,000 × (wake its own waker, `Pending`).
fn yields(event_loop: &Loop) {
    let work = async {
        for _ in 0..harness::yields() {
            interrupt().await;
        }
    };
    event_loop.run_task(work).expect("the loop runs");
}

/// 1,000 task pairs; each throws a number to the other and gets it back plus one, 10 times,
/// through a fresh `OneShot` each way.
fn ping_pong(event_loop: &Loop) {
    for _ in 0..harness::pairs() {
        let (pings, pongs): (Vec<OneShot<u64>>, Vec<OneShot<u64>>) = (0..harness::BOUNCES)
            .map(|_| (OneShot::new(), OneShot::new()))
            .unzip();
        let (their_pings, their_pongs) = (pings.clone(), pongs.clone());
        event_loop.add_task(async move {
            let mut ball = 0;
            for (ping, pong) in pings.into_iter().zip(pongs) {
                ping.set(ball).expect("a fresh one-shot");
                ball = pong.await;
            }
            assert_eq!(ball, harness::BOUNCES);
        });
        event_loop.add_task(async move {
            for (ping, pong) in their_pings.into_iter().zip(their_pongs) {
                let ball = ping.await;
                pong.set(ball + 1).expect("a fresh one-shot");
            }
        });
    }
    event_loop.run().expect("the loop runs");
}

/// 10,000 tasks sleeping `ms` milliseconds together.
fn timers(event_loop: &Loop, ms: u64) {
    for _ in 0..harness::tasks() {
        event_loop.add_task(sleep(Duration::from_millis(ms)));
    }
    event_loop.run().expect("the loop runs");
}

/// 10,000 round trips of 64 bytes over loopback, client and server in this one loop.
fn echo(event_loop: &Loop) {
    let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a port");
    let addr = listener.local_addr().expect("its address");
    event_loop.add_task(serve(listener, 1));
    let client = async move {
        let stream = AioStream::connect(addr).await?;
        for _ in 0..harness::round_trips() {
            round_trip(&stream).await?;
        }
        io::Result::Ok(())
    };
    let done = event_loop.run_task(client).expect("the loop runs");
    done.expect("the echo runs");
}

/// 1,000 connections open and idle, each after one round trip; then `iters` × 1,000 round
/// trips on one more, timed.
fn idle_conns(event_loop: &Loop, iters: u64) -> Duration {
    let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a port");
    let addr = listener.local_addr().expect("its address");
    event_loop.add_task(serve(listener, harness::idle() as usize + 1));
    let client = async move {
        let mut idle = Vec::new();
        for _ in 0..harness::idle() {
            idle.push(connect_once(addr).await?);
        }
        let stream = AioStream::connect(addr).await?;
        let start = Instant::now();
        for _ in 0..iters * harness::idle() {
            round_trip(&stream).await?;
        }
        io::Result::Ok(start.elapsed())
    };
    let elapsed = event_loop.run_task(client).expect("the loop runs");
    elapsed.expect("the round trips run")
}

/// Accepts `connections` clients, each served by its own task until it closes.
async fn serve(listener: AioListener, connections: usize) {
    let event_loop = Loop::current().expect("in the loop");
    for _ in 0..connections {
        let (stream, _) = listener.accept().await.expect("a client");
        event_loop.add_task(async move {
            let mut buf = [0; SERVER_BUFFER];
            while let Ok(n @ 1..) = stream.recv(&mut buf).await {
                stream.send_all(&buf[..n]).await.expect("the client reads");
            }
        });
    }
}

/// A connection that made one round trip: the server has accepted it and waits on it.
async fn connect_once(addr: SocketAddr) -> io::Result<AioStream> {
    let stream = AioStream::connect(addr).await?;
    round_trip(&stream).await?;
    Ok(stream)
}

/// Sends 64 bytes and waits for all of them to come back.
async fn round_trip(stream: &AioStream) -> io::Result<()> {
    let (message, mut reply) = ([7; MESSAGE], [0; MESSAGE]);
    stream.send_all(&message).await?;
    let mut received = 0;
    while received < MESSAGE {
        match stream.recv(&mut reply[received..]).await? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => received += n,
        }
    }
    Ok(())
}
