//! Run it: `cargo run -p step01-coroutines --example talk01` (or `cargo xtask demo 1 talk`)
//!
//! The talk's §2, slide by slide: a coroutine that runs nothing until driven (2.2), driven by a
//! loop (2.6, 2.7), then by hand (2.8). Same messages, same order as the talk.

use std::task::Poll;

use shared::say;
use step01_coroutines::{Stepper, complex_work, run_task, simple_print};

const HELP: &str = "usage: talk01 [--auto]
The talk's §2 (slides 2.2-2.8): a coroutine driven by a loop, then by hand.";

fn main() {
    shared::demo::Flags::parse(HELP, &[], &[]);
    say(
        "§2.2",
        "simple_print('Hello') builds a coroutine and prints nothing",
    );
    let coro = simple_print("Hello");
    say(
        "§2.6",
        "for _ in coro.__await__(): pass  (run_task polls until Ready)",
    );
    run_task(coro);

    say("§2.7", "for x in complex_work().__await__(): print(x)");
    let mut it = Stepper::new(complex_work());
    while it.step().is_pending() {
        say("loop", "got Pending (Python: None)");
    }

    say(
        "§2.8",
        "it = complex_work().__await__(); next(it); next(it)",
    );
    let mut it = Stepper::new(complex_work());
    for _ in 0..2 {
        match it.step() {
            Poll::Pending => say("next", "Pending (Python: returns None)"),
            Poll::Ready(()) => say("next", "Ready(()) (Python: raises StopIteration)"),
        }
    }
}
