//! Code the loop calls out to — a task's destructor, a waker — may use the loop again: the loop
//! never calls out while it holds one of its own borrows.

use std::cell::Cell;
use std::future::{pending, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use std::time::Duration;

use shared::testing::bounded;
use step06_async_iter_ctx::{Loop, OneShot, interrupt, sleep};

/// Held by a task: when the task is dropped, adds a task to the loop and formats it, as a
/// destructor that cleans up through the loop would.
struct UsesTheLoopWhenDropped {
    /// A handle kept by the task.
    event_loop: Loop,
    /// Set once the destructor got through.
    done: Rc<Cell<bool>>,
}

impl Drop for UsesTheLoopWhenDropped {
    fn drop(&mut self) {
        self.event_loop.add_task(async {});
        let _ = format!("{:?}", self.event_loop);
        self.done.set(true);
    }
}

/// A task panics; on the way out, the loop drops the other tasks; one of them uses the loop in
/// its destructor. That must not be a second panic (which would abort the process, beyond the
/// reach of `catch_unwind`): the panic reaches the caller, and the destructor runs in full.
#[test]
fn after_a_panic_the_tasks_dropped_may_use_the_loop() {
    bounded(|| {
        let event_loop = Loop::new().unwrap();
        let done = Rc::new(Cell::new(false));
        let guard = UsesTheLoopWhenDropped {
            event_loop: event_loop.clone(),
            done: Rc::clone(&done),
        };
        event_loop.add_task(async move {
            let _guard = guard;
            pending::<()>().await;
        });
        event_loop.add_task(async {
            interrupt().await;
            panic!("a task fails");
        });
        let outcome = catch_unwind(AssertUnwindSafe(|| event_loop.run()));
        let panic = outcome.expect_err("the task's panic reaches the caller of run");
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"a task fails"));
        assert!(done.get(), "the destructor ran to its end");
    });
}

/// A loop that gives up as `Stuck` drops the tasks it held: their destructors may use the loop.
#[test]
fn a_stuck_loop_drops_its_tasks_and_they_may_use_the_loop() {
    bounded(|| {
        let event_loop = Loop::new().unwrap();
        let done = Rc::new(Cell::new(false));
        let guard = UsesTheLoopWhenDropped {
            event_loop: event_loop.clone(),
            done: Rc::clone(&done),
        };
        event_loop.add_task(async move {
            let _guard = guard;
            pending::<()>().await;
        });
        assert!(event_loop.run().is_err(), "the task can never finish");
        assert!(done.get(), "the destructor ran to its end");
    });
}

/// A waker that arms a timer of the running loop whenever it is woken, then passes the wake on.
struct ArmsATimer {
    /// The waker of the task, to pass the wake on to.
    task: Waker,
}

impl Wake for ArmsATimer {
    fn wake(self: Arc<Self>) {
        let event_loop = Loop::current().expect("woken inside the loop");
        event_loop.call_later(Duration::from_millis(1), OneShot::new());
        self.task.wake_by_ref();
    }
}

/// A timer wakes a waker that arms another timer: the loop must not be holding its heap of
/// timers while it fires them.
#[test]
fn a_waker_woken_by_a_timer_may_arm_a_timer() {
    bounded(|| {
        let event_loop = Loop::new().unwrap();
        event_loop
            .run_task(async {
                let mut nap = pin!(sleep(Duration::from_millis(1)));
                poll_fn(|cx| {
                    // Poll the sleep with a waker of our own, which arms a timer when woken.
                    let waker = Waker::from(Arc::new(ArmsATimer {
                        task: cx.waker().clone(),
                    }));
                    nap.as_mut().poll(&mut Context::from_waker(&waker))
                })
                .await;
            })
            .unwrap();
    });
}
