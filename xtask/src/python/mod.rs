//! The talk's Python beside our Rust: each step's `python/` folder holds a twin of its talk
//! demo, written in the talk's way (its own loop, `Future`, `TimeEvent`, `ARange`, …), and the
//! small checks of what the step's README says Python does.
//!
//! - `cargo xtask demo N talk --python` runs the twin; `--side-by-side` runs both and lays
//!   their lines out in two columns ([`columns`]).
//! - `cargo xtask diff A B --python` shows how the talk's code grew ([`diff`]).
//! - `cargo xtask check` runs every twin against its Rust demo ([`compare`]) and every claim
//!   ([`claims`]). Without `python3`, it says so once and skips them.

pub mod claims;
pub mod columns;
pub mod compare;
pub mod diff;
#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use crate::demo::{self, AUTO, Outcome, Run};
use crate::steps::Step;
use crate::{Error, Workspace, print_out};
use compare::{Differences, Line, Row, Verdict};

/// The interpreter the twins run with: `python3` on `PATH`.
pub const PYTHON: &str = "python3";

/// The oldest Python the twins are written for.
pub const OLDEST: (u32, u32) = (3, 9);

/// Each step's folder of Python, beside its `src/`.
pub const FOLDER: &str = "python";

/// A comparison that fails is run again, up to this many runs in all: a machine busy enough
/// to stall one run for a third of a second does happen, and then lines come late, or in
/// another order; the same drift three times in a row is the code.
pub const ATTEMPTS: usize = 3;

/// What `--python` or `--side-by-side` asks `cargo xtask demo N talk` for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Run the twin alone, on the terminal.
    Python,
    /// Run both, then print them in two columns.
    SideBySide,
}

impl Mode {
    /// The mode a command-line word asks for, if it is one of ours.
    pub fn from_flag(word: &str) -> Option<Mode> {
        match word {
            "--python" => Some(Mode::Python),
            "--side-by-side" => Some(Mode::SideBySide),
            _ => None,
        }
    }
}

/// Takes `--python` and `--side-by-side` off the front of a demo's arguments (before `--`),
/// and says which was asked for, after `before` (the flags given before the demo's name).
/// Both at once is a usage error: side by side runs the twin already.
pub fn take_mode(args: &mut Vec<OsString>, before: Option<Mode>) -> Result<Option<Mode>, Error> {
    let mut mode = before;
    while let Some(found) = args
        .first()
        .and_then(|a| a.to_str())
        .and_then(Mode::from_flag)
    {
        if mode.is_some_and(|mode| mode != found) {
            return Err(Error::Usage(
                "--python or --side-by-side, not both (side by side runs the twin too)".into(),
            ));
        }
        mode = Some(found);
        args.remove(0);
    }
    Ok(mode)
}

/// Whether a `demo` sample's words ask for a twin, so that `check` runs it through xtask
/// rather than as the Rust demo's binary.
pub fn asks_for_twin(words: &[String]) -> bool {
    words.iter().any(|word| Mode::from_flag(word).is_some())
}

/// Whether `check` leaves out a README sample: one that runs a twin, on a machine without a
/// recent enough `python3`.
pub fn skips(words: &[String]) -> bool {
    asks_for_twin(words) && available().is_err()
}

/// The twin of a step's talk demo: `python/talkNN.py`.
pub fn twin(step: &Step) -> Option<PathBuf> {
    let name = step.meta("talk-demo")?;
    Some(step.dir.join(FOLDER).join(format!("{name}.py")))
}

/// The twin, or why there is none (a usage error: the step has no twin).
fn twin_of(step: &Step) -> Result<PathBuf, Error> {
    match twin(step) {
        Some(path) if path.is_file() => Ok(path),
        _ => Err(Error::Usage(format!(
            "{} has no Python twin ({FOLDER}/talkNN.py)",
            step.label()
        ))),
    }
}

/// Whether `python3` runs and is recent enough; `Err` says what is missing, in one line.
pub fn available() -> Result<(), String> {
    let (major, minor) = OLDEST;
    let test = format!("import sys; sys.exit(sys.version_info < ({major}, {minor}))");
    let status = Command::new(PYTHON)
        .args(["-c", &test])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(_) => Err(format!("{PYTHON} is older than {major}.{minor}")),
        Err(_) => Err(format!("no {PYTHON} on PATH")),
    }
}

