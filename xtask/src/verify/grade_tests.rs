use std::path::PathBuf;
use std::time::Duration;

use super::failure::{Failure, Panic};
use super::libtest::{Outcome, TestResult};
use super::*;
use crate::exercise::meta::{Exercise, TestFilter};
use crate::exercise::state::Written;

fn exercise(name: &str, tests: &[(&str, &str)]) -> Exercise {
    Exercise {
        name: name.into(),
        file: "src/timer.rs".into(),
        item: "sleep".into(),
        hints: vec!["one".into(), "two".into()],
        tests: tests
            .iter()
            .map(|(target, filter)| TestFilter {
                target: (*target).into(),
                filter: (*filter).into(),
            })
            .collect(),
    }
}

fn written(exercise: &Exercise, body: &str) -> Written {
    Written {
        exercise: exercise.clone(),
        path: PathBuf::from("src/timer.rs"),
        body: Ok(body.into()),
        todo: body.contains("todo!"),
    }
}

fn result(target: &str, name: &str, outcome: Outcome) -> TestResult {
    TestResult {
        target: target.into(),
        name: name.into(),
        outcome,
    }
}

fn panicked(message: &str) -> Outcome {
    Outcome::Failed(Failure::from_panic(Panic::new(
        "tests/timers.rs:1:1",
        message,
    )))
}

#[test]
fn grades_from_the_tests_that_name_the_exercise() {
    let sleep = exercise("sleep", &[("timers", "sleep_"), ("wakers", "")]);
    let timers = exercise("timers", &[("timers", "fire")]);
    let all = [sleep.clone(), timers.clone()];
    let out_of_order = result("timers", "timers_fire_in_order", panicked("out of order"));
    let results = [
        result("timers", "sleep_never_returns_early", Outcome::Passed),
        result("wakers", "a_task_is_woken", Outcome::Passed),
        out_of_order.clone(),
        result("demos", "talk", panicked("no")),
    ];
    let body = "{ done }";
    assert_eq!(
        grade(&written(&sleep, body), &results, &all),
        Grade::Done(2)
    );
    assert_eq!(
        grade(&written(&timers, body), &results, &all),
        Grade::Failing {
            first: out_of_order,
            others: Vec::new(),
            also: Vec::new()
        }
    );
    assert_eq!(
        grade(&written(&timers, "{ todo!() }"), &results, &all),
        Grade::Todo
    );
    let mut missing = written(&sleep, body);
    missing.body = Err("no `sleep` found".into());
    assert_eq!(
        grade(&missing, &results, &all),
        Grade::Missing("no `sleep` found".into())
    );
}

#[test]
fn a_failure_from_another_exercises_todo_says_which_comes_first() {
    let sleep = exercise("sleep", &[("timers", "")]);
    let timers = exercise("timers", &[("timers", "fire")]);
    let all = [sleep.clone(), timers.clone()];
    let todo = "not yet implemented: exercise timers: pop the due ones";
    let results = [
        result("timers", "sleep_never_returns_early", panicked(todo)),
        result("timers", "timers_fire", panicked(todo)),
    ];
    assert_eq!(
        grade(&written(&sleep, "{ x }"), &results, &all),
        Grade::Waiting("timers".into())
    );
    // Its own todo in a message (an old build) is a failure like any other.
    assert!(matches!(
        grade(&written(&timers, "{ x }"), &results, &all),
        Grade::Failing { ref others, .. } if others.is_empty()
    ));
}

