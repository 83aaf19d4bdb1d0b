//! `complex_work()` written by hand: what the compiler generates for an `async fn`, more or less.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use shared::say;

use crate::{Interrupt, interrupt, sub_work};

/// The talk's class with an `__await__` method: the same work as [`crate::complex_work`], same
/// lines printed, same number of `Pending`s, but as an explicit state machine.
///
/// Each state is a place where the `async fn` could be suspended, holding what must survive the
/// suspension: the future being awaited there, and the partial result.
pub struct ComplexWork {
    /// Where we are.
    state: State,
}

/// The suspension points of `complex_work()`, plus its start and its end.
enum State {
    /// Not polled yet: nothing has run, as with the `async fn`.
    Start,
    /// Awaiting the first interrupt.
    FirstPause(Interrupt),
    /// Awaiting `sub_work()`. Any future can sit here; boxing it keeps it pinned while we move.
    SubWork(Pin<Box<dyn Future<Output = u32>>>),
    /// Awaiting the second interrupt, keeping the result of `sub_work()` across it.
    SecondPause(Interrupt, u32),
    /// Returned `Ready`; polling again is a bug.
    Done,
}

impl ComplexWork {
    /// Builds the state machine, running nothing: just like calling `complex_work()`.
    pub fn new() -> Self {
        Self {
            state: State::Start,
        }
    }
}

impl Default for ComplexWork {
    fn default() -> Self {
        Self::new()
    }
}

impl Future for ComplexWork {
    type Output = u32;

    /// Runs from the current state to the next suspension. `ready!` returns `Pending` early when
    /// the awaited future is not done: that is all an `.await` compiles to.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        loop {
            match &mut self.state {
                State::Start => {
                    say("complex_work", "step 1: start");
                    self.state = State::FirstPause(interrupt());
                }
                State::FirstPause(pause) => {
                    ready!(Pin::new(pause).poll(cx));
                    self.state = State::SubWork(Box::pin(sub_work()));
                }
                State::SubWork(sub) => {
                    let partial = ready!(sub.as_mut().poll(cx));
                    say(
                        "complex_work",
                        format!("step 2: sub_work returned {partial}"),
                    );
                    self.state = State::SecondPause(interrupt(), partial);
                }
                State::SecondPause(pause, partial) => {
                    let partial = *partial;
                    ready!(Pin::new(pause).poll(cx));
                    say("complex_work", "step 3: done");
                    self.state = State::Done;
                    return Poll::Ready(partial * 2);
                }
                State::Done => panic!("ComplexWork polled after it returned Ready"),
            }
        }
    }
}

impl fmt::Debug for ComplexWork {
    /// The boxed sub-future has no `Debug`, so we only name the state.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Start => "Start",
            State::FirstPause(_) => "FirstPause",
            State::SubWork(_) => "SubWork",
            State::SecondPause(..) => "SecondPause",
            State::Done => "Done",
        };
        f.debug_struct("ComplexWork")
            .field("state", &state)
            .finish()
    }
}
