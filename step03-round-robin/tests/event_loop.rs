//! The round-robin loop: who runs when, what comes back, `Loop::current`, and what a loop does
//! with its tasks when one of them panics.
//!
//! Every test that runs a loop runs it within the time limit: a loop that never ends fails its
//! test instead of hanging the run.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use shared::Trace;
use shared::testing::{bounded, in_child_test, run_test_alone};
use step03_round_robin::{ComplexWork, Loop, NoCurrentLoop, Task, Waiter};
use step03_round_robin::{complex_work, gather, interrupt, run_tasks, simple_print, sleep};

/// A task that records `name1`, `name2`, … with an interrupt after each step.
async fn steps(trace: Trace, name: &'static str, count: u32) {
    for step in 1..=count {
        trace.record(format!("{name}{step}"));
        interrupt().await;
    }
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
fn the_talks_slide_4_4_prints_1_hello_2_3_world() {
    bounded(|| {
        let ((), printed) = shared::capture(|| {
            run_tasks(vec![
                Box::pin(simple_print("1")),
                Box::pin(ComplexWork::new()),
                Box::pin(simple_print("2")),
                Box::pin(simple_print("3")),
            ])
        });
        let expected = ["1", "Hello", "2", "3", "World"];
        let said: Vec<&str> = printed
            .iter()
            .map(|l| l.split(": ").nth(1).unwrap())
            .collect();
        assert_eq!(said, expected);
        // The async fn behaves the same in the queue.
        let ((), again) = shared::capture(|| {
            run_tasks(vec![Box::pin(simple_print("1")), Box::pin(complex_work())])
        });
        assert_eq!(again.len(), 3);
    });
}

#[test]
fn the_loop_polls_in_turn_too() {
    bounded(|| {
        let trace = Trace::new();
        let event_loop = Loop::new();
        event_loop.add_task(steps(trace.clone(), "a", 2));
        event_loop.add_task(steps(trace.clone(), "b", 2));
        event_loop.run();
        assert_eq!(trace.events(), ["a1", "b1", "a2", "b2"]);
    });
}

#[test]
fn a_task_added_from_inside_runs_after_those_already_queued() {
    bounded(|| {
        let trace = Trace::new();
        let event_loop = Loop::new();
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
        event_loop.run();
        assert_eq!(trace.events(), ["spawner", "b1", "child1", "b2"]);
    });
}

#[test]
fn run_task_returns_the_value() {
    bounded(|| {
        assert_eq!(Loop::new().run_task(async { 6 * 7 }), 42);
    });
}

#[test]
fn a_counting_waiter_needs_every_set() {
    bounded(|| {
        let trace = Trace::new();
        let waiter = Waiter::with_count(3);
        let event_loop = Loop::new();
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
        event_loop.run();
        assert_eq!(trace.events(), ["set 1", "set 2", "set 3", "done waiting"]);
    });
}

#[test]
fn current_outside_a_loop_is_a_clear_error() {
    assert_eq!(Loop::current().unwrap_err(), NoCurrentLoop);
    let message = NoCurrentLoop.to_string();
    assert_eq!(message, "no event loop is running on this thread");
}

#[test]
fn current_is_set_only_while_running() {
    bounded(|| {
        let inside = Loop::new().run_task(async { Loop::current().is_ok() });
        assert!(inside);
        assert!(Loop::current().is_err());
    });
}

#[test]
fn a_panicking_task_does_not_leave_a_stale_current_loop() {
    bounded(|| {
        let event_loop = Loop::new();
        let result = catch_unwind(AssertUnwindSafe(|| {
            event_loop.run_task(async {
                interrupt().await;
                panic!("task failed");
            })
        }));
        assert!(result.is_err());
        assert_eq!(Loop::current().unwrap_err(), NoCurrentLoop);
        // And the loop itself is still usable.
        assert_eq!(event_loop.run_task(async { "again" }), "again");
    });
}

/// Adds one to a counter when dropped: proof that a task's destructor ran.
struct DropCounter(Rc<Cell<usize>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn after_a_panic_the_loop_drops_every_task_it_held() {
    bounded(|| {
        let dropped = Rc::new(Cell::new(0));
        let event_loop = Loop::new();
        for _ in 0..3 {
            let counter = DropCounter(Rc::clone(&dropped));
            // Each task keeps a handle to its loop, as `gather` does: a cycle, loop → task → loop.
            event_loop.add_task(async move {
                let _counter = counter;
                let _its_loop = Loop::current().expect("inside the loop");
                loop {
                    interrupt().await;
                }
            });
        }
        event_loop.add_task(async {
            interrupt().await;
            panic!("one task fails");
        });
        let result = catch_unwind(AssertUnwindSafe(|| event_loop.run()));
        assert!(result.is_err());
        assert_eq!(dropped.get(), 3, "every waiting task was dropped");
    });
}

/// Held by a task: when the task is dropped, adds a task to the loop and formats it, as a
/// destructor that cleans up through the loop would.
struct UsesTheLoopWhenDropped(Loop, Rc<Cell<bool>>);

impl Drop for UsesTheLoopWhenDropped {
    fn drop(&mut self) {
        self.0.add_task(async {});
        let _ = format!("{:?}", self.0);
        self.1.set(true);
    }
}

#[test]
fn after_a_panic_the_tasks_dropped_may_use_the_loop() {
    bounded(|| {
        let done = Rc::new(Cell::new(false));
        let event_loop = Loop::new();
        let guard = UsesTheLoopWhenDropped(event_loop.clone(), Rc::clone(&done));
        event_loop.add_task(async move {
            let _guard = guard;
            loop {
                interrupt().await;
            }
        });
        event_loop.add_task(async {
            interrupt().await;
            panic!("one task fails");
        });
        // A second panic, in the destructor, would abort the process: out of catch_unwind's reach.
        let result = catch_unwind(AssertUnwindSafe(|| event_loop.run()));
        assert!(result.is_err());
        assert!(done.get(), "the destructor ran to its end");
    });
}

#[test]
#[should_panic(expected = "this event loop is already running")]
fn running_a_loop_from_one_of_its_own_tasks_is_refused() {
    bounded(|| {
        let event_loop = Loop::new();
        let same = event_loop.clone();
        let waiter = Waiter::new();
        let set_later = waiter.clone();
        // Without the check, `same.run()` would spin for ever on this task, which waits for the
        // outer task to go on.
        event_loop.add_task(waiter);
        event_loop.run_task(async move {
            same.run();
            set_later.set();
        });
    });
}

#[test]
#[should_panic(expected = "this event loop is already running")]
fn running_a_loop_from_a_loop_nested_in_one_of_its_tasks_is_refused() {
    bounded(|| {
        let (outer, inner) = (Loop::new(), Loop::new());
        let same = outer.clone();
        // A task of `outer` runs `inner`, whose task runs `outer` again: `outer` is not the
        // current loop there, but it is running all the same.
        outer.run_task(async move {
            inner.run_task(async move { same.run() });
        });
    });
}

#[test]
fn gather_returns_results_in_input_order() {
    bounded(|| {
        let nap = |millis: u64| async move {
            sleep(Duration::from_millis(millis)).await;
            millis
        };
        // They finish 20, 40, 60 but come back in the order given.
        let results = Loop::new().run_task(gather([nap(60), nap(20), nap(40)]));
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
                sleep(Duration::from_millis(200)).await;
                trace.record(format!("end {name}"));
            }
        };
        let started = Instant::now();
        let naps: Vec<_> = (1..=5).map(nap).collect();
        Loop::new().run_task(gather(naps));
        let elapsed = started.elapsed();
        // Every nap started before any ended: they overlapped.
        let events = trace.events();
        assert!(
            events[..5].iter().all(|e| e.starts_with("start")),
            "{events:?}"
        );
        // Five naps of 200 ms take about 200 ms together, below the 1000 ms of their sum: one
        // after the other, they could not take less, as a sleep never ends early.
        assert!(elapsed < Duration::from_millis(1000), "took {elapsed:?}");
        assert!(elapsed >= Duration::from_millis(200), "took {elapsed:?}");
    });
}

