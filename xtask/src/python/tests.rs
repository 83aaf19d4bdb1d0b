//! The comparison, the columns, the claims' bookkeeping and the Python diff, on made-up and
//! real outputs. None of these tests needs `python3`.

use std::ffi::OsString;

use super::claims::{Claim, cited, outcomes};
use super::columns::{render, wrap};
use super::compare::{Differences, Line, Verdict, first_problem, rows};
use super::{Mode, asks_for_twin, take_mode};
use crate::Error;
use crate::steps::{self, Step};

/// Lines as a demo prints them.
fn lines(text: &str) -> Vec<Line> {
    text.lines().map(Line::parse).collect()
}

/// What talk05.rs printed on a run of the Rust step.
const RUST05: &str = "\
[     0.0 ms] main: one talk second lasts 100 ms here
[     0.0 ms] §5.10: print('before'); await sleep(5); print('after')
[     0.1 ms] main: before
[   510.9 ms] main: after
[   511.0 ms] main: ended at 5.1 s, CPU used: 0.00 s
[   511.0 ms] §4.11: gather(print_messages(foo…), print_messages(aaa…, sleep_time=0.7))
[   511.0 ms] print_messages: foo  at 0.0 s
[   511.0 ms] print_messages: aaa  at 0.0 s
[   581.2 ms] print_messages: bbb  at 0.7 s
[   614.9 ms] print_messages: bar  at 1.0 s
[   653.1 ms] print_messages: ccc  at 1.4 s
[   715.4 ms] print_messages: baz  at 2.0 s
[   816.1 ms] main: ended at 3.1 s, CPU used: 0.01 s
";

/// What talk05.py printed on a run of the twin.
const PYTHON05: &str = "\
[     0.0 ms] main: one talk second lasts 100 ms here
[     0.1 ms] §5.10: print('before'); await sleep(5); print('after')
[     0.1 ms] main: before
[   500.1 ms] main: after
[   500.2 ms] main: ended at 5.0 s, CPU used: 3.15 s
[   500.2 ms] §4.11: gather(print_messages(foo…), print_messages(aaa…, sleep_time=0.7))
[   500.3 ms] print_messages: foo  at 0.0 s
[   500.3 ms] print_messages: aaa  at 0.0 s
[   570.4 ms] print_messages: bbb  at 0.7 s
[   600.3 ms] print_messages: bar  at 1.0 s
[   640.5 ms] print_messages: ccc  at 1.4 s
[   700.4 ms] print_messages: baz  at 2.0 s
[   801.4 ms] main: ended at 3.0 s, CPU used: 2.38 s
";

/// The real `differences.txt` of a step.
fn differences(step: &str) -> Differences {
    let root = crate::workspace_root();
    let steps = steps::discover(&root).expect("the workspace's steps");
    let step = steps::find(&steps, step).expect("the step");
    let text = std::fs::read_to_string(step.dir.join("python/differences.txt"));
    Differences::parse(&text.expect("its differences.txt")).expect("a valid file")
}

fn step(number: &str) -> Step {
    let root = crate::workspace_root();
    let steps = steps::discover(&root).expect("the workspace's steps");
    steps::find(&steps, number).expect("the step").clone()
}

#[test]
fn the_twin_of_step05_matches_its_rust_demo_with_its_cpu_line_declared() {
    let all = rows(&lines(RUST05), &lines(PYTHON05), &differences("5"));
    assert_eq!(first_problem(&all), None);
    let reworded: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].verdict == Verdict::Reworded)
        .collect();
    assert_eq!(reworded, [4, 12], "the two CPU lines, and only them");
}

#[test]
fn a_line_that_drifts_is_caught_with_both_lines() {
    // The twin prints `bar` where the Rust demo prints `baz`.
    let drifted = PYTHON05.replace("print_messages: baz", "print_messages: bar");
    let all = rows(&lines(RUST05), &lines(&drifted), &differences("5"));
    let row = first_problem(&all).expect("the drift is caught");
    assert_eq!(row.verdict, Verdict::Differs);
    assert_eq!(
        row.rust.as_ref().unwrap().text,
        "print_messages: baz  at 2.0 s"
    );
    assert_eq!(
        row.python.as_ref().unwrap().text,
        "print_messages: bar  at 2.0 s"
    );
    let (problem, details) = super::describe(row, 1);
    assert!(problem.contains("differ"), "{problem}");
    assert!(
        details.contains("rust:   [   715.4 ms] print_messages: baz"),
        "{details}"
    );
    assert!(
        details.contains("python: [   700.4 ms] print_messages: bar"),
        "{details}"
    );
}

#[test]
fn a_time_in_another_unit_or_spelling_is_a_difference() {
    let rust = lines("[     0.0 ms] main: one talk second lasts 100 ms here");
    for python in ["100ms", "0.1 s", "100 s"] {
        let python = lines(&format!(
            "[     0.0 ms] main: one talk second lasts {python} here"
        ));
        let all = rows(&rust, &python, &Differences::default());
        assert!(first_problem(&all).is_some(), "{:?}", python[0].text);
    }
}

