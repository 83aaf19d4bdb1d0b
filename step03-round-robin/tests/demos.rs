//! The demos run without a terminal and print what they promise, in the talk's order.

use std::time::Duration;

use shared::testing::{Due, assert_timeline, print_messages, run_demo, timed_lines};

const PACKAGE: &str = env!("CARGO_PKG_NAME");

/// How long a talk second lasts in the demo's automatic runs.
const TALK_SECOND: Duration = Duration::from_millis(100);

/// The `print_messages` lines of one scenario of the talk demo, and when each came.
fn messages(stdout: &str, scenario: &str) -> Vec<(String, Duration)> {
    timed_lines(stdout, scenario, "print_messages")
}

#[test]
fn the_talk_demo_reproduces_the_talks_output() {
    let run = run_demo(PACKAGE, "talk03", &["--auto"]);
    let lines = run.lines();
    let stdout = run.success();
    // Slide 4.4: both runs, before the timed scenarios begin.
    let slide_4_4: Vec<&str> = lines
        .iter()
        .take_while(|l| !l.starts_with("§4.6"))
        .filter(|l| !l.starts_with('§') && !l.starts_with("main"))
        .map(String::as_str)
        .collect();
    let mut expected = vec!["simple_print: 1", "complex_work: Hello", "simple_print: 2"];
    expected.extend(["simple_print: 3", "complex_work: World", "wait_job: start"]);
    let counts: Vec<String> = (0..5).map(|i| format!("count_up_to: {i}")).collect();
    expected.extend(counts.iter().map(String::as_str));
    expected.push("wait_job: finished");
    assert_eq!(slide_4_4, expected);
    // The talk's lines at the talk's times, as the loop keeps them on a crowded machine: each
    // task's lines in order, none early, each late by little after the line before it. (Which
    // task prints first follows from the times; see `shared::testing::assert_timeline`.)
    let mut together = print_messages(&["foo", "bar", "baz"], 1.0, None);
    together.extend(print_messages(&["aaa", "bbb", "ccc"], 0.7, None));
    let on_time = |scenario, due: &[Due<'_>]| {
        assert_timeline(&messages(&stdout, scenario), due, TALK_SECOND);
    };
    on_time("§4.6", &together);
    on_time("§4.8", &print_messages(&["foo", "bar", "baz"], 1.0, None));
    on_time("§4.11", &together);
    assert!(lines.contains(&"main: gather returned [(), ()] (the talk's gather: None)".into()));
    // The article's `workflow`: `a c` at 0, `b d` at 1, `e` at 2, then `f` and `g` at 3 and 4.
    let mut workflow = print_messages(&["a", "b"], 1.0, None);
    workflow.extend(print_messages(&["c", "d", "e"], 1.0, None));
    workflow.extend(print_messages(&["f", "g"], 1.0, Some(("e", 1.0))));
    on_time("article", &workflow);
}
