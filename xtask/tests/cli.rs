//! The built `xtask` binary on bad input: one `error:` line of at most 100 columns naming what
//! is valid, exit code 2, never a panic. And the happy paths that need no demo to run.

use std::process::{Command, Output, Stdio};

use xtask::steps;

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .stdin(Stdio::null())
        .env_remove("NO_COLOR")
        .output()
        .expect("run the xtask binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The numbers of the steps that exist today, as the binary sees them.
fn step_numbers() -> Vec<String> {
    let steps = steps::discover(&xtask::workspace_root()).expect("discover steps");
    steps.iter().map(|s| s.number.to_string()).collect()
}

/// Asserts a usage error: exit 2, nothing on stdout, one short `error:` line containing `expected`.
fn assert_usage_error(args: &[&str], expected: &str) {
    let output = xtask(args);
    let err = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(text(&output.stdout), "", "{args:?}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(
        err.trim_end().chars().count() <= 100,
        "{args:?}: too wide: {err}"
    );
    assert!(err.contains(expected), "{args:?}: {err}");
}

#[test]
fn unknown_steps_name_the_valid_ones() {
    let valid = step_numbers().join(", ");
    let message = format!("error: unknown step '99': valid steps are {valid}\n");
    assert_eq!(text(&xtask(&["diff", "1", "99"]).stderr), message);
    assert_usage_error(&["diff", "1", "99"], &message);
    assert_usage_error(&["diff", "nope", "1"], "unknown step 'nope'");
    assert_usage_error(&["demo", "99"], "valid steps are");
    assert_usage_error(&["tour", "--from", "99"], "valid steps are");
}

#[test]
fn equal_steps_are_refused_whatever_the_spelling() {
    let first = steps::discover(&xtask::workspace_root()).expect("steps")[0].clone();
    let number = first.number.to_string();
    for spelling in [
        format!("0{number}"),
        format!("step0{number}"),
        first.name.clone(),
        first.lib_name(),
    ] {
        assert_usage_error(&["diff", &number, &spelling], "nothing to diff");
    }
}

#[test]
fn bad_flags_and_arguments() {
    assert_usage_error(&["diff"], "diff takes two steps, got 0");
    assert_usage_error(&["diff", "1"], "diff takes two steps, got 1");
    assert_usage_error(&["diff", "1", "2", "3"], "diff takes two steps, got 3");
    assert_usage_error(
        &["diff", "1", "2", "--bogus"],
        "try --all --stat --slides --file --context --color --python",
    );
    assert_usage_error(
        &["diff", "1", "2", "--stat", "--slides"],
        "--stat and --slides are two views: pick one",
    );
    assert_usage_error(
        &["diff", "1", "2", "--color", "pink"],
        "auto, always or never",
    );
    assert_usage_error(
        &["diff", "1", "2", "--context", "-1"],
        "--context needs a number",
    );
    assert_usage_error(
        &["diff", "1", "2", "--context"],
        "missing argument for option '--context'",
    );
    assert_usage_error(&["diff", "1", "2", "--stat=yes"], "--stat");
    assert_usage_error(
        &["diff", "1", "2", "--file", "src/nope.rs"],
        "valid files: src/lib.rs",
    );
    assert_usage_error(&["demo"], "demo needs a step");
    assert_usage_error(
        &["demo", "1", "nope"],
        "has no demo 'nope': valid demos are ",
    );
    assert_usage_error(&["tour", "--fast"], "valid options are --from N, --to M");
    assert_usage_error(&["tour", "--from", "2", "--to", "1"], "cannot go backwards");
    assert_usage_error(&["check", "--timeout", "0"], "above 0");
    assert_usage_error(&["list", "3"], "list takes no arguments");
    assert_usage_error(
        &["frobnicate"],
        "unknown command 'frobnicate': `cargo xtask --help` lists the",
    );
    assert_usage_error(&[&"x".repeat(300)], "unknown command");
}

#[test]
fn a_huge_context_is_clamped() {
    let numbers = step_numbers();
    if numbers.len() < 2 {
        return; // Only one step so far: nothing to compare yet.
    }
    let huge = "9223372036854775808";
    for context in [huge, "99999999999999999999999999999"] {
        let output = xtask(&["diff", &numbers[0], &numbers[1], "--context", context]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    }
}

#[test]
fn help_succeeds_everywhere() {
    for args in [&[][..], &["help"], &["--help"], &["-h"]] {
        let output = xtask(args);
        assert!(output.status.success(), "{args:?}");
        assert!(text(&output.stdout).contains("  diff    "), "{args:?}");
    }
    for command in ["list", "diff", "demo", "tour", "check"] {
        for flag in ["--help", "-h"] {
            let output = xtask(&[command, flag]);
            assert!(output.status.success(), "{command} {flag}");
            let help = text(&output.stdout);
            assert!(
                help.starts_with(&format!("usage: cargo xtask {command}")),
                "{help}"
            );
            assert!(
                help.lines().all(|line| line.chars().count() <= 100),
                "{help}"
            );
        }
    }
}

#[test]
fn list_and_demo_listing_put_the_talk_demo_first() {
    let output = xtask(&["list"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with(" 1  step01-"));
    let output = xtask(&["demo", "1"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("demos of step 1 (step01-"));
}

#[test]
fn diff_renders_plain_on_a_pipe() {
    let numbers = step_numbers();
    if numbers.len() < 2 {
        return;
    }
    let output = xtask(&["diff", &numbers[0], &numbers[1]]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let diff = text(&output.stdout);
    assert!(
        diff.lines().nth(1).is_some_and(|l| l.starts_with("--- ")),
        "{diff}"
    );
    assert!(!diff.contains('\x1b'), "--color auto on a pipe is plain");
    let output = xtask(&[
        "diff",
        &numbers[1],
        &numbers[0],
        "--stat",
        "--color",
        "always",
    ]);
    assert!(text(&output.stdout).contains(" files changed, "));
    assert!(text(&output.stdout).contains('\x1b'));
}
