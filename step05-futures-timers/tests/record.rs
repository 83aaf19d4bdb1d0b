//! What the loop reports of its decisions (to `cargo xtask trace` and the demos' `--step`): a
//! task that sleeps is polled twice, with one wait in the kernel between, and the timer's wake;
//! a task that nothing can wake any more; what each waiting task awaits.

use std::time::Duration;

use shared::record;
use shared::testing::bounded;
use step05_futures_timers::{AioListener, Loop, OneShot, Waiter, interrupt, sleep};

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
        "added 1 sleep",
        "run",
        "turn",
        "queued 1",
        "poll 1",
        "pending 1",
        // The timer holds its waker (through the one-shot it will set).
        "wakers of 1 held: 1",
        "wait (the next timer)",
        "woke up",
        "turn",
        "timer",
        "woken 1",
        "queued 1",
        "poll 1",
        "ready 1",
        "finished 1",
        "run ends",
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
        "added 1 Interrupt",
        "run",
        "turn",
        "queued 1",
        "poll 1",
        "woken 1",
        "pending 1",
        // Nobody holds its waker, but it is queued already: nothing is lost.
        "wakers of 1 held: 0",
        "turn",
        "queued 1",
        "poll 1",
        "ready 1",
        "finished 1",
        "run ends",
    ];
    assert_eq!(events, expected);
}

/// The kinds of the trace lines, with the task of a `lost` line.
fn lost_wakes(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| line.starts_with(r#"{"e":"lost""#))
        .map(|line| line.split_once(",\"task\":").unwrap().1.to_owned())
        .collect()
}

#[test]
fn a_task_that_nothing_can_wake_is_a_lost_wake() {
    let lines = bounded(|| {
        let ((), lines) = record::trace(|| {
            let event_loop = Loop::new().unwrap();
            let (kept, dropped) = (OneShot::<()>::new(), OneShot::<()>::new());
            let (setter, orphan) = (kept.clone(), dropped.clone());
            drop(dropped); // nobody can set `orphan` any more
            event_loop.add_task_named("waits for a setter", kept);
            event_loop.add_task_named("waits for nobody", orphan);
            event_loop.add_task_named("sets", async move {
                sleep(Duration::from_millis(10)).await;
                setter.set(()).unwrap();
            });
            let stuck = event_loop.run().unwrap_err();
            assert!(stuck.to_string().contains("1 task waits"), "{stuck}");
        });
        lines
    });
    // Task 2 only, at its first poll: task 1's waker is held by the one-shot that task 3 sets.
    assert_eq!(lost_wakes(&lines), ["2}"]);
}

#[test]
fn each_pause_says_what_every_waiting_task_awaits() {
    let narration = bounded(|| {
        let ((), narration) = record::narrate(|| {
            let event_loop = Loop::new().unwrap();
            let listener = AioListener::bind("127.0.0.1:0").unwrap();
            let (waiter, shot) = (Waiter::with_count(2), OneShot::<()>::new());
            let (set_once, set_shot) = (waiter.clone(), shot.clone());
            event_loop.add_task_named("sleeps", sleep(Duration::from_secs(3600)));
            event_loop.add_task_named("accepts", async move {
                let _ = listener.accept().await;
            });
            event_loop.add_task_named("awaits a shot", shot);
            event_loop.add_task_named("awaits a waiter", waiter);
            event_loop.add_task_named("stops", async move {
                set_once.set();
                interrupt().await;
                panic!("stop here: the view was said at the pause before");
            });
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| event_loop.run()));
            drop(set_shot);
        });
        narration
    });
    let view: Vec<&str> = narration
        .iter()
        .skip_while(|line| *line != "  → Pending, woke itself")
        .skip(1)
        .take(5)
        .map(String::as_str)
        .collect();
    let timer = view[0];
    assert!(
        timer.starts_with("  task 1 sleeps: waits on a timer due in "),
        "{timer}"
    );
    assert!(timer.ends_with(" s"), "{timer}");
    let socket = view[1];
    assert!(
        socket.starts_with("  task 2 accepts: waits on socket "),
        "{socket}"
    );
    assert!(socket.ends_with(" readable"), "{socket}");
    let rest = [
        "  task 3 awaits a shot: waits on a one-shot",
        "  task 4 awaits a waiter: waits on a waiter (1 set to go)",
        "  task 5 stops: queued",
    ];
    assert_eq!(view[2..], rest, "{narration:#?}");
}
