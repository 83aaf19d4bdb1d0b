//! The time limit of `cargo xtask check`, on stand-in programs rather than real demos: a demo
//! that hangs is killed at the limit, a failing one keeps its stderr for the report.
#![cfg(unix)]

use std::path::Path;
use std::time::Duration;

use xtask::demo::{self, Outcome};

fn logs(case: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("time_limit")
        .join(case)
}

#[test]
fn a_hanging_demo_is_killed_at_the_limit() {
    let limit = Duration::from_millis(200);
    let run = demo::run_with_limit(
        Path::new("."),
        Path::new("sh"),
        &["-c", "echo started; exec sleep 30"],
        &logs("hang"),
        "hang",
        limit,
    )
    .expect("run sh");
    assert_eq!(run.outcome, Outcome::TimedOut);
    assert!(run.duration >= limit && run.duration < Duration::from_secs(10));
    assert_eq!(demo::tail(&run.stdout, 5), ["started"]);
}

#[test]
fn a_failing_demo_keeps_its_stderr() {
    let run = demo::run_with_limit(
        Path::new("."),
        Path::new("sh"),
        &["-c", "echo one >&2; echo two >&2; exit 3"],
        &logs("fail"),
        "fail",
        Duration::from_secs(30),
    )
    .expect("run sh");
    assert_eq!(run.outcome, Outcome::Failed("exit status: 3".into()));
    assert_eq!(demo::tail(&run.stderr, 1), ["two"]);
    assert_eq!(demo::tail(&run.stderr, 5), ["one", "two"]);
}

#[test]
fn a_quick_demo_passes() {
    let run = demo::run_with_limit(
        Path::new("."),
        Path::new("sh"),
        &["-c", "exit 0"],
        &logs("pass"),
        "pass",
        Duration::from_secs(30),
    )
    .expect("run sh");
    assert_eq!(run.outcome, Outcome::Passed);
}
