//! `cargo xtask exercise N`: a copy of step N to write again, in `workshop/stepNN-…/`, where the
//! body of each function that carries the step's idea is a `todo!()` with a first hint.
//!
//! The exercises are named in the step's `exercises.toml` ([`meta`]), never marked in its code:
//! the reference steps stay the one source, and the diffs and the projector never show them.
//! [`locate`] finds a body in a file, [`copy`] writes the copy, [`state`] says where a
//! participant is, [`revise`] resets a body or compares it with the reference, and
//! [`guarantees`] is what CI checks: each exercise compiles as a `todo!()`, and its tests fail
//! without its body.

pub mod copy;
pub mod guarantees;
pub mod here;
pub mod locate;
pub mod meta;
pub mod revise;
pub mod state;

use std::fs;
use std::process::ExitCode;

use lexopt::prelude::*;

use crate::steps::{self, Step};
use crate::{Error, Workspace, help, print_out, unexpected, with_list};
use here::Here;
use meta::Exercise;

/// `cargo xtask exercise --help`.
pub const HELP: &str = "\
usage: cargo xtask exercise N                     make workshop/stepNN-…, its exercises todo!()
       cargo xtask exercise N --reset [NAME]      a fresh todo!() again (yours is kept aside)
       cargo xtask exercise N --compare [NAME]    your bodies beside the reference's, once done
                                                  (--force: before they pass)
inside a copy, --reset and --compare take the copy's step when N is left out
then: cargo xtask verify N, cargo xtask watch N, cargo xtask hint N, cargo xtask progress
";

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Create,
    Reset,
    Compare { force: bool },
}

/// Makes, resets or compares a step's exercise copy.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let (mut words, mut action, mut force) = (Vec::new(), Action::Create, false);
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return help(HELP),
            Long("reset") if action == Action::Create => action = Action::Reset,
            Long("compare") if action == Action::Create => action = Action::Compare { force },
            Long("force") => force = true,
            Value(word) if words.len() < 2 => words.push(word.string()?),
            other => {
                return Err(unexpected(
                    "exercise",
                    other,
                    "see `cargo xtask exercise --help`",
                ));
            }
        }
    }
    if let Action::Compare { .. } = action {
        action = Action::Compare { force };
    } else if force {
        return Err(Error::Usage("--force goes with --compare only".into()));
    }
    let here = Here::now(&ws.root);
    let usage = "exercise needs a step: `cargo xtask exercise 3`";
    let (step, words) = match action {
        Action::Create => match words.first() {
            Some(first) => (steps::find(&ws.steps, first)?, &words[1..]),
            None => return Err(Error::Usage(usage.into())),
        },
        _ => here.step_and_words(&ws.steps, &words, usage)?,
    };
    let exercises = listed(step)?;
    let chosen = match words {
        [] => exercises.clone(),
        [_, ..] if action == Action::Create => {
            return Err(Error::Usage(
                "a name goes with --reset or --compare: the copy holds every exercise".into(),
            ));
        }
        [name] => vec![named(step, &exercises, name)?.clone()],
        [_, extra, ..] => {
            return Err(Error::Usage(format!(
                "unexpected '{extra}' for exercise: see `cargo xtask exercise --help`"
            )));
        }
    };
    match action {
        Action::Create => create(ws, &here, step, &exercises),
        Action::Reset => revise::reset(ws, &here, step, &exercises, &chosen),
        Action::Compare { force } => revise::compare(ws, &here, step, &chosen, force),
    }
}

/// The exercises of `step`; none is an error that names the manifest.
pub fn listed(step: &Step) -> Result<Vec<Exercise>, Error> {
    let exercises = meta::exercises(step)?;
    match exercises.is_empty() {
        true => Err(Error::Failed(format!(
            "step {} has no exercises ({}/{} names none)",
            step.number,
            step.name,
            meta::FILE
        ))),
        false => Ok(exercises),
    }
}

/// The exercise called `name`, or a usage error listing those of the step.
pub fn named<'a>(
    step: &Step,
    exercises: &'a [Exercise],
    name: &str,
) -> Result<&'a Exercise, Error> {
    let names: Vec<String> = exercises.iter().map(|e| e.name.clone()).collect();
    exercises.iter().find(|e| e.name == name).ok_or_else(|| {
        let message = format!(
            "step {} has no exercise '{name}': valid ones are ",
            step.number
        );
        Error::Usage(with_list(message, &names))
    })
}

/// An exercise in the list `exercise N` prints: its name, its item and its file, in `width`
/// columns of names. A line that wraps goes on under the item, not under the names, where it
/// would read as another exercise.
fn listed_line(exercise: &Exercise, width: usize, file: &str) -> String {
    let first = format!("  {:<width$}  ", exercise.name);
    let rest = " ".repeat(first.len());
    let line = format!("{} in {file}", exercise.item);
    crate::verify::text::wrap_hanging(&line, &first, &rest)
}

/// Writes the copy, unless one is there: a participant's work is never overwritten.
fn create(
    ws: &Workspace,
    here: &Here,
    step: &Step,
    exercises: &[Exercise],
) -> Result<ExitCode, Error> {
    let dir = copy::dir(&ws.root, step);
    let n = step.number;
    if dir.exists() {
        return Err(Error::Failed(format!(
            "{} exists already: `cargo xtask exercise {n} --reset` starts over",
            copy::label(step)
        )));
    }
    // Written aside, then moved in place: a failure leaves no half copy behind.
    let partial = dir.with_file_name(format!(".{}.partial", step.name));
    let _ = fs::remove_dir_all(&partial);
    let made = copy::create(&ws.root, step, exercises, &partial)
        .and_then(|()| fs::rename(&partial, &dir).map_err(|e| Error::Failed(format!("{e}"))));
    if let Err(error) = made {
        let _ = fs::remove_dir_all(&partial);
        return Err(error);
    }
    let width = exercises.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let shown = here.show_copy(step);
    let mut out = format!(
        "made {shown}, a Cargo workspace of its own (the step and `shared`)\n\
         write again the body of each function below; each is a todo!() with a first hint:\n",
    );
    for exercise in exercises {
        let file = here.show(&dir.join(&step.name).join(&exercise.file));
        out.push_str(&listed_line(exercise, width, &file));
    }
    let open = format!(
        "Open {shown} in your editor: it is a Cargo workspace, so rust-analyzer works there. \
         Its warnings about unused variables are expected until the bodies are written (verify \
         shows only those about your code). Inside \
         it, `cargo xtask verify`, `watch` and `hint` need no step number."
    );
    out.push_str(&crate::verify::wrap(&open, ""));
    out.push_str(&format!(
        "then: cargo xtask verify {n}   (and: cargo xtask watch {n}, hint {n}, progress)\n"
    ));
    print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_exercise_goes_on_under_its_item() {
        let exercise = Exercise {
            name: "wake".into(),
            file: "src/waker.rs".into(),
            item: "impl Wake for TaskWaker: wake_by_ref".into(),
            hints: vec!["Queue it.".into()],
            tests: Vec::new(),
        };
        let file = "workshop/step05-futures-timers/step05-futures-timers/src/waker.rs";
        let text = listed_line(&exercise, 6, file);
        assert_eq!(
            text,
            "  wake    impl Wake for TaskWaker: wake_by_ref in\n          \
             workshop/step05-futures-timers/step05-futures-timers/src/waker.rs\n"
        );
    }
}
