//! `cargo xtask demo N [NAME]`: list a step's demos, or run one. Also how any demo is built and
//! started, for `tour` and `check` too.
//!
//! Demos run from the workspace root. A demo run by hand replaces xtask, as `cargo run` replaces
//! itself with the program: it gets the user's terminal, so it may wait for Enter, and every
//! Ctrl-C goes to it, with nothing left behind once it ends. The tour and the check pass `--auto`
//! and close stdin, which every demo takes as "do not wait for anyone", and run it as a child
//! that stops when they are told to ([`child`]).

use std::env;
use std::ffi::OsString;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use lexopt::prelude::*;

use crate::child;
use crate::steps::{self, Step};
use crate::{Error, Workspace, help, print_out, unexpected, with_list};

/// `cargo xtask demo --help`.
pub const HELP: &str = "\
usage: cargo xtask demo N                   list the demos of step N
       cargo xtask demo N NAME [-- ARGS]    run one, with ARGS
       cargo xtask demo N talk              run the demo of the talk itself
       cargo xtask demo N talk --python     run its Python twin (python/talkNN.py) [-- ARGS]
       cargo xtask demo N talk --side-by-side
                                            run both (--auto), print them in two columns
                                            fitted to COLUMNS, else to the terminal, else 100
";

/// The flag every demo understands as "run straight through, ask nothing".
pub const AUTO: &str = "--auto";

/// Lists the demos of a step, or builds and runs one of them.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let mut words = Vec::new();
    let mut python = None;
    while words.len() < 2 {
        match parser.next()? {
            Some(Short('h') | Long("help")) => return help(HELP),
            Some(Long(flag @ ("python" | "side-by-side"))) => {
                let mut flag = vec![OsString::from(format!("--{flag}"))];
                python = crate::python::take_mode(&mut flag, python)?;
            }
            Some(Value(word)) => words.push(word.string()?),
            Some(other) => return Err(unexpected("demo", other, "see `cargo xtask demo --help`")),
            None => break,
        }
    }
    let Some(step) = words.first() else {
        return Err(Error::Usage(
            "demo needs a step: `cargo xtask demo 3`".into(),
        ));
    };
    let step = steps::find(&ws.steps, step)?;
    let Some(name) = words.get(1) else {
        return print_out(&listing(step)).map(|()| ExitCode::SUCCESS);
    };
    // Everything after the name is the demo's; a `--` before it is optional.
    let mut args: Vec<OsString> = parser.raw_args()?.collect();
    let python = crate::python::take_mode(&mut args, python)?;
    if args.first().is_some_and(|arg| arg == "--") {
        args.remove(0);
    }
    let name = find(step, name)?;
    if let Some(mode) = python {
        return crate::python::demo(ws, step, &name, mode, args);
    }
    build(&ws.root, step, &["--example", &name])?;
    // xtask becomes the demo: its Ctrl-C, its terminal, its exit code (see `child`).
    let mut demo = Command::new(binary(ws, &name));
    let error = child::exec(demo.args(args).current_dir(&ws.root));
    Err(Error::Failed(format!("cannot start {name}: {error}")))
}

/// The text of `cargo xtask demo N`: the step's demos, talk and headline first.
fn listing(step: &Step) -> String {
    let mut out = format!("demos of {}:\n", step.label());
    let width = step.demos().iter().map(String::len).max().unwrap_or(0);
    for demo in step.demos() {
        out.push_str(&match step.role(&demo) {
            Some(role) => format!("  {demo:<width$}  ({role})\n"),
            None => format!("  {demo}\n"),
        });
    }
    let n = step.number;
    out + &format!(
        "run one with: cargo xtask demo {n} NAME [-- ARGS], or cargo xtask demo {n} talk\n"
    )
}

/// The demo a name stands for: `talk` is the step's `talk-demo`, and `name.rs` is `name`.
/// An unknown name is a usage error listing the step's demos.
pub fn find(step: &Step, name: &str) -> Result<String, Error> {
    let name = name.strip_suffix(".rs").unwrap_or(name);
    let demos = step.demos();
    let name = match step.meta("talk-demo") {
        Some(talk) if name == "talk" && !demos.iter().any(|d| d == "talk") => talk,
        _ => name,
    };
    if demos.iter().any(|demo| demo == name) {
        return Ok(name.to_owned());
    }
    // Short, so that the list of demos fits the line.
    let n = step.number;
    let message = format!("step {n} has no demo '{name}': valid demos are ");
    Err(Error::Usage(with_list(message, &demos)))
}