/// Of several failing tests, the one that explains most comes first: a wrong value before a
/// hang, a hang before a missing panic; and the others are counted.
#[test]
fn the_failure_that_explains_most_comes_first() {
    let sleep = exercise("sleep", &[("timers", "")]);
    let no_panic = Outcome::Failed(Failure::NoPanic {
        at: None,
        expected: Some("polled after completion".into()),
    });
    let hung = Outcome::Failed(Failure::Hung {
        after: Duration::from_secs(10),
        busy: Some(true),
    });
    let wrong = panicked("assertion `left == right` failed\n  left: 1\n right: 2");
    let results = [
        result("timers", "a_missing_panic", no_panic),
        result("timers", "a_hang", hung.clone()),
        result("timers", "a_wrong_value", wrong.clone()),
    ];
    let Grade::Failing { first, others, .. } = grade(
        &written(&sleep, "{ x }"),
        &results,
        std::slice::from_ref(&sleep),
    ) else {
        panic!("failing");
    };
    let others: Vec<&str> = others.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        (first.name.as_str(), others),
        ("a_wrong_value", vec!["a_hang", "a_missing_panic"])
    );
    let Grade::Failing { first, others, .. } = grade(
        &written(&sleep, "{ x }"),
        &results[..2],
        std::slice::from_ref(&sleep),
    ) else {
        panic!("failing");
    };
    assert_eq!((first.outcome, others.len()), (hung, 1));
}

#[test]
fn no_test_that_ran_is_no_success() {
    let sleep = exercise("sleep", &[("timers", "renamed")]);
    let results = [result("timers", "other", Outcome::Passed)];
    assert!(matches!(
        grade(
            &written(&sleep, "{ x }"),
            &results,
            std::slice::from_ref(&sleep)
        ),
        Grade::Missing(_)
    ));
}

/// A test whose ending panic is an assertion, after another exercise's `todo!()` panicked in a
/// task that the loop caught: that exercise comes first.
#[test]
fn a_todo_caught_before_the_assertion_still_says_which_comes_first() {
    let sleep = exercise("sleep", &[("timers", "")]);
    let timers = exercise("timers", &[("timers", "fire")]);
    let all = [sleep.clone(), timers];
    let mut ending = Panic::new("tests/timers.rs:9:5", "assertion `left == right` failed");
    ending.earlier = vec![Panic::new(
        "src/event_loop.rs:3:9",
        "not yet implemented: exercise timers: pop the due ones",
    )];
    let results = [result(
        "timers",
        "sleep_never_returns_early",
        Outcome::Failed(Failure::from_panic(ending)),
    )];
    assert_eq!(
        grade(&written(&sleep, "{ x }"), &results, &all),
        Grade::Waiting("timers".into())
    );
}

/// A test of two exercises that fails, when one of them fails on a test of its own too: the
/// other waits for it. When both fail on tests of their own, each is failing, and its test
/// says whom it grades too.
#[test]
fn a_shared_test_is_charged_to_the_exercise_that_fails_alone() {
    let wake = exercise("wake", &[("record", "woken"), ("record", "sleeping")]);
    let timers = exercise("timers", &[("record", "sleeping"), ("timers", "")]);
    let all = [wake.clone(), timers.clone()];
    let wrong = || panicked("assertion `left == right` failed");
    let mut results = vec![
        result("record", "a_task_woken_is_said", wrong()),
        result("record", "a_sleeping_task", wrong()),
        result("timers", "fire_in_order", Outcome::Passed),
    ];
    assert_eq!(
        grade(&written(&timers, "{ x }"), &results, &all),
        Grade::Behind {
            test: results[1].clone(),
            on: "wake".into()
        }
    );
    let Grade::Failing { first, also, .. } = grade(&written(&wake, "{ x }"), &results, &all) else {
        panic!("wake fails");
    };
    assert_eq!(
        (first.name.as_str(), also.len()),
        ("a_task_woken_is_said", 0)
    );
    // Both wrong: neither waits; the shared test names the other exercise.
    results[2].outcome = wrong();
    let Grade::Failing { first, also, .. } = grade(&written(&timers, "{ x }"), &results, &all)
    else {
        panic!("timers fails");
    };
    assert_eq!(
        (first.name.as_str(), also),
        ("a_sleeping_task", vec!["wake".to_owned()])
    );
    assert!(matches!(
        grade(&written(&wake, "{ x }"), &results, &all),
        Grade::Failing { .. }
    ));
}
