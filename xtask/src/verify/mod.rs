//! `cargo xtask verify N`: builds the participant's copy of step N, runs its tests, and says
//! for each exercise whether it is still `todo!()`, failing (which test, and why) or done;
//! then the hint to read next.
//!
//! A test grades an exercise when the exercise's `tests` name it; a failure whose message is
//! another exercise's `todo!()` means "write that one first", not "this one is wrong".

mod cargo;
pub mod libtest;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use lexopt::prelude::*;

pub use cargo::{Build, build_tests};
use libtest::{Outcome, Runner, TestResult};

use crate::exercise::state::{self, State, Verdict, Written};
use crate::exercise::{copy, meta};
use crate::steps::{self, Step};
use crate::{Error, WIDTH, Workspace, help, print_out, unexpected};

/// `cargo xtask verify --help`.
pub const HELP: &str = "\
usage: cargo xtask verify N
builds your copy of step N (workshop/stepNN-…, made by `cargo xtask exercise N`), runs its
tests, and says which exercises are todo, failing or done, then the hint to read next
";

/// The most one test binary may run: the tests' own limits are 30 s, then 3 s once one is stuck.
pub const BINARY_LIMIT: Duration = Duration::from_secs(120);

/// Verifies the copy of the step given on the command line.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let mut step = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return help(HELP),
            Value(value) if step.is_none() => step = Some(value.string()?),
            other => {
                return Err(unexpected(
                    "verify",
                    other,
                    "verify takes one step: verify N",
                ));
            }
        }
    }
    let step =
        step.ok_or_else(|| Error::Usage("verify needs a step: `cargo xtask verify 3`".into()))?;
    let step = steps::find(&ws.steps, &step)?;
    let dir = existing_copy(&ws.root, step)?;
    let exercises = meta::exercises(step)?;
    print_out(&format!(
        "verify {}, in {}\n(failing tests are expected at the start: each todo!() fails the tests \
         that need it)\n",
        step.label(),
        copy::label(step)
    ))?;
    let results = run_tests(&dir, step)?;
    let (report, done) = report(step, &dir, &exercises, &results)?;
    print_out(&report)?;
    Ok(match done {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    })
}

/// Builds the copy at `dir` (in its own `target/`, so that its demos never replace the
/// workspace's) and runs every test binary of the step, one after the other.
fn run_tests(dir: &Path, step: &Step) -> Result<Vec<TestResult>, Error> {
    let target_dir = dir.join("target");
    let binaries = match build_tests(dir, &step.name, &target_dir, &[], true)? {
        Build::Built(binaries) => binaries,
        Build::Refused { first, errors } => return Err(refused(&first, errors)),
    };
    print_out(&format!(
        "   running {} test binaries (at most {} s each)…\n\n",
        binaries.len(),
        BINARY_LIMIT.as_secs()
    ))?;
    let runner = Runner {
        package_dir: dir.join(&step.name),
        target_dir,
        limit: BINARY_LIMIT,
    };
    let mut results = Vec::new();
    for binary in &binaries {
        results.extend(runner.run(binary, &[])?);
    }
    Ok(results)
}

/// The report of a run: a line or a few per exercise, the other tests, the hint to read next;
/// and whether everything passed. What it says of each body goes to the state file.
fn report(
    step: &Step,
    dir: &Path,
    exercises: &[meta::Exercise],
    results: &[TestResult],
) -> Result<(String, bool), Error> {
    let written = state::written(dir, step, exercises);
    let grades: Vec<Grade> = written
        .iter()
        .map(|w| grade(w, results, exercises))
        .collect();
    let mut state = State::load(dir);
    let mut out = String::new();
    for (i, (written, grade)) in written.iter().zip(&grades).enumerate() {
        out.push_str(&line(i + 1, written, grade));
        remember(&mut state, written, grade);
    }
    state.save(dir)?;
    let all_done = grades.iter().all(|g| matches!(g, Grade::Done(_)));
    out.push_str(&others(results, exercises, all_done));
    let all_pass = results
        .iter()
        .all(|r| !matches!(r.outcome, Outcome::Failed(_)));
    let next = written
        .iter()
        .zip(&grades)
        .find(|(_, g)| !matches!(g, Grade::Done(_)));
    let n = step.number;
    out.push_str(&match next {
        Some((written, _)) => next_hint(step, written, &state),
        None if all_pass => format!(
            "\nevery exercise of step {n} is done and every test passes: well done!\n\
             see your bodies beside the reference's: cargo xtask exercise {n} --compare\n"
        ),
        None => "\nevery exercise is done; the other tests above still fail\n".into(),
    });
    Ok((out, all_done && all_pass))
}

