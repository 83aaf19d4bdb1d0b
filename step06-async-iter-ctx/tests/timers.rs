//! Timers: never early, in deadline order (ties in the order they were armed), every due timer
//! in one turn, a dropped `sleep` forgotten, `timeout`, and a loop that sleeps without burning
//! CPU while its tasks wait.
//!
//! Every test here takes one lock: the CPU test measures the whole process with `getrusage`,
//! and a test spinning on another thread meanwhile would count against it. Each one runs its
//! loop within the time limit.

mod common;

use std::cell::Cell;
use std::io::{self, ErrorKind};
use std::rc::Rc;
use std::time::{Duration, Instant};

use shared::Trace;
use shared::testing::{TestLock, bounded};
use step06_async_iter_ctx::{Loop, OneShot, Stuck, interrupt, sleep, timeout};

/// Shorthand for a number of milliseconds.
fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Runs `test` within the time limit, keeping the other tests of this file out meanwhile (see
/// the file's header).
fn serial<T: Send + 'static>(test: impl FnOnce() -> T + Send + 'static) -> T {
    static ONE_AT_A_TIME: TestLock = TestLock::new();
    let _turn = ONE_AT_A_TIME.hold();
    bounded(test)
}

#[test]
fn sleep_never_returns_early() {
    serial(|| {
        let early = Rc::new(Cell::new(0));
        let event_loop = Loop::new().unwrap();
        // Twenty sleepers for each duration, all at once: none may wake before its time. (A loop
        // that rounded a deadline down, or fired timers "nearly due", would fail here.)
        for millis in [0, 1, 2, 5, 15, 30] {
            for _ in 0..20 {
                let early = Rc::clone(&early);
                event_loop.add_task(async move {
                    let started = Instant::now();
                    sleep(ms(millis)).await;
                    if started.elapsed() < ms(millis) {
                        early.set(early.get() + 1);
                    }
                });
            }
        }
        event_loop.run().unwrap();
        assert_eq!(early.get(), 0, "sleepers woke early");
    });
}

#[test]
fn call_at_never_sets_before_the_deadline() {
    serial(|| {
        let shot = OneShot::new();
        let event_loop = Loop::new().unwrap();
        // Armed before the loop runs: the timer waits in the loop's heap until `run`.
        let deadline = Instant::now() + ms(20);
        event_loop.call_at(deadline, shot.clone());
        let woke = event_loop
            .run_task(async move {
                shot.await;
                Instant::now()
            })
            .unwrap();
        assert!(woke >= deadline, "set {:?} early", deadline - woke);
    });
}

#[test]
fn timers_fire_in_deadline_order_and_ties_in_the_order_they_were_armed() {
    serial(|| {
        let trace = Trace::new();
        let event_loop = Loop::new().unwrap();
        // Armed in this order, at these offsets (ms) from one instant.
        let plan: [(&str, i64); 6] = [
            ("tie-1", 0),
            ("late", 30),
            ("tie-2", 0),
            ("early", -30),
            ("tie-3", 0),
            ("tie-4", 0),
        ];
        let shots: Vec<(&str, OneShot<()>)> =
            plan.iter().map(|&(n, _)| (n, OneShot::new())).collect();
        // The waiting tasks are added in reverse, so that the order of their first polls is not
        // the order we expect them to resume in.
        for (name, shot) in shots.iter().rev() {
            let (trace, shot, name) = (trace.clone(), shot.clone(), *name);
            event_loop.add_task(async move {
                shot.await;
                trace.record(name);
            });
        }
        // Armed by a task that runs after every waiter has kept its waker.
        event_loop.add_task(async move {
            let event_loop = Loop::current().unwrap();
            let base = Instant::now() + ms(50);
            for ((_, offset), (_, shot)) in plan.iter().zip(shots) {
                let at = match u64::try_from(*offset) {
                    Ok(later) => base + ms(later),
                    Err(_) => base - ms(offset.unsigned_abs()),
                };
                event_loop.call_at(at, shot);
            }
        });
        event_loop.run().unwrap();
        // A heap ordered by deadline alone would pop the ties in any order.
        let expected = ["early", "tie-1", "tie-2", "tie-3", "tie-4", "late"];
        assert_eq!(trace.events(), expected);
    });
}

#[test]
fn sleepers_wake_in_the_order_of_their_deadlines() {
    serial(|| {
        let trace = Trace::new();
        let event_loop = Loop::new().unwrap();
        for millis in [30, 10, 20, 0] {
            let trace = trace.clone();
            event_loop.add_task(async move {
                sleep(ms(millis)).await;
                trace.record(format!("{millis} ms"));
            });
        }
        event_loop.run().unwrap();
        assert_eq!(trace.events(), ["0 ms", "10 ms", "20 ms", "30 ms"]);
    });
}

#[test]
fn every_due_timer_fires_in_the_same_turn() {
    serial(|| {
        const SLEEPERS: usize = 1000;
        let woke = Rc::new(Cell::new(0));
        let ticks_in_between = Rc::new(Cell::new(0));
        let event_loop = Loop::new().unwrap();
        let deadline = Instant::now() + ms(50);
        for _ in 0..SLEEPERS {
            let (shot, woke) = (OneShot::new(), Rc::clone(&woke));
            event_loop.call_at(deadline, shot.clone());
            event_loop.add_task(async move {
                shot.await;
                woke.set(woke.get() + 1);
            });
        }
        // A task that takes a turn on every turn of the loop, and counts the turns it sees with some
        // sleepers awake and others not. The talk's loop fires one due timer per turn: it would
        // see 999 such turns. Firing them all at the start of one turn, it sees none.
        let (woken, between) = (Rc::clone(&woke), Rc::clone(&ticks_in_between));
        event_loop.add_task(async move {
            while woken.get() < SLEEPERS {
                if woken.get() > 0 {
                    between.set(between.get() + 1);
                }
                interrupt().await;
            }
        });
        event_loop.run().unwrap();
        assert_eq!(woke.get(), SLEEPERS);
        assert!(
            ticks_in_between.get() <= 1,
            "{} turns between the first and the last sleeper",
            ticks_in_between.get()
        );
    });
}

