//! Async iteration: Python's `async for x in it` is `while let Some(x) = it.next().await`.
//!
//! Python's async iterator has a coroutine method, `__anext__`, that raises `StopAsyncIteration`
//! at the end. Rust's shape (std's unstable `AsyncIterator`, the ecosystem's `Stream`) is one
//! poll method that answers "not yet", "here is the next item" or "the end".

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use crate::{Loop, OneShot, generator, sleep};

/// Something that hands out items one at a time, waiting in between: Python's async iterator.
/// Every iterator here is *fused*: after the end, it answers the end again, never a panic.
pub trait AsyncIterator {
    /// What it hands out.
    type Item;

    /// Python's `__anext__`, one step at a time: `Ready(Some(item))`, `Ready(None)` at the end
    /// (`StopAsyncIteration`), or `Pending`, with the waker of `cx` kept for when to ask again.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>>;

    /// The next item, as a future: Python's `await it.__anext__()`.
    fn next(&mut self) -> Next<'_, Self>
    where
        Self: Unpin + Sized, // as every method here: `dyn AsyncIterator` stays possible
    {
        Next { iter: self }
    }

    /// The items already here, together, at most `cap` of them: a chunk ends where the next
    /// item would have to be waited for. (The ecosystem's `ready_chunks`: a server answers them
    /// in one write.) Panics if `cap` is 0.
    fn ready_chunks(self, cap: usize) -> ReadyChunks<Self>
    where
        Self: Sized,
    {
        assert!(cap > 0, "ready_chunks: a chunk holds at least one item");
        ReadyChunks {
            iter: self,
            cap,
            ended: false,
        }
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

/// The future of [`AsyncIterator::next`].
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

/// Boxed, an async iterator is still one, as a boxed `Iterator` is: `Box<dyn AsyncIterator>`.
impl<I: AsyncIterator + Unpin + ?Sized> AsyncIterator for Box<I> {
    type Item = I::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<I::Item>> {
        Pin::new(&mut **self).poll_next(cx)
    }
}

/// The iterator of [`AsyncIterator::ready_chunks`].
#[derive(Debug)]
pub struct ReadyChunks<I> {
    /// The iterator whose items it gathers.
    iter: I,
    /// The most items in a chunk.
    cap: usize,
    /// Whether `iter` has ended: only the end is left.
    ended: bool,
}

impl<I: AsyncIterator + Unpin> AsyncIterator for ReadyChunks<I> {
    type Item = Vec<I::Item>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut chunk = Vec::new();
        while !self.ended && chunk.len() < self.cap {
            match Pin::new(&mut self.iter).poll_next(cx) {
                Poll::Ready(Some(item)) => chunk.push(item),
                Poll::Ready(None) => self.ended = true,
                Poll::Pending if chunk.is_empty() => return Poll::Pending,
                Poll::Pending => break, // the rest would have to be waited for
            }
        }
        Poll::Ready((!chunk.is_empty()).then_some(chunk))
    }
}

/// The talk's `ARange(stop)`: 0 to `stop - 1`, one per `tick` (the talk's `sleep(1)`). An async
/// *iterable*: each [`ARange::aiter`] starts a fresh iterator, so it can be iterated again.
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

/// The talk's `ARangeIterator`, by hand: a state machine that knows the next number, and the
/// sleep in progress. ([`arange`] is the same machine, written by the compiler.)
#[derive(Debug)]
pub struct ARangeIterator {
    /// What it iterates.
    arange: ARange,
    /// The next number: the talk's `self.i`.
    i: u64,
    /// The sleep before the next number, once started: the one-shot that a timer sets, which is
    /// all that `sleep` is.
    sleeping: Option<OneShot<()>>,
}

impl AsyncIterator for ARangeIterator {
    type Item = u64;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        let this = &mut *self;
        if this.sleeping.is_none() {
            // The stop first, as the talk checks it: no sleep after the last number.
            if this.i >= this.arange.stop {
                return Poll::Ready(None);
            }
            let event_loop = Loop::current().unwrap_or_else(|error| panic!("ARange: {error}"));
            let done = OneShot::new();
            event_loop.call_later(this.arange.tick, done.clone());
            this.sleeping = Some(done);
        }
        if let Some(sleeping) = &mut this.sleeping {
            ready!(Pin::new(sleeping).poll(cx));
        }
        this.sleeping = None;
        this.i += 1;
        Poll::Ready(Some(this.i - 1))
    }
}

/// The talk's `arange(stop)`, an async generator: `for i in range(stop): await sleep(1); yield i`.
pub fn arange(stop: u64, tick: Duration) -> impl AsyncIterator<Item = u64> + Unpin {
    generator(move |mut co| async move {
        for i in 0..stop {
            sleep(tick).await;
            co.yield_(i).await;
        }
    })
}
