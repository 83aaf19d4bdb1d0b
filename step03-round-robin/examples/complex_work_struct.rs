//! Run it: `cargo run -p step03-round-robin --example complex_work_struct`
//!
//! Steps through the hand-written `ComplexWork`, then through the `async fn complex_work()`: the
//! same lines, the same number of polls. An `async fn` is a state machine the compiler writes.

use std::future::Future;
use std::task::Poll;

use step03_round_robin::{ComplexWork, Stepper, complex_work};

/// Polls a future to the end, one step at a time, and says how many polls it took.
fn step_through<F: Future<Output = u32>>(name: &str, future: F) {
    shared::say("main", format!("--- {name} ---"));
    let mut stepper = Stepper::new(future);
    let answer = loop {
        if let Poll::Ready(answer) = stepper.step() {
            break answer;
        }
    };
    shared::say(
        "main",
        format!("{name} returned {answer} after {} polls", stepper.polls()),
    );
}

fn main() {
    step_through("ComplexWork::new()", ComplexWork::new());
    step_through("complex_work()", complex_work());
}
