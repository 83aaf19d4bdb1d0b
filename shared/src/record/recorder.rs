//! What listens when a file, `--step`, or a test's [`super::trace`] or [`super::narrate`] does:
//! the tasks and runs as the loop reported them, bands of polls, and the lines written for them.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use super::json::Line;
use super::narrator::{Narrator, not_yet, seconds};
use super::{Awaited, Event, names};

/// Two polls of a task closer than this go into one band.
const BAND_GAP: Duration = Duration::from_micros(100);

/// No band is longer than this: a busy task shows as a row of bands, not one bar.
const BAND_MAX: Duration = Duration::from_millis(2);

/// A wait shorter than this, with a zero timeout, is only counted: a busy loop asks the kernel
/// every few dozen polls, and those questions would drown the picture.
const QUICK_WAIT: Duration = Duration::from_micros(50);

/// What is said of one-shots is forgotten past this many: a server that arms a timer per read,
/// stepped through for long, must not grow without end.
const MAX_DESCRIPTIONS: usize = 10_000;

/// Where the lines go.
pub(crate) enum Out {
    /// `WORKSHOP_TRACE`'s file.
    File(BufWriter<File>),
    /// A test's [`super::trace`].
    Memory(Vec<u8>),
}

/// What woke a task, or what the loop is doing: what a wake that comes now is caused by.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Cause {
    /// Nothing the loop knows of: a wake from outside its turns.
    Outside,
    /// Polling this task (by number).
    Task(usize),
    /// Firing a timer.
    Timer,
    /// Dispatching this socket's event.
    Socket(usize),
    /// Another thread.
    Thread,
    /// Nothing yet: the task was just added.
    Added,
}

/// The polls of one task that followed each other closely.
#[derive(Default)]
struct Band {
    /// When the first poll began, in nanoseconds on the log's clock.
    start: u64,
    /// When the last poll ended.
    end: u64,
    /// How many polls.
    polls: u64,
    /// Whether the last one found the task done.
    ready: bool,
    /// Polls during which the task woke itself.
    self_wakes: u64,
    /// Of those, the polls that did nothing else the recorder saw: no line, no task added, no
    /// other task woken. A task whose polls are mostly these is waiting by spinning.
    quiet: u64,
    /// Time spent inside the polls.
    busy: u64,
    /// Time the task spent queued before these polls: from its wake to its poll.
    scheduled: u64,
    /// The longest poll.
    slowest: u64,
}

/// A live task, as the recorder knows it.
pub(crate) struct TaskState {
    /// Its number, from 1, in the order tasks were added.
    pub(crate) number: usize,
    /// The run it belongs to, once known.
    run: Option<usize>,
    /// When it was added.
    added: u64,
    /// Its name, if it has one yet.
    pub(crate) name: Option<String>,
    /// Whether a drop handed it to the loop as cleanup.
    cleanup: bool,
    /// Its open band of polls.
    band: Option<Band>,
    /// Polls so far.
    pub(crate) polls: u64,
    /// When it was queued (added, or first woken since its last poll), if it is.
    queued_since: Option<u64>,
    /// What woke it last: why it is polled next.
    pub(crate) woken_by: Option<Cause>,
    /// Whether its last poll was `Pending`.
    pub(crate) pending: bool,
    /// What its last poll awaited, as the runtime said.
    pub(crate) awaits: Vec<Awaited>,
    /// Whether its waker is gone, as far as anyone saw: reported once.
    lost: bool,
}

/// The poll in progress.
struct Poll {
    /// The task polled.
    task: usize,
    /// When the poll began.
    start: u64,
    /// The task woke itself during it.
    self_woke: bool,
    /// Something else happened during it: a line, a task added or woken.
    eventful: bool,
}

/// A run of a loop in progress.
struct RunState {
    /// Its number, from 1.
    number: usize,
    /// Turns so far.
    turns: u64,
    /// Waits too short to draw, and their time.
    quick_waits: u64,
    /// See `quick_waits`.
    quick_wait_time: u64,
    /// Its unfinished tasks.
    live: usize,
    /// Whether the loop says how many tasks are queued; if not, they all are.
    reports_queue: bool,
    /// The ready queue's length, as last written.
    queue: Option<usize>,
}

