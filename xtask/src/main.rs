//! `cargo xtask`: list the steps, diff two of them, run their demos, tour them, check them.
//!
//! This file only dispatches: [`xtask::cli`] parses, the other modules of the `xtask` library do
//! the work. Errors become one `error: …` line on stderr and exit code 2 (usage) or 1 (failure).

use std::io::IsTerminal;
use std::process::ExitCode;

use xtask::cli::{self, Command};
use xtask::diff::{self, Options};
use xtask::{Error, check, demo, print_out, steps};

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

fn run() -> Result<ExitCode, Error> {
    let args = std::env::args_os()
        .skip(1)
        .map(|arg| {
            arg.into_string()
                .map_err(|arg| Error::Usage(format!("arguments must be valid UTF-8, got {arg:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let command = cli::parse(&args)?;
    let root = xtask::workspace_root();
    let steps = steps::discover(&root)?;
    match command {
        Command::Help => print_out(cli::USAGE)?,
        Command::List => print_out(&steps::list(&steps))?,
        Command::Diff(args) => {
            let old = steps::find(&steps, &args.old)?;
            let new = steps::find(&steps, &args.new)?;
            if old.name == new.name {
                return Err(Error::Usage(format!(
                    "nothing to diff: both sides are {}; pick two different steps among {}",
                    old.label(),
                    steps::valid_numbers(&steps)
                )));
            }
            let options = Options {
                context: args.context,
                file: args.file,
            };
            let found = diff::steps(old, new, args.readme, &options)?;
            let color = args.color.enabled(std::io::stdout().is_terminal());
            if args.stat {
                print_out(&found.stat(color))?;
            } else {
                print_out(&found.unified(color))?;
            }
        }
        Command::Demo { step, name, args } => {
            let step = steps::find(&steps, &step)?;
            match name {
                None => print_out(&demo::listing(step))?,
                Some(name) => {
                    let name = demo::find(step, &name)?;
                    return demo::run_interactive(&root, step, &name, &args);
                }
            }
        }
        Command::Tour { from, to } => {
            let from = match from {
                Some(spec) => steps::find(&steps, &spec)?.number,
                None => 0,
            };
            let to = match to {
                Some(spec) => steps::find(&steps, &spec)?.number,
                None => u32::MAX,
            };
            if from > to {
                return Err(Error::Usage(format!(
                    "the tour cannot go backwards: --from {from} is after --to {to}"
                )));
            }
            let chosen: Vec<_> = steps
                .into_iter()
                .filter(|step| (from..=to).contains(&step.number))
                .collect();
            demo::tour(&root, &chosen)?;
        }
        Command::Check { timeout } => check::run(&root, &steps, timeout)?,
    }
    Ok(ExitCode::SUCCESS)
}
