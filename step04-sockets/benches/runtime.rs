//! Run it: `cargo bench -p step04-sockets --features bench`, or `cargo xtask bench` to
//! line it up with the other steps, tokio, smol and asyncio.
//!
//! The runtime benchmarks, under the same names in every step that can run them (definitions in
//! `bench/README.md`). Speed is measured here, never asserted in tests.

use std::cell::Cell;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::time::{Duration, Instant};

use step04_sockets::{AioListener, AioStream, Loop, Waiter, gather, interrupt, sleep};

// Each runtime uses the sizes of the workloads it can run, and no more.
#[allow(dead_code)]
#[path = "../../bench/harness.rs"]
mod harness;

use harness::{Entry, MESSAGE, SERVER_BUFFER, timed};

/// Why `yield_fair` does not apply here.
const NO_IO_CHECK: &str =
    "the loop never checks I/O: each socket asks poll(2) when its task is polled";

/// Why `stream_lines` does not apply here.
const NO_LINE_STREAM: &str = "no line stream before step06";

fn main() {
    // One loop for the whole process, as tokio's runtime and smol's executor are.
    let event_loop = Loop::new();
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
        ("yield_fair", Entry::Skip(NO_IO_CHECK)),
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
    let numbers = event_loop.run_task(gather((0..harness::tasks()).map(|i| async move { i })));
    assert_eq!(numbers.len() as u64, harness::tasks());
}

/// One task, 100,000 × (wake its own waker, `Pending`).
fn yields(event_loop: &Loop) {
    let work = async {
        for _ in 0..harness::yields() {
            interrupt().await;
        }
    };
    event_loop.run_task(work);
}

/// 1,000 task pairs; each throws a number to the other and gets it back plus one, 10 times,
/// through a fresh [`Ball`] each way.
fn ping_pong(event_loop: &Loop) {
    for _ in 0..harness::pairs() {
        let (pings, pongs): (Vec<Ball>, Vec<Ball>) = (0..harness::BOUNCES)
            .map(|_| (Ball::default(), Ball::default()))
            .unzip();
        let (their_pings, their_pongs) = (pings.clone(), pongs.clone());
        event_loop.add_task(async move {
            let mut ball = 0;
            for (ping, pong) in pings.into_iter().zip(pongs) {
                ping.throw(ball);
                ball = pong.catch().await;
            }
            assert_eq!(ball, harness::BOUNCES);
        });
        event_loop.add_task(async move {
            for (ping, pong) in their_pings.into_iter().zip(their_pongs) {
                let ball = ping.catch().await;
                pong.throw(ball + 1);
            }
        });
    }
    event_loop.run();
}

/// A number handed from one task to another: no one-shot before step05, so a shared cell and
/// a [`Waiter`] that the thrower sets.
#[derive(Clone, Default)]
struct Ball {
    /// The number.
    value: Rc<Cell<u64>>,
    /// Set once the number is in.
    landed: Waiter,
}

impl Ball {
    /// Puts the number in, and lets the catcher go on.
    fn throw(&self, value: u64) {
        self.value.set(value);
        self.landed.set();
    }

    /// Waits for the number.
    async fn catch(self) -> u64 {
        self.landed.await;
        self.value.get()
    }
}

/// 10,000 tasks sleeping `ms` milliseconds together.
fn timers(event_loop: &Loop, ms: u64) {
    for _ in 0..harness::tasks() {
        event_loop.add_task(sleep(Duration::from_millis(ms)));
    }
    event_loop.run();
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
    event_loop.run_task(client).expect("the echo runs");
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
    event_loop.run_task(client).expect("the round trips run")
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
