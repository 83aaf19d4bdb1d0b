//! Code the loop calls out to — a task's destructor, a waker — may use the loop again: the loop
//! never calls out while it holds one of its own borrows.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::future::{Future, pending, poll_fn};
use std::io;
use std::net::Ipv4Addr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use shared::testing::{bounded, in_child_test, run_test_alone};
use step06_async_iter_ctx::{AioListener, AsyncContextManager, Loop, NoCurrentLoop, OneShot};
use step06_async_iter_ctx::{Outcome, async_with, interrupt, sleep};

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

/// A context manager whose resource counts its drops, on any thread.
struct Counted(Arc<AtomicUsize>);

/// The resource of [`Counted`]: one more drop when dropped.
struct Resource(Arc<AtomicUsize>);

impl Drop for Resource {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl AsyncContextManager for Counted {
    type Resource = Resource;
    type Error = io::Error;

    async fn enter(&mut self) -> io::Result<Resource> {
        Ok(Resource(Arc::clone(&self.0)))
    }

    async fn exit(self, resource: Resource, outcome: Outcome<io::Error>) -> io::Result<()> {
        drop(resource);
        outcome.into_result()
    }
}

/// A task (a boxed future) that entered an `async_with` in `event_loop`, and never finished.
fn entered_scope(event_loop: &Loop, drops: &Arc<AtomicUsize>) -> Pin<Box<dyn Future<Output = ()>>> {
    let scope = async_with(Counted(Arc::clone(drops)), async |_| {
        pending::<io::Result<()>>().await
    });
    let mut task: Pin<Box<dyn Future<Output = ()>>> = Box::pin(async move {
        let _ = scope.await;
    });
    let polled = event_loop.run_task(async move {
        poll_fn(|cx| Poll::Ready(task.as_mut().poll(cx).is_pending()))
            .await
            .then_some(task)
    });
    polled.unwrap().expect("the body never ends")
}

/// A listener that waited in `event_loop`: registered with its reactor.
fn registered_listener(event_loop: &Loop) -> AioListener {
    let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let polled = event_loop.run_task(async move {
        let waited = {
            let mut accept = pin!(listener.accept());
            poll_fn(|cx| Poll::Ready(accept.as_mut().poll(cx).is_pending())).await
        };
        waited.then_some(listener)
    });
    polled.unwrap().expect("nobody connects")
}

/// A thread ends, and its thread-locals are destroyed one after the other: the loop's own first,
/// then one that holds a task that entered a scope and never finished, a listener registered
/// with a loop's reactor, that loop, and a value that asks for the current loop when dropped.
/// None of their destructors may panic: a panic in a thread-local's destructor aborts the
/// process. The scope's resource is dropped, and `Loop::current()` says that there is no loop.
#[test]
fn dropped_by_a_thread_locals_destructor_nothing_aborts() {
    if !in_child_test() {
        // An abort ends the whole process: it runs in a process of its own.
        let run = run_test_alone("dropped_by_a_thread_locals_destructor_nothing_aborts");
        assert!(run.status.success(), "{}\n{}", run.status, run.stderr);
        return;
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let answer = Arc::new(Mutex::new(None));
    let (counted, asked) = (Arc::clone(&drops), Arc::clone(&answer));
    let thread = std::thread::spawn(move || {
        DROPPED_LAST.with_borrow(|_| ()); // first used, last destroyed
        let event_loop = Loop::new().unwrap();
        let last: Vec<Box<dyn Any>> = vec![
            Box::new(AsksForTheLoop(asked)),
            Box::new(entered_scope(&event_loop, &counted)),
            Box::new(registered_listener(&event_loop)),
            Box::new(event_loop),
        ];
        DROPPED_LAST.set(last);
    });
    bounded(move || thread.join()).expect("the thread ended well");
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the scope's resource dropped"
    );
    let answer = answer.lock().unwrap().take();
    assert_eq!(answer, Some(Err(NoCurrentLoop)));
}
