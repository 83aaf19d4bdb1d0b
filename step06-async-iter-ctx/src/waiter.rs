//! A future whose readiness is decided from outside: the talk's `Waiter`, which now wakes.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use shared::record::{self, Awaited};

use crate::OneShot;

/// A counter that one coroutine awaits and others count down with [`Waiter::set`].
///
/// The talk's `Waiter(n=1)` of slide 4.10: `set()` counts down, and `__await__` yields while the
/// count is above zero; `gather` needs one `set()` per task. Clones share the counter: give one
/// to the coroutine that waits (`waiter.await`) and one to each task that sets it.
#[derive(Clone, Debug)]
pub struct Waiter {
    /// The talk's `self.i`: calls to `set` still expected; the waiter is done at zero.
    remaining: Rc<Cell<usize>>,
    /// Set by the last `set()`: it keeps the wakers of every task that awaits this waiter.
    done: OneShot<()>,
}

impl Waiter {
    /// A waiter done after one `set()`: the talk's `Waiter()`.
    pub fn new() -> Self {
        Self::with_count(1)
    }

    /// A waiter done after `count` calls to `set()` (at once if `count` is zero): `Waiter(n)`.
    pub fn with_count(count: usize) -> Self {
        let waiter = Self {
            remaining: Rc::new(Cell::new(count)),
            done: OneShot::new(),
        };
        if waiter.is_done() {
            let _ = waiter.done.set(());
        }
        waiter
    }

    /// Counts one down; the last one wakes every task that awaits this waiter.
    pub fn set(&self) {
        self.remaining.set(self.remaining.get().saturating_sub(1));
        let remaining = self.remaining.get();
        record::describe(self.done.id(), Awaited::Waiter { remaining }); // for `--step`
        if self.is_done() {
            let _ = self.done.set(()); // set already by an earlier `set()`: nothing more to do
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

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // The one-shot keeps our waker for the last `set`, and we sleep until then: no polling
        // in between. (If nobody else holds this waiter, nobody can set it: it keeps none.)
        let remaining = self.remaining.get();
        record::describe(self.done.id(), Awaited::Waiter { remaining }); // for `--step`
        Pin::new(&mut self.done).poll(cx)
    }
}
