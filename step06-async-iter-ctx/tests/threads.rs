//! Wakes from other threads: a task that a thread wakes is polled, however the wake and the
//! loop's decision to sleep (or to give up as `Stuck`) interleave.

use std::cell::Cell;
use std::future::{pending, poll_fn};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

use shared::testing::bounded;
use step06_async_iter_ctx::{Loop, Stuck};

/// A game of ping-pong between a task and a thread: the task leaves its waker and waits; the
/// thread takes the waker, counts the round as played, and wakes the task.
#[derive(Default)]
struct Table {
    /// Rounds the thread has played.
    played: AtomicUsize,
    /// The waker the task left for the next round.
    waker: Mutex<Option<Waker>>,
}

impl Table {
    /// The task's side: waits until the thread has played `round`.
    async fn wait_for(&self, round: usize) {
        poll_fn(|cx| {
            if self.played.load(Ordering::SeqCst) >= round {
                return Poll::Ready(());
            }
            *self.waker.lock().unwrap() = Some(cx.waker().clone());
            // The thread may have played between the check and the store: look again.
            if self.played.load(Ordering::SeqCst) >= round {
                return Poll::Ready(());
            }
            Poll::Pending
        })
        .await
    }

    /// The thread's side: `rounds` times, takes the waker, plays, and wakes the task with it
    /// (`wake` consumes the waker: the thread holds none once it has woken the task). Stops
    /// early if the task is gone: the loop dropped it.
    fn play(self: &Arc<Self>, rounds: usize) {
        for _ in 0..rounds {
            let waker = loop {
                if let Some(waker) = self.waker.lock().unwrap().take() {
                    break waker;
                }
                if Arc::strong_count(self) == 1 {
                    return;
                }
                std::thread::yield_now();
            };
            self.played.fetch_add(1, Ordering::SeqCst);
            waker.wake();
        }
    }
}

/// Several threads each wake a task of one loop many times over: every wake is seen. The loop
/// must never decide "nobody can wake these tasks" while a thread is waking one; that decision
/// reads the ready queues and the wakers held elsewhere, and a wake that lands between the two
/// reads (the id queued, then the waker dropped) must not slip through.
#[test]
fn many_threads_waking_tasks_never_leave_one_stuck() {
    const THREADS: usize = 4;
    const ROUNDS: usize = 25_000;
    const NEVER: usize = 1_000;
    bounded(|| {
        let event_loop = Loop::new().unwrap();
        // Tasks that can never finish, looked at before the others: the loop takes a while to
        // decide whether anything can wake them, which is when a wake used to slip through.
        for _ in 0..NEVER {
            event_loop.add_task(pending());
        }
        let finished = Rc::new(Cell::new(0));
        let mut players = Vec::new();
        for _ in 0..THREADS {
            let table = Arc::new(Table::default());
            let (task_table, finished) = (Arc::clone(&table), Rc::clone(&finished));
            event_loop.add_task(async move {
                for round in 1..=ROUNDS {
                    task_table.wait_for(round).await;
                }
                finished.set(finished.get() + 1);
            });
            players.push(std::thread::spawn(move || table.play(ROUNDS)));
        }
        let outcome = event_loop.run();
        for player in players {
            player.join().unwrap();
        }
        // The loop gives up on the tasks that can never finish, and on them only.
        let stuck = outcome.expect_err("some tasks can never finish");
        assert_eq!(stuck.to_string(), Stuck { tasks: NEVER }.to_string());
        assert_eq!(
            finished.get(),
            THREADS,
            "every task the threads woke has finished"
        );
    });
}
