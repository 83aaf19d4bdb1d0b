//! The same recording in the Chrome trace-event format, which Perfetto's UI opens by
//! drag-and-drop: a process per run of the loop (named by its title), a track per task (and
//! one for the loop), a slice per task's life, per band of polls, per wait in the kernel and
//! per spin of a loop with nothing to poll, the ready queue as a counter, an arrow per wake
//! from one task to another, and instant events for timers, sockets, the program's own lines
//! (their text in `args`) and warnings. Two programs traced side by side (the talk's Python
//! and our Rust) are processes of their own, each named after its program. Written with
//! `serde_json`: whatever the program printed is a string in it, escaped as JSON wants.

use serde_json::{Value, json};

use super::Program;
use super::model::{By, Run, Task, Trace};
use super::stats::{self, TaskStats};

/// The process of the lines printed outside any run.
const OUTSIDE: usize = 0;
/// The loop's track, in each run's process.
const LOOP: usize = 0;
/// Process numbers per program, when there are several: program `k`'s runs are processes
/// `k * PROGRAM + 1`… and its lines outside any run `k * PROGRAM`.
const PROGRAM: usize = 1000;

/// The recording as a trace-event JSON document, titled `title`.
pub fn json(title: &str, trace: &Trace) -> String {
    programs_json(title, &[Program { title: "", trace }])
}

