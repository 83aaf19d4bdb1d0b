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

use shared::record::{self, Awaited};

/// A value set once and awaited by any number of tasks, each of which gets a clone of it.
///
/// Clones are handles to the same value: give one to each task that waits, keep one to set it.
/// Unlike the talk's `Future`, a `set()` before anyone awaits is not lost, a second `set()` is an
/// error, and every task that awaits resumes, not only the last one.
pub struct OneShot<T> {
    /// The value and the wakers, shared by every handle.
    state: Rc<State<T>>,
    /// This handle's place among those that wait, once it has waited.
    key: Option<usize>,
    /// It waited while it was the only handle: it kept no waker (see [`OneShot::clone`]).
    waited_alone: bool,
}

/// What the handles of a [`OneShot`] share.
struct State<T> {
    /// `None` until set.
    value: RefCell<Option<T>>,
    /// The tasks waiting for the value.
    wakers: RefCell<Waiting>,
}

/// The wakers of the tasks that wait, one per handle, in the slot its key numbers: a task polled
/// again replaces its own waker, and a handle dropped empties its slot for the next one. (A list
/// that only grows would keep the waker of every task that ever waited, and scan them all at
/// each poll.)
#[derive(Default)]
struct Waiting {
    /// One slot per key; `None` once its handle no longer waits.
    slots: Vec<Option<Waker>>,
    /// Keys free for the next handle that waits.
    free: Vec<usize>,
}

impl Waiting {
    /// Keeps `waker` in the slot of `key` (a new key the first time), unless the waker kept
    /// there wakes the same task already; returns the waker it replaces, for the caller to drop.
    fn keep(&mut self, key: &mut Option<usize>, waker: &Waker) -> Option<Waker> {
        let key = *key.get_or_insert_with(|| match self.free.pop() {
            Some(key) => key,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        });
        match &self.slots[key] {
            Some(kept) if kept.will_wake(waker) => None,
            _ => self.slots[key].replace(waker.clone()),
        }
    }

    /// Empties the slot of `key`, whose handle is dropped, and frees the key.
    fn remove(&mut self, key: usize) -> Option<Waker> {
        let waker = self.slots.get_mut(key)?.take(); // none: `set` took every waker already
        self.free.push(key);
        waker
    }
}

impl<T> OneShot<T> {
    /// A one-shot not set yet.
    pub fn new() -> Self {
        let one_shot = OneShot {
            state: Rc::new(State {
                value: RefCell::new(None),
                wakers: RefCell::new(Waiting::default()),
            }),
            key: None,
            waited_alone: false,
        };
        record::forget(one_shot.id()); // for `--step`: not the one-shot that lived here before
        one_shot
    }

    /// Stores `value` and wakes every task waiting for it; the second time, an error.
    pub fn set(&self, value: T) -> Result<(), AlreadySet> {
        if self.is_set() {
            return Err(AlreadySet);
        }
        *self.state.value.borrow_mut() = Some(value);
        // Take the wakers out before waking: a woken waker may use this one-shot.
        let waiting = self.state.wakers.take();
        for waker in waiting.slots.into_iter().flatten() {
            waker.wake();
        }
        Ok(())
    }

    /// Whether [`OneShot::set`] was called.
    pub fn is_set(&self) -> bool {
        self.state.value.borrow().is_some()
    }

    /// What `cargo xtask trace` and `--step` know this one-shot by (and its clones).
    pub(crate) fn id(&self) -> usize {
        record::id_of(&*self.state)
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
        record::awaits(Awaited::OneShot(self.id())); // for `--step`: what the task waits for
        // Keep the waker, unless this is the last handle: then nobody can ever set it, and
        // holding the waker would hide from the loop that this task is stuck.
        self.waited_alone = self.is_orphan();
        if !self.waited_alone {
            let this = &mut *self;
            let replaced = this
                .state
                .wakers
                .borrow_mut()
                .keep(&mut this.key, cx.waker());
            drop(replaced); // once the wakers are no longer borrowed: a waker's drop runs code
        }
        Poll::Pending
    }
}

impl<T> Drop for OneShot<T> {
    /// A handle that waited takes its waker away: a task that stopped waiting leaves nothing.
    /// When only one handle will be left, no waker kept is of use: that handle waits and nobody
    /// can set it any more, or it can set it and nobody waits any more.
    fn drop(&mut self) {
        let last_two = Rc::strong_count(&self.state) == 2;
        if self.key.is_none() && !last_two {
            return; // it never waited, and others stay: nothing to take away
        }
        let mut wakers = self.state.wakers.borrow_mut();
        let mine = self.key.and_then(|key| wakers.remove(key));
        let mut others = Vec::new();
        if last_two {
            others.extend(wakers.slots.iter_mut().filter_map(Option::take));
        }
        drop(wakers);
        drop((mine, others)); // once the wakers are no longer borrowed: a waker's drop runs code
    }
}

impl<T> Clone for OneShot<T> {
    /// Another handle to the same value; it has not waited yet.
    ///
    /// # Panics
    ///
    /// If this handle waited while it was the only one, and is not set: it kept no waker then,
    /// so setting the clone could not wake its task. Clone a one-shot before awaiting it.
    fn clone(&self) -> Self {
        assert!(
            !self.waited_alone || self.is_set(),
            "OneShot cloned after it waited alone: its task was not kept; clone it before awaiting"
        );
        OneShot {
            state: Rc::clone(&self.state),
            key: None,
            waited_alone: false,
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
        let waiting = self.state.wakers.borrow().slots.iter().flatten().count();
        f.debug_struct("OneShot")
            .field("set", &self.is_set())
            .field("waiting", &waiting)
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
