//! What tokio-console shows of each task (busy, scheduled and idle time; polls, wakes,
//! self-wakes) and of each run, and the warnings worth saying out loud: a busy wait, a slow
//! poll, a lost wake.

use super::model::{Run, Task, Trace};

/// A poll longer than this holds up every other task: asyncio's debug mode calls such a
/// callback slow at the same threshold.
pub const SLOW_POLL: u64 = 100_000_000;

/// What a task did with its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaskStats {
    /// Times it was polled.
    pub polls: u64,
    /// Time spent in its polls.
    pub busy: u64,
    /// Time spent queued: from a wake to the poll that followed.
    pub scheduled: u64,
    /// The rest of its life: waiting for a wake.
    pub idle: u64,
    /// Wakes, its own included.
    pub wakes: u64,
    /// Polls during which it woke itself.
    pub self_wakes: u64,
    /// Of those, the polls that did nothing else: no line, no task added or woken.
    pub quiet: u64,
}

impl TaskStats {
    /// The figures of `task`, whose run ended at `run_end`.
    pub fn of(task: &Task, run_end: u64) -> TaskStats {
        let sum = |field: fn(&super::model::Band) -> u64| task.bands.iter().map(field).sum();
        let (busy, scheduled) = (sum(|b| b.busy), sum(|b| b.scheduled));
        let self_wakes = sum(|b| b.self_wakes);
        let life = task.finished.unwrap_or(run_end).saturating_sub(task.added);
        TaskStats {
            polls: task.polls(),
            busy,
            scheduled,
            idle: life.saturating_sub(busy + scheduled),
            wakes: task.wakes.len() as u64 + self_wakes,
            self_wakes,
            quiet: sum(|b| b.quiet),
        }
    }
}

/// What is worth a warning, and where it arose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A task that woke itself, and did nothing else, on more than half its polls: it waits by
    /// spinning (step03's and step04's `sleep`, and their sockets).
    BusyWait {
        /// The task's number.
        task: usize,
        /// Where it begins: the first poll of the kind.
        at: u64,
        /// Polls that only woke the task again.
        quiet: u64,
        /// All its polls.
        polls: u64,
    },
    /// A poll longer than [`SLOW_POLL`]: every other task waited meanwhile.
    SlowPoll {
        /// The task's number.
        task: usize,
        /// When the poll began (about).
        at: u64,
        /// How long it took.
        took: u64,
    },
    /// A task left `Pending` with no waker held by anyone: nothing can ever wake it.
    LostWake {
        /// The task's number.
        task: usize,
        /// When it happened.
        at: u64,
    },
}

impl Warning {
    /// The task it is about.
    pub fn task(&self) -> usize {
        match self {
            Warning::BusyWait { task, .. }
            | Warning::SlowPoll { task, .. }
            | Warning::LostWake { task, .. } => *task,
        }
    }

    /// Where it arose.
    pub fn at(&self) -> u64 {
        match self {
            Warning::BusyWait { at, .. }
            | Warning::SlowPoll { at, .. }
            | Warning::LostWake { at, .. } => *at,
        }
    }

    /// How bad it is, to show the worst of a kind first: polls spent spinning, time held up.
    pub fn weight(&self) -> u64 {
        match self {
            Warning::BusyWait { quiet, .. } => *quiet,
            Warning::SlowPoll { took, .. } => *took,
            Warning::LostWake { .. } => 1,
        }
    }

    /// Its name: `busy wait`, `slow poll`, `lost wake`.
    pub fn kind(&self) -> &'static str {
        match self {
            Warning::BusyWait { .. } => "busy wait",
            Warning::SlowPoll { .. } => "slow poll",
            Warning::LostWake { .. } => "lost wake",
        }
    }

    /// What happened, in a few words, after the task's name.
    pub fn detail(&self) -> String {
        match self {
            Warning::BusyWait { quiet, polls, .. } => format!(
                "woke itself on {} of its {} polls, doing nothing else",
                thousands(*quiet),
                thousands(*polls)
            ),
            Warning::SlowPoll { took, .. } => {
                format!(
                    "one poll took {}, holding up every other task",
                    millis(*took)
                )
            }
            Warning::LostWake { .. } => {
                "Pending, and nobody holds its waker: nothing can ever wake it".to_owned()
            }
        }
    }
}

/// Every warning of `trace`, by task, then time.
pub fn warnings(trace: &Trace) -> Vec<Warning> {
    let mut found = Vec::new();
    for task in &trace.tasks {
        let stats = TaskStats::of(task, 0);
        if stats.quiet * 2 > stats.polls {
            let first = task.bands.iter().find(|band| band.quiet > 0);
            found.push(Warning::BusyWait {
                task: task.number,
                at: first.map_or(task.added, |band| band.start),
                quiet: stats.quiet,
                polls: stats.polls,
            });
        }
        for band in task.bands.iter().filter(|band| band.slowest > SLOW_POLL) {
            found.push(Warning::SlowPoll {
                task: task.number,
                at: band.end.saturating_sub(band.slowest),
                took: band.slowest,
            });
        }
        if let Some(at) = task.lost {
            found.push(Warning::LostWake {
                task: task.number,
                at,
            });
        }
    }
    found
}

/// A run in one line: how long, its tasks, polls and turns, its time in the kernel, its queue.
pub fn run_line(trace: &Trace, run: &Run) -> String {
    let polls: u64 = trace.tasks_of(run).map(Task::polls).sum();
    let tasks = run.tasks.len();
    let kernel = run.in_kernel();
    let share = percent(kernel, run.duration());
    format!(
        "{} long · {tasks} task{} · {} poll{} in {} turn{} · {} in the kernel ({share}) · \
         ready queue ≤ {}",
        millis(run.duration()),
        plural(tasks as u64),
        thousands(polls),
        plural(polls),
        thousands(run.turns),
        plural(run.turns),
        millis(kernel),
        run.queue_max(),
    )
}

/// The whole program in one line.
pub fn trace_line(trace: &Trace) -> String {
    let polls: u64 = trace.tasks.iter().map(Task::polls).sum();
    let turns: u64 = trace.runs.iter().map(|run| run.turns).sum();
    let kernel: u64 = trace.runs.iter().map(Run::in_kernel).sum();
    let running: u64 = trace.runs.iter().map(Run::duration).sum();
    let runs = trace.runs.len();
    format!(
        "{} · {runs} run{} of the loop · {} task{} · {} poll{} in {} turn{} · {} of {} in the \
         kernel ({})",
        millis(trace.end()),
        plural(runs as u64),
        thousands(trace.tasks.len() as u64),
        plural(trace.tasks.len() as u64),
        thousands(polls),
        plural(polls),
        thousands(turns),
        plural(turns),
        millis(kernel),
        millis(running),
        percent(kernel, running),
    )
}

/// `s` for more than one.
fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `42%`, `< 1%`.
fn percent(part: u64, whole: u64) -> String {
    let share = part as f64 * 100.0 / whole.max(1) as f64;
    match share {
        s if s > 0.0 && s < 1.0 => "< 1%".to_owned(),
        s => format!("{s:.0}%"),
    }
}

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Nanoseconds as `1305.2 ms`, `0.04 ms`: the log's unit.
pub fn millis(nanos: u64) -> String {
    let ms = nanos as f64 / 1e6;
    if ms > 0.0 && ms < 0.1 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.1} ms")
    }
}
