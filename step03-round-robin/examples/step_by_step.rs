//! Run it: `cargo run -p step03-round-robin --example step_by_step` (press Enter between polls)
//!
//! Polls `complex_work()` one step at a time, as the talk calls `coro.send(None)` by hand. On a
//! terminal it waits for Enter before each poll; with `--auto`, or when stdin is not a terminal,
//! it does not pause.

use std::task::Poll;

use step03_round_robin::{Stepper, complex_work};

fn main() {
    let mut stepper = Stepper::new(complex_work());
    shared::say("main", "future built, nothing ran yet");
    loop {
        shared::demo::pause("(Enter to poll) ");
        match stepper.step() {
            Poll::Pending => shared::say("main", format!("poll #{} -> Pending", stepper.polls())),
            Poll::Ready(answer) => {
                shared::say(
                    "main",
                    format!("poll #{} -> Ready({answer})", stepper.polls()),
                );
                break;
            }
        }
    }
}
