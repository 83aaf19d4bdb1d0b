//! `gather`, rebuilt from the counting waiter exactly as the talk does.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use crate::{Loop, Waiter};

/// Runs every future as its own task on the current loop; returns their results in input order
/// (the talk's `gather` returns nothing; asyncio's returns the results).
///
/// The talk's recipe: a [`Waiter`] expecting one `set()` per future; each future wrapped in a
/// task that stores its result, then sets the waiter; all added to the loop; await the waiter.
/// Panics outside a running [`Loop`]: there is no loop to add the tasks to.
pub async fn gather<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let event_loop = Loop::current().unwrap_or_else(|error| panic!("gather: {error}"));
    let futures: Vec<F> = futures.into_iter().collect();
    let waiter = Waiter::with_count(futures.len());
    let results = Rc::new(RefCell::new(Vec::from_iter(futures.iter().map(|_| None))));
    for (index, future) in futures.into_iter().enumerate() {
        let (results, waiter) = (Rc::clone(&results), waiter.clone());
        // Named after the future it runs (`print_messages`), not after this wrapper.
        event_loop.add_task_named(std::any::type_name::<F>(), async move {
            let value = future.await;
            results.borrow_mut()[index] = Some(value);
            waiter.set();
        });
    }
    waiter.await;
    let results = results.take();
    results
        .into_iter()
        .map(|value| value.expect("the waiter counted every result in"))
        .collect()
}