#[test]
fn a_missing_or_extra_line_is_caught() {
    let missing: String = PYTHON05
        .lines()
        .filter(|l| !l.contains("bbb"))
        .map(|l| format!("{l}\n"))
        .collect();
    let all = rows(&lines(RUST05), &lines(&missing), &differences("5"));
    let row = first_problem(&all).expect("the missing line is caught");
    assert!(row.python.is_none());
    assert!(row.rust.as_ref().unwrap().text.contains("bbb"));
    let extra = format!("{PYTHON05}[   900.0 ms] main: one more\n");
    let all = rows(&lines(RUST05), &lines(&extra), &differences("5"));
    let row = first_problem(&all).expect("the extra line is caught");
    assert!(row.rust.is_none());
}

#[test]
fn times_are_compared_within_a_tolerance_that_catches_a_wrong_sleep() {
    let d = differences("5");
    // Late by 0.4 talk s at 5 s, on a busy machine: alike.
    let busy = PYTHON05.replace("ended at 5.0 s", "ended at 5.4 s");
    assert_eq!(
        first_problem(&rows(&lines(RUST05), &lines(&busy), &d)),
        None
    );
    // One sleep too many in five: caught.
    let slow = PYTHON05.replace("ended at 5.0 s", "ended at 6.0 s");
    let all = rows(&lines(RUST05), &lines(&slow), &d);
    assert_eq!(first_problem(&all).map(|r| r.verdict), Some(Verdict::Late));
    // Half a talk second more than the talk's 0.7 s: caught.
    let wrong = PYTHON05.replace("bbb  at 0.7 s", "bbb  at 1.2 s");
    let all = rows(&lines(RUST05), &lines(&wrong), &d);
    assert_eq!(first_problem(&all).map(|r| r.verdict), Some(Verdict::Late));
    // The gap between two lines, from their timestamps: 100 ms more is caught.
    let gap = PYTHON05.replace("[   500.1 ms] main: after", "[   600.1 ms] main: after");
    let all = rows(&lines(RUST05), &lines(&gap), &d);
    assert_eq!(first_problem(&all).map(|r| r.verdict), Some(Verdict::Late));
}

#[test]
fn an_undeclared_rewording_is_a_difference_and_a_wildcard_is_not_compared() {
    // Without its differences.txt, the CPU line's 3.15 s is a time like the others.
    let rows_without = rows(&lines(RUST05), &lines(PYTHON05), &Differences::default());
    assert_eq!(
        first_problem(&rows_without).map(|r| r.verdict),
        Some(Verdict::Late)
    );
    let text = "- next: Pending (Python: returns None)\n+ next: returns None\n";
    let d = Differences::parse(text).unwrap();
    let r = lines("[ 0.0 ms] next: Pending (Python: returns None)\n");
    let p = lines("[ 0.1 ms] next: returns None\n");
    assert_eq!(rows(&r, &p, &d)[0].verdict, Verdict::Reworded);
    assert_eq!(
        rows(&r, &p, &Differences::default())[0].verdict,
        Verdict::Differs
    );
}

#[test]
fn differences_files_parse_and_a_broken_one_says_where() {
    for n in 1..=6 {
        differences(&n.to_string());
    }
    let error = Differences::parse("- a\n- b\n+ c\n").unwrap_err();
    assert!(error.starts_with("line 2:"), "{error}");
    assert!(Differences::parse("- a\n").is_err());
}

#[test]
fn side_by_side_fits_the_width_and_marks_what_differs() {
    let step = step("5");
    let all = rows(&lines(RUST05), &lines(PYTHON05), &differences("5"));
    for width in [60, 100, 140] {
        let text = render(&step, "talk05", &all, width);
        for line in text.lines() {
            assert!(line.chars().count() <= width, "{width}: {line}");
        }
        let marked = text.lines().filter(|l| l.contains(" ≠ ")).count();
        assert_eq!(marked, 2, "{text}");
    }
    let text = render(&step, "talk05", &all, 100);
    assert!(
        text.contains("0.511s main: ended at 5.1 s, CPU used: 0.00 s"),
        "{text}"
    );
    assert!(
        text.contains("≠ 0.500s main: ended at 5.0 s, CPU used: 3.15 s"),
        "{text}"
    );
    assert!(text.contains("2 in Python's words"), "{text}");
}

#[test]
fn wrap_cuts_at_spaces_and_keeps_every_character() {
    assert_eq!(wrap("abc def ghi", 7), ["abc def", "ghi"]);
    assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    assert_eq!(wrap("", 4), [""]);
}

