//! The event loop: tasks in a slab, polled only when woken; in between, the loop sleeps in the
//! reactor until a socket is ready, a timer is due, or another thread wakes a task.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{Ordering, fence};
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use shared::record;

use crate::OneShot;
use crate::reactor::Reactor;
use crate::timer::Timers;
use crate::waker::{ReadyQueue, TaskWaker};

/// How many task polls the loop may make, while tasks keep being woken, before it asks the
/// reactor anyway (tokio's scheduler uses the same number).
const IO_EVERY: usize = 61;

/// A task: a future with nothing left to return, boxed so that futures of different types fit in
/// one queue (Python's coroutine objects all have the same type; Rust's do not).
pub type Task = Pin<Box<dyn Future<Output = ()>>>;

/// Runs tasks until all are done, one poll each in turn: the talk's first loop. Pop the task at
/// the front, give it one step, and put it back at the end if it is not done. The waker does
/// nothing (only the recorder hears it): every unfinished task is polled again on the next turn
/// anyway. The `record::…` calls tell `cargo xtask trace` and `--step` what the loop does.
pub fn run_tasks(tasks: Vec<Task>) {
    let _recorded = record::run();
    for task in &tasks {
        record::added(record::id_of(&**task), ""); // boxed: its type, and so its name, is gone
    }
    let mut queue = VecDeque::from(tasks);
    let mut cx = Context::from_waker(record::noop_waker());
    while let Some(mut task) = queue.pop_front() {
        let id = record::id_of(&*task);
        record::turn();
        record::polling(id);
        let pending = task.as_mut().poll(&mut cx).is_pending();
        record::polled(id, !pending);
        if pending {
            queue.push_back(task);
        } else {
            record::finished(id);
        }
    }
}

thread_local! {
    /// The loop running on this thread, if any: what [`Loop::current`] returns.
    static CURRENT: RefCell<Option<Loop>> = const { RefCell::new(None) };
}

/// The talk's `Loop` class, now with wakers: a task is polled when it was woken, and only then.
///
/// It is a cheap handle: clones share the same loop, so a task can keep one and add tasks.
#[derive(Clone)]
pub struct Loop {
    /// Everything the loop holds; shared by its handles.
    inner: Rc<Inner>,
}

/// What a [`Loop`] holds.
struct Inner {
    /// Every unfinished task, under its id. Never borrowed while a task is polled.
    tasks: RefCell<Slab>,
    /// The ids of the tasks woken since their last poll, oldest first.
    ready: RefCell<VecDeque<usize>>,
    /// Tasks woken away from the running loop (another thread…): moved to `ready` each turn.
    woken_elsewhere: Arc<ReadyQueue>,
    /// The talk's `handlers`: what to set, and when.
    timers: RefCell<Timers>,
    /// Where the loop sleeps, and where sockets say they are ready.
    reactor: Rc<Reactor>,
    /// How many turns the loop has made: what a demo shows to compare two ways of turning.
    turns: Cell<u64>,
    /// True while [`Loop::run`] runs: a second `run` of the same loop would fight the first one.
    running: Cell<bool>,
    /// Cleanup that drops handed over (or a teardown kept), to become tasks before it sleeps.
    cleanup: RefCell<Vec<Task>>,
    /// True while a cleanup task is polled: the tasks it adds (a `gather`'s) are cleanup too.
    in_cleanup: Cell<bool>,
}

/// The tasks, each in a slot numbered by its id; a finished task's id is given to the next one.
#[derive(Default)]
struct Slab {
    /// `None` for a free id, or for a task taken out while it is polled.
    slots: Vec<Option<Slot>>,
    /// Ids free for new tasks.
    free: Vec<usize>,
    /// How many tasks are unfinished.
    live: usize,
}

/// One task and its waker.
struct Slot {
    /// The task.
    task: Task,
    /// What the task's wakers point to.
    handle: Arc<TaskWaker>,
    /// A `Waker` made once from `handle`, for every poll.
    waker: Waker,
    /// Cleanup that a drop handed over: a teardown does not drop it, but keeps it for later.
    cleanup: bool,
}

