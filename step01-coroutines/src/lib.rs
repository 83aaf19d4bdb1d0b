//! Step 01 — a world of coroutines (talk §2).
//!
//! The idea: calling an `async fn` runs nothing. It builds a value, a state machine, and
//! `Future::poll` runs that machine up to its next suspension. `Poll::Pending` is the suspension
//! (the `None` a Python coroutine yields), `Poll::Ready(v)` is the end (`StopIteration(v)`).
//!
//! The flaw left for the next steps: the only thing we can await is [`interrupt`], and the only
//! way to run a future is to poll it again and again until it is done.
//!
//! Start reading at `coroutine.rs`: [`interrupt`], the one future written by hand, and
//! [`run_task`], the loop that polls. Then `complex_work.rs` (the talk's coroutines) and
//! `stepper.rs` (polling by hand, one `next()` at a time).
#![doc = include_str!("../README.md")]

mod complex_work;
mod coroutine;
mod stepper;

pub use complex_work::{complex_work, simple_print};
pub use coroutine::{Interrupt, interrupt, run_task};
pub use stepper::Stepper;
