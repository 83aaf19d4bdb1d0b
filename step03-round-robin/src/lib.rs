//! Step 03 — the round-robin loop (talk §4.1–4.11).
//!
//! The idea: an event loop is a queue of tasks polled in turn. [`run_tasks`] is the whole idea
//! in ten lines; [`Loop`] adds what the talk needs next: tasks that add tasks, and
//! [`Loop::current`] so that [`gather`] can find the loop it runs on.
//!
//! The flaw left for the next steps: the loop polls every task on every turn, ready or not.
//! [`sleep`] is a busy loop of interrupts, and a loop of sleeping tasks burns a whole core;
//! step05 makes the loop poll only the tasks that were woken.
//!
//! Start reading at `event_loop.rs` ([`run_tasks`], then [`Loop`]), then `waiter.rs` (it now
//! counts), `gather.rs` and `timer.rs`. `coroutine.rs`, `complex_work.rs` and
//! `state_machine.rs` are unchanged; the talk's slide 4.4 runs them on the loop.
#![doc = include_str!("../README.md")]

mod complex_work;
mod coroutine;
mod event_loop;
mod gather;
mod state_machine;
mod timer;
mod waiter;

pub use complex_work::{complex_work, simple_print};
pub use coroutine::{Interrupt, interrupt, run_task};
pub use event_loop::{Loop, NoCurrentLoop, Task, run_tasks};
pub use gather::gather;
pub use state_machine::ComplexWork;
pub use timer::sleep;
pub use waiter::Waiter;
