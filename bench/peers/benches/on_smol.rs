//! Run it: `cargo bench --manifest-path bench/peers/Cargo.toml --bench on_smol`, or
//! `cargo xtask bench`, which lines it up with the steps.
//!
//! The workshop's workloads (`bench/README.md`) on smol's `LocalExecutor`, driven by smol's
//! `block_on` (async-io's, which runs the reactor): one thread, like the steps' loop.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::rc::Rc;
use std::time::{Duration, Instant};

use smol::channel;
use smol::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use smol::stream::StreamExt;
use smol::{Async, LocalExecutor, Task, Timer};

// Each runtime uses the sizes of the workloads it can run, and no more.
#[allow(dead_code)]
#[path = "../../harness.rs"]
mod harness;

use harness::{CHUNK, Entry, LineCount, MESSAGE, SERVER_BUFFER, timed};

/// The executor, shared with the tasks that spawn tasks (the echo server).
type Executor = Rc<LocalExecutor<'static>>;

fn main() {
    let executor: Executor = Rc::new(LocalExecutor::new());
    let ex = &executor;
    harness::main(&mut [
        (
            "spawn_join",
            Entry::Run(&mut |n| timed(n, || spawn_join(ex))),
        ),
        (
            "yield_selfwake",
            Entry::Run(&mut |n| timed(n, || yields(ex))),
        ),
        // smol's `yield_now` wakes itself at once, as `self_wake` does: the reactor is not
        // polled in between. smol has no yield that is fair to I/O, so this is the same run.
        (
            "yield_fair",
            Entry::Run(&mut |n| timed(n, || yields_now(ex))),
        ),
        ("ping_pong", Entry::Run(&mut |n| timed(n, || ping_pong(ex)))),
        (
            "timers_1ms",
            Entry::Run(&mut |n| timed(n, || timers(ex, 1))),
        ),
        (
            "timers_10ms",
            Entry::Run(&mut |n| timed(n, || timers(ex, 10))),
        ),
        ("echo", Entry::Run(&mut |n| timed(n, || echo(ex)))),
        ("idle_conns", Entry::Run(&mut |n| idle_conns(ex, n))),
        (
            "stream_lines",
            Entry::Run(&mut |n| timed(n, || stream_lines(ex))),
        ),
    ]);
}

/// Runs `future` on the executor until it is done, with the reactor in this thread.
fn run<T>(ex: &Executor, future: impl Future<Output = T>) -> T {
    smol::block_on(ex.run(future))
}

/// Awaits every task, in order, and returns their results.
async fn join_all<T>(tasks: Vec<Task<T>>) -> Vec<T> {
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await);
    }
    results
}

/// Spawns 10,000 tasks that each return a number, and collects them in order.
fn spawn_join(ex: &Executor) {
    let tasks = (0..harness::tasks()).map(|i| ex.spawn(async move { i }));
    let numbers = run(ex, join_all(tasks.collect()));
    assert_eq!(numbers.len() as u64, harness::tasks());
}

/// One task, 100,000 × (wake its own waker, `Pending`).
fn yields(ex: &Executor) {
    let task = ex.spawn(async {
        for _ in 0..harness::yields() {
            harness::self_wake().await;
        }
    });
    run(ex, task);
}

/// One task, 100,000 × smol's `yield_now`.
fn yields_now(ex: &Executor) {
    let task = ex.spawn(async {
        for _ in 0..harness::yields() {
            smol::future::yield_now().await;
        }
    });
    run(ex, task);
}

/// 1,000 task pairs; each throws a number to the other and gets it back plus one, 10 times,
/// through a fresh channel of one place each way (smol has no one-shot of its own).
fn ping_pong(ex: &Executor) {
    let mut tasks = Vec::new();
    for _ in 0..harness::pairs() {
        let (ping_tx, ping_rx): (Vec<_>, Vec<_>) =
            (0..harness::BOUNCES).map(|_| channel::bounded(1)).unzip();
        let (pong_tx, pong_rx): (Vec<_>, Vec<_>) =
            (0..harness::BOUNCES).map(|_| channel::bounded(1)).unzip();
        tasks.push(ex.spawn(async move {
            let mut ball = 0;
            for (ping, pong) in ping_tx.into_iter().zip(pong_rx) {
                ping.try_send(ball).expect("an empty channel");
                ball = pong.recv().await.expect("the other task throws");
            }
            assert_eq!(ball, harness::BOUNCES);
        }));
        tasks.push(ex.spawn(async move {
            for (ping, pong) in ping_rx.into_iter().zip(pong_tx) {
                let ball: u64 = ping.recv().await.expect("the other task throws");
                pong.try_send(ball + 1).expect("an empty channel");
            }
        }));
    }
    run(ex, join_all(tasks));
}

