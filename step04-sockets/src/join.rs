//! Two futures side by side, with no event loop: a future that polls two others.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs `a` and `b` side by side and returns both results once both are done.
///
/// There is no loop yet, so the only way for two coroutines to take turns is for one future to
/// poll both: each poll of the `Join` gives each unfinished future one step.
pub fn join<A: Future, B: Future>(a: A, b: B) -> Join<A, B> {
    Join {
        a: Box::pin(a),
        b: Box::pin(b),
        a_output: None,
        b_output: None,
    }
}

/// The future returned by [`join`].
#[derive(Debug)]
pub struct Join<A: Future, B: Future> {
    /// The first future, boxed so it stays pinned while the `Join` moves.
    a: Pin<Box<A>>,
    /// The second future.
    b: Pin<Box<B>>,
    /// What `a` returned, kept until `b` is done too (a finished future must not be polled again).
    a_output: Option<A::Output>,
    /// What `b` returned.
    b_output: Option<B::Output>,
}

// The futures are boxed and the outputs are never pinned, so moving a `Join` is always fine.
impl<A: Future, B: Future> Unpin for Join<A, B> {}

impl<A: Future, B: Future> Future for Join<A, B> {
    type Output = (A::Output, B::Output);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.a_output.is_none() {
            if let Poll::Ready(value) = this.a.as_mut().poll(cx) {
                this.a_output = Some(value);
            }
        }
        if this.b_output.is_none() {
            if let Poll::Ready(value) = this.b.as_mut().poll(cx) {
                this.b_output = Some(value);
            }
        }
        match (this.a_output.take(), this.b_output.take()) {
            (Some(a), Some(b)) => Poll::Ready((a, b)),
            // Not both done: put back what we took. Whoever is pending arranged its wake-up.
            (a, b) => {
                this.a_output = a;
                this.b_output = b;
                Poll::Pending
            }
        }
    }
}
