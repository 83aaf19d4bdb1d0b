//! The scheduler's own account of what it decides, for pictures (`cargo xtask trace`), for the
//! demos' `--step`, and for tests.
//!
//! The loops of steps 03 to 06 call these functions as they go: a task added, a poll begun and
//! ended, a wake and what caused it, a timer fired, a socket ready, a wait in the kernel, a turn.
//! Nothing here schedules anything: it only listens. Off — the usual case — each call is one
//! load of an atomic and a branch. It is on when:
//!
//! - `WORKSHOP_TRACE=FILE` is set (`cargo xtask trace` sets it): events go to FILE, one per line,
//!   the polls of a task that follow each other closely merged into one band that counts them,
//!   so that a loop polling millions of times a second still writes a small file;
//! - a demo gets `--step`: on a terminal, the loop stops before each turn until Enter, and says
//!   what it does (which task it polls and why, or what it waits for);
//! - a test runs code under [`capture`]: every event, unmerged, in a list it can compare.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// `LISTENERS` before anyone asked whether a file or `--step` listens.
const UNKNOWN: usize = usize::MAX;

/// How many listen: a file or `--step` (one, for good), and each [`capture`] running, on any
/// thread. Zero, the usual case: every call returns at once, after this one load.
static LISTENERS: AtomicUsize = AtomicUsize::new(UNKNOWN);

/// What listens, once `STATE` is `ON`.
static RECORDER: Mutex<Option<Recorder>> = Mutex::new(None);

thread_local! {
    /// The events of the [`capture`] running on this thread, if any.
    static CAPTURED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Two polls of a task closer than this go into one band.
const BAND_GAP: Duration = Duration::from_micros(100);

/// No band is longer than this: a busy task shows as a row of bands, not one bar.
const BAND_MAX: Duration = Duration::from_millis(2);

/// A wait shorter than this, with a zero timeout, is only counted: a busy loop asks the kernel
/// every few dozen polls, and those questions would drown the picture.
const QUICK_WAIT: Duration = Duration::from_micros(50);

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
    let step = std::env::args().any(|arg| arg == "--step");
    let listening = file.is_some() || step;
    if listening {
        *recorder = Some(Recorder::new(file.map(BufWriter::new), step));
        crate::sys::at_exit(finish);
    }
    LISTENERS.store(usize::from(listening), Ordering::Relaxed);
    listening
}

/// The recorder, even if a panicking thread held it: a record stays worth writing.
fn recorder() -> MutexGuard<'static, Option<Recorder>> {
    RECORDER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Hands `event` to whatever listens: this thread's capture, the recorder, or both. Out of
/// line: the calls above inline only their first question, "does anything listen?".
#[inline(never)]
fn note(event: Event) {
    CAPTURED.with_borrow_mut(|captured| {
        if let Some(events) = captured {
            events.push(event.describe());
        }
    });
    let pause = match recorder().as_mut() {
        Some(recorder) => recorder.take(event),
        None => false,
    };
    // Waiting for Enter with the recorder unlocked: a thread that wakes a task meanwhile
    // must not wait for the user too.
    if pause {
        crate::demo::pause("(Enter: next turn) ");
    }
}

