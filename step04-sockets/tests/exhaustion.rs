//! Running out of descriptors: the server pauses accepting, says so once, and goes on when a
//! client leaves. Run in a child process (the `echo_server` demo) whose descriptor limit is
//! lowered with the shell's `ulimit -n`, so that the test process itself is not starved.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};

use shared::echo::Client;
use shared::testing::{FdCheck, in_background};

/// The descriptor limit of the server: stdio, the listener, and a few dozen clients.
const LIMIT: usize = 40;

/// Starts `echo_server` under `ulimit -n LIMIT`; returns it and the address it listens on.
fn start_server() -> (Child, SocketAddr, std::thread::JoinHandle<Vec<String>>) {
    let built = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "-p",
            env!("CARGO_PKG_NAME"),
            "--example",
            "echo_server",
        ])
        .status()
        .expect("cargo build");
    assert!(built.success());
    let binary = std::env::current_exe().unwrap();
    let binary = binary
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/echo_server");
    let script = format!(
        "ulimit -n {LIMIT} && exec {} --port 0 --seconds 30",
        binary.display()
    );
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first.split("listening on ").nth(1).unwrap();
    let addr: SocketAddr = addr.split(',').next().unwrap().parse().unwrap();
    // Read the rest of the log on a thread, so that the server never waits for us.
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect());
    (child, addr, rest)
}

#[test]
fn out_of_descriptors_the_server_waits_and_then_serves_again() {
    let fds = FdCheck::begin();
    let (mut server, addr, log) = start_server();
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
        client.request(b"back again")
    })
    .join();
    server.kill().unwrap();
    server.wait().unwrap();
    let log = log.join().unwrap();
    assert_eq!(outcome.unwrap(), b"niaga kcab");
    // Said once each time accepting pauses (accept fails on every turn meanwhile), and each
    // pause ends: paused, accepting again, maybe paused again as the backlog takes the seats…
    let changes: Vec<&str> = log
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