/// The `cargo` that runs us (`CARGO`, set by cargo itself), else the one on `PATH`.
pub fn cargo(root: &Path) -> Command {
    let mut command = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root);
    command
}

/// Past this, a build says that it is building: a fresh clone must never look stuck.
const QUIET_BUILD: Duration = Duration::from_secs(1);

/// How often a running child is asked whether it has finished.
const POLL_EVERY: Duration = Duration::from_millis(10);

/// Builds demos of a step (`what`: `--example NAME` or `--examples`), quietly when it is quick,
/// with a line saying so when it is not. Compiler errors go to stderr as cargo prints them.
pub fn build(root: &Path, step: &Step, what: &[&str]) -> Result<(), Error> {
    let failed = |e: std::io::Error| Error::Failed(format!("cannot run cargo: {e}"));
    let mut child = cargo(root)
        .args(["build", "--quiet", "--package", &step.name])
        .args(what)
        .stdin(Stdio::null())
        .spawn()
        .map_err(failed)?;
    let start = Instant::now();
    let mut told = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(failed)? {
            break status;
        }
        if !told && start.elapsed() >= QUIET_BUILD {
            print_out(&format!("   building {} (first time only)…\n", step.name))?;
            told = true;
        }
        thread::sleep(POLL_EVERY);
    };
    match status.success() {
        true => Ok(()),
        false => Err(Error::Failed(format!(
            "`cargo build -p {} {}`: {status}",
            step.name,
            what.join(" ")
        ))),
    }
}

/// The built binary of a demo, once [`build`] has run.
///
/// Two steps could have a demo of the same name (cargo warns about it, and the steps avoid it,
/// but nothing forbids it), and cargo would copy each build's binary to this same path. So build
/// a step, run its demos, and only then build the next one: building all the steps first would
/// run the last step's binary for both.
pub fn binary(ws: &Workspace, name: &str) -> PathBuf {
    let file = format!("{name}{}", env::consts::EXE_SUFFIX);
    ws.target.join("debug").join("examples").join(file)
}

/// Where cargo builds: `CARGO_TARGET_DIR` (relative to the root) or `<root>/target`.
pub fn target_dir(root: &Path) -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// How a demo run under a time limit ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Exited 0.
    Passed,
    /// Exited otherwise; the status, as text.
    Failed(String),
    /// Still running at the time limit, so it was killed.
    TimedOut,
}

/// One program run under a time limit: how it ended, how long it took, where its output went.
#[derive(Debug, Clone)]
pub struct Run {
    /// How it ended.
    pub outcome: Outcome,
    /// Wall time until it ended or was killed.
    pub duration: Duration,
    /// Its captured stdout.
    pub stdout: PathBuf,
    /// Its captured stderr.
    pub stderr: PathBuf,
}

/// Runs a program (a built demo, given `--auto`) from `root` with stdin closed, its output
/// captured to `logs/<name>.stdout` and `.stderr`: files, not pipes, so a chatty demo cannot
/// fill a pipe nobody reads, and a killed one leaves its output behind to read. Killed if still
/// running after `limit`; stopped by Ctrl-C as [`child`] says, and xtask with it.
pub fn run_with_limit(
    root: &Path,
    program: &Path,
    args: &[&str],
    logs: &Path,
    name: &str,
    limit: Duration,
) -> Result<Run, String> {
    fs::create_dir_all(logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
    let (stdout, stderr) = (
        logs.join(format!("{name}.stdout")),
        logs.join(format!("{name}.stderr")),
    );
    let create = |path: &Path| {
        File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
    };
    let start = Instant::now();
    let mut command = Command::new(program);
    let command = command
        .args(args)
        .current_dir(root)
        .stdout(create(&stdout)?)
        .stderr(create(&stderr)?);
    let ended = child::run(command, Some(limit))
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    // A Ctrl-C stopped this demo: the check stops too, rather than go on to the next one.
    child::stop_if_interrupted();
    let outcome = match ended {
        Some(status) if status.success() => Outcome::Passed,
        Some(status) => Outcome::Failed(status.to_string()),
        None => Outcome::TimedOut,
    };
    Ok(Run {
        outcome,
        duration: start.elapsed(),
        stdout,
        stderr,
    })
}

/// The lines of a captured output file (none if it cannot be read).
pub fn lines(path: &Path) -> Vec<String> {
    let text = String::from_utf8_lossy(&fs::read(path).unwrap_or_default()).into_owned();
    text.lines().map(str::to_owned).collect()
}

/// The last `n` lines of a captured output file.
pub fn tail(path: &Path, n: usize) -> Vec<String> {
    let mut lines = lines(path);
    lines.drain(..lines.len().saturating_sub(n));
    lines
}
