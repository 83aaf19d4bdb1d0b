//! Run it: `cargo run -p step05-futures-timers --example future_set`
//!
//! The talk's `Future` with `set()`, here `OneShot`, and the cases the talk's version gets wrong:
//! a `set()` before anyone awaits, a second `set()`, two tasks awaiting the same one, and a task
//! awaiting one that nobody will ever set.

use std::io;
use std::time::Duration;

use shared::say;
use step05_futures_timers::{Loop, OneShot, sleep};

const HELP: &str = "usage: future_set [--auto]
OneShot, the talk's Future with set(): early set, second set, two awaiters, never set.";

fn main() -> std::process::ExitCode {
    shared::demo::Flags::parse(HELP, &[], &[]);
    shared::demo::exit_code(run())
}

/// The four cases, each on a loop of its own.
fn run() -> io::Result<()> {
    say(
        "main",
        "1. set() before anyone awaits: the value waits (the talk loses the task)",
    );
    let early = OneShot::new();
    let _ = early.set("early bird");
    let value = Loop::new()?.run_task(early.clone())?;
    say("main", format!("   awaited afterwards: {value:?}"));

    say(
        "main",
        "2. set() a second time: an error you can see (the talk queues the task twice)",
    );
    say("main", format!("   second set: {:?}", early.set("again")));

    say(
        "main",
        "3. two tasks await one OneShot: both resume (in the talk, only the last)",
    );
    let shared = OneShot::new();
    let event_loop = Loop::new()?;
    for name in ["task-a", "task-b"] {
        let shared = shared.clone();
        event_loop.add_task(async move { say(name, format!("   got {}", shared.await)) });
    }
    event_loop.add_task(async move {
        sleep(Duration::from_millis(100)).await;
        say("setter", "   set(42) after 100 ms");
        let _ = shared.set(42);
    });
    event_loop.run()?;

    say(
        "main",
        "4. a task awaits a OneShot that nobody can set: the loop says so",
    );
    let never = OneShot::<u32>::new();
    match Loop::new()?.run_task(never) {
        Ok(value) => say("main", format!("   unexpected value {value}")),
        Err(err) => say("main", format!("   {err}")),
    }
    Ok(())
}
