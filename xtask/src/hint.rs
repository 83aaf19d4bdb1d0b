//! `cargo xtask hint N [EXERCISE]`: the next hint, one at a time, for the first exercise of
//! step N that is not done (or the one named). The copy's state file counts the hints seen.

use std::process::ExitCode;

use lexopt::prelude::*;

use crate::exercise;
use crate::exercise::state::{self, State, Status};
use crate::steps;
use crate::verify::{existing_copy, wrap};
use crate::{Error, Workspace, help, print_out, unexpected};

/// `cargo xtask hint --help`.
pub const HELP: &str = "\
usage: cargo xtask hint N [EXERCISE]
the next hint for the first exercise of step N that is not done yet (or for EXERCISE)
";

/// Prints the next hint, and remembers that it was given.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let mut words = Vec::new();
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return help(HELP),
            Value(word) if words.len() < 2 => words.push(word.string()?),
            other => {
                return Err(unexpected(
                    "hint",
                    other,
                    "hint takes a step and an exercise",
                ));
            }
        }
    }
    let Some(step) = words.first() else {
        return Err(Error::Usage(
            "hint needs a step: `cargo xtask hint 3`".into(),
        ));
    };
    let step = steps::find(&ws.steps, step)?;
    let exercises = exercise::listed(step)?;
    let named = match words.get(1) {
        Some(name) => Some(exercise::named(step, &exercises, name)?.clone()),
        None => None,
    };
    let dir = existing_copy(&ws.root, step)?;
    let mut state = State::load(&dir);
    let chosen = match named {
        Some(named) => named,
        None => {
            let written = state::written(&dir, step, &exercises);
            let first = written
                .into_iter()
                .find(|w| w.status(&state) != Status::Done);
            match first {
                Some(written) => written.exercise,
                None => {
                    print_out(&format!(
                        "every exercise of step {0} passed its last verify: nothing to hint. \
                         (cargo xtask verify {0} checks again)\n",
                        step.number
                    ))?;
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
    };
    let entry = state.entry(&chosen.name);
    let total = chosen.hints.len();
    // The todo!() showed the first hint: the next one is the second.
    let at = (entry.hints.max(1) + 1).min(total);
    entry.hints = at;
    state.save(&dir)?;
    let mut out = format!(
        "`{}` ({} in {}/{}), hint {at} of {total}:\n",
        chosen.name, chosen.item, step.name, chosen.file
    );
    out.push_str(&wrap(&chosen.hints[at - 1], "  "));
    if at == total {
        let stuck = format!(
            "That was the last hint. Stuck? The reference is in {}/{}, and `cargo xtask exercise \
             {} --compare {} --force` shows its body beside yours.",
            step.name, chosen.file, step.number, chosen.name
        );
        out.push_str(&wrap(&stuck, ""));
    }
    print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}
