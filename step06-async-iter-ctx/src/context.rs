//! Async context managers: Python's `async with`, whose exit runs on every path — even when the
//! body is cancelled, which Rust, having no async `Drop`, cannot do by itself.

use std::future::{Future, poll_fn};

use crate::Loop;
use crate::generator::{Co, Generator, Resumed};

/// How the body of an `async with` ended: what `__aexit__` is told.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome<E> {
    /// It returned: `__aexit__(None, None, None)`.
    Ok,
    /// It failed with this error: `__aexit__(type, error, traceback)`.
    Err(E),
    /// It was dropped before its end (a `timeout`, a dropped task): Python's `CancelledError`.
    Cancelled,
}

impl<E> Outcome<E> {
    /// What an exit that suppresses nothing returns: the body's error, if it failed.
    pub fn into_result(self) -> Result<(), E> {
        match self {
            Outcome::Err(err) => Err(err),
            Outcome::Ok | Outcome::Cancelled => Ok(()),
        }
    }
}

/// Python's async context manager: an `enter` that gets a resource ready, and an `exit` that is
/// told how the body ended.
pub trait AsyncContextManager {
    /// What `async with … as resource` binds: lent to the body, then given back to `exit`.
    type Resource;
    /// What `enter`, the body and `exit` fail with.
    type Error;

    /// `__aenter__`. When it fails there is nothing to exit: it must leave nothing behind.
    fn enter(&mut self) -> impl Future<Output = Result<Self::Resource, Self::Error>>;

    /// `__aexit__`: gets the resource back, and how the body ended. After `Outcome::Err(e)`,
    /// `Ok(())` suppresses the error (`__aexit__` returning `True`); a cancellation cannot be
    /// suppressed. The future owns what it needs (`'static`): after a cancellation it runs as a
    /// task of its own.
    fn exit(
        self,
        resource: Self::Resource,
        outcome: Outcome<Self::Error>,
    ) -> impl Future<Output = Result<(), Self::Error>> + 'static;
}

/// `async with manager as resource: body`. After a successful enter, the exit runs exactly
/// once: awaited here when the body returns or fails, or as a task of the loop when this future
/// is dropped before the body's end. `Ok(None)`: the body failed and `exit` suppressed it.
pub async fn async_with<M, T>(
    mut manager: M,
    body: impl AsyncFnOnce(&M::Resource) -> Result<T, M::Error>,
) -> Result<Option<T>, M::Error>
where
    M: AsyncContextManager + 'static,
{
    let resource = manager.enter().await?; // failed: nothing to exit
    let scope = Scope {
        armed: Some((manager, resource)),
        event_loop: Loop::current().ok(),
    };
    let result = body(scope.resource()).await;
    scope.exit(result).await
}

/// From a successful enter until the exit is awaited, what the exit needs. Dropped in between —
/// the `async_with` future was cancelled — it cannot await the exit (a `Drop` cannot await), so
/// it hands `exit(Cancelled)` to the loop, as a task of its own.
struct Scope<M: AsyncContextManager + 'static> {
    /// The manager and its resource, until the exit takes them.
    armed: Option<(M, M::Resource)>,
    /// The loop the scope was entered in: it runs the exit of a body cancelled where no loop runs.
    event_loop: Option<Loop>,
}

impl<M: AsyncContextManager + 'static> Scope<M> {
    /// The resource, for the body to borrow.
    fn resource(&self) -> &M::Resource {
        &self.armed.as_ref().expect("armed until the exit").1
    }

    /// Disarms the scope and awaits the exit, told how the body ended.
    async fn exit<T>(mut self, result: Result<T, M::Error>) -> Result<Option<T>, M::Error> {
        let (manager, resource) = self.armed.take().expect("armed until the exit");
        let (value, outcome) = match result {
            Ok(value) => (Some(value), Outcome::Ok),
            Err(err) => (None, Outcome::Err(err)),
        };
        manager.exit(resource, outcome).await.map(|()| value)
    }
}

impl<M: AsyncContextManager + 'static> Drop for Scope<M> {
    fn drop(&mut self) {
        let Some((manager, resource)) = self.armed.take() else {
            return; // the exit was awaited already
        };
        let exit = manager.exit(resource, Outcome::Cancelled);
        // The loop running now, or else the one it was entered in. With neither, there is
        // nobody to run it: dropped, it still drops the manager and the resource (sockets
        // close), but its `await`s never run.
        if let Some(event_loop) = Loop::current().ok().or_else(|| self.event_loop.clone()) {
            event_loop.add_cleanup(async move {
                let _ = exit.await; // a cancellation is not suppressed: nobody is told
            });
        }
    }
}

/// Python's `@asynccontextmanager`: a context manager from a generator that gets the resource
/// ready, yields it once, gets it back with the body's outcome, and cleans up. Its cleanup cannot
/// be skipped: `yield_` *returns* how the body ended, so the code after it always runs (no
/// `try`/`finally` to forget). `Ok(())` after `Outcome::Err` suppresses the error.
pub fn context_from_generator<T, E, Fut>(
    body: impl FnOnce(Co<T, (T, Outcome<E>)>) -> Fut,
) -> FromGenerator<T, E, Fut>
where
    Fut: Future<Output = Result<(), E>>,
{
    FromGenerator {
        generator: Generator::new(body),
    }
}

/// A context manager made by [`context_from_generator`].
#[derive(Debug)]
pub struct FromGenerator<T, E, Fut> {
    /// The generator: before its `yield_`, the enter; after it, the exit.
    generator: Generator<T, Fut, (T, Outcome<E>)>,
}

impl<T, E, Fut> AsyncContextManager for FromGenerator<T, E, Fut>
where
    Fut: Future<Output = Result<(), E>> + 'static,
    T: 'static,
    E: 'static,
{
    type Resource = T;
    type Error = E;

    fn enter(&mut self) -> impl Future<Output = Result<T, E>> {
        poll_fn(|cx| {
            self.generator.poll_resume(cx).map(|resumed| match resumed {
                Resumed::Yielded(resource) => Ok(resource),
                Resumed::Complete(Err(err)) => Err(err), // failed before the yield
                Resumed::Complete(Ok(())) => panic!("the context generator ended without a yield"),
            })
        })
    }

    fn exit(mut self, resource: T, outcome: Outcome<E>) -> impl Future<Output = Result<(), E>> {
        self.generator.send((resource, outcome));
        poll_fn(move |cx| {
            self.generator.poll_resume(cx).map(|resumed| match resumed {
                Resumed::Complete(result) => result,
                Resumed::Yielded(_) => panic!("the context generator yielded a second time"),
            })
        })
    }
}
