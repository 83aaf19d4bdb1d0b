//! `cargo xtask hint [N] [EXERCISE]`: the next hint, one at a time, for the first exercise of
//! step N that is not done (or the one named); inside a copy, N is the copy's step. The copy's
//! state file counts the hints seen.

use std::process::ExitCode;

use lexopt::prelude::*;

use crate::exercise;
use crate::exercise::here::Here;
use crate::exercise::state::{self, State, Status};
use crate::verify::{existing_copy, wrap};
use crate::{Error, Workspace, help, print_out, unexpected};

/// `cargo xtask hint --help`.
pub const HELP: &str = "\
usage: cargo xtask hint [N] [EXERCISE]
the next hint for the first exercise of step N that is not done yet (or for EXERCISE); inside a
copy, N is that copy's step
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
    print_out(&next(ws, &Here::now(&ws.root), &words)?)?;
    Ok(ExitCode::SUCCESS)
}

/// The next hint for `words` (`[N] [EXERCISE]`) as seen from `here`, remembered as given.
pub fn next(ws: &Workspace, here: &Here, words: &[String]) -> Result<String, Error> {
    let usage = "hint needs a step: `cargo xtask hint 3` (inside a copy, the copy's)";
    let (step, words) = here.step_and_words(&ws.steps, words, usage)?;
    let exercises = exercise::listed(step)?;
    let named = match words {
        [name] => Some(exercise::named(step, &exercises, name)?.clone()),
        [] => None,
        [_, extra, ..] => {
            return Err(Error::Usage(format!(
                "unexpected '{extra}' for hint: hint takes a step and an exercise"
            )));
        }
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
                    return Ok(wrap(
                        &format!(
                            "every exercise of step {0} passed its last verify: nothing to \
                             hint. (cargo xtask verify {0} checks again)",
                            step.number
                        ),
                        "",
                    ));
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
    let yours = dir.join(&step.name).join(&chosen.file);
    let title = format!(
        "`{}` ({} in {}), hint {at} of {total}:",
        chosen.name,
        chosen.item,
        here.show(&yours)
    );
    let mut out = wrap(&title, "");
    out.push_str(&wrap(&chosen.hints[at - 1], "  "));
    if at == total {
        // The reference by a path that cannot be taken for the copy's own file, and the
        // command on a line of its own, never split.
        let stuck = format!(
            "That was the last hint. Stuck? The reference is the workshop's own step, outside \
             your copy: {}. This shows its body beside yours:",
            here.show(&step.dir.join(&chosen.file))
        );
        out.push_str(&wrap(&stuck, ""));
        out.push_str(&format!(
            "  cargo xtask exercise {} --compare {} --force\n",
            step.number, chosen.name
        ));
    }
    Ok(out)
}
