//! `cargo xtask tour`: every step's headline demo in order, straight through. The instructor's
//! dry run, and the first command a participant types on a fresh clone, so it must never look
//! stuck: each header prints at once, and a slow build says that it is building.

use std::io::IsTerminal;
use std::process::{Command, ExitCode, Stdio};

use lexopt::prelude::*;

use crate::child::{self, Supervise};
use crate::demo::{self, AUTO};
use crate::steps::{self, Step};
use crate::{Error, WIDTH, Workspace, help, print_out, unexpected};

/// `cargo xtask tour --help`.
pub const HELP: &str = "\
usage: cargo xtask tour [--from N] [--to M]
every step's headline demo in order, with --auto and stdin closed (nothing waits for Enter)
";

/// Runs the tour. A failing demo does not stop it; the tour fails at the end.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let (mut from, mut to) = (0, u32::MAX);
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return help(HELP),
            Long("from") => from = steps::find(&ws.steps, &parser.value()?.string()?)?.number,
            Long("to") => to = steps::find(&ws.steps, &parser.value()?.string()?)?.number,
            other => {
                return Err(unexpected(
                    "tour",
                    other,
                    "valid options are --from N, --to M",
                ));
            }
        }
    }
    if from > to {
        let message = format!("the tour cannot go backwards: --from {from} is after --to {to}");
        return Err(Error::Usage(message));
    }
    let mut failed = Vec::new();
    for (i, step) in ws
        .steps
        .iter()
        .filter(|s| (from..=to).contains(&s.number))
        .enumerate()
    {
        let bold = std::io::stdout().is_terminal();
        let header = header(step);
        let header = if bold {
            format!("\x1b[1m{header}\x1b[0m")
        } else {
            header
        };
        print_out(&format!("{}{header}\n", if i > 0 { "\n" } else { "" }))?;
        if let Err(why) = headline(ws, step) {
            print_out(&format!("   failed: {why}\n"))?;
            failed.push(step.number.to_string());
        }
    }
    match failed.is_empty() {
        true => Ok(ExitCode::SUCCESS),
        false => Err(Error::Failed(format!(
            "the tour failed at step {}",
            failed.join(", ")
        ))),
    }
}

/// Builds and runs a step's headline demo as the tour does.
fn headline(ws: &Workspace, step: &Step) -> Result<(), Error> {
    let Some(name) = step.meta("headline") else {
        return Err(Error::Failed(format!(
            "{}/Cargo.toml names no headline demo",
            step.name
        )));
    };
    demo::build(&ws.root, step, &["--example", name])?;
    let status = Command::new(demo::binary(ws, name))
        .arg(AUTO)
        .current_dir(&ws.root)
        .stdin(Stdio::null())
        .supervised()
        .map_err(|e| Error::Failed(format!("cannot start {name}: {e}")))?;
    // Ctrl-C stopped this demo: the tour stops too, rather than go on to the next step.
    child::stop_if_interrupted();
    match status.success() {
        true => Ok(()),
        false => Err(Error::Failed(format!("{name}: {status}"))),
    }
}

/// The two header lines of a step in the tour: `== step 03 · §4.1–4.11 Boucle d'or et les trois
/// tâches · demo talk03`, then `   idea: …`. Two lines, so that neither the section title nor the
/// idea is cut to fit a projector's [`WIDTH`] columns (only a title too long on its own is).
pub fn header(step: &Step) -> String {
    let section = step.meta("section").unwrap_or("?");
    let demo = step.meta("headline").unwrap_or("?");
    let title = format!("== step {:02} · {section} · demo {demo}", step.number);
    let idea = format!("   idea: {}", step.meta("idea").unwrap_or("?"));
    format!("{}\n{}", shorten(&title, WIDTH), shorten(&idea, WIDTH))
}

/// `text`, cut and ended with `…` if it is longer than `max` characters.
fn shorten(text: &str, max: usize) -> String {
    match text.chars().count() > max {
        true => text.chars().take(max - 1).collect::<String>() + "…",
        false => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_keeps_the_whole_section_and_idea() {
        let meta = [
            ("section", "§4.12–4.17 utilitaires réseau"),
            (
                "idea",
                "a socket that is not ready yields to the loop and retries later",
            ),
            ("headline", "reverse_echo"),
        ];
        let step = Step {
            number: 4,
            name: "step04-sockets".into(),
            dir: "step04-sockets".into(),
            package: Default::default(),
            workshop: meta.map(|(k, v)| (k.to_owned(), v.to_owned())).into(),
        };
        assert_eq!(
            header(&step),
            "== step 04 · §4.12–4.17 utilitaires réseau · demo reverse_echo\n   \
             idea: a socket that is not ready yields to the loop and retries later"
        );
    }
}
