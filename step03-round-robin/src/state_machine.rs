//! `complex_work()` written by hand: what the compiler generates for an `async fn`, more or less.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use shared::say;

/// The talk's class `ComplexWork` with an `__await__` method: the same work as
/// [`crate::complex_work`] (`Hello`, one suspension, `World`), as an explicit state machine.
///
/// Python gets the state machine for free: `__await__` is a generator, and the generator
/// remembers where it stopped. In Rust that is the hard way: we write down every place the work
/// can stop, and `poll` moves from one to the next.
#[derive(Debug, Default)]
pub struct ComplexWork {
    /// Where we are.
    state: State,
}

/// The places where `complex_work()` can be: before its start, at its one suspension, after
/// its end.
#[derive(Debug, Default)]
enum State {
    /// Not polled yet: nothing has run, as with the `async fn`.
    #[default]
    Start,
    /// Printed `Hello` and returned `Pending`: the generator's `yield`.
    Suspended,
    /// Printed `World` and returned `Ready`.
    Done,
}

impl ComplexWork {
    /// Builds the state machine, running nothing: just like calling `complex_work()`.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Future for ComplexWork {
    type Output = ();

    /// Runs from the current state to the next one.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.state {
            State::Start => {
                say("complex_work", "Hello");
                self.state = State::Suspended;
                // The `yield`: ask to be polled again, as `interrupt()` does, and suspend.
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            State::Suspended => {
                say("complex_work", "World");
                self.state = State::Done;
                Poll::Ready(())
            }
            // Like a finished generator (`StopIteration` again); a finished `async fn` panics.
            State::Done => Poll::Ready(()),
        }
    }
}
