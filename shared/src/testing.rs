//! Test helpers: a time limit, running a demo, a free port, and a count of open descriptors.
//!
//! Every test that waits on a socket or a demo goes through [`bounded`] or [`run_demo`], so a
//! bug that leaves something waiting for ever fails that test instead of hanging the run.

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a test may wait on a socket or a demo before it counts as stuck. Generous on
/// purpose: a slow CI machine must not fail a correct test, and a stuck one fails anyway.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

/// The widest line a demo may print: what fits on a projector.
pub const MAX_COLUMNS: usize = 100;

/// Runs `test` on a thread of its own and returns its value, or panics after [`TIME_LIMIT`].
///
/// A bug in a socket test usually leaves a task waiting for bytes that never come, and a loop
/// with a waiting task never ends: without a limit, the whole test run would hang. A panic in
/// `test` fails the caller with the same message.
pub fn bounded<T: Send + 'static>(test: impl FnOnce() -> T + Send + 'static) -> T {
    in_background(test).join()
}

/// Starts `work` on a thread of its own; [`Background::join`] waits for it, within the limit.
///
/// For a server that runs its loop while the test talks to it from the test's thread.
pub fn in_background<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Background<T> {
    let (done, result) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let _ = done.send(work());
    });
    Background { result, thread }
}

/// Work running on a thread of its own, started by [`in_background`].
#[derive(Debug)]
pub struct Background<T> {
    /// Where the thread sends its value.
    result: mpsc::Receiver<T>,
    /// The thread, to join, or to take its panic from.
    thread: std::thread::JoinHandle<()>,
}

impl<T> Background<T> {
    /// The work's value; panics if it is still running after [`TIME_LIMIT`], and with the work's
    /// own message if it panicked.
    pub fn join(self) -> T {
        match self.result.recv_timeout(TIME_LIMIT) {
            Ok(value) => {
                let _ = self.thread.join();
                value
            }
            // The work panicked before sending: fail with its own message.
            Err(RecvTimeoutError::Disconnected) => match self.thread.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => panic!("the background thread ended without a result"),
            },
            Err(RecvTimeoutError::Timeout) => {
                panic!("still running after {TIME_LIMIT:?}: something is probably waiting for ever")
            }
        }
    }
}

/// What a demo did: how it exited and what it printed.
#[derive(Debug)]
pub struct DemoRun {
    /// How it exited.
    pub status: ExitStatus,
    /// Everything it printed on stdout.
    pub stdout: String,
    /// Everything it printed on stderr.
    pub stderr: String,
}

impl DemoRun {
    /// Its stdout, after checking that it exited 0 and that every line fits on a projector.
    pub fn success(self) -> String {
        assert!(self.status.success(), "{}: {}", self.status, self.stderr);
        self.assert_fits();
        self.stdout
    }

    /// Panics if a line of its output is wider than [`MAX_COLUMNS`] characters.
    pub fn assert_fits(&self) {
        for line in self.stdout.lines().chain(self.stderr.lines()) {
            let width = line.chars().count();
            assert!(width <= MAX_COLUMNS, "{width} columns: {line}");
        }
    }

    /// The lines of stdout without their timestamps (`[   1.0 ms] a: b` → `a: b`), the form
    /// [`crate::capture`] gives: what a test compares.
    pub fn lines(&self) -> Vec<String> {
        self.stdout
            .lines()
            .map(|line| match line.split_once("] ") {
                Some((stamp, rest)) if stamp.starts_with('[') => rest.to_owned(),
                _ => line.to_owned(),
            })
            .collect()
    }
}