impl Loop {
    /// A loop with no task. Fails only if the system refuses a poller (out of descriptors).
    pub fn new() -> io::Result<Loop> {
        let (reactor, alarm) = Reactor::new()?;
        let inner = Inner {
            tasks: RefCell::new(Slab::default()),
            ready: RefCell::new(VecDeque::new()),
            woken_elsewhere: ReadyQueue::new(alarm),
            timers: RefCell::new(Timers::default()),
            reactor: Rc::new(reactor),
            turns: Cell::new(0),
            running: Cell::new(false),
            cleanup: RefCell::new(Vec::new()),
            in_cleanup: Cell::new(false),
        };
        Ok(Loop {
            inner: Rc::new(inner),
        })
    }

    /// The loop running on this thread: the talk's `Loop.current`. Outside [`Loop::run`] there
    /// is none, and that is an error to report, not to guess around.
    pub fn current() -> Result<Loop, NoCurrentLoop> {
        // Not `with`: while a thread ends, a destructor may ask after this thread-local is gone.
        let current = CURRENT.try_with(|current| current.borrow().clone());
        current.ok().flatten().ok_or(NoCurrentLoop)
    }

    /// Adds a task; it is queued at once, so it gets a first poll. Works from a running task too.
    /// `cargo xtask trace` and `--step` call it after its future's type: its `async fn`.
    pub fn add_task(&self, task: impl Future<Output = ()> + 'static) {
        self.add_task_named(std::any::type_name_of_val(&task), task);
    }

    /// [`Loop::add_task`], under a name that `cargo xtask trace` and `--step` show: a task is
    /// easier to follow as `client 127.0.0.1:50312` than as task 7.
    pub fn add_task_named(&self, name: &str, task: impl Future<Output = ()> + 'static) {
        self.add(name, Box::pin(task), self.inner.in_cleanup.get());
    }

    /// Adds `task`, marked as cleanup or not, and queues it.
    fn add(&self, name: &str, task: Task, cleanup: bool) {
        let mut tasks = self.inner.tasks.borrow_mut();
        let id = tasks.free.pop().unwrap_or(tasks.slots.len());
        if id == tasks.slots.len() {
            tasks.slots.push(None);
        }
        let handle = TaskWaker::new(id, Arc::clone(&self.inner.woken_elsewhere));
        let waker = Waker::from(Arc::clone(&handle));
        tasks.slots[id] = Some(Slot {
            task,
            handle,
            waker,
            cleanup,
        });
        tasks.live += 1;
        self.inner.ready.borrow_mut().push_back(id);
        record::added(id, name);
    }

    /// Takes cleanup that a drop hands the loop (a cancelled `async_with`'s exit). It waits
    /// aside until the loop next looks, before it sleeps: a drop may come while the loop tears
    /// its tasks down after a panic, and the cleanup must not go down with them.
    pub(crate) fn add_cleanup(&self, cleanup: impl Future<Output = ()> + 'static) {
        self.inner.cleanup.borrow_mut().push(Box::pin(cleanup));
    }

    /// Makes the cleanup handed over so far into tasks.
    fn adopt_cleanup(&self) {
        for cleanup in self.inner.cleanup.take() {
            record::cleanup();
            self.add("", cleanup, true); // boxed: its type, and so its name, is gone
        }
    }

    /// Sets `future` at `deadline`: the talk's `call_later(t, future)`, whose `t` is a time, not
    /// a delay. Deadlines on a monotonic clock: setting the system clock changes nothing.
    pub fn call_at(&self, deadline: Instant, future: OneShot<()>) {
        self.inner.timers.borrow_mut().push(deadline, future);
    }

    /// Sets `future` after `delay`: asyncio's `call_later`. A delay too long for the clock
    /// (`Duration::MAX`) means never: the future is dropped, not set.
    pub fn call_later(&self, delay: Duration, future: OneShot<()>) {
        if let Some(deadline) = Instant::now().checked_add(delay) {
            self.call_at(deadline, future);
        }
    }

