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
