//! Running a demo from a test: to its end with [`run_demo`], or in the background with
//! [`start_demo`] while the test talks to it. Both wait within the time limit, and neither ever
//! leaves a process behind.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
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
/// already): `target/<profile>/examples/NAME`, next to the `deps/` folder that holds the running
/// test binary (so `CARGO_TARGET_DIR` is respected).
#[track_caller]
pub fn demo_binary(package: &str, name: &str) -> PathBuf {
    let mut build = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--package", package, "--example", name])
        .stdin(Stdio::null())
        .spawn()
        .expect("start cargo");
    let built = wait_for_exit(&mut build, &format!("cargo build --example {name}"));
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
        log: None,
        last_line: Arc::new(Mutex::new(Instant::now())),
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
    /// The thread reading the rest of its stdout, once the test asked for one.
    log: Option<Background<Vec<String>>>,
    /// When that thread last read a line.
    last_line: Arc<Mutex<Instant>>,
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
    /// waits for the test; [`DemoProcess::stop`] returns those lines.
    pub fn read_log_meanwhile(&mut self) {
        if let Some(stdout) = self.stdout.take() {
            let last_line = Arc::clone(&self.last_line);
            let lines = in_background(move || {
                let lines = stdout.lines().map_while(Result::ok);
                let noted = lines.inspect(|_| *lock(&last_line) = Instant::now());
                noted.collect()
            });
            self.log = Some(lines);
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
    /// It waits first until the log has been quiet for a moment (a second at most): a server's
    /// last lines may still be on their way through its writer thread.
    #[track_caller]
    pub fn stop(mut self) -> Vec<String> {
        let started = Instant::now();
        while self.log.is_some()
            && lock(&self.last_line).elapsed() < QUIET
            && started.elapsed() < Duration::from_secs(1)
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        kill(&mut self.child);
        self.log.take().map(Background::join).unwrap_or_default()
    }
}

/// How long a log must stay quiet before [`DemoProcess::stop`] kills its demo.
const QUIET: Duration = Duration::from_millis(150);

/// The time of the last line, even if a panicking thread held it.
fn lock(last: &Mutex<Instant>) -> std::sync::MutexGuard<'_, Instant> {
    last.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

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
