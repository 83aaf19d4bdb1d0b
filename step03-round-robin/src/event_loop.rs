//! The event loop: a queue of tasks, polled in turn.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::Context;

use shared::record;

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

/// The talk's `Loop` class: [`run_tasks`] with a queue that tasks can add to while it runs.
///
/// It is a cheap handle: clones share the same queue, so a task can keep one and add tasks.
#[derive(Clone, Default)]
pub struct Loop {
    /// Tasks waiting for their next turn. A `RefCell`, because a running task may add tasks; it
    /// is never borrowed while a task is polled.
    tasks: Rc<RefCell<VecDeque<Task>>>,
    /// True while [`Loop::run`] runs: a second `run` of the same loop would fight the first one.
    running: Rc<Cell<bool>>,
}

impl Loop {
    /// A loop with no task.
    pub fn new() -> Self {
        Self::default()
    }

    /// The loop running on this thread: the talk's `Loop.current`. Outside [`Loop::run`] there
    /// is none, and that is an error to report, not to guess around.
    pub fn current() -> Result<Loop, NoCurrentLoop> {
        // Not `with`: while a thread ends, a destructor may ask after this thread-local is gone.
        let current = CURRENT.try_with(|current| current.borrow().clone());
        current.ok().flatten().ok_or(NoCurrentLoop)
    }

    /// Queues a task; it gets its first poll on a later turn. Works from inside a running task.
    /// `cargo xtask trace` and `--step` call it after its future's type: its `async fn`.
    pub fn add_task(&self, task: impl Future<Output = ()> + 'static) {
        self.add_task_named(std::any::type_name_of_val(&task), task);
    }

    /// [`Loop::add_task`], under a name that `cargo xtask trace` and `--step` show: a task is
    /// easier to follow as `client 127.0.0.1:50312` than as task 7.
    pub fn add_task_named(&self, name: &str, task: impl Future<Output = ()> + 'static) {
        let task: Task = Box::pin(task);
        record::added(record::id_of(&*task), name);
        self.tasks.borrow_mut().push_back(task);
    }

    /// Polls the tasks in turn until none is left.
    ///
    /// Panics when called from one of this loop's own tasks (that task would wait for itself),
    /// and when a task panics, after dropping every task the loop still held.
    pub fn run(&self) {
        let _recorded = record::run();
        let _running = Running::start(self);
        let mut cx = Context::from_waker(record::noop_waker());
        while let Some(mut task) = self.next_task() {
            let id = record::id_of(&*task);
            record::turn();
            record::polling(id);
            let ready = task.as_mut().poll(&mut cx).is_ready();
            record::polled(id, ready);
            if ready {
                record::finished(id);
            } else {
                self.tasks.borrow_mut().push_back(task);
            }
        }
    }

    /// Runs `task`, and every task it adds, to the end; returns what `task` returned.
    pub fn run_task<T: 'static>(&self, task: impl Future<Output = T> + 'static) -> T {
        let output = Rc::new(Cell::new(None));
        let slot = Rc::clone(&output);
        let name = std::any::type_name_of_val(&task);
        self.add_task_named(name, async move { slot.set(Some(task.await)) });
        self.run();
        output
            .take()
            .expect("run() returns only once every task, this one too, has finished")
    }

    /// The task whose turn it is, if any; the queue is borrowed only for the pop.
    fn next_task(&self) -> Option<Task> {
        self.tasks.borrow_mut().pop_front()
    }
}

impl fmt::Debug for Loop {
    /// Tasks are futures with no `Debug`; their number is what matters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loop")
            .field("tasks", &self.tasks.borrow().len())
            .finish()
    }
}

/// Makes a loop the current one while it runs, and cleans up after it, also when a task panics
/// and the panic unwinds out of [`Loop::run`]: the previous loop is current again, and the
/// queue is emptied. Queued tasks often hold a handle to their loop (`gather` does): left in
/// place, that cycle would keep them, and their sockets, alive for ever.
struct Running {
    /// The loop that runs.
    event_loop: Loop,
    /// The loop that was current before (usually none).
    previous: Option<Loop>,
}

impl Running {
    /// Makes `event_loop` current until the returned value is dropped.
    fn start(event_loop: &Loop) -> Self {
        if event_loop.running.replace(true) {
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
        self.event_loop.running.set(false);
        CURRENT.replace(self.previous.take());
        if std::thread::panicking() {
            // Take the tasks out of the queue, then drop them, in two statements: the queue is
            // borrowed until the end of the first, and their destructors may use the loop.
            let tasks = std::mem::take(&mut *self.event_loop.tasks.borrow_mut());
            drop_each(tasks);
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

/// The error of [`Loop::current`] outside a running loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoCurrentLoop;

impl fmt::Display for NoCurrentLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no event loop is running on this thread")
    }
}

impl std::error::Error for NoCurrentLoop {}