#[test]
fn gather_of_nothing_is_empty() {
    bounded(|| {
        let results = Loop::new().run_task(gather(Vec::<std::future::Ready<u8>>::new()));
        assert!(results.is_empty());
    });
}

#[test]
#[should_panic(expected = "gather: no event loop is running")]
fn gather_outside_a_loop_says_why_it_cannot_run() {
    bounded(|| {
        step03_round_robin::run_task(gather([async { 1 }]));
    });
}

#[test]
fn ten_thousand_tasks_all_complete() {
    bounded(|| {
        let done = Rc::new(Cell::new(0));
        let event_loop = Loop::new();
        for _ in 0..10_000 {
            let done = Rc::clone(&done);
            event_loop.add_task(async move {
                interrupt().await;
                done.set(done.get() + 1);
            });
        }
        event_loop.run();
        assert_eq!(done.get(), 10_000);
    });
}

#[test]
fn sleep_never_returns_early() {
    bounded(|| {
        let started = Instant::now();
        Loop::new().run_task(sleep(Duration::from_millis(30)));
        assert!(started.elapsed() >= Duration::from_millis(30));
    });
}

/// A future that counts how often it is polled.
struct Counted<F> {
    /// The future being counted, boxed to stay pinned.
    inner: Pin<Box<F>>,
    /// Polls so far, shared with the test.
    polls: Rc<Cell<usize>>,
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.set(self.polls.get() + 1);
        self.inner.as_mut().poll(cx)
    }
}

