//! The socket demos run without a terminal, print what they promise, and fail with one clear
//! line and the right exit code.
//!
//! Every test counts descriptors, even those that open no socket: the pipes to a demo's output
//! are descriptors too, and would upset the count of a test running at the same time.

use std::net::Ipv4Addr;
use std::process::{Command, Output, Stdio};

use shared::testing::FdCheck;
use step04_sockets::AioListener;

/// Runs one of this step's examples through cargo, stdin closed, and returns what it did.
fn run_demo(name: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "--package",
            env!("CARGO_PKG_NAME"),
            "--example",
            name,
            "--",
        ])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("start cargo")
}

/// The demo's stdout, after checking that it succeeded.
fn stdout_of(name: &str, output: Output) -> String {
    assert!(
        output.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("demo output is UTF-8")
}

#[test]
fn reverse_echo_shows_both_sides() {
    let fds = FdCheck::begin();
    let stdout = stdout_of("reverse_echo", run_demo("reverse_echo", &["--auto"]));
    for expected in [
        "client: got  \"olleh\"",
        "client: got  \"éfac\"",
        "client: got  \"dlrow ,olleh\"",
        "client: got  \"eno\"",
        "client: got  \"owt\"",
        "client: got  b\"\\xe9fac\"",
        "done, 6 lines",
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
    let stdout = stdout_of("echo_server", run_demo("echo_server", &["--auto"]));
    assert!(stdout.contains("try: nc 127.0.0.1 "), "{stdout}");
    assert!(stdout.contains("time is up"), "{stdout}");
    fds.assert_no_leak();
}

#[test]
fn echo_server_on_a_busy_port_is_one_line_and_exit_code_1() {
    let fds = FdCheck::begin();
    let taken = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = run_demo("echo_server", &["--port", &port, "--seconds", "1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!("error: cannot listen on 127.0.0.1:{port}: address already in use")
    );
    drop(taken);
    fds.assert_no_leak();
}

#[test]
fn echo_server_bad_flags_are_one_line_and_exit_code_2() {
    let fds = FdCheck::begin();
    for args in [&["--port"][..], &["--port", "eighty"], &["--colour"]] {
        let output = run_demo("echo_server", args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
    }
    fds.assert_no_leak();
}
