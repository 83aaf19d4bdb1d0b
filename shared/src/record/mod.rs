//! The scheduler's own account of what it decides, for pictures (`cargo xtask trace`), for the
//! demos' `--step`, and for tests.
//!
//! The loops of steps 03 to 06 call these functions as they go: a run begun, a task added under
//! a name, a poll begun and ended, a wake and what caused it, a timer fired, a socket ready, a
//! wait in the kernel, a turn; and what a waiting task awaits. [`crate::say`] reports the demo's
//! own lines. Nothing here schedules anything: it only listens. Off — the usual case — each call
//! is one load of an atomic and a branch. It is on when:
//!
//! - `WORKSHOP_TRACE=FILE` is set (`cargo xtask trace` sets it): events go to FILE, one JSON
//!   object per line, the polls of a task that follow each other closely merged into one band
//!   that counts them, so that a loop polling millions of times a second still writes a small
//!   file. The format is documented where it is read: `xtask/src/trace/model.rs`;
//! - a demo gets `--step` on a terminal: the loop stops before each turn until Enter, and says
//!   what it does (which task it polls and why, what every waiting task awaits); polls of a task
//!   that only woke itself fold into one line. Ctrl-D runs the rest without a word;
//! - a test runs code under [`capture`] (every event, in words), [`trace`] (the file's lines)
//!   or [`narrate`] (what `--step` would say).

mod json;
mod names;
mod narrator;
mod recorder;

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Display;
use std::fs::File;
use std::io::{BufWriter, IsTerminal};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Wake, Waker};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use narrator::Narrator;
use recorder::{Out, Recorder};

/// `LISTENERS` before anyone asked whether a file or `--step` listens.
const UNKNOWN: usize = usize::MAX;

/// How many listen: a file or `--step` (one, for good), and each [`capture`], [`trace`] or
/// [`narrate`] running, on any thread. Zero, the usual case: every call returns at once, after
/// this one load.
static LISTENERS: AtomicUsize = AtomicUsize::new(UNKNOWN);

/// What listens for the whole process, once a file or `--step` does.
static RECORDER: Mutex<Option<Recorder>> = Mutex::new(None);

thread_local! {
    /// The events of the [`capture`] running on this thread, if any, in words.
    static CAPTURED: RefCell<Option<Captured>> = const { RefCell::new(None) };
    /// The recorder of the [`trace`] or [`narrate`] running on this thread, if any.
    static LOCAL: RefCell<Option<Recorder>> = const { RefCell::new(None) };
}

/// True when something listens. The one question every call asks first, and all that it costs
/// when nothing does.
#[inline]
fn on() -> bool {
    match LISTENERS.load(Ordering::Relaxed) {
        0 => false,
        UNKNOWN => start(),
        _ => true,
    }
}

/// Decides, once, whether a file or `--step` listens, and sets up what does.
#[cold]
fn start() -> bool {
    let mut recorder = recorder(); // one thread decides; the others wait for its answer
    if LISTENERS.load(Ordering::Relaxed) != UNKNOWN {
        return LISTENERS.load(Ordering::Relaxed) > 0;
    }
    let file = std::env::var_os("WORKSHOP_TRACE").and_then(|path| File::create(path).ok());
    let narrator = stepping().then(|| Narrator::new(None));
    let listening = file.is_some() || narrator.is_some();
    if listening {
        let out = file.map(|file| Out::File(BufWriter::new(file)));
        *recorder = Some(Recorder::new(out, narrator));
        crate::sys::at_exit(finish);
    }
    LISTENERS.store(usize::from(listening), Ordering::Relaxed);
    listening
}

/// Whether the demo was given `--step` and can step: on a terminal, without `--auto`. Without
/// one, it says so in one line, and the demo runs as usual (narrating a busy loop to a pipe
/// would be millions of lines).
fn stepping() -> bool {
    if !std::env::args().any(|arg| arg == "--step") {
        return false;
    }
    if crate::demo::is_auto() {
        let why = match std::io::stdin().is_terminal() {
            true => "--auto",
            false => "stdin is not a terminal",
        };
        crate::trace::print(
            "loop",
            &format!("--step needs a terminal ({why}): not stepping"),
        );
        return false;
    }
    true
}

/// The recorder, even if a panicking thread held it: a record stays worth writing.
fn recorder() -> MutexGuard<'static, Option<Recorder>> {
    RECORDER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Hands `event` to whatever listens: this thread's capture or local recorder, the process's
