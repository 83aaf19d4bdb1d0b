//! `cargo xtask check`: what CI needs beyond `cargo test`, in five parts that each print one
//! line per item.
//!
//! 1. The repository: each step's metadata, demos, `src/`, crate name, workspace membership and
//!    README sections, and the root README's step table against the metadata.
//! 2. The diffs: the default view of each adjacent pair fits the newer step's `diff-budget`.
//! 3. The demos: each runs with `--auto` and stdin closed, exits 0 within the time limit, and
//!    prints no line wider than a projector.
//! 4. The READMEs' sample outputs: each command runs again and prints what its sample shows
//!    ([`samples`] says how a sample is written).
//! 5. The talk's Python: each step's twin prints what its Rust talk demo prints, and each claim
//!    a README makes about Python holds ([`crate::python`]); skipped without `python3`.
//!
//! Everything runs even after a failure, so one CI run shows every problem.

use std::fs;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use lexopt::prelude::*;

use crate::demo::{self, AUTO, Outcome};
use crate::diff::{self, Options};
use crate::samples;
use crate::steps::Step;
use crate::{Error, WIDTH, Workspace, help, print_out, unexpected};

/// `cargo xtask check --help`.
pub const HELP: &str = "\
usage: cargo xtask check [--timeout SECS]
       cargo xtask check --exercises
what CI checks beyond `cargo test`: step metadata, READMEs, diff budgets, every demo
(--auto, stdin closed, at most SECS seconds each, default 60), the READMEs' sample outputs,
and the talk's Python (each twin against its Rust demo, each claim; skipped without python3);
with --exercises, only that each step's exercises compile as todo!() and their tests catch them
";

/// Demos take a few seconds, so a minute means "hung".
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The sections every step README must have, as the start of a line: a participant who opens
/// any step alone finds the same guide in the same places.
pub const README_SECTIONS: [&str; 5] = [
    "**Talk section:**",
    "## Python ↔ Rust",
    "## What changed",
    "## Demos",
    "## Things to try",
];

/// Lines of a failing demo's output shown under its line.
const TAIL_LINES: usize = 15;

/// Runs every check and fails at the end if any failed.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let mut limit = DEFAULT_TIMEOUT;
    let mut exercises = false;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return help(HELP),
            Long("timeout") => limit = timeout(parser.value()?.string()?)?,
            Long("exercises") => exercises = true,
            other => {
                return Err(unexpected(
                    "check",
                    other,
                    "the options are --timeout SECS and --exercises",
                ));
            }
        }
    }
    let mut report = Report::default();
    if exercises {
        print_out("== exercises (each a todo!() that compiles, and that its tests catch)\n")?;
        crate::exercise::guarantees::check(ws, |outcome| match outcome {
            Ok(line) => report.ok(&line),
            Err(problem) => report.fail(problem),
        })?;
        return report.summary();
    }
    print_out("== repository\n")?;
    for problem in problems(&ws.root, &ws.steps) {
        report.fail(problem)?;
    }
    if report.problems.is_empty() {
        report.ok(&format!(
            "{} steps: metadata, demos, src/, READMEs, table",
            ws.steps.len()
        ))?;
    }
    print_out("== diffs (default view)\n")?;
    diffs(&ws.steps, &mut report)?;
    print_out(&format!(
        "== demos (--auto, stdin closed, {} s each)\n",
        limit.as_secs()
    ))?;
    demos(ws, limit, &mut report)?;
    print_out("== README samples (run again, compared)\n")?;
    samples::check(ws, limit, |outcome| match outcome {
        Ok(sample) => report.ok(&sample),
        Err(problem) => report.fail(problem),
    })?;
    print_out("== the talk's Python (each twin beside its Rust demo, each README claim)\n")?;
    crate::python::check(ws, limit, |outcome| match outcome {
        Ok(line) => report.ok(&line),
        Err(problem) => report.fail(problem),
    })?;
    report.summary()
}

/// `--timeout SECS`: a whole number of seconds above zero.
fn timeout(value: String) -> Result<Duration, Error> {
    match value.parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
        _ => Err(Error::Usage(format!(
            "--timeout needs whole seconds above 0, got '{value}'"
        ))),
    }
}

/// The problems found so far, each printed as it is found.
#[derive(Debug, Default)]
struct Report {
    problems: Vec<String>,
}

impl Report {
    fn ok(&self, line: &str) -> Result<(), Error> {
        print_out(&crate::verify::text::wrap_hanging(line, "ok    ", "      "))
    }

    fn fail(&mut self, problem: String) -> Result<(), Error> {
        print_out(&crate::verify::text::wrap_hanging(
            &problem, "FAIL  ", "      ",
        ))?;
        self.problems.push(problem);
        Ok(())
    }

