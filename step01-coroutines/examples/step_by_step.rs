//! Run it: `cargo run -p step01-coroutines --example step_by_step` (press Enter between polls)
//!
//! Polls `twice()`, which awaits the talk's `complex_work()` twice, one step at a time, as the
//! talk calls `next(it)` by hand. Each `Pending` comes from the `interrupt` inside
//! `complex_work` and travels up through `twice` to us. On a terminal it waits for Enter before
//! each poll (Ctrl-D: run to the end); with `--auto`, or when stdin is not a terminal, it does
//! not pause.

use std::task::Poll;

use shared::{demo, say};
use step01_coroutines::{Stepper, complex_work};

const HELP: &str = "usage: step_by_step [--auto]
Polls a nested coroutine one step at a time; Enter polls, Ctrl-D runs to the end.";

/// Two rounds of `complex_work`: awaiting it is the talk's `await` (`yield from`).
async fn twice() -> u32 {
    complex_work().await;
    complex_work().await;
    2
}

fn main() {
    demo::Flags::parse(HELP, &[], &[]);
    let mut stepper = Stepper::new(twice());
    say("main", "twice() built, nothing ran yet");
    loop {
        demo::pause("(Enter to poll) ");
        match stepper.step() {
            Poll::Pending => say("main", format!("poll #{} -> Pending", stepper.polls())),
            Poll::Ready(rounds) => {
                say(
                    "main",
                    format!("poll #{} -> Ready({rounds})", stepper.polls()),
                );
                break;
            }
        }
    }
}