    /// Runs until every task is done. Each turn fires every due timer, polls the tasks woken so
    /// far, then, when none is left, sleeps in the reactor until there is something to do.
    ///
    /// Fails when tasks remain that nothing can ever wake (see [`Stuck`]): it drops them, runs
    /// the cleanup their drops hand it (a cancelled `async_with`'s exit), then says so. Fails if
    /// the reactor fails. Panics when called from one of this loop's own tasks (that task would
    /// wait for itself), and when a task panics, after dropping its tasks (not its cleanup).
    pub fn run(&self) -> io::Result<()> {
        let _recorded = record::run();
        let _running = Running::start(self);
        let mut polled = 0; // tasks polled since the reactor was last asked
        let mut stuck = 0; // tasks given up on, reported once their cleanup has run
        loop {
            self.adopt_cleanup(); // even when the last task is done: its drop may hand some
            if self.inner.tasks.borrow().live == 0 {
                break;
            }
            record::turn();
            self.inner.turns.set(self.inner.turns.get() + 1);
            self.fire_due_timers();
            let mut ready = self.inner.ready.borrow_mut();
            self.inner.woken_elsewhere.move_to(&mut ready);
            // Only the tasks queued now: one that wakes itself waits for the next turn.
            let queued = ready.len();
            record::queued(queued);
            drop(ready);
            for _ in 0..queued {
                let id = self.inner.ready.borrow_mut().pop_front();
                self.poll_task(id.expect("tasks are queued only at the back"));
            }
            polled += queued;
            // A task just polled may have dropped a scope: its exit starts before the loop
            // sleeps, not when something else wakes it (and it holds wakers: not `Stuck`).
            self.adopt_cleanup();
            // Ask the reactor when no task is left to poll, and sleep there; but also every
            // `IO_EVERY` polls, so that tasks that keep waking each other cannot starve the
            // sockets. (Asking on every turn would cost a system call per yield.)
            let idle = self.inner.ready.borrow().is_empty();
            if self.inner.tasks.borrow().live > 0 && (idle || polled >= IO_EVERY) {
                polled = 0;
                stuck += self.sleep_until_woken()?;
            }
        }
        match stuck {
            0 => Ok(()),
            tasks => Err(io::Error::other(Stuck { tasks })),
        }
    }

    /// How many turns this loop has made since it was created, over every call to `run`.
    pub fn turns(&self) -> u64 {
        self.inner.turns.get()
    }

