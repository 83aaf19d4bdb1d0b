//! A future whose readiness is decided from outside: the talk's `Waiter`.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// A flag that one coroutine awaits and another sets with [`Waiter::notify`].
///
/// Clones share the flag: give one to the coroutine that waits (`waiter.await`) and keep one to
/// notify. Python's version is a class whose `__await__` yields until `self.done` is true.
#[derive(Clone, Debug, Default)]
pub struct Waiter {
    /// Set once by `notify`, read by every poll.
    notified: Rc<Cell<bool>>,
}

impl Waiter {
    /// A waiter nobody has notified yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets whoever awaits this waiter finish, at its next poll.
    pub fn notify(&self) {
        self.notified.set(true);
    }

    /// Whether [`Waiter::notify`] was called.
    pub fn is_notified(&self) -> bool {
        self.notified.get()
    }
}

impl Future for Waiter {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_notified() {
            return Poll::Ready(());
        }
        // Nobody will wake us when `notify` is called: `notify` does not know who waits. So we ask
        // to be polled again at once, and check the flag again then. That is a busy wait; step05
        // stores the waker here so that `notify` can wake exactly the task that waits.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
