//! The demos run without a terminal and print what they promise, in the talk's order.

use shared::testing::run_demo;

const PACKAGE: &str = env!("CARGO_PKG_NAME");

#[test]
fn the_talk_demo_prints_the_talks_lines_in_order() {
    let run = run_demo(PACKAGE, "talk02", &[]);
    let said: Vec<String> = run
        .lines()
        .into_iter()
        .filter(|line| !line.starts_with('§') && !line.starts_with("next:"))
        .collect();
    run.success();
    let mut expected = vec!["complex_work: Hello", "complex_work: World"];
    expected.extend(["complex_work: Hello", "complex_work: World"]);
    expected.push("wait_job: start");
    let counts: Vec<String> = (0..10).map(|i| format!("count_up_to: {i}")).collect();
    expected.extend(counts.iter().map(String::as_str));
    expected.push("wait_job: finished");
    expected.push("main: join returned ((), ()) (Python's gather: [None, None])");
    assert_eq!(said, expected);
}

#[test]
fn waiter_sync_waits_for_the_whole_work() {
    let run = run_demo(PACKAGE, "waiter_sync", &["--work", "5"]);
    let lines = run.lines();
    run.success();
    let set = lines
        .iter()
        .position(|l| l == "worker: done, setting the flag");
    let resumed = lines
        .iter()
        .position(|l| l == "waiting: the flag is set, going on");
    assert!(
        lines.contains(&"worker: working 5/5".to_owned()),
        "{lines:#?}"
    );
    assert!(set.is_some() && set < resumed, "{lines:#?}");
}

#[test]
fn waiter_sync_refuses_a_bad_number_in_one_line() {
    let run = run_demo(PACKAGE, "waiter_sync", &["--work", "many"]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        run.stderr.trim(),
        "error: invalid value 'many' for option '--work' (try --help)"
    );
}
