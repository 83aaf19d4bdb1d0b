//! `cargo xtask verify [N]`: builds the participant's copy of step N (the copy it runs in, when
//! N is left out), runs the tests that grade its exercises, and says for each exercise whether
//! it is still `todo!()`, failing (which test, and how, in plain words) or done; then the hint
//! to read next.
//!
//! What a patient instructor would say, in that order: a copy that does not compile gets the
//! compiler's first error whole, and the command that shows them all. The graded tests run
//! first, each in a process of its own with a short time limit, all at once: one that hangs is
//! named, and whether it was busy or asleep says why it hangs; one that fails on a wrong result
//! or a panic runs once more, alone, and passing then is said, not charged (a timing test on a
//! busy machine). The step's other tests (demos, promises
//! beyond the exercises) run once every exercise is done. A test grades an exercise when the
//! exercise's `tests` name it; a failure whose message is another exercise's `todo!()` means
//! "its tests run once that one is written", not "this one is wrong".

mod cargo;
pub mod failure;
pub mod libtest;
mod report;
mod screen;
pub mod text;
pub mod warnings;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lexopt::prelude::*;

pub use cargo::{Build, Diagnostic, build_tests};
pub use report::{Grade, grade};
pub use screen::Screen;
pub use text::{plural, wrap};

use libtest::{Outcome, Runner, Selection, TestResult};

use crate::exercise::here::Here;
use crate::exercise::meta;
use crate::exercise::{copy, state};
use crate::steps::Step;
use crate::{Error, Workspace, help, unexpected};

/// `cargo xtask verify --help`.
pub const HELP: &str = "\
usage: cargo xtask verify [N]
builds your copy of step N (workshop/stepNN-…, made by `cargo xtask exercise N`; inside a copy,
N is that copy's step), runs the tests of its exercises, and says which are todo, failing or
done, then the hint to read next
";

/// How long one graded test may run: the slowest takes well under a second on a busy machine,
/// so a test still running after this hangs, and the participant hears so in seconds.
pub const GRADED_LIMIT: Duration = Duration::from_secs(10);

/// The most one binary of the step's other tests may run: their own limits are 30 s, then 3 s
/// once one is stuck.
pub const BINARY_LIMIT: Duration = Duration::from_secs(120);

/// The most one of those tests may run again alone, when its binary was stopped or crashed.
pub const ALONE_LIMIT: Duration = Duration::from_secs(40);

/// The time limits of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Of each graded test.
    pub graded: Duration,
    /// Of each binary of the step's other tests.
    pub binary: Duration,
    /// Of one of those tests run again alone.
    pub alone: Duration,
}

/// The limits of `cargo xtask verify`.
pub const LIMITS: Limits = Limits {
    graded: GRADED_LIMIT,
    binary: BINARY_LIMIT,
    alone: ALONE_LIMIT,
};

/// Verifies the copy of the step given on the command line, or of the copy it runs in.
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
    let here = Here::now(&ws.root);
    let step = here.step(&ws.steps, step.as_deref(), USAGE)?;
    let mut screen = Screen::stdout();
    let done = verify(ws, &here, step, &mut screen);
    // An error ends the run with a line of its own, not after a live line left on the screen.
    screen.erase_live()?;
    let done = done?;
    Ok(match done {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    })
}

/// The error for `verify` without a step, outside a copy.
const USAGE: &str = "verify needs a step: `cargo xtask verify 3` (inside a copy, the copy's)";

/// Verifies the copy of `step` as seen from `here`, printing to `screen`; whether every
/// exercise is done and every test passes.
pub fn verify(
    ws: &Workspace,
    here: &Here,
    step: &Step,
    screen: &mut Screen,
) -> Result<bool, Error> {
    verify_with(ws, here, step, screen, LIMITS)
}

/// [`verify`], with other time limits (the tests' own, shorter).
pub fn verify_with(
    ws: &Workspace,
    here: &Here,
    step: &Step,
    screen: &mut Screen,
    limits: Limits,
) -> Result<bool, Error> {
    let dir = existing_copy(&ws.root, step)?;
    verify_copy(here, step, &dir, &target_dir(ws), screen, limits)
}

