//! Where [`crate::say`] writes: straight to stdout, or, for servers, through a writer thread, so
//! that a slow reader can never stall the program.
//!
//! Writing to a pipe nobody reads blocks once the pipe is full (64 KiB on Linux). A demo that
//! ends on its own may block: its reader will come. A server must not: every client would wait
//! for the log. So a server calls [`never_block`] first; lines then go through a bounded queue to
//! a thread that does the writing, and when the queue is full they are dropped and counted.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::time::{Duration, Instant};

/// How many lines may wait for the writer thread before new ones are dropped.
const QUEUE: usize = 1024;

/// The queue to the writer thread, once [`never_block`] started it.
static BACKGROUND: OnceLock<SyncSender<String>> = OnceLock::new();

/// Lines queued but not yet written.
static PENDING: AtomicUsize = AtomicUsize::new(0);

/// Lines dropped since the writer last said so.
static DROPPED: AtomicUsize = AtomicUsize::new(0);

/// From now on, printing never blocks: lines go to a writer thread, and when stdout does not keep
/// up, they are dropped and counted (the count is printed once stdout drains).
pub fn never_block() {
    BACKGROUND.get_or_init(|| {
        let (lines, queue) = mpsc::sync_channel(QUEUE);
        std::thread::spawn(move || write_all(queue));
        lines
    });
}

/// Waits until every queued line is written, for at most `limit`: the last lines of a server
/// that is about to exit.
pub fn flush(limit: Duration) {
    let started = Instant::now();
    while PENDING.load(Ordering::Acquire) > 0 && started.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Prints one line, directly or through the writer thread. A closed stdout drops it quietly.
pub(crate) fn write_line(line: String) {
    let Some(queue) = BACKGROUND.get() else {
        let _ = writeln!(std::io::stdout().lock(), "{line}");
        return;
    };
    PENDING.fetch_add(1, Ordering::AcqRel);
    if queue.try_send(line).is_err() {
        PENDING.fetch_sub(1, Ordering::AcqRel);
        DROPPED.fetch_add(1, Ordering::AcqRel);
    }
}

/// The writer thread: prints what comes, says how many lines were dropped before it.
fn write_all(queue: Receiver<String>) {
    for line in queue {
        let mut stdout = std::io::stdout().lock();
        let dropped = DROPPED.swap(0, Ordering::AcqRel);
        if dropped > 0 {
            let _ = writeln!(
                stdout,
                "({dropped} log lines dropped: stdout was not keeping up)"
            );
        }
        let _ = writeln!(stdout, "{line}");
        PENDING.fetch_sub(1, Ordering::AcqRel);
    }
}
