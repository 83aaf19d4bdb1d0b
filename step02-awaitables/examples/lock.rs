//! Run it: `cargo run -p step02-awaitables --example lock`
//!
//! Two coroutines share a `Lock`, each holding it across two suspensions: they take turns.

use shared::say;
use step02_awaitables::{Lock, interrupt, join, run_task};

const HELP: &str = "usage: lock [--auto]
Two coroutines take turns holding a lock across suspensions.";

/// Takes the lock `rounds` times, pausing twice while holding it.
async fn worker(name: &'static str, lock: Lock, rounds: u32) {
    for round in 1..=rounds {
        say(name, format!("round {round}: wants the lock"));
        let guard = lock.acquire().await;
        say(name, format!("round {round}: got it"));
        interrupt().await;
        interrupt().await;
        say(name, format!("round {round}: releasing"));
        drop(guard);
        // Without this pause we would take the lock straight back: this lock is not fair, it
        // goes to whoever asks first after a release.
        interrupt().await;
    }
}

fn main() {
    shared::demo::Flags::parse(HELP, &[], &[]);
    let lock = Lock::new();
    run_task(join(
        worker("task-a", lock.clone(), 2),
        worker("task-b", lock, 2),
    ));
}
