//! The demos run without a terminal and print what they promise, in the talk's order.

use shared::testing::run_demo;

const PACKAGE: &str = env!("CARGO_PKG_NAME");

/// The `print_messages` lines of one scenario of the talk demo: `(message, talk seconds)`.
fn messages(lines: &[String], scenario: &str) -> Vec<(String, f64)> {
    let start = lines.iter().position(|l| l.starts_with(scenario)).unwrap();
    lines[start..]
        .iter()
        .skip_while(|l| l.starts_with('§') || l.starts_with("article"))
        .take_while(|l| l.starts_with("print_messages: "))
        .map(|l| {
            let rest = l.trim_start_matches("print_messages: ");
            let (msg, at) = rest.split_once(" at ").unwrap();
            let seconds = at.trim_end_matches(" s").parse().unwrap();
            (msg.trim().to_owned(), seconds)
        })
        .collect()
}

/// Checks messages and times against the talk's, times within a generous margin.
fn assert_timeline(got: &[(String, f64)], expected: &[(&str, f64)]) {
    let names: Vec<&str> = got.iter().map(|(m, _)| m.as_str()).collect();
    let wanted: Vec<&str> = expected.iter().map(|(m, _)| *m).collect();
    assert_eq!(names, wanted);
    for ((msg, at), (_, talk)) in got.iter().zip(expected) {
        assert!(
            (at - talk).abs() <= 0.3,
            "{msg} at {at} s, the talk says {talk} s"
        );
    }
}

#[test]
fn the_talk_demo_reproduces_the_talks_output() {
    let run = run_demo(PACKAGE, "talk03", &["--auto"]);
    let lines = run.lines();
    run.success();
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
    let together = [
        ("foo", 0.0),
        ("aaa", 0.0),
        ("bbb", 0.7),
        ("bar", 1.0),
        ("ccc", 1.4),
        ("baz", 2.0),
    ];
    assert_timeline(&messages(&lines, "§4.6"), &together);
    assert_timeline(
        &messages(&lines, "§4.8"),
        &[("foo", 0.0), ("bar", 1.0), ("baz", 2.0)],
    );
    assert_timeline(&messages(&lines, "§4.11"), &together);
    assert!(lines.contains(&"main: gather returned [(), ()] (the talk's gather: None)".into()));
    let workflow = [
        ("a", 0.0),
        ("c", 0.0),
        ("b", 1.0),
        ("d", 1.0),
        ("e", 2.0),
        ("f", 3.0),
        ("g", 4.0),
    ];
    assert_timeline(&messages(&lines, "article"), &workflow);
}
