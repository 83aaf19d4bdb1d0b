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
