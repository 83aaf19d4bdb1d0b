//! `cargo xtask prepare`: before the workshop, while the network works. Fetches every crate the
//! workshop uses and builds every step, demo and test, and a fresh exercise copy of every step,
//! once: after it, the tour, the demos, the tests and the exercises need no network (conference
//! Wi-Fi fails; CI proves this by running the rest of its checks offline after it).

use std::process::{Command, ExitCode};
use std::time::Instant;

use lexopt::prelude::*;

use crate::exercise::{guarantees, meta};
use crate::{Error, WIDTH, Workspace, help, print_out, unexpected};

/// `cargo xtask prepare --help`.
pub const HELP: &str = "\
usage: cargo xtask prepare
Before the workshop, with the network: fetches every crate, builds every step, demo and test,
and every step's exercise copy once, then says when this machine can work offline.
";

/// Fetches, builds, and says whether the machine is ready to work offline.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    if let Some(arg) = parser.next()? {
        return match arg {
            Short('h') | Long("help") => help(HELP),
            other => Err(unexpected(
                "prepare",
                other,
                "see `cargo xtask prepare --help`",
            )),
        };
    }
    let started = Instant::now();
    for (what, args) in STAGES {
        cargo(ws, what, args)?;
    }
    let target = crate::verify::target_dir(ws);
    for step in &ws.steps {
        let exercises = meta::exercises(step)?;
        let dir = guarantees::copies(ws).join(&step.name);
        print_out(&format!("== building {}'s exercise copy\n", step.name))?;
        let built = guarantees::fresh_copy(ws, step, &exercises, &dir, &target);
        built.map_err(|why| Error::Failed(format!("prepare: {why}")))?;
    }
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    print_out(&format!(
        "ready in {minutes:.1} min: the tour, the demos, the tests and the exercises now work \
         offline\n(to be sure: CARGO_NET_OFFLINE=true cargo xtask tour)\n"
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// What `prepare` runs before it builds the exercise copies: what for, and cargo's arguments.
pub const STAGES: [(&str, &[&str]); 4] = [
    ("fetching every crate of the workshop", &["fetch"]),
    (
        "fetching tokio and smol, for cargo xtask bench",
        &["fetch", "--manifest-path", "bench/peers/Cargo.toml"],
    ),
    (
        "building every step, demo and test",
        &["build", "--workspace", "--all-targets"],
    ),
    (
        "building the tests as cargo test runs them",
        &["test", "--workspace", "--no-run"],
    ),
];

/// The line that says what a stage is for and what it runs: one line if it fits [`WIDTH`]
/// columns, else the command on a line of its own.
pub fn announce(what: &str, args: &[&str]) -> String {
    let line = format!("== {what}: cargo {}", args.join(" "));
    match line.chars().count() <= WIDTH {
        true => format!("{line}\n"),
        false => format!("== {what}:\n   cargo {}\n", args.join(" ")),
    }
}

/// Runs `cargo ARGS` from the workspace root, saying first what it is for; its own progress
/// shows as it goes.
fn cargo(ws: &Workspace, what: &str, args: &[&str]) -> Result<(), Error> {
    print_out(&announce(what, args))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(args)
        .current_dir(&ws.root)
        .status()
        .map_err(|e| Error::Failed(format!("cannot run cargo: {e}")))?;
    match status.success() {
        true => Ok(()),
        false => Err(Error::Failed(format!(
            "prepare: `cargo {}` failed ({status}): is the network up?",
            args.join(" ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `prepare` printed a line of 101 columns: the fetch of the benchmark's peers.
    #[test]
    fn every_line_prepare_prints_fits_the_projector() {
        for (what, args) in STAGES {
            let text = announce(what, args);
            assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        }
        let long = "a".repeat(WIDTH);
        assert_eq!(
            announce(&long, &["fetch"]),
            format!("== {long}:\n   cargo fetch\n")
        );
    }
}