#[test]
fn a_dropped_sleep_does_not_keep_the_loop_alive() {
    serial(|| {
        let started = Instant::now();
        let result = Loop::new()
            .unwrap()
            .run_task(timeout(ms(10), async {
                sleep(Duration::from_secs(10)).await;
                Ok(())
            }))
            .unwrap();
        assert_eq!(result.unwrap_err().kind(), ErrorKind::TimedOut);
        // Its timer is still in the heap, set for nobody: the loop ends without waiting for it.
        assert!(started.elapsed() < Duration::from_secs(2), "{started:?}");
    });
}

#[test]
fn a_dropped_sleep_does_not_delay_the_report_of_a_stuck_task() {
    // A dropped sleep's timer is swept before the loop decides how long to sleep: the stuck task
    // is reported right after the timeout (10 ms in), not when the dropped 3 s sleep was due.
    let (stuck, took) = serial(|| {
        let event_loop = Loop::new().unwrap();
        event_loop.add_task(async {
            let dropped = timeout(ms(10), async {
                sleep(Duration::from_secs(3)).await;
                Ok(())
            });
            let _ = dropped.await;
        });
        event_loop.add_task(std::future::pending::<()>());
        let started = Instant::now();
        let err = event_loop.run().unwrap_err();
        let stuck = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<Stuck>())
            .copied();
        (stuck, started.elapsed())
    });
    assert_eq!(stuck, Some(Stuck { tasks: 1 }));
    // Waiting for the dropped sleep would take its 3 s at least.
    assert!(took < Duration::from_secs(3), "reported after {took:?}");
}

#[test]
fn timeout_gives_up_with_timed_out() {
    serial(|| {
        let started = Instant::now();
        let result = Loop::new()
            .unwrap()
            .run_task(timeout(ms(20), async {
                sleep(Duration::from_secs(1)).await;
                Ok(1)
            }))
            .unwrap();
        let took = started.elapsed();
        assert_eq!(result.unwrap_err().kind(), ErrorKind::TimedOut);
        // Never early; and not after the future's own 1 s, which it did not wait for.
        assert!(took >= ms(20), "gave up after {took:?}");
        assert!(took < ms(1000), "gave up after {took:?}");
    });
}

#[test]
fn timeout_returns_what_a_faster_future_returned_and_its_error_too() {
    serial(|| {
        let started = Instant::now();
        let (fast, failed, ready) = Loop::new()
            .unwrap()
            .run_task(async {
                let fast = timeout(Duration::from_secs(1), async {
                    sleep(ms(10)).await;
                    Ok(5)
                });
                let failed = timeout(Duration::from_secs(1), async {
                    io::Result::<()>::Err(ErrorKind::BrokenPipe.into())
                });
                let ready = timeout(Duration::ZERO, async { Ok("at once") });
                (fast.await, failed.await, ready.await)
            })
            .unwrap();
        assert_eq!(fast.unwrap(), 5);
        assert_eq!(failed.unwrap_err().kind(), ErrorKind::BrokenPipe);
        // Ready at the first poll: the clock is not even asked.
        assert_eq!(ready.unwrap(), "at once");
        // The 1 s timers left behind do not keep the loop running (it would end at 1 s).
        assert!(started.elapsed() < ms(1000), "{:?}", started.elapsed());
    });
}

#[test]
fn a_timeout_of_duration_max_means_never() {
    serial(|| {
        // A delay too long for `Instant` means "never" (`Instant::now() + delay` would panic with
        // an overflow, in whichever task armed it).
        let (forever, never) = Loop::new()
            .unwrap()
            .run_task(async {
                let forever = timeout(Duration::MAX, async {
                    sleep(ms(10)).await;
                    Ok(5)
                });
                let never = timeout(ms(10), async {
                    sleep(Duration::MAX).await;
                    Ok(6)
                });
                (forever.await, never.await)
            })
            .unwrap();
        assert_eq!(forever.unwrap(), 5);
        assert_eq!(never.unwrap_err().kind(), ErrorKind::TimedOut);
    });
}

#[test]
#[should_panic(
    expected = "sleep: no event loop is running on this thread: await it in a task of Loop::run_task"
)]
fn sleep_outside_a_running_loop_says_why_it_cannot_work() {
    serial(|| {
        // Polled by hand, as the talk iterates `asyncio.sleep(1)` by hand on slide 5.3.
        step06_async_iter_ctx::run_task(sleep(ms(1)));
    });
}

#[test]
fn a_thousand_sleeping_tasks_cost_almost_no_cpu() {
    serial(|| {
        let event_loop = Loop::new().unwrap();
        for _ in 0..1000 {
            event_loop.add_task(sleep(ms(300)));
        }
        let (wall, cpu) = (Instant::now(), shared::sys::cpu_time().unwrap());
        event_loop.run().unwrap();
        let (wall, cpu) = (wall.elapsed(), shared::sys::cpu_time().unwrap() - cpu);
        assert!(wall >= ms(300), "{wall:?}");
        // Step03's busy sleep would burn the whole 300 ms; this loop sleeps in the kernel. The
        // bound is generous: `getrusage` counts the whole process, the test harness included.
        assert!(cpu < wall / 10, "{cpu:?} of CPU in {wall:?}");
    });
}
