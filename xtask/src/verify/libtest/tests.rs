use super::*;

const PRINTED: &str = "
running 7 tests
test a_waiter_is_pending ... ok
test polling_again_panics - should panic ... ok
test timers_fire_in_order ... FAILED
test slow_one ... ignored, takes a minute
test sleep_is_polled_twice ... FAILED
test tests::no_panic - should panic ... FAILED
test tests::other_panic - should panic ... FAILED

failures:

---- timers_fire_in_order stdout ----
captured line printed by the test

thread 'timers_fire_in_order' (4242) panicked at tests/timers.rs:40:5:
assertion `left == right` failed: fired out of order
  left: [2, 1]
 right: [1, 2]
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

---- sleep_is_polled_twice stdout ----

thread '<unnamed>' panicked at src/timer.rs:20:5:
not yet implemented: exercise sleep: a one-shot and a timer
---- tests::no_panic stdout ----
note: test did not panic as expected at src/lib.rs:5:8
---- tests::other_panic stdout ----

thread 'tests::other_panic' (22162) panicked at src/lib.rs:11:24:
index out of bounds
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
note: panic did not contain expected string
      panic message: \"index out of bounds\"
 expected substring: \"polled after completion\"

failures:
    sleep_is_polled_twice
    timers_fire_in_order

test result: FAILED. 2 passed; 4 failed; 1 ignored; 0 measured; 0 filtered out
";

#[test]
fn every_outcome_in_its_own_words() {
    let results = parse(PRINTED);
    let names: Vec<&str> = results.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "a_waiter_is_pending",
            "polling_again_panics",
            "timers_fire_in_order",
            "slow_one",
            "sleep_is_polled_twice",
            "tests::no_panic",
            "tests::other_panic",
        ]
    );
    assert_eq!(results[1].1, Outcome::Passed);
    assert_eq!(
        results[2].1,
        Outcome::Failed(Failure::Assertion(Panic {
            earlier: Vec::new(),
            at: "tests/timers.rs:40:5".into(),
            message: "assertion `left == right` failed: fired out of order\n  left: [2, 1]\n \
                      right: [1, 2]"
                .into()
        }))
    );
    assert_eq!(results[3].1, Outcome::Ignored);
    assert_eq!(
        results[4].1,
        Outcome::Failed(Failure::Panicked(Panic {
            earlier: Vec::new(),
            at: "src/timer.rs:20:5".into(),
            message: "not yet implemented: exercise sleep: a one-shot and a timer".into()
        }))
    );
    assert_eq!(
        results[5].1,
        Outcome::Failed(Failure::NoPanic {
            at: Some("src/lib.rs:5:8".into()),
            expected: None
        })
    );
    assert_eq!(
        results[6].1,
        Outcome::Failed(Failure::WrongPanic {
            got: "\"index out of bounds\"".into(),
            expected: "\"polled after completion\"".into()
        })
    );
}

#[test]
fn a_warning_about_a_slow_test_is_no_result() {
    let printed = "test slow has been running for over 60 seconds\ntest slow ... ok\n";
    assert_eq!(parse(printed), [("slow".to_owned(), Outcome::Passed)]);
}

#[test]
fn a_missing_panic_says_which_panic_the_test_expects() {
    let dir = std::env::temp_dir().join(format!("xtask-expected-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("tests")).expect("mkdir");
    let source = "mod inner {\n    #[test]\n    #[should_panic(expected = \"polled after \\\n    \
                  completion\")]\n    fn again() {}\n}\n\n#[test]\n#[should_panic]\nfn plain() {}\n";
    std::fs::write(dir.join("tests/x.rs"), source).expect("write");
    assert_eq!(
        expected_panic(&dir, "tests/x.rs:5:8").as_deref(),
        Some("polled after completion")
    );
    assert_eq!(expected_panic(&dir, "tests/x.rs:10:4"), None);
    assert_eq!(expected_panic(&dir, "tests/missing.rs:1:1"), None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_process_seen_running_most_of_the_time_is_busy() {
    let watch = |running, seen| Watch { running, seen };
    assert_eq!(watch(48, 50).busy(), Some(true));
    assert_eq!(watch(1, 50).busy(), Some(false));
    assert_eq!(watch(0, 0).busy(), None);
}

#[test]
fn selections_become_libtest_arguments() {
    let names = vec!["a".to_owned(), "b".to_owned()];
    assert_eq!(
        arguments(&Selection::Exactly(names.clone())),
        ["a", "b", "--exact", "--test-threads", "2"]
    );
    assert_eq!(
        arguments(&Selection::AllBut(names)),
        ["--exact", "--skip", "a", "--skip", "b"]
    );
    assert_eq!(arguments(&Selection::Filters(vec!["x".into()])), ["x"]);
}

/// An assertion with a long message of the test's own shows the values that differ first.
#[test]
fn the_values_that_differ_come_before_a_long_message_of_the_test() {
    let message = "assertion `left == right` failed: [\n    \"line 1\",\n    \"line 2\",\n]\n  \
                   left: [\"paused\"]\n right: [\"paused\", \"again\"]";
    let failure = Failure::Assertion(Panic::new("tests/x.rs:58:9", message));
    assert_eq!(
        failure.describe(&|p| p.to_owned()),
        [
            "a wrong result at tests/x.rs:58:9:",
            "assertion `left == right` failed",
            "  left: [\"paused\"]",
            " right: [\"paused\", \"again\"]",
            "with the test's message:",
            "[",
            "    \"line 1\",",
            "    \"line 2\",",
            "]",
        ]
    );
    // A message on one line stays as it is.
    let short = "assertion `left == right` failed: fired\n  left: 1\n right: 2";
    let failure = Failure::Assertion(Panic::new("tests/x.rs:1:1", short));
    assert_eq!(
        failure.describe(&|p| p.to_owned())[1..],
        short.lines().collect::<Vec<_>>()
    );
}
