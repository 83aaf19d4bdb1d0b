//! Wakers: how a task that waits says "poll me again", from this thread or any other.
//!
//! The talk's §5 loop puts a task back in its list when the future it waits for is set
//! (`Loop.current.add_task(self.task)`): the future travels *up* to the loop, which stores the
//! task on it. Rust inverts the direction: the loop hands a `Waker` *down* through `Context`, the
//! future stores it, and calling it queues the task again. Here a waker is an `Arc` holding the
//! task's id; waking it pushes the id onto the loop's ready queue.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Wake;

/// The ids of the tasks to poll, shared by the loop and every waker, on any thread.
#[derive(Debug)]
pub(crate) struct ReadyQueue {
    /// Tasks woken and not polled since, oldest first.
    ids: Mutex<VecDeque<usize>>,
    /// True while the loop sleeps in the reactor: only then must a wake cut the sleep short.
    sleeping: AtomicBool,
    /// Wakes the reactor up: a write to an eventfd (or a pipe) that the reactor watches.
    alarm: mio::Waker,
}

impl ReadyQueue {
    /// An empty queue whose wakes from other threads ring `alarm`.
    pub(crate) fn new(alarm: mio::Waker) -> Arc<ReadyQueue> {
        Arc::new(ReadyQueue {
            ids: Mutex::new(VecDeque::new()),
            sleeping: AtomicBool::new(false),
            alarm,
        })
    }

    /// Queues `id`. A wake from the loop's own thread, while it runs a task, costs no system call;
    /// only a sleeping loop needs the alarm.
    fn push(&self, id: usize) {
        self.ids().push_back(id);
        if self.sleeping.load(Ordering::SeqCst) {
            let _ = self.alarm.wake(); // a failed alarm only delays the task to the next event
        }
    }

    /// Every task queued so far, oldest first; those woken from now on wait for the next turn.
    pub(crate) fn take_all(&self) -> VecDeque<usize> {
        std::mem::take(&mut *self.ids())
    }

    /// How many tasks wait for their turn.
    pub(crate) fn len(&self) -> usize {
        self.ids().len()
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
    /// Where a wake pushes `id`.
    queue: Arc<ReadyQueue>,
}

impl TaskWaker {
    /// The waker of task `id`, queued at once: a new task gets a first poll.
    pub(crate) fn new(id: usize, queue: Arc<ReadyQueue>) -> Arc<TaskWaker> {
        let waker = Arc::new(TaskWaker {
            id,
            queued: AtomicBool::new(false),
            queue,
        });
        waker.wake_by_ref();
        waker
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
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.queue.push(self.id);
        }
    }
}
