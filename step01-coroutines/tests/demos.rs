//! The demos run without a terminal and print what they promise, in the talk's order.

use shared::testing::run_demo;

const PACKAGE: &str = env!("CARGO_PKG_NAME");

#[test]
fn the_talk_demo_prints_the_talks_lines_in_order() {
    let run = run_demo(PACKAGE, "talk01", &[]);
    let said: Vec<String> = run
        .lines()
        .into_iter()
        .filter(|line| !line.starts_with('§'))
        .collect();
    run.success();
    assert_eq!(
        said,
        [
            "simple_print: Hello",
            "complex_work: Hello",
            "loop: got Pending (Python: None)",
            "complex_work: World",
            "complex_work: Hello",
            "next: Pending (Python: returns None)",
            "complex_work: World",
            "next: Ready(()) (Python: raises StopIteration)",
        ]
    );
}

#[test]
fn step_by_step_auto_polls_three_times_without_prompting() {
    let run = run_demo(PACKAGE, "step_by_step", &["--auto"]);
    let polls: Vec<String> = run
        .lines()
        .into_iter()
        .filter(|line| line.starts_with("main: poll"))
        .collect();
    let stdout = run.success();
    assert_eq!(
        polls,
        [
            "main: poll #1 -> Pending",
            "main: poll #2 -> Pending",
            "main: poll #3 -> Ready(2)"
        ]
    );
    assert!(
        !stdout.contains("Enter"),
        "auto mode must not prompt: {stdout}"
    );
}

#[test]
fn a_bad_flag_is_one_line_and_exit_code_2() {
    let run = run_demo(PACKAGE, "step_by_step", &["--colour"]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        run.stderr.trim(),
        "error: invalid option '--colour' (try --help)"
    );
}