/// The copy of `step`, or the error that says how to make one.
pub fn existing_copy(root: &Path, step: &Step) -> Result<std::path::PathBuf, Error> {
    let dir = copy::dir(root, step);
    match dir.join("Cargo.toml").is_file() {
        true => Ok(dir),
        false => Err(Error::Failed(format!(
            "no copy of step {0} yet: `cargo xtask exercise {0}` makes {1}",
            step.number,
            copy::label(step)
        ))),
    }
}

/// The one line for a copy that does not compile.
pub fn refused(first: &str, errors: usize) -> Error {
    let more = match errors {
        0 | 1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Error::Failed(format!("does not compile: {first}{more}"))
}

/// Where one exercise stands after a run of its tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grade {
    /// Its body still holds a `todo!()`.
    Todo,
    /// The copy no longer holds the function.
    Missing(String),
    /// Its tests fail on another exercise's `todo!()`: that one comes first.
    Waiting(String),
    /// A test of it failed: `target::name`, and the message.
    Failing(String, String),
    /// Every test of it passed: how many.
    Done(usize),
}

/// The grade of `written`, from the results of its tests.
pub fn grade(written: &Written, results: &[TestResult], exercises: &[meta::Exercise]) -> Grade {
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
    let failures = mine.iter().filter_map(|r| match &r.outcome {
        Outcome::Failed(message) => Some((r, message)),
        _ => None,
    });
    let mut waiting = None;
    for (result, message) in failures {
        match todo_of(message, exercises) {
            Some(other) if other != exercise.name => {
                waiting.get_or_insert(other);
            }
            _ => {
                return Grade::Failing(
                    format!("{}::{}", result.target, result.name),
                    message.clone(),
                );
            }
        }
    }
    if let Some(other) = waiting {
        return Grade::Waiting(other);
    }
    match mine.iter().filter(|r| r.outcome == Outcome::Passed).count() {
        0 => Grade::Failing(
            "(none)".into(),
            "none of its tests ran: are they still in the copy?".into(),
        ),
        passed => Grade::Done(passed),
    }
}

/// The exercise whose `todo!()` a panic message comes from, if it does.
fn todo_of(message: &str, exercises: &[meta::Exercise]) -> Option<String> {
    let rest = message.split("not yet implemented: exercise ").nth(1)?;
    let name = rest.split(':').next()?;
    exercises
        .iter()
        .find(|e| e.name == name)
        .map(|e| e.name.clone())
}

/// Remembers what this run said of a written body, so that `progress` can tell.
fn remember(state: &mut State, written: &Written, grade: &Grade) {
    let verdict = match grade {
        Grade::Done(_) => Some(Verdict::Done),
        Grade::Failing(..) | Grade::Waiting(_) => Some(Verdict::Failing),
        Grade::Todo | Grade::Missing(_) => None,
    };
    let entry = state.entry(&written.exercise.name);
    entry.verified = verdict.map(|v| (v, written.fingerprint()));
}