/// Runs one example of `package` (pass `env!("CARGO_PKG_NAME")`) with `args`, stdin closed,
/// and kills it after [`TIME_LIMIT`].
///
/// It builds the example first (at once when `cargo test` has built it already), then runs the
/// binary itself rather than `cargo run`, so that the time limit kills the demo and not only
/// cargo. Output goes to pipes read on threads of their own, so a chatty demo never blocks.
pub fn run_demo(package: &str, name: &str, args: &[&str]) -> DemoRun {
    let build = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--package", package, "--example", name])
        .stdin(Stdio::null())
        .status()
        .expect("start cargo");
    assert!(build.success(), "cannot build {package} --example {name}");
    let mut child = Command::new(example_binary(name))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the demo");
    let stdout = read_on_a_thread(child.stdout.take());
    let stderr = read_on_a_thread(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the demo") {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            panic!("{name} still running after {TIME_LIMIT:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    DemoRun {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// Where cargo put an example: `target/debug/examples/NAME`, next to the `deps/` folder that
/// holds the running test binary (so `CARGO_TARGET_DIR` is respected).
fn example_binary(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary lives in target/<profile>/deps");
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Reads a pipe to its end on a thread of its own.
fn read_on_a_thread(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// A loopback address whose port was free a moment ago.
///
/// Prefer binding port 0 directly; this is for the tests that need an address nobody listens on
/// (a refused connection) or one to bind twice (address in use).
pub fn free_port() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    listener.local_addr()
}

/// The number of descriptors this process has open right now.
///
/// Reads `/dev/fd` (Linux and macOS). The directory handle used to read it is counted on every
/// call alike, so two counts can be compared.
pub fn open_fds() -> std::io::Result<usize> {
    Ok(std::fs::read_dir("/dev/fd")?.count())
}

/// Tests that count descriptors take this lock, so no other test opens sockets meanwhile.
static FD_LOCK: Mutex<()> = Mutex::new(());

/// A descriptor count taken at the start of a test, compared again at its end.
///
/// Holding it serialises the tests that use it: descriptors are per process, and the test harness
/// runs tests on several threads, so an unlocked count would see other tests' sockets. Tests that
/// run a demo take it too: the pipes to a demo are descriptors as well.
#[derive(Debug)]
pub struct FdCheck {
    /// The count when the test started.
    before: usize,
    /// Keeps other descriptor-counting tests out until this one is checked.
    _lock: MutexGuard<'static, ()>,
}

impl FdCheck {
    /// Locks out the other counting tests and counts the open descriptors, once the count is
    /// steady: a thread of the previous test may still be closing its last socket.
    pub fn begin() -> Self {
        let lock = FD_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut before = open_fds().expect("count open descriptors");
        for _ in 0..50 {
            std::thread::sleep(Duration::from_millis(5));
            let now = open_fds().expect("count open descriptors");
            if now == before {
                break;
            }
            before = now;
        }
        Self {
            before,
            _lock: lock,
        }
    }

    /// Panics if the test left descriptors open (or closed some it did not own).
    pub fn assert_no_leak(self) {
        let after = open_fds().expect("count open descriptors");
        assert_eq!(
            after, self.before,
            "open descriptors: {} before, {after} after",
            self.before
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_is_one_more_descriptor() {
        let check = FdCheck::begin();
        let before = open_fds().unwrap();
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        assert_eq!(open_fds().unwrap(), before + 1);
        drop(listener);
        check.assert_no_leak();
    }

    #[test]
    fn free_port_is_on_loopback() {
        let check = FdCheck::begin();
        let addr = free_port().unwrap();
        assert!(addr.ip().is_loopback());
        assert_ne!(addr.port(), 0);
        check.assert_no_leak();
    }

    #[test]
    fn bounded_returns_the_value_or_the_panic() {
        assert_eq!(bounded(|| 6 * 7), 42);
        let panic = std::panic::catch_unwind(|| bounded(|| panic!("inner failure")));
        let message = panic.unwrap_err();
        assert_eq!(message.downcast_ref::<&str>(), Some(&"inner failure"));
    }

    #[test]
    fn demo_lines_lose_their_timestamps() {
        let run = DemoRun {
            status: Command::new("true").status().unwrap(),
            stdout: "[     1.0 ms] a: b\nplain\n".into(),
            stderr: String::new(),
        };
        assert_eq!(run.lines(), ["a: b", "plain"]);
    }
}
