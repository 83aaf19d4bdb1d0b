//! The talk's `Future` with `set()`: a value that one side sets and any number of tasks await.
//!
//! Rust's `Future` is a trait, so the talk's class gets another name here: `OneShot`, a value
//! that is set once. Where the talk's loop stores the task on the future (`future.task = task`),
//! the future stores the task's waker; `set()` stores the value and wakes every task that waits.

use std::cell::RefCell;
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
}

/// What the handles of a [`OneShot`] share.
struct State<T> {
    /// `None` until set.
    value: RefCell<Option<T>>,
    /// The tasks waiting for the value.
    wakers: RefCell<Vec<Waker>>,
}

impl<T> OneShot<T> {
    /// A one-shot not set yet.
    pub fn new() -> Self {
        OneShot {
            state: Rc::new(State {
                value: RefCell::new(None),
                wakers: RefCell::new(Vec::new()),
            }),
        }
    }

    /// Stores `value` and wakes every task waiting for it; the second time, an error.
    pub fn set(&self, value: T) -> Result<(), AlreadySet> {
        if self.is_set() {
            return Err(AlreadySet);
        }
        *self.state.value.borrow_mut() = Some(value);
        for waker in self.state.wakers.take() {
            waker.wake();
        }
        Ok(())
    }

    /// Whether [`OneShot::set`] was called.
    pub fn is_set(&self) -> bool {
        self.state.value.borrow().is_some()
    }

    /// True when this is the last handle: nobody else can set it, nor wait for it.
    pub(crate) fn is_orphan(&self) -> bool {
        Rc::strong_count(&self.state) == 1
    }
}

impl<T: Clone> Future for OneShot<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if let Some(value) = &*self.state.value.borrow() {
            return Poll::Ready(value.clone());
        }
        // Keep the waker, once, unless this is the last handle: then nobody can ever set it,
        // and holding the waker would hide from the loop that this task is stuck.
        let mut wakers = self.state.wakers.borrow_mut();
        if !self.is_orphan() && !wakers.iter().any(|w| w.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl<T> Drop for OneShot<T> {
    /// When only one handle will be left, the wakers kept are of no use: either that handle
    /// waits and nobody can set it any more, or it can set it and nobody waits any more.
    fn drop(&mut self) {
        if Rc::strong_count(&self.state) == 2 {
            self.state.wakers.borrow_mut().clear();
        }
    }
}

impl<T> Clone for OneShot<T> {
    fn clone(&self) -> Self {
        OneShot {
            state: Rc::clone(&self.state),
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
