//! A small async mutex built on the waiter idea: wait until the flag says "free". The talk says a
//! mutex could be built like its `Waiter` but shows none: this one is the workshop's addition.

use std::cell::Cell;
use std::rc::Rc;

use crate::interrupt;

/// Lets one coroutine at a time into a critical section that contains `.await`s.
///
/// Like the [`crate::Waiter`], a shared flag and a loop that yields until the flag allows going
/// on: here the flag is "locked", and whoever finds it clear sets it. Python's `async with lock:`.
#[derive(Clone, Debug, Default)]
pub struct Lock {
    /// True while a [`LockGuard`] exists.
    locked: Rc<Cell<bool>>,
}

impl Lock {
    /// A lock nobody holds.
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits until the lock is free, then takes it. Dropping the guard releases it.
    ///
    /// Checking and setting the flag happen in one poll with no `.await` between them, so no other
    /// coroutine can slip in: on one thread, only an `.await` lets someone else run.
    pub async fn acquire(&self) -> LockGuard {
        while self.locked.get() {
            interrupt().await;
        }
        self.locked.set(true);
        LockGuard {
            locked: Rc::clone(&self.locked),
        }
    }

    /// Whether someone holds the lock right now.
    pub fn is_locked(&self) -> bool {
        self.locked.get()
    }
}

/// Proof of holding a [`Lock`]; the lock is released when it is dropped (the `async with` exit).
#[derive(Debug)]
pub struct LockGuard {
    /// The flag of the lock this guard holds.
    locked: Rc<Cell<bool>>,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        self.locked.set(false);
    }
}
