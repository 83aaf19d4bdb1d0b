//! A future whose readiness is decided from outside: the talk's `Waiter`, which now counts.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use shared::record::{self, Awaited};

/// A counter that one coroutine awaits and others count down with [`Waiter::set`].
///
/// The talk's `Waiter(n=1)` of slide 4.10: `set()` counts down, and `__await__` yields while the
/// count is above zero; `gather` needs one `set()` per task. Clones share the counter: give one
/// to the coroutine that waits (`waiter.await`) and one to each task that sets it.
#[derive(Clone, Debug)]
pub struct Waiter {
    /// The talk's `self.i`: calls to `set` still expected; the waiter is done at zero.
    remaining: Rc<Cell<usize>>,
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
        }
    }

    /// Counts one down; the last one lets whoever awaits this waiter finish.
    pub fn set(&self) {
        self.remaining.set(self.remaining.get().saturating_sub(1));
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
        // Nobody will wake us when the count reaches zero: `set` does not know who waits. So we
        // ask to be polled again at once, and check the count again then. That is a busy wait;
        // step05 stores the waker here so that the last `set` wakes exactly the task that waits.
        let remaining = self.remaining.get();
        record::awaits(Awaited::Waiter { remaining }); // for `--step`: what the task waits for
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
