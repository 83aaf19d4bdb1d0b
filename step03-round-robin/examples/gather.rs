//! Run it: `cargo run -p step03-round-robin --example gather`
//!
//! Gathers three sleeps of 300, 100 and 200 ms: they run together, so the total is about 300 ms,
//! not 600, and the results come back in the order they were given, not the order they finished.

use std::time::{Duration, Instant};

use step03_round_robin::{Loop, gather, sleep};

const HELP: &str =
    "usage: gather [--auto]\nThree naps gathered: together they take as long as the longest.";

/// Sleeps `millis` ms, then returns its name.
async fn nap(name: &'static str, millis: u64) -> &'static str {
    shared::say(name, format!("sleeping {millis} ms"));
    sleep(Duration::from_millis(millis)).await;
    shared::say(name, "awake");
    name
}

fn main() {
    shared::demo::Flags::parse(HELP, &[]);
    shared::say("main", "gathering three naps");
    let start = Instant::now();
    let names = Loop::new().run_task(gather([
        nap("nap-1", 300),
        nap("nap-2", 100),
        nap("nap-3", 200),
    ]));
    shared::say("main", format!("gather returned {names:?}"));
    shared::say(
        "main",
        format!(
            "total {} ms (the longest nap, not the sum)",
            start.elapsed().as_millis()
        ),
    );
}
