use std::path::PathBuf;

use super::*;
use crate::exercise::meta::{Exercise, TestFilter};

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

fn failed(message: &str) -> Outcome {
    Outcome::Failed(message.into())
}

#[test]
fn grades_from_the_tests_that_name_the_exercise() {
    let sleep = exercise("sleep", &[("timers", "sleep_"), ("wakers", "")]);
    let timers = exercise("timers", &[("timers", "fire")]);
    let all = [sleep.clone(), timers.clone()];
    let results = [
        result("timers", "sleep_never_returns_early", Outcome::Passed),
        result("wakers", "a_task_is_woken", Outcome::Passed),
        result("timers", "timers_fire_in_order", failed("out of order")),
        result("demos", "talk", failed("no")),
    ];
    let body = "{ done }";
    assert_eq!(
        grade(&written(&sleep, body), &results, &all),
        Grade::Done(2)
    );
    assert_eq!(
        grade(&written(&timers, body), &results, &all),
        Grade::Failing("timers::timers_fire_in_order".into(), "out of order".into())
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
        result("timers", "sleep_never_returns_early", failed(todo)),
        result("timers", "timers_fire", failed(todo)),
    ];
    assert_eq!(
        grade(&written(&sleep, "{ x }"), &results, &all),
        Grade::Waiting("timers".into())
    );
    // Its own todo in a message (an old build) is a failure like any other.
    assert_eq!(
        grade(&written(&timers, "{ x }"), &results, &all),
        Grade::Failing("timers::timers_fire".into(), todo.into())
    );
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
        Grade::Failing(..)
    ));
}

#[test]
fn lines_fit_the_projector() {
    let sleep = exercise("sleep", &[("timers", "")]);
    let message = "word ".repeat(80);
    let grade = Grade::Failing("timers::t".into(), message);
    let text = line(1, &written(&sleep, "{ x }"), &grade);
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.ends_with("…\n"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
    let wrapped = wrap(&"word ".repeat(60), "  ");
    assert!(
        wrapped
            .lines()
            .all(|l| l.chars().count() <= WIDTH && l.starts_with("  "))
    );
    assert_eq!(cut("abcdef", 4), "abc…");
}
