//! A future whose readiness is decided from outside: the talk's `Waiter`.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// A counter that one coroutine awaits and others count down with [`Waiter::notify`].
///
/// Clones share the counter: give one to the coroutine that waits (`waiter.await`) and one to each
/// notifier. Python's version is a class whose `__await__` yields until `self.done` is true; the
/// talk's `Waiter(n)` is done after `n` calls to `set()`, which is what `gather` needs.
#[derive(Clone, Debug)]
pub struct Waiter {
    /// Notifications still expected; the waiter is done at zero.
    remaining: Rc<Cell<usize>>,
}

impl Waiter {
    /// A waiter done after one notification.
    pub fn new() -> Self {
        Self::with_count(1)
    }

    /// A waiter done after `count` notifications (at once if `count` is zero).
    pub fn with_count(count: usize) -> Self {
        Self {
            remaining: Rc::new(Cell::new(count)),
        }
    }

    /// Counts one notification; the last one lets whoever awaits this waiter finish.
    pub fn notify(&self) {
        self.remaining.set(self.remaining.get().saturating_sub(1));
    }

    /// Whether every expected notification arrived.
    pub fn is_notified(&self) -> bool {
        self.remaining.get() == 0
    }
}

impl Default for Waiter {
    fn default() -> Self {
        Self::new()
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
