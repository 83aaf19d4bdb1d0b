//! What `verify` says: per exercise a verdict and, for one that fails, the failure that explains
//! most, whole; then the step's other tests, and the hint to read next. Or, for a copy that does
//! not compile, the compiler's first error whole.

use std::path::Path;

use super::cargo::Diagnostic;
use super::failure::Failure;
use super::libtest::{Outcome, TestResult};
use super::text::{fold, plural, wrap, wrap_hanging};
use crate::exercise::here::Here;
use crate::exercise::meta::Exercise;
use crate::exercise::state::{State, Verdict, Written};
use crate::steps::Step;
use crate::{Error, WIDTH};

/// What the report needs to know of where it is read.
#[derive(Debug)]
pub struct Context<'a> {
    /// Where the command ran: paths are shown from there.
    pub here: &'a Here,
    /// The step.
    pub step: &'a Step,
    /// Its copy.
    pub dir: &'a Path,
}

impl Context<'_> {
    /// A path of the copy, as it opens from where the command ran: one from the step's package
    /// directory (`src/gather.rs`, as `exercises.toml` says it) or from the copy's root
    /// (`step03-…/tests/x.rs:12:5`, as the compiler and panics say it), a `:line:col` kept.
    fn show(&self, path: &str) -> String {
        if path.starts_with('/') {
            return path.to_owned();
        }
        let file = path.split(':').next().unwrap_or(path);
        let rest = &path[file.len()..];
        let from_root = self.dir.join(file);
        let full = match from_root.exists() {
            true => from_root,
            false => self.dir.join(&self.step.name).join(file),
        };
        format!("{}{rest}", self.here.show(&full))
    }
}

/// Where one exercise stands after a run of its tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grade {
    /// Its body still holds a `todo!()`.
    Todo,
    /// The copy no longer holds the function, or it cannot be read.
    Missing(String),
    /// Its tests fail on another exercise's `todo!()`: that one comes first.
    Waiting(String),
    /// Each test of it that fails grades another exercise too, which fails on tests of its
    /// own: that one is mended first (the fault is most likely there).
    Behind {
        /// The test of it that explains most.
        test: TestResult,
        /// The other exercise.
        on: String,
    },
    /// Tests of it fail: the one that explains most, and the others.
    Failing {
        /// The test, and how it failed.
        first: TestResult,
        /// The other tests of it that fail, the ones that explain most first.
        others: Vec<TestResult>,
        /// The other exercises that this test grades too.
        also: Vec<String>,
    },
    /// Every test of it passed: how many.
    Done(usize),
}

/// The grade of `written`, from the results of its tests.
pub fn grade(written: &Written, results: &[TestResult], exercises: &[Exercise]) -> Grade {
    if let Err(why) = &written.body {
        return Grade::Missing(why.clone());
    }
    if written.todo {
        return Grade::Todo;
    }
    let exercise = &written.exercise;
    let mine: Vec<&TestResult> = results
        .iter()
        .filter(|r| exercise.tests.iter().any(|t| t.covers(&r.target, &r.name)))
        .collect();
    let mut waiting = None;
    let mut failing: Vec<(&TestResult, &Failure)> = Vec::new();
    for result in &mine {
        let Outcome::Failed(failure) = &result.outcome else {
            continue;
        };
        // Any panic of the test, not only the one that ended it: a loop may catch a task's
        // panic (another exercise's todo!()), then the test fails on what that task missed.
        let todo = failure
            .messages()
            .into_iter()
            .find_map(|m| todo_of(m, exercises));
        match todo {
            Some(other) if other != exercise.name => {
                waiting.get_or_insert(other);
            }
            _ => failing.push((result, failure)),
        }
    }
    // The failure that explains most first; among equals, the test `exercises.toml` lists
    // first (its author lists the tests that tell most first), then by name: never the order
    // in which tests running side by side happened to end.
    let listed = |r: &TestResult| {
        exercise
            .tests
            .iter()
            .position(|t| t.covers(&r.target, &r.name))
    };
    failing.sort_by_key(|(r, failure)| (failure.rank(), listed(r), r.full_name()));
    if let Some(((first, _), others)) = failing.split_first() {
        let tests: Vec<&TestResult> = failing.iter().map(|(r, _)| *r).collect();
        if let Some(on) = to_blame(exercise, &tests, results, exercises) {
            return Grade::Behind {
                test: (*first).clone(),
                on,
            };
        }
        return Grade::Failing {
            first: (*first).clone(),
            others: others.iter().map(|(r, _)| (*r).clone()).collect(),
            also: graders(first, exercises)
                .filter(|e| e.name != exercise.name)
                .map(|e| e.name.clone())
                .collect(),
        };
    }
    if let Some(other) = waiting {
        return Grade::Waiting(other);
    }
    let passed = |r: &&&TestResult| matches!(r.outcome, Outcome::Passed | Outcome::PassedAgain(_));
    match mine.iter().filter(passed).count() {
        0 => Grade::Missing("none of its tests ran: are they still in the copy?".into()),
        passed => Grade::Done(passed),
    }
}

