//! Timestamped printing and the trace recorder.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The instant the program first asked for the time; every timestamp is relative to it.
static START: OnceLock<Instant> = OnceLock::new();

thread_local! {
    /// The trace that [`say`] also writes to on this thread, while [`capture`] runs.
    static CAPTURE: RefCell<Option<Trace>> = const { RefCell::new(None) };
}

/// Time since the first call to [`elapsed`] or [`say`] in this process.
///
/// Demos print relative times so that two runs of the same demo read the same on a projector.
/// The time spent waiting for Enter (`--step`) counts too: the loop's timers and the talk's own
/// clock (`at 1.0 s`) go on meanwhile, and the log must agree with them.
pub fn elapsed() -> Duration {
    started().elapsed()
}

/// The instant every timestamp counts from: the log's, and the trace recorder's.
pub(crate) fn started() -> Instant {
    *START.get_or_init(Instant::now)
}

/// Prints `[    12.3 ms] label: message`, the one line format of every demo.
///
/// A closed stdout (`cargo xtask tour | head`) is not an error worth dying for: the line is
/// dropped and the program goes on (and after [`crate::output::never_block`], a full one is not
/// a reason to wait either). While [`capture`] runs on this thread, the line (without
/// its timestamp) is recorded instead of printed, so a test can check what a piece of code
/// printed and in which order.
///
/// The trace recorder hears the line too, when it listens: it shows it on the row of the task
/// that printed it.
pub fn say(label: &str, message: impl std::fmt::Display) {
    let message = message.to_string();
    crate::record::said(label, &message);
    print(label, &message);
}

/// What [`say`] does once the recorder has heard the line: print it, or give it to [`capture`].
/// The recorder's own `--step` lines come this way, so that it does not hear itself.
pub(crate) fn print(label: &str, message: &str) {
    let line = format!("{label}: {message}");
    // `try_with`: at the process's exit (the recorder's last `--step` line), the thread's
    // capture is gone already, and nothing captures.
    let captured = CAPTURE.try_with(|trace| trace.borrow().clone());
    match captured.ok().flatten() {
        Some(trace) => trace.record(line),
        None => {
            let millis = elapsed().as_secs_f64() * 1000.0;
            crate::output::write_line(stamped(millis, &line));
        }
    }
}

/// `[    12.3 ms] line`: a line as [`say`] prints it, `millis` after the start.
pub(crate) fn stamped(millis: f64, line: &str) -> String {
    format!("[{millis:8.1} ms] {line}")
}

/// Runs `f` and returns its result with every line that [`say`] was asked to print on this
/// thread meanwhile (they are recorded, not printed).
///
/// Lines come back as `label: message`, without the timestamp, so tests can compare them exactly.
/// Captures nest: the inner one sees its own lines only, and the outer one is restored after.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let trace = Trace::new();
    let previous = CAPTURE.replace(Some(trace.clone()));
    // Restore the outer capture even if `f` panics, so one failing test does not poison the thread.
    let _restore = RestoreCapture(previous);
    let result = f();
    (result, trace.events())
}

/// Puts the previous capture back when dropped.
struct RestoreCapture(Option<Trace>);

impl Drop for RestoreCapture {
    fn drop(&mut self) {
        CAPTURE.set(self.0.take());
    }
}

/// A shared list of events, in the order they were recorded.
///
/// Clones share the same list, so a test keeps one handle and gives clones to the tasks it
/// spawns; afterwards [`Trace::events`] tells which task ran when. It is `Send + Sync` so that
/// wakers on other threads (step05) can record too.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// The events so far; a `Mutex` rather than a `RefCell` only so clones may cross threads.
    events: Arc<Mutex<Vec<String>>>,
}

impl Trace {
    /// An empty trace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one event.
    pub fn record(&self, event: impl Into<String>) {
        self.lock().push(event.into());
    }

    /// A copy of every event recorded so far, oldest first.
    pub fn events(&self) -> Vec<String> {
        self.lock().clone()
    }

    /// How many events were recorded.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The list, even if a panicking test thread held it: a trace is still worth reading then.
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_sees_what_say_printed_in_order() {
        let ((), lines) = capture(|| {
            say("a", "one");
            say("b", 2);
        });
        assert_eq!(lines, ["a: one", "b: 2"]);
    }

    #[test]
    fn nested_captures_are_separate_and_restored() {
        let ((), outer) = capture(|| {
            say("outer", "before");
            let ((), inner) = capture(|| say("inner", "x"));
            assert_eq!(inner, ["inner: x"]);
            say("outer", "after");
        });
        assert_eq!(outer, ["outer: before", "outer: after"]);
    }

    #[test]
    fn clones_of_a_trace_share_events() {
        let trace = Trace::new();
        let clone = trace.clone();
        clone.record("from clone");
        trace.record("from original");
        assert_eq!(trace.events(), ["from clone", "from original"]);
        assert_eq!(clone.len(), 2);
    }
}