/// recorder. Out of line: the calls above inline only their first question, "does anything
/// listen?".
#[inline(never)]
fn note(event: Event) {
    let now = nanos_since_start();
    // `try_with`: a destructor run as its thread ends (a waker a thread-local held) may come
    // after these thread-locals are gone, and a panic there would abort the process.
    let _ = CAPTURED.try_with(|captured| {
        if let Some(captured) = captured.borrow_mut().as_mut() {
            captured.take(&event);
        }
    });
    let _ = LOCAL.try_with(|local| {
        if let Some(local) = local.borrow_mut().as_mut() {
            local.take(event.clone(), now);
        }
    });
    let pause = match recorder().as_mut() {
        Some(recorder) => recorder.take(event, now),
        None => false,
    };
    // Waiting for Enter with the recorder unlocked: a thread that wakes a task meanwhile
    // must not wait for the user too.
    if pause {
        crate::sys::drop_typed_ahead();
        let stepping = crate::demo::pause("(Enter: next turn; Ctrl-D: run to the end) ");
        if !stepping {
            if let Some(recorder) = recorder().as_mut() {
                recorder.stop_stepping();
            }
        }
    }
}

/// Nanoseconds since the log's clock started: the recorder's times are the log's.
fn nanos_since_start() -> u64 {
    u64::try_from(crate::trace::started().elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// A run of a loop begins (`Loop::run`, `run_tasks`); it ends when the returned guard is
/// dropped, also when a task panics. Each run is a band of its own in a picture, titled by the
/// line the demo printed last before it began.
#[must_use = "the run ends when this guard is dropped"]
pub fn run() -> RunGuard {
    if on() {
        note(Event::RunBegins);
    }
    RunGuard(())
}

/// Ends a run when dropped: see [`run`].
#[derive(Debug)]
pub struct RunGuard(());

impl Drop for RunGuard {
    fn drop(&mut self) {
        if on() {
            note(Event::RunEnds);
        }
    }
}

/// A new task, known from now on by `id` (a slab id, or the address of its future) and called
/// `name`: the start of its row in a picture. A name that reads as a Rust type
/// (`talk03::print_messages::{{closure}}`, what `std::any::type_name` gives) is shortened to
/// its function (`print_messages`); an empty one is replaced by the label of the task's first
/// line (a boxed `dyn Future` has no name to give).
#[inline]
pub fn added(id: usize, name: &str) {
    if on() {
        note(Event::Added(id, name.to_owned()));
    }
}

/// Names the task being polled, if this is its first poll: for a task whose call says more than
/// its function, named from inside because what added it (a `gather`) takes only futures. The
/// talk demos call their tasks as the talk does: `print_messages('foo', 'bar', 'baz')`.
#[inline]
pub fn name_task(name: impl Display) {
    if on() {
        note(Event::Name(name.to_string()));
    }
}

/// The loop is about to poll task `id`.
#[inline]
pub fn polling(id: usize) {
    if on() {
        note(Event::Polling(id));
    }
}

/// The loop polled task `id`, which is done (`ready`) or not.
#[inline]
pub fn polled(id: usize, ready: bool) {
    if on() {
        note(Event::Polled(id, ready));
    }
}

/// After a poll of task `id` that was `Pending`: how many of its wakers are held outside the
/// loop (by a timer, a socket, a one-shot, another thread). None, and the task did not wake
/// itself: nobody can ever wake it. That is a lost wake, and the picture says so where it
/// happened.
#[inline]
pub fn wakers_held(id: usize, wakers: usize) {
    if on() {
        note(Event::WakersHeld(id, wakers));
    }
}

/// Task `id` ended: its id may name another task from now on.
#[inline]
pub fn finished(id: usize) {
    if on() {
        note(Event::Finished(id));
    }
}

/// Task `id` was woken. What woke it is what the loop was doing: polling a task (that task),
/// firing a timer, dispatching a socket's event; or another thread.
#[inline]
pub fn woken(id: usize) {
    if on() {
        note(Event::Woken(id, std::thread::current().id()));
    }
}

/// A waker that does nothing, as `Waker::noop()`, but that the recorder hears: the loops that
/// poll every task in turn anyway (steps 03–04) give it to their tasks, so that a task waking
/// itself on every poll — a busy wait — shows as one.
pub fn noop_waker() -> &'static Waker {
    /// The waker's one instance.
    static HEARD: OnceLock<Waker> = OnceLock::new();
    HEARD.get_or_init(|| Waker::from(Arc::new(Heard)))
}

/// What [`noop_waker`] wakes: nothing; it only tells the recorder.
struct Heard;

impl Wake for Heard {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if on() {
            note(Event::NoopWake(std::thread::current().id()));
        }
    }
}

/// The loop fires a timer: the wakes that follow are the timer's.
#[inline]
pub fn timer_fired() {
    if on() {
        note(Event::Timer);
    }
}

/// The reactor says socket `token` is ready: the wakes that follow are the socket's.
#[inline]
pub fn socket_ready(token: usize) {
    if on() {
        note(Event::Socket(token));
    }
}

