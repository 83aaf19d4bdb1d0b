//! Async generators without macros or `unsafe`: Python's `async def` with a `yield` in it.
//! Stable Rust has no `async gen` block; here the body is an `async` block handed a yielder,
//! [`Co`], and the body and its consumer share a one-slot cell.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::AsyncIterator;

/// An async generator: `body` gets a yielder, and hands out an item at each `co.yield_(x).await`
/// (the README shows one).
pub fn generator<T, Fut>(body: impl FnOnce(Co<T>) -> Fut) -> Generator<T, Fut>
where
    Fut: Future<Output = ()>,
{
    Generator::new(body)
}

/// What a generator's body and its consumer share.
struct Shared<T, R> {
    /// The item handed out by `yield_`, until the consumer takes it.
    slot: Cell<Option<T>>,
    /// What the consumer sends back, for the pending `yield_` to return (Python's `asend`).
    sent: Cell<Option<R>>,
    /// True while the generator polls its body: the only time a `yield_` may be awaited.
    polling: Cell<bool>,
}

/// The yielder, Python's `yield`. `R` is what each `yield_` returns, sent back by the consumer:
/// nothing (`()`) for an async iterator.
pub struct Co<T, R = ()> {
    /// Shared with the generator.
    shared: Rc<Shared<T, R>>,
}

impl<T, R> Co<T, R> {
    /// Python's `yield value`: hands `value` out, suspends the body until the next item is asked
    /// for, then returns what the consumer sent back. Its future borrows the yielder, so two
    /// yields cannot be in flight at once:
    ///
    /// ```compile_fail
    /// # use step06_async_iter_ctx::*;
    /// let numbers = generator(|mut co| async move {
    ///     let first = co.yield_(1);
    ///     let second = co.yield_(2); // error: `co` is already borrowed by `first`
    ///     first.await;
    ///     second.await;
    /// });
    /// ```
    pub fn yield_(&mut self, value: T) -> Yield<'_, T, R> {
        Yield {
            co: self,
            value: Some(value),
        }
    }
}

/// The future of [`Co::yield_`].
#[derive(Debug)]
pub struct Yield<'a, T, R> {
    /// The yielder it borrows.
    co: &'a mut Co<T, R>,
    /// The item, until it is handed out.
    value: Option<T>,
}

// Nothing in a `Yield` is ever pinned in place: the item is moved out, never borrowed.
impl<T, R> Unpin for Yield<'_, T, R> {}

impl<T, R> Future for Yield<'_, T, R> {
    type Output = R;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let this = self.get_mut();
        let shared = &this.co.shared;
        assert!(
            shared.polling.get(),
            "yield_ awaited outside its generator: a yielder cannot move to another task"
        );
        match this.value.take() {
            // The first poll fills the slot, and suspends the body without waking anyone: right
            // only because the generator finds the slot full in this same poll, and returns.
            Some(value) => {
                shared.slot.set(Some(value));
                Poll::Pending
            }
            // Polled again: the consumer took the item and asks for the next one.
            None => Poll::Ready(shared.sent.take().expect("sent back first")),
        }
    }
}

impl<T, R> Drop for Yield<'_, T, R> {
    /// A yield let go before the body resumed from it (polled by hand, then dropped) takes its
    /// item back: an item is handed out only by a yield the body waits on.
    fn drop(&mut self) {
        if self.value.is_none() {
            self.co.shared.slot.take();
        }
    }
}

/// The "being polled by its generator" flag, set while it lives: cleared also when the body
/// panics, so that a yielder used elsewhere afterwards is still caught.
struct Polling<'a>(&'a Cell<bool>);

impl<'a> Polling<'a> {
    /// Sets `flag` until the returned value is dropped.
    fn begin(flag: &'a Cell<bool>) -> Self {
        flag.set(true);
        Polling(flag)
    }
}

impl Drop for Polling<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// What a generator's body did when it was resumed.
pub(crate) enum Resumed<T, O> {
    /// It handed out an item.
    Yielded(T),
    /// It ended, with this value.
    Complete(O),
}

/// An async generator: the body, run piece by piece, one item at a time. Made by [`generator`].
pub struct Generator<T, Fut, R = ()> {
    /// Shared with the body's yielder.
    shared: Rc<Shared<T, R>>,
    /// The body, pinned on the heap; `None` once it has ended: its locals' `Drop`s run at once.
    body: Option<Pin<Box<Fut>>>,
}

impl<T, Fut: Future, R> Generator<T, Fut, R> {
    /// Hands a yielder to `body`; runs nothing yet.
    pub(crate) fn new(body: impl FnOnce(Co<T, R>) -> Fut) -> Self {
        let shared = Rc::new(Shared {
            slot: Cell::new(None),
            sent: Cell::new(None),
            polling: Cell::new(false),
        });
        let co = Co {
            shared: Rc::clone(&shared),
        };
        Generator {
            shared,
            body: Some(Box::pin(body(co))),
        }
    }

    /// Gives the value that the pending `yield_` returns when the body resumes.
    pub(crate) fn send(&mut self, value: R) {
        self.shared.sent.set(Some(value));
    }

    /// Runs the body up to its next `yield_`, or to its end (after which it must not be called).
    pub(crate) fn poll_resume(&mut self, cx: &mut Context<'_>) -> Poll<Resumed<T, Fut::Output>> {
        let body = self.body.as_mut().expect("resumed after its end");
        let polled = {
            let _polling = Polling::begin(&self.shared.polling);
            body.as_mut().poll(cx)
        };
        if let Poll::Ready(output) = polled {
            self.body = None; // its locals are dropped now, not later
            return Poll::Ready(Resumed::Complete(output));
        }
        match self.shared.slot.take() {
            Some(item) => Poll::Ready(Resumed::Yielded(item)),
            None => Poll::Pending, // it awaits something else: that will wake us
        }
    }
}

impl<T, Fut: Future<Output = ()>> AsyncIterator for Generator<T, Fut> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        if this.body.is_none() {
            return Poll::Ready(None); // ended: the end again
        }
        this.send(());
        this.poll_resume(cx).map(|resumed| match resumed {
            Resumed::Yielded(item) => Some(item),
            Resumed::Complete(()) => None,
        })
    }
}

impl<T, R> fmt::Debug for Co<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Co")
    }
}

impl<T, Fut, R> fmt::Debug for Generator<T, Fut, R> {
    /// The body is a future, with no `Debug`: whether it has ended is what matters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ended = self.body.is_none();
        f.debug_struct("Generator").field("ended", &ended).finish()
    }
}
