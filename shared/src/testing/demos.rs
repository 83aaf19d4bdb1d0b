//! Running a demo from a test: to its end with [`run_demo`], or in the background with
//! [`start_demo`] while the test talks to it. Both wait within the time limit, and neither ever
//! leaves a process behind.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::MAX_COLUMNS;
use super::limits::{self, Background, bounded, in_background};

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
/// and kills it if it is still running when the time limit is up.
///
/// It runs the binary itself rather than `cargo run`, so that the limit kills the demo and not
/// only cargo. Output goes to pipes read on threads of their own, so a chatty demo never blocks.
#[track_caller]
pub fn run_demo(package: &str, name: &str, args: &[&str]) -> DemoRun {
    let mut demo = Command::new(demo_binary(package, name));
    demo.args(args);
    run_to_the_end(demo, name)
}

/// The variable that tells a test binary it runs as the child of [`run_test_alone`].
const CHILD_TEST: &str = "WORKSHOP_CHILD_TEST";

/// Runs test `name` of the running test binary again, alone, in a child process, and returns
/// how it exited, within the time limit: for a test whose failure is an abort, which would end
/// the whole test process, not only fail one test. The child knows it is one by
/// [`in_child_test`].
#[track_caller]
pub fn run_test_alone(name: &str) -> DemoRun {
    let mut test = Command::new(std::env::current_exe().expect("the test binary's path"));
    test.args([name, "--exact", "--nocapture"])
        .env(CHILD_TEST, name);
    run_to_the_end(test, name)
}

/// True in a child process started by [`run_test_alone`].
pub fn in_child_test() -> bool {
    std::env::var_os(CHILD_TEST).is_some()
}

/// Runs `command` with stdin closed, to its end or to the time limit (then it is killed).
#[track_caller]
fn run_to_the_end(mut command: Command, name: &str) -> DemoRun {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {name}: {err}"));
    let stdout = read_to_end_meanwhile(child.stdout.take());
    let stderr = read_to_end_meanwhile(child.stderr.take());
    let status = wait_for_exit(&mut child, name);
    DemoRun {
        status,
        stdout: stdout.join(),
        stderr: stderr.join(),
    }
}