/// [`verify_with`] the copy at `dir`, built into `target_dir`: what the README's sample runs,
/// on a copy of its own.
pub fn verify_copy(
    here: &Here,
    step: &Step,
    dir: &Path,
    target_dir: &Path,
    screen: &mut Screen,
    limits: Limits,
) -> Result<bool, Error> {
    let (dir, target_dir) = (dir.to_path_buf(), target_dir.to_path_buf());
    let exercises = meta::exercises(step)?;
    // Anywhere inside the copy, it is the one the participant is in.
    let shown = match here.cwd.starts_with(&dir) {
        true => "this copy".to_owned(),
        false => here.show(&dir),
    };
    // A body still todo!() is todo whatever its tests say: only the tests of a written one run
    // (a test of a todo!() alone may wait for its limit, on every verify until it is written).
    let written = state::written(&dir, step, &exercises);
    let expected = match written.iter().any(|w| w.todo) {
        true => {
            "(failing tests are expected at the start: each todo!() fails the tests that need it)\n"
        }
        false => "",
    };
    screen.print(&format!("verify {}, in {shown}\n{expected}", step.label()))?;
    let (binaries, warnings) = match build_tests(&dir, &step.name, &target_dir, &[], screen)? {
        Build::Built {
            binaries, warnings, ..
        } => (binaries, warnings),
        Build::Refused { first, errors } => {
            screen.print(&report::refused(here, &dir, &first, errors))?;
            return Ok(false);
        }
    };
    let runner = Runner {
        package_dir: dir.join(&step.name),
        target_dir,
        limit: limits.graded,
        alone_limit: limits.graded,
    };
    let mut tests = Vec::new();
    for binary in &binaries {
        tests.push((binary, runner.all_tests(binary)?));
    }
    let graded = |binary: &libtest::Binary, name: &str| {
        let mut all = exercises.iter().flat_map(|e| &e.tests);
        all.any(|t| t.covers(&binary.target, name))
    };
    let to_run = |binary: &libtest::Binary, name: &str| {
        let mut all = written
            .iter()
            .filter(|w| !w.todo)
            .flat_map(|w| &w.exercise.tests);
        all.any(|t| t.covers(&binary.target, name))
    };
    // Every binary's at once: a test that hangs is named after one limit, not one per binary.
    let mine: Vec<(&libtest::Binary, String)> = tests
        .iter()
        .flat_map(|(binary, names)| names.iter().map(move |n| (*binary, n.clone())))
        .filter(|(binary, n)| to_run(binary, n))
        .collect();
    let what = format!(
        "running the {} test{} of your exercises",
        mine.len(),
        plural(mine.len())
    );
    let results: Vec<TestResult> = match mine.is_empty() {
        true => Vec::new(),
        false => runner.run_at_once(&mine, &what, screen)?,
    };
    let warnings = warnings::yours(step, &dir, &written, &warnings);
    let grades: Vec<Grade> = written
        .iter()
        .map(|w| grade(w, &results, &exercises))
        .collect();
    let all_done = grades.iter().all(|g| matches!(g, Grade::Done(_)));
    let others: usize = tests
        .iter()
        .map(|(binary, names)| names.iter().filter(|n| !graded(binary, n)).count())
        .sum();
    let mut other_results = Vec::new();
    if all_done {
        let runner = Runner {
            limit: limits.binary,
            alone_limit: limits.alone,
            ..runner
        };
        for (binary, names) in &tests {
            let mine: Vec<String> = names
                .iter()
                .filter(|n| graded(binary, n))
                .cloned()
                .collect();
            if names.len() > mine.len() {
                let what = format!("running {} (the step's other tests)", binary.label());
                other_results.extend(runner.run(
                    binary,
                    &Selection::AllBut(mine),
                    &what,
                    screen,
                )?);
            }
        }
    }
    let again: Vec<TestResult> = results
        .iter()
        .chain(&other_results)
        .filter(|r| matches!(r.outcome, Outcome::PassedAgain(_)))
        .cloned()
        .collect();
    let context = report::Context {
        here,
        step,
        dir: &dir,
    };
    let (text, done) = report::report(
        &context,
        &written,
        &grades,
        &again,
        &warnings,
        others,
        all_done.then_some(&other_results[..]),
    )?;
    screen.print(&text)?;
    Ok(done)
}

/// Where every copy builds: `target/exercises` of the workspace, where `prepare` built them.
pub fn target_dir(ws: &Workspace) -> PathBuf {
    ws.target.join("exercises")
}

/// The copy of `step`, or the error that says how to make one.
pub fn existing_copy(root: &Path, step: &Step) -> Result<PathBuf, Error> {
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

/// Set when a run must stop now (`watch` quits): builds and tests are stopped, not awaited.
static STOP: AtomicBool = AtomicBool::new(false);

/// Asks every build and test of this process to stop at once.
pub fn stop() {
    STOP.store(true, Ordering::SeqCst);
}

/// Whether a stop was asked.
pub fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// The error of a run that was stopped.
pub fn stopped_error() -> Error {
    Error::Failed("stopped".into())
}

/// Whether every result passed (or is ignored).
pub fn all_pass(results: &[TestResult]) -> bool {
    results
        .iter()
        .all(|r| !matches!(r.outcome, Outcome::Failed(_)))
}

#[cfg(test)]
mod grade_tests;