/// The exercises whose `tests` name `result`'s test.
fn graders<'a>(
    result: &'a TestResult,
    exercises: &'a [Exercise],
) -> impl Iterator<Item = &'a Exercise> {
    exercises.iter().filter(|e| {
        e.tests
            .iter()
            .any(|t| t.covers(&result.target, &result.name))
    })
}

/// The other exercise that the failing tests `failing` of `exercise` are most likely failing
/// for: one that every one of them grades too, and that fails on a test of its own (one that
/// `exercise` does not grade), not on a `todo!()`.
fn to_blame(
    exercise: &Exercise,
    failing: &[&TestResult],
    results: &[TestResult],
    exercises: &[Exercise],
) -> Option<String> {
    let grades =
        |e: &Exercise, r: &TestResult| e.tests.iter().any(|t| t.covers(&r.target, &r.name));
    let fails_alone = |other: &Exercise| {
        results.iter().any(|r| {
            let Outcome::Failed(failure) = &r.outcome else {
                return false;
            };
            let todo = failure
                .messages()
                .into_iter()
                .any(|m| todo_of(m, exercises).is_some());
            grades(other, r) && !grades(exercise, r) && !todo
        })
    };
    exercises
        .iter()
        .filter(|other| other.name != exercise.name)
        .find(|other| failing.iter().all(|r| grades(other, r)) && fails_alone(other))
        .map(|other| other.name.clone())
}

/// The exercise whose `todo!()` a panic message comes from, if it does.
fn todo_of(message: &str, exercises: &[Exercise]) -> Option<String> {
    let rest = message.split("not yet implemented: exercise ").nth(1)?;
    let name = rest.split(':').next()?;
    exercises
        .iter()
        .find(|e| e.name == name)
        .map(|e| e.name.clone())
}

/// The report of a run, and whether everything passed; what it says of each body goes to the
/// state file. `others` counts the step's other tests; `other_results` are theirs, when they
/// ran (once every exercise is done).
pub fn report(
    context: &Context<'_>,
    written: &[Written],
    grades: &[Grade],
    again: &[TestResult],
    warnings: &[Diagnostic],
    others: usize,
    other_results: Option<&[TestResult]>,
) -> Result<(String, bool), Error> {
    let (step, dir) = (context.step, context.dir);
    let mut state = State::load(dir);
    let mut out = String::from("\n");
    for (i, (written, grade)) in written.iter().zip(grades).enumerate() {
        out.push_str(&exercise_lines(context, i + 1, written, grade));
        remember(&mut state, written, grade);
    }
    state.save(dir)?;
    out.push_str(&passed_again(again));
    let todo = written.iter().any(|w| w.todo);
    out.push_str(&warned(context, warnings, todo));
    let n = step.number;
    let all_pass = match other_results {
        None => {
            if others > 0 {
                let text = format!(
                    "The step's {others} other test{} run once every exercise is done.",
                    plural(others)
                );
                out.push_str(&format!("\n{}", wrap(&text, "")));
            }
            false
        }
        Some(results) => {
            out.push_str(&other_failures(context, results));
            super::all_pass(results)
        }
    };
    // The first exercise to work on: not one that waits for another, unless all do.
    let not_done = || {
        written
            .iter()
            .zip(grades)
            .filter(|(_, g)| !matches!(g, Grade::Done(_)))
    };
    let next = not_done()
        .find(|(_, g)| !matches!(g, Grade::Waiting(_) | Grade::Behind { .. }))
        .or_else(|| not_done().next());
    out.push_str(&match next {
        Some((written, _)) => next_hint(context, written, &state),
        None if all_pass => format!(
            "\nevery exercise of step {n} is done and every test passes: well done!\n\
             see your bodies beside the reference's: cargo xtask exercise {n} --compare\n"
        ),
        None => "\nevery exercise is done; the other tests above still fail\n".into(),
    });
    Ok((out, next.is_none() && all_pass))
}

