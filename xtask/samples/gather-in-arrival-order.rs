// The body of step 3's `gather` as a newcomer may first write it: each result pushed as it
// comes, so they come back in the order the tasks finished, not the order given. The root
// README's sample `verify` output runs on it (`cargo xtask check` runs that sample again).
{
    let event_loop = Loop::current().unwrap_or_else(|error| panic!("gather: {error}"));
    let futures: Vec<F> = futures.into_iter().collect();
    let waiter = Waiter::with_count(futures.len());
    let results = Rc::new(RefCell::new(Vec::new()));
    for future in futures {
        let (results, waiter) = (Rc::clone(&results), waiter.clone());
        event_loop.add_task(async move {
            let value = future.await;
            results.borrow_mut().push(value);
            waiter.set();
        });
    }
    waiter.await;
    results.take()
}
