//! Run it: `cargo bench --manifest-path bench/peers/Cargo.toml --bench on_tokio`, or
//! `cargo xtask bench`, which lines it up with the steps.
//!
//! The workshop's workloads (`bench/README.md`) on tokio's current-thread runtime: one thread,
//! like the steps' loop.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

// Each runtime uses the sizes of the workloads it can run, and no more.
#[allow(dead_code)]
#[path = "../../harness.rs"]
mod harness;

use harness::{CHUNK, Entry, LineCount, MESSAGE, SERVER_BUFFER, timed};

fn main() {
    let runtime = Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let rt = &runtime;
    harness::main(&mut [
        (
            "spawn_join",
            Entry::Run(&mut |n| timed(n, || spawn_join(rt))),
        ),
        (
            "yield_selfwake",
            Entry::Run(&mut |n| timed(n, || yields(rt, false))),
        ),
        (
            "yield_fair",
            Entry::Run(&mut |n| timed(n, || yields(rt, true))),
        ),
        ("ping_pong", Entry::Run(&mut |n| timed(n, || ping_pong(rt)))),
        (
            "timers_1ms",
            Entry::Run(&mut |n| timed(n, || timers(rt, 1))),
        ),
        (
            "timers_10ms",
            Entry::Run(&mut |n| timed(n, || timers(rt, 10))),
        ),
        ("echo", Entry::Run(&mut |n| timed(n, || echo(rt)))),
        ("idle_conns", Entry::Run(&mut |n| idle_conns(rt, n))),
        (
            "stream_lines",
            Entry::Run(&mut |n| timed(n, || stream_lines(rt))),
        ),
    ]);
}

/// Awaits every task, in order, and returns their results.
async fn join_all<T>(tasks: Vec<JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.expect("the task ends well"));
    }
    results
}

/// Spawns 10,000 tasks that each return a number, and collects them in order.
fn spawn_join(rt: &Runtime) {
    let numbers = rt.block_on(async {
        let tasks = (0..harness::tasks()).map(|i| tokio::spawn(async move { i }));
        join_all(tasks.collect()).await
    });
    assert_eq!(numbers.len() as u64, harness::tasks());
}

/// One task yielding 100,000 times: by waking itself, or (`fair`) with `yield_now`, which
/// defers the wake until the driver has been polled.
fn yields(rt: &Runtime, fair: bool) {
    rt.block_on(async move {
        let task = tokio::spawn(async move {
            for _ in 0..harness::yields() {
                match fair {
                    true => tokio::task::yield_now().await,
                    false => harness::self_wake().await,
                }
            }
        });
        task.await.expect("the task ends well");
    });
}

/// 1,000 task pairs; each throws a number to the other and gets it back plus one, 10 times,
/// through a fresh `oneshot` channel each way.
fn ping_pong(rt: &Runtime) {
    rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..harness::pairs() {
            let (ping_tx, ping_rx): (Vec<_>, Vec<_>) =
                (0..harness::BOUNCES).map(|_| oneshot::channel()).unzip();
            let (pong_tx, pong_rx): (Vec<_>, Vec<_>) =
                (0..harness::BOUNCES).map(|_| oneshot::channel()).unzip();
            tasks.push(tokio::spawn(async move {
                let mut ball = 0;
                for (ping, pong) in ping_tx.into_iter().zip(pong_rx) {
                    ping.send(ball).expect("the other task waits");
                    ball = pong.await.expect("the other task throws");
                }
                assert_eq!(ball, harness::BOUNCES);
            }));
            tasks.push(tokio::spawn(async move {
                for (ping, pong) in ping_rx.into_iter().zip(pong_tx) {
                    let ball: u64 = ping.await.expect("the other task throws");
                    pong.send(ball + 1).expect("the other task waits");
                }
            }));
        }
        join_all(tasks).await
    });
}

/// 10,000 tasks sleeping `ms` milliseconds together.
fn timers(rt: &Runtime, ms: u64) {
    rt.block_on(async {
        let sleep = || tokio::time::sleep(Duration::from_millis(ms));
        let tasks = (0..harness::tasks()).map(|_| tokio::spawn(sleep()));
        join_all(tasks.collect()).await
    });
}

/// 10,000 round trips of 64 bytes over loopback, client and server on this one thread.
fn echo(rt: &Runtime) {
    rt.block_on(async {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(serve(listener, 1));
        let mut stream = connect(addr).await?;
        for _ in 0..harness::round_trips() {
            round_trip(&mut stream).await?;
        }
        drop(stream);
        server.await.expect("the server ends well");
        io::Result::Ok(())
    })
    .expect("the echo runs");
}

/// 1,000 connections open and idle, each after one round trip; then `iters` × 1,000 round
/// trips on one more, timed.
fn idle_conns(rt: &Runtime, iters: u64) -> Duration {
    rt.block_on(async {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(serve(listener, harness::idle() as usize + 1));
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
        server.await.expect("the server ends well");
        io::Result::Ok(elapsed)
    })
    .expect("the round trips run")
}

/// 100,000 lines of 10 bytes over loopback, written 64 KiB at a time, through the server's
/// `BufReader::lines`; the client waits for the count the server answers. Both on this thread.
fn stream_lines(rt: &Runtime) {
    rt.block_on(async {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(count_lines(listener));
        let mut stream = connect(addr).await?;
        let (read, mut write) = stream.split();
        for chunk in harness::lines_to_send().chunks(CHUNK) {
            write.write_all(chunk).await?;
        }
        let mut replies = BufReader::new(read).lines();
        let answer = replies.next_line().await?.unwrap_or_default();
        assert!(harness::all_lines_counted(answer.as_bytes()));
        server.await.expect("the server ends well")
    })
    .expect("the lines go through");
}

/// Accepts one client, counts its lines up to the empty one, and answers the count.
async fn count_lines(listener: TcpListener) -> io::Result<()> {
    let (mut stream, _) = listener.accept().await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.split();
    let mut lines = BufReader::new(read).lines();
    let mut count = LineCount::default();
    while let Some(line) = lines.next_line().await? {
        match line {
            line if line.is_empty() => break, // the client has no more
            line => count.add(line.as_bytes()),
        }
    }
    write.write_all(&count.answer()).await
}

/// Accepts `connections` clients, each served by its own task until it closes.
async fn serve(listener: TcpListener, connections: usize) {
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (mut stream, _) = listener.accept().await.expect("a client");
        stream.set_nodelay(true).expect("no Nagle");
        tasks.push(tokio::spawn(async move {
            let mut buf = [0; SERVER_BUFFER];
            while let Ok(n @ 1..) = stream.read(&mut buf).await {
                stream.write_all(&buf[..n]).await.expect("the client reads");
            }
        }));
    }
    join_all(tasks).await;
}

/// Connects, without Nagle's algorithm (as the steps do).
async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Sends 64 bytes and waits for all of them to come back.
async fn round_trip(stream: &mut TcpStream) -> io::Result<()> {
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