/// The loop is about to wait in the kernel, at most `timeout` (`None`: until something comes).
#[inline]
pub fn waiting(timeout: Option<Duration>) {
    if on() {
        note(Event::Waiting(timeout));
    }
}

/// The loop is back from its wait in the kernel.
#[inline]
pub fn woke_up() {
    if on() {
        note(Event::WokeUp);
    }
}

/// A new turn of the loop begins. With `--step` on a terminal, it waits for Enter first.
#[inline]
pub fn turn() {
    if on() {
        note(Event::Turn(std::thread::current().id()));
    }
}

/// How many tasks the loop will poll this turn: its ready queue, a counter track in the
/// picture. A loop that polls every task in turn (steps 03–04, `run_tasks`) need not say: all
/// its tasks are always queued, and the recorder counts them.
#[inline]
pub fn queued(tasks: usize) {
    if on() {
        note(Event::Queued(tasks));
    }
}

/// The next task added is cleanup that a drop handed to the loop (step06's cancelled scopes).
#[inline]
pub fn cleanup() {
    if on() {
        note(Event::Cleanup);
    }
}

/// What a task can wait for, as its runtime knows it: what `--step` says at each pause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Awaited {
    /// Its own deadline, checked again at each poll: step03's busy `sleep` (`None`: never).
    Deadline(Option<Instant>),
    /// A socket (by descriptor) asked again at each poll, for reading or writing: step04.
    Socket {
        /// The descriptor.
        fd: i32,
        /// Writing (or connecting) rather than reading.
        write: bool,
    },
    /// A waiter that still expects `remaining` calls to `set`.
    Waiter {
        /// Calls to `set` still expected.
        remaining: usize,
    },
    /// A one-shot, by its id: what it stands for is what [`describe`] said of it.
    OneShot(usize),
    /// (Of a one-shot) set by a timer due at this instant.
    Timer(Instant),
    /// (Of a one-shot) set by the next event of a registered socket.
    Event {
        /// The socket's token in the reactor.
        token: usize,
        /// Writable rather than readable.
        write: bool,
    },
}

/// The task being polled awaits `what`: `--step` says so at its pauses.
#[inline]
pub fn awaits(what: Awaited) {
    if on() {
        note(Event::Awaits(what));
    }
}

/// The one-shot known by `id` stands for `what` (a timer, a socket's next event, a waiter):
/// what a task that awaits it waits for.
#[inline]
pub fn describe(id: usize, what: Awaited) {
    if on() {
        note(Event::Describe(id, what));
    }
}

/// A new one-shot lives at `id`: whatever was said of one that lived there before is forgotten.
#[inline]
pub fn forget(id: usize) {
    if on() {
        note(Event::Forget(id));
    }
}

/// A line the demo printed (through [`crate::say`]): a mark on the row of the task being
/// polled, if any.
pub(crate) fn said(label: &str, text: &str) {
    if on() {
        let thread = std::thread::current().id();
        note(Event::Said(thread, label.to_owned(), text.to_owned()));
    }
}

/// The id of a task that has no other: the address of its future, which does not move while
/// the task lives (it is pinned on the heap). Steps 03 and 04 name their tasks this way; steps
/// 05 and 06 name their one-shots so.
pub fn id_of<T: ?Sized>(task: &T) -> usize {
    std::ptr::from_ref(task).cast::<()>() as usize
}

/// Runs `f` and returns its result with every event the loops reported on this thread
/// meanwhile, unmerged, described in words (`poll 1`, `pending 1`, `woken 2`…): what a test
/// compares. Tasks are numbered 1, 2… in the order they were added, as in the pictures. (What
/// tasks await, and the lines they print, are left out: [`narrate`] and [`trace`] show them.)
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let _listening = Listening::start();
    let previous = CAPTURED.replace(Some(Captured::default()));
    let _end = EndCapture(previous);
    let result = f();
    let captured = CAPTURED.with_borrow_mut(Option::take).unwrap_or_default();
    (result, captured.events)
}

/// Runs `f` and returns its result with the lines that `WORKSHOP_TRACE` would have written
/// meanwhile for this thread's loops: one JSON object each.
pub fn trace<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let (result, recorder) = locally(Recorder::new(Some(Out::Memory(Vec::new())), None), f);
    (result, recorder.lines())
}

/// Runs `f` and returns its result with what `--step` would have said meanwhile of this
/// thread's loops, each pause written `(Enter)`.
pub fn narrate<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let narrator = Narrator::new(Some(Vec::new()));
    let (result, recorder) = locally(Recorder::new(None, Some(narrator)), f);
    (result, recorder.narration())
}

