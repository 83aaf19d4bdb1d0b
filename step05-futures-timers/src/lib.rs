//! Step 05 — no future (talk §5): wakers, timers and a reactor; nothing spins any more.
//!
//! The idea: a task that waits for something known not to be ready is not polled; it is woken.
//! Its `Waker` queues its id on the loop's ready queue; a timer sets a [`OneShot`] that wakes it;
//! a socket wakes it through the reactor. With no task ready, the loop sleeps in the kernel.
//!
//! The flaw left for the next step: Python's `async for` and `async with` have nothing to match
//! yet. Items that arrive over time take a hand-written `poll` state machine, and a resource's
//! cleanup cannot await when its task is cancelled (Rust has no async `Drop`): step06 builds
//! both on this loop, unchanged.
//!
//! Start reading at `waker.rs`, then `event_loop.rs` (`run`, `poll_task`, `sleep_until_woken`),
//! `oneshot.rs` and `timer.rs` (the talk's `Future` and `TimeEvent`), `reactor.rs` and `net.rs`.
#![doc = include_str!("../README.md")]

mod coroutine;
pub mod echo;
mod event_loop;
mod gather;
pub mod net;
mod oneshot;
mod reactor;
mod timer;
mod waiter;
mod waker;

pub use coroutine::{Interrupt, interrupt, run_task};
pub use event_loop::{Loop, NoCurrentLoop, Stuck, Task, run_tasks};
pub use gather::gather;
pub use net::{AioListener, AioStream};
pub use oneshot::{AlreadySet, OneShot};
pub use timer::{TimeEvent, sleep, timeout};
pub use waiter::Waiter;
