//! Run it: `cargo run -p step02-awaitables --example talk02` (or `cargo xtask demo 2 talk`)
//!
//! The talk's §3: `ComplexWork` awaited (3.2) and stepped by hand (3.3), then a `Waiter` between
//! `wait_job` and `count_up_to` (3.5), run by `join`: `asyncio.gather` needs a loop (step03).

use std::task::Poll;

use shared::say;
use step02_awaitables::{ComplexWork, Stepper, Waiter, interrupt, join, run_task};

const HELP: &str = "usage: talk02 [--auto]
The talk's §3 (slides 3.2-3.5): ComplexWork, then a Waiter between two coroutines.";

/// The talk's `wait_job`: waits for the waiter between `start` and `finished`.
async fn wait_job(waiter: Waiter) {
    say("wait_job", "start");
    waiter.await; // wait for count_up_to to be finished
    say("wait_job", "finished");
}

/// The talk's `count_up_to`: counts, yielding after each number, then sets the waiter's flag.
async fn count_up_to(waiter: Waiter, n: u32) {
    for i in 0..n {
        say("count_up_to", i);
        interrupt().await;
    }
    waiter.set_done();
}

fn main() {
    shared::demo::Flags::parse(HELP, &[], &[]);
    say(
        "§3.2",
        "await ComplexWork()  (run_task polls it to the end)",
    );
    run_task(ComplexWork::new());

    say(
        "§3.3",
        "it = ComplexWork().__await__(); next(it) three times",
    );
    let mut it = Stepper::new(ComplexWork::new());
    for _ in 0..3 {
        match it.step() {
            Poll::Pending => say("next", "Pending (Python: returns None)"),
            Poll::Ready(()) => say("next", "Ready(()) (Python: raises StopIteration)"),
        }
    }

    say(
        "§3.5",
        "gather(wait_job(waiter), count_up_to(waiter, 10))  (here: join)",
    );
    let waiter = Waiter::new();
    let both = run_task(join(wait_job(waiter.clone()), count_up_to(waiter, 10)));
    say(
        "main",
        format!("join returned {both:?} (Python's gather: [None, None])"),
    );
}
