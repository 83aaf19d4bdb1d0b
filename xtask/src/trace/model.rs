//! What a recorded run was: the events that `shared::record` wrote, read back into rows.

use std::collections::BTreeMap;

/// A run, as the loop reported it. Times are nanoseconds since the recorder started.
#[derive(Debug, Default)]
pub struct Run {
    /// Every task, in the order it was added: its number is its index + 1.
    pub tasks: Vec<Task>,
    /// The waits in the kernel long enough to draw.
    pub waits: Vec<Wait>,
    /// When each timer fired.
    pub timers: Vec<u64>,
    /// When each socket was ready, and its token.
    pub sockets: Vec<(u64, usize)>,
    /// Every wake that was not a task waking itself.
    pub wakes: Vec<Wake>,
    /// The loop's turns, and the waits too short to draw (zero timeouts, answered at once).
    pub turns: u64,
    /// See [`Run::turns`].
    pub quick_waits: u64,
}

/// One task: its row in the picture.
#[derive(Debug, Default, Clone)]
pub struct Task {
    /// When it was added.
    pub added: u64,
    /// When it finished, if it did.
    pub finished: Option<u64>,
    /// Whether a drop handed it to the loop as cleanup (step06).
    pub cleanup: bool,
    /// Its polls, in bands of polls that followed each other closely.
    pub bands: Vec<Band>,
}

impl Task {
    /// How many times it was polled.
    pub fn polls(&self) -> u64 {
        self.bands.iter().map(|band| band.polls).sum()
    }
}

/// Polls of one task that followed each other closely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    /// When the first began.
    pub start: u64,
    /// When the last ended.
    pub end: u64,
    /// How many.
    pub polls: u64,
    /// Whether the last one found the task done.
    pub ready: bool,
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

/// A wake, and what caused it.
#[derive(Debug, Clone, Copy)]
pub struct Wake {
    /// When.
    pub at: u64,
    /// The task woken (its number).
    pub task: usize,
    /// What woke it.
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
    /// Code outside the loop's run.
    Outside,
}

impl Run {
    /// Reads the lines a recorder wrote. A line it does not understand is an error: the
    /// recorder and this reader are one format, kept in step by the tests.
    pub fn parse(text: &str) -> Result<Run, String> {
        let mut run = Run::default();
        for (index, line) in text.lines().enumerate() {
            run.take(line)
                .map_err(|why| format!("line {}: {why}: {line}", index + 1))?;
        }
        Ok(run)
    }

    /// The end of the run: the last time anything happened.
    pub fn end(&self) -> u64 {
        let bands = self
            .tasks
            .iter()
            .flat_map(|t| t.bands.iter().map(|b| b.end));
        let waits = self.waits.iter().map(|w| w.end);
        let marks = self
            .timers
            .iter()
            .copied()
            .chain(self.sockets.iter().map(|s| s.0));
        bands.chain(waits).chain(marks).max().unwrap_or(0)
    }

    /// Time spent waiting in the kernel, in the waits long enough to draw.
    pub fn waited(&self) -> u64 {
        self.waits.iter().map(|w| w.end - w.start).sum()
    }

    /// Takes one line.
    fn take(&mut self, line: &str) -> Result<(), String> {
        let mut words = line.split_whitespace();
        let kind = words.next().ok_or("empty line")?;
        let fields: BTreeMap<&str, &str> = words.filter_map(|w| w.split_once('=')).collect();
        let number = |key: &str| -> Result<u64, String> {
            let text = fields.get(key).ok_or(format!("no {key}"))?;
            text.parse().map_err(|_| format!("{key} is not a number"))
        };
        match kind {
            "added" => {
                let task = Task {
                    added: number("t")?,
                    cleanup: number("cleanup")? == 1,
                    ..Task::default()
                };
                let index = usize::try_from(number("task")?).map_err(|e| e.to_string())?;
                if index == 0 || index > self.tasks.len() + 1 {
                    return Err(format!("task {index} out of order"));
                }
                self.tasks.resize(index, Task::default());
                self.tasks[index - 1] = task;
            }
            "band" => {
                let band = Band {
                    start: number("start")?,
                    end: number("end")?,
                    polls: number("polls")?,
                    ready: number("ready")? == 1,
                };
                self.task(number("task")?)?.bands.push(band);
            }
            "finished" => self.task(number("task")?)?.finished = Some(number("t")?),
            "woken" => {
                let by = fields.get("by").ok_or("no by")?;
                let wake = Wake {
                    at: number("t")?,
                    task: index(number("task")?)?,
                    by: by_of(by)?,
                };
                self.wakes.push(wake);
            }
            "timer" => self.timers.push(number("t")?),
            "socket" => self.sockets.push((number("t")?, index(number("token")?)?)),
            "wait" => {
                let timeout = match fields.get("timeout") {
                    Some(&"none") => None,
                    _ => Some(number("timeout")?),
                };
                let wait = Wait {
                    start: number("start")?,
                    end: number("end")?,
                    timeout,
                };
                self.waits.push(wait);
            }
            "counts" => {
                self.turns = number("turns")?;
                self.quick_waits = number("quick_waits")?;
            }
            other => return Err(format!("unknown event {other}")),
        }
        Ok(())
    }

    /// Task number `number`, which must have been added.
    fn task(&mut self, number: u64) -> Result<&mut Task, String> {
        let index = index(number)?;
        self.tasks
            .get_mut(index.wrapping_sub(1))
            .ok_or(format!("task {number} was never added"))
    }
}

/// A number as an index.
fn index(number: u64) -> Result<usize, String> {
    usize::try_from(number).map_err(|e| e.to_string())
}

/// The `by=` of a `woken` line.
fn by_of(text: &str) -> Result<By, String> {
    let parse = |n: &str| n.parse().map_err(|_| format!("bad cause {text}"));
    match text.split_once(':') {
        Some(("task", n)) => Ok(By::Task(parse(n)?)),
        Some(("socket", n)) => Ok(By::Socket(parse(n)?)),
        None if text == "timer" => Ok(By::Timer),
        None if text == "thread" => Ok(By::Thread),
        None if text == "outside" => Ok(By::Outside),
        _ => Err(format!("unknown cause {text}")),
    }
}
