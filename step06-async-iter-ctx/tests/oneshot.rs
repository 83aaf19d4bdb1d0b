//! `OneShot`, the talk's `Future` with `set()`, where the talk's version goes wrong: a `set`
//! before the await, a second `set`, several awaiters, an awaiter that goes away; and `gather`,
//! built on the loop as the talk builds it.
//!
//! Every test runs its loop within the time limit: a task that is never woken fails its test
//! instead of hanging the run.

mod common;

use std::cell::Cell;
use std::io::ErrorKind;
use std::rc::Rc;
use std::time::{Duration, Instant};

use shared::Trace;
use shared::testing::bounded;
use step06_async_iter_ctx::{AlreadySet, Loop, OneShot, Stuck, gather, sleep, timeout};

use common::Counted;

/// Shorthand for a number of milliseconds.
fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

#[test]
fn a_set_before_the_await_is_not_lost() {
    bounded(|| {
        let shot = OneShot::new();
        shot.set("early bird").unwrap();
        assert!(shot.is_set());
        // The talk's `set()` finds no task to queue, and the task that awaits later never resumes.
        let value = Loop::new().unwrap().run_task(shot.clone()).unwrap();
        assert_eq!(value, "early bird");
    });
}

#[test]
fn a_second_set_is_an_error_and_the_first_value_stays() {
    bounded(|| {
        let shot = OneShot::new();
        assert!(!shot.is_set());
        assert_eq!(shot.set(1), Ok(()));
        // The talk's second `set()` queues the task a second time.
        assert_eq!(shot.set(2), Err(AlreadySet));
        assert_eq!(AlreadySet.to_string(), "this one-shot was already set");
        assert_eq!(Loop::new().unwrap().run_task(shot).unwrap(), 1);
    });
}

#[test]
fn every_task_that_awaits_gets_the_value() {
    bounded(|| {
        let trace = Trace::new();
        let shot = OneShot::new();
        let event_loop = Loop::new().unwrap();
        // In the talk, `future.task = task` keeps only the last one: the others never resume.
        for name in ["a", "b", "c"] {
            let (trace, shot) = (trace.clone(), shot.clone());
            event_loop.add_task(async move { trace.record(format!("{name} got {}", shot.await)) });
        }
        event_loop.add_task(async move {
            sleep(ms(10)).await;
            shot.set(42).unwrap();
        });
        event_loop.run().unwrap();
        // In the order they started waiting.
        assert_eq!(trace.events(), ["a got 42", "b got 42", "c got 42"]);
    });
}

#[test]
fn set_wakes_the_waiting_task_once() {
    bounded(|| {
        let polls = Rc::new(Cell::new(0));
        let shot = OneShot::new();
        let event_loop = Loop::new().unwrap();
        event_loop.add_task(Counted::new(shot.clone(), &polls));
        event_loop.add_task(async move {
            sleep(ms(10)).await;
            shot.set(()).unwrap();
        });
        event_loop.run().unwrap();
        // `Pending` when it started waiting, `Ready` when woken: never polled in between.
        assert_eq!(polls.get(), 2);
    });
}

#[test]
fn ten_thousand_tasks_await_one_shot() {
    bounded(|| {
        let resumed = Rc::new(Cell::new(0));
        let shot = OneShot::new();
        let event_loop = Loop::new().unwrap();
        for _ in 0..10_000 {
            let (shot, resumed) = (shot.clone(), Rc::clone(&resumed));
            event_loop.add_task(async move {
                let value: u8 = shot.await;
                resumed.set(resumed.get() + usize::from(value));
            });
        }
        event_loop.add_task(async move { shot.set(1).unwrap() });
        event_loop.run().unwrap();
        assert_eq!(resumed.get(), 10_000);
    });
}

#[test]
fn an_awaiter_that_gives_up_does_not_break_the_setter() {
    bounded(|| {
        let trace = Trace::new();
        let shot = OneShot::new();
        let event_loop = Loop::new().unwrap();
        let (impatient, impatient_trace) = (shot.clone(), trace.clone());
        event_loop.add_task(async move {
            // Its handle is dropped after 10 ms, its waker with it.
            let outcome = timeout(ms(10), async { Ok(impatient.await) }).await;
            impatient_trace.record(format!("impatient: {:?}", outcome.map_err(|e| e.kind())));
        });
        let (patient, patient_trace) = (shot.clone(), trace.clone());
        event_loop
            .add_task(async move { patient_trace.record(format!("patient: {}", patient.await)) });
        let setter_trace = trace.clone();
        event_loop.add_task(async move {
            sleep(ms(30)).await;
            setter_trace.record(format!("set: {:?}", shot.set(7)));
        });
        event_loop.run().unwrap();
        let expected = ["impatient: Err(TimedOut)", "set: Ok(())", "patient: 7"];
        assert_eq!(trace.events(), expected);
    });
}

