//! Running out of descriptors: the server pauses accepting, says so once, and goes on when a
//! client leaves. Run in a child process (the `echo_server` demo) whose descriptor limit is
//! lowered with the shell's `ulimit -n`, so that the test process itself is not starved.
#![cfg(unix)]

use std::io;
use std::net::{SocketAddr, TcpStream};

use shared::echo::Client;
use shared::testing::{DemoProcess, FdCheck, in_background, start_demo};

/// The descriptor limit of the server: stdio, the listener, and a few dozen clients.
const LIMIT: usize = 40;

/// Starts `echo_server` under `ulimit -n LIMIT`, its log read on a thread of its own so that it
/// never waits for us; returns it and the address it listens on. It would stop by itself only
/// after the time limit (dropping it kills it anyway).
fn start_server() -> (DemoProcess, SocketAddr) {
    let args = ["--port", "0", "--seconds", "60"];
    let mut server = start_demo(env!("CARGO_PKG_NAME"), "echo_server", &args, Some(LIMIT));
    let addr = server.listening_on();
    server.read_log_meanwhile();
    (server, addr)
}

#[test]
fn out_of_descriptors_the_server_waits_and_then_serves_again() {
    let fds = FdCheck::begin();
    let (server, addr) = start_server();
    let outcome = in_background(move || {
        // More idle connections than the server has descriptors: the last ones wait in the
        // listener's backlog, unaccepted.
        let idle: Vec<TcpStream> = (0..LIMIT + 5)
            .map(|_| TcpStream::connect(addr).unwrap())
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(300));
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