/// The recorder.
pub(crate) struct Recorder {
    /// Where events go, if a file or a test's trace listens.
    out: Option<Out>,
    /// What `--step` says, if it listens.
    narrator: Option<Narrator>,
    /// Each live task's number, by the raw id the loop knows it by.
    numbers: HashMap<usize, usize>,
    /// Each live task, by number.
    tasks: HashMap<usize, TaskState>,
    /// The next task's number.
    next_task: usize,
    /// The runs in progress, innermost last.
    runs: Vec<RunState>,
    /// The next run's number.
    next_run: usize,
    /// Tasks added outside any run: they belong to the next one.
    unplaced: Vec<usize>,
    /// The poll in progress.
    poll: Option<Poll>,
    /// What the loop is doing now.
    cause: Cause,
    /// The loop's thread: a wake from any other is a wake from another thread.
    loop_thread: Option<ThreadId>,
    /// The start of the wait in progress, and its timeout.
    wait: Option<(u64, Option<Duration>)>,
    /// The next task added is cleanup.
    cleanup_next: bool,
    /// What each one-shot stands for, by id (only while `--step` listens).
    descriptions: HashMap<usize, Awaited>,
}

impl Recorder {
    /// A recorder writing to `out`, narrating with `narrator`.
    pub(crate) fn new(out: Option<Out>, narrator: Option<Narrator>) -> Recorder {
        Recorder {
            out,
            narrator,
            numbers: HashMap::new(),
            tasks: HashMap::new(),
            next_task: 1,
            runs: Vec::new(),
            next_run: 1,
            unplaced: Vec::new(),
            poll: None,
            cause: Cause::Outside,
            loop_thread: None,
            wait: None,
            cleanup_next: false,
            descriptions: HashMap::new(),
        }
    }

