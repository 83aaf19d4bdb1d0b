//! What `--step` says: each turn of the loop, which task it polls and why, what each poll
//! returned, and at each pause what every task awaits. A poll that only woke its task again (a
//! busy `sleep` asking "is it time yet?") is not worth an Enter: such polls fold into one line,
//! `task 3 print_messages('foo'… polled 12,345 times, its sleep not due yet`.

use super::Awaited;

/// The widest line a demo may print (`[    12.3 ms] loop: ` included): what fits a projector.
const MAX_COLUMNS: usize = 100;

/// The narrator of `--step`.
pub(crate) struct Narrator {
    /// Whether it still narrates: Ctrl-D stops it.
    on: bool,
    /// The lines said, for a test's [`super::narrate`]; `None`: printed.
    said: Option<Vec<String>>,
    /// Whether anything was said since the last pause: a turn that said nothing (it only
    /// folded polls) is not paused after.
    shown: bool,
    /// Lines said only if something follows them in the same turn: `turn 12`, `poll task 3…`.
    deferred: Vec<String>,
    /// Polls folded since the last line said, by task, in the order they came.
    folds: Vec<Fold>,
}

/// Polls of one task that did nothing but wake it again.
struct Fold {
    /// The task's number.
    task: usize,
    /// The task, for the line.
    label: String,
    /// How many polls.
    polls: u64,
    /// Why it is not done yet, if the runtime said (`its sleep not due yet`).
    why: Option<String>,
}

impl Narrator {
    /// A narrator that prints its lines, or keeps them in `said` for a test.
    pub(crate) fn new(said: Option<Vec<String>>) -> Narrator {
        Narrator {
            on: true,
            said,
            shown: true,
            deferred: Vec::new(),
            folds: Vec::new(),
        }
    }

    /// The lines kept for a test.
    pub(crate) fn said(self) -> Vec<String> {
        self.said.unwrap_or_default()
    }

    /// Ctrl-D: says so, once, then nothing more.
    pub(crate) fn stop(&mut self) {
        self.deferred.clear(); // the turn about to run is not narrated
        self.say("Ctrl-D: no more stepping; the rest runs without a word from the loop".into());
        self.on = false;
    }

    /// Says `line`, after what was folded or deferred before it.
    pub(crate) fn say(&mut self, line: String) {
        if self.on {
            self.flush();
            self.emit(line);
        }
    }

    /// Says what was folded and deferred: something else is about to be said (a line of the
    /// demo, the end of the run).
    pub(crate) fn flush(&mut self) {
        if !self.on {
            return;
        }
        for fold in std::mem::take(&mut self.folds) {
            let polls = thousands(fold.polls);
            let times = if fold.polls == 1 { "once" } else { "times" };
            let polls = if fold.polls == 1 {
                String::new()
            } else {
                format!(" {polls}")
            };
            let why = fold
                .why
                .unwrap_or_else(|| "waking itself each time".to_owned());
            self.emit(format!("{} polled{polls} {times}, {why}", fold.label));
        }
        for line in std::mem::take(&mut self.deferred) {
            self.emit(line);
        }
    }

    /// A turn begins: returns whether to pause first, having said what every task is doing
    /// (`view`). A turn after one that said nothing goes on at once.
    pub(crate) fn turn(&mut self, turn: u64, view: Vec<String>) -> bool {
        if !self.on {
            return false;
        }
        self.deferred.clear(); // the last turn said nothing: neither will its header
        let pause = self.shown;
        if pause {
            self.flush();
            for line in view {
                self.emit(line);
            }
            if let Some(said) = &mut self.said {
                said.push("(Enter)".to_owned());
            }
            self.shown = false;
        }
        self.deferred.push(format!("turn {turn}"));
        pause && self.said.is_none()
    }

    /// A poll begins: said when something comes of it.
    pub(crate) fn polling(&mut self, line: String) {
        if self.on {
            self.deferred.push(line);
        }
    }

    /// A poll of task `task` that only woke it again: folded with the others like it.
    pub(crate) fn fold(&mut self, task: usize, label: String, why: Option<String>) {
        if !self.on {
            return;
        }
        if self
            .deferred
            .last()
            .is_some_and(|line| line.starts_with("poll "))
        {
            self.deferred.pop();
        }
        match self.folds.iter_mut().find(|fold| fold.task == task) {
            Some(fold) => {
                fold.polls += 1;
                fold.why = why;
            }
            None => self.folds.push(Fold {
                task,
                label,
                polls: 1,
                why,
            }),
        }
    }

    /// A poll of `task` (`task 3`) ended with `result`.
    pub(crate) fn polled(&mut self, task: &str, result: String) {
        if !self.on {
            return;
        }
        let polled_just_now = self.deferred.last().is_some_and(|l| l.starts_with("poll "));
        self.flush();
        if polled_just_now {
            self.emit(format!("  → {result}"));
        } else {
            self.emit(format!("  → {task}: {result}"));
        }
    }

    /// The loop goes to wait in the kernel, at most `timeout`. Asking without waiting (a zero
    /// timeout) is not worth a line.
    pub(crate) fn waiting(&mut self, timeout: Option<std::time::Duration>) {
        let line = match timeout {
            Some(t) if t.is_zero() => return,
            None => "nothing to poll: sleep in the kernel until a socket or a thread wakes a task"
                .to_owned(),
            Some(t) => format!(
                "nothing to poll: sleep in the kernel until the next timer, in {}",
                seconds(t)
            ),
        };
        self.say(line);
    }

    /// Prints `line` (cut to a projector's width), or keeps it for a test.
    fn emit(&mut self, line: String) {
        self.shown = true;
        // What is left once `[    12.3 ms] loop: ` is printed before it.
        let room = MAX_COLUMNS - crate::trace::stamped(0.0, "loop: ").chars().count();
        let line = if line.chars().count() > room {
            let cut: String = line.chars().take(room - 1).collect();
            format!("{cut}…")
        } else {
            line
        };
        match &mut self.said {
            Some(said) => said.push(line),
            None => crate::trace::print("loop", &line),
        }
    }
}

/// Why a task that woke itself is not done, from what it awaits (`its sleep not due yet`).
pub(crate) fn not_yet(what: Awaited) -> Option<String> {
    match what {
        Awaited::Deadline(_) => Some("its sleep not due yet".to_owned()),
        Awaited::Waiter { .. } => Some("its waiter not set yet".to_owned()),
        Awaited::Socket { fd, .. } => Some(format!("socket fd {fd} not ready yet")),
        _ => None,
    }
}

/// `12,345`.
pub(crate) fn thousands(n: u64) -> String {
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

/// `0.3 s`, `25 ms`: a duration for people.
pub(crate) fn seconds(t: std::time::Duration) -> String {
    if t.as_secs_f64() >= 1.0 {
        format!("{:.1} s", t.as_secs_f64())
    } else {
        format!("{} ms", t.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A narrated line, however long, fits a projector's 100 columns once printed as every demo
    /// line is, `[    12.3 ms] loop: ` before it.
    #[test]
    fn a_long_line_is_cut_to_fit_100_columns_with_its_stamp() {
        let mut narrator = Narrator::new(Some(Vec::new()));
        narrator.say("x".repeat(200));
        narrator.say("y".repeat(10));
        let said = narrator.said();
        assert!(said[0].ends_with('…'), "{said:?}");
        for line in &said {
            let shown = crate::trace::stamped(12.3, &format!("loop: {line}"));
            assert!(shown.chars().count() <= 100, "{shown}");
        }
        assert_eq!(said[1], "y".repeat(10));
    }
}
