//! The workshop's remote control, as a library so that its tests can call each piece directly.
//!
//! `cargo xtask` (an alias in `.cargo/config.toml`) runs `src/main.rs`, which reads the
//! subcommand and hands the rest of the command line to that subcommand's module: [`list`],
//! [`diff`], [`demo`], [`tour`], [`check`], [`bench`](mod@bench). Each one parses its own flags
//! (with `lexopt`) and does its own work, so a new subcommand is one new module and one line in
//! `main.rs`. [`steps`] finds the steps and reads their `[package.metadata.workshop]`;
//! [`samples`] is how `check` runs the READMEs' sample outputs again. Workshop mode is
//! [`exercise`] (a step's copy to write again), [`verify`], [`watch`], [`hint`] and
//! [`progress`]. [`python`] runs the talk's Python beside the Rust.
//!
//! Few dependencies, each for what is not ours to write: `similar` for the diff, `lexopt` for
//! flags, `signal-hook` and `libc` for demos that stop when told ([`child`]), and for workshop
//! mode well-kept parsers of what others write (`serde_json` for cargo's messages, `toml` for
//! manifests, `syn` for Rust source) and `notify` for file events. No derive macro, so that a
//! fresh `cargo xtask` builds no proc-macro: the first tour pays for every crate here.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub mod bench;
pub mod check;
pub mod child;
pub mod demo;
pub mod diff;
pub mod exercise;
pub mod hint;
pub mod list;
pub mod prepare;
pub mod progress;
pub mod python;
pub mod samples;
pub mod steps;
pub mod sys;
pub mod tour;
pub mod trace;
pub mod verify;
pub mod watch;

/// What every subcommand is given: where the workspace is, and which steps it has.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The workspace root, where the step directories are.
    pub root: PathBuf,
    /// The steps, in order.
    pub steps: Vec<steps::Step>,
    /// Where cargo builds: `CARGO_TARGET_DIR` (relative to the root) or `<root>/target`, read
    /// once, so that a workspace of a test builds in its own whatever the environment says.
    pub target: PathBuf,
}

/// A subcommand: it parses the rest of the command line itself, so that each one is a module
/// on its own. Only `demo` has an exit code of its own to pass on; the others succeed or fail.
pub type Main = fn(&mut lexopt::Parser, &Workspace) -> Result<ExitCode, Error>;

/// The widest line xtask prints on purpose (errors, headers, lists): what fits a projector.
pub const WIDTH: usize = 100;

/// Everything that can stop a command, split by whose fault it is, because the exit code says
/// so: scripts and CI tell "you typed it wrong" (2) from "the workshop is broken" (1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The command line asks for something that does not exist; the message names what does.
    Usage(String),
    /// The command was fine but the work failed (a missing `src/`, a failing demo, …).
    Failed(String),
    /// A demo run for the command failed and said why in its own `error:` line (a flag it does
    /// not take: 2; its port in use: 1). The command exits with that code and adds nothing.
    Said(u8),
}

impl Error {
    /// The process exit code for this error: 2 for usage errors, 1 for failures.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Failed(_) => 1,
            Error::Said(code) => *code,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) | Error::Failed(message) => f.write_str(message),
            Error::Said(code) => write!(f, "exit status: {code}, said by the demo"),
        }
    }
}

impl std::error::Error for Error {}

/// `lexopt`'s own messages ("missing argument for option '--file'") are already one clear line.
impl From<lexopt::Error> for Error {
    fn from(error: lexopt::Error) -> Self {
        Error::Usage(error.to_string())
    }
}

/// The error for an argument a subcommand does not take, naming the ones it does.
pub fn unexpected(command: &str, arg: lexopt::Arg<'_>, valid: &str) -> Error {
    let arg = match arg {
        lexopt::Arg::Short(c) => format!("-{c}"),
        lexopt::Arg::Long(name) => format!("--{name}"),
        lexopt::Arg::Value(value) => value.to_string_lossy().into_owned(),
    };
    Error::Usage(format!("unexpected '{arg}' for {command}: {valid}"))
}

/// `message` then `a, b, c, …, and 4 more`: as many items as fit in an `error: ` line of at
/// most [`WIDTH`] columns, so that an error listing what is valid stays one line.
pub fn with_list(message: String, items: &[String]) -> String {
    let room = (WIDTH - "error: ".len()).saturating_sub(message.chars().count());
    let mut shown = items.first().cloned().unwrap_or_default();
    for (i, item) in items.iter().enumerate().skip(1) {
        let next = format!("{shown}, {item}");
        let after = items.len() - i - 1;
        let more = if after > 0 {
            format!(", …, and {after} more")
        } else {
            String::new()
        };
        if next.chars().count() + more.chars().count() > room {
            return format!("{message}{shown}, …, and {} more", items.len() - i);
        }
        shown = next;
    }
    message + &shown
}

/// The workspace root: the parent of this crate's directory. Taken from the build, not from the
/// current directory, so `cargo xtask` works from anywhere inside the workspace.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.join(".."), Path::to_path_buf)
}

/// Prints a help text: what every `-h`/`--help` does, then nothing else.
pub fn help(text: &str) -> Result<ExitCode, Error> {
    print_out(text).map(|()| ExitCode::SUCCESS)
}

/// Writes `text` to stdout. Unlike `print!`, a closed pipe (`cargo xtask diff 1 2 | head`) is
/// not a panic: the reader has seen enough, so the rest is quietly dropped.
pub fn print_out(text: &str) -> Result<(), Error> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(Error::Failed(format!("cannot write to stdout: {error}"))),
    }
}
