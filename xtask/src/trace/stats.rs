//! What tokio-console shows of each task (busy, scheduled and idle time; polls, wakes,
//! self-wakes) and of each run, and the warnings worth saying out loud: a busy wait, a slow
//! poll, a lost wake, a busy loop.

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
    /// A loop that went round with nothing to poll for more than half its run, on the CPU
    /// instead of asleep in the kernel (the talk's §5 loop, waiting for its timer).
    BusyLoop {
        /// The run's number.
        run: usize,
        /// When it began to spin.
        at: u64,
        /// Its turns with nothing to poll.
        turns: u64,
        /// How long they lasted.
        spun: u64,
    },
}

impl Warning {
    /// The task it is about; none for a warning about the loop itself.
    pub fn task(&self) -> Option<usize> {
        match self {
            Warning::BusyWait { task, .. }
            | Warning::SlowPoll { task, .. }
            | Warning::LostWake { task, .. } => Some(*task),
            Warning::BusyLoop { .. } => None,
        }
    }

    /// The run it arose in.
    pub fn run(&self, trace: &Trace) -> usize {
        match self {
            Warning::BusyLoop { run, .. } => *run,
            _ => self
                .task()
                .and_then(|n| trace.tasks.get(n - 1))
                .map_or(0, |task| task.run),
        }
    }

    /// What it is about, in words: `task 7 print_messages('foo', 'bar', 'baz')`, `the loop`.
    pub fn subject(&self, trace: &Trace) -> String {
        match self.task().and_then(|n| trace.tasks.get(n - 1)) {
            Some(task) => task.label(),
            None => "the loop".to_owned(),
        }
    }

    /// Where it arose.
    pub fn at(&self) -> u64 {
        match self {
            Warning::BusyWait { at, .. }
            | Warning::SlowPoll { at, .. }
            | Warning::LostWake { at, .. }
            | Warning::BusyLoop { at, .. } => *at,
        }
    }

    /// How bad it is, to show the worst of a kind first: polls spent spinning, time held up.
    pub fn weight(&self) -> u64 {
        match self {
            Warning::BusyWait { quiet, .. } => *quiet,
            Warning::SlowPoll { took, .. } => *took,
            Warning::LostWake { .. } => 1,
            Warning::BusyLoop { turns, .. } => *turns,
        }
    }

    /// Its name: `busy wait`, `slow poll`, `lost wake`.
    pub fn kind(&self) -> &'static str {
        match self {
            Warning::BusyWait { .. } => "busy wait",
            Warning::SlowPoll { .. } => "slow poll",
            Warning::LostWake { .. } => "lost wake",
            Warning::BusyLoop { .. } => "busy loop",
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
            Warning::BusyLoop { turns, spun, .. } => format!(
                "went round {} times with nothing to poll, {} on the CPU, never in the kernel",
                thousands(*turns),
                millis(*spun)
            ),
        }
    }
}

/// Every warning of `trace`: of the loops, by run; then of the tasks, by task, then time.
pub fn warnings(trace: &Trace) -> Vec<Warning> {
    let mut found = Vec::new();
    for run in &trace.runs {
        if let Some(first) = run
            .spins
            .first()
            .filter(|_| run.spinning() * 2 > run.duration())
        {
            found.push(Warning::BusyLoop {
                run: run.number,
                at: first.start,
                turns: run.spins.iter().map(|s| s.turns).sum(),
                spun: run.spinning(),
            });
        }
    }
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
        "{} long · {tasks} task{} · {} poll{} in {} turn{} · {} in the kernel ({share}){} · \
         ready queue ≤ {}",
        millis(run.duration()),
        plural(tasks as u64),
        thousands(polls),
        plural(polls),
        thousands(run.turns),
        plural(run.turns),
        millis(kernel),
        on_the_cpu(run.spinning(), run.duration(), run.cpu),
        run.queue_max(),
    )
}

/// A run's pace in one line, to set beside another program's same run: how long, its turns,
/// its time in the kernel, spinning and on the CPU.
pub fn pace_line(run: &Run) -> String {
    format!(
        "{} long · {} turn{} · {} in the kernel ({}){}",
        millis(run.duration()),
        thousands(run.turns),
        plural(run.turns),
        millis(run.in_kernel()),
        percent(run.in_kernel(), run.duration()),
        on_the_cpu(run.spinning(), run.duration(), run.cpu),
    )
}

/// ` · spinning 499.8 ms (100%) · CPU 498.1 ms`: how long a loop went round with nothing to
/// poll, and the CPU time its program used, where the recorder says (nothing where it does not).
fn on_the_cpu(spinning: u64, of: u64, cpu: Option<u64>) -> String {
    let mut out = String::new();
    if spinning > 0 {
        out += &format!(
            " · spinning {} ({})",
            millis(spinning),
            percent(spinning, of)
        );
    }
    if let Some(cpu) = cpu {
        out += &format!(" · CPU {}", millis(cpu));
    }
    out
}

/// The whole program in one line.
pub fn trace_line(trace: &Trace) -> String {
    let polls: u64 = trace.tasks.iter().map(Task::polls).sum();
    let turns: u64 = trace.runs.iter().map(|run| run.turns).sum();
    let kernel: u64 = trace.runs.iter().map(Run::in_kernel).sum();
    let running: u64 = trace.runs.iter().map(Run::duration).sum();
    let runs = trace.runs.len();
    let spinning: u64 = trace.runs.iter().map(Run::spinning).sum();
    let cpu = (trace.runs.iter().map(|run| run.cpu)).sum::<Option<u64>>();
    let cpu = cpu.filter(|_| !trace.runs.is_empty());
    format!(
        "{} · {runs} run{} of the loop · {} task{} · {} poll{} in {} turn{} · {} of {} in the \
         kernel ({}){}",
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
        on_the_cpu(spinning, running, cpu),
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
