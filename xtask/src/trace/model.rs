//! What a recorded run was: the events that `shared::record` wrote, read back into runs and
//! tasks.
//!
//! # The event format
//!
//! One JSON object per line (UTF-8); its `e` says what happened. Times (`t`, `start`, `end`)
//! are whole nanoseconds on the program's own clock, the one of its log lines (`[  12.3 ms]`),
//! so a line and a poll at the same instant have the same time. Durations are nanoseconds too.
//! Tasks are numbered from 1 in the order they were added, across the whole program; runs of a
//! loop from 1. A program in another language writes the same lines to be drawn on the same
//! kind of page (each step's Python twin does, through its `python/record.py`): only the fields
//! marked *required* must be there, and no field that is not in this table.
//!
//! | `e` | fields | meaning |
//! |---|---|---|
//! | `run` | `t`, `run` (required) | a run of a loop begins (`Loop::run`, `run_tasks`, `asyncio.run`) |
//! | `run_end` | `t`, `run` (required); `turns`, `quick_waits`, `quick_wait_time`, `cpu` | it ends: its turns, the waits in the kernel too short to draw (how many, how long), the CPU time the program used during the run |
//! | `task` | `t`, `task`, `run` (required); `name` (string or null), `cleanup` (bool) | a task is added; `cleanup`: a drop handed it to the loop |
//! | `name` | `task`, `name` (required); `from_line` (bool) | the task is named from now on (from inside, or after the label of its first line) |
//! | `polls` | `task`, `start`, `end`, `polls`, `ready` (required); `self_wakes`, `quiet`, `busy`, `scheduled`, `slowest` | polls of a task that followed each other closely: how many, whether the last was `Ready`, how many woke the task itself, how many did nothing else (no line, no task added or woken), the time spent in them, the time the task waited in the queue before them, the longest |
//! | `finished` | `t`, `task` (required) | the task returned `Ready` and left the loop |
//! | `woken` | `t`, `task`, `by` (required: `task`, `timer`, `socket`, `thread` or `outside`); `from` (the waking task), `token` (the socket) | a wake, by anything but the task itself (those are counted in `polls`) |
//! | `lost` | `t`, `task` (required) | after a `Pending` poll, nobody holds the task's waker: nothing can ever wake it |
//! | `timer` | `t` (required); `run` | the loop fired a timer |
//! | `socket` | `t` (required); `run`, `token` | the reactor said a socket is ready |
//! | `wait` | `start`, `end` (required); `timeout` (ns or null), `run` | the loop slept in the kernel |
//! | `spin` | `start`, `end` (required); `turns`, `cpu`, `run` | the loop went round and round with no task to poll, on the CPU instead of in the kernel (the talk's §5 loop until its timer is due): its turns, the CPU time they took |
//! | `queue` | `t`, `tasks` (required); `run` | the ready queue's length from now on (a counter) |
//! | `say` | `t`, `label`, `text` (required); `task` (or null), `run` (or null) | a line the program printed, by the task being polled if any |
//!
//! A line with another `e` is an error, as is a line that is not an object or lacks a required
//! field: the writer and this reader are kept in step by tests.

use serde_json::{Map, Value};

/// A program's recording: its runs and tasks. Times are nanoseconds on the program's clock.
#[derive(Debug, Default)]
pub struct Trace {
    /// Every run of a loop, in order: run `n` is at index `n - 1`.
    pub runs: Vec<Run>,
    /// Every task, in the order it was added: task `n` is at index `n - 1`.
    pub tasks: Vec<Task>,
    /// The lines printed outside any run (a demo's headers between its scenarios).
    pub said: Vec<Said>,
}

/// One run of a loop.
#[derive(Debug, Default, Clone)]
pub struct Run {
    /// Its number, from 1.
    pub number: usize,
    /// When it began.
    pub start: u64,
    /// When it ended (or the last thing recorded in it).
    pub end: u64,
    /// What the program printed last before it began: the scenario it runs.
    pub title: Option<String>,
    /// The numbers of its tasks.
    pub tasks: Vec<usize>,
    /// Its turns.
    pub turns: u64,
    /// Waits in the kernel too short to draw, and their total time.
    pub quick_waits: u64,
    /// See [`Run::quick_waits`].
    pub quick_wait_time: u64,
    /// The waits in the kernel long enough to draw.
    pub waits: Vec<Wait>,
    /// The times the loop went round with nothing to poll, on the CPU.
    pub spins: Vec<Spin>,
    /// The CPU time the program used during the run, if the recorder said.
    pub cpu: Option<u64>,
    /// When each timer fired.
    pub timers: Vec<u64>,
    /// When each socket was ready, and its token.
    pub sockets: Vec<(u64, usize)>,
    /// The ready queue's length, from each time on.
    pub queue: Vec<(u64, usize)>,
    /// The lines printed during the run, outside any poll.
    pub said: Vec<Said>,
}

