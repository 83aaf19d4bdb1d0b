//! Hand-written futures: the state machine, the waiter, join and the lock.
//!
//! A test that polls a future to its end does so within the time limit: a future that never
//! ends fails its test instead of hanging the run.

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use shared::testing::{WakeCount, bounded};
use step02_awaitables::{ComplexWork, Lock, Stepper, Waiter};
use step02_awaitables::{complex_work, interrupt, join, run_task};

/// Steps a future to the end and returns its number of polls and what it printed.
fn trace_of<F: Future<Output = ()>>(future: F) -> (usize, Vec<String>) {
    shared::capture(|| {
        let mut stepper = Stepper::new(future);
        while stepper.step().is_pending() {}
        stepper.polls()
    })
}

#[test]
fn the_struct_behaves_like_the_async_fn() {
    bounded(|| {
        let by_hand = trace_of(ComplexWork::new());
        let by_compiler = trace_of(complex_work());
        assert_eq!(by_hand, by_compiler);
        assert_eq!(
            by_hand,
            (
                2,
                vec!["complex_work: Hello".into(), "complex_work: World".into()]
            )
        );
    });
}

#[test]
fn the_struct_is_lazy_too() {
    let ((), printed) = shared::capture(|| {
        let _work = ComplexWork::new();
    });
    assert!(printed.is_empty());
}

#[test]
fn a_finished_struct_says_ready_again_like_a_finished_generator() {
    let (polls, _) = shared::capture(|| {
        let mut stepper = Stepper::new(ComplexWork::new());
        assert_eq!(stepper.step(), Poll::Pending);
        assert_eq!(stepper.step(), Poll::Ready(()));
        assert_eq!(stepper.step(), Poll::Ready(())); // Python: StopIteration again
        stepper.polls()
    });
    assert_eq!(polls, 3);
}

#[test]
fn the_struct_wakes_its_waker_before_it_is_pending_like_interrupt() {
    let (wakes, waker) = WakeCount::new();
    let mut cx = Context::from_waker(&waker);
    shared::capture(|| {
        let mut work = pin!(ComplexWork::new());
        assert_eq!(work.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(
            wakes.get(),
            1,
            "Pending without a wake: a real loop never polls it again"
        );
        assert_eq!(work.as_mut().poll(&mut cx), Poll::Ready(()));
    });
    assert_eq!(wakes.get(), 1, "Ready needs no wake");
}

#[test]
fn a_waiter_is_pending_until_its_flag_is_set() {
    let waiter = Waiter::new();
    let mut waiting = Stepper::new(waiter.clone());
    for _ in 0..10 {
        assert_eq!(waiting.step(), Poll::Pending);
    }
    waiter.set_done();
    assert_eq!(waiting.step(), Poll::Ready(()));
    assert_eq!(waiting.polls(), 11);
}

#[test]
fn a_waiter_wakes_its_waker_each_time_it_is_pending() {
    // Nobody tells the waiting task that the flag is set: it asks to be polled again, and looks.
    let (wakes, waker) = WakeCount::new();
    let mut cx = Context::from_waker(&waker);
    let waiter = Waiter::new();
    let mut waiting = pin!(waiter.clone());
    for pendings in 1..=3 {
        assert_eq!(waiting.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(
            wakes.get(),
            pendings,
            "Pending without a wake: nobody would poll it again"
        );
    }
    waiter.set_done();
    assert_eq!(waiting.as_mut().poll(&mut cx), Poll::Ready(()));
    assert_eq!(wakes.get(), 3, "Ready needs no wake");
}

#[test]
fn a_waiter_set_before_the_wait_is_ready_at_once() {
    let waiter = Waiter::new();
    waiter.set_done();
    assert_eq!(Stepper::new(waiter).step(), Poll::Ready(()));
}

#[test]
fn join_takes_turns_and_returns_both_values() {
    bounded(|| {
        let trace = shared::Trace::new();
        let worker = |name: &'static str, steps: u32| {
            let trace = trace.clone();
            async move {
                for step in 1..=steps {
                    trace.record(format!("{name}{step}"));
                    interrupt().await;
                }
                name
            }
        };
        let both = run_task(join(worker("a", 3), worker("b", 1)));
        assert_eq!(both, ("a", "b"));
        // Each poll of the join gives each unfinished future one step.
        assert_eq!(trace.events(), ["a1", "b1", "a2", "a3"]);
    });
}

#[test]
fn the_waiting_side_resumes_only_after_the_flag_is_set() {
    bounded(|| {
        let trace = shared::Trace::new();
        let waiter = Waiter::new();
        let waiting = {
            let (trace, waiter) = (trace.clone(), waiter.clone());
            async move {
                waiter.await;
                trace.record("waiting: resumed");
            }
        };
        let working = {
            let trace = trace.clone();
            async move {
                for _ in 0..3 {
                    trace.record("working");
                    interrupt().await;
                }
                trace.record("working: set");
                waiter.set_done();
            }
        };
        run_task(join(waiting, working));
        let expected = [
            "working",
            "working",
            "working",
            "working: set",
            "waiting: resumed",
        ];
        assert_eq!(trace.events(), expected);
    });
}

/// Three workers each hold `lock` across suspensions; returns the most holders seen at once.
fn most_holders_at_once(lock: Option<Lock>) -> usize {
    let holders = Rc::new(Cell::new(0));
    let most = Rc::new(Cell::new(0));
    let worker = || {
        let (lock, holders, most) = (lock.clone(), holders.clone(), most.clone());
        async move {
            for _ in 0..3 {
                let _guard = match &lock {
                    Some(lock) => Some(lock.acquire().await),
                    None => None,
                };
                holders.set(holders.get() + 1);
                most.set(most.get().max(holders.get()));
                interrupt().await;
                interrupt().await;
                holders.set(holders.get() - 1);
            }
        }
    };
    run_task(join(join(worker(), worker()), worker()));
    most.get()
}

#[test]
fn the_lock_never_lets_two_holders_in() {
    bounded(|| {
        assert_eq!(most_holders_at_once(Some(Lock::new())), 1);
    });
}

#[test]
fn without_the_lock_the_workers_do_overlap() {
    bounded(|| {
        // Shows that the test above could fail: the same workers, unlocked, are in together.
        assert_eq!(most_holders_at_once(None), 3);
    });
}

#[test]
fn dropping_the_guard_releases_the_lock() {
    bounded(|| {
        let lock = Lock::new();
        let guard = run_task(lock.acquire());
        assert!(lock.is_locked());
        drop(guard);
        assert!(!lock.is_locked());
    });
}
