//! Run it: `cargo run -p step03-round-robin --example introspect`
//!
//! Looks at a future before it runs: its type is a compiler-made state machine, its size is
//! fixed at compile time, and building it printed nothing.

use step03_round_robin::{complex_work, run_task, type_name_of};

fn main() {
    let (future, printed) = shared::capture(complex_work);
    shared::say(
        "main",
        format!("lines printed by calling complex_work(): {}", printed.len()),
    );
    shared::say("main", format!("type: {}", type_name_of(&future)));
    shared::say(
        "main",
        format!("size: {} bytes", std::mem::size_of_val(&future)),
    );
    shared::say("main", "now we poll it:");
    let answer = run_task(future);
    shared::say("main", format!("returned {answer}"));
}
