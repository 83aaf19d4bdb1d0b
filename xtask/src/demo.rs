//! Running a step's demos: one by hand, the headline of each step as the tour, or all of them
//! under a time limit for `cargo xtask check`.
//!
//! Demos run from the workspace root. A demo run by hand gets the user's terminal, so it may
//! wait for Enter; the tour and the check append `--auto` and close stdin, which every demo
//! takes as "do not wait for anyone".

use std::env;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::steps::Step;
use crate::{Error, print_out};

/// The flag every demo understands as "run straight through, ask nothing".
pub const AUTO: &str = "--auto";

/// The `cargo` that runs us (`CARGO`, set by cargo itself), else the one on `PATH`.
pub fn cargo(root: &Path) -> Command {
    let program = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(program);
    command.current_dir(root);
    command
}

/// Where cargo puts binaries: `CARGO_TARGET_DIR` (relative to the root) or `<root>/target`.
pub fn target_dir(root: &Path) -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// The demo called `name` in `step`, accepting `name.rs` too; an unknown name is a usage error
/// that lists the step's demos.
pub fn find(step: &Step, name: &str) -> Result<String, Error> {
    let name = name.strip_suffix(".rs").unwrap_or(name);
    let demos = step.demos();
    if demos.iter().any(|demo| demo == name) {
        return Ok(name.to_owned());
    }
    let valid = if demos.is_empty() {
        "it has none".to_owned()
    } else {
        format!("valid demos are {}", demos.join(", "))
    };
    Err(Error::Usage(format!(
        "{} has no demo '{name}': {valid}",
        step.label()
    )))
}

/// The text of `cargo xtask demo N`: the step's demos, headline first, and how to run one.
pub fn listing(step: &Step) -> String {
    let mut out = format!("demos of {}:\n", step.label());
    for demo in step.demos_headline_first() {
        let headline = step.info.is_some_and(|info| info.headline == demo);
        out.push_str(&format!(
            "  {demo}{}\n",
            if headline { "  (headline)" } else { "" }
        ));
    }
    out.push_str(&format!(
        "run one with: cargo xtask demo {} NAME [-- ARGS]\n",
        step.number
    ));
    out
}

/// Runs one demo with the user's terminal and arguments; exits as the demo exits.
pub fn run_interactive(
    root: &Path,
    step: &Step,
    name: &str,
    args: &[String],
) -> Result<ExitCode, Error> {
    let status = run_example(root, step, name)
        .args(args)
        .status()
        .map_err(|e| Error::Failed(format!("cannot start cargo: {e}")))?;
    Ok(exit_code(status))
}

/// `cargo run --quiet --package STEP --example NAME --`: how a demo starts, arguments to follow.
fn run_example(root: &Path, step: &Step, name: &str) -> Command {
    let mut command = cargo(root);
    command.args([
        "run",
        "--quiet",
        "--package",
        &step.name,
        "--example",
        name,
        "--",
    ]);
    command
}

/// The demo's exit code, passed on; death by a signal counts as 1.
fn exit_code(status: ExitStatus) -> ExitCode {
    match status.code() {
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}

/// Runs the headline demo of each step in `steps`, in order, non-interactively, each after a
/// one-line header. A failing demo does not stop the tour; the tour fails at the end.
pub fn tour(root: &Path, steps: &[Step]) -> Result<(), Error> {
    let bold = std::io::stdout().is_terminal();
    let mut failures = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            print_out("\n")?;
        }
        let Some(info) = step.info else {
            print_out(&format!(
                "== {}: no entry in the xtask step table, skipped\n",
                step.label()
            ))?;
            failures.push(format!("{}: no table entry", step.name));
            continue;
        };
        let header = format!(
            "== step {:02} · {} · {} · demo {}",
            step.number, info.section, info.idea, info.headline
        );
        if bold {
            print_out(&format!("\x1b[1m{header}\x1b[0m\n"))?;
        } else {
            print_out(&format!("{header}\n"))?;
        }
        if !step.demos().iter().any(|demo| demo == info.headline) {
            print_out(&format!(
                "   {}/examples/{}.rs is missing\n",
                step.name, info.headline
            ))?;
            failures.push(format!("{}: no headline demo", step.name));
            continue;
        }
        let status = run_example(root, step, info.headline)
            .arg(AUTO)
            .stdin(Stdio::null())
            .status()
            .map_err(|e| Error::Failed(format!("cannot start cargo: {e}")))?;
        if !status.success() {
            failures.push(format!("{} {}: {status}", step.name, info.headline));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::Failed(format!(
            "the tour had {} failure(s): {}",
            failures.len(),
            failures.join("; ")
        )))
    }
}

/// Builds every example of a step. On failure, the error says which command failed and its
/// `Err` carries cargo's messages too (the compiler errors), to show under the failure line.
pub fn build_examples(root: &Path, step: &Step) -> Result<(), (String, String)> {
    let output = cargo(root)
        .args(["build", "--quiet", "--package", &step.name, "--examples"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| (format!("cannot start cargo: {e}"), String::new()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err((
            format!(
                "`cargo build -p {} --examples`: {}",
                step.name, output.status
            ),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ))
    }
}

/// The built binary of a demo, once [`build_examples`] has run.
///
/// Two steps may have a demo of the same name (`reverse_echo` in steps 04 and 05), and cargo
/// copies each build's binary to this same path. So build a step, run its demos, and only then
/// build the next one: building all the steps first would run the last step's binary for both.
pub fn binary(root: &Path, name: &str) -> PathBuf {
    target_dir(root)
        .join("debug")
        .join("examples")
        .join(format!("{name}{}", env::consts::EXE_SUFFIX))
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

/// One demo run under a time limit: how it ended, how long it took, where its output went.
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

/// How often a running demo is asked whether it has finished.
const POLL_EVERY: Duration = Duration::from_millis(10);

/// Runs a program (a built demo, given `--auto`) from `root` with stdin closed, its output
/// captured to `logs/<name>.stdout` and `.stderr`: files, not pipes, so a chatty demo cannot
/// fill a pipe nobody reads, and a killed one leaves its output behind to read. Killed if still
/// running after `limit`.
pub fn run_with_limit(
    root: &Path,
    program: &Path,
    args: &[&str],
    logs: &Path,
    name: &str,
    limit: Duration,
) -> Result<Run, String> {
    fs::create_dir_all(logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
    let stdout = logs.join(format!("{name}.stdout"));
    let stderr = logs.join(format!("{name}.stderr"));
    let create = |path: &Path| {
        File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
    };
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(create(&stdout)?)
        .stderr(create(&stderr)?)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    let outcome = loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break Outcome::Passed,
            Ok(Some(status)) => break Outcome::Failed(status.to_string()),
            Ok(None) if start.elapsed() >= limit => {
                // Already gone by itself in between is fine too: either way it is over.
                let _ = child.kill();
                let _ = child.wait();
                break Outcome::TimedOut;
            }
            Ok(None) => thread::sleep(POLL_EVERY),
            Err(e) => return Err(format!("cannot wait for {}: {e}", program.display())),
        }
    };
    Ok(Run {
        outcome,
        duration: start.elapsed(),
        stdout,
        stderr,
    })
}

/// The last `n` lines of a file (empty if it cannot be read).
pub fn tail(path: &Path, n: usize) -> Vec<String> {
    let bytes = fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|line| (*line).to_owned())
        .collect()
}
