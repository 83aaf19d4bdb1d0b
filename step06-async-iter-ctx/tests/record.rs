//! What the loop reports of its decisions (to `cargo xtask trace` and the demos' `--step`): a
//! task that sleeps is polled twice, with one wait in the kernel between, and the timer's wake.

use std::time::Duration;

use shared::record;
use shared::testing::bounded;
use step06_async_iter_ctx::{Loop, interrupt, sleep};

#[test]
fn a_sleeping_task_is_polled_twice_with_a_wait_in_the_kernel_between() {
    let events = bounded(|| {
        let ((), events) = record::capture(|| {
            let event_loop = Loop::new().unwrap();
            event_loop.add_task(sleep(Duration::from_millis(20)));
            event_loop.run().unwrap();
        });
        events
    });
    // The wait's timeout is whatever was left of the 20 ms: keep its kind, not its value.
    let events: Vec<&str> = events
        .iter()
        .map(|e| {
            if e.starts_with("wait ") {
                "wait (the next timer)"
            } else {
                e
            }
        })
        .collect();
    let expected = [
        "added 1",
        "turn",
        "poll 1",
        "pending 1",
        "wait (the next timer)",
        "woke up",
        "turn",
        "timer",
        "woken 1",
        "poll 1",
        "ready 1",
        "finished 1",
    ];
    assert_eq!(events, expected);
}

#[test]
fn a_task_that_wakes_itself_is_polled_again_on_the_next_turn() {
    let events = bounded(|| {
        let ((), events) = record::capture(|| {
            Loop::new().unwrap().run_task(interrupt()).unwrap();
        });
        events
    });
    let expected = [
        "added 1",
        "turn",
        "poll 1",
        "woken 1",
        "pending 1",
        "turn",
        "poll 1",
        "ready 1",
        "finished 1",
    ];
    assert_eq!(events, expected);
}