/// Several programs' recordings in one document (the talk's Python and our Rust): each one's
/// runs are processes of their own, named after the program, in the programs' order.
pub fn programs_json(title: &str, programs: &[Program<'_>]) -> String {
    let mut events = Vec::new();
    let mut summaries = Vec::new();
    for (index, program) in programs.iter().enumerate() {
        let base = index * PROGRAM;
        program_events(&mut events, title, program, base);
        summaries.push(match program.title {
            "" => stats::trace_line(program.trace),
            name => format!("{name}: {}", stats::trace_line(program.trace)),
        });
    }
    let document = json!({
        "displayTimeUnit": "ms",
        "traceEvents": events,
        "otherData": { "title": title, "summary": summaries.join("\n") },
    });
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

/// One program's events, its processes numbered from `base`.
fn program_events(events: &mut Vec<Value>, title: &str, program: &Program<'_>, base: usize) {
    let trace = program.trace;
    let named = |name: &str| match program.title {
        "" => name.to_owned(),
        program => format!("{program} · {name}"),
    };
    let outside = match program.title {
        "" => title.to_owned(),
        program => format!("{program}: {title}"),
    };
    events.push(meta("process_name", base + OUTSIDE, LOOP, &outside));
    events.push(json!({
        "name": "process_sort_index", "ph": "M", "pid": base + OUTSIDE, "tid": LOOP,
        "args": { "sort_index": base + OUTSIDE },
    }));
    events.push(meta(
        "thread_name",
        base + OUTSIDE,
        LOOP,
        "lines outside the loop",
    ));
    for said in &trace.said {
        events.push(line(base + OUTSIDE, LOOP, said));
    }
    for run in &trace.runs {
        run_events(events, trace, run, base, &named);
    }
    for warning in stats::warnings(trace) {
        let tid = warning.task().unwrap_or(LOOP);
        events.push(json!({
            "name": warning.kind(), "cat": "warning", "ph": "i", "s": "t",
            "pid": base + warning.run(trace), "tid": tid, "ts": micros(warning.at()),
            "args": { "task": warning.subject(trace), "what": warning.detail() },
        }));
    }
}

/// The events of one run: its process, its loop's track, its tasks' tracks.
fn run_events(
    events: &mut Vec<Value>,
    trace: &Trace,
    run: &Run,
    base: usize,
    named: &dyn Fn(&str) -> String,
) {
    let pid = base + run.number;
    let name = match &run.title {
        Some(title) => format!("run {}: {title}", run.number),
        None => format!("run {}", run.number),
    };
    events.push(meta("process_name", pid, LOOP, &named(&name)));
    events.push(json!({
        "name": "process_sort_index", "ph": "M", "pid": pid, "tid": LOOP,
        "args": { "sort_index": pid },
    }));
    events.push(meta("thread_name", pid, LOOP, "the loop"));
    events.push(json!({
        "name": "run", "cat": "run", "ph": "X", "pid": pid, "tid": LOOP,
        "ts": micros(run.start), "dur": micros(run.duration()),
        "args": {
            "turns": run.turns, "quick_waits": run.quick_waits,
            "in_kernel_ms": run.in_kernel() as f64 / 1e6, "ready_queue_max": run.queue_max(),
            "spinning_ms": run.spinning() as f64 / 1e6,
            "cpu_ms": run.cpu.map(|cpu| cpu as f64 / 1e6),
        },
    }));
    for wait in &run.waits {
        events.push(json!({
            "name": "asleep in the kernel", "cat": "wait", "ph": "X", "pid": pid, "tid": LOOP,
            "ts": micros(wait.start), "dur": micros(wait.end.saturating_sub(wait.start)),
            "args": { "timeout_us": wait.timeout.map(micros) },
        }));
    }
    for spin in &run.spins {
        events.push(json!({
            "name": "spinning, nothing to poll", "cat": "spin", "ph": "X", "pid": pid,
            "tid": LOOP, "ts": micros(spin.start),
            "dur": micros(spin.end.saturating_sub(spin.start)),
            "args": { "turns": spin.turns, "cpu_us": spin.cpu.map(micros) },
        }));
    }
    for at in &run.timers {
        events.push(instant("timer fired", "timer", pid, LOOP, *at));
    }
    for (at, token) in &run.sockets {
        events.push(instant(
            &format!("socket {token} ready"),
            "socket",
            pid,
            LOOP,
            *at,
        ));
    }
    for (at, tasks) in &run.queue {
        events.push(json!({
            "name": "ready queue", "ph": "C", "pid": pid, "ts": micros(*at),
            "args": { "tasks": tasks },
        }));
    }
    for said in &run.said {
        events.push(line(pid, LOOP, said));
    }
    for task in trace.tasks_of(run) {
        task_events(events, pid, run, task);
    }
}

/// The events of one task: its track, its life, its bands, its wakes, its lines. (Its
/// warnings, a lost wake among them, come with the others, in their words.)
fn task_events(events: &mut Vec<Value>, pid: usize, run: &Run, task: &Task) {
    let tid = task.number;
    events.push(meta("thread_name", pid, tid, &task.label()));
    let end = task.finished.unwrap_or(run.end);
    let stats = TaskStats::of(task, run.end);
    events.push(json!({
        "name": task.label(), "cat": "task", "ph": "X", "pid": pid, "tid": tid,
        "ts": micros(task.added), "dur": micros(end.saturating_sub(task.added)),
        "args": {
            "cleanup": task.cleanup, "polls": stats.polls,
            "busy_ms": stats.busy as f64 / 1e6, "scheduled_ms": stats.scheduled as f64 / 1e6,
            "idle_ms": stats.idle as f64 / 1e6, "wakes": stats.wakes,
            "self_wakes": stats.self_wakes, "finished": task.finished.is_some(),
        },
    }));
    for band in &task.bands {
        let name = if band.polls == 1 {
            "poll".to_owned()
        } else {
            format!("{} polls", band.polls)
        };
        events.push(json!({
            "name": name, "cat": "poll", "ph": "X", "pid": pid, "tid": tid,
            "ts": micros(band.start), "dur": micros(band.end.saturating_sub(band.start)),
            "args": {
                "polls": band.polls, "last_ready": band.ready, "self_wakes": band.self_wakes,
                "only_woke_itself": band.quiet, "busy_us": micros(band.busy),
                "scheduled_us": micros(band.scheduled), "slowest_us": micros(band.slowest),
            },
        }));
    }
    for (id, wake) in task.wakes.iter().enumerate() {
        match wake.by {
            By::Task(from) => {
                // An arrow from the waker's track to the woken task's next poll.
                let to = next_poll(task, wake.at).unwrap_or(wake.at);
                let flow = format!("{pid}.{tid}.{id}");
                events.push(json!({
                    "name": "wake", "cat": "wake", "ph": "s", "id": flow, "pid": pid,
                    "tid": from, "ts": micros(wake.at),
                }));
                events.push(json!({
                    "name": "wake", "cat": "wake", "ph": "f", "bp": "e", "id": flow,
                    "pid": pid, "tid": tid, "ts": micros(to),
                }));
            }
            By::Timer => events.push(instant("woken by a timer", "wake", pid, tid, wake.at)),
            By::Socket(token) => {
                let name = format!("woken by socket {token}");
                events.push(instant(&name, "wake", pid, tid, wake.at));
            }
            By::Thread => {
                events.push(instant(
                    "woken by another thread",
                    "wake",
                    pid,
                    tid,
                    wake.at,
                ));
            }
            By::Outside => {
                events.push(instant("woken outside the loop", "wake", pid, tid, wake.at));
            }
        }
    }
    for said in &task.said {
        events.push(line(pid, tid, said));
    }
}

/// When `task` was next polled at or after `at`.
fn next_poll(task: &Task, at: u64) -> Option<u64> {
    task.bands
        .iter()
        .map(|b| b.start)
        .find(|start| *start >= at)
}

/// A metadata event naming a process or a track.
fn meta(what: &str, pid: usize, tid: usize, name: &str) -> Value {
    json!({ "name": what, "ph": "M", "pid": pid, "tid": tid, "args": { "name": name } })
}

/// An instant event on a track.
fn instant(name: &str, cat: &str, pid: usize, tid: usize, at: u64) -> Value {
    json!({ "name": name, "cat": cat, "ph": "i", "s": "t", "pid": pid, "tid": tid,
            "ts": micros(at) })
}

/// A line the program printed, as an instant event whose args hold its label and text.
fn line(pid: usize, tid: usize, said: &super::model::Said) -> Value {
    json!({
        "name": format!("{}: {}", said.label, said.text), "cat": "line", "ph": "i", "s": "t",
        "pid": pid, "tid": tid, "ts": micros(said.at),
        "args": { "label": said.label, "text": said.text },
    })
}

/// Nanoseconds as the microseconds of the format.
fn micros(nanos: u64) -> f64 {
    nanos as f64 / 1e3
}
