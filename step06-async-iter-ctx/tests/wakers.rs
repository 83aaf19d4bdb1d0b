//! Wakers and the loop that obeys them: a task is polled when it was woken, and only then; a
//! wake from another thread cuts the loop's sleep short; tasks that nothing can ever wake are
//! reported as `Stuck`; plus what the earlier loops already did (turns, `Loop::current`, panics).
//!
//! Every test runs its loop within the time limit: a lost wake fails its test instead of
//! hanging the run.

mod common;

use std::cell::{Cell, RefCell};
use std::future::{pending, poll_fn};
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use shared::Trace;
use shared::testing::bounded;
use step06_async_iter_ctx::{Loop, NoCurrentLoop, OneShot, Stuck, Task, Waiter};
use step06_async_iter_ctx::{interrupt, run_tasks, sleep};

use common::{Counted, DropCounter};

/// A task that records `name1`, `name2`, … with an interrupt after each step.
async fn steps(trace: Trace, name: &'static str, count: u32) {
    for step in 1..=count {
        trace.record(format!("{name}{step}"));
        interrupt().await;
    }
}

/// The `Stuck` inside an error of [`Loop::run`], if that is what it is.
fn stuck(err: &io::Error) -> Option<Stuck> {
    err.get_ref()
        .and_then(|inner| inner.downcast_ref::<Stuck>())
        .copied()
}

#[test]
fn a_task_that_was_not_woken_is_not_polled() {
    bounded(|| {
        let polls = Rc::new(Cell::new(0));
        let turns = Rc::new(Cell::new(0));
        let shot = OneShot::new();
        let event_loop = Loop::new().unwrap();
        event_loop.add_task(Counted::new(shot.clone(), &polls));
        let spinner_turns = Rc::clone(&turns);
        event_loop.add_task(async move {
            // A thousand turns of the loop, each one polling this task...
            for _ in 0..1000 {
                spinner_turns.set(spinner_turns.get() + 1);
                interrupt().await;
            }
            shot.set(()).unwrap();
        });
        event_loop.run().unwrap();
        assert_eq!(turns.get(), 1000);
        // ...and the waiting task only twice: `Pending` once, then `Ready` once `set` woke it.
        // (Step03's loop would poll it on every one of the thousand turns.)
        assert_eq!(polls.get(), 2);
    });
}

#[test]
fn sleep_is_polled_twice_where_step03_polled_it_hundreds_of_times() {
    bounded(|| {
        let polls = Rc::new(Cell::new(0));
        let napping = Counted::new(sleep(Duration::from_millis(10)), &polls);
        Loop::new().unwrap().run_task(napping).unwrap();
        // Once to arm the timer, once when it fired. A busy `sleep` would be polled for 10 ms.
        assert_eq!(polls.get(), 2);
    });
}

#[test]
fn a_task_woken_twice_before_it_runs_is_polled_once() {
    bounded(|| {
        let trace = Trace::new();
        let polls = Rc::new(Cell::new(0));
        let waker: Rc<RefCell<Option<Waker>>> = Rc::default();
        let done = Rc::new(Cell::new(false));
        let event_loop = Loop::new().unwrap();
        // Keeps its waker and stays `Pending` until `done`: every poll is visible in `polls`.
        let (kept, finished, waiting_trace) = (Rc::clone(&waker), Rc::clone(&done), trace.clone());
        let waiting = poll_fn(move |cx| {
            waiting_trace.record("waiting task polled");
            if finished.get() {
                return Poll::Ready(());
            }
            *kept.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        });
        event_loop.add_task(Counted::new(waiting, &polls));
        let waking_trace = trace.clone();
        event_loop.add_task(async move {
            let waker = waker.borrow().clone().expect("the waiting task ran first");
            waker.wake_by_ref();
            waker.wake_by_ref();
            waking_trace.record("woken twice");
            // A few turns: a second copy of the task in the ready queue would be polled now.
            for _ in 0..3 {
                interrupt().await;
            }
            done.set(true);
            waker.wake();
            waking_trace.record("woken a third time");
        });
        event_loop.run().unwrap();
        let expected = [
            "waiting task polled",
            "woken twice",
            "waiting task polled",
            "woken a third time",
            "waiting task polled",
        ];
        assert_eq!(trace.events(), expected);
        assert_eq!(polls.get(), 3, "the two wakes before it ran cost one poll");
    });
}

