//! Step 03 — the round-robin loop (talk §4.1–4.11).
//!
//! The idea: an event loop is a queue of tasks polled in turn: [`run_tasks`], nine lines. [`Loop`]
//! lets tasks add tasks, and [`Loop::current`] lets [`gather`] find the loop it runs on.
//!
//! The flaw left for the next steps: the loop polls every task on every turn, ready or not, and
//! [`sleep`] is a busy loop: sleeping tasks burn a whole core. Step05 polls only woken tasks.
//!
//! Start reading at `event_loop.rs` ([`run_tasks`], then [`Loop`]), then `waiter.rs` (it now
//! counts), `gather.rs` and `timer.rs`. The other files are step02's, unchanged.
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
