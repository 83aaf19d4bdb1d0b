//! A thousand clients at once: all of them answered, and, idle, they cost the server no CPU.
//!
//! The server is the `async_with_server` demo in a child process, the clients are in this one: each
//! side then needs a thousand descriptors and a few more, which fits the usual default limit
//! of 1024 (`ulimit -n`). Both tests count descriptors, which also keeps them from running at
//! the same time (two thousand clients would not fit).
#![cfg(unix)]

mod common;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use shared::echo::{Client, reverse_line};
use shared::testing::{FdCheck, bounded};
use step06_async_iter_ctx::{AioStream, Loop, OneShot, Waiter, gather};

use common::ServerDemo;

/// How many clients at once: `async_with_server`'s default `--max-clients`.
const CLIENTS: usize = 1000;

/// Sends `line` and its newline, and checks that the line comes back reversed.
async fn request(stream: &AioStream, line: &str) -> io::Result<()> {
    stream.send_all(format!("{line}\n").as_bytes()).await?;
    let mut reply = Vec::new();
    let mut buf = [0; 256];
    while !reply.ends_with(b"\n") {
        match stream.recv(&mut buf).await? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => reply.extend_from_slice(&buf[..n]),
        }
    }
    reply.pop();
    if reply != reverse_line(line.as_bytes()) {
        let message = format!(
            "{line:?} came back as {:?}",
            String::from_utf8_lossy(&reply)
        );
        return Err(io::Error::new(io::ErrorKind::InvalidData, message));
    }
    Ok(())
}

/// One client: a first line, then wait until every client got its first answer, so that all
/// the connections are open at once, then a second line.
async fn client(addr: SocketAddr, id: usize, answered: Waiter, all: OneShot<()>) -> io::Result<()> {
    let first = async {
        let stream = AioStream::connect(addr).await?;
        request(&stream, &format!("client {id} first")).await?;
        io::Result::Ok(stream)
    };
    let first = first.await;
    // Counted even when it failed, so that the others do not wait for ever.
    answered.set();
    let stream = first?;
    all.await;
    request(&stream, &format!("client {id} second")).await
}

#[test]
fn a_thousand_clients_at_once_are_all_answered() {
    let fds = FdCheck::begin();
    let mut server = ServerDemo::start(&["--quiet"], None);
    let addr = server.addr;
    // This step's sockets as clients too: a thousand tasks in one loop of this process.
    let outcomes = bounded(move || {
        Loop::new()?.run_task(async move {
            let answered = Waiter::with_count(CLIENTS);
            let all = OneShot::new();
            let (waiting, opening) = (answered.clone(), all.clone());
            Loop::current()
                .map_err(io::Error::other)?
                .add_task(async move {
                    waiting.await;
                    let _ = opening.set(());
                });
            let clients = (0..CLIENTS).map(|id| client(addr, id, answered.clone(), all.clone()));
            io::Result::Ok(gather(clients.collect::<Vec<_>>()).await)
        })?
    });
    assert!(server.is_running(), "the server died");
    let log = server.stop();
    let outcomes = outcomes.expect("the client loop failed");
    let failed: Vec<String> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(id, o)| o.as_ref().err().map(|e| format!("client {id}: {e}")))
        .collect();
    assert!(failed.is_empty(), "{} failed: {failed:#?}", failed.len());
    let turned_away = log.iter().filter(|l| l.contains("turned away")).count();
    assert_eq!(turned_away, 0, "the server turned clients away");
    fds.assert_no_leak();
}

#[test]
#[cfg(target_os = "linux")]
fn a_thousand_idle_clients_cost_the_server_almost_no_cpu() {
    let fds = FdCheck::begin();
    let server = ServerDemo::start(&["--quiet"], None);
    let (addr, pid) = (server.addr, server.pid());
    let ticks = bounded(move || {
        // Plain blocking clients, answered once each: every one is accepted and served, and
        // its task now waits in `recv`, armed with a 60 s idle timeout.
        let mut clients = Vec::with_capacity(CLIENTS);
        for id in 0..CLIENTS {
            let mut client = Client::connect(addr)?;
            let line = format!("idle client {id}");
            assert_eq!(
                client.request(line.as_bytes())?,
                reverse_line(line.as_bytes())
            );
            clients.push(client);
        }
        let before = common::cpu_ticks(pid);
        std::thread::sleep(Duration::from_secs(2));
        let used = common::cpu_ticks(pid) - before;
        drop(clients);
        io::Result::Ok(used)
    });
    server.stop();
    let ticks = ticks.expect("every client answered");
    // Under 5% of the 2 s: step04's server asked each of the thousand sockets "ready?" on
    // every turn, a whole core; this one sleeps in the kernel until one of them speaks.
    let limit = common::ticks_per_second() * 2 / 20;
    assert!(
        ticks < limit,
        "{ticks} clock ticks of CPU in 2 s (limit {limit})"
    );
    fds.assert_no_leak();
}
