//! The demos run without a terminal and print what they promise: the talk's lines in the talk's
//! order and timing, cleanup in the order it happens, and a server that fails with one clear
//! line and the right exit code, and never stalls on its own log.
//!
//! Every test counts descriptors, even those that open no socket: the pipes to a demo's output
//! are descriptors too, and would upset the count of a test running at the same time. Demos run
//! on the test's own thread, so that a test that fails kills its demo on the way out; every wait
//! on a demo or a client has a time limit.

mod common;

use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use shared::echo::Client;
use shared::testing::{DemoProcess, FdCheck, LATENESS, in_background, run_demo, start_demo};
use shared::testing::{Due, assert_timeline, timed_lines};
use step06_async_iter_ctx::AioListener;

const PACKAGE: &str = env!("CARGO_PKG_NAME");

/// How long a talk second lasts in the demo's automatic runs.
const TALK_SECOND: Duration = Duration::from_millis(100);

/// The timestamp of the first stdout line that ends with `text`, in milliseconds.
fn stamp(stdout: &str, text: &str) -> f64 {
    let line = stdout.lines().find(|l| l.ends_with(text)).unwrap();
    let millis = line.trim_start_matches('[').split(" ms]").next().unwrap();
    millis.trim().parse().unwrap()
}

#[test]
fn the_talk_demo_reproduces_the_talks_output_and_timing() {
    let fds = FdCheck::begin();
    let run = run_demo(PACKAGE, "talk06", &["--auto"]);
    let lines = run.lines();
    let stdout = run.success();
    // 6.5 and 6.6: 0 to 4, one per talk second, the first after one second, none after the
    // last: each item a talk second after the one before (never sooner, late by little).
    let numbers: Vec<String> = (0..5).map(|i| i.to_string()).collect();
    let one_per_second: Vec<Due<'_>> = (0..5)
        .map(|i| Due {
            line: &numbers[i],
            after: i.checked_sub(1).map(|before| numbers[before].as_str()),
            delay: 1.0,
        })
        .collect();
    for title in [
        "async for i in ARange(5): print(i)",
        "async for i in arange(5): print(i)",
    ] {
        let printed = timed_lines(&stdout, title, "main");
        assert_eq!(printed.len(), 5, "{title}: {lines:#?}");
        assert_timeline(&printed, &one_per_second, TALK_SECOND);
        // In the order of the items, too.
        let items: Vec<&str> = printed.iter().map(|(item, _)| item.as_str()).collect();
        assert_eq!(items, ["0", "1", "2", "3", "4"], "{title}");
    }
    // The comprehension: the whole list once, after 5 talk seconds (five sleeps, each of them
    // maybe late).
    let list = timed_lines(&stdout, "print([x async for x in arange(5)])", "main");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].0, "[0, 1, 2, 3, 4]");
    // (The timestamps are rounded to a tenth of a millisecond.)
    let (came, five, rounding) = (list[0].1, TALK_SECOND * 5, Duration::from_micros(100));
    assert!(
        came + rounding >= five && came <= five + LATENESS * 5,
        "{list:?}"
    );
    // 6.8 and 6.9: the exchange of 4.17, through each context manager.
    for title in ["async with Server(addr) as server: …", "… yield socket …"] {
        let start = lines.iter().position(|l| l.ends_with(title)).unwrap();
        assert_eq!(
            lines[start + 1..start + 3],
            [
                "server: Received from client b'Hello World!'",
                "client: Received from server b'!dlroW olleH'"
            ],
            "{title}"
        );
    }
    assert!(!lines.iter().any(|l| l.contains("error")), "{lines:#?}");
    fds.assert_no_leak();
}

/// Its first line, as the talk demos of steps 03 and 05 write it.
#[test]
fn the_talk_demo_says_how_long_a_talk_second_lasts() {
    let fds = FdCheck::begin();
    let run = run_demo(PACKAGE, "talk06", &["--auto"]);
    assert_eq!(run.lines()[0], "main: one talk second lasts 100 ms here");
    fds.assert_no_leak();
}

#[test]
fn agen_cleans_up_at_the_break_not_later() {
    let fds = FdCheck::begin();
    let run = run_demo(PACKAGE, "agen", &["--auto"]);
    let lines = run.lines();
    run.success();
    let expected = [
        "main: async for tick in ticker('a', 3): print(tick)",
        "a: yield 1",
        "main: got 1",
        "a: yield 2",
        "main: got 2",
        "a: yield 3",
        "main: got 3",
        "a: no more ticks",
        "a: finally: cleaned up",
        "main: the loop is over",
        "main: async for tick in ticker('b', 5): … break at 2",
        "b: yield 1",
        "main: got 1",
        "b: yield 2",
        "main: got 2",
        "main: break",
        // Dropped at the end of the loop's block: the cleanup runs at once, in this task.
        "b: finally: cleaned up",
        "main: after the loop",
        "main: [tick async for tick in ticker('c', 3)]",
        "c: yield 1",
        "c: yield 2",
        "c: yield 3",
        "c: no more ticks",
        "c: finally: cleaned up",
        "main: [1, 2, 3]",
    ];
    assert_eq!(lines, expected);
    fds.assert_no_leak();
}

