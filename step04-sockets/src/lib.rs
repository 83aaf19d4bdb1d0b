//! Step 04 — sockets that never block the loop.
//!
//! The one idea: a non-blocking socket operation that is not ready yields to the loop and retries
//! later. Every operation of [`AioListener`] and [`AioStream`] asks the socket "ready?" with a
//! zero timeout (`poll(2)`, in `sys.rs`); not ready, it awaits [`interrupt`] and asks again on its
//! next turn. The loop is step03's, unchanged.
//!
//! The flaw left for the next step: a task waiting for a quiet socket is still polled on every
//! turn. A server with no client burns a whole core asking "ready?"; step05 makes the loop sleep
//! until the system says a socket has something to say.
#![doc = include_str!("../README.md")]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use shared::say;

pub mod echo;
mod event_loop;
mod gather;
mod join;
mod lock;
pub mod net;
mod state_machine;
mod sys;
mod timer;
mod waiter;

pub use event_loop::{Loop, NoCurrentLoop, Task, run_tasks};
pub use gather::gather;
pub use join::{Join, join};
pub use lock::{Lock, LockGuard};
pub use net::{AioListener, AioStream};
pub use state_machine::ComplexWork;
pub use timer::sleep;
pub use waiter::Waiter;

/// A future that is `Pending` exactly once, then `Ready(())`: Python's `yield` inside an
/// `@types.coroutine`, or `await asyncio.sleep(0)`.
///
/// Written by hand, like every future in this step's modules; every `async fn` here suspends only
/// because, somewhere down the chain, it awaits an `Interrupt`.
pub fn interrupt() -> Interrupt {
    Interrupt { yielded: false }
}

/// The future returned by [`interrupt`].
#[derive(Debug)]
pub struct Interrupt {
    /// Whether we already returned `Pending` once.
    yielded: bool,
}

impl Future for Interrupt {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // Rust's contract: whoever returns `Pending` has arranged to be woken, or nobody will
        // ever poll it again. Nothing outside will wake us, so we wake ourselves right away:
        // "I am not done, but I can go on as soon as you like".
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Some work in three steps, with a pause between each: the talk's `complex_work()` coroutine.
///
/// The second step is another `async fn`; its pause travels up through this one to whoever polls
/// it, as `yield from` (or `await`) does in Python. Returns the answer it computed.
pub async fn complex_work() -> u32 {
    say("complex_work", "step 1: start");
    interrupt().await;
    let partial = sub_work().await;
    say(
        "complex_work",
        format!("step 2: sub_work returned {partial}"),
    );
    interrupt().await;
    say("complex_work", "step 3: done");
    partial * 2
}

/// The nested coroutine awaited by [`complex_work`]: it suspends twice itself.
pub async fn sub_work() -> u32 {
    say("  sub_work", "begin");
    interrupt().await;
    say("  sub_work", "middle");
    interrupt().await;
    say("  sub_work", "end");
    21
}

/// How many times [`complex_work`] suspends: one `interrupt` of its own, two in [`sub_work`],
/// and one more of its own.
pub const COMPLEX_WORK_SUSPENSIONS: usize = 4;

/// Runs a future to completion by polling it until it is `Ready`: Python's
/// `for _ in coro: pass`, then reading `StopIteration.value`.
///
/// The waker is a no-op because we never sleep: we poll again at once, whatever happens. That is
/// a busy loop, and the whole point of the later steps is to do better.
pub fn run_task<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

/// Polls a future one step at a time: the manual `coro.send(None)` calls of the talk.
///
/// It counts the polls, so a demo can show each suspension and a test can assert how many there
/// were.
#[derive(Debug)]
pub struct Stepper<F: Future> {
    /// The future, boxed so that it stays pinned while the stepper moves; `None` once finished.
    future: Option<Pin<Box<F>>>,
    /// How many times `step` polled it.
    polls: usize,
}

impl<F: Future> Stepper<F> {
    /// Wraps a future without polling it: like a fresh coroutine object, it has not started.
    pub fn new(future: F) -> Self {
        Self {
            future: Some(Box::pin(future)),
            polls: 0,
        }
    }

    /// Polls once: `Pending` if the future suspended, `Ready(v)` when it finished.
    ///
    /// # Panics
    ///
    /// If called again after `Ready`. A finished `async fn` must not be polled again (Python
    /// raises `StopIteration` again in the same situation); the stepper says so plainly.
    pub fn step(&mut self) -> Poll<F::Output> {
        let future = self
            .future
            .as_mut()
            .expect("Stepper::step called after the future finished");
        self.polls += 1;
        let poll = future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()));
        if poll.is_ready() {
            self.future = None;
        }
        poll
    }

    /// How many times the future was polled so far.
    pub fn polls(&self) -> usize {
        self.polls
    }

    /// True once the future returned `Ready`.
    pub fn is_done(&self) -> bool {
        self.future.is_none()
    }
}

/// The compiler's name for the type of a value: for a future, the name of its state machine.
///
/// Python shows `<coroutine object complex_work at 0x…>`; Rust shows
/// `step04_sockets::complex_work::{{closure}}`, an anonymous type the compiler generated.
pub fn type_name_of<T>(_: &T) -> &'static str {
    std::any::type_name::<T>()
}