/// Remembers what this run said of a written body, so that `progress` can tell.
fn remember(state: &mut State, written: &Written, grade: &Grade) {
    let verdict = match grade {
        Grade::Done(_) => Some(Verdict::Done),
        Grade::Failing { .. } | Grade::Waiting(_) | Grade::Behind { .. } => Some(Verdict::Failing),
        Grade::Todo | Grade::Missing(_) => None,
    };
    let entry = state.entry(&written.exercise.name);
    entry.verified = verdict.map(|v| (v, written.fingerprint()));
    entry.failing = match grade {
        Grade::Failing { first, .. } | Grade::Behind { test: first, .. } => Some(first.full_name()),
        _ => None,
    };
}

/// Where the lines under an exercise's verdict start: under its name.
const DETAIL_INDENT: usize = 7;

/// How many lines of a panic message are shown; the rest is counted.
const MESSAGE_LINES: usize = 12;

/// One exercise's lines in the report: its verdict, then what to do or what failed.
fn exercise_lines(
    context: &Context<'_>,
    number: usize,
    written: &Written,
    grade: &Grade,
) -> String {
    let exercise = &written.exercise;
    let where_ = format!("{} in {}", exercise.item, context.show(&exercise.file));
    let (verdict, lines): (&str, Vec<String>) = match grade {
        Grade::Todo => ("todo!()", vec![where_]),
        Grade::Missing(why) => ("missing", vec![format!("{where_}: {why}")]),
        Grade::Waiting(other) => (
            "waiting",
            vec![format!(
                "its tests stop at `{other}`'s todo!(): they run once it is written"
            )],
        ),
        Grade::Behind { test, on } => (
            "waiting",
            vec![
                test.full_name(),
                format!(
                    "fails, but it grades `{on}` too, which fails on tests of its own: mend \
                     `{on}` first, then verify again"
                ),
            ],
        ),
        Grade::Failing {
            first,
            others,
            also,
        } => ("failing", failing_lines(context, first, others, also)),
        Grade::Done(1) => ("done", vec!["its test passes".into()]),
        Grade::Done(n) => ("done", vec![format!("{n} tests pass")]),
    };
    let head = format!("{number:>3}. {:<14} {verdict:<9} ", exercise.name);
    // Continued lines start under the exercise's name: room for long paths and messages.
    let indent = " ".repeat(DETAIL_INDENT);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        // A message's own leading spaces (`  left: …`) are kept.
        let lead: String = line.chars().take_while(|c| *c == ' ').collect();
        let rest = format!("{indent}{lead}");
        match i {
            0 => out.push_str(&wrap_hanging(line, &head, &indent)),
            _ => out.push_str(&wrap(line.trim_start(), &rest)),
        }
    }
    out
}

/// The lines of a failing exercise: the test, how it failed, how many others fail.
fn failing_lines(
    context: &Context<'_>,
    first: &TestResult,
    others: &[TestResult],
    also: &[String],
) -> Vec<String> {
    let Outcome::Failed(failure) = &first.outcome else {
        return vec![first.full_name()];
    };
    let mut lines = vec![first.full_name()];
    if !also.is_empty() {
        let names: Vec<String> = also.iter().map(|name| format!("`{name}`")).collect();
        lines.push(format!("(a test of {} too)", names.join(" and ")));
    }
    let described = failure.describe(&|path| context.show(path));
    let total = described.len();
    lines.extend(described.into_iter().take(MESSAGE_LINES));
    lines.extend(more_lines(context, first, total));
    // The others, each with a word of how: enough to see whether they tell the same story.
    let n = others.len();
    if n > 0 {
        let fail = if n == 1 { "fails" } else { "fail" };
        let named: Vec<String> = others
            .iter()
            .take(OTHERS_NAMED)
            .map(|r| format!("{} ({})", r.full_name(), kind(r)))
            .collect();
        let more = match n > OTHERS_NAMED {
            true => format!(", and {} more", n - OTHERS_NAMED),
            false => String::new(),
        };
        lines.push(format!(
            "{n} other test{} of it {fail} too: {}{more}",
            plural(n),
            named.join(", ")
        ));
    }
    lines
}

