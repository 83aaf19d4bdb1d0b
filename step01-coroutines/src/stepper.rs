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
    /// The future, boxed so that it stays pinned while the stepper moves; `None` once finished.
    future: Option<Pin<Box<F>>>,
    /// How many times `step` polled it.
    polls: usize,
}

impl<F: Future> Stepper<F> {
    /// Wraps a future without polling it: like a fresh coroutine object, it has not started.
    pub fn new(future: F) -> Self {
        Self {
            future: Some(Box::pin(future)),
            polls: 0,
        }
    }

    /// Polls once: `Pending` if the future suspended, `Ready(v)` when it finished.
    ///
    /// # Panics
    ///
    /// If called again after `Ready`. Python's third `next()` on a finished coroutine raises
    /// `RuntimeError: cannot reuse already awaited coroutine`; Rust's contract says a finished
    /// future may panic if polled again, and the stepper says so plainly.
    pub fn step(&mut self) -> Poll<F::Output> {
        let future = self
            .future
            .as_mut()
            .expect("Stepper::step called after the future finished");
        self.polls += 1;
        let poll = future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()));
        if poll.is_ready() {
            self.future = None;
        }
        poll
    }

    /// How many times the future was polled so far.
    pub fn polls(&self) -> usize {
        self.polls
    }

    /// True once the future returned `Ready`.
    pub fn is_done(&self) -> bool {
        self.future.is_none()
    }
}
