//! Step 06 — more tools (talk §6): async iteration, async generators, async context managers.
//!
//! The idea: `async for` and `async with` are built from the same loop and futures. An async
//! iterator is one poll method, and `while let Some(x) = it.next().await` is `async for`; an
//! async generator is an `async` block handed a yielder. An async context manager's exit runs on
//! every path, also when its body is cancelled: Rust has no async `Drop`, so a guard hands the
//! exit to the loop as a task of its own, and the loop runs that cleanup before `run` returns.
//!
//! The flaw left: this is where the talk ends. The runtime is for understanding, not for
//! production: one thread, and much left out; the root README says where to go next.
//!
//! Start reading at `async_iter.rs` (the trait, and `ARange` by hand), then `generator.rs` (the
//! same machine, written by the compiler), `context.rs` (`async_with` and its guard),
//! `lines.rs` (a socket's lines), and `run` in `event_loop.rs` (the cleanup it waits for).
#![doc = include_str!("../README.md")]

mod async_iter;
mod context;
mod coroutine;
pub mod echo;
mod event_loop;
mod gather;
mod generator;
mod lines;
pub mod net;
mod oneshot;
mod reactor;
mod timer;
mod waiter;
mod waker;

pub use async_iter::{ARange, ARangeIterator, AsyncIterator, Next, ReadyChunks, arange};
pub use context::{
    AsyncContextManager, FromGenerator, Outcome, async_with, context_from_generator,
};
pub use coroutine::{Interrupt, interrupt, run_task};
pub use event_loop::{Loop, NoCurrentLoop, Stuck, Task, run_tasks};
pub use gather::gather;
pub use generator::{Co, Generator, Yield, generator};
pub use net::{AioListener, AioStream, Server};
pub use oneshot::{AlreadySet, OneShot};
pub use timer::{TimeEvent, sleep, timeout};
pub use waiter::Waiter;