    /// Runs `task`, and every task it adds, to the end; returns what `task` returned.
    pub fn run_task<T: 'static>(&self, task: impl Future<Output = T> + 'static) -> io::Result<T> {
        let output = Rc::new(Cell::new(None));
        let slot = Rc::clone(&output);
        let name = std::any::type_name_of_val(&task);
        self.add_task_named(name, async move { slot.set(Some(task.await)) });
        self.run()?;
        Ok(output
            .take()
            .expect("run() returns Ok only once every task, this one too, has finished"))
    }

    /// Polls task `id`, if it is really queued; a finished task leaves the slab.
    fn poll_task(&self, id: usize) {
        let taken = self
            .inner
            .tasks
            .borrow_mut()
            .slots
            .get_mut(id)
            .and_then(Option::take);
        let Some(mut slot) = taken else {
            return; // a stale id: that task has finished
        };
        if slot.handle.take_queued() {
            let mut cx = Context::from_waker(&slot.waker);
            record::polling(id);
            self.inner.in_cleanup.set(slot.cleanup);
            let ready = slot.task.as_mut().poll(&mut cx).is_ready();
            self.inner.in_cleanup.set(false);
            record::polled(id, ready);
            if ready {
                record::finished(id);
                drop(slot); // before the slab is borrowed: the task's destructors may use it
                let mut tasks = self.inner.tasks.borrow_mut();
                tasks.free.push(id);
                tasks.live -= 1;
                return;
            }
            // Two references are the slot's own: any other is a waker that a timer, a socket,
            // a one-shot or a thread holds. None, and nothing can ever wake this task.
            record::wakers_held(id, Arc::strong_count(&slot.handle) - 2);
        }
        self.inner.tasks.borrow_mut().slots[id] = Some(slot);
    }

    /// Waits in the reactor: not at all if a task is ready, until the next timer if there is one,
    /// for ever if only a socket or another thread can still wake a task. With none of those,
    /// nothing ever will: it drops those tasks instead, and says how many.
    fn sleep_until_woken(&self) -> io::Result<usize> {
        let next_timer = self.inner.timers.borrow_mut().next_deadline();
        let mut timeout = next_timer.map(|at| at.saturating_duration_since(Instant::now()));
        if timeout.is_none() && self.nobody_can_wake() {
            let tasks = std::mem::take(&mut *self.inner.tasks.borrow_mut());
            let stuck = tasks.live;
            drop_each(tasks.slots); // their destructors may use the loop, and hand it cleanup
            return Ok(stuck);
        }
        self.inner.woken_elsewhere.set_sleeping(true);
        if !self.inner.ready.borrow().is_empty() || !self.inner.woken_elsewhere.is_empty() {
            timeout = Some(Duration::ZERO);
        }
        record::waiting(timeout);
        let waited = self.inner.reactor.wait(timeout);
        record::woke_up();
        self.inner.woken_elsewhere.set_sleeping(false);
        waited?;
        self.inner.reactor.dispatch();
        Ok(0)
    }

    /// True when no task is queued, and no task's waker is held by anything but the loop: no
    /// timer, no socket, no one-shot, no other thread can ever wake one of them.
    ///
    /// The queues are looked at last: a thread that wakes a task queues it *before* it drops its
    /// waker, so if the waker is seen gone, the task is seen queued. (The queues first, and
    /// only first, would miss a thread that queues between the two looks, then drops its waker:
    /// its task would be declared stuck, and dropped, just after it was woken.)
    fn nobody_can_wake(&self) -> bool {
        if !self.nothing_queued() {
            return false; // the quick answer, most of the time
        }
        let tasks = self.inner.tasks.borrow();
        // Two references are the slot's own: `handle`, and the `Waker` made from it.
        let mut handles = tasks.slots.iter().flatten().map(|slot| &slot.handle);
        let held_elsewhere = handles.any(|handle| Arc::strong_count(handle) > 2);
        // What a thread did before it dropped its waker (queue the task) is visible from here.
        fence(Ordering::Acquire);
        !held_elsewhere && self.nothing_queued()
    }

    /// True when no task waits for its turn, on this thread's queue or the other threads'.
    fn nothing_queued(&self) -> bool {
        self.inner.ready.borrow().is_empty() && self.inner.woken_elsewhere.is_empty()
    }

    /// Sets the one-shot of every timer due now, earliest first. All of them: the talk's loop
    /// fires one per turn, and a crowd of timers due together would fall behind. Each is taken
    /// out of the heap before it is set: setting one wakes a waker, and a waker may arm a timer.
    /// (With no timer, it does not even read the clock.)
    fn fire_due_timers(&self) {
        if self.inner.timers.borrow().is_empty() {
            return;
        }
        let now = Instant::now();
        loop {
            // Not `while let`: the heap would stay borrowed for the whole body.
            let due = self.inner.timers.borrow_mut().pop_due(now);
            let Some(future) = due else { return };
            record::timer_fired();
            let _ = future.set(()); // already set by someone else: nothing to do
        }
    }

    /// The reactor that this loop's sockets register with.
    pub(crate) fn reactor(&self) -> Rc<Reactor> {
        Rc::clone(&self.inner.reactor)
    }
}

impl fmt::Debug for Loop {
    /// Tasks are futures with no `Debug`; their number is what matters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loop")
            .field("tasks", &self.inner.tasks.borrow().live)
            .finish()
    }
}

