//! A future whose readiness is decided from outside: the talk's `Waiter`, which now wakes.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A counter that one coroutine awaits and others count down with [`Waiter::set`].
///
/// The talk's `Waiter(n=1)` of slide 4.10: `set()` counts down, and `__await__` yields while the
/// count is above zero; `gather` needs one `set()` per task. Clones share the counter: give one
/// to the coroutine that waits (`waiter.await`) and one to each task that sets it.
#[derive(Clone, Debug)]
pub struct Waiter {
    /// The talk's `self.i`: calls to `set` still expected; the waiter is done at zero.
    remaining: Rc<Cell<usize>>,
    /// The waker of the task that waits, for the last `set` to call.
    waiting: Rc<RefCell<Option<Waker>>>,
}

impl Waiter {
    /// A waiter done after one `set()`: the talk's `Waiter()`.
    pub fn new() -> Self {
        Self::with_count(1)
    }

    /// A waiter done after `count` calls to `set()` (at once if `count` is zero): `Waiter(n)`.
    pub fn with_count(count: usize) -> Self {
        Self {
            remaining: Rc::new(Cell::new(count)),
            waiting: Rc::new(RefCell::new(None)),
        }
    }

    /// Counts one down; the last one wakes whoever awaits this waiter.
    pub fn set(&self) {
        self.remaining.set(self.remaining.get().saturating_sub(1));
        if self.is_done() {
            if let Some(waker) = self.waiting.take() {
                waker.wake();
            }
        }
    }

    /// Whether every expected `set()` arrived.
    pub fn is_done(&self) -> bool {
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
        if self.is_done() {
            return Poll::Ready(());
        }
        // Keep the waker for the last `set`, and sleep until then: no polling in between. Unless
        // nobody else holds this waiter: then nobody can set it, and the loop should know.
        if Rc::strong_count(&self.remaining) > 1 {
            *self.waiting.borrow_mut() = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl Drop for Waiter {
    /// The last other handle is going: whoever is left can no longer be woken by anyone.
    fn drop(&mut self) {
        if Rc::strong_count(&self.remaining) == 2 {
            self.waiting.take();
        }
    }
}