/// How many of the other failing tests of an exercise are named.
const OTHERS_NAMED: usize = 2;

/// How a test failed, in a word or two.
fn kind(result: &TestResult) -> &'static str {
    match &result.outcome {
        Outcome::Failed(Failure::Assertion(_)) => "a wrong result",
        Outcome::Failed(Failure::Panicked(_)) => "it panicked",
        Outcome::Failed(Failure::WrongPanic { .. }) => "another panic",
        Outcome::Failed(Failure::NoPanic { .. }) => "no panic",
        Outcome::Failed(Failure::Hung { .. }) => "it hangs",
        Outcome::Failed(Failure::Crashed { .. }) => "it crashed",
        Outcome::Failed(Failure::Silent) => "it failed",
        Outcome::PassedAgain(_) => "it passed when run again",
        Outcome::Passed | Outcome::Ignored => "it passed",
    }
}

/// The step's other tests that failed, once every exercise is done: the first, with its
/// failure, and how many others.
fn other_failures(context: &Context<'_>, results: &[TestResult]) -> String {
    let mut failing: Vec<(&TestResult, &Failure)> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Failed(failure) => Some((r, failure)),
            _ => None,
        })
        .collect();
    failing.sort_by_key(|(r, failure)| (failure.rank(), r.full_name()));
    let Some((first, failure)) = failing.first() else {
        return String::new();
    };
    let n = failing.len();
    let fail = if n == 1 { "fails" } else { "fail" };
    let mut out = format!(
        "\n{}",
        wrap(
            &format!(
                "{n} of the step's other tests {fail}: {}",
                first.full_name()
            ),
            ""
        )
    );
    let described = failure.describe(&|path| context.show(path));
    let total = described.len();
    let shown = described.into_iter().take(MESSAGE_LINES);
    for line in shown.chain(more_lines(context, first, total)) {
        let lead: String = line.chars().take_while(|c| *c == ' ').collect();
        out.push_str(&wrap(line.trim_start(), &format!("  {lead}")));
    }
    out
}

/// When a failure has more than [`MESSAGE_LINES`] lines (`total`): how many more, and the
/// command that shows all of it, from where the command ran.
fn more_lines(context: &Context<'_>, test: &TestResult, total: usize) -> Vec<String> {
    if total <= MESSAGE_LINES {
        return Vec::new();
    }
    let target = match test.target.as_str() {
        "lib" => "--lib".to_owned(),
        target => format!("--test {target}"),
    };
    let command = format!("cargo test {target} {} -- --exact", test.name);
    vec![
        format!("… and {} more lines", total - MESSAGE_LINES),
        format!("all of it: {}", context.here.in_dir(context.dir, &command)),
    ]
}

/// The hint to read next: the last one seen of the first exercise not done.
fn next_hint(context: &Context<'_>, written: &Written, state: &State) -> String {
    let exercise = &written.exercise;
    let seen = state
        .entries
        .get(&exercise.name)
        .map_or(0, |e| e.hints)
        .max(1);
    let at = seen.min(exercise.hints.len());
    let next = format!(
        "next: `{}`, {} in {}",
        exercise.name,
        exercise.item,
        context.show(&exercise.file)
    );
    let mut out = format!("\n{}", wrap(&next, ""));
    out.push_str(&wrap(
        &format!(
            "hint {at} of {}: {}",
            exercise.hints.len(),
            exercise.hints[at - 1]
        ),
        "  ",
    ));
    if at < exercise.hints.len() {
        out.push_str(&format!(
            "  more: cargo xtask hint {}\n",
            context.step.number
        ));
    }
    out
}

