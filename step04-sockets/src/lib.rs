//! Step 04 — sockets that never block the loop (talk §4.12–4.17).
//!
//! The idea: a non-blocking socket operation that is not ready yields to the loop and retries
//! later. Every operation of [`AioListener`] and [`AioStream`] asks "ready?" with a zero timeout
//! (`poll(2)`, in `sys.rs`); not ready, it awaits [`interrupt`]. The loop is step03's.
//!
//! The flaw left for the next step: a task waiting for a quiet socket is still polled on every
//! turn. A server with no client burns a whole core asking "ready?"; step05 makes the loop sleep
//! until the system says a socket has something to say.
//!
//! Start reading at `net.rs` (`wait_readable`, then the sockets), then `sys.rs` (the question
//! asked of the system) and `echo.rs` (a server: one task per client).
#![doc = include_str!("../README.md")]

mod coroutine;
pub mod echo;
mod event_loop;
mod gather;
pub mod net;
mod sys;
mod timer;
mod waiter;

pub use coroutine::{Interrupt, interrupt, run_task};
pub use event_loop::{Loop, NoCurrentLoop, Task, run_tasks};
pub use gather::gather;
pub use net::{AioListener, AioStream};
pub use timer::sleep;
pub use waiter::Waiter;