#[test]
fn a_wake_from_another_thread_cuts_the_loops_sleep_short() {
    let (polls, waited) = bounded(|| {
        let polls = Rc::new(Cell::new(0));
        let woken = Arc::new(AtomicBool::new(false));
        let mut thread = None;
        // No timer and no socket: the loop sleeps in the reactor with no time limit, and only
        // the thread's wake can get it out. Broken, this test would hang until `bounded` fails.
        let task = poll_fn(move |cx| {
            if woken.load(Ordering::SeqCst) {
                return Poll::Ready(thread.take());
            }
            if thread.is_none() {
                let (waker, woken) = (cx.waker().clone(), Arc::clone(&woken));
                thread = Some(std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(100));
                    woken.store(true, Ordering::SeqCst);
                    waker.wake();
                }));
            }
            Poll::Pending
        });
        let started = Instant::now();
        let thread = Loop::new()
            .unwrap()
            .run_task(Counted::new(task, &polls))
            .unwrap();
        let waited = started.elapsed();
        thread.expect("the thread was started").join().unwrap();
        (polls.get(), waited)
    });
    // Asleep the whole time: polled once before, once after the wake; nothing in between.
    assert_eq!(polls, 2);
    assert!(
        waited >= Duration::from_millis(100),
        "woke after {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "woke after {waited:?}");
}

#[test]
fn pending_without_keeping_the_waker_is_reported_as_stuck() {
    // Broken, the loop would sleep for ever: `bounded` turns that into a failure.
    let (message, dropped) = bounded(|| {
        let dropped = Rc::new(Cell::new(0));
        let counter = DropCounter(Rc::clone(&dropped));
        let event_loop = Loop::new().unwrap();
        // The tempting mistake: return `Pending` and count on being polled again anyway.
        event_loop.add_task(async move {
            let _counter = counter;
            poll_fn(|_| Poll::<()>::Pending).await;
        });
        let err = event_loop.run().unwrap_err();
        assert_eq!(stuck(&err), Some(Stuck { tasks: 1 }));
        (err.to_string(), dropped.get())
    });
    assert_eq!(
        message,
        "1 task waits for something that can never happen: nothing holds a waker"
    );
    assert_eq!(dropped, 1, "the stuck task was dropped");
}

#[test]
fn a_task_awaiting_a_one_shot_nobody_else_holds_is_stuck() {
    let err = bounded(|| {
        let never = OneShot::<u32>::new();
        let err = Loop::new().unwrap().run_task(never).unwrap_err();
        stuck(&err)
    });
    assert_eq!(err, Some(Stuck { tasks: 1 }));
}

#[test]
fn stuck_counts_only_the_tasks_left_and_the_loop_can_run_again() {
    let (err, finished, again) = bounded(|| {
        let trace = Trace::new();
        let event_loop = Loop::new().unwrap();
        for _ in 0..2 {
            event_loop.add_task(pending::<()>());
        }
        for name in ["a", "b", "c"] {
            event_loop.add_task(steps(trace.clone(), name, 2));
        }
        let err = event_loop.run().unwrap_err();
        let again = event_loop.run_task(async { 7 }).unwrap();
        (stuck(&err), trace.len(), again)
    });
    // The three that could finish did; the two that never could are reported, then dropped,
    // and the loop is as good as new.
    assert_eq!(err, Some(Stuck { tasks: 2 }));
    assert_eq!(finished, 6);
    assert_eq!(again, 7);
}

#[test]
fn run_tasks_polls_in_turn() {
    bounded(|| {
        let trace = Trace::new();
        let tasks: Vec<Task> = vec![
            Box::pin(steps(trace.clone(), "a", 3)),
            Box::pin(steps(trace.clone(), "b", 1)),
            Box::pin(steps(trace.clone(), "c", 2)),
        ];
        run_tasks(tasks);
        // One step each per turn; a finished task leaves the queue.
        assert_eq!(trace.events(), ["a1", "b1", "c1", "a2", "c2", "a3"]);
    });
}

#[test]
fn the_loop_polls_tasks_that_wake_themselves_in_turn() {
    bounded(|| {
        let trace = Trace::new();
        let event_loop = Loop::new().unwrap();
        event_loop.add_task(steps(trace.clone(), "a", 3));
        event_loop.add_task(steps(trace.clone(), "b", 1));
        event_loop.add_task(steps(trace.clone(), "c", 2));
        event_loop.run().unwrap();
        // The ready queue is first in, first out: the same turns as the talk's list.
        assert_eq!(trace.events(), ["a1", "b1", "c1", "a2", "c2", "a3"]);
    });
}

#[test]
fn a_task_added_from_inside_runs_after_those_already_queued() {
    bounded(|| {
        let trace = Trace::new();
        let event_loop = Loop::new().unwrap();
        let spawner = {
            let trace = trace.clone();
            async move {
                trace.record("spawner");
                let event_loop = Loop::current().expect("inside the loop");
                event_loop.add_task(steps(trace, "child", 1));
            }
        };
        event_loop.add_task(spawner);
        event_loop.add_task(steps(trace.clone(), "b", 2));
        event_loop.run().unwrap();
        // A new task is woken at once, at the back of the queue: polling it straight away (or
        // never, if `add_task` forgot the first wake) would change this trace.
        assert_eq!(trace.events(), ["spawner", "b1", "child1", "b2"]);
    });
}

#[test]
fn run_task_returns_the_value() {
    bounded(|| {
        assert_eq!(Loop::new().unwrap().run_task(async { 6 * 7 }).unwrap(), 42);
    });
}

