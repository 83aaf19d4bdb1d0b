//! Running out of descriptors: the server pauses accepting, says so, and goes on when a client
//! leaves; and while it waits, it should not spin. Run in a child process (the `async_with_server`
//! demo) whose descriptor limit is lowered with the shell's `ulimit -n`, so that the test
//! process itself is not starved.
#![cfg(unix)]

mod common;

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use shared::echo::Client;
use shared::testing::{FdCheck, in_background};

use common::ServerDemo;

/// The descriptor limit of the server: stdio, the poller and its alarm, the listener, and a
/// few dozen clients.
const LIMIT: usize = 40;

/// More idle connections than the server has descriptors: the last ones wait in the
/// listener's backlog, unaccepted.
fn flood(addr: SocketAddr) -> Vec<TcpStream> {
    (0..LIMIT + 5)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect()
}

#[test]
fn out_of_descriptors_the_server_waits_and_then_serves_again() {
    let fds = FdCheck::begin();
    let server = ServerDemo::start(&[], Some(LIMIT));
    let addr = server.addr;
    let outcome = in_background(move || {
        let idle = flood(addr);
        std::thread::sleep(Duration::from_millis(300));
        drop(idle);
        // Descriptors free up as the server sees them leave: a new client is served.
        let mut client = Client::connect(addr)?;
        let reply = client.request(b"back again")?;
        io::Result::Ok((client.stream().local_addr()?, reply))
    })
    .join();
    let (last, reply) = outcome.unwrap();
    assert_eq!(reply, b"niaga kcab");
    // The server's log comes through its writer thread, maybe well after the reply: wait for
    // the line of that last answer, and every line before it is in.
    server.wait_for_line(|line| line.contains("niaga kcab"));
    let log = server.stop();
    // Said once each time accepting pauses (accept fails on every turn meanwhile), and each
    // pause ends: paused, accepting again, maybe paused again as the backlog takes the seats…
    // up to the last client. (After it, the server may pause once more: `accept` fails for
    // want of a descriptor even when nobody is waiting, and nobody comes to end that pause.)
    let admitted = format!("client {last} connected");
    let until_the_last = log.iter().position(|l| l.ends_with(&admitted));
    let until_the_last = until_the_last.unwrap_or_else(|| panic!("{admitted:?}: {log:#?}"));
    let changes: Vec<&str> = log[..until_the_last]
        .iter()
        .filter_map(|l| match l.to_lowercase() {
            l if l.contains("accept paused: too many open files") => Some("paused"),
            l if l.contains("accept paused") => Some("paused for another reason"),
            l if l.ends_with("accepting again") => Some("again"),
            _ => None,
        })
        .collect();
    assert!(!changes.is_empty(), "{log:#?}");
    for pair in changes.chunks(2) {
        assert_eq!(pair, ["paused", "again"], "{log:#?}");
    }
    fds.assert_no_leak();
}

#[test]
#[cfg(target_os = "linux")]
fn out_of_descriptors_the_server_does_not_spin() {
    // While descriptors are exhausted, `accept` fails at once on every try: `serve` sleeps a
    // little between tries instead of asking again on the very next turn at 100% CPU.
    let fds = FdCheck::begin();
    let server = ServerDemo::start(&["--quiet"], Some(LIMIT));
    let (addr, pid) = (server.addr, server.pid());
    let ticks = in_background(move || {
        let idle = flood(addr);
        // Let the server reach the limit, then measure one second of its CPU time.
        std::thread::sleep(Duration::from_millis(300));
        let before = common::cpu_ticks(pid);
        std::thread::sleep(Duration::from_secs(1));
        let used = common::cpu_ticks(pid) - before;
        drop(idle);
        used
    })
    .join();
    // The server ran out of descriptors (it said so; the line may come after the measure).
    server.wait_for_line(|line| line.contains("accept paused"));
    server.stop();
    let per_second = common::ticks_per_second();
    // A generous bound: a fifth of the second, where a server that sleeps uses nearly nothing.
    assert!(
        ticks * 5 < per_second,
        "{ticks} of {per_second} clock ticks of CPU in the second it was out of descriptors"
    );
    fds.assert_no_leak();
}
