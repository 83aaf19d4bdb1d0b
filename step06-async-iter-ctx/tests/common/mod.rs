//! What the test files share: a poll counter, a drop counter, a reverse-echo server on a thread
//! of its own, and the `async_with_server` demo as a child process.
// Each test file is a crate of its own and uses only part of this module: the rest would be
// reported as dead code in that crate.
#![allow(dead_code)]

use std::cell::Cell;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::process::Command;
use std::rc::Rc;
use std::sync::mpsc;
use std::task::{Context, Poll};

use shared::echo::ServeOptions;
use shared::testing::{Background, DemoProcess, TIME_LIMIT, in_background, start_demo};
use step06_async_iter_ctx::echo::serve;
use step06_async_iter_ctx::{AioListener, Loop};

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
                Loop::new().and_then(|event_loop| {
                    event_loop.run_task(async move { serve(&listener, options).await })?
                })
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

/// The `async_with_server` demo running as a child process, its log read on a thread of its
/// own so that it never waits for us. Dropping it kills it, so a test that fails leaves nothing behind.
pub struct ServerDemo {
    /// The server process.
    process: DemoProcess,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl ServerDemo {
    /// Starts `async_with_server --port 0 --seconds 60 ARGS`, under `ulimit -n LIMIT` when a
    /// limit is given (through the shell: the test process itself keeps its own limit). It would stop by
    /// itself only after the time limit, so a stuck server fails the test's own wait.
    pub fn start(args: &[&str], fd_limit: Option<usize>) -> ServerDemo {
        let args = [&["--port", "0", "--seconds", "60"][..], args].concat();
        let mut process = start_demo(env!("CARGO_PKG_NAME"), "async_with_server", &args, fd_limit);
        let addr = process.listening_on();
        process.read_log_meanwhile();
        ServerDemo { process, addr }
    }

    /// The server's process id, to read its CPU time.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Whether the server is still running.
    pub fn is_running(&mut self) -> bool {
        self.process.is_running()
    }

    /// Waits (within the time limit) for a line of its log that satisfies `wanted`: see
    /// [`DemoProcess::wait_for_line`].
    pub fn wait_for_line(&self, wanted: impl Fn(&str) -> bool) -> String {
        self.process.wait_for_line(wanted)
    }

    /// Kills the server and returns everything it logged after its first line.
    pub fn stop(self) -> Vec<String> {
        self.process.stop()
    }
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
