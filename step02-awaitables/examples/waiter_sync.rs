//! Run it: `cargo run -p step02-awaitables --example waiter_sync [-- --work N]`
//!
//! One coroutine awaits a `Waiter`; the other works N steps (default 3), then sets its flag.

use shared::{demo, say};
use step02_awaitables::{Waiter, interrupt, join, run_task};

const HELP: &str = "usage: waiter_sync [--work N] [--auto]
One coroutine waits for a Waiter while the other works N steps (default 3), then sets it.";

/// Waits for the waiter, then goes on.
async fn wait_for(waiter: Waiter) -> &'static str {
    say("waiting", "waiting for the worker...");
    waiter.await;
    say("waiting", "the flag is set, going on");
    "waited"
}

/// Works `steps` steps, yielding between each, then sets the waiter's flag.
async fn work_then_set(waiter: Waiter, steps: u32) -> u32 {
    for step in 1..=steps {
        say("worker", format!("working {step}/{steps}"));
        interrupt().await;
    }
    say("worker", "done, setting the flag");
    waiter.set_done();
    steps
}

fn main() {
    let flags = demo::Flags::parse(HELP, &["work"], &[]);
    let steps = flags.value("work").unwrap_or(3);
    let waiter = Waiter::new();
    let both = join(wait_for(waiter.clone()), work_then_set(waiter, steps));
    let (waited, worked) = run_task(both);
    say("main", format!("join returned ({waited:?}, {worked})"));
}