/// Runs `f` with `recorder` listening on this thread; returns it, finished, with `f`'s result.
fn locally<R>(recorder: Recorder, f: impl FnOnce() -> R) -> (R, Recorder) {
    let _listening = Listening::start();
    let previous = LOCAL.replace(Some(recorder));
    let _end = EndLocal(previous);
    let result = f();
    let mut recorder = LOCAL.with_borrow_mut(Option::take).expect("set above");
    recorder.finish(nanos_since_start());
    (result, recorder)
}

/// One more listener while it lives.
struct Listening;

impl Listening {
    /// Counts one more listener, after deciding whether a file or `--step` listens.
    fn start() -> Listening {
        on(); // decided first: a file or `--step` is counted once, before any capture
        LISTENERS.fetch_add(1, Ordering::Relaxed);
        Listening
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        LISTENERS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Ends a [`capture`], also when its code panics.
struct EndCapture(Option<Captured>);

impl Drop for EndCapture {
    fn drop(&mut self) {
        CAPTURED.set(self.0.take());
    }
}

/// Ends a [`trace`] or [`narrate`], also when its code panics.
struct EndLocal(Option<Recorder>);

impl Drop for EndLocal {
    fn drop(&mut self) {
        LOCAL.set(self.0.take());
    }
}

/// Writes what is still open (bands, runs) and flushes the file: at the process's exit.
pub fn finish() {
    if let Some(recorder) = recorder().as_mut() {
        recorder.finish(nanos_since_start());
    }
}

/// One thing a loop reported. Raw ids, as the loop knows them.
#[derive(Clone, Debug)]
enum Event {
    /// [`run`].
    RunBegins,
    /// The end of a [`run`].
    RunEnds,
    /// [`added`].
    Added(usize, String),
    /// [`name_task`].
    Name(String),
    /// [`polling`].
    Polling(usize),
    /// [`polled`].
    Polled(usize, bool),
    /// [`wakers_held`].
    WakersHeld(usize, usize),
    /// [`finished`].
    Finished(usize),
    /// [`woken`], from this thread.
    Woken(usize, ThreadId),
    /// A wake of [`noop_waker`], from this thread.
    NoopWake(ThreadId),
    /// [`timer_fired`].
    Timer,
    /// [`socket_ready`].
    Socket(usize),
    /// [`waiting`].
    Waiting(Option<Duration>),
    /// [`woke_up`].
    WokeUp,
    /// [`turn`], on this thread.
    Turn(ThreadId),
    /// [`queued`].
    Queued(usize),
    /// [`cleanup`].
    Cleanup,
    /// [`awaits`].
    Awaits(Awaited),
    /// [`describe`].
    Describe(usize, Awaited),
    /// [`forget`].
    Forget(usize),
    /// [`said`], on this thread: the label and the text.
    Said(ThreadId, String, String),
}

/// A [`capture`]'s events in words, its tasks numbered in the order they were added.
#[derive(Default)]
struct Captured {
    /// The events so far.
    events: Vec<String>,
    /// Each task's number, by raw id.
    numbers: HashMap<usize, usize>,
}

impl Captured {
    /// Describes `event`, if it is one a capture keeps.
    fn take(&mut self, event: &Event) {
        let number = |numbers: &HashMap<usize, usize>, id: &usize| match numbers.get(id) {
            Some(number) => number.to_string(),
            None => "?".to_owned(),
        };
        let words = match event {
            Event::RunBegins => "run".to_owned(),
            Event::RunEnds => "run ends".to_owned(),
            Event::Added(id, name) => {
                let next = self.numbers.len() + 1;
                self.numbers.insert(*id, next);
                match names::shorten(name) {
                    Some(name) => format!("added {next} {name}"),
                    None => format!("added {next}"),
                }
            }
            Event::Polling(id) => format!("poll {}", number(&self.numbers, id)),
            Event::Polled(id, true) => format!("ready {}", number(&self.numbers, id)),
            Event::Polled(id, false) => format!("pending {}", number(&self.numbers, id)),
            Event::WakersHeld(id, n) => {
                format!("wakers of {} held: {n}", number(&self.numbers, id))
            }
            Event::Finished(id) => format!("finished {}", number(&self.numbers, id)),
            Event::Woken(id, _) => format!("woken {}", number(&self.numbers, id)),
            Event::NoopWake(_) => "no-op wake".to_owned(),
            Event::Timer => "timer".to_owned(),
            Event::Socket(token) => format!("socket {token}"),
            Event::Waiting(Some(timeout)) => format!("wait {timeout:?}"),
            Event::Waiting(None) => "wait".to_owned(),
            Event::WokeUp => "woke up".to_owned(),
            Event::Turn(_) => "turn".to_owned(),
            Event::Queued(tasks) => format!("queued {tasks}"),
            Event::Cleanup => "cleanup".to_owned(),
            Event::Name(_)
            | Event::Awaits(_)
            | Event::Describe(..)
            | Event::Forget(_)
            | Event::Said(..) => return,
        };
        self.events.push(words);
    }
}
