//! Run it: `cargo run -p step03-round-robin --example two_tasks`
//!
//! Two tasks on one loop, each printing and sleeping at its own pace: their lines interleave,
//! and the timestamps show both sleeping at the same time.

use std::time::Duration;

use step03_round_robin::{Loop, sleep};

const HELP: &str = "usage: two_tasks [--auto]\nTwo tasks on one loop print at their own pace; their lines interleave.";

/// Prints `count` messages, sleeping `pause` before each.
async fn chatter(name: &'static str, pause: Duration, count: u32) {
    for i in 1..=count {
        sleep(pause).await;
        shared::say(name, format!("message {i}/{count}"));
    }
    shared::say(name, "done");
}

fn main() {
    shared::demo::Flags::parse(HELP, &[]);
    shared::say(
        "main",
        "adding task-a (every 100 ms) and task-b (every 150 ms)",
    );
    let event_loop = Loop::new();
    event_loop.add_task(chatter("task-a", Duration::from_millis(100), 4));
    event_loop.add_task(chatter("task-b", Duration::from_millis(150), 3));
    event_loop.run();
    shared::say("main", "the loop has no task left");
}
