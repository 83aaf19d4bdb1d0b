//! `cargo xtask progress [--json]`: for each step, whether its exercise copy exists and how many
//! of its exercises are done. Read from the copies themselves (a body still `todo!()`) and from
//! what the last `verify` said of each body: nothing is built or run, so it answers at once.
//! With `--json`, per step and exercise: its state, the hints read, the test that failed, for
//! an instructor who collects a room's progress.

use std::process::ExitCode;

use lexopt::prelude::*;

use serde_json::{Value, json};

use crate::exercise::state::{self, State, Status};
use crate::exercise::{copy, meta};
use crate::steps::Step;
use crate::{Error, Workspace, help, print_out, unexpected};

/// `cargo xtask progress --help`.
pub const HELP: &str = "\
usage: cargo xtask progress [--json]
for each step: is there an exercise copy, and how many of its exercises are done (as the last
`cargo xtask verify N` found them; a body changed since then counts as not verified); with
--json, each exercise's state, hints read and failing test, as JSON
";

/// Prints one line per step.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let mut as_json = false;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return help(HELP),
            Long("json") => as_json = true,
            other => return Err(unexpected("progress", other, "progress takes only --json")),
        }
    }
    if as_json {
        let text =
            serde_json::to_string_pretty(&json(ws)).map_err(|e| Error::Failed(e.to_string()))?;
        print_out(&format!("{text}\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = ws.steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for step in &ws.steps {
        out.push_str(&format!(
            "{:>2}  {:<width$}  {}\n",
            step.number,
            step.name,
            line(ws, step)
        ));
    }
    print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// What one step's line says after its name.
fn line(ws: &Workspace, step: &Step) -> String {
    let exercises = match meta::exercises(step) {
        Ok(exercises) if exercises.is_empty() => return "no exercises".into(),
        Ok(exercises) => exercises,
        Err(error) => return format!("cannot read its exercises: {error}"),
    };
    let dir = copy::dir(&ws.root, step);
    if !dir.join("Cargo.toml").is_file() {
        return format!(
            "not started ({} exercises): cargo xtask exercise {}",
            exercises.len(),
            step.number
        );
    }
    let state = State::load(&dir);
    let statuses: Vec<Status> = state::written(&dir, step, &exercises)
        .iter()
        .map(|w| w.status(&state))
        .collect();
    summary(&statuses)
}

/// Every step's progress as JSON: see the root README's "Doing the workshop" for an example.
pub fn json(ws: &Workspace) -> Value {
    let steps: Vec<Value> = ws.steps.iter().map(|step| step_json(ws, step)).collect();
    json!({ "steps": steps })
}

/// One step's progress as JSON.
fn step_json(ws: &Workspace, step: &Step) -> Value {
    let exercises = meta::exercises(step).unwrap_or_default();
    let dir = copy::dir(&ws.root, step);
    let started = dir.join("Cargo.toml").is_file();
    let state = State::load(&dir);
    let written = state::written(&dir, step, &exercises);
    let each: Vec<Value> = written
        .iter()
        .map(|w| {
            let entry = state
                .entries
                .get(&w.exercise.name)
                .cloned()
                .unwrap_or_default();
            let status = w.status(&state);
            let failing = match status {
                Status::Failing => entry.failing.clone(),
                _ => None,
            };
            json!({
                "name": w.exercise.name,
                "state": if started { name(&status) } else { "not started" },
                "hints_read": if started { entry.hints.max(1) } else { 0 },
                "hints": w.exercise.hints.len(),
                "failing": failing,
            })
        })
        .collect();
    let done = written
        .iter()
        .filter(|w| started && w.status(&state) == Status::Done);
    json!({
        "step": step.number,
        "name": step.name,
        "started": started,
        "done": done.count(),
        "exercises": each,
    })
}

/// A status as the JSON says it.
fn name(status: &Status) -> &'static str {
    match status {
        Status::Todo => "todo",
        Status::Done => "done",
        Status::Failing => "failing",
        Status::Unverified => "not verified",
        Status::Missing(_) => "missing",
    }
}

/// `2 of 3 done (1 todo)`, and the other kinds when there are some.
pub fn summary(statuses: &[Status]) -> String {
    let count = |wanted: fn(&Status) -> bool| statuses.iter().filter(|s| wanted(s)).count();
    let done = count(|s| *s == Status::Done);
    let mut parts = Vec::new();
    for (n, what) in [
        (count(|s| *s == Status::Todo), "todo"),
        (count(|s| *s == Status::Failing), "failing"),
        (count(|s| *s == Status::Unverified), "not verified"),
        (count(|s| matches!(s, Status::Missing(_))), "missing"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    let total = statuses.len();
    match parts.is_empty() {
        true => format!("{done} of {total} done: finished"),
        false => format!("{done} of {total} done ({})", parts.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_counts_each_kind() {
        use Status::*;
        assert_eq!(summary(&[Done, Done]), "2 of 2 done: finished");
        assert_eq!(
            summary(&[Done, Todo, Unverified, Failing, Missing("x".into())]),
            "1 of 5 done (1 todo, 1 failing, 1 not verified, 1 missing)"
        );
    }
}
