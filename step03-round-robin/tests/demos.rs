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
fn step_by_step_auto_prints_every_suspension() {
    let stdout = run_demo("step_by_step", &["--auto"]);
    for poll in 1..=4 {
        assert!(
            stdout.contains(&format!("poll #{poll} -> Pending")),
            "{stdout}"
        );
    }
    assert!(stdout.contains("poll #5 -> Ready(42)"), "{stdout}");
    assert!(
        !stdout.contains("Enter"),
        "auto mode must not prompt: {stdout}"
    );
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

#[test]
fn two_tasks_interleave() {
    let stdout = run_demo("two_tasks", &[]);
    let a2 = stdout.find("task-a: message 2/4").expect("task-a speaks");
    let b2 = stdout.find("task-b: message 2/3").expect("task-b speaks");
    let a_done = stdout.find("task-a: done").expect("task-a ends");
    assert!(a2 < b2 && b2 < a_done, "{stdout}");
}

#[test]
fn gather_demo_returns_in_input_order() {
    let stdout = run_demo("gather", &[]);
    assert!(
        stdout.contains(r#"gather returned ["nap-1", "nap-2", "nap-3"]"#),
        "{stdout}"
    );
}