/// One exercise's lines in the report: its verdict, then what to do or what failed.
fn line(number: usize, written: &Written, grade: &Grade) -> String {
    let exercise = &written.exercise;
    let where_ = format!("{} in {}", exercise.item, exercise.file);
    let (verdict, parts): (&str, Vec<(String, usize)>) = match grade {
        Grade::Todo => ("todo!()", vec![(where_, 2)]),
        Grade::Missing(why) => ("missing", vec![(format!("{where_}: {why}"), 2)]),
        Grade::Waiting(other) => (
            "waiting",
            vec![(format!("its tests need `{other}` first"), 1)],
        ),
        Grade::Failing(test, message) => ("failing", vec![(test.clone(), 1), (message.clone(), 3)]),
        Grade::Done(1) => ("done", vec![("its test passes".into(), 1)]),
        Grade::Done(n) => ("done", vec![(format!("{n} tests pass"), 1)]),
    };
    let head = format!("{number:>3}. {:<14} {verdict:<9} ", exercise.name);
    // Continued lines start under the first one's text.
    let indent = " ".repeat(head.chars().count());
    let width = WIDTH - indent.len();
    let lines: Vec<String> = parts
        .iter()
        .flat_map(|(text, most)| {
            clipped(text, width, *most)
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut out = head;
    for (i, text) in lines.iter().enumerate() {
        match i {
            0 => out.push_str(&format!("{text}\n")),
            _ => out.push_str(&format!("{indent}{text}\n")),
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The failing tests that grade no exercise (demos, the step's other promises), if any. While
/// an exercise is not done, they most likely fail because of it: one line says how many. Once
/// all are done, the first one is shown, with its message.
fn others(results: &[TestResult], exercises: &[meta::Exercise], all_done: bool) -> String {
    let graded = |r: &TestResult| {
        let mut tests = exercises.iter().flat_map(|e| &e.tests);
        tests.any(|t| t.covers(&r.target, &r.name))
    };
    let failing: Vec<(String, &String)> = results
        .iter()
        .filter(|r| !graded(r))
        .filter_map(|r| match &r.outcome {
            Outcome::Failed(message) => Some((format!("{}::{}", r.target, r.name), message)),
            _ => None,
        })
        .collect();
    let Some((first, message)) = failing.first() else {
        return String::new();
    };
    let n = failing.len();
    if !all_done {
        let text = format!(
            "{n} other test{} fail too, as expected while exercises are not done (first: {first})",
            plural(n)
        );
        return format!("\n{}", wrap(&text, ""));
    }
    let more = match n {
        1 => String::new(),
        n => format!(" (and {} more: `cargo test` in the copy lists them)", n - 1),
    };
    let text = format!("other tests failing: {first}{more}");
    format!(
        "\n{}{}",
        wrap(&text, ""),
        wrap(&clipped(message, WIDTH - 2, 3), "  ")
    )
}

/// The hint to read next: the last one seen of the first exercise not done.
fn next_hint(step: &Step, written: &Written, state: &State) -> String {
    let exercise = &written.exercise;
    let seen = state
        .entries
        .get(&exercise.name)
        .map_or(0, |e| e.hints)
        .max(1);
    let at = seen.min(exercise.hints.len());
    let next = format!(
        "next: `{}`, {} in {}/{}",
        exercise.name, exercise.item, step.name, exercise.file
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
        out.push_str(&format!("  more: cargo xtask hint {}\n", step.number));
    }
    out
}

/// `text` wrapped at `width` columns, in at most `lines` lines (the last one cut with `…`).
fn clipped(text: &str, width: usize, lines: usize) -> String {
    let wrapped: Vec<String> = wrap_at(text, "", width)
        .lines()
        .map(str::to_owned)
        .collect();
    let mut kept: Vec<String> = wrapped.iter().take(lines).cloned().collect();
    if wrapped.len() > lines {
        if let Some(last) = kept.last_mut() {
            *last = cut(&format!("{last} …"), width);
        }
    }
    kept.join("\n")
}

/// `text` cut to `width` characters, with `…` when it was longer.
pub fn cut(text: &str, width: usize) -> String {
    match text.chars().count() > width {
        true => text.chars().take(width - 1).collect::<String>() + "…",
        false => text.to_owned(),
    }
}

/// `text` in lines of at most [`WIDTH`] columns, each after `indent`, broken between words.
pub fn wrap(text: &str, indent: &str) -> String {
    wrap_at(text, indent, WIDTH)
}

/// `text` in lines of at most `width` columns, each after `indent`, broken between words (a
/// word longer than a line is cut).
fn wrap_at(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let wide = indent.len() + line.chars().count() + 1 + word.chars().count() > width;
            if !line.is_empty() && wide {
                out.push_str(&format!("{indent}{line}\n"));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&cut(word, width.saturating_sub(indent.len()).max(2)));
        }
        out.push_str(&format!("{indent}{line}\n"));
    }
    out
}

#[cfg(test)]
mod tests;
