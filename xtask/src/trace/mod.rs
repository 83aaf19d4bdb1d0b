//! `cargo xtask trace N DEMO [-- ARGS]`: runs a demo with the loop's recorder on, and draws what
//! the loop decided: `target/trace/<step>-<demo>.html` (a timeline, one row per task), `.json`
//! (the same events for Perfetto's UI) and a summary on the terminal.

pub mod chrome;
pub mod html;
pub mod model;

use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use lexopt::prelude::*;

use crate::child::Supervise;
use crate::steps::{self, Step};
use crate::{Error, Workspace, demo, help, unexpected};

use model::{By, Run};

/// `cargo xtask trace --help`.
pub const HELP: &str = "\
usage: cargo xtask trace N DEMO [-- ARGS]
Runs demo DEMO of step N (03 to 06: the steps with a loop) with the loop's recorder on, and
writes target/trace/stepNN-DEMO.html (a timeline: open it in a browser) and .json (drag it
into https://ui.perfetto.dev), then prints a summary: polls, wakes, timers, waits.
";

/// The first step with a loop to trace.
const FIRST_STEP: u32 = 3;

/// Runs the demo with the recorder on, then writes the picture, the JSON and the summary.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let mut words = Vec::new();
    while words.len() < 2 {
        match parser.next()? {
            Some(Short('h') | Long("help")) => return help(HELP),
            Some(Value(word)) => words.push(word.string()?),
            Some(other) => {
                return Err(unexpected("trace", other, "see `cargo xtask trace --help`"));
            }
            None => break,
        }
    }
    let [step, name] = words.as_slice() else {
        return Err(Error::Usage(
            "trace needs a step and a demo: `cargo xtask trace 5 talk`".into(),
        ));
    };
    let step = steps::find(&ws.steps, step)?;
    if step.number < FIRST_STEP {
        let message = format!(
            "step {} has no loop to trace: steps 03 to 06 do",
            step.number
        );
        return Err(Error::Usage(message));
    }
    let mut args: Vec<OsString> = parser.raw_args()?.collect();
    if args.first().is_some_and(|arg| arg == "--") {
        args.remove(0);
    }
    let name = demo::find(step, name)?;
    let dir = ws.root.join("target").join("trace");
    fs::create_dir_all(&dir)
        .map_err(|e| Error::Failed(format!("cannot create {}: {e}", dir.display())))?;
    let stem = format!("step{:02}-{name}", step.number);
    let events = dir.join(format!("{stem}.events"));
    record(ws, step, &name, &args, &events)?;
    let text = fs::read_to_string(&events)
        .map_err(|e| Error::Failed(format!("no events from {name}: {e}")))?;
    let run =
        Run::parse(&text).map_err(|why| Error::Failed(format!("{}: {why}", events.display())))?;
    let title = format!("step{:02} {name}: what the loop did", step.number);
    let page = dir.join(format!("{stem}.html"));
    let json = dir.join(format!("{stem}.json"));
    write(&page, &html::page(&title, &run))?;
    write(&json, &chrome::json(&title, &run))?;
    println!("{}", summary(&run));
    println!(
        "wrote {}",
        page.strip_prefix(&ws.root).unwrap_or(&page).display()
    );
    println!(
        "  and {}",
        json.strip_prefix(&ws.root).unwrap_or(&json).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Builds and runs the demo with `--auto` and the recorder writing to `events`; its output
/// goes to the terminal as usual.
fn record(
    ws: &Workspace,
    step: &Step,
    name: &str,
    args: &[OsString],
    events: &Path,
) -> Result<(), Error> {
    demo::build(&ws.root, step, &["--example", name])?;
    let status = Command::new(demo::binary(&ws.root, name))
        .arg(demo::AUTO)
        .args(args)
        .env("WORKSHOP_TRACE", events)
        .stdin(Stdio::null())
        .current_dir(&ws.root)
        .supervised()
        .map_err(|e| Error::Failed(format!("cannot start {name}: {e}")))?;
    match status.success() {
        true => Ok(()),
        false => Err(Error::Failed(format!(
            "{name} failed ({status}): no trace written"
        ))),
    }
}

/// Writes `text` to `path`.
fn write(path: &Path, text: &str) -> Result<(), Error> {
    fs::write(path, text)
        .map_err(|e| Error::Failed(format!("cannot write {}: {e}", path.display())))
}

/// One line: how long, how many tasks, polls, turns, wakes, timers, and time in the kernel.
pub fn summary_line(run: &Run) -> String {
    let polls: u64 = run.tasks.iter().map(|task| task.polls()).sum();
    format!(
        "{:.1} ms, {} tasks, {polls} polls in {} turns, {} wakes, {} timers, {:.1} ms in the kernel",
        run.end() as f64 / 1e6,
        run.tasks.len(),
        run.turns,
        run.wakes.len(),
        run.timers.len(),
        run.waited() as f64 / 1e6,
    )
}

/// The summary printed at the end, in lines that fit 100 columns: the run, polls per task,
/// wakes by cause, the waits.
pub fn summary(run: &Run) -> String {
    let polls: u64 = run.tasks.iter().map(|task| task.polls()).sum();
    let mut out = format!(
        "trace: {:.1} ms, {} tasks, {polls} polls in {} turns\n",
        run.end() as f64 / 1e6,
        run.tasks.len(),
        run.turns
    );
    let shown = run.tasks.len().min(6);
    let per_task: Vec<String> = (0..shown)
        .map(|index| format!("{} {}", index + 1, run.tasks[index].polls()))
        .collect();
    let more = if run.tasks.len() > shown { ", …" } else { "" };
    out += &format!("  polls per task: {}{more}\n", per_task.join(", "));
    let count = |test: fn(By) -> bool| run.wakes.iter().filter(|w| test(w.by)).count();
    out += &format!(
        "  wakes: {} by tasks, {} by timers, {} by sockets, {} by threads (self-wakes aside)\n",
        count(|by| matches!(by, By::Task(_))),
        count(|by| by == By::Timer),
        count(|by| matches!(by, By::Socket(_))),
        count(|by| by == By::Thread),
    );
    out += &format!(
        "  timers fired: {}; in the kernel: {:.1} ms in {} waits, and {} quick looks",
        run.timers.len(),
        run.waited() as f64 / 1e6,
        run.waits.len(),
        run.quick_waits
    );
    out
}