impl Run {
    /// How long it lasted.
    pub fn duration(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// Time spent in the kernel, the short waits included.
    pub fn in_kernel(&self) -> u64 {
        let waits: u64 = self
            .waits
            .iter()
            .map(|w| w.end.saturating_sub(w.start))
            .sum();
        waits + self.quick_wait_time
    }

    /// Time spent going round with nothing to poll.
    pub fn spinning(&self) -> u64 {
        self.spins
            .iter()
            .map(|s| s.end.saturating_sub(s.start))
            .sum()
    }

    /// The longest the ready queue was.
    pub fn queue_max(&self) -> usize {
        self.queue.iter().map(|(_, n)| *n).max().unwrap_or(0)
    }
}

/// One task: its row in the picture.
#[derive(Debug, Default, Clone)]
pub struct Task {
    /// Its number, from 1.
    pub number: usize,
    /// The run it belongs to.
    pub run: usize,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Whether the name is its first line's label (its future had none to give).
    pub named_from_line: bool,
    /// When it was added.
    pub added: u64,
    /// When it finished, if it did.
    pub finished: Option<u64>,
    /// Whether a drop handed it to the loop as cleanup (step06).
    pub cleanup: bool,
    /// Its polls, in bands of polls that followed each other closely.
    pub bands: Vec<Band>,
    /// The wakes by anything but itself.
    pub wakes: Vec<Wake>,
    /// The lines it printed.
    pub said: Vec<Said>,
    /// When nobody held its waker any more, if that happened.
    pub lost: Option<u64>,
}

impl Task {
    /// `task 3` or `task 3 print_messages`.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("task {} {name}", self.number),
            None => format!("task {}", self.number),
        }
    }

    /// How many times it was polled.
    pub fn polls(&self) -> u64 {
        self.bands.iter().map(|band| band.polls).sum()
    }
}

/// Polls of one task that followed each other closely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Band {
    /// When the first began.
    pub start: u64,
    /// When the last ended.
    pub end: u64,
    /// How many.
    pub polls: u64,
    /// Whether the last one found the task done.
    pub ready: bool,
    /// How many woke the task itself.
    pub self_wakes: u64,
    /// How many did nothing else than wake the task itself: no line, no task added or woken.
    pub quiet: u64,
    /// Time spent in them.
    pub busy: u64,
    /// Time the task spent queued before them.
    pub scheduled: u64,
    /// The longest of them.
    pub slowest: u64,
}

/// A wait in the kernel.
#[derive(Debug, Clone, Copy)]
pub struct Wait {
    /// When it began.
    pub start: u64,
    /// When it ended.
    pub end: u64,
    /// Its limit, if it had one (the next timer).
    pub timeout: Option<u64>,
}

/// Turns of the loop with no task to poll, one after the other: a loop waiting on the CPU.
#[derive(Debug, Clone, Copy)]
pub struct Spin {
    /// When the first began.
    pub start: u64,
    /// When the last ended.
    pub end: u64,
    /// How many turns.
    pub turns: u64,
    /// The CPU time they took, if the recorder said.
    pub cpu: Option<u64>,
}

/// A wake, and what caused it.
#[derive(Debug, Clone, Copy)]
pub struct Wake {
    /// When.
    pub at: u64,
    /// What woke the task.
    pub by: By,
}

/// What woke a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Another task, while it was polled (its number).
    Task(usize),
    /// A timer that fired.
    Timer,
    /// A socket's event (its token).
    Socket(usize),
    /// Another thread.
    Thread,
    /// Code outside the loop's turns.
    Outside,
}

/// A line the program printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    /// When.
    pub at: u64,
    /// Its label (`print_messages`).
    pub label: String,
    /// The rest of it.
    pub text: String,
}

