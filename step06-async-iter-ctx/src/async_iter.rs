//! Async iteration: Python's `async for x in it`, written `while let Some(x) = it.next().await`.
//!
//! Python's async iterator has a coroutine method, `__anext__`, that raises `StopAsyncIteration`
//! at the end. Rust's shape — std's unstable `AsyncIterator`, the ecosystem's `Stream` — is one
//! poll method that answers "not yet", "here is the next item" or "the end". The `next()` future
//! around it is all that `async for` needs.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use crate::sleep;

/// Something that hands out items one at a time, waiting in between: Python's async iterator.
///
/// Every iterator of this crate is *fused*: after the end, it answers the end again, not a panic
/// (the ecosystem's `futures::stream::unfold` panics there, and that panic shows up in real bug
/// reports).
pub trait AsyncIterator {
    /// What it hands out.
    type Item;

    /// Python's `__anext__`, one step at a time: `Ready(Some(item))`, `Ready(None)` at the end
    /// (`StopAsyncIteration`), or `Pending`, once the waker of `cx` is kept for when to ask again.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>>;

    /// The next item, as a future: `while let Some(x) = it.next().await` is `async for x in it`.
    fn next(&mut self) -> Next<'_, Self>
    where
        Self: Unpin,
    {
        Next { iter: self }
    }

    /// Every item, in order, once the end comes: the comprehension `[x async for x in it]`.
    fn collect(mut self) -> impl Future<Output = Vec<Self::Item>>
    where
        Self: Sized + Unpin,
    {
        async move {
            let mut items = Vec::new();
            while let Some(item) = self.next().await {
                items.push(item);
            }
            items
        }
    }
}

/// The future of [`AsyncIterator::next`]: Python's `await it.__anext__()`.
#[derive(Debug)]
pub struct Next<'a, I: ?Sized> {
    /// The iterator it asks.
    iter: &'a mut I,
}

impl<I: AsyncIterator + Unpin + ?Sized> Future for Next<'_, I> {
    type Output = Option<I::Item>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.iter).poll_next(cx)
    }
}

/// The talk's `ARange(stop)`: the numbers from 0 to `stop - 1`, one per `tick` (the talk sleeps
/// one second). It is an async *iterable*: each [`ARange::aiter`] starts a fresh iterator, so it
/// can be iterated again.
#[derive(Clone, Copy, Debug)]
pub struct ARange {
    /// The first number not handed out.
    stop: u64,
    /// How long to sleep before each number.
    tick: Duration,
}

impl ARange {
    /// `ARange(stop)`, sleeping `tick` before each number.
    pub fn new(stop: u64, tick: Duration) -> ARange {
        ARange { stop, tick }
    }

    /// Python's `__aiter__`: a fresh iterator from 0. Not `async`: `__aiter__` must not be.
    pub fn aiter(&self) -> ARangeIterator {
        ARangeIterator {
            arange: *self,
            i: 0,
            sleeping: None,
        }
    }
}

/// The talk's `ARangeIterator`, written by hand: a state machine that knows the next number and
/// the sleep in progress, if any. (The `arange` generator is the same machine, written by the
/// compiler.)
pub struct ARangeIterator {
    /// What it iterates.
    arange: ARange,
    /// The next number: the talk's `self.i`.
    i: u64,
    /// The sleep before the next number, once started. Boxed: an `async fn`'s future has a type
    /// that cannot be named in a field.
    sleeping: Option<Pin<Box<dyn Future<Output = ()>>>>,
}

impl AsyncIterator for ARangeIterator {
    type Item = u64;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        let this = &mut *self;
        if this.sleeping.is_none() {
            // The stop first, as the talk checks it: no sleep after the last number, and the
            // end again at every call after it.
            if this.i >= this.arange.stop {
                return Poll::Ready(None);
            }
            this.sleeping = Some(Box::pin(sleep(this.arange.tick)));
        }
        if let Some(sleeping) = &mut this.sleeping {
            ready!(sleeping.as_mut().poll(cx));
        }
        this.sleeping = None;
        this.i += 1;
        Poll::Ready(Some(this.i - 1))
    }
}

impl fmt::Debug for ARangeIterator {
    /// The sleep in progress is a future, with no `Debug`: whether there is one is what matters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ARangeIterator")
            .field("arange", &self.arange)
            .field("i", &self.i)
            .field("sleeping", &self.sleeping.is_some())
            .finish()
    }
}
