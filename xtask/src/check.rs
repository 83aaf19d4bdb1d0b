//! `cargo xtask check`: what CI needs beyond `cargo test`.
//!
//! Three parts, each printing one line per item: the repository (every step has a table entry, a
//! headline demo, `src/`, a matching crate name and a README with its sections), the diffs
//! (every adjacent pair renders and is not empty), and the demos (each one runs with `--auto`
//! and stdin closed, exits 0, within the time limit). Everything runs even after a failure, so
//! one CI run shows every problem; the command fails at the end if there was any.

use std::path::Path;
use std::time::Duration;

use crate::demo::{self, AUTO, Outcome};
use crate::diff::{self, Options};
use crate::steps::{self, Step};
use crate::{Error, print_out};

/// Lines of a failing demo's output shown under its line.
const TAIL_LINES: usize = 15;

/// Runs every check on `steps` and fails if any failed.
pub fn run(root: &Path, steps: &[Step], limit: Duration) -> Result<(), Error> {
    let mut problems = Vec::new();
    repository(root, steps, &mut problems)?;
    diffs(steps, &mut problems)?;
    let demos = demos(root, steps, limit, &mut problems)?;
    print_out("\n")?;
    if problems.is_empty() {
        print_out(&format!(
            "check: all good ({} steps, {} diffs, {demos} demos)\n",
            steps.len(),
            steps.len().saturating_sub(1),
        ))?;
        return Ok(());
    }
    let mut summary = format!("check: {} problem(s):\n", problems.len());
    for problem in &problems {
        summary.push_str(&format!("  - {problem}\n"));
    }
    print_out(&summary)?;
    Err(Error::Failed(format!(
        "check failed with {} problem(s), listed above",
        problems.len()
    )))
}

/// Prints `  FAIL …` for a problem and remembers it for the summary.
fn fail(problems: &mut Vec<String>, problem: String) -> Result<(), Error> {
    print_out(&format!("  FAIL  {problem}\n"))?;
    problems.push(problem);
    Ok(())
}

fn repository(root: &Path, steps: &[Step], problems: &mut Vec<String>) -> Result<(), Error> {
    print_out("== repository\n")?;
    if steps.is_empty() {
        return fail(problems, "no step directories (stepNN-name) found".into());
    }
    let found = steps::problems(root, steps);
    if found.is_empty() {
        print_out(&format!(
            "  ok    {} steps: table entries, headline demos, src/, Cargo.toml, README sections\n",
            steps.len()
        ))?;
    }
    for problem in found {
        fail(problems, problem)?;
    }
    Ok(())
}

fn diffs(steps: &[Step], problems: &mut Vec<String>) -> Result<(), Error> {
    print_out("== diffs\n")?;
    for pair in steps.windows(2) {
        let (old, new) = (&pair[0], &pair[1]);
        let command = format!("cargo xtask diff {} {}", old.number, new.number);
        match diff::steps(old, new, true, &Options::default()) {
            Err(error) => fail(problems, format!("{command}: {error}"))?,
            Ok(found) if found.is_empty() => fail(
                problems,
                format!("{command}: empty, {} changes nothing", new.name),
            )?,
            Ok(found) => {
                // Render it, as a participant would, even though only the totals are printed.
                let lines = found.unified(false).lines().count();
                print_out(&format!(
                    "  ok    {command}: {} files, +{} -{} ({lines} lines)\n",
                    found.files.len(),
                    found.insertions(),
                    found.deletions(),
                ))?;
            }
        }
    }
    Ok(())
}

/// For each step in turn, builds its examples once and runs every one of them (in that order:
/// see [`demo::binary`]); returns how many demos there were.
fn demos(
    root: &Path,
    steps: &[Step],
    limit: Duration,
    problems: &mut Vec<String>,
) -> Result<usize, Error> {
    print_out(&format!(
        "== demos (--auto, stdin closed, {} s limit each)\n",
        limit.as_secs()
    ))?;
    let width = steps
        .iter()
        .flat_map(|step| {
            step.demos()
                .into_iter()
                .map(move |demo| step.name.len() + 1 + demo.len())
        })
        .max()
        .unwrap_or(0);
    let logs = demo::target_dir(root).join("xtask-check");
    let mut count = 0;
    for step in steps {
        let demos = step.demos();
        count += demos.len();
        if demos.is_empty() {
            continue;
        }
        if let Err((error, messages)) = demo::build_examples(root, step) {
            fail(problems, format!("{}: {error}", step.name))?;
            show(messages.lines())?;
            continue;
        }
        for name in demos {
            let label = format!("{}/{name}", step.name);
            let binary = demo::binary(root, &name);
            let step_logs = logs.join(&step.name);
            let run = demo::run_with_limit(root, &binary, &[AUTO], &step_logs, &name, limit)
                .map_err(Error::Failed)?;
            let secs = run.duration.as_secs_f64();
            let verdict = match &run.outcome {
                Outcome::Passed => {
                    print_out(&format!("  ok    {label:<width$}  {secs:6.2} s\n"))?;
                    continue;
                }
                Outcome::Failed(status) => format!("{label}: {status}"),
                Outcome::TimedOut => format!("{label}: still running after {secs:.0} s, killed"),
            };
            fail(problems, verdict)?;
            let mut tail = demo::tail(&run.stderr, TAIL_LINES);
            if tail.is_empty() {
                tail = demo::tail(&run.stdout, TAIL_LINES);
            }
            show(tail.iter().map(String::as_str))?;
        }
    }
    Ok(count)
}

/// Prints the output of a failed command, indented under its failure line.
fn show<'a>(lines: impl Iterator<Item = &'a str>) -> Result<(), Error> {
    for line in lines {
        print_out(&format!("        | {line}\n"))?;
    }
    Ok(())
}
