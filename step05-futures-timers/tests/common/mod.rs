//! What the test files share: a poll counter, a drop counter, a reverse-echo server on a thread
//! of its own, and the `echo_mio` demo as a child process.
// Each test file is a crate of its own and uses only part of this module: the rest would be
// reported as dead code in that crate.
#![allow(dead_code)]

use std::cell::Cell;
use std::future::Future;
use std::io::{self, BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use shared::echo::ServeOptions;
use shared::testing::{Background, TIME_LIMIT, in_background, run_demo};
use step05_futures_timers::echo::serve;
use step05_futures_timers::{AioListener, Loop};

/// A future that counts how often it is polled: the measure of this step's idea.
pub struct Counted<F> {
    /// The future being counted, boxed to stay pinned.
    inner: Pin<Box<F>>,
    /// Polls so far, shared with the test.
    polls: Rc<Cell<usize>>,
}

impl<F: Future> Counted<F> {
    /// Wraps `inner`; every poll adds one to `polls`.
    pub fn new(inner: F, polls: &Rc<Cell<usize>>) -> Self {
        Counted {
            inner: Box::pin(inner),
            polls: Rc::clone(polls),
        }
    }
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.set(self.polls.get() + 1);
        self.inner.as_mut().poll(cx)
    }
}

/// Adds one to a counter when dropped: proof that a task's destructor ran.
pub struct DropCounter(pub Rc<Cell<usize>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// A reverse-echo server running its own loop on its own thread, for blocking test clients.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The thread: what `serve` returned, and every line it logged.
    running: Background<(io::Result<()>, Vec<String>)>,
}

impl Server {
    /// Starts a server that stops accepting after `clients` connections, with the other
    /// options as given.
    pub fn start(clients: usize, options: ServeOptions) -> Server {
        let options = ServeOptions {
            stop_after: Some(clients),
            ..options
        };
        // This step's sockets are not `Send` (they keep the reactor they registered with), so
        // the listener is bound on the server's thread, which sends its address back.
        let (bound, address) = mpsc::channel();
        let running = in_background(move || {
            let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind port 0");
            let _ = bound.send(listener.local_addr().expect("local address"));
            shared::capture(|| {
                // The loop's own failure, or the server's: either fails the test.
                Loop::new().and_then(|event_loop| event_loop.run_task(serve(listener, options))?)
            })
        });
        let addr = address
            .recv_timeout(TIME_LIMIT)
            .expect("the server's address");
        Server { addr, running }
    }

    /// Waits (within the time limit) until every client is served, and returns the log.
    pub fn finish(self) -> Vec<String> {
        let (served, log) = self.running.join();
        served.expect("the server failed");
        log
    }
}

/// Default options.
pub fn defaults() -> ServeOptions {
    ServeOptions::default()
}

/// The `echo_mio` demo running as a child process, its log read on a thread of its own so that
/// it never waits for us.
pub struct EchoMio {
    /// The server process.
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The rest of its log, once it ends.
    log: JoinHandle<Vec<String>>,
}

impl EchoMio {
    /// Starts `echo_mio --port 0 --seconds 60 ARGS`, under `ulimit -n LIMIT` when a limit is
    /// given (through the shell: the test process itself keeps its own limit). It stops by
    /// itself after 60 s, so a test that fails before [`EchoMio::stop`] leaves nothing behind.
    pub fn start(args: &[&str], fd_limit: Option<usize>) -> EchoMio {
        let binary = example_binary("echo_mio");
        let mut command = match fd_limit {
            Some(limit) => {
                let script = format!("ulimit -n {limit} && exec \"$0\" \"$@\"");
                let mut sh = Command::new("sh");
                sh.args(["-c", &script]).arg(&binary);
                sh
            }
            None => Command::new(&binary),
        };
        let mut child = command
            .args(["--port", "0", "--seconds", "60"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start echo_mio");
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        // `[   0.0 ms] server: listening on 127.0.0.1:PORT, lines up to 65536 bytes`
        let first = lines.next().expect("a first line").expect("UTF-8");
        let addr = first
            .split("listening on ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("no address in {first:?}"));
        let log = std::thread::spawn(move || lines.map_while(Result::ok).collect());
        EchoMio { child, addr, log }
    }

    /// The server's process id, to read its CPU time.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the server is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("wait for echo_mio").is_none()
    }

    /// Kills the server and returns everything it logged after its first line.
    pub fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log.join().expect("the log reader")
    }
}

/// The path of an example of this package, built first (at once if `cargo test` built it).
pub fn example_binary(name: &str) -> PathBuf {
    // `run_demo` builds the example; `--help` makes it exit at once.
    let built = run_demo(env!("CARGO_PKG_NAME"), name, &["--help"]);
    assert!(built.status.success(), "{name} --help: {}", built.stderr);
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary lives in target/<profile>/deps");
    profile_dir.join("examples").join(name)
}

/// The CPU time a process has used so far, in clock ticks (user + system): fields 14 and 15 of
/// `/proc/PID/stat`. Linux only.
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/PID/stat");
    // Field 2, the command name, is in parentheses and may hold spaces: count from after it.
    let after_name = &stat[stat.rfind(')').expect("(comm)") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // `after_name` starts at field 3, so fields 14 and 15 are at indexes 11 and 12.
    let ticks = |index: usize| fields[index].parse::<u64>().expect("a number of ticks");
    ticks(11) + ticks(12)
}

/// Clock ticks per second (`getconf CLK_TCK`), 100 if it cannot be asked.
pub fn ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100)
}