/// 10,000 tasks sleeping `ms` milliseconds together.
fn timers(ex: &Executor, ms: u64) {
    let sleep = || Timer::after(Duration::from_millis(ms));
    let tasks = (0..harness::tasks()).map(|_| ex.spawn(sleep()));
    run(ex, join_all(tasks.collect()));
}

/// 10,000 round trips of 64 bytes over loopback, client and server on this one thread.
fn echo(ex: &Executor) {
    let client = async {
        let listener = Async::<TcpListener>::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.get_ref().local_addr()?;
        let server = ex.spawn(serve(Rc::clone(ex), listener, 1));
        let mut stream = connect(addr).await?;
        for _ in 0..harness::round_trips() {
            round_trip(&mut stream).await?;
        }
        drop(stream);
        server.await;
        io::Result::Ok(())
    };
    run(ex, client).expect("the echo runs");
}

/// 1,000 connections open and idle, each after one round trip; then `iters` × 1,000 round
/// trips on one more, timed.
fn idle_conns(ex: &Executor, iters: u64) -> Duration {
    let client = async {
        let listener = Async::<TcpListener>::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.get_ref().local_addr()?;
        let connections = harness::idle() as usize + 1;
        let server = ex.spawn(serve(Rc::clone(ex), listener, connections));
        let mut idle = Vec::new();
        for _ in 0..harness::idle() {
            let mut stream = connect(addr).await?;
            round_trip(&mut stream).await?;
            idle.push(stream);
        }
        let mut stream = connect(addr).await?;
        let start = Instant::now();
        for _ in 0..iters * harness::idle() {
            round_trip(&mut stream).await?;
        }
        let elapsed = start.elapsed();
        drop((stream, idle));
        server.await;
        io::Result::Ok(elapsed)
    };
    run(ex, client).expect("the round trips run")
}

/// 100,000 lines of 10 bytes over loopback, written 64 KiB at a time, through the server's
/// `BufReader::lines`; the client waits for the count the server answers. Both on this thread.
fn stream_lines(ex: &Executor) {
    let client = async {
        let listener = Async::<TcpListener>::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.get_ref().local_addr()?;
        let server = ex.spawn(count_lines(listener));
        let stream = connect(addr).await?;
        for chunk in harness::lines_to_send().chunks(CHUNK) {
            (&stream).write_all(chunk).await?;
        }
        let mut replies = BufReader::new(&stream).lines();
        let answer = replies.next().await.transpose()?.unwrap_or_default();
        assert!(harness::all_lines_counted(answer.as_bytes()));
        server.await
    };
    run(ex, client).expect("the lines go through");
}

/// Accepts one client, counts its lines up to the empty one, and answers the count.
async fn count_lines(listener: Async<TcpListener>) -> io::Result<()> {
    let (stream, _) = listener.accept().await?;
    stream.get_ref().set_nodelay(true)?;
    let mut lines = BufReader::new(&stream).lines();
    let mut count = LineCount::default();
    while let Some(line) = lines.next().await {
        match line? {
            line if line.is_empty() => break, // the client has no more
            line => count.add(line.as_bytes()),
        }
    }
    (&stream).write_all(&count.answer()).await
}

/// Accepts `connections` clients, each served by its own task until it closes.
async fn serve(ex: Executor, listener: Async<TcpListener>, connections: usize) {
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (mut stream, _) = listener.accept().await.expect("a client");
        stream.get_ref().set_nodelay(true).expect("no Nagle");
        tasks.push(ex.spawn(async move {
            let mut buf = [0; SERVER_BUFFER];
            while let Ok(n @ 1..) = stream.read(&mut buf).await {
                stream.write_all(&buf[..n]).await.expect("the client reads");
            }
        }));
    }
    join_all(tasks).await;
}

/// Connects, without Nagle's algorithm (as the steps do).
async fn connect(addr: SocketAddr) -> io::Result<Async<TcpStream>> {
    let stream = Async::<TcpStream>::connect(addr).await?;
    stream.get_ref().set_nodelay(true)?;
    Ok(stream)
}

/// Sends 64 bytes and waits for all of them to come back.
async fn round_trip(stream: &mut Async<TcpStream>) -> io::Result<()> {
    let (message, mut reply) = ([7; MESSAGE], [0; MESSAGE]);
    stream.write_all(&message).await?;
    let mut received = 0;
    while received < MESSAGE {
        match stream.read(&mut reply[received..]).await? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => received += n,
        }
    }
    Ok(())
}
