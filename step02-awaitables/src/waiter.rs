//! A future whose readiness is decided from outside: the talk's `Waiter`.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// A flag that one coroutine awaits and another sets with [`Waiter::set_done`].
///
/// The talk's class has an attribute `done = False`, an `__await__` that yields until it is true,
/// and someone else writes `waiter.done = True`. Clones share the flag.
#[derive(Clone, Debug, Default)]
pub struct Waiter {
    /// The talk's `self.done`: set once, read by every poll.
    done: Rc<Cell<bool>>,
}

impl Waiter {
    /// A waiter whose flag is not set yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The talk's `waiter.done = True`: whoever awaits this waiter finishes at its next poll.
    pub fn set_done(&self) {
        self.done.set(true);
    }

    /// The talk's `waiter.done`.
    pub fn is_done(&self) -> bool {
        self.done.get()
    }
}

impl Future for Waiter {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_done() {
            return Poll::Ready(());
        }
        // Nobody will wake us when the flag is set: `set_done` does not know who waits. So we
        // ask to be polled again at once, and check the flag again then. That is a busy wait;
        // step05 stores the waker here so that setting the flag wakes exactly the task that waits.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
