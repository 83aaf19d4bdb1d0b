//! Run it: `cargo run -p step03-round-robin --example waiter_sync [-- --work N]`
//!
//! One coroutine awaits a `Waiter`; the other works for N steps (default 3), then notifies it.
//! Change N and watch the waiting coroutine wait exactly that long.

use step03_round_robin::{Waiter, interrupt, join, run_task};

/// Reads `--work N` from the command line; 3 when absent.
fn work_steps() -> Result<u32, String> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|arg| arg == "--work") {
        None => Ok(3),
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| "--work needs a whole number, e.g. --work 5".to_string()),
    }
}

/// Waits for the waiter, then goes on.
async fn wait_for(waiter: Waiter) -> &'static str {
    shared::say("waiting", "waiting for the worker...");
    waiter.await;
    shared::say("waiting", "notified, going on");
    "waited"
}

/// Works `steps` steps, yielding between each, then notifies the waiter.
async fn work_then_notify(waiter: Waiter, steps: u32) -> u32 {
    for step in 1..=steps {
        shared::say("worker", format!("working {step}/{steps}"));
        interrupt().await;
    }
    shared::say("worker", "done, notifying");
    waiter.notify();
    steps
}

fn main() -> std::process::ExitCode {
    let steps = match work_steps() {
        Ok(steps) => steps,
        Err(message) => {
            eprintln!("error: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let waiter = Waiter::new();
    let both = join(wait_for(waiter.clone()), work_then_notify(waiter, steps));
    let (waited, worked) = run_task(both);
    shared::say("main", format!("join returned ({waited:?}, {worked})"));
    std::process::ExitCode::SUCCESS
}