    /// The lines written to memory ([`super::trace`]).
    pub(crate) fn lines(self) -> Vec<String> {
        match self.out {
            Some(Out::Memory(bytes)) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                text.lines().map(str::to_owned).collect()
            }
            _ => Vec::new(),
        }
    }

    /// What the narrator said ([`super::narrate`]).
    pub(crate) fn narration(self) -> Vec<String> {
        self.narrator.map(Narrator::said).unwrap_or_default()
    }

    /// Ctrl-D at a pause: no more stepping; the rest runs without a word. With no file to
    /// write either, nothing listens any more.
    pub(crate) fn stop_stepping(&mut self) {
        if let Some(narrator) = &mut self.narrator {
            narrator.stop();
        }
        if self.out.is_none() && self.narrator.take().is_some() {
            super::LISTENERS.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Writes one line, if a file or a test listens.
    fn write(&mut self, line: Line) {
        let line = line.end();
        let _ = match &mut self.out {
            Some(Out::File(file)) => writeln!(file, "{line}"),
            Some(Out::Memory(bytes)) => writeln!(bytes, "{line}"),
            None => Ok(()),
        };
    }

    /// Takes one event at `now`; returns whether to wait for Enter before the loop goes on.
    pub(crate) fn take(&mut self, event: Event, now: u64) -> bool {
        match event {
            Event::RunBegins => self.run_begins(now),
            Event::RunEnds => self.run_ends(now),
            Event::Added(id, name) => self.added(id, &name, now),
            Event::Name(name) => self.name_from_inside(name),
            Event::Polling(id) => self.polling(id, now),
            Event::Polled(id, ready) => self.polled(id, ready, now),
            Event::WakersHeld(id, wakers) => self.wakers_held(id, wakers, now),
            Event::Finished(id) => self.finished(id, now),
            Event::Woken(id, thread) => self.woken(id, thread, now),
            Event::NoopWake(thread) => {
                let task = self.poll.as_ref().map(|poll| poll.task);
                if let Some(task) = task.filter(|_| Some(thread) == self.loop_thread) {
                    self.woke_itself(task, now);
                }
            }
            Event::Timer => {
                self.cause = Cause::Timer;
                let run = self.run_number();
                self.write(Line::new("timer").num("t", now).opt("run", run));
            }
            Event::Socket(token) => {
                self.cause = Cause::Socket(token);
                let run = self.run_number();
                let line = Line::new("socket").num("t", now).opt("run", run);
                self.write(line.num("token", token as u64));
            }
            Event::Waiting(timeout) => self.waiting(timeout, now),
            Event::WokeUp => self.woke_up(now),
            Event::Turn(thread) => return self.turn(thread),
            Event::Queued(tasks) => {
                if let Some(run) = self.runs.last_mut() {
                    run.reports_queue = true;
                }
                self.sample_queue(Some(tasks), now);
            }
            Event::Cleanup => self.cleanup_next = true,
            Event::Awaits(what) => {
                let task = self.poll.as_ref().map(|poll| poll.task);
                let state = task.and_then(|task| self.tasks.get_mut(&task));
                if let Some(state) = state.filter(|_| self.narrator.is_some()) {
                    if !state.awaits.contains(&what) {
                        state.awaits.push(what);
                    }
                }
            }
            Event::Describe(id, what) if self.narrator.is_some() => {
                if self.descriptions.len() >= MAX_DESCRIPTIONS {
                    self.descriptions.clear();
                }
                self.descriptions.insert(id, what);
            }
            Event::Forget(id) => {
                self.descriptions.remove(&id);
            }
            Event::Describe(..) => {}
            Event::Said(thread, label, text) => self.said(thread, &label, &text, now),
        }
        false
    }

    /// The innermost run in progress, by number.
    fn run_number(&self) -> Option<u64> {
        self.runs.last().map(|run| run.number as u64)
    }

    /// A run begins: the tasks added since the last one are its own.
    fn run_begins(&mut self, now: u64) {
        let number = self.next_run;
        self.next_run += 1;
        self.write(Line::new("run").num("t", now).num("run", number as u64));
        self.runs.push(RunState {
            number,
            turns: 0,
            quick_waits: 0,
            quick_wait_time: 0,
            live: 0,
            reports_queue: false,
            queue: None,
        });
        for task in std::mem::take(&mut self.unplaced) {
            self.place(task, number);
        }
        self.sample_queue(None, now);
        if let Some(narrator) = &mut self.narrator {
            narrator.say(format!("a run of the loop begins (run {number})"));
        }
    }

    /// Task `task` belongs to run `run`: its line is written now.
    fn place(&mut self, task: usize, run: usize) {
        let Some(state) = self.tasks.get_mut(&task) else {
            return;
        };
        state.run = Some(run);
        let line = Line::new("task")
            .num("t", state.added)
            .num("task", task as u64)
            .num("run", run as u64);
        let line = match &state.name {
            Some(name) => line.text("name", name),
            None => line.opt("name", None),
        };
        let line = line.flag("cleanup", state.cleanup);
        self.write(line);
        if let Some(run) = self.runs.iter_mut().find(|r| r.number == run) {
            run.live += 1;
        }
    }

    /// The innermost run ends: its tasks' bands are closed, and its counts written.
    fn run_ends(&mut self, now: u64) {
        let Some(run) = self.runs.pop() else {
            return;
        };
        let mut mine: Vec<usize> = (self.tasks.values())
            .filter(|task| task.run == Some(run.number))
            .map(|task| task.number)
            .collect();
        mine.sort_unstable();
        for task in mine {
            self.band_ends(task); // a task left at the end of its run was dropped: forget it
            self.tasks.remove(&task);
        }
        self.numbers.retain(|_, task| self.tasks.contains_key(task));
        let line = Line::new("run_end")
            .num("t", now)
            .num("run", run.number as u64)
            .num("turns", run.turns)
            .num("quick_waits", run.quick_waits)
            .num("quick_wait_time", run.quick_wait_time);
        self.write(line);
        if let Some(narrator) = &mut self.narrator {
            let turns = run.turns;
            narrator.say(format!(
                "the run ends after {turns} turns (run {})",
                run.number
            ));
        }
        self.flush();
    }

    /// A task is added.
    fn added(&mut self, id: usize, name: &str, now: u64) {
        let number = self.next_task;
        self.next_task += 1;
        if let Some(old) = self.numbers.insert(id, number) {
            self.band_ends(old); // its id outlived it: a task that was dropped, not done
            self.tasks.remove(&old);
        }
        let cleanup = std::mem::take(&mut self.cleanup_next);
        let state = TaskState {
            number,
            run: None,
            added: now,
            name: names::shorten(name),
            cleanup,
            band: None,
            polls: 0,
            queued_since: Some(now),
            woken_by: Some(Cause::Added),
            pending: false,
            awaits: Vec::new(),
            lost: false,
        };
        self.tasks.insert(number, state);
        if let Some(poll) = &mut self.poll {
            poll.eventful = true;
        }
        match self.runs.last().map(|run| run.number) {
            Some(run) => {
                self.place(number, run);
                self.sample_queue(None, now);
            }
            None => self.unplaced.push(number),
        }
        if let Some(narrator) = &mut self.narrator {
            let what = if cleanup { "cleanup task" } else { "task" };
            let label = label(&self.tasks[&number]);
            narrator.say(format!("{what} added: {label}"));
        }
    }

    /// The task being polled, on its first poll, names itself.
    fn name_from_inside(&mut self, name: String) {
        let Some(task) = self.poll.as_ref().map(|poll| poll.task) else {
            return;
        };
        let Some(state) = self.tasks.get_mut(&task).filter(|state| state.polls == 0) else {
            return;
        };
        state.name = Some(name.clone());
        self.write(
            Line::new("name")
                .num("task", task as u64)
                .text("name", &name),
        );
    }

    /// The number of the task the loop knows by `id`; a task never reported added gets one.
    fn number(&mut self, id: usize, now: u64) -> usize {
        if let Some(number) = self.numbers.get(&id) {
            return *number;
        }
        self.added(id, "", now);
        self.numbers[&id]
    }

    /// A poll begins.
    fn polling(&mut self, id: usize, now: u64) {
        let task = self.number(id, now);
        self.cause = Cause::Task(task);
        self.band_begins(task, now);
        self.poll = Some(Poll {
            task,
            start: now,
            self_woke: false,
            eventful: false,
        });
        let Some(state) = self.tasks.get_mut(&task) else {
            return;
        };
        let scheduled = state
            .queued_since
            .take()
            .map_or(0, |since| now - since.min(now));
        if let Some(band) = &mut state.band {
            band.scheduled += scheduled;
        }
        state.awaits.clear();
        let why = state.woken_by.take();
        if let Some(narrator) = &mut self.narrator {
            let why = match why {
                None => "its turn".to_owned(),
                Some(Cause::Added) => "new".to_owned(),
                Some(cause) => format!("woken by {}", by_words(cause, task)),
            };
            narrator.polling(format!("poll {} ({why})", label(state)));
        }
    }

    /// A poll ends: it joins its task's band.
    fn polled(&mut self, id: usize, ready: bool, now: u64) {
        let task = self.number(id, now);
        self.cause = Cause::Outside;
        let poll = self.poll.take().filter(|poll| poll.task == task);
        let Some(state) = self.tasks.get_mut(&task) else {
            return;
        };
        state.polls += 1;
        state.pending = !ready;
        if let Some(since) = &mut state.queued_since {
            *since = (*since).max(now); // woken during its poll: queued from the poll's end
        }
        let (self_woke, eventful, start) = match &poll {
            Some(poll) => (poll.self_woke, poll.eventful, poll.start),
            None => (false, true, now),
        };
        // Quiet: it only woke itself again, as it did before (a first poll is news).
        let quiet = !ready && self_woke && !eventful && state.polls > 1;
        if let Some(band) = &mut state.band {
            band.end = now;
            band.ready = ready;
            band.self_wakes += u64::from(self_woke);
            band.quiet += u64::from(quiet);
            band.busy += now - start.min(now);
            band.slowest = band.slowest.max(now - start.min(now));
        }
        if let Some(narrator) = &mut self.narrator {
            let label = label(state);
            if quiet {
                narrator.fold(task, label, state.awaits.first().and_then(|w| not_yet(*w)));
            } else {
                let awaits = describe_all(&state.awaits, &self.descriptions, Instant::now());
                let result = match (ready, self_woke, awaits) {
                    (true, _, _) => "Ready: done".to_owned(),
                    (false, true, None) => "Pending, woke itself".to_owned(),
                    (false, true, Some(awaits)) => format!("Pending, woke itself; awaits {awaits}"),
                    (false, false, None) => "Pending".to_owned(),
                    (false, false, Some(awaits)) => format!("Pending; waits on {awaits}"),
                };
                narrator.polled(&format!("task {task}"), result);
            }
        }
        if ready {
            self.band_ends(task);
        }
    }

    /// After a `Pending` poll, what the loop saw of the task's wakers.
    fn wakers_held(&mut self, id: usize, wakers: usize, now: u64) {
        let Some(task) = self.numbers.get(&id).copied() else {
            return;
        };
        let Some(state) = self.tasks.get_mut(&task) else {
            return;
        };
        let lost = wakers == 0 && state.pending && state.queued_since.is_none() && !state.lost;
        if lost {
            state.lost = true;
            let label = label(state);
            self.write(Line::new("lost").num("t", now).num("task", task as u64));
            if let Some(narrator) = &mut self.narrator {
                narrator.say(format!(
                    "{label} waits, and nobody holds its waker: a lost wake, it can never run again"
                ));
            }
        }
    }

    /// A task ends.
    fn finished(&mut self, id: usize, now: u64) {
        let task = self.number(id, now);
        self.band_ends(task);
        self.numbers.remove(&id);
        let run = self.tasks.remove(&task).and_then(|state| state.run);
        self.write(Line::new("finished").num("t", now).num("task", task as u64));
        if let Some(run) = self.runs.iter_mut().find(|r| Some(r.number) == run) {
            run.live = run.live.saturating_sub(1);
        }
        self.sample_queue(None, now);
    }

    /// A task is woken by the loop's waker, on `thread`.
    fn woken(&mut self, id: usize, thread: ThreadId, now: u64) {
        let Some(task) = self.numbers.get(&id).copied() else {
            return; // a task that ended: its waker outlived it
        };
        let cause = match self.loop_thread {
            Some(loop_thread) if loop_thread != thread => Cause::Thread,
            _ => self.cause,
        };
        if cause == Cause::Task(task) {
            self.woke_itself(task, now);
            return;
        }
        if let Some(poll) = &mut self.poll {
            poll.eventful = true;
        }
        let Some(state) = self.tasks.get_mut(&task) else {
            return;
        };
        state.queued_since.get_or_insert(now);
        state.woken_by = Some(cause);
        let line = Line::new("woken").num("t", now).num("task", task as u64);
        let line = match cause {
            Cause::Task(from) => line.text("by", "task").num("from", from as u64),
            Cause::Timer => line.text("by", "timer"),
            Cause::Socket(token) => line.text("by", "socket").num("token", token as u64),
            Cause::Thread => line.text("by", "thread"),
            Cause::Outside | Cause::Added => line.text("by", "outside"),
        };
        self.write(line);
    }

    /// Task `task`, being polled, woke itself.
    fn woke_itself(&mut self, task: usize, now: u64) {
        if let Some(poll) = self.poll.as_mut().filter(|poll| poll.task == task) {
            poll.self_woke = true;
        }
        if let Some(state) = self.tasks.get_mut(&task) {
            state.queued_since.get_or_insert(now);
            state.woken_by = Some(Cause::Task(task));
        }
    }

    /// The loop goes to wait in the kernel.
    fn waiting(&mut self, timeout: Option<Duration>, now: u64) {
        self.cause = Cause::Outside;
        self.wait = Some((now, timeout));
        if timeout.is_none_or(|t| !t.is_zero()) && self.runs.last().is_some_and(|r| r.reports_queue)
        {
            self.sample_queue(Some(0), now); // it sleeps only with nothing queued
        }
        if let Some(narrator) = &mut self.narrator {
            narrator.waiting(timeout);
        }
        self.flush();
    }

    /// The loop is back from the kernel: a wait long enough to draw, or one only counted.
    fn woke_up(&mut self, now: u64) {
        let Some((start, timeout)) = self.wait.take() else {
            return;
        };
        let quick = timeout.is_some_and(|t| t.is_zero())
            && Duration::from_nanos(now - start.min(now)) < QUICK_WAIT;
        let run = self.run_number();
        if quick {
            if let Some(run) = self.runs.last_mut() {
                run.quick_waits += 1;
                run.quick_wait_time += now - start.min(now);
            }
            return;
        }
        let timeout = timeout.map(|t| u64::try_from(t.as_nanos()).unwrap_or(u64::MAX));
        let line = Line::new("wait").num("start", start).num("end", now);
        self.write(line.opt("timeout", timeout).opt("run", run));
    }

    /// A turn begins; returns whether to wait for Enter first.
    fn turn(&mut self, thread: ThreadId) -> bool {
        self.loop_thread = Some(thread);
        self.cause = Cause::Outside;
        let Some(run) = self.runs.last_mut() else {
            return false;
        };
        run.turns += 1;
        let (turn, run) = (run.turns, run.number);
        if self.narrator.is_none() {
            return false;
        }
        let view = self.await_view(run);
        self.narrator.as_mut().is_some_and(|n| n.turn(turn, view))
    }

    /// What every task of run `run` is doing, for `--step`'s pauses: one line each.
    fn await_view(&self, run: usize) -> Vec<String> {
        let mut tasks: Vec<&TaskState> = (self.tasks.values())
            .filter(|task| task.run == Some(run))
            .collect();
        tasks.sort_by_key(|task| task.number);
        let now = Instant::now();
        tasks
            .into_iter()
            .map(|task| {
                let awaits = describe_all(&task.awaits, &self.descriptions, now);
                let state = match (task.queued_since.is_some(), awaits) {
                    (true, _) if task.polls == 0 => "queued, new".to_owned(),
                    (true, Some(awaits)) => format!("queued, {awaits}"),
                    (true, None) => "queued".to_owned(),
                    (false, Some(awaits)) => format!("waits on {awaits}"),
                    (false, None) => "waits".to_owned(),
                };
                format!("  {}: {state}", label(task))
            })
            .collect()
    }

    /// A line the demo printed: a mark on the row of the task being polled, if it printed it.
    fn said(&mut self, thread: ThreadId, label: &str, text: &str, now: u64) {
        let polled = self
            .poll
            .as_mut()
            .filter(|_| Some(thread) == self.loop_thread);
        let task = polled.map(|poll| {
            poll.eventful = true;
            poll.task
        });
        if let Some(state) = task.and_then(|task| self.tasks.get_mut(&task)) {
            if state.name.is_none() {
                state.name = Some(label.to_owned());
                let line = Line::new("name").num("task", state.number as u64);
                let line = line.text("name", label).flag("from_line", true);
                self.write(line);
            }
        }
        let run = self.run_number();
        let line = Line::new("say")
            .num("t", now)
            .opt("task", task.map(|t| t as u64));
        self.write(line.opt("run", run).text("label", label).text("text", text));
        if let Some(narrator) = &mut self.narrator {
            narrator.flush();
        }
    }

    /// Task `task`'s poll begins at `now`: it joins the open band if it follows closely enough,
    /// or opens a new one.
    fn band_begins(&mut self, task: usize, now: u64) {
        let joins = self
            .tasks
            .get(&task)
            .and_then(|state| state.band.as_ref())
            .is_some_and(|band| {
                now.saturating_sub(band.end) < BAND_GAP.as_nanos() as u64
                    && now.saturating_sub(band.start) < BAND_MAX.as_nanos() as u64
            });
        if !joins {
            self.band_ends(task);
            if let Some(state) = self.tasks.get_mut(&task) {
                state.band = Some(Band {
                    start: now,
                    end: now,
                    ..Band::default()
                });
            }
        }
        if let Some(band) = self
            .tasks
            .get_mut(&task)
            .and_then(|state| state.band.as_mut())
        {
            band.polls += 1;
        }
    }

    /// Writes task `task`'s open band, if any.
    fn band_ends(&mut self, task: usize) {
        let band = self
            .tasks
            .get_mut(&task)
            .and_then(|state| state.band.take());
        let Some(band) = band else {
            return;
        };
        let line = Line::new("polls")
            .num("task", task as u64)
            .num("start", band.start)
            .num("end", band.end)
            .num("polls", band.polls)
            .flag("ready", band.ready)
            .num("self_wakes", band.self_wakes)
            .num("quiet", band.quiet)
            .num("busy", band.busy)
            .num("scheduled", band.scheduled)
            .num("slowest", band.slowest);
        self.write(line);
    }

    /// Writes the ready queue's length if it changed: `tasks`, or, if the loop does not say,
    /// every live task of the run (all of them are queued in a round-robin loop).
    fn sample_queue(&mut self, tasks: Option<usize>, now: u64) {
        let Some(run) = self.runs.last_mut() else {
            return;
        };
        let tasks = match tasks {
            Some(tasks) => tasks,
            None if run.reports_queue => return,
            None => run.live,
        };
        if run.queue == Some(tasks) {
            return;
        }
        run.queue = Some(tasks);
        let number = run.number as u64;
        let line = Line::new("queue").num("t", now).num("run", number);
        self.write(line.num("tasks", tasks as u64));
    }

    /// Flushes the file.
    fn flush(&mut self) {
        if let Some(Out::File(file)) = &mut self.out {
            let _ = file.flush();
        }
    }

    /// Writes what is still open (bands, runs), and flushes.
    pub(crate) fn finish(&mut self, now: u64) {
        self.woke_up(now); // a program that exits while its loop sleeps (a server's time is up)
        while !self.runs.is_empty() {
            self.run_ends(now);
        }
        let open: Vec<usize> = self.tasks.keys().copied().collect();
        for task in open {
            self.band_ends(task);
        }
        if let Some(narrator) = &mut self.narrator {
            if self.next_run == 1 {
                // Steps 01-02 take --step too, and have no loop: say so rather than nothing.
                let why = "no loop ran, nothing to step through (steps 03 to 06 have one)";
                narrator.say(format!("--step: {why}"));
            }
            narrator.flush();
        }
        self.flush();
    }
}

/// `task 3 print_messages('foo', 'bar'…`: a task for `--step`, short enough for its lines.
pub(crate) fn label(task: &TaskState) -> String {
    const MAX: usize = 28;
    let number = task.number;
    match &task.name {
        None => format!("task {number}"),
        Some(name) if name.chars().count() <= MAX => format!("task {number} {name}"),
        Some(name) => {
            let short: String = name.chars().take(MAX - 1).collect();
            format!("task {number} {short}…")
        }
    }
}

/// What woke task `task`, in words, for `--step`.
fn by_words(cause: Cause, task: usize) -> String {
    match cause {
        Cause::Task(by) if by == task => "itself".to_owned(),
        Cause::Task(by) => format!("task {by}"),
        Cause::Timer => "a timer".to_owned(),
        Cause::Socket(token) => format!("socket {token}"),
        Cause::Thread => "another thread".to_owned(),
        Cause::Outside | Cause::Added => "code outside the loop".to_owned(),
    }
}

/// What a task awaits, in words (`a timer due in 0.3 s and socket 4 readable`), if known.
fn describe_all(
    awaits: &[Awaited],
    descriptions: &HashMap<usize, Awaited>,
    now: Instant,
) -> Option<String> {
    let words: Vec<String> = awaits
        .iter()
        .map(|what| match what {
            Awaited::OneShot(id) => match descriptions.get(id) {
                Some(Awaited::OneShot(_)) | None => "a one-shot".to_owned(),
                Some(described) => describe(*described, now),
            },
            what => describe(*what, now),
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" and "))
}

/// One thing awaited, in words.
fn describe(what: Awaited, now: Instant) -> String {
    let direction = |write: bool| if write { "writable" } else { "readable" };
    match what {
        Awaited::Deadline(Some(deadline)) => format!("its sleep {}", due(deadline, now)),
        Awaited::Deadline(None) => "a sleep that never ends".to_owned(),
        Awaited::Socket { fd, write } => format!("socket fd {fd} {}", direction(write)),
        Awaited::Waiter { remaining: 0 } => "a waiter, set".to_owned(),
        Awaited::Waiter { remaining: 1 } => "a waiter (1 set to go)".to_owned(),
        Awaited::Waiter { remaining } => format!("a waiter ({remaining} sets to go)"),
        Awaited::OneShot(_) => "a one-shot".to_owned(),
        Awaited::Timer(deadline) => format!("a timer {}", due(deadline, now)),
        Awaited::Event { token, write } => format!("socket {token} {}", direction(write)),
    }
}

/// `due in 0.3 s`, `due in 25 ms`, or `due now`.
fn due(deadline: Instant, now: Instant) -> String {
    let left = deadline.saturating_duration_since(now);
    if left.is_zero() {
        "due now".to_owned()
    } else {
        format!("due in {}", seconds(left))
    }
}
