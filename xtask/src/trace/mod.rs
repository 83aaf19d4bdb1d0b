//! `cargo xtask trace N DEMO [-- ARGS]`: runs a demo with the loop's recorder on, and draws what
//! the loop decided: `target/trace/<step>-<demo>.html` (a timeline, one row per task), `.json`
//! (the same events for Perfetto's UI) and a summary on the terminal.
//!
//! With `--python`, the talk demo's Python twin runs first with its own recorder
//! (`python/record.py`, the same lines): the page and the JSON draw both runs one above the
//! other on one time axis, "Python: the talk's loop" over "Rust: stepNN", and the summary
//! covers both.

pub mod chrome;
pub mod html;
pub mod model;
pub mod stats;

use std::env;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};

use lexopt::prelude::*;

use crate::child::Supervise;
use crate::exercise::here::Here;
use crate::python::{self, PYTHON};
use crate::steps::{self, Step};
use crate::{Error, Workspace, demo, help, unexpected};

use model::Trace;
use stats::{TaskStats, Warning};

/// `cargo xtask trace --help`.
pub const HELP: &str = "\
usage: cargo xtask trace N DEMO [--python] [--out DIR] [-- ARGS]
Runs demo DEMO of step N (03 to 06: the steps with a loop) with the loop's recorder on, and
writes target/trace/stepNN-DEMO.html (a timeline per run of the loop: open it in a browser)
and .json (drag it into https://ui.perfetto.dev), then prints a summary: per run its turns and
time in the kernel, per task its polls, busy, scheduled and idle time, wakes and self-wakes,
and the warnings (busy wait, slow poll, lost wake, busy loop). --out DIR writes the files in DIR.
--python (DEMO: talk) runs the talk demo's Python twin too, ARGS going to the twin, and draws
both runs one above the other on one time axis: target/trace/stepNN-talkNN-python.html.
";

/// The first step with a loop to trace.
const FIRST_STEP: u32 = 3;

/// The widest line of the summary: what fits on a projector.
const COLUMNS: usize = 100;

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
    let mut dir = ws.root.join("target").join("trace");
    let mut with_twin = false;
    loop {
        match args.first().and_then(|arg| arg.to_str()) {
            Some("--python") => {
                with_twin = true;
                args.remove(0);
            }
            Some("--out") => {
                let Some(out) = args.get(1) else {
                    return Err(Error::Usage("--out needs a directory".into()));
                };
                // From where the command ran, as any path typed there.
                dir = env::current_dir()
                    .unwrap_or_else(|_| ws.root.clone())
                    .join(out);
                args.drain(..2);
            }
            _ => break,
        }
    }
    if args.first().is_some_and(|arg| arg == "--") {
        args.remove(0);
    }
    let name = demo::find(step, name)?;
    let twin = match with_twin {
        true => Some(twin_of(step, &name)?),
        false => None,
    };
    fs::create_dir_all(&dir)
        .map_err(|e| Error::Failed(format!("cannot create {}: {e}", dir.display())))?;
    let stem = format!("step{:02}-{name}", step.number);
    if let Some(twin) = twin {
        return both(ws, step, &name, &twin, &args, &dir);
    }
    let events = dir.join(format!("{stem}.events"));
    record(ws, step, &name, &args, &events)?;
    let trace = read(&events, &name)?;
    let title = format!("step{:02} {name}: what the loop did", step.number);
    let page = dir.join(format!("{stem}.html"));
    let json = dir.join(format!("{stem}.json"));
    write(&page, &html::page(&title, &trace))?;
    write(&json, &chrome::json(&title, &trace))?;
    println!("{}", summary(&trace));
    println!("wrote {}", opened_from_here(ws, &page));
    println!("  and {}", opened_from_here(ws, &json));
    println!(
        "  from {} (the recorder's lines)",
        opened_from_here(ws, &events)
    );
    Ok(ExitCode::SUCCESS)
}

/// The title of the twin's half of a page: what it runs is the talk's own loop.
pub const PYTHON_TITLE: &str = "Python: the talk's loop";

/// The title of our half: `Rust: step05`.
pub fn rust_title(step: &Step) -> String {
    format!("Rust: step{:02}", step.number)
}

/// One program's recording, under the title of its half of a page (empty: a page of one).
#[derive(Debug, Clone, Copy)]
pub struct Program<'a> {
    /// `Python: the talk's loop`, `Rust: step05`, or empty.
    pub title: &'a str,
    /// What it did.
    pub trace: &'a Trace,
}

