//! `cargo xtask list`: every step with its talk section, its idea and its demos, read from the
//! steps' own `Cargo.toml`, so that the list cannot drift from the steps.

use std::process::ExitCode;

use lexopt::prelude::*;

use crate::steps::Step;
use crate::{Error, Workspace, help, print_out, unexpected};

/// `cargo xtask list --help`.
pub const HELP: &str = "usage: cargo xtask list     steps, talk sections, ideas and demos\n";

/// Prints the list.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    if let Some(arg) = parser.next()? {
        return match arg {
            Short('h') | Long("help") => help(HELP),
            other => Err(unexpected("list", other, "list takes no arguments")),
        };
    }
    print_out(&list(&ws.steps))?;
    Ok(ExitCode::SUCCESS)
}

/// The text of `cargo xtask list`: a paragraph per step.
pub fn list(steps: &[Step]) -> String {
    let width = steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let paragraphs: Vec<String> = steps
        .iter()
        .map(|step| {
            let (section, idea) = (step.meta("section"), step.meta("idea"));
            format!(
                "{:>2}  {:<width$}  {}\n    idea:  {}\n    demos: {}\n",
                step.number,
                step.name,
                section.unwrap_or("(no section in its Cargo.toml)"),
                idea.unwrap_or("?"),
                demos(step),
            )
        })
        .collect();
    paragraphs.join("\n")
}

/// `talk03 (talk), two_tasks (headline), add_task, gather`.
fn demos(step: &Step) -> String {
    let marked: Vec<String> = step
        .demos()
        .into_iter()
        .map(|demo| match step.role(&demo) {
            Some(role) => format!("{demo} ({role})"),
            None => demo,
        })
        .collect();
    if marked.is_empty() {
        "(none)".to_owned()
    } else {
        marked.join(", ")
    }
}
