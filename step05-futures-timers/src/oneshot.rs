//! The talk's `Future` with `set()`: a value that one side sets and any number of tasks await.
//!
//! Rust's `Future` is a trait, so the talk's class gets another name here: `OneShot`, a value
//! that is set once. Where the talk's loop stores the task on the future (`future.task = task`),
//! the future stores the task's waker; `set()` stores the value and wakes every task that waits.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A value set once and awaited by any number of tasks, each of which gets a clone of it.
///
/// Clones are handles to the same value: give one to each task that waits, keep one to set it.
/// Unlike the talk's `Future`, a `set()` before anyone awaits is not lost, a second `set()` is an
/// error, and every task that awaits resumes, not only the last one.
pub struct OneShot<T> {
    /// The value and the wakers, shared by every handle.
    state: Rc<State<T>>,
    /// This handle's number among those that wait, once it has waited.
    key: Option<u64>,
}

/// What the handles of a [`OneShot`] share.
struct State<T> {
    /// `None` until set.
    value: RefCell<Option<T>>,
    /// The tasks waiting for the value: one waker per handle that waits, under its number, so
    /// that a task polled again replaces its waker, and a handle dropped takes its waker away.
    wakers: RefCell<BTreeMap<u64, Waker>>,
    /// The number of the next handle that waits.
    next_key: Cell<u64>,
}

impl<T> OneShot<T> {
    /// A one-shot not set yet.
    pub fn new() -> Self {
        OneShot {
            state: Rc::new(State {
                value: RefCell::new(None),
                wakers: RefCell::new(BTreeMap::new()),
                next_key: Cell::new(0),
            }),
            key: None,
        }
    }

    /// Stores `value` and wakes every task waiting for it; the second time, an error.
    pub fn set(&self, value: T) -> Result<(), AlreadySet> {
        if self.is_set() {
            return Err(AlreadySet);
        }
        *self.state.value.borrow_mut() = Some(value);
        // Take the wakers out before waking: a woken waker may use this one-shot.
        for waker in self.state.wakers.take().into_values() {
            waker.wake();
        }
        Ok(())
    }

    /// Whether [`OneShot::set`] was called.
    pub fn is_set(&self) -> bool {
        self.state.value.borrow().is_some()
    }

    /// Keeps `waker` under this handle's number (given on its first wait), in place of the one
    /// kept before, unless that one wakes the same task already: a task polled again while it
    /// waits still has one waker here, not one per poll.
    fn keep(&mut self, waker: &Waker) {
        let state = &self.state;
        let key = *self
            .key
            .get_or_insert_with(|| state.next_key.replace(state.next_key.get() + 1));
        let kept = state
            .wakers
            .borrow()
            .get(&key)
            .is_some_and(|kept| kept.will_wake(waker));
        if !kept {
            let replaced = state.wakers.borrow_mut().insert(key, waker.clone());
            drop(replaced); // after the borrow: dropping a waker may run code of its own
        }
    }

    /// True when this is the last handle: nobody else can set it, nor wait for it.
    pub(crate) fn is_orphan(&self) -> bool {
        Rc::strong_count(&self.state) == 1
    }
}

impl<T: Clone> Future for OneShot<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if let Some(value) = &*self.state.value.borrow() {
            return Poll::Ready(value.clone());
        }
        // Keep the waker, unless this is the last handle: then nobody can ever set it, and
        // holding the waker would hide from the loop that this task is stuck.
        if !self.is_orphan() {
            self.keep(cx.waker());
        }
        Poll::Pending
    }
}

impl<T> Drop for OneShot<T> {
    /// A handle that waited takes its waker away: a task that stopped waiting leaves nothing.
    /// When only one handle will be left, the other wakers are of no use either: that handle
    /// waits and nobody can set it any more, or it can set it and nobody waits any more.
    fn drop(&mut self) {
        let mine = self
            .key
            .and_then(|key| self.state.wakers.borrow_mut().remove(&key));
        let last_two = Rc::strong_count(&self.state) == 2;
        let others = if last_two {
            self.state.wakers.take()
        } else {
            BTreeMap::new()
        };
        drop((mine, others)); // once the map is no longer borrowed: a waker's drop runs code
    }
}

impl<T> Clone for OneShot<T> {
    /// Another handle to the same value; it has not waited yet.
    fn clone(&self) -> Self {
        OneShot {
            state: Rc::clone(&self.state),
            key: None,
        }
    }
}

impl<T> Default for OneShot<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for OneShot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneShot")
            .field("set", &self.is_set())
            .field("waiting", &self.state.wakers.borrow().len())
            .finish()
    }
}

/// The error of a second [`OneShot::set`]: the talk's code would queue the task twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlreadySet;

impl fmt::Display for AlreadySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("this one-shot was already set")
    }
}

impl std::error::Error for AlreadySet {}
