//! Run it: `cargo run -p step03-round-robin --example add_task`
//!
//! A task adds tasks to the loop it runs on, found through `Loop::current()`; the loop runs until
//! the last of them is done.

use std::time::Duration;

use step03_round_robin::{Loop, NoCurrentLoop, sleep};

const HELP: &str =
    "usage: add_task [--auto]\nA task finds its loop with Loop::current() and adds tasks to it.";

/// Says hello after `millis` ms.
async fn greeter(number: u32, millis: u64) {
    sleep(Duration::from_millis(millis)).await;
    shared::say(
        &format!("greeter-{number}"),
        format!("hello after {millis} ms"),
    );
}

/// Adds three greeters to the current loop, then finishes before them.
async fn spawner() -> Result<(), NoCurrentLoop> {
    let event_loop = Loop::current()?;
    for number in 1..=3 {
        shared::say("spawner", format!("adding greeter-{number}"));
        event_loop.add_task(greeter(number, 50 * u64::from(4 - number)));
    }
    shared::say("spawner", "done; the greeters go on without me");
    Ok(())
}

fn main() -> std::process::ExitCode {
    shared::demo::Flags::parse(HELP, &[]);
    if let Err(error) = Loop::current() {
        shared::say(
            "main",
            format!("outside the loop, Loop::current() says: {error}"),
        );
    }
    match Loop::new().run_task(spawner()) {
        Ok(()) => {
            shared::say("main", "every task is done");
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
