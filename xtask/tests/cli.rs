//! The built `xtask` binary on bad input: one `error:` line naming what is valid, exit code 2,
//! never a panic. And the happy paths that need no demo to run.

use std::process::{Command, Output, Stdio};

use xtask::steps;

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run the xtask binary")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The numbers of the steps that exist today, as the binary sees them.
fn step_numbers() -> Vec<u32> {
    steps::discover(&xtask::workspace_root())
        .expect("discover steps")
        .iter()
        .map(|s| s.number)
        .collect()
}

/// Asserts a usage error: exit 2, nothing on stdout, one `error:` line containing `expected`.
fn assert_usage_error(args: &[&str], expected: &str) {
    let output = xtask(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(stdout(&output), "", "{args:?}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(err.contains(expected), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn unknown_steps_name_the_valid_ones() {
    let valid = step_numbers()
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    assert_usage_error(
        &["diff", "1", "99"],
        &format!("unknown step '99': valid steps are {valid}"),
    );
    assert_usage_error(&["diff", "nope", "1"], "unknown step 'nope'");
    assert_usage_error(&["demo", "99"], "valid steps are");
    assert_usage_error(&["tour", "--from", "99"], "valid steps are");
}

#[test]
fn equal_steps_are_refused_whatever_the_spelling() {
    assert_usage_error(&["diff", "1", "1"], "nothing to diff");
    assert_usage_error(&["diff", "01", "step01-coroutines"], "nothing to diff");
}

#[test]
fn missing_arguments_unknown_flags_and_commands() {
    assert_usage_error(&["diff"], "diff needs two steps");
    assert_usage_error(&["diff", "1"], "diff needs two steps");
    assert_usage_error(&["diff", "1", "2", "--bogus"], "valid options are --stat");
    assert_usage_error(
        &["diff", "1", "2", "--color", "pink"],
        "auto, always or never",
    );
    assert_usage_error(
        &["diff", "1", "2", "--context", "-1"],
        "--context needs a number",
    );
    assert_usage_error(&["demo"], "demo needs a step");
    assert_usage_error(&["tour", "--fast"], "valid options are --from N, --to M");
    assert_usage_error(&["check", "--quick"], "--timeout SECS");
    assert_usage_error(
        &["frobnicate"],
        "valid commands are list, diff, demo, tour, check",
    );
}

#[test]
fn an_unknown_demo_names_the_valid_ones() {
    assert_usage_error(
        &["demo", "1", "nope"],
        "step 1 (step01-coroutines) has no demo 'nope': valid demos are complex_work,",
    );
}

#[test]
fn help_is_the_default_and_succeeds() {
    for args in [&[][..], &["help"], &["--help"], &["diff", "-h"]] {
        let output = xtask(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(stdout(&output).contains("cargo xtask diff A B"), "{args:?}");
    }
}

#[test]
fn list_shows_every_step_with_its_demos() {
    let output = xtask(&["list"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with(" 1  step01-coroutines"), "{text}");
    assert!(text.contains("§2 Un monde de coroutines"), "{text}");
    assert!(
        text.contains("demos: step_by_step (headline), complex_work, introspect\n"),
        "{text}"
    );
}

#[test]
fn demo_without_a_name_lists_the_demos() {
    let output = xtask(&["demo", "step01"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("  step_by_step  (headline)\n"));
}

#[test]
fn diff_of_the_first_two_steps_renders_in_both_directions() {
    if step_numbers().len() < 2 {
        return; // Only one step so far: nothing to compare yet.
    }
    let first = step_numbers()[0].to_string();
    let second = step_numbers()[1].to_string();
    let output = xtask(&["diff", &first, &second, "--color", "never"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("--- a/step"), "{text}");
    assert!(!text.contains('\x1b'), "--color never");

    let output = xtask(&["diff", &second, &first, "--stat"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains(" files changed, "), "{text}");
    assert!(!text.contains('\x1b'), "--color auto on a pipe is plain");
}
