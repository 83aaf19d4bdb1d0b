//! Run it: `cargo run -p step02-awaitables --example complex_work_struct`
//!
//! Steps through the hand-written `ComplexWork`, then through the `async fn complex_work()`: the
//! same lines, the same number of polls. An `async fn` is a state machine the compiler writes.

use std::future::Future;
use std::task::Poll;

use shared::say;
use step02_awaitables::{ComplexWork, Stepper, complex_work};

const HELP: &str = "usage: complex_work_struct [--auto]\nThe hand-written ComplexWork and the async fn, stepped side by side.";

/// Polls a future to the end, one step at a time, and says how many polls it took.
fn step_through<F: Future<Output = ()>>(name: &str, future: F) {
    say("main", format!("--- {name} ---"));
    let mut stepper = Stepper::new(future);
    while stepper.step().is_pending() {}
    say(
        "main",
        format!("{name} done after {} polls", stepper.polls()),
    );
}

fn main() {
    shared::demo::Flags::parse(HELP, &[]);
    step_through("ComplexWork::new()", ComplexWork::new());
    step_through("complex_work()", complex_work());
}
