//! Sleeping, the naive way: the talk's `sleep_until` and `sleep`.

use std::time::{Duration, Instant};

use shared::record::{self, Awaited};

use crate::interrupt;

/// Suspends the calling task for at least `duration`: the talk's first `sleep`.
///
/// It yields to the loop, again and again, until the deadline has passed. Other tasks run
/// meanwhile, which is the point; but when every task is asleep, the loop spins through them and
/// burns a whole core doing nothing. Step05 replaces this with a timer the loop sleeps on.
pub async fn sleep(duration: Duration) {
    let deadline = Instant::now().checked_add(duration); // `None`: too far to say, never
    while deadline.is_none_or(|deadline| Instant::now() < deadline) {
        record::awaits(Awaited::Deadline(deadline)); // for `--step`: what this task waits for
        interrupt().await;
    }
}
