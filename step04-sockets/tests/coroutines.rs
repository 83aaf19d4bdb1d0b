//! What an `async fn` does when it is called, polled and finished.

use std::task::Poll;

use step04_sockets::{COMPLEX_WORK_SUSPENSIONS, Stepper};
use step04_sockets::{complex_work, interrupt, run_task};

#[test]
fn calling_an_async_fn_runs_nothing() {
    // Build the future and drop it unpolled: not a single line may have been printed.
    let (future, printed) = shared::capture(complex_work);
    drop(future);
    assert_eq!(printed, Vec::<String>::new());
}

#[test]
fn interrupt_is_pending_exactly_once() {
    let mut stepper = Stepper::new(interrupt());
    assert_eq!(stepper.step(), Poll::Pending);
    assert_eq!(stepper.step(), Poll::Ready(()));
    assert!(stepper.is_done());
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
            assert_eq!(
                stepper.step(),
                Poll::Pending,
                "poll {poll} of {n} interrupts"
            );
        }
        assert_eq!(stepper.step(), Poll::Ready(n * 10));
        assert_eq!(stepper.polls(), n + 1);
    }
}

#[test]
fn nested_awaits_suspend_through_the_caller() {
    let ((), printed) = shared::capture(|| {
        let mut stepper = Stepper::new(complex_work());
        // Each poll runs up to the next interrupt, wherever it is: in complex_work or in sub_work.
        assert_eq!(stepper.step(), Poll::Pending); // complex_work's own first interrupt
        assert_eq!(stepper.step(), Poll::Pending); // first interrupt inside sub_work
        assert_eq!(stepper.step(), Poll::Pending); // second interrupt inside sub_work
        assert_eq!(stepper.step(), Poll::Pending); // complex_work's second interrupt
        assert_eq!(stepper.step(), Poll::Ready(42));
        assert_eq!(stepper.polls(), COMPLEX_WORK_SUSPENSIONS + 1);
    });
    assert_eq!(
        printed,
        [
            "complex_work: step 1: start",
            "  sub_work: begin",
            "  sub_work: middle",
            "  sub_work: end",
            "complex_work: step 2: sub_work returned 21",
            "complex_work: step 3: done",
        ]
    );
}

#[test]
fn each_poll_prints_only_up_to_the_next_suspension() {
    let mut stepper = Stepper::new(complex_work());
    let (_, first) = shared::capture(|| stepper.step());
    assert_eq!(first, ["complex_work: step 1: start"]);
    let (_, second) = shared::capture(|| stepper.step());
    assert_eq!(second, ["  sub_work: begin"]);
}

#[test]
fn run_task_returns_the_value() {
    let (answer, printed) = shared::capture(|| run_task(complex_work()));
    assert_eq!(answer, 42);
    assert_eq!(printed.len(), 6);
}

#[test]
#[should_panic(expected = "after the future finished")]
fn stepping_a_finished_future_is_a_clear_panic() {
    let mut stepper = Stepper::new(async {});
    assert_eq!(stepper.step(), Poll::Ready(()));
    let _ = stepper.step();
}