#[test]
fn a_sleeping_task_is_polled_over_and_over_the_flaw_step05_fixes() {
    bounded(|| {
        let polls = Rc::new(Cell::new(0));
        let napping = Counted {
            inner: Box::pin(sleep(Duration::from_millis(100))),
            polls: Rc::clone(&polls),
        };
        Loop::new().run_task(napping);
        // Busy waiting: asked "done yet?" for the whole 100 ms, thousands of times; a hundred
        // at least, even on a crowded machine that lets it run only a share of that time.
        // Step05's sleep is polled twice.
        assert!(polls.get() > 100, "polled only {} times", polls.get());
    });
}

thread_local! {
    /// What a thread drops last, once its other thread-locals (the loop's among them) are gone:
    /// first used before them, its destructor runs after theirs.
    static DROPPED_LAST: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// Asks for the current loop when dropped, and says what it got.
struct AsksForTheLoop(Arc<Mutex<Option<Result<(), NoCurrentLoop>>>>);

impl Drop for AsksForTheLoop {
    fn drop(&mut self) {
        let answer = Loop::current().map(drop);
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(answer);
    }
}

/// A thread ends, and its thread-locals are destroyed one after the other: the loop's own first,
/// then one that holds a loop with a task, which asks for the current loop when it is dropped.
/// That must be `NoCurrentLoop`, not a panic: a panic in a thread-local's destructor aborts the
/// process.
#[test]
fn dropped_by_a_thread_locals_destructor_nothing_aborts() {
    if !in_child_test() {
        // An abort ends the whole process: it runs in a process of its own.
        let run = run_test_alone("dropped_by_a_thread_locals_destructor_nothing_aborts");
        assert!(run.status.success(), "{}\n{}", run.status, run.stderr);
        return;
    }
    let answer = Arc::new(Mutex::new(None));
    let asked = Arc::clone(&answer);
    let thread = std::thread::spawn(move || {
        DROPPED_LAST.with_borrow(|_| ()); // first used, last destroyed
        let event_loop = Loop::new();
        event_loop.run_task(interrupt()); // the loop's thread-local is used from here on
        let asks = AsksForTheLoop(asked);
        event_loop.add_task(async move {
            let _asks = asks;
            interrupt().await;
        });
        DROPPED_LAST.set(vec![Box::new(event_loop)]);
    });
    bounded(move || thread.join()).expect("the thread ended well");
    let answer = answer.lock().unwrap().take();
    assert_eq!(answer, Some(Err(NoCurrentLoop)));
}
