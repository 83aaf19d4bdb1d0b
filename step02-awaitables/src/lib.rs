//! Step 02 — awaitables (talk §3).
//!
//! The idea: anything that implements `Future` can be awaited; an `async fn` is one way to write
//! one. [`ComplexWork`] is `complex_work()` written by hand as a state machine; [`Waiter`] is a
//! future whose state the outside world changes; [`join`] polls two futures side by side.
//!
//! The flaw left for the next step: with no loop, two coroutines can only run side by side if a
//! combinator like `join` polls both, and every waiting future polls again and again.
//!
//! Start reading at `state_machine.rs` ([`ComplexWork`]), then `waiter.rs` and `join.rs`.
//! `lock.rs` is an addition (the talk only says a mutex could be built the same way). The other
//! files are step01's, unchanged but for a comment in `coroutine.rs`.
#![doc = include_str!("../README.md")]

mod complex_work;
mod coroutine;
mod join;
mod lock;
mod state_machine;
mod stepper;
mod waiter;

pub use complex_work::{complex_work, simple_print};
pub use coroutine::{Interrupt, interrupt, run_task};
pub use join::{Join, join};
pub use lock::{Lock, LockGuard};
pub use state_machine::ComplexWork;
pub use stepper::Stepper;
pub use waiter::Waiter;