impl Trace {
    /// Reads the lines a recorder wrote.
    pub fn parse(text: &str) -> Result<Trace, String> {
        let mut trace = Trace::default();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            trace
                .take(line)
                .map_err(|why| format!("line {}: {why}: {}", index + 1, cut(line)))?;
        }
        trace.settle();
        Ok(trace)
    }

    /// The end of the program's recording: the last time anything happened.
    pub fn end(&self) -> u64 {
        let runs = self.runs.iter().map(|run| run.end);
        let said = self.said.iter().map(|said| said.at);
        runs.chain(said).max().unwrap_or(0)
    }

    /// The tasks of run `run`.
    pub fn tasks_of<'a>(&'a self, run: &'a Run) -> impl Iterator<Item = &'a Task> + 'a {
        run.tasks
            .iter()
            .filter_map(|n| self.tasks.get(n.wrapping_sub(1)))
    }

    /// Takes one line.
    fn take(&mut self, line: &str) -> Result<(), String> {
        let value: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let fields = value.as_object().ok_or("not an object")?;
        let kind = text(fields, "e")?;
        match kind.as_str() {
            "run" => {
                let number = index(fields, "run")?;
                if number != self.runs.len() + 1 {
                    return Err(format!("run {number} out of order"));
                }
                let start = num(fields, "t")?;
                self.runs.push(Run {
                    number,
                    start,
                    end: start,
                    ..Run::default()
                });
            }
            "run_end" => {
                let run = self.run(index(fields, "run")?)?;
                run.end = run.end.max(num(fields, "t")?);
                run.turns = opt_num(fields, "turns")?.unwrap_or(0);
                run.quick_waits = opt_num(fields, "quick_waits")?.unwrap_or(0);
                run.quick_wait_time = opt_num(fields, "quick_wait_time")?.unwrap_or(0);
                run.cpu = opt_num(fields, "cpu")?;
            }
            "task" => self.add_task(fields)?,
            "name" => {
                let from_line = fields.get("from_line").and_then(Value::as_bool);
                let task = self.task(index(fields, "task")?)?;
                task.name = Some(text(fields, "name")?);
                task.named_from_line = from_line.unwrap_or(false);
            }
            "polls" => {
                let band = Band {
                    start: num(fields, "start")?,
                    end: num(fields, "end")?,
                    polls: num(fields, "polls")?,
                    ready: flag(fields, "ready")?,
                    self_wakes: opt_num(fields, "self_wakes")?.unwrap_or(0),
                    quiet: opt_num(fields, "quiet")?.unwrap_or(0),
                    busy: opt_num(fields, "busy")?.unwrap_or(0),
                    scheduled: opt_num(fields, "scheduled")?.unwrap_or(0),
                    slowest: opt_num(fields, "slowest")?.unwrap_or(0),
                };
                let task = self.task(index(fields, "task")?)?;
                let run = task.run;
                task.bands.push(band);
                self.stretch(run, band.end)?;
            }
            "finished" => {
                let at = num(fields, "t")?;
                let task = self.task(index(fields, "task")?)?;
                task.finished = Some(at);
                let run = task.run;
                self.stretch(run, at)?;
            }
            "woken" => {
                let by = match text(fields, "by")?.as_str() {
                    "task" => By::Task(index(fields, "from")?),
                    "timer" => By::Timer,
                    "socket" => By::Socket(opt_num(fields, "token")?.unwrap_or(0) as usize),
                    "thread" => By::Thread,
                    "outside" => By::Outside,
                    other => return Err(format!("unknown cause {other}")),
                };
                let at = num(fields, "t")?;
                self.task(index(fields, "task")?)?
                    .wakes
                    .push(Wake { at, by });
            }
            "lost" => {
                let at = num(fields, "t")?;
                self.task(index(fields, "task")?)?.lost = Some(at);
            }
            "timer" => {
                let at = num(fields, "t")?;
                self.loop_run(fields, at)?.timers.push(at);
            }
            "socket" => {
                let at = num(fields, "t")?;
                let token = opt_num(fields, "token")?.unwrap_or(0) as usize;
                self.loop_run(fields, at)?.sockets.push((at, token));
            }
            "wait" => {
                let wait = Wait {
                    start: num(fields, "start")?,
                    end: num(fields, "end")?,
                    timeout: opt_num(fields, "timeout")?,
                };
                self.loop_run(fields, wait.end)?.waits.push(wait);
            }
            "spin" => {
                let spin = Spin {
                    start: num(fields, "start")?,
                    end: num(fields, "end")?,
                    turns: opt_num(fields, "turns")?.unwrap_or(0),
                    cpu: opt_num(fields, "cpu")?,
                };
                self.loop_run(fields, spin.end)?.spins.push(spin);
            }
            "queue" => {
                let at = num(fields, "t")?;
                let tasks = index(fields, "tasks")?;
                self.loop_run(fields, at)?.queue.push((at, tasks));
            }
            "say" => self.add_said(fields)?,
            other => return Err(format!("unknown event {other}")),
        }
        Ok(())
    }

    /// A `task` line.
    fn add_task(&mut self, fields: &Map<String, Value>) -> Result<(), String> {
        let number = index(fields, "task")?;
        if number != self.tasks.len() + 1 {
            return Err(format!("task {number} out of order"));
        }
        let run = index(fields, "run")?;
        let added = num(fields, "t")?;
        self.run(run)?.tasks.push(number);
        let name = match fields.get("name") {
            None | Some(Value::Null) => None,
            Some(_) => Some(text(fields, "name")?),
        };
        let cleanup = fields.get("cleanup").and_then(Value::as_bool);
        self.tasks.push(Task {
            number,
            run,
            name,
            added,
            cleanup: cleanup.unwrap_or(false),
            ..Task::default()
        });
        Ok(())
    }

    /// A `say` line: on its task's row, its run's loop row, or outside any run.
    fn add_said(&mut self, fields: &Map<String, Value>) -> Result<(), String> {
        let said = Said {
            at: num(fields, "t")?,
            label: text(fields, "label")?,
            text: text(fields, "text")?,
        };
        let at = said.at;
        match (opt_num(fields, "task")?, opt_num(fields, "run")?) {
            (Some(task), _) => {
                let task = self.task(task as usize)?;
                let run = task.run;
                task.said.push(said);
                self.stretch(run, at)?;
            }
            (None, Some(run)) => {
                let run = self.run(run as usize)?;
                run.end = run.end.max(at);
                run.said.push(said);
            }
            (None, None) => self.said.push(said),
        }
        Ok(())
    }

    /// Run `number`, which must have begun.
    fn run(&mut self, number: usize) -> Result<&mut Run, String> {
        self.runs
            .get_mut(number.wrapping_sub(1))
            .ok_or(format!("run {number} never began"))
    }

    /// The run a loop's event (`timer`, `wait`…) belongs to: its `run`, or the last one.
    fn loop_run(&mut self, fields: &Map<String, Value>, at: u64) -> Result<&mut Run, String> {
        let number = match opt_num(fields, "run")? {
            Some(number) => number as usize,
            None => self.runs.len(),
        };
        let run = self.run(number)?;
        run.end = run.end.max(at);
        Ok(run)
    }

    /// Run `number` lasted at least until `at`.
    fn stretch(&mut self, number: usize, at: u64) -> Result<(), String> {
        let run = self.run(number)?;
        run.end = run.end.max(at);
        Ok(())
    }

    /// Task `number`, which must have been added.
    fn task(&mut self, number: usize) -> Result<&mut Task, String> {
        self.tasks
            .get_mut(number.wrapping_sub(1))
            .ok_or(format!("task {number} was never added"))
    }

    /// Once every line is read: each run's title is the last line printed before it began,
    /// since the previous one ended.
    fn settle(&mut self) {
        let mut previous_end = 0;
        for run in &mut self.runs {
            let before =
                (self.said.iter()).rfind(|said| said.at >= previous_end && said.at <= run.start);
            run.title = before.map(|said| format!("{}: {}", said.label, said.text));
            previous_end = run.end;
        }
    }
}

/// The first 120 characters of a line, for an error message.
fn cut(line: &str) -> String {
    line.chars().take(120).collect()
}

/// A required whole number.
fn num(fields: &Map<String, Value>, key: &str) -> Result<u64, String> {
    opt_num(fields, key)?.ok_or(format!("no {key}"))
}

/// A whole number, or nothing (absent or null).
fn opt_num(fields: &Map<String, Value>, key: &str) -> Result<Option<u64>, String> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or(format!("{key} is not a whole number")),
    }
}

/// A required number, as an index.
fn index(fields: &Map<String, Value>, key: &str) -> Result<usize, String> {
    usize::try_from(num(fields, key)?).map_err(|e| e.to_string())
}

/// A required string.
fn text(fields: &Map<String, Value>, key: &str) -> Result<String, String> {
    match fields.get(key) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(_) => Err(format!("{key} is not a string")),
        None => Err(format!("no {key}")),
    }
}

/// A required boolean.
fn flag(fields: &Map<String, Value>, key: &str) -> Result<bool, String> {
    fields
        .get(key)
        .and_then(Value::as_bool)
        .ok_or(format!("no {key}, or not true or false"))
}
