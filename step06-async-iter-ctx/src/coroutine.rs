//! The smallest runtime there is: one future that suspends, and a loop that polls.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A future that is `Pending` exactly once, then `Ready(())`: the bare `yield` at the bottom of
/// the talk's `await asyncio.sleep(0)`.
///
/// It was step01's one future written by hand, and is still the smallest. An `async fn` never
/// suspends by itself: somewhere down the chain, a future written by hand returns `Pending`.
pub fn interrupt() -> Interrupt {
    Interrupt { yielded: false }
}

/// The future returned by [`interrupt`].
#[derive(Debug)]
pub struct Interrupt {
    /// Whether we already returned `Pending` once.
    yielded: bool,
}

impl Future for Interrupt {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // Rust's contract: whoever returns `Pending` has arranged to be woken, or nobody will
        // ever poll it again. Nothing outside will wake us, so we wake ourselves right away:
        // "I am not done, but I can go on as soon as you like".
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Runs a future to completion by polling it until it is `Ready`: the talk's
/// `for _ in coro.__await__(): pass`, then the value `StopIteration` carries.
///
/// The waker is a no-op because we never sleep: we poll again at once, whatever happens. That is
/// a busy loop; [`Loop`](crate::Loop) does better: it polls a task only when its waker says so.
pub fn run_task<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}