#[test]
fn cancel_cleanup_shows_every_exit_run_after_its_body_was_cut() {
    let fds = FdCheck::begin();
    let run = run_demo(PACKAGE, "cancel_cleanup", &["--auto"]);
    let lines = run.lines();
    let stdout = run.success();
    let expected = [
        "main: 1. timeout(0.2 s, async with db: body)",
        "db: enter: connected",
        "body: working with db (needs 1 s)",
        "main: Err(Kind(TimedOut)): the scope was dropped mid-body",
        // The guard handed the exit to the loop: it runs as a task, after the drop...
        "db: exit(Cancelled): saying goodbye…",
        "db: exit: closed",
        // ...and `run` waits for it.
        "main: run() returned",
        "main: 2. timeout(0.2 s, async with outer: async with inner: body)",
        "outer: enter: connected",
        "inner: enter: connected",
        "body: working with inner (needs 1 s)",
        "main: Err(Kind(TimedOut)): both scopes dropped, inner first",
        // Each exit is a task of its own: they start in reverse order, and run side by side.
        "inner: exit(Cancelled): saying goodbye…",
        "outer: exit(Cancelled): saying goodbye…",
        "inner: exit: closed",
        "outer: exit: closed",
        "main: run() returned",
        "main: 3. async with db: a body that waits for ever",
        "db: enter: connected",
        "body: waiting for something that never comes",
        // The loop gives up on the body, drops it, then runs the exit that the drop handed it.
        "db: exit(Cancelled): saying goodbye…",
        "db: exit: closed",
        "main: run(): 1 task waits for something that can never happen: nothing holds a waker",
    ];
    assert_eq!(lines, expected);
    let cut = stamp(&stdout, "the scope was dropped mid-body") - stamp(&stdout, "(needs 1 s)");
    // Never before the 0.2 s (0.1 ms of rounding between the stamps); before the body's 1 s,
    // which a timeout that waited for the body would not be.
    assert!((199.9..1000.0).contains(&cut), "cut after {cut} ms");
    fds.assert_no_leak();
}

#[test]
fn async_with_server_auto_stops_by_itself() {
    let fds = FdCheck::begin();
    let stdout = run_demo(PACKAGE, "async_with_server", &["--auto", "--seconds", "1"]).success();
    assert!(stdout.contains("try: nc 127.0.0.1 "), "{stdout}");
    assert!(stdout.contains("time is up"), "{stdout}");
    fds.assert_no_leak();
}

#[test]
fn async_with_server_on_a_busy_port_is_one_line_and_exit_code_1() {
    let fds = FdCheck::begin();
    let taken = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = run_demo(
        PACKAGE,
        "async_with_server",
        &["--port", &port, "--seconds", "1"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    let expected = format!("error: cannot listen on 127.0.0.1:{port}: address already in use");
    assert_eq!(run.stderr.trim(), expected);
    drop(taken);
    fds.assert_no_leak();
}

#[test]
fn async_with_server_bad_flags_are_one_line_and_exit_code_2() {
    let fds = FdCheck::begin();
    let mistakes = [
        &["--port"][..],
        &["--port", "eighty"],
        &["--colour"],
        &["--idle-timeout", "soon"],
    ];
    for args in mistakes {
        let run = run_demo(PACKAGE, "async_with_server", args);
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

/// Starts `async_with_server`, its stdout piped and left unread; returns it and where it
/// listens. It would
/// stop by itself only after the time limit: a server that stops answering fails the clients'
/// wait, which tells the tests queued behind this one to give up soon too.
fn serve_into_a_pipe() -> (DemoProcess, SocketAddr) {
    let args = ["--port", "0", "--seconds", "60"];
    let mut server = start_demo(PACKAGE, "async_with_server", &args, None);
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
    server.close_stdout(); // `async_with_server | head -1`: the reader is gone
    let served = in_background(move || many_clients(addr)).join();
    let still_running = server.is_running();
    server.stop();
    served.expect("every client answered");
    assert!(still_running, "the server died when its stdout closed");
    fds.assert_no_leak();
}

/// The first Ctrl-C cancels the body, and the exit closes the listener at once, although a
/// silent client is still connected (its task waits for its idle timeout, a minute away): new
/// clients are refused from then on. The silent client is still served; when it leaves, the
/// server ends by itself.
#[test]
fn after_the_first_ctrl_c_the_listener_closes_at_once() {
    let fds = FdCheck::begin();
    let mut server = start_demo(PACKAGE, "async_with_server", &["--port", "0"], None);
    let addr = server.listening_on();
    let silent = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    // Clients are accepted in the order they came: once this one is answered, the silent one
    // has been accepted too, and its task waits for its next line.
    let mut talker = Client::connect(addr).unwrap();
    assert_eq!(talker.request(b"abc").unwrap(), b"cba");
    drop(talker);
    server.interrupt();
    // No client may connect meanwhile: a new connection would wake the loop, and hide a loop
    // that sleeps on with the exit not yet run.
    let mut stamps = Vec::new();
    for text in [
        "server: Ctrl-C: closing",
        "server: clients connected are served till they leave; Ctrl-C again quits now",
        "server: closed the listener (Cancelled)",
    ] {
        let line = std::iter::repeat_with(|| server.read_line())
            .find(|line| line.ends_with(text) || line.is_empty())
            .unwrap();
        assert!(line.ends_with(text), "the log ended before {text:?}");
        stamps.push(stamp(&line, text));
    }
    let refused = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
    drop(silent); // the last client leaves: the loop has nothing left to run
    assert!(server.wait_for_exit().success());
    server.stop();
    // The promise is "at once": well under 100 ms on a quiet machine. The bound is loose, for a
    // busy one; without the fix, the listener stays open until the silent client's timeout.
    let closed_after = stamps[2] - stamps[0];
    assert!(
        closed_after < 1000.0,
        "closed {closed_after} ms after Ctrl-C"
    );
    fds.assert_no_leak();
}