/// The path of an example of `package`, built first (at once when `cargo test` has built it
/// already; a build has ten minutes, not the time limit of a test's waits):
/// `target/<profile>/examples/NAME`, next to the `deps/` folder that holds the running test
/// binary (so `CARGO_TARGET_DIR` is respected).
#[track_caller]
pub fn demo_binary(package: &str, name: &str) -> PathBuf {
    let mut build = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--package", package, "--example", name])
        .stdin(Stdio::null())
        .spawn()
        .expect("start cargo");
    let built = wait_for_build(&mut build, &format!("cargo build --example {name}"));
    assert!(built.success(), "cannot build {package} --example {name}");
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary lives in target/<profile>/deps");
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// How long building a demo may take. The build is not what a test checks, and it may have to
/// wait for another build's lock and then compile the example on a crowded machine, which can
/// take minutes: so it has a limit of its own, and one slow build never counts as a stuck test
/// (which would make every other wait of the process give up early).
const BUILD_LIMIT: Duration = Duration::from_secs(600);

/// Waits for `build` to exit, within [`BUILD_LIMIT`]; kills it when time is up.
#[track_caller]
fn wait_for_build(build: &mut Child, what: &str) -> ExitStatus {
    let started = Instant::now();
    loop {
        match build.try_wait() {
            Ok(Some(status)) => return status,
            Ok(None) if started.elapsed() < BUILD_LIMIT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(None) => {
                kill(build);
                panic!("{what}: still building after {BUILD_LIMIT:?}; killed")
            }
            Err(err) => {
                kill(build);
                panic!("{what}: cannot wait for it: {err}")
            }
        }
    }
}

/// Waits for `child` to exit, within the time limit; kills it when time is up.
#[track_caller]
fn wait_for_exit(child: &mut Child, what: &str) -> ExitStatus {
    let outcome = limits::wait(|tick| match child.try_wait() {
        Ok(None) => {
            std::thread::sleep(tick);
            None
        }
        exited => Some(exited),
    });
    match outcome {
        Ok(Ok(Some(status))) => status,
        Ok(Ok(None)) => unreachable!("`wait` goes on while the child runs"),
        Ok(Err(err)) => {
            kill(child);
            panic!("{what}: cannot wait for it: {err}")
        }
        Err(why) => {
            kill(child);
            panic!("{what}: {why}; killed")
        }
    }
}

/// Kills `child` if it still runs, and waits for it so that it leaves no zombie process.
fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Reads a pipe to its end on a thread of its own.
fn read_to_end_meanwhile(pipe: Option<impl Read + Send + 'static>) -> Background<String> {
    in_background(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Starts an example of `package` with `args` and stdin closed, and leaves it running: a
/// server, for a test to talk to. Its stdout is a pipe that nobody reads until the test asks.
///
/// With `fd_limit`, it runs under the shell's `ulimit -n`, so that the test process keeps its
/// own limit.
#[track_caller]
pub fn start_demo(
    package: &str,
    name: &str,
    args: &[&str],
    fd_limit: Option<usize>,
) -> DemoProcess {
    let binary = demo_binary(package, name);
    let mut command = match fd_limit {
        Some(limit) => {
            let mut sh = Command::new("sh");
            let script = format!("ulimit -n {limit} && exec \"$0\" \"$@\"");
            sh.args(["-c", &script]).arg(&binary);
            sh
        }
        None => Command::new(&binary),
    };
    let mut child = command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the demo");
    let stdout = child.stdout.take().map(BufReader::new);
    DemoProcess {
        name: name.to_owned(),
        child,
        stdout,
        reader: None,
        log: Arc::default(),
    }
}

/// A demo running in the background, started by [`start_demo`]. Dropping it kills it, so a
/// test that fails half-way leaves no process behind.
#[derive(Debug)]
pub struct DemoProcess {
    /// Which demo it is, for messages.
    name: String,
    /// The process.
    child: Child,
    /// Its stdout, until the test closes it or has it read on a thread.
    stdout: Option<BufReader<ChildStdout>>,
    /// The thread reading the rest of its stdout into `log`, once the test asked for one.
    reader: Option<Background<()>>,
    /// What that thread has read so far.
    log: Arc<Log>,
}

/// The lines a demo printed, as the thread that reads them sees them.
#[derive(Debug, Default)]
struct Log {
    /// Lines so far, when the last one came, and whether stdout has ended.
    state: Mutex<LogState>,
    /// Told at every new line, and at the end.
    changed: Condvar,
}

/// What [`Log`] guards.
#[derive(Debug, Default)]
struct LogState {
    /// Every line read, without its newline.
    lines: Vec<String>,
    /// When the last line was read.
    last_line: Option<Instant>,
    /// True once stdout has ended (the demo exited, or closed it).
    ended: bool,
}

impl Log {
    /// Its state, even if a panicking thread held it.
    fn state(&self) -> MutexGuard<'_, LogState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads `stdout` to its end, a line at a time, telling waiters of each one.
    fn read_from(&self, stdout: impl BufRead) {
        for line in stdout.lines().map_while(Result::ok) {
            let mut state = self.state();
            state.lines.push(line);
            state.last_line = Some(Instant::now());
            self.changed.notify_all();
        }
        self.state().ended = true;
        self.changed.notify_all();
    }
}

impl DemoProcess {
    /// Its next line of stdout without the newline, read within the time limit; empty once
    /// stdout has ended.
    #[track_caller]
    pub fn read_line(&mut self) -> String {
        let mut stdout = self
            .stdout
            .take()
            .expect("its stdout is still ours to read");
        let (line, stdout) = bounded(move || {
            let mut line = String::new();
            let _ = stdout.read_line(&mut line);
            (line, stdout)
        });
        self.stdout = Some(stdout);
        line.trim_end_matches('\n').to_owned()
    }

    /// Where a server demo listens, read from its first line:
    /// `[   0.0 ms] server: listening on 127.0.0.1:PORT, …`.
    #[track_caller]
    pub fn listening_on(&mut self) -> SocketAddr {
        let first = self.read_line();
        let addr = first
            .split("listening on ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .and_then(|addr| addr.parse().ok());
        match addr {
            Some(addr) => addr,
            None if first.is_empty() => {
                panic!("{}: ended before saying where it listens", self.name)
            }
            None => panic!("{}: no address in {first:?}", self.name),
        }
    }

    /// From now on, the rest of its stdout is read on a thread of its own, so that it never
    /// waits for the test; [`DemoProcess::wait_for_line`] waits for one of those lines, and
    /// [`DemoProcess::stop`] returns them all.
    pub fn read_log_meanwhile(&mut self) {
        if let Some(stdout) = self.stdout.take() {
            let log = Arc::clone(&self.log);
            self.reader = Some(in_background(move || log.read_from(stdout)));
        }
    }

    /// Waits, within the time limit, until a line of its log (read since
    /// [`DemoProcess::read_log_meanwhile`]) satisfies `wanted`, and returns that line.
    ///
    /// A server writes its log through a thread of its own, so a line may come well after the
    /// reply a client already holds, above all on a busy machine: a test that looks for a line
    /// waits for it here before [`DemoProcess::stop`] kills the server. Panics with the log so
    /// far if the demo's stdout ends first, or if time is up.
    #[track_caller]
    pub fn wait_for_line(&self, wanted: impl Fn(&str) -> bool) -> String {
        let mut seen = 0;
        let found = limits::wait(|tick| {
            let state = self.log.state();
            if let Some(line) = state.lines[seen..].iter().find(|line| wanted(line)) {
                return Some(Ok(line.clone()));
            }
            seen = state.lines.len();
            if state.ended {
                return Some(Err(state.lines.clone()));
            }
            let _ = self.log.changed.wait_timeout(state, tick);
            None
        });
        match found {
            Ok(Ok(line)) => line,
            Ok(Err(log)) => panic!("{}: its log ended without the line: {log:#?}", self.name),
            Err(why) => {
                let log = self.log.state().lines.clone();
                panic!("{}: no such line in its log: {why}: {log:#?}", self.name)
            }
        }
    }

    /// Closes the test's end of its stdout, as `demo | head -1` does once it has its line.
    pub fn close_stdout(&mut self) {
        self.stdout = None;
    }

    /// Its process id, to read its CPU time.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends it SIGINT, as Ctrl-C in its terminal does (through the `kill` command, so that no
    /// `unsafe` call is needed here).
    #[track_caller]
    pub fn interrupt(&self) {
        let mut kill = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .stdin(Stdio::null())
            .spawn()
            .expect("start kill");
        let sent = wait_for_exit(&mut kill, "kill -INT");
        assert!(sent.success(), "{}: kill -INT failed", self.name);
    }

    /// Waits, within the time limit, until it has exited by itself; panics (and kills it) if it
    /// is still running when time is up.
    #[track_caller]
    pub fn wait_for_exit(&mut self) -> ExitStatus {
        wait_for_exit(&mut self.child, &self.name)
    }

    /// Kills it, and returns the lines it printed after [`DemoProcess::read_log_meanwhile`].
    ///
    /// It waits first until the log has been quiet for 150 ms, counted from this call on (a
    /// second at most), which keeps most of a server's last lines. But on a busy machine a line
    /// may still be in the server's writer thread when it dies: a test that needs a line waits
    /// for it first with [`DemoProcess::wait_for_line`].
    #[track_caller]
    pub fn stop(mut self) -> Vec<String> {
        let started = Instant::now();
        while self.reader.is_some() && started.elapsed() < Duration::from_secs(1) {
            let state = self.log.state();
            let quiet_since = state.last_line.map_or(started, |at| at.max(started));
            if state.ended || quiet_since.elapsed() >= QUIET {
                break;
            }
            drop(state);
            std::thread::sleep(Duration::from_millis(10));
        }
        kill(&mut self.child);
        if let Some(reader) = self.reader.take() {
            reader.join();
        }
        std::mem::take(&mut self.log.state().lines)
    }
}

/// How long a log must stay quiet before [`DemoProcess::stop`] kills its demo.
const QUIET: Duration = Duration::from_millis(150);

impl Drop for DemoProcess {
    fn drop(&mut self) {
        kill(&mut self.child);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
