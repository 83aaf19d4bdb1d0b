//! What the loop reports of its decisions (to `cargo xtask trace` and the demos' `--step`): the
//! talk's round robin, event by event.

use shared::record;
use shared::testing::bounded;
use step03_round_robin::{Loop, interrupt};

/// A task that suspends `times` times before it ends.
async fn suspends(times: usize) {
    for _ in 0..times {
        interrupt().await;
    }
}

#[test]
fn two_tasks_take_turns_as_the_talks_round_robin_says() {
    let events = bounded(|| {
        let ((), events) = record::capture(|| {
            let event_loop = Loop::new();
            event_loop.add_task(suspends(2));
            event_loop.add_task(suspends(1));
            event_loop.run();
        });
        events
    });
    let expected = [
        "added 1",
        "added 2",
        // Each turn pops the task at the front, polls it once, and puts it back unless done.
        "turn",
        "poll 1",
        "pending 1",
        "turn",
        "poll 2",
        "pending 2",
        "turn",
        "poll 1",
        "pending 1",
        "turn",
        "poll 2",
        "ready 2",
        "finished 2",
        "turn",
        "poll 1",
        "ready 1",
        "finished 1",
    ];
    assert_eq!(events, expected);
}