#[test]
fn claims_are_read_from_the_readme_and_from_the_output() {
    let readme = "| a | b ([`aexit_true`](python/claims.py)) |\n\
                  | `x` ([`keeps_newline`](python/claims.py), [`other`](src/lib.rs)) |";
    assert_eq!(cited(readme), ["aexit_true", "keeps_newline"]);
    let output = [
        "ok    aexit_true".to_owned(),
        "FAIL  keeps_newline: got b'x'".to_owned(),
    ];
    assert_eq!(
        outcomes(&output),
        [
            Claim {
                name: "aexit_true".into(),
                failure: None
            },
            Claim {
                name: "keeps_newline".into(),
                failure: Some("got b'x'".into())
            },
        ]
    );
}

#[test]
fn the_python_flags_come_off_the_front_of_the_demo_arguments() {
    let mut args: Vec<OsString> = ["--side-by-side", "--", "--talk-lt"].map(Into::into).into();
    assert_eq!(
        take_mode(&mut args, None).ok(),
        Some(Some(Mode::SideBySide))
    );
    assert_eq!(args, ["--", "--talk-lt"]);
    let mut args: Vec<OsString> = ["--", "--python"].map(Into::into).into();
    let mode = take_mode(&mut args, None).ok();
    assert_eq!(mode, Some(None), "after `--`, it is the demo's");
    let mut args: Vec<OsString> = ["--python", "--python"].map(Into::into).into();
    assert_eq!(take_mode(&mut args, None).ok(), Some(Some(Mode::Python)));
    let mut args: Vec<OsString> = ["--python"].map(Into::into).into();
    let both = take_mode(&mut args, Some(Mode::SideBySide));
    assert!(matches!(both, Err(Error::Usage(_))), "{both:?}");
    assert!(asks_for_twin(&["--python".into()]));
    assert!(!asks_for_twin(&["--auto".into()]));
}

#[test]
fn the_python_diff_shows_what_the_talk_added_in_5() {
    let (old, new) = (step("4"), step("5"));
    let text = super::diff::text(&old, &new, 3, false).expect("both steps have python/");
    assert!(text.starts_with("step04-sockets → step05-futures-timers (the talk's Python)"));
    assert!(text.contains("+class Future:"), "{text}");
    assert!(
        text.contains("+++ b/step05-futures-timers/python/talk05.py"),
        "{text}"
    );
    assert!(
        text.contains("--- a/step04-sockets/python/talk04.py"),
        "{text}"
    );
    assert!(!text.contains("demo.py"), "the same in both: not shown");
}

#[test]
fn every_claim_a_readme_cites_is_checked_and_every_check_is_cited() {
    let root = crate::workspace_root();
    for step in steps::discover(&root).expect("the workspace's steps") {
        let readme = std::fs::read_to_string(step.dir.join("README.md")).unwrap_or_default();
        let claims = std::fs::read_to_string(step.dir.join("python/claims.py"));
        let claims = claims.unwrap_or_else(|_| panic!("{}: no python/claims.py", step.name));
        let run = &claims[claims
            .rfind("\ncheck(")
            .expect("a check(…) call at the end")..];
        let checked: Vec<&str> = run
            .trim_start()
            .lines()
            .skip(1)
            .map(|line| line.trim().trim_end_matches(','))
            .filter(|name| !name.is_empty() && *name != ")")
            .collect();
        let cited = cited(&readme);
        for name in &cited {
            assert!(
                checked.contains(&name.as_str()),
                "{}: `{name}` is not checked",
                step.name
            );
            assert!(
                claims.contains(&format!("def {name}():")),
                "{}: no `{name}`",
                step.name
            );
        }
        for name in &checked {
            assert!(
                cited.iter().any(|c| c == name),
                "{}: `{name}` is not cited",
                step.name
            );
        }
    }
}

#[test]
fn the_helpers_beside_the_talks_code_are_the_same_in_every_step() {
    // `demo.py` in every step, `record.py` in every step with a loop: a fix to one is a fix to
    // all, and `diff --python` shows only the talk's code growing.
    let root = crate::workspace_root();
    let steps = steps::discover(&root).expect("the workspace's steps");
    for (file, first) in [("demo.py", 1), ("record.py", 3)] {
        let texts: Vec<(String, String)> = (steps.iter())
            .filter(|step| step.number >= first)
            .map(|step| {
                let path = step.dir.join("python").join(file);
                let text = std::fs::read_to_string(&path);
                (
                    step.name.clone(),
                    text.unwrap_or_else(|e| panic!("{}: {e}", path.display())),
                )
            })
            .collect();
        assert_eq!(texts.len(), 7 - first as usize, "{file}");
        for (name, text) in &texts[1..] {
            assert!(
                text == &texts[0].1,
                "{name}/python/{file} differs from {}'s",
                texts[0].0
            );
        }
    }
    assert!(
        !step("2").dir.join("python/record.py").exists(),
        "no loop, no recorder"
    );
}