#[test]
fn a_counting_waiter_needs_every_set() {
    bounded(|| {
        let trace = Trace::new();
        let waiter = Waiter::with_count(3);
        let event_loop = Loop::new().unwrap();
        let waiting = (trace.clone(), waiter.clone());
        event_loop.add_task(async move {
            waiting.1.await;
            waiting.0.record("done waiting");
        });
        for n in 1..=3 {
            let (trace, waiter) = (trace.clone(), waiter.clone());
            event_loop.add_task(async move {
                for _ in 0..n {
                    interrupt().await;
                }
                trace.record(format!("set {n}"));
                waiter.set();
            });
        }
        event_loop.run().unwrap();
        // Done at the third `set`, not the first; and woken by it (a lost wake would be `Stuck`).
        assert_eq!(trace.events(), ["set 1", "set 2", "set 3", "done waiting"]);
    });
}

#[test]
fn current_outside_a_loop_is_a_clear_error() {
    // The talk's `Loop.current` is never reset; here it is, and asking outside is an error.
    assert_eq!(Loop::current().unwrap_err(), NoCurrentLoop);
    let message = NoCurrentLoop.to_string();
    assert_eq!(message, "no event loop is running on this thread");
}

#[test]
fn current_is_the_running_loop_and_only_while_it_runs() {
    bounded(|| {
        let trace = Trace::new();
        let child_trace = trace.clone();
        let event_loop = Loop::new().unwrap();
        event_loop
            .run_task(async move {
                // A task added through `current` runs on this very loop, before `run` returns.
                let current = Loop::current().expect("inside the loop");
                current.add_task(async move { child_trace.record("added through current") });
            })
            .unwrap();
        assert_eq!(trace.events(), ["added through current"]);
        assert!(Loop::current().is_err());
    });
}

#[test]
fn a_panicking_task_does_not_leave_a_stale_current_loop() {
    bounded(|| {
        let event_loop = Loop::new().unwrap();
        let result = catch_unwind(AssertUnwindSafe(|| {
            event_loop.run_task(async {
                interrupt().await;
                panic!("task failed");
            })
        }));
        assert!(result.is_err());
        // Restored while the panic unwinds: a `run` that reset it only on its normal way out
        // would leave this thread believing a dead loop is running.
        assert_eq!(Loop::current().unwrap_err(), NoCurrentLoop);
        // And the loop itself is still usable.
        assert_eq!(event_loop.run_task(async { "again" }).unwrap(), "again");
    });
}

#[test]
fn after_a_panic_the_loop_drops_every_task_it_held() {
    bounded(|| {
        let dropped = Rc::new(Cell::new(0));
        let kept = OneShot::<()>::new();
        let event_loop = Loop::new().unwrap();
        // Three ways to wait: a timer, a one-shot someone else holds, and turns of the loop. Each
        // task keeps a handle to its loop, as `gather` does: a cycle, loop → task → loop.
        let waits: [Task; 3] = [
            Box::pin(sleep(Duration::from_secs(10))),
            Box::pin(kept.clone()),
            Box::pin(async {
                loop {
                    interrupt().await;
                }
            }),
        ];
        for wait in waits {
            let counter = DropCounter(Rc::clone(&dropped));
            event_loop.add_task(async move {
                let _counter = counter;
                let _its_loop = Loop::current().expect("inside the loop");
                wait.await;
            });
        }
        event_loop.add_task(async {
            sleep(Duration::from_millis(10)).await;
            panic!("one task fails");
        });
        let started = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| event_loop.run()));
        assert!(result.is_err());
        // Without the clean-up on the way out, the cycles would keep all three alive for ever.
        assert_eq!(dropped.get(), 3, "every waiting task was dropped");
        assert!(started.elapsed() < Duration::from_secs(5));
        // The 10 s timer is left, set for nobody: it must not hold the next run back.
        assert_eq!(event_loop.run_task(async { "again" }).unwrap(), "again");
        drop(kept);
    });
}

#[test]
#[should_panic(expected = "this event loop is already running")]
fn running_a_loop_from_one_of_its_own_tasks_is_refused() {
    bounded(|| {
        let event_loop = Loop::new().unwrap();
        let same = event_loop.clone();
        let waiter = Waiter::new();
        let set_later = waiter.clone();
        // Without the check, `same.run()` would wait for ever for this task, which waits for it.
        event_loop.add_task(waiter);
        let _ = event_loop.run_task(async move {
            let _ = same.run();
            set_later.set();
        });
    });
}

#[test]
fn ten_thousand_tasks_all_complete() {
    bounded(|| {
        let done = Rc::new(Cell::new(0));
        let event_loop = Loop::new().unwrap();
        for _ in 0..10_000 {
            let done = Rc::clone(&done);
            event_loop.add_task(async move {
                interrupt().await;
                done.set(done.get() + 1);
            });
        }
        event_loop.run().unwrap();
        // Ten thousand ids go through the slab and the ready queue: a lost or reused id shows.
        assert_eq!(done.get(), 10_000);
    });
}