/// The tests that failed, then passed when run again alone, each with how it failed first: a
/// participant should know, not be told "done" in silence nor "failing" for the machine's load.
fn passed_again(again: &[TestResult]) -> String {
    let mut out = String::new();
    for result in again {
        let Outcome::PassedAgain(failure) = &result.outcome else {
            continue;
        };
        let how = match failure {
            Failure::Assertion(_) => "a wrong result",
            _ => "a panic",
        };
        let text = format!(
            "{} failed ({how}), then passed when run again alone: its timing, on a busy \
             machine? If it happens again and again, look at the code it tests.",
            result.full_name()
        );
        out.push_str(&format!("\n{}", wrap(&text, "")));
    }
    out
}

/// The compiler's warnings about the participant's code: the first whole, as cargo renders it,
/// then how many, and the command that shows them all (with those of the bodies still
/// `todo!()`, when there are some).
fn warned(context: &Context<'_>, warnings: &[Diagnostic], todo: bool) -> String {
    let Some(first) = warnings.first() else {
        return String::new();
    };
    let mut out = format!(
        "\n{}",
        wrap(
            "The compiler warns about your code (often the clue to what is missing):",
            ""
        )
    );
    out.push_str(&rendered(context.here, context.dir, first));
    let n = warnings.len();
    // The others in a few words each: enough to see whether they tell the same story.
    let named: Vec<String> = warnings[1..]
        .iter()
        .take(OTHERS_NAMED)
        .map(|w| match (&w.primary, w.at) {
            (Some(file), Some((line, column))) => {
                let at = context.here.show(&context.dir.join(file));
                format!("{} ({at}:{line}:{column})", w.message)
            }
            _ => w.message.clone(),
        })
        .collect();
    let more = match n.saturating_sub(1) > OTHERS_NAMED {
        true => format!(", and {} more", n - 1 - OTHERS_NAMED),
        false => String::new(),
    };
    let how_many = match n {
        1 => "1 warning about your code".to_owned(),
        n => format!(
            "{n} warnings about your code: the first above, then {}{more}.",
            named.join(", ")
        ),
    };
    let shows = match (n, todo) {
        (1, false) => "; cargo shows it with:",
        (1, true) => "; cargo shows it (and those of the bodies still todo!()) with:",
        (_, false) => " cargo shows them with:",
        (_, true) => " cargo shows them (and those of the bodies still todo!()) with:",
    };
    out.push_str(&format!("\n{}", wrap(&format!("{how_many}{shows}"), "")));
    out.push_str(&format!(
        "  {}\n",
        context.here.in_dir(context.dir, "cargo test --no-run")
    ));
    out
}

/// A diagnostic as cargo renders it, its paths opening from `here`, its long lines folded.
fn rendered(here: &Here, dir: &Path, diagnostic: &Diagnostic) -> String {
    let mut rendered = diagnostic.rendered.trim_end().to_owned();
    for file in &diagnostic.files {
        if !file.starts_with('/') {
            rendered = rendered.replace(
                &format!("{file}:"),
                &format!("{}:", here.show(&dir.join(file))),
            );
        }
    }
    let mut out = String::new();
    for line in rendered.lines() {
        for folded in fold(line, WIDTH) {
            out.push_str(&folded);
            out.push('\n');
        }
    }
    out
}

/// What a copy that does not compile gets: the compiler's first error whole, as cargo renders
/// it (its paths opening from where the command ran, its long lines folded, not cut), then the
/// command that shows every error.
pub fn refused(here: &Here, dir: &Path, first: &Diagnostic, errors: usize) -> String {
    let in_tests = first
        .primary
        .as_deref()
        .is_some_and(|file| file.contains("/tests/") || file.contains("/examples/"));
    let intro = match in_tests {
        true => {
            "The step's tests do not compile against your code: they use its functions and \
                 types as the reference declares them (did a signature or a name change?). \
                 The compiler's first error:"
        }
        false => "Your code does not compile. The compiler's first error:",
    };
    let mut out = format!("\n{}\n", wrap(intro, "").trim_end());
    out.push_str(&rendered(here, dir, first));
    // The command on a line of its own, never split: it is to be copied.
    let command = here.in_dir(dir, "cargo test --no-run");
    out.push_str(&format!(
        "\n{errors} error{} in all; cargo shows every one with:\n  {command}\n",
        plural(errors)
    ));
    out
}
