//! The same run in the Chrome trace-event format, which Perfetto's UI opens by drag-and-drop:
//! one track per task (and one for the loop), a slice per band of polls, an arrow per wake from
//! one task to another.

use std::fmt::Write;

use super::model::{By, Run};

/// The run as a trace-event JSON document, its process named `title`.
pub fn json(title: &str, run: &Run) -> String {
    let mut events: Vec<String> = Vec::new();
    let name = |tid: usize, name: &str| {
        format!(
            "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\
             \"args\":{{\"name\":\"{}\"}}}}",
            escape(name)
        )
    };
    events.push(format!(
        "{{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{{\"name\":\"{}\"}}}}",
        escape(title)
    ));
    events.push(name(0, "loop"));
    for (index, task) in run.tasks.iter().enumerate() {
        let number = index + 1;
        events.push(name(number, &format!("task {number}")));
        for band in &task.bands {
            let label = if band.polls == 1 {
                "poll".to_owned()
            } else {
                format!("polls ×{}", band.polls)
            };
            events.push(format!(
                "{{\"name\":\"{label}\",\"cat\":\"poll\",\"ph\":\"X\",\"pid\":1,\"tid\":{number},\
                 \"ts\":{},\"dur\":{},\"args\":{{\"polls\":{},\"ready\":{}}}}}",
                micros(band.start),
                micros(band.end.saturating_sub(band.start)),
                band.polls,
                band.ready
            ));
        }
    }
    for wait in &run.waits {
        let timeout = wait.timeout.map_or("null".to_owned(), micros);
        events.push(format!(
            "{{\"name\":\"waiting in the kernel\",\"cat\":\"wait\",\"ph\":\"X\",\"pid\":1,\
             \"tid\":0,\"ts\":{},\"dur\":{},\"args\":{{\"timeout_us\":{timeout}}}}}",
            micros(wait.start),
            micros(wait.end - wait.start)
        ));
    }
    for at in &run.timers {
        events.push(instant("timer fired", 0, *at));
    }
    for (at, token) in &run.sockets {
        events.push(instant(&format!("socket {token} ready"), 0, *at));
    }
    for (id, wake) in run.wakes.iter().enumerate() {
        match wake.by {
            By::Task(from) => {
                // An arrow from the waker's poll to the poll of the woken task that follows.
                let to = next_poll(run, wake.task, wake.at).unwrap_or(wake.at);
                events.push(flow("s", id, from, wake.at));
                events.push(flow("f", id, wake.task, to));
            }
            By::Timer => events.push(instant("woken by a timer", wake.task, wake.at)),
            By::Socket(token) => {
                events.push(instant(
                    &format!("woken by socket {token}"),
                    wake.task,
                    wake.at,
                ));
            }
            By::Thread => events.push(instant("woken by another thread", wake.task, wake.at)),
            By::Outside => events.push(instant("woken outside the loop", wake.task, wake.at)),
        }
    }
    let mut out = String::from("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
    let _ = write!(out, "{}", events.join(",\n"));
    out.push_str("\n]}\n");
    out
}

/// When task `task` was next polled after `at`.
fn next_poll(run: &Run, task: usize, at: u64) -> Option<u64> {
    let bands = &run.tasks.get(task.wrapping_sub(1))?.bands;
    bands.iter().map(|b| b.start).find(|start| *start >= at)
}

/// An instant event on track `tid`.
fn instant(name: &str, tid: usize, at: u64) -> String {
    format!(
        "{{\"name\":\"{}\",\"cat\":\"mark\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":{tid},\
         \"ts\":{}}}",
        escape(name),
        micros(at)
    )
}

/// One end of a wake's arrow: `s` where it starts, `f` where it ends.
fn flow(phase: &str, id: usize, tid: usize, at: u64) -> String {
    format!(
        "{{\"name\":\"wake\",\"cat\":\"wake\",\"ph\":\"{phase}\",\"bp\":\"e\",\"id\":{id},\
         \"pid\":1,\"tid\":{tid},\"ts\":{}}}",
        micros(at)
    )
}

/// Nanoseconds as the microseconds of the format, with the nanoseconds kept.
fn micros(nanos: u64) -> String {
    format!("{}.{:03}", nanos / 1000, nanos % 1000)
}

/// Text made safe inside a JSON string.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