    fn summary(self) -> Result<ExitCode, Error> {
        if self.problems.is_empty() {
            print_out("\ncheck: all good\n")?;
            return Ok(ExitCode::SUCCESS);
        }
        let list: String = self
            .problems
            .iter()
            .map(|p| crate::verify::text::wrap_hanging(p, "  - ", "    "))
            .collect();
        print_out(&format!(
            "\ncheck: {} problem(s):\n{list}",
            self.problems.len()
        ))?;
        Err(Error::Failed(format!(
            "check found {} problem(s), listed above",
            self.problems.len()
        )))
    }
}

/// Everything wrong with the steps as a repository, one line each, naming the file.
pub fn problems(root: &Path, steps: &[Step]) -> Vec<String> {
    if steps.is_empty() {
        return vec!["no step directories (stepNN-name with a Cargo.toml) found".into()];
    }
    let members = fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    let readme = fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let mut problems = Vec::new();
    for pair in steps
        .windows(2)
        .filter(|pair| pair[0].number == pair[1].number)
    {
        problems.push(format!(
            "{} and {}: the same step number",
            pair[0].name, pair[1].name
        ));
    }
    for (i, step) in steps.iter().enumerate() {
        problems.extend(metadata(step, i == 0));
        problems.extend(layout(step, &members));
        problems.extend(readme_sections(step));
        problems.extend(table_row(&readme, step));
    }
    problems
}

/// `[package.metadata.workshop]` has every key, and the demos it names exist.
fn metadata(step: &Step, first: bool) -> Vec<String> {
    let manifest = format!("{}/Cargo.toml", step.name);
    let mut keys = vec!["section", "idea", "headline", "talk-demo"];
    if !first {
        keys.push("diff-budget"); // The first step has no previous one to diff against.
    }
    let mut problems: Vec<String> = keys
        .into_iter()
        .filter(|key| step.meta(key).is_none_or(str::is_empty))
        .map(|key| format!("{manifest}: no `{key}` in [package.metadata.workshop]"))
        .collect();
    if step.meta("diff-budget").is_some() && step.diff_budget().is_none() {
        problems.push(format!(
            "{manifest}: `diff-budget` must be a whole number of lines"
        ));
    }
    for (key, role) in [("headline", "headline"), ("talk-demo", "talk")] {
        match step.meta(key) {
            Some(demo) if !step.demos().iter().any(|d| d == demo) => problems.push(format!(
                "{}/examples/{demo}.rs: missing, but it is the {role} demo",
                step.name
            )),
            _ => {}
        }
    }
    problems
}

/// `src/`, a crate named like its directory, a member of the workspace.
fn layout(step: &Step, workspace_manifest: &str) -> Vec<String> {
    let name = &step.name;
    let mut problems = Vec::new();
    if !step.dir.join("src").is_dir() {
        problems.push(format!("{name}/src/: missing"));
    }
    if step.package.get("name") != Some(name) {
        problems.push(format!(
            "{name}/Cargo.toml: the package must be named \"{name}\", like its directory"
        ));
    }
    if !workspace_manifest.contains(&format!("\"{name}\"")) {
        problems.push(format!(
            "Cargo.toml: \"{name}\" is not in the workspace members"
        ));
    }
    problems
}

/// The step README has each of [`README_SECTIONS`]. A heading counts when a line is the
/// heading, possibly followed by more words (`## Demos (all of them)`), so `## Demos2` does not.
fn readme_sections(step: &Step) -> Vec<String> {
    let file = format!("{}/README.md", step.name);
    let Ok(text) = fs::read_to_string(step.dir.join("README.md")) else {
        return vec![format!("{file}: missing")];
    };
    let has = |section: &str| {
        text.lines().any(|line| {
            line.strip_prefix(section).is_some_and(|rest| {
                section.ends_with(':') || rest.is_empty() || rest.starts_with(' ')
            })
        })
    };
    README_SECTIONS
        .iter()
        .filter(|section| !has(section))
        .map(|section| format!("{file}: no `{section}` section"))
        .collect()
}

/// The root README's row for the step, `| [NAME](NAME/) | SECTION | IDEA | HEADLINE |`, says
/// what the step's metadata says: the table is written by hand, so it can drift.
fn table_row(readme: &str, step: &Step) -> Vec<String> {
    let link = format!("[{0}]({0}/)", step.name);
    let row = readme
        .lines()
        .map(cells)
        .find(|cells| cells.first() == Some(&link.as_str()));
    let Some(row) = row else {
        return vec![format!(
            "README.md: no row `| {link} | … |` in the step table"
        )];
    };
    let [_, section, idea, headline] = row[..] else {
        return vec![format!("README.md: the row of {} needs 4 cells", step.name)];
    };
    let mut problems = Vec::new();
    for (key, cell) in [("section", section), ("idea", idea)] {
        match step.meta(key) {
            Some(value) if value != cell => problems.push(format!(
                "README.md: the {key} of {} is \"{value}\" in its Cargo.toml",
                step.name
            )),
            _ => {}
        }
    }
    match step.meta("headline") {
        Some(demo) if !headline.contains(demo) => problems.push(format!(
            "README.md: the headline demo of {} is {demo}, not in its row",
            step.name
        )),
        _ => {}
    }
    problems
}

