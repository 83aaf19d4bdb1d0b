//! `cargo xtask check --exercises`: the promises of the exercise copies, kept by CI.
//!
//! For each step (rustlings' rule, "unsolved fails, solution passes"):
//! 1. its exercises are well described: each function is found in the reference, and is not a
//!    `todo!()` there, and the step's README names each one in its "Exercises" section;
//! 2. the fresh copy compiles (tests and demos), and `verify` would find every exercise todo;
//! 3. each exercise alone (only that body replaced) makes one of its tests fail, and each of
//!    its test filters selects a test: the tests really cover it.
//!
//! That the reference passes is `cargo test --workspace`'s job, which CI runs just before: it
//! is not run twice. All copies build in one target directory, `target/exercises`, so the
//! dependencies are built once; the copies themselves are in `target/exercise-copies`.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::time::Instant;

use super::meta::Exercise;
use super::{copy, locate, meta, state};
use crate::steps::Step;
use crate::verify::libtest::{Outcome, Runner, Selection, TestResult};
use crate::verify::{ALONE_LIMIT, BINARY_LIMIT, Build, Screen, build_tests};
use crate::{Error, Workspace, print_out};

/// Checks every step's exercises; `report` gets one `Ok(line)` or `Err(problem)` per check.
pub fn check(
    ws: &Workspace,
    mut report: impl FnMut(Result<String, String>) -> Result<(), Error>,
) -> Result<(), Error> {
    let target = crate::verify::target_dir(ws);
    let started = Instant::now();
    for step in &ws.steps {
        let start = Instant::now();
        match check_step(ws, step, &target, &mut report) {
            Ok(()) => report(Ok(format!(
                "{}: done in {:.0} s",
                step.name,
                start.elapsed().as_secs_f64()
            )))?,
            Err(problem) => report(Err(problem))?,
        }
    }
    print_out(&format!(
        "      exercises checked in {:.0} s\n",
        started.elapsed().as_secs_f64()
    ))
}

