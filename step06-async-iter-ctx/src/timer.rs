//! Sleeping without spinning: a heap of timers, and `sleep` as a one-shot set by one of them.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use shared::record::{self, Awaited};

use crate::{Loop, OneShot};

/// Suspends the calling task for at least `duration`: the talk's §5 `sleep`, a one-shot that a
/// timer of the loop sets (`call_later`), awaited. The task is not polled meanwhile, and when
/// every task sleeps, the loop sleeps in the kernel until the first deadline.
///
/// # Panics
///
/// Outside a running [`Loop`]: there is no loop to keep the timer (tokio panics the same way).
pub async fn sleep(duration: Duration) {
    let done = OneShot::new();
    // The loop is not kept across the await: a sleep that outlives its run (in a task kept
    // for the next one) would keep the loop alive, and every socket it holds open.
    Loop::current()
        .unwrap_or_else(|error| panic!("sleep: {error}: await it in a task of Loop::run_task"))
        .call_later(duration, done.clone());
    done.await;
}

/// Runs `future`, or gives up after `duration` with an error of kind `TimedOut`.
pub async fn timeout<T>(
    duration: Duration,
    future: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    let (mut future, mut alarm) = (pin!(future), pin!(sleep(duration)));
    poll_fn(|cx| match future.as_mut().poll(cx) {
        Poll::Ready(result) => Poll::Ready(result),
        Poll::Pending => alarm
            .as_mut()
            .poll(cx)
            .map(|()| Err(io::ErrorKind::TimedOut.into())),
    })
    .await
}

/// The talk's `TimeEvent(t, future)`: at `deadline`, set `future`.
#[derive(Debug)]
pub struct TimeEvent {
    /// When to set the future.
    deadline: Instant,
    /// The order of arrival: of two events due at the same instant, the first one fires first.
    order: u64,
    /// What to set.
    future: OneShot<()>,
}

/// The order of the heap: the event due first is the greatest, since `BinaryHeap` pops the
/// greatest. (The talk's `__lt__` is `return self.t < rhs`: a float against an event. Pushing
/// an event due no later than its parent in the `heapq` ends in its `__eq__`, which reads
/// `rhs.t` on that float: `AttributeError: 'float' object has no attribute 't'`.)
impl Ord for TimeEvent {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.deadline, other.order).cmp(&(self.deadline, self.order))
    }
}

impl PartialOrd for TimeEvent {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for TimeEvent {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for TimeEvent {}

/// The loop's timers: a min-heap of [`TimeEvent`]s, first deadline on top.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    /// The pending events.
    heap: BinaryHeap<TimeEvent>,
    /// How many events were ever pushed: the next event's `order`.
    pushed: u64,
    /// The heap's size after its last clean-up.
    kept: usize,
}

impl Timers {
    /// Adds an event. A `sleep` dropped before its deadline leaves its event behind, set for
    /// nobody; when such events could be half the heap, they are swept out, so that a server that
    /// arms a timeout per read does not grow a heap of dead timers.
    pub(crate) fn push(&mut self, deadline: Instant, future: OneShot<()>) {
        if self.heap.len() >= 2 * self.kept.max(64) {
            self.heap.retain(|event| !event.future.is_orphan());
            self.kept = self.heap.len();
        }
        record::describe(future.id(), Awaited::Timer(deadline)); // for `--step`
        let order = self.pushed;
        self.pushed += 1;
        self.heap.push(TimeEvent {
            deadline,
            order,
            future,
        });
    }

    /// Takes out the future of the earliest event, if it is due at `now`, for the loop to set.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<OneShot<()>> {
        let due = self.heap.peek().is_some_and(|event| event.deadline <= now);
        due.then(|| self.heap.pop())
            .flatten()
            .map(|event| event.future)
    }

    /// Whether no event is pending.
    pub(crate) fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// When the next event is due, if there is one: how long the loop may sleep. Events nobody
    /// waits for any more are dropped first: the loop should not wait for them, nor think that a
    /// stuck task might still be woken by one.
    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        while self
            .heap
            .peek()
            .is_some_and(|event| event.future.is_orphan())
        {
            self.heap.pop();
        }
        self.heap.peek().map(|event| event.deadline)
    }
}
