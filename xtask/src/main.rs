//! `cargo xtask`: list the steps, diff two of them, run their demos, tour them, draw what their
//! loops do, turn them into exercises, check them.
//!
//! This file only dispatches: the first word picks a subcommand from [`COMMANDS`], whose module
//! parses the rest. Any error becomes one `error: …` line on stderr, at most 100 columns, and
//! exit code 2 (you typed it wrong) or 1 (the workshop is broken).

use std::process::ExitCode;

use xtask::{Error, Main, WIDTH, Workspace, bench, check, demo, diff, exercise, help, hint};
use xtask::{list, prepare, progress, steps, tour, trace, verify, watch};

/// Every subcommand: its name, what it does in a few words, its module's entry point.
const COMMANDS: &[(&str, &str, Main)] = &[
    ("list", "steps, talk sections, ideas, demos", list::main),
    ("diff", "what step B changes: diff A B", diff::main),
    ("demo", "a step's demos: demo N [NAME]", demo::main),
    ("tour", "every headline demo, in order", tour::main),
    ("trace", "a picture of what the loop did", trace::main),
    ("exercise", "write a step again: exercise N", exercise::main),
    ("verify", "check your exercises: verify N", verify::main),
    ("watch", "verify at each save: watch N", watch::main),
    ("hint", "the next hint: hint N [EXERCISE]", hint::main),
    ("progress", "your exercises, step by step", progress::main),
    ("prepare", "build all, then work offline", prepare::main),
    ("check", "what CI checks beyond tests", check::main),
    ("bench", "speed vs tokio, smol, asyncio", bench::main),
];

fn main() -> ExitCode {
    match run(lexopt::Parser::from_env()) {
        Ok(code) => code,
        Err(Error::Said(code)) => ExitCode::from(code), // the demo's own line said why
        Err(error) => {
            eprintln!("{}", one_line(&format!("error: {error}")));
            ExitCode::from(error.exit_code())
        }
    }
}

fn run(mut parser: lexopt::Parser) -> Result<ExitCode, Error> {
    use lexopt::prelude::*;
    let name = match parser.next()? {
        Some(Value(name)) if name != "help" => name.string()?,
        None | Some(Value(_) | Short('h') | Long("help")) => return help(&usage()),
        Some(other) => return Err(xtask::unexpected("xtask", other, "see --help")),
    };
    let Some((_, _, command)) = COMMANDS.iter().find(|(known, _, _)| *known == name) else {
        let count = COMMANDS.len();
        return Err(Error::Usage(format!(
            "unknown command '{name}': `cargo xtask --help` lists the {count} commands"
        )));
    };
    let root = xtask::workspace_root();
    let steps = steps::discover(&root)?;
    let target = xtask::demo::target_dir(&root);
    command(
        &mut parser,
        &Workspace {
            root,
            steps,
            target,
        },
    )
}

/// `cargo xtask --help`: one line per subcommand, from [`COMMANDS`].
fn usage() -> String {
    let lines: String = COMMANDS
        .iter()
        .map(|(name, what, _)| format!("  {name:<8} {what}\n"))
        .collect();
    format!(
        "cargo xtask: drive the workshop without remembering crate names\n\n\
         usage: cargo xtask COMMAND [--help]\n{lines}\n\
         A step is written 3, 03, step03 or by its crate name (step03-round-robin).\n"
    )
}

/// The message on one line of at most [`WIDTH`] columns, whatever the user typed into it.
fn one_line(message: &str) -> String {
    let flat = message.replace(['\n', '\r'], " ");
    match flat.chars().count() > WIDTH {
        true => flat.chars().take(WIDTH - 1).collect::<String>() + "…",
        false => flat,
    }
}