/// A new task, known from now on by `id` (a slab id, or the address of its future): the start
/// of its row in a picture.
#[inline]
pub fn added(id: usize) {
    if on() {
        note(Event::Added(id));
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

/// The next task added is cleanup that a drop handed to the loop (step06's cancelled scopes).
#[inline]
pub fn cleanup() {
    if on() {
        note(Event::Cleanup);
    }
}

/// The id of a task that has no other: the address of its future, which does not move while
/// the task lives (it is pinned on the heap). Steps 03 and 04 name their tasks this way.
pub fn id_of<T: ?Sized>(task: &T) -> usize {
    std::ptr::from_ref(task).cast::<()>() as usize
}

/// Runs `f` and returns its result with every event the loops reported on this thread
/// meanwhile, unmerged, described in words (`poll 1`, `pending 1`, `woken 2 by task 1`…): what a
/// test compares. Tasks are numbered 1, 2… in the order they were added, as in the pictures.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    on(); // decided first: a file or `--step` is counted once, before any capture
    LISTENERS.fetch_add(1, Ordering::Relaxed);
    let previous = CAPTURED.replace(Some(Vec::new()));
    let _end = EndCapture(previous);
    let result = f();
    let events = CAPTURED.with_borrow_mut(|captured| captured.take().unwrap_or_default());
    (result, number_tasks(&events))
}

/// Ends a [`capture`], also when its code panics.
struct EndCapture(Option<Vec<String>>);

impl Drop for EndCapture {
    fn drop(&mut self) {
        CAPTURED.set(self.0.take());
        LISTENERS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Writes what is still open (bands, counts) and flushes the file: at the process's exit, or
/// at the end of a demo.
pub fn finish() {
    if let Some(recorder) = recorder().as_mut() {
        recorder.finish();
    }
}

/// One thing a loop reported. Raw ids, as the loop knows them.
#[derive(Clone, Copy)]
enum Event {
    /// [`added`].
    Added(usize),
    /// [`polling`].
    Polling(usize),
    /// [`polled`].
    Polled(usize, bool),
    /// [`finished`].
    Finished(usize),
    /// [`woken`], from this thread.
    Woken(usize, ThreadId),
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
    /// [`cleanup`].
    Cleanup,
}

impl Event {
    /// The event in words, for [`capture`]; raw ids are numbered afterwards.
    fn describe(self) -> String {
        match self {
            Event::Added(id) => format!("added #{id}"),
            Event::Polling(id) => format!("poll #{id}"),
            Event::Polled(id, true) => format!("ready #{id}"),
            Event::Polled(id, false) => format!("pending #{id}"),
            Event::Finished(id) => format!("finished #{id}"),
            Event::Woken(id, _) => format!("woken #{id}"),
            Event::Timer => "timer".to_owned(),
            Event::Socket(token) => format!("socket {token}"),
            Event::Waiting(Some(timeout)) => format!("wait {timeout:?}"),
            Event::Waiting(None) => "wait".to_owned(),
            Event::WokeUp => "woke up".to_owned(),
            Event::Turn(_) => "turn".to_owned(),
            Event::Cleanup => "cleanup".to_owned(),
        }
    }
}

/// Replaces the raw ids (`#94…`) of captured events by numbers in the order tasks were added.
fn number_tasks(events: &[String]) -> Vec<String> {
    let mut numbers: HashMap<String, usize> = HashMap::new();
    let mut described = Vec::new();
    for event in events {
        let Some((words, raw)) = event.split_once('#') else {
            described.push(event.clone());
            continue;
        };
        if words == "added " {
            let next = numbers.len() + 1;
            numbers.insert(raw.to_owned(), next);
        }
        match numbers.get(raw) {
            Some(number) => described.push(format!("{words}{number}")),
            None => described.push(format!("{words}?")),
        }
    }
    described
}

/// What the loop was doing when a task was woken: what woke it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// Nothing the loop knows of: a wake from outside `run`.
    Outside,
    /// Polling this task (by number).
    Task(usize),
    /// Firing a timer.
    Timer,
    /// Dispatching this socket's event.
    Socket(usize),
    /// Another thread.
    Thread,
    /// Nothing yet: the task was just added (`--step` says so).
    Added,
}

/// The polls of one task that followed each other closely.
struct Band {
    /// When the first poll began, in nanoseconds since the recorder started.
    start: u64,
    /// When the last poll ended.
    end: u64,
    /// How many polls.
    polls: u64,
    /// Whether the last one found the task done.
    ready: bool,
}

/// What listens when a file or `--step` does.
struct Recorder {
    /// Where events go, if a file listens.
    out: Option<BufWriter<File>>,
    /// Whether `--step` listens: it says what the loop does, and pauses at each turn.
    step: bool,
    /// When the recorder started: times are counted from it.
    start: Instant,
    /// Each live task's number, by the raw id the loop knows it by.
    numbers: HashMap<usize, usize>,
    /// The next task's number.
    next_number: usize,
    /// Each task's open band, by number.
    bands: HashMap<usize, Band>,
    /// What woke each task last, by number: why it is polled next.
    woken_by: HashMap<usize, Cause>,
    /// What the loop is doing now.
    cause: Cause,
    /// The loop's thread: a wake from any other is a wake from another thread.
    loop_thread: Option<ThreadId>,
    /// The start of the wait in progress, and its timeout.
    wait: Option<(u64, Option<Duration>)>,
    /// Turns so far, and quick waits only counted.
    turns: u64,
    /// Waits too short to draw (see [`QUICK_WAIT`]).
    quick_waits: u64,
    /// The next task added is cleanup.
    cleanup_next: bool,
}

impl Recorder {
    /// A recorder writing to `out`, saying what it does if `step`.
    fn new(out: Option<BufWriter<File>>, step: bool) -> Recorder {
        Recorder {
            out,
            step,
            start: Instant::now(),
            numbers: HashMap::new(),
            next_number: 1,
            bands: HashMap::new(),
            woken_by: HashMap::new(),
            cause: Cause::Outside,
            loop_thread: None,
            wait: None,
            turns: 0,
            quick_waits: 0,
            cleanup_next: false,
        }
    }

    /// Nanoseconds since the recorder started.
    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// The number of the task the loop knows by `id` (a new one if it never said).
    fn number(&mut self, id: usize) -> usize {
        let next = &mut self.next_number;
        *self.numbers.entry(id).or_insert_with(|| {
            *next += 1;
            *next - 1
        })
    }

    /// Writes one line to the file, if one listens.
    fn write(&mut self, line: std::fmt::Arguments<'_>) {
        if let Some(out) = &mut self.out {
            let _ = out.write_fmt(line).and_then(|()| out.write_all(b"\n"));
        }
    }

    /// Says `line` in `--step` mode.
    fn say(&self, line: impl std::fmt::Display) {
        if self.step {
            crate::say("loop", line);
        }
    }

    /// Takes one event; returns whether to wait for Enter before the loop goes on.
    fn take(&mut self, event: Event) -> bool {
        let now = self.now();
        match event {
            Event::Added(id) => {
                self.numbers.remove(&id);
                let task = self.number(id);
                let cleanup = std::mem::take(&mut self.cleanup_next);
                self.write(format_args!(
                    "added t={now} task={task} cleanup={}",
                    u8::from(cleanup)
                ));
                self.woken_by.insert(task, Cause::Added);
                let what = if cleanup { "cleanup task" } else { "task" };
                self.say(format!("{what} {task} added"));
            }
            Event::Polling(id) => {
                let task = self.number(id);
                self.cause = Cause::Task(task);
                self.band_begins(task, now);
                let why = match self.woken_by.remove(&task) {
                    None => "its turn in the queue".to_owned(),
                    Some(Cause::Added) => "new".to_owned(),
                    Some(cause) => format!("woken by {}", describe(cause, task)),
                };
                self.say(format!("poll task {task} ({why})"));
            }
            Event::Polled(id, ready) => {
                let task = self.number(id);
                self.cause = Cause::Outside;
                if let Some(band) = self.bands.get_mut(&task) {
                    band.end = now;
                    band.ready = ready;
                }
                if ready {
                    self.band_ends(task);
                }
            }
            Event::Finished(id) => {
                let task = self.number(id);
                self.band_ends(task);
                self.numbers.remove(&id);
                self.write(format_args!("finished t={now} task={task}"));
                self.say(format!("task {task} is done"));
            }
            Event::Woken(id, thread) => {
                let task = self.number(id);
                let cause = match self.loop_thread {
                    Some(loop_thread) if loop_thread != thread => Cause::Thread,
                    _ => self.cause,
                };
                self.woken_by.insert(task, cause);
                if cause != Cause::Task(task) {
                    let by = by_word(cause);
                    self.write(format_args!("woken t={now} task={task} by={by}"));
                }
            }
            Event::Timer => {
                self.cause = Cause::Timer;
                self.write(format_args!("timer t={now}"));
            }
            Event::Socket(token) => {
                self.cause = Cause::Socket(token);
                self.write(format_args!("socket t={now} token={token}"));
            }
            Event::Waiting(timeout) => {
                self.cause = Cause::Outside;
                self.wait = Some((now, timeout));
                self.say(match timeout {
                    None => {
                        "nothing to poll: sleep in the kernel until a socket or a thread wakes \
                             a task"
                            .to_owned()
                    }
                    Some(t) if t.is_zero() => {
                        "ask the kernel about sockets, without waiting".into()
                    }
                    Some(t) => format!(
                        "nothing to poll: sleep in the kernel until the next timer \
                                        ({t:.1?})"
                    ),
                });
                if let Some(out) = &mut self.out {
                    let _ = out.flush();
                }
            }
            Event::WokeUp => {
                if let Some((start, timeout)) = self.wait.take() {
                    let quick = timeout.is_some_and(|t| t.is_zero())
                        && Duration::from_nanos(now - start) < QUICK_WAIT;
                    if quick {
                        self.quick_waits += 1;
                    } else {
                        let timeout =
                            timeout.map_or("none".to_owned(), |t| t.as_nanos().to_string());
                        self.write(format_args!(
                            "wait start={start} end={now} timeout={timeout}"
                        ));
                    }
                }
            }
            Event::Turn(thread) => {
                self.loop_thread = Some(thread);
                self.cause = Cause::Outside;
                self.turns += 1;
                if self.step {
                    crate::say("loop", format!("turn {}", self.turns));
                    return !crate::demo::is_auto();
                }
            }
            Event::Cleanup => self.cleanup_next = true,
        }
        false
    }

    /// Task `task`'s poll begins at `now`: it joins the open band if it follows closely enough,
    /// or opens a new one.
    fn band_begins(&mut self, task: usize, now: u64) {
        let joins = self.bands.get(&task).is_some_and(|band| {
            now.saturating_sub(band.end) < BAND_GAP.as_nanos() as u64
                && now.saturating_sub(band.start) < BAND_MAX.as_nanos() as u64
        });
        if !joins {
            self.band_ends(task);
            let band = Band {
                start: now,
                end: now,
                polls: 0,
                ready: false,
            };
            self.bands.insert(task, band);
        }
        if let Some(band) = self.bands.get_mut(&task) {
            band.polls += 1;
        }
    }

    /// Writes task `task`'s open band, if any.
    fn band_ends(&mut self, task: usize) {
        if let Some(band) = self.bands.remove(&task) {
            let Band {
                start,
                end,
                polls,
                ready,
            } = band;
            let ready = u8::from(ready);
            self.write(format_args!(
                "band task={task} start={start} end={end} polls={polls} ready={ready}"
            ));
        }
    }

    /// Writes what is still open, and flushes.
    fn finish(&mut self) {
        let open: Vec<usize> = self.bands.keys().copied().collect();
        for task in open {
            self.band_ends(task);
        }
        let (turns, quick) = (self.turns, self.quick_waits);
        self.write(format_args!("counts turns={turns} quick_waits={quick}"));
        if let Some(out) = &mut self.out {
            let _ = out.flush();
        }
    }
}

/// What woke a task, in the words of the trace file.
fn by_word(cause: Cause) -> String {
    match cause {
        Cause::Outside => "outside".to_owned(),
        Cause::Task(task) => format!("task:{task}"),
        Cause::Timer => "timer".to_owned(),
        Cause::Socket(token) => format!("socket:{token}"),
        Cause::Thread => "thread".to_owned(),
        Cause::Added => "outside".to_owned(),
    }
}

/// What woke task `task`, in words, for `--step`.
fn describe(cause: Cause, task: usize) -> String {
    match cause {
        Cause::Task(by) if by == task => "itself".to_owned(),
        Cause::Task(by) => format!("task {by}"),
        Cause::Timer => "a timer".to_owned(),
        Cause::Socket(token) => format!("socket {token}"),
        Cause::Thread => "another thread".to_owned(),
        Cause::Outside | Cause::Added => "code outside the loop".to_owned(),
    }
}