/// The checks of one step. An `Err` is a problem that stops this step's checks.
fn check_step(
    ws: &Workspace,
    step: &Step,
    target: &Path,
    report: &mut impl FnMut(Result<String, String>) -> Result<(), Error>,
) -> Result<(), String> {
    let name = &step.name;
    let exercises = meta::exercises(step).map_err(|e| e.to_string())?;
    if exercises.is_empty() {
        return Err(format!(
            "{name}/{}: missing, or names no exercise",
            meta::FILE
        ));
    }
    described(step, &exercises)?;
    let dir = copies(ws).join(name);
    let fresh = fresh_copy(ws, step, &exercises, &dir, target)?;
    report(Ok(fresh)).map_err(|e| e.to_string())?;
    for exercise in &exercises {
        let outcome = alone(step, &exercises, exercise, &dir, target);
        report(outcome).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Where `check` and `prepare` make their copies: beside the target directory, never in it.
/// Cargo remembers the files of a crate built from inside its target directory by their path
/// from there: a participant's copy, whose crate has the same name in the same target
/// directory, would then be taken as built when these files are, whatever its own say.
pub fn copies(ws: &Workspace) -> std::path::PathBuf {
    ws.target.join("exercise-copies")
}

/// Makes the copy of `step` in `dir`, as a participant gets it: it must compile, and `verify`
/// must find every exercise `todo!()` there.
pub fn fresh_copy(
    ws: &Workspace,
    step: &Step,
    exercises: &[Exercise],
    dir: &Path,
    target: &Path,
) -> Result<String, String> {
    let name = &step.name;
    let start = Instant::now();
    let _ = fs::remove_dir_all(dir);
    copy::create(&ws.root, step, exercises, dir).map_err(|e| e.to_string())?;
    let mut quiet = Screen::keep();
    match build_tests(dir, name, target, &[], &mut quiet).map_err(|e| e.to_string())? {
        Build::Built { .. } => {}
        Build::Refused { first, .. } => {
            return Err(format!(
                "{name}: the copy does not compile: {}",
                first.short
            ));
        }
    }
    let not_todo: Vec<String> = state::written(dir, step, exercises)
        .into_iter()
        .filter(|w| !w.todo)
        .map(|w| w.exercise.name)
        .collect();
    if !not_todo.is_empty() {
        return Err(format!(
            "{name}: not todo!() in the fresh copy: {}",
            not_todo.join(", ")
        ));
    }
    let secs = start.elapsed().as_secs_f64();
    Ok(format!(
        "{name}: the copy compiles, its {} exercises todo!() ({secs:.0} s)",
        exercises.len()
    ))
}

/// The heading of the step README's section that names the exercises.
pub const README_SECTION: &str = "## Exercises";

/// Each exercise's function is in the reference, with a real body, its tests are targets of
/// the step, and the step's README names it in its "Exercises" section.
pub fn described(step: &Step, exercises: &[Exercise]) -> Result<(), String> {
    let readme = fs::read_to_string(step.dir.join("README.md")).unwrap_or_default();
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with(&README_SECTION[3..]))
        .ok_or_else(|| format!("{}/README.md: no `{README_SECTION}` section", step.name))?;
    if let Some(unnamed) = exercises
        .iter()
        .find(|e| !section.contains(&format!("`{}`", e.name)))
    {
        return Err(format!(
            "{}/README.md: its `{README_SECTION}` section does not name `{}`",
            step.name, unnamed.name
        ));
    }
    let words = source_words(&step.dir.join("src"))?;
    for exercise in exercises {
        let path = step.dir.join(&exercise.file);
        let source = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let failed = |e: &str| copy::failed(step, exercise, e).to_string();
        let body = locate::find(&source, &exercise.item).map_err(|e| failed(&e))?;
        if body.is_todo(&source) {
            return Err(failed("the reference's body is a todo!()"));
        }
        if let Some(stale) = stale_name(&exercise.hints, &words) {
            return Err(failed(&format!(
                "a hint names `{stale}`, which src/ does not have"
            )));
        }
        for test in &exercise.tests {
            let file = step.dir.join("tests").join(format!("{}.rs", test.target));
            if test.target != "lib" && !file.is_file() {
                return Err(failed(&format!(
                    "no test target `{}` (tests/{0}.rs)",
                    test.target
                )));
            }
        }
    }
    Ok(())
}

/// The copy with only `exercise` a `todo!()`: one of its tests must fail, and each of its
/// filters must select a test.
fn alone(
    step: &Step,
    exercises: &[Exercise],
    exercise: &Exercise,
    dir: &Path,
    target: &Path,
) -> Result<String, String> {
    let label = format!("{}/{}", step.name, exercise.name);
    let start = Instant::now();
    let package_dir = dir.join(&step.name);
    for file in exercises.iter().map(|e| &e.file) {
        let reference =
            fs::read_to_string(step.dir.join(file)).map_err(|e| format!("{label}: {e}"))?;
        let text = match *file == exercise.file {
            true => copy::fresh(&reference, exercise, step.number)
                .map_err(|e| format!("{label}: {e}"))?,
            false => reference,
        };
        copy::write(&package_dir.join(file), &text).map_err(|e| format!("{label}: {e}"))?;
    }
    let mut targets: Vec<String> = exercise.tests.iter().map(|t| t.target.clone()).collect();
    targets.sort();
    targets.dedup();
    let mut quiet = Screen::keep();
    let built = build_tests(dir, &step.name, target, &targets, &mut quiet)
        .map_err(|e| format!("{label}: {e}"))?;
    let binaries = match built {
        Build::Built { binaries, .. } => binaries,
        Build::Refused { first, .. } => {
            return Err(format!("{label}: does not compile: {}", first.short));
        }
    };
    let runner = Runner {
        package_dir,
        target_dir: target.to_path_buf(),
        limit: BINARY_LIMIT,
        alone_limit: ALONE_LIMIT,
    };
    let mut results: Vec<TestResult> = Vec::new();
    for binary in binaries.iter().filter(|b| targets.contains(&b.target)) {
        let filters: Vec<String> = exercise
            .tests
            .iter()
            .filter(|t| t.target == binary.target)
            .map(|t| t.filter.clone())
            .collect();
        // An empty filter is the whole target: then no filter at all.
        let filters = match filters.iter().any(String::is_empty) {
            true => Vec::new(),
            false => filters,
        };
        results.extend(
            runner
                .run(binary, &Selection::Filters(filters), "", &mut quiet)
                .map_err(|e| format!("{label}: {e}"))?,
        );
    }
    if let Some(unused) = exercise
        .tests
        .iter()
        .find(|t| !results.iter().any(|r| t.covers(&r.target, &r.name)))
    {
        return Err(format!(
            "{label}: its test `{}::{}` selects no test",
            unused.target, unused.filter
        ));
    }
    let failed = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .count();
    let secs = start.elapsed().as_secs_f64();
    match failed {
        0 => Err(format!(
            "{label}: all {} of its tests pass with its body todo!(): they do not cover it",
            results.len()
        )),
        _ => Ok(format!(
            "{label}: {failed} of its {} tests fail without it ({secs:.0} s)",
            results.len(),
        )),
    }
}

/// Every word of the code under `dir` (comments and literals left out).
fn source_words(dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut words = BTreeSet::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(next) = todo.pop() {
        let entries = fs::read_dir(&next).map_err(|e| format!("{}: {e}", next.display()))?;
        for path in entries.filter_map(|e| Some(e.ok()?.path())) {
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text =
                    fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                words.extend(locate::words(&text).map_err(|e| format!("{}: {e}", path.display()))?);
            }
        }
    }
    Ok(words)
}

/// The first name that a hint shows as code (between backticks) and the code does not have:
/// hints that quote the reference must follow it when it changes, and this is how CI notices.
/// Words of one or two letters are left alone (`i`, `cx`, `Ok`), and so are quoted messages.
pub fn stale_name(hints: &[String], words: &BTreeSet<String>) -> Option<String> {
    let code = hints
        .iter()
        .flat_map(|hint| hint.split('`').skip(1).step_by(2));
    // What a span quotes between double quotes is a message, not a name.
    let unquoted = code.flat_map(|span| span.split('"').step_by(2));
    let names = unquoted.flat_map(|span| {
        span.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| w.chars().count() > 2 && !w.starts_with(|c: char| c.is_ascii_digit()))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    names.into_iter().find(|name| !words.contains(name))
}
