//! Run it: `cargo run -p step01-coroutines --example introspect`
//!
//! Looks at a future before it runs: its type is a compiler-made state machine, its size is
//! fixed at compile time, and building it printed nothing (the talk's `dir(coro)` and
//! `<coroutine object complex_work at 0x…>`).

use std::any::type_name_of_val;
use std::mem::size_of_val;

use shared::say;
use step01_coroutines::{complex_work, run_task};

const HELP: &str = "usage: introspect [--auto]
The type and size of a future, and proof that building it ran nothing.";

fn main() {
    shared::demo::Flags::parse(HELP, &[], &[]);
    let (future, printed) = shared::capture(complex_work);
    say(
        "main",
        format!("lines printed by calling complex_work(): {}", printed.len()),
    );
    say("main", format!("type: {}", type_name_of_val(&future)));
    say("main", format!("size: {} bytes", size_of_val(&future)));
    say("main", "now we poll it to the end:");
    run_task(future);
}
