//! The socket demos run without a terminal, print what they promise, and fail with one clear
//! line and the right exit code. A closed or unread stdout does not stop the server.
//!
//! Every test counts descriptors, even those that open no socket: the pipes to a demo's output
//! are descriptors too, and would upset the count of a test running at the same time. Demos run
//! on the test's own thread, so that a test that fails kills its demo on the way out; every wait
//! on a demo or a client has a time limit.

use std::net::{Ipv4Addr, SocketAddr};

use shared::echo::Client;
use shared::testing::{DemoProcess, FdCheck, in_background, run_demo, start_demo};
use step04_sockets::AioListener;

const PACKAGE: &str = env!("CARGO_PKG_NAME");

#[test]
fn the_talk_demo_prints_the_talks_two_lines() {
    let fds = FdCheck::begin();
    let run = run_demo(PACKAGE, "talk04", &[]);
    let lines = run.lines();
    run.success();
    assert_eq!(
        lines[1..],
        [
            "server: Received from client b'Hello World!'",
            "client: Received from server b'!dlroW olleH'",
        ]
    );
    fds.assert_no_leak();
}

#[test]
fn reverse_echo_shows_both_sides() {
    let fds = FdCheck::begin();
    let stdout = run_demo(PACKAGE, "reverse_echo", &["--auto"]).success();
    for expected in [
        "client: got  \"olleh\"",
        "client: got  \"éfac\"",
        "client: got  \"eno\"",
        "client: got  \"owt\"",
        "client: got  b\"\\xe9fac\"",
        "done, 5 lines",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    fds.assert_no_leak();
}

#[test]
fn echo_server_auto_stops_by_itself() {
    let fds = FdCheck::begin();
    let stdout = run_demo(PACKAGE, "echo_server", &["--auto", "--seconds", "1"]).success();
    assert!(stdout.contains("try: nc 127.0.0.1 "), "{stdout}");
    assert!(stdout.contains("time is up"), "{stdout}");
    fds.assert_no_leak();
}

#[test]
fn echo_server_on_a_busy_port_is_one_line_and_exit_code_1() {
    let fds = FdCheck::begin();
    let taken = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = run_demo(PACKAGE, "echo_server", &["--port", &port, "--seconds", "1"]);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    let expected = format!("error: cannot listen on 127.0.0.1:{port}: address already in use");
    assert_eq!(run.stderr.trim(), expected);
    drop(taken);
    fds.assert_no_leak();
}

#[test]
fn echo_server_bad_flags_are_one_line_and_exit_code_2() {
    let fds = FdCheck::begin();
    for args in [&["--port"][..], &["--port", "eighty"], &["--colour"]] {
        let run = run_demo(PACKAGE, "echo_server", args);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", run.stderr);
        assert_eq!(
            run.stderr.trim().lines().count(),
            1,
            "{args:?}: {}",
            run.stderr
        );
    }
    fds.assert_no_leak();
}

/// Starts `echo_server`, its stdout piped and left unread; returns it and where it listens. It would
/// stop by itself only after the time limit: a server that stops answering fails the clients'
/// wait, which tells the tests queued behind this one to give up soon too.
fn serve_into_a_pipe() -> (DemoProcess, SocketAddr) {
    let args = ["--port", "0", "--seconds", "60"];
    let mut server = start_demo(PACKAGE, "echo_server", &args, None);
    let addr = server.listening_on();
    (server, addr)
}

/// Two hundred clients of eleven lines each: well over the 64 KiB a pipe holds, once logged.
fn many_clients(addr: SocketAddr) -> std::io::Result<()> {
    for _ in 0..200 {
        let mut client = Client::connect(addr)?;
        for _ in 0..11 {
            assert_eq!(client.request(b"abc")?, b"cba");
        }
    }
    Ok(())
}

#[test]
fn a_log_nobody_reads_never_stalls_the_server() {
    let fds = FdCheck::begin();
    let (server, addr) = serve_into_a_pipe();
    // The pipe stays open and nobody reads it: it fills up, and the clients must not notice.
    let served = in_background(move || many_clients(addr)).join();
    server.stop(); // and the pipe with it
    served.expect("every client answered");
    fds.assert_no_leak();
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let fds = FdCheck::begin();
    let (mut server, addr) = serve_into_a_pipe();
    server.close_stdout(); // `echo_server | head -1`: the reader is gone
    let served = in_background(move || many_clients(addr)).join();
    let still_running = server.is_running();
    server.stop();
    served.expect("every client answered");
    assert!(still_running, "the server died when its stdout closed");
    fds.assert_no_leak();
}