/// `cargo xtask demo N talk --python` or `--side-by-side`, for a step whose talk demo is
/// `name`; `args` go to the twin.
pub fn demo(
    ws: &Workspace,
    step: &Step,
    name: &str,
    mode: Mode,
    args: Vec<OsString>,
) -> Result<ExitCode, Error> {
    if step.meta("talk-demo") != Some(name) {
        let n = step.number;
        return Err(Error::Usage(format!(
            "--python and --side-by-side run the talk demo's twin: `cargo xtask demo {n} talk`"
        )));
    }
    let path = twin_of(step)?;
    available().map_err(|why| Error::Failed(format!("{why}: the twins need Python 3.9+")))?;
    match mode {
        Mode::Python => {
            let status = command(&ws.root, &path)
                .args(args)
                .status()
                .map_err(|e| Error::Failed(format!("cannot start {PYTHON}: {e}")))?;
            let code = status.code().and_then(|code| u8::try_from(code).ok());
            Ok(ExitCode::from(code.unwrap_or(1)))
        }
        Mode::SideBySide if !args.is_empty() => Err(Error::Usage(
            "--side-by-side runs both demos with --auto, and takes no ARGS".into(),
        )),
        Mode::SideBySide => {
            let both = run_both(ws, step, name, &path, Duration::from_secs(60))?;
            let width = columns::width_from_env();
            print_out(&columns::render(step, name, &both.rows, width))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `python3 -B PATH`, from the workspace root (`-B`: no `__pycache__` beside the twin).
pub fn command(root: &Path, path: &Path) -> Command {
    let mut command = Command::new(PYTHON);
    command.arg("-B").arg(path).current_dir(root);
    command
}

/// Both demos run once, and their lines side by side.
#[derive(Debug)]
pub struct Both {
    /// The rows, lined up and judged.
    pub rows: Vec<Row>,
    /// What the twin printed, as printed: a projector shows it too.
    pub twin_stdout: Vec<String>,
    /// What the twin wrote to stderr: a warning, a traceback; nothing, when all is well.
    pub twin_stderr: Vec<String>,
}

/// Builds the Rust demo, runs it and its twin with `--auto` under `limit`, and lines them up.
fn run_both(
    ws: &Workspace,
    step: &Step,
    name: &str,
    path: &Path,
    limit: Duration,
) -> Result<Both, Error> {
    demo::build(&ws.root, step, &["--example", name])?;
    let logs = ws.target.clone().join("xtask-python").join(&step.name);
    let rust = demo::binary(ws, name);
    let rust = demo::run_with_limit(&ws.root, &rust, &[AUTO], &logs, name, limit);
    let rust = finished(rust, &format!("{}/examples/{name}.rs", step.name))?;
    let python_args = ["-B".to_owned(), path.display().to_string(), AUTO.to_owned()];
    let python_args: Vec<&str> = python_args.iter().map(String::as_str).collect();
    let twin = format!("{name}.py");
    let ran = demo::run_with_limit(
        &ws.root,
        Path::new(PYTHON),
        &python_args,
        &logs,
        &twin,
        limit,
    );
    let python = finished(ran, &format!("{}/{FOLDER}/{twin}", step.name))?;
    let differences = differences(step)?;
    Ok(Both {
        rows: compare::rows(&output_lines(&rust), &output_lines(&python), &differences),
        twin_stdout: demo::lines(&python.stdout),
        twin_stderr: demo::lines(&python.stderr),
    })
}

/// A run's stdout, as lines; the lines a demo prints come to stdout.
fn output_lines(run: &Run) -> Vec<Line> {
    demo::lines(&run.stdout)
        .iter()
        .map(|l| Line::parse(l))
        .collect()
}

/// The run, if it passed; else a failure naming `what` with its last words.
fn finished(run: Result<Run, String>, what: &str) -> Result<Run, Error> {
    let run = run.map_err(Error::Failed)?;
    let problem = match &run.outcome {
        Outcome::Passed => return Ok(run),
        Outcome::Failed(status) => status.clone(),
        Outcome::TimedOut => format!("still running after {} s", run.duration.as_secs()),
    };
    let mut last = demo::tail(&run.stderr, 1);
    last.extend(demo::tail(&run.stdout, 1));
    let last = last.first().map(|l| format!(" ({l})")).unwrap_or_default();
    Err(Error::Failed(format!("{what}: {problem}{last}")))
}

/// The step's `python/differences.txt`, read (none is no difference).
fn differences(step: &Step) -> Result<Differences, Error> {
    let path = step.dir.join(FOLDER).join("differences.txt");
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(Differences::default());
    };
    Differences::parse(&text)
        .map_err(|e| Error::Failed(format!("{}/{FOLDER}/differences.txt: {e}", step.name)))
}

/// For `cargo xtask check`: every twin against its Rust demo, then every step's claims, each
/// outcome handed to `each` (`Ok(what)` or `Err(problem)`; details printed after a problem).
/// Without `python3`, one line says so and nothing runs.
pub fn check(
    ws: &Workspace,
    limit: Duration,
    mut each: impl FnMut(Result<String, String>) -> Result<(), Error>,
) -> Result<(), Error> {
    if let Err(why) = available() {
        return print_out(&format!(
            "skip  {why}: the Python twins and claims are not run\n"
        ));
    }
    for step in &ws.steps {
        let Some(path) = twin(step).filter(|p| p.is_file()) else {
            continue;
        };
        let name = step.meta("talk-demo").unwrap_or_default();
        let label = format!("{}/{FOLDER}/{name}.py", step.name);
        match compare_twin(ws, step, name, &path, limit) {
            Ok(attempts) => each(Ok(format!("{label:<44} same lines as {name}.rs{attempts}")))?,
            Err((problem, details)) => {
                each(Err(format!("{label}: {problem}")))?;
                print_out(&details)?;
            }
        }
    }
    for step in &ws.steps {
        claims::check(ws, step, limit, &mut each)?;
    }
    Ok(())
}

/// Runs a twin and its Rust demo, again after a difference, up to [`ATTEMPTS`] runs; `Ok`
/// with a note when it took more than one, else the last run's problem and its two lines.
fn compare_twin(
    ws: &Workspace,
    step: &Step,
    name: &str,
    path: &Path,
    limit: Duration,
) -> Result<String, (String, String)> {
    let mut attempt = 1;
    loop {
        let both =
            run_both(ws, step, name, path, limit).map_err(|e| (e.to_string(), String::new()))?;
        if let Some(first) = both.twin_stderr.first() {
            let first = first.chars().take(crate::WIDTH - 16).collect::<String>();
            return Err(("it wrote to stderr".into(), format!("      | {first}\n")));
        }
        if let Some(wide) = crate::check::too_wide("the twin", "stdout", &both.twin_stdout) {
            return Err((wide, String::new()));
        }
        let Some(row) = compare::first_problem(&both.rows) else {
            return Ok(match attempt {
                1 => String::new(),
                n => format!(" (run {n}: the machine is busy)"),
            });
        };
        // A real drift is the same in every run; a stall of the machine is not.
        if attempt < ATTEMPTS {
            attempt += 1;
            continue;
        }
        let (problem, mut details) = describe(row, attempt);
        let logs = ws.target.clone().join("xtask-python").join(&step.name);
        let logs = logs
            .strip_prefix(&ws.root)
            .unwrap_or(&logs)
            .display()
            .to_string();
        details.push_str(&format!(
            "      | both outputs: {logs}/{name}.stdout, {name}.py.stdout\n"
        ));
        return Err((problem, details));
    }
}

/// A problem row as a line for the report, and both of its lines under it.
pub fn describe(row: &Row, attempts: usize) -> (String, String) {
    let problem = match row.verdict {
        Verdict::Late => "a time differs beyond the tolerance".to_owned(),
        _ if row.rust.is_none() => "a line the Rust demo does not print".to_owned(),
        _ if row.python.is_none() => "a line of the Rust demo that the twin lacks".to_owned(),
        _ => "the lines differ (and python/differences.txt pairs them not)".to_owned(),
    };
    let problem = match attempts {
        1 => problem,
        n => format!("{problem}, in each of {n} runs"),
    };
    let shown = |line: &Option<Line>| match line {
        Some(Line {
            millis: Some(ms),
            text,
        }) => format!("[{ms:8.1} ms] {text}"),
        Some(Line { millis: None, text }) => text.clone(),
        None => "(no such line)".to_owned(),
    };
    let cut = |line: String| line.chars().take(crate::WIDTH - 16).collect::<String>();
    let details = format!(
        "      | rust:   {}\n      | python: {}\n",
        cut(shown(&row.rust)),
        cut(shown(&row.python))
    );
    (problem, details)
}
