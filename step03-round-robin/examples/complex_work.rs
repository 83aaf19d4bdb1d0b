//! Run it: `cargo run -p step03-round-robin --example complex_work`
//!
//! Runs `complex_work()` to completion with the busy runner: every suspension is polled again
//! at once, so the lines come out without a pause.

use step03_round_robin::{complex_work, run_task};

fn main() {
    let answer = run_task(complex_work());
    shared::say("main", format!("complex_work() returned {answer}"));
}
