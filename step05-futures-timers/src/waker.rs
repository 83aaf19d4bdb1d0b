//! Wakers: how a task that waits says "poll me again", from this thread or any other.
//!
//! The talk's §5 loop puts a task back in its list when the future it waits for is set
//! (`Loop.current.add_task(self.task)`): the future travels *up* to the loop, which stores the
//! task on it. Rust inverts the direction: the loop hands a `Waker` *down* through `Context`, the
//! future stores it, and calling it queues the task again. Here a waker is an `Arc` holding the
//! task's id; waking it queues the id. From the loop's own thread, while it runs, the id goes
//! straight onto the loop's queue: no lock, no system call. From anywhere else (another thread,
//! or a loop that is not running), it goes onto a locked queue that can ring the sleeping loop.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Wake;

use shared::record;

use crate::event_loop::queue_here;

/// The ids of tasks woken away from the running loop, shared by the loop and every waker, on
/// any thread: the loop moves them onto its own queue at each turn.
#[derive(Debug)]
pub(crate) struct ReadyQueue {
    /// Tasks woken and not moved to the loop's queue yet, oldest first.
    ids: Mutex<VecDeque<usize>>,
    /// True while `ids` holds some: most turns, the loop learns that there is none without
    /// taking the lock.
    any: AtomicBool,
    /// True while the loop sleeps in the reactor: only then must a wake cut the sleep short.
    sleeping: AtomicBool,
    /// Wakes the reactor up: a write to an eventfd (or a pipe) that the reactor watches.
    alarm: mio::Waker,
}

impl ReadyQueue {
    /// An empty queue whose wakes ring `alarm` while the loop sleeps.
    pub(crate) fn new(alarm: mio::Waker) -> Arc<ReadyQueue> {
        Arc::new(ReadyQueue {
            ids: Mutex::new(VecDeque::new()),
            any: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
            alarm,
        })
    }

    /// Queues `id`, and rings the alarm if the loop sleeps.
    fn push(&self, id: usize) {
        let mut ids = self.ids();
        ids.push_back(id);
        self.any.store(true, Ordering::Release);
        drop(ids);
        if self.sleeping.load(Ordering::SeqCst) {
            let _ = self.alarm.wake(); // a failed alarm only delays the task to the next event
        }
    }

    /// Moves every id queued so far onto the loop's own queue, `ready`.
    pub(crate) fn move_to(&self, ready: &mut VecDeque<usize>) {
        if self.any.load(Ordering::Acquire) {
            let mut ids = self.ids();
            ready.append(&mut ids);
            self.any.store(false, Ordering::Release);
        }
    }

    /// Whether no id waits here. It takes the lock: the answer is exact, not a hint.
    pub(crate) fn is_empty(&self) -> bool {
        self.ids().is_empty()
    }

    /// Tells wakers whether the loop is about to sleep (`true`) or awake (`false`).
    ///
    /// The loop says "sleeping" *before* it looks at the queue a last time, and a waker pushes
    /// *before* it looks at the flag: so either the loop sees the new id, or the waker sees the
    /// flag and rings. Never both miss.
    pub(crate) fn set_sleeping(&self, sleeping: bool) {
        self.sleeping.store(sleeping, Ordering::SeqCst);
    }

    /// The queue, even if a panicking thread held the lock: a list of ids stays valid.
    fn ids(&self) -> MutexGuard<'_, VecDeque<usize>> {
        self.ids.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a task's `Waker` points to: its id, and whether it is queued already.
#[derive(Debug)]
pub(crate) struct TaskWaker {
    /// The task's key in the loop's slab.
    id: usize,
    /// True from a wake until the loop polls the task: a task woken twice is queued once.
    queued: AtomicBool,
    /// Where a wake away from the running loop pushes `id`.
    queue: Arc<ReadyQueue>,
}

impl TaskWaker {
    /// The waker of task `id`, queued already: the loop puts a new task in its queue itself.
    pub(crate) fn new(id: usize, queue: Arc<ReadyQueue>) -> Arc<TaskWaker> {
        Arc::new(TaskWaker {
            id,
            queued: AtomicBool::new(true),
            queue,
        })
    }

    /// Called by the loop just before it polls the task: was it really queued? (An id can also
    /// be a stale one, pushed by the waker of a task that has finished.) From now on, a wake
    /// queues it again.
    pub(crate) fn take_queued(&self) -> bool {
        self.queued.swap(false, Ordering::AcqRel)
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.queued.swap(true, Ordering::AcqRel) {
            return; // queued already: polled once, however many wakes
        }
        record::woken(self.id);
        if !queue_here(&self.queue, self.id) {
            self.queue.push(self.id);
        }
    }
}