/// Makes a loop the current one while it runs, and cleans up after it, also when a task panics
/// and the panic unwinds out of [`Loop::run`]: the previous loop is current again, and the
/// tasks are dropped. Tasks often hold a handle to their loop (`gather` does): left in place,
/// that cycle would keep them, and their sockets, alive for ever. (So does a loop dropped before
/// it ever ran: run what you add.)
struct Running {
    /// The loop that runs.
    event_loop: Loop,
    /// The loop that was current before (usually none).
    previous: Option<Loop>,
}

impl Running {
    /// Makes `event_loop` current until the returned value is dropped.
    fn start(event_loop: &Loop) -> Self {
        if event_loop.inner.running.replace(true) {
            panic!("Loop::run: this event loop is already running (called from one of its tasks)");
        }
        let previous = CURRENT.replace(Some(event_loop.clone()));
        let event_loop = event_loop.clone();
        Self {
            event_loop,
            previous,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let inner = &self.event_loop.inner;
        inner.running.set(false);
        inner.in_cleanup.set(false); // a cleanup task whose poll panicked left it set
        CURRENT.replace(self.previous.take());
        // A run cut short (a panic, a failing reactor) leaves tasks behind: drop them. Take them
        // out of the slab, then drop them, in two statements: the slab is borrowed until the end
        // of the first, and their destructors may use the loop. Cleanup is kept, started or
        // not: the next run resumes it.
        if inner.tasks.borrow().live > 0 {
            let tasks = std::mem::take(&mut *inner.tasks.borrow_mut());
            inner.ready.borrow_mut().clear();
            let slots = tasks.slots.into_iter().flatten();
            let (cleanup, others): (Vec<Slot>, _) = slots.partition(|slot| slot.cleanup);
            let kept: Vec<Task> = cleanup.into_iter().map(|slot| slot.task).collect();
            inner.cleanup.borrow_mut().extend(kept);
            drop_each(others);
        }
    }
}

/// Drops `tasks` one at a time, each under `catch_unwind`: a destructor may panic, and a second
/// panic while one is unwinding aborts the process, out of reach of any `catch_unwind`. The
/// first panic goes on once every task is dropped; while one unwinds already, it is that one.
fn drop_each<T>(tasks: impl IntoIterator<Item = T>) {
    let mut first_panic = None;
    for task in tasks {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| drop(task))) {
            first_panic.get_or_insert(panic);
        }
    }
    if let Some(panic) = first_panic.filter(|_| !std::thread::panicking()) {
        resume_unwind(panic);
    }
}

/// Queues task `id` on the loop running on this thread, if `queue` belongs to that loop: a
/// wake from the loop's own thread, while it runs, takes no lock and makes no system call.
/// False if it does not (another thread, another loop, or no loop running).
pub(crate) fn queue_here(queue: &Arc<ReadyQueue>, id: usize) -> bool {
    let queue_here = |current: &RefCell<Option<Loop>>| match &*current.borrow() {
        Some(running) if Arc::ptr_eq(&running.inner.woken_elsewhere, queue) => {
            running.inner.ready.borrow_mut().push_back(id);
            true
        }
        _ => false,
    };
    // A thread that is ending may have dropped its thread-locals already: the queue will do.
    CURRENT.try_with(queue_here).unwrap_or(false)
}

/// The error of [`Loop::current`] outside a running loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoCurrentLoop;

impl fmt::Display for NoCurrentLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no event loop is running on this thread")
    }
}

impl std::error::Error for NoCurrentLoop {}

/// Why [`Loop::run`] gave up: tasks remain, but no timer, no socket, no other thread holds a
/// waker that could wake one of them. Waiting would be for ever; the loop drops them and says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stuck {
    /// How many tasks could never finish.
    pub tasks: usize,
}

impl fmt::Display for Stuck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tasks = match self.tasks {
            1 => "1 task waits".to_owned(),
            n => format!("{n} tasks wait"),
        };
        write!(
            f,
            "{tasks} for something that can never happen: nothing holds a waker"
        )
    }
}

impl std::error::Error for Stuck {}