#[test]
fn setting_a_one_shot_nobody_awaits_any_more_is_fine() {
    bounded(|| {
        let shot = OneShot::new();
        let awaiter = shot.clone();
        let outcome = Loop::new()
            .unwrap()
            .run_task(timeout(ms(5), async move { Ok(awaiter.await) }))
            .unwrap();
        assert_eq!(outcome.unwrap_err().kind(), ErrorKind::TimedOut);
        assert_eq!(shot.set(1), Ok(()));
    });
}

#[test]
fn when_the_last_other_handle_goes_unset_the_awaiter_is_stuck() {
    let (stuck, took) = bounded(|| {
        let shot = OneShot::<u8>::new();
        let setter = shot.clone();
        let event_loop = Loop::new().unwrap();
        // The only other handle leaves without setting: nothing can wake the awaiter now, and
        // the loop must say so, not sleep for ever. (If `OneShot`'s drop kept the awaiter's
        // waker, this would hang until `bounded` fails.)
        event_loop.add_task(async move {
            sleep(ms(10)).await;
            drop(setter);
        });
        let started = Instant::now();
        let err = event_loop.run_task(shot).unwrap_err();
        let stuck = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<Stuck>())
            .copied();
        (stuck, started.elapsed())
    });
    assert_eq!(stuck, Some(Stuck { tasks: 1 }));
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn gather_returns_results_in_input_order() {
    bounded(|| {
        let nap = |millis: u64| async move {
            sleep(ms(millis)).await;
            millis
        };
        // They finish 20, 40, 60 but come back in the order given.
        let results = Loop::new()
            .unwrap()
            .run_task(gather([nap(60), nap(20), nap(40)]))
            .unwrap();
        assert_eq!(results, [60, 20, 40]);
    });
}

#[test]
fn gather_runs_the_futures_concurrently() {
    bounded(|| {
        let trace = Trace::new();
        let nap = |name: u32| {
            let trace = trace.clone();
            async move {
                trace.record(format!("start {name}"));
                sleep(ms(200)).await;
                trace.record(format!("end {name}"));
            }
        };
        let started = Instant::now();
        let naps: Vec<_> = (1..=5).map(nap).collect();
        Loop::new().unwrap().run_task(gather(naps)).unwrap();
        let elapsed = started.elapsed();
        // Every nap started before any ended: they overlapped.
        let events = trace.events();
        assert!(
            events[..5].iter().all(|e| e.starts_with("start")),
            "{events:?}"
        );
        // Five naps of 200 ms take about 200 ms together, below the 1000 ms of their sum: one
        // after the other, they could not take less, as a sleep never ends early.
        assert!(elapsed < ms(1000), "took {elapsed:?}");
        assert!(elapsed >= ms(200), "took {elapsed:?}");
    });
}

#[test]
fn gather_of_one_shots_set_in_reverse_still_answers_in_order() {
    bounded(|| {
        let shots: Vec<OneShot<usize>> = (0..3).map(|_| OneShot::new()).collect();
        let setters = shots.clone();
        let event_loop = Loop::new().unwrap();
        event_loop.add_task(async move {
            for (value, shot) in setters.iter().enumerate().rev() {
                sleep(ms(1)).await;
                shot.set(value).unwrap();
            }
        });
        assert_eq!(event_loop.run_task(gather(shots)).unwrap(), [0, 1, 2]);
    });
}

#[test]
fn gather_of_nothing_is_empty() {
    bounded(|| {
        let results = Loop::new()
            .unwrap()
            .run_task(gather(Vec::<std::future::Ready<u8>>::new()))
            .unwrap();
        assert!(results.is_empty());
    });
}

#[test]
#[should_panic(expected = "gather: no event loop is running")]
fn gather_outside_a_loop_says_why_it_cannot_run() {
    bounded(|| {
        step06_async_iter_ctx::run_task(gather([async { 1 }]));
    });
}