/// The cells of a Markdown table row, trimmed; empty for any other line.
fn cells(line: &str) -> Vec<&str> {
    let inner = line
        .trim()
        .strip_prefix('|')
        .and_then(|l| l.strip_suffix('|'));
    inner.map_or_else(Vec::new, |inner| inner.split('|').map(str::trim).collect())
}

/// The default view of each adjacent diff, against the newer step's budget.
fn diffs(steps: &[Step], report: &mut Report) -> Result<(), Error> {
    for pair in steps.windows(2) {
        let (old, new) = (&pair[0], &pair[1]);
        let command = format!("cargo xtask diff {} {}", old.number, new.number);
        let found = diff::dirs(
            (&old.name, &old.dir),
            (&new.name, &new.dir),
            &Options::default(),
        );
        let lines = match found {
            Ok(found) => found.unified(false).lines().count(),
            Err(error) => {
                report.fail(format!("{command}: {error}"))?;
                continue;
            }
        };
        match new.diff_budget() {
            Some(budget) if lines > budget => report.fail(format!(
                "{command}: {lines} lines, over the budget of {budget} ({}/Cargo.toml)",
                new.name
            ))?,
            Some(budget) => report.ok(&format!("{command}: {lines} lines (budget {budget})"))?,
            None => report.ok(&format!("{command}: {lines} lines (no budget)"))?,
        }
    }
    Ok(())
}

/// For each step in turn, builds its demos once and runs every one (in that order: see
/// [`demo::binary`]).
fn demos(ws: &Workspace, limit: Duration, report: &mut Report) -> Result<(), Error> {
    for step in ws.steps.iter().filter(|step| !step.demos().is_empty()) {
        match demo::build(&ws.root, step, &["--examples"]) {
            Ok(()) => step
                .demos()
                .iter()
                .try_for_each(|name| run_demo(ws, step, name, limit, report))?,
            Err(error) => report.fail(format!("{}: {error}", step.name))?,
        }
    }
    Ok(())
}

/// Runs one built demo: it must pass in time, and print no line too wide for a projector.
fn run_demo(
    ws: &Workspace,
    step: &Step,
    name: &str,
    limit: Duration,
    report: &mut Report,
) -> Result<(), Error> {
    let label = format!("{}/{name}", step.name);
    let logs = ws.target.clone().join("xtask-check").join(&step.name);
    let binary = demo::binary(ws, name);
    let run = demo::run_with_limit(&ws.root, &binary, &[AUTO], &logs, name, limit)
        .map_err(Error::Failed)?;
    let secs = run.duration.as_secs_f64();
    let failure = match &run.outcome {
        Outcome::Passed => None,
        Outcome::Failed(status) => Some(format!("{label}: {status}")),
        Outcome::TimedOut => Some(format!("{label}: still running after {secs:.0} s, killed")),
    };
    match failure {
        None => report.ok(&format!("{label:<40} {secs:6.2} s"))?,
        Some(failure) => {
            report.fail(failure)?;
            // Its last words, from stderr if it said anything there.
            let mut tail = demo::tail(&run.stderr, TAIL_LINES);
            if tail.is_empty() {
                tail = demo::tail(&run.stdout, TAIL_LINES);
            }
            print_out(
                &tail
                    .iter()
                    .map(|line| format!("      | {line}\n"))
                    .collect::<String>(),
            )?;
        }
    }
    for (stream, path) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if let Some(problem) = too_wide(&label, stream, &demo::lines(path)) {
            report.fail(problem)?;
        }
    }
    Ok(())
}

/// A demo's lines must fit a projector: the first one wider than [`WIDTH`] characters (not
/// bytes: `é` and `→` are one column), and how many more there are.
pub fn too_wide(label: &str, stream: &str, lines: &[String]) -> Option<String> {
    let mut wide = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.chars().count() > WIDTH);
    let (at, line) = wide.next()?;
    let more = match wide.count() {
        0 => String::new(),
        n => format!(", and {n} more"),
    };
    let width = line.chars().count();
    Some(format!(
        "{label}: {stream} line {} has {width} characters (at most {WIDTH}){more}",
        at + 1
    ))
}
