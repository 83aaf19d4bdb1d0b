//! The workshop's remote control, as a library so that its tests can call each piece directly.
//!
//! `cargo xtask` (an alias in `.cargo/config.toml`) runs `src/main.rs`, which parses the command
//! line with [`cli`] and hands over to one of these modules:
//!
//! - [`steps`]: which steps exist (directories `stepNN-*`) and what the talk says about each;
//! - [`diff`]: the unified diff between two steps, with crate names normalised;
//! - [`demo`]: a step's demos, run one at a time or as the tour;
//! - [`readme`]: the sections every step README must have;
//! - [`check`]: what CI checks beyond `cargo test`.
//!
//! The only dependency is `similar`, for the diff algorithm: arguments are parsed by hand and
//! colours are plain ANSI codes, so that `cargo xtask` builds in seconds on a fresh machine.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub mod check;
pub mod cli;
pub mod demo;
pub mod diff;
pub mod readme;
pub mod steps;

/// Everything that can stop a command, split by whose fault it is, because the exit code says
/// so: scripts and CI tell "you typed it wrong" (2) from "the workshop is broken" (1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The command line asks for something that does not exist; the message names what does.
    Usage(String),
    /// The command was fine but the work failed (a missing `src/`, a failing demo, …).
    Failed(String),
}

impl Error {
    /// The process exit code for this error: 2 for usage errors, 1 for failures.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Failed(_) => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) | Error::Failed(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// The workspace root: the parent of this crate's directory. Taken from the build, not from the
/// current directory, so `cargo xtask` works from anywhere inside the workspace.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.join(".."), Path::to_path_buf)
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