/// The twin to trace beside demo `name`: only the talk demo has one, and it needs `python3`.
/// Asked before anything is built, so that a missing `python3` is one line at once.
fn twin_of(step: &Step, name: &str) -> Result<PathBuf, Error> {
    if step.meta("talk-demo") != Some(name) {
        return Err(Error::Usage(format!(
            "--python traces the talk demo's twin: `cargo xtask trace {} talk --python`",
            step.number
        )));
    }
    let path = python::twin(step).filter(|path| path.is_file());
    let path = path.ok_or_else(|| {
        Error::Failed(format!(
            "{} has no Python twin (python/{name}.py)",
            step.label()
        ))
    })?;
    python::available()
        .map_err(|why| Error::Failed(format!("{why}: the Python twins need Python 3.9+")))?;
    Ok(path)
}

/// `trace N talk --python`: the twin, then the Rust demo, each with its recorder on; one page,
/// one JSON and one summary for both, the twin's run above ours.
fn both(
    ws: &Workspace,
    step: &Step,
    name: &str,
    twin: &Path,
    args: &[OsString],
    dir: &Path,
) -> Result<ExitCode, Error> {
    let stem = format!("step{:02}-{name}", step.number);
    let (rust_events, twin_events) = (
        dir.join(format!("{stem}.events")),
        dir.join(format!("{stem}.py.events")),
    );
    // Built first: a demo that does not build stops the trace before the twin runs for nothing.
    demo::build(&ws.root, step, &["--example", name])?;
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let shown = relative(ws, twin);
    let command = format!("{PYTHON} {} {}", shown.display(), demo::AUTO);
    println!(
        "{}",
        cut(
            &format!("{PYTHON_TITLE}: {command} {}", words.join(" ")),
            COLUMNS
        )
        .trim_end()
    );
    record_twin(ws, twin, args, &twin_events)?;
    let rust = rust_title(step);
    println!("{rust}: {}/examples/{name}.rs {}", step.name, demo::AUTO);
    record(ws, step, name, &[], &rust_events)?;
    let python = read(&twin_events, &format!("{name}.py"))?;
    let ours = read(&rust_events, name)?;
    let programs = [
        Program {
            title: PYTHON_TITLE,
            trace: &python,
        },
        Program {
            title: &rust,
            trace: &ours,
        },
    ];
    let title = format!(
        "step{:02} {name} and its Python twin: what each loop did",
        step.number
    );
    let page = dir.join(format!("{stem}-python.html"));
    let json = dir.join(format!("{stem}-python.json"));
    write(&page, &html::programs_page(&title, &programs))?;
    write(&json, &chrome::programs_json(&title, &programs))?;
    println!("{}", programs_summary(&programs));
    println!("wrote {}", opened_from_here(ws, &page));
    println!("  and {}", opened_from_here(ws, &json));
    for events in [&twin_events, &rust_events] {
        println!(
            "  from {} (the recorder's lines)",
            opened_from_here(ws, events)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the twin with `--auto`, its recorder writing to `events`, supervised as the demos are.
fn record_twin(ws: &Workspace, twin: &Path, args: &[OsString], events: &Path) -> Result<(), Error> {
    let mut command = python::command(&ws.root, twin);
    command
        .arg(demo::AUTO)
        .args(args)
        .env("WORKSHOP_TRACE", events)
        .stdin(Stdio::null());
    let status =
        run_demo(command).map_err(|e| Error::Failed(format!("cannot start {PYTHON}: {e}")))?;
    outcome(status, &relative(ws, twin).display().to_string())
}

/// A demo that ends on its own error (2: a flag it does not take, 1: a port in use) said why
/// in one `error:` line: the trace ends with its code and adds none. Any other end (a panic,
/// a signal) is said here.
fn outcome(status: ExitStatus, name: &str) -> Result<(), Error> {
    match status.code() {
        _ if status.success() => Ok(()),
        Some(code @ (1 | 2)) => Err(Error::Said(code as u8)),
        _ => Err(Error::Failed(format!(
            "{name} failed ({status}): no trace written"
        ))),
    }
}

/// The recording at `events`, read.
fn read(events: &Path, name: &str) -> Result<Trace, Error> {
    let text = fs::read_to_string(events)
        .map_err(|e| Error::Failed(format!("no events from {name}: {e}")))?;
    Trace::parse(&text).map_err(|why| Error::Failed(format!("{}: {why}", events.display())))
}

/// A file written, as it opens from where the command ran.
fn opened_from_here(ws: &Workspace, path: &Path) -> String {
    Here::now(&ws.root).show(path)
}

/// `path`, from the workspace's root if it is under it.
fn relative(ws: &Workspace, path: &Path) -> PathBuf {
    path.strip_prefix(&ws.root).unwrap_or(path).to_path_buf()
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
    let mut command = Command::new(demo::binary(ws, name));
    command
        .arg(demo::AUTO)
        .args(args)
        .env("WORKSHOP_TRACE", events)
        .stdin(Stdio::null())
        .current_dir(&ws.root);
    let status =
        run_demo(command).map_err(|e| Error::Failed(format!("cannot start {name}: {e}")))?;
    outcome(status, name)
}

/// Runs the demo to its end in a process group of its own, Ctrl-C passed on (`child.rs`): no
/// demo outlives `cargo xtask trace`.
fn run_demo(mut command: Command) -> io::Result<ExitStatus> {
    command.supervised()
}

/// Writes `text` to `path`.
fn write(path: &Path, text: &str) -> Result<(), Error> {
    fs::write(path, text)
        .map_err(|e| Error::Failed(format!("cannot write {}: {e}", path.display())))
}

/// Tasks listed per run in the summary; the page has them all.
const TASKS_PER_RUN: usize = 8;

/// The summary printed at the end, in lines that fit 100 columns: the program, then per run its
/// figures and, as tokio-console lists them, its tasks; then the warnings.
pub fn summary(trace: &Trace) -> String {
    let mut out = wrap(&format!("trace: {}", stats::trace_line(trace)), "  ");
    for run in &trace.runs {
        let title = run.title.as_deref().unwrap_or("");
        out += &cut(&format!("run {} {title}", run.number), COLUMNS);
        out.push('\n');
        out += &wrap(&format!("  {}", stats::run_line(trace, run)), "  ");
        out += &format!(
            "  {:>4} {:<36} {:>9} {:>9} {:>9} {:>9} {:>6} {:>6}\n",
            "task", "name", "polls", "busy", "scheduled", "idle", "wakes", "self"
        );
        let tasks: Vec<_> = trace.tasks_of(run).collect();
        for task in tasks.iter().take(TASKS_PER_RUN) {
            let s = TaskStats::of(task, run.end);
            out += &format!(
                "  {:>4} {:<36} {:>9} {:>9} {:>9} {:>9} {:>6} {:>6}\n",
                task.number,
                cut(task.name.as_deref().unwrap_or(""), 36),
                stats::thousands(s.polls),
                stats::millis(s.busy),
                stats::millis(s.scheduled),
                stats::millis(s.idle),
                stats::thousands(s.wakes),
                stats::thousands(s.self_wakes),
            );
        }
        if tasks.len() > TASKS_PER_RUN {
            let more = tasks.len() - TASKS_PER_RUN;
            out += &format!("  … and {more} more tasks: the page lists them all\n");
        }
    }
    let warnings = stats::warnings(trace);
    if warnings.is_empty() {
        out += "warnings: none (no busy wait or busy loop, no poll over 100 ms, no lost wake)";
    } else {
        out += &format!("warnings: {}\n", warnings.len());
        for warning in &warnings {
            out += &warning_lines(trace, warning);
        }
    }
    out.trim_end().to_owned()
}

/// One warning, on a line or two.
fn warning_lines(trace: &Trace, warning: &Warning) -> String {
    let what = format!(
        "  {}: {} (run {}, at {})",
        warning.kind(),
        cut(&warning.subject(trace), 56),
        warning.run(trace),
        stats::millis(warning.at())
    );
    format!("{what}\n    {}\n", warning.detail())
}

/// The summary of programs traced side by side: each one's under its title, then their runs
/// compared, run by run: how long, how many turns, how much of it in the kernel or spinning.
pub fn programs_summary(programs: &[Program<'_>]) -> String {
    let mut out = String::new();
    for program in programs {
        out += &cut(program.title, COLUMNS);
        out.push('\n');
        out += &summary(program.trace);
        out += "\n\n";
    }
    out += "side by side, run by run:\n";
    let most = programs
        .iter()
        .map(|p| p.trace.runs.len())
        .max()
        .unwrap_or(0);
    let width = programs.iter().map(|p| p.title.chars().count()).max();
    let width = width.unwrap_or(0).min(40);
    for index in 0..most {
        let title = (programs.iter())
            .filter_map(|p| p.trace.runs.get(index))
            .find_map(|run| run.title.clone())
            .unwrap_or_default();
        out += &cut(&format!("  run {} {title}", index + 1), COLUMNS);
        out.push('\n');
        for program in programs {
            let line = match program.trace.runs.get(index) {
                Some(run) => stats::pace_line(run),
                None => "no such run".to_owned(),
            };
            let name = cut(program.title, width);
            out += &wrap(&format!("    {name:<width$}  {line}"), "      ");
        }
    }
    out.trim_end().to_owned()
}

/// `text` on lines of at most 100 columns, cut after its ` · `, the next lines indented.
fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for (index, piece) in text.split(" · ").enumerate() {
        let piece = if index == 0 {
            piece.to_owned()
        } else {
            format!(" · {piece}")
        };
        if !line.is_empty() && line.chars().count() + piece.chars().count() > COLUMNS {
            out += &line;
            out.push('\n');
            line = format!("{indent}{}", piece.trim_start_matches(" · "));
        } else {
            line += &piece;
        }
    }
    out + &line + "\n"
}

/// `text`, cut to `max` characters with an ellipsis.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max - 1).collect();
    format!("{kept}…")
}
