//! The demos run without a terminal and print what they promise.

use std::process::{Command, Stdio};

/// Runs one of this step's examples through cargo, stdin closed, and returns its stdout.
fn run_demo(name: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO"))
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
        .expect("start cargo");
    assert!(
        output.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("demo output is UTF-8")
}

#[test]
fn complex_work_struct_polls_both_versions_five_times() {
    let stdout = run_demo("complex_work_struct", &[]);
    assert!(
        stdout.contains("ComplexWork::new() returned 42 after 5 polls"),
        "{stdout}"
    );
    assert!(
        stdout.contains("complex_work() returned 42 after 5 polls"),
        "{stdout}"
    );
}

#[test]
fn waiter_sync_waits_for_the_whole_work() {
    let stdout = run_demo("waiter_sync", &["--work", "5"]);
    let notify = stdout
        .find("worker: done, notifying")
        .expect("the worker notifies");
    let resumed = stdout
        .find("waiting: notified, going on")
        .expect("the waiting side resumes");
    assert!(stdout.contains("working 5/5"), "{stdout}");
    assert!(notify < resumed, "{stdout}");
}
