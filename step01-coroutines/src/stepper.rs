//! Polling by hand, one step at a time: the talk's `next(it)` calls.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Polls a future one step at a time, and counts the polls.
///
/// `next(it)` on the talk's `it = complex_work().__await__()` runs the coroutine to its next
/// `yield` and returns `None`, or raises `StopIteration`; `step()` polls once and returns
/// `Pending`, or `Ready(v)`. A demo shows each suspension; a test asserts how many there were.
#[derive(Debug)]
pub struct Stepper<F: Future> {
    /// The future, boxed so that it stays pinned while the stepper moves.
    future: Pin<Box<F>>,
    /// How many times `step` polled it.
    polls: usize,
}

impl<F: Future> Stepper<F> {
    /// Wraps a future without polling it: like a fresh coroutine object, it has not started.
    pub fn new(future: F) -> Self {
        Self {
            future: Box::pin(future),
            polls: 0,
        }
    }

    /// Polls once: `Pending` if the future suspended, `Ready(v)` when it finished.
    ///
    /// Stepping again after `Ready` polls a finished future, which is the future's business: an
    /// `async fn` panics (`` `async fn` resumed after completion ``), as a finished Python
    /// coroutine raises `RuntimeError: cannot reuse already awaited coroutine`.
    pub fn step(&mut self) -> Poll<F::Output> {
        self.polls += 1;
        let mut cx = Context::from_waker(Waker::noop());
        self.future.as_mut().poll(&mut cx)
    }

    /// How many times the future was polled so far.
    pub fn polls(&self) -> usize {
        self.polls
    }
}
