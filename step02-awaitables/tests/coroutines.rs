//! What an `async fn` does when it is called, polled and finished.
//!
//! A test that polls a future to its end (`run_task`) does so within the time limit: a future
//! that never ends fails its test instead of hanging the run.

use std::pin::pin;
use std::task::{Context, Poll};

use shared::testing::{WakeCount, bounded};
use step02_awaitables::Stepper;
use step02_awaitables::{complex_work, interrupt, run_task, simple_print};

#[test]
fn calling_an_async_fn_runs_nothing() {
    // Build the futures and drop them unpolled: not a single line may have been printed.
    let ((), printed) = shared::capture(|| {
        drop(complex_work());
        drop(simple_print("Hello"));
    });
    assert_eq!(printed, Vec::<String>::new());
}

#[test]
fn interrupt_is_pending_exactly_once() {
    let mut stepper = Stepper::new(interrupt());
    assert_eq!(stepper.step(), Poll::Pending);
    assert_eq!(stepper.step(), Poll::Ready(()));
}

#[test]
fn interrupt_wakes_its_waker_before_it_is_pending() {
    // Rust's contract: whoever returns Pending arranges to be polled again. Nobody else knows
    // that interrupt() is waiting, so it wakes its own waker, once, before its Pending.
    let (wakes, waker) = WakeCount::new();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(interrupt());
    assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
    assert_eq!(
        wakes.get(),
        1,
        "Pending without a wake: a real loop never polls it again"
    );
    assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(()));
    assert_eq!(wakes.get(), 1, "Ready needs no wake");
}

#[test]
fn a_coroutine_that_never_awaits_is_done_in_one_poll() {
    let (polls, printed) = shared::capture(|| {
        let mut stepper = Stepper::new(simple_print("Hello"));
        assert_eq!(stepper.step(), Poll::Ready(()));
        stepper.polls()
    });
    assert_eq!(
        (polls, printed),
        (1, vec!["simple_print: Hello".to_owned()])
    );
}

#[test]
fn n_interrupts_are_n_pendings_then_ready_with_the_value() {
    for n in [0, 1, 5] {
        let mut stepper = Stepper::new(async move {
            for _ in 0..n {
                interrupt().await;
            }
            n * 10
        });
        for poll in 1..=n {
            assert_eq!(stepper.step(), Poll::Pending, "poll {poll} of {n}");
        }
        assert_eq!(stepper.step(), Poll::Ready(n * 10));
        assert_eq!(stepper.polls(), n + 1);
    }
}

#[test]
fn each_poll_runs_only_up_to_the_next_suspension() {
    let mut stepper = Stepper::new(complex_work());
    let (first, printed) = shared::capture(|| stepper.step());
    assert_eq!(
        (first, printed),
        (Poll::Pending, vec!["complex_work: Hello".into()])
    );
    let (second, printed) = shared::capture(|| stepper.step());
    assert_eq!(
        (second, printed),
        (Poll::Ready(()), vec!["complex_work: World".into()])
    );
}

#[test]
fn nested_awaits_suspend_through_the_caller() {
    let outer = async {
        complex_work().await; // its one Pending travels up through `outer`
        complex_work().await;
        "both done"
    };
    let ((), printed) = shared::capture(|| {
        let mut stepper = Stepper::new(outer);
        assert_eq!(stepper.step(), Poll::Pending); // inside the first complex_work
        assert_eq!(stepper.step(), Poll::Pending); // inside the second
        assert_eq!(stepper.step(), Poll::Ready("both done"));
    });
    assert_eq!(
        printed,
        [
            "complex_work: Hello",
            "complex_work: World",
            "complex_work: Hello",
            "complex_work: World",
        ]
    );
}

#[test]
fn run_task_returns_the_value() {
    bounded(|| {
        let answer = run_task(async {
            interrupt().await;
            42
        });
        assert_eq!(answer, 42);
    });
}

#[test]
#[should_panic(expected = "resumed after completion")]
fn polling_a_finished_async_fn_is_a_clear_panic() {
    // Python: a third `next(it)` raises `RuntimeError: cannot reuse already awaited coroutine`.
    let mut stepper = Stepper::new(simple_print("once"));
    let _ = shared::capture(|| assert_eq!(stepper.step(), Poll::Ready(())));
    let _ = stepper.step();
}
