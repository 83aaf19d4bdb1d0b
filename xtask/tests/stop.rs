//! Demos stop when told, and none outlives xtask: a Ctrl-C sent to xtask alone reaches the demo
//! once; a demo that ignores the first gets the second, one deaf to it is killed at the third,
//! with whatever it started; SIGTERM ends xtask once the demo is gone. First with stand-in demos
//! (`sh` scripts that trap signals) run by the same code as `tour`, `trace` and `check`, then
//! with the real server demo through `cargo xtask trace` and `cargo xtask demo`.
#![cfg(unix)]

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use xtask::child::{self, Supervise};

/// Long enough for a loaded machine, short enough that a broken one fails in seconds.
const LIMIT: Duration = Duration::from_secs(10);

/// How long a demo that ignores a signal is given to show that it does.
const SETTLE: Duration = Duration::from_millis(400);

const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

/// Not a test: the stand-in for xtask, which the tests below start as a process of its own
/// (a signal to it must not reach the test harness). It runs `sh -c $STOP_SCRIPT` as `tour`
/// runs a demo, and says how it ended.
#[test]
#[ignore = "started by the other tests of this file, as the process they send signals to"]
fn supervisor() {
    let Ok(script) = std::env::var("STOP_SCRIPT") else {
        return;
    };
    let status = Command::new("sh").args(["-c", &script]).supervised();
    println!("supervisor: demo ended: {status:?}");
    // As the tour does between two demos.
    child::stop_if_interrupted();
}

/// A stand-in xtask running a script, and the folder where the script leaves its pids.
struct Supervisor {
    process: Child,
    dir: PathBuf,
}

impl Supervisor {
    /// Starts the supervisor on `script`, run in `dir` (so `echo $$ > demo.pid` lands there),
    /// and waits until the script has written `demo.pid`.
    fn start(test: &str, script: &str) -> Supervisor {
        let dir = common::scratch(&format!("stop-{test}"));
        let args = ["supervisor", "--exact", "--ignored", "--nocapture"];
        let process = Command::new(std::env::current_exe().expect("the test binary"))
            .args(args)
            .env("STOP_SCRIPT", script)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(fs::File::create(dir.join("stdout")).expect("stdout file"))
            .stderr(fs::File::create(dir.join("stderr")).expect("stderr file"))
            .spawn()
            .expect("start the supervisor");
        let supervisor = Supervisor { process, dir };
        supervisor.pid_file("demo.pid");
        supervisor
    }

    /// The pid a script wrote to `name`, waited for.
    fn pid_file(&self, name: &str) -> u32 {
        let start = Instant::now();
        loop {
            let text = fs::read_to_string(self.dir.join(name)).unwrap_or_default();
            if let Ok(pid) = text.trim().parse() {
                return pid;
            }
            assert!(start.elapsed() < LIMIT, "no {name}: {}", self.output());
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits, within [`LIMIT`], until the supervisor or its script has printed `text`.
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while !self.output().contains(text) {
            assert!(start.elapsed() < LIMIT, "no {text:?} in {}", self.output());
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn signal(&self, signal: &str) {
        send(self.process.id(), signal);
    }

    /// Waits for the supervisor to end, within [`LIMIT`].
    fn ended(&mut self) -> ExitStatus {
        wait_within(&mut self.process, LIMIT).unwrap_or_else(|| panic!("{}", self.output()))
    }

    fn still_running(&mut self) -> bool {
        self.process.try_wait().expect("try_wait").is_none()
    }

    /// What the supervisor and its script printed: stdout, then stderr.
    fn output(&self) -> String {
        let read = |name| fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        read("stdout") + &read("stderr")
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Sends a signal the way a user would, with `kill`: the tests need no `unsafe`.
fn send(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("the kill program");
    assert!(status.success(), "kill -{signal} {pid}");
}

/// Is `pid` a live process? A zombie is not: it has ended, only its exit status is left.
fn alive(pid: u32) -> bool {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim().chars().next());
    state.is_some_and(|state| state != 'Z')
}

/// The pids whose parent is `parent`, from `/proc`.
fn children(parent: u32) -> Vec<u32> {
    let entries = fs::read_dir("/proc").expect("/proc");
    let pids = entries.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok());
    pids.filter(|pid| {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1));
        ppid == Some(parent.to_string().as_str())
    })
    .collect()
}

/// The child's status once it has ended, or `None` if it is still running after `limit`.
fn wait_within(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        thread::sleep(Duration::from_millis(10));
    }
    None
}

#[test]
fn a_ctrl_c_sent_to_xtask_alone_reaches_the_demo_then_ends_xtask() {
    let script = "trap 'echo demo: got Ctrl-C; exit 0' INT; echo $$ > demo.pid; \
                  while :; do sleep 0.05; done";
    let mut xtask = Supervisor::start("once", script);
    let demo = xtask.pid_file("demo.pid");
    xtask.signal("INT");
    let status = xtask.ended();
    // The demo stopped as it likes (exit 0), and xtask then ends as a Ctrl-C ends a program:
    // a tour does not go on to the next step.
    assert_eq!(status.signal(), Some(SIGINT), "{}", xtask.output());
    assert!(
        xtask.output().contains("demo: got Ctrl-C"),
        "{}",
        xtask.output()
    );
    assert!(!alive(demo), "the demo outlived xtask");
}

#[test]
fn a_demo_that_ignores_the_first_ctrl_c_gets_the_second() {
    let script = "n=0; trap 'n=$((n+1)); echo demo: Ctrl-C $n; [ $n -ge 2 ] && exit 130' INT; \
                  echo $$ > demo.pid; while :; do sleep 0.05; done";
    let mut xtask = Supervisor::start("twice", script);
    let demo = xtask.pid_file("demo.pid");
    xtask.signal("INT");
    xtask.wait_for("demo: Ctrl-C 1");
    thread::sleep(SETTLE);
    // xtask waits for the demo, which is still running: nothing is left behind yet.
    assert!(xtask.still_running() && alive(demo), "{}", xtask.output());
    xtask.signal("INT");
    let status = xtask.ended();
    assert_eq!(status.signal(), Some(SIGINT), "{}", xtask.output());
    // Passed on once each: a Ctrl-C that reached it twice would have ended it at the first.
    assert!(
        xtask.output().contains("demo: Ctrl-C 2"),
        "{}",
        xtask.output()
    );
    assert!(
        !xtask.output().contains("demo: Ctrl-C 3"),
        "{}",
        xtask.output()
    );
    assert!(!alive(demo), "the demo outlived xtask");
}

#[test]
fn a_demo_deaf_to_ctrl_c_is_killed_at_the_third_with_what_it_started() {
    // `sleep &` in a script ignores SIGINT too: only the kill of the whole group ends it.
    let script = "trap '' INT; sleep 60 & echo $! > helper.pid; echo $$ > demo.pid; wait";
    let mut xtask = Supervisor::start("deaf", script);
    let (demo, helper) = (xtask.pid_file("demo.pid"), xtask.pid_file("helper.pid"));
    for _ in 1..child::KILL_AT {
        xtask.signal("INT");
        thread::sleep(SETTLE);
        assert!(xtask.still_running() && alive(demo), "{}", xtask.output());
    }
    xtask.signal("INT");
    let status = xtask.ended();
    assert_eq!(status.signal(), Some(SIGINT), "{}", xtask.output());
    let said = format!("xtask: Ctrl-C number {}: killing sh", child::KILL_AT);
    assert!(xtask.output().contains(&said), "{}", xtask.output());
    assert!(!alive(demo), "the demo outlived xtask");
    assert!(!alive(helper), "what the demo started outlived xtask");
}

#[test]
fn sigterm_ends_xtask_once_the_demo_is_gone_killed_after_its_grace() {
    let script = "trap '' TERM; echo $$ > demo.pid; while :; do sleep 0.05; done";
    let mut xtask = Supervisor::start("term", script);
    let demo = xtask.pid_file("demo.pid");
    let start = Instant::now();
    xtask.signal("TERM");
    let status = xtask.ended();
    assert_eq!(status.signal(), Some(SIGTERM), "{}", xtask.output());
    assert!(start.elapsed() >= child::GRACE, "the demo had its grace");
    assert!(!alive(demo), "the demo outlived xtask");
}

#[test]
fn a_demo_that_obeys_sigterm_ends_at_once_and_xtask_with_it() {
    let script = "echo $$ > demo.pid; while :; do sleep 0.05; done";
    let mut xtask = Supervisor::start("term-obeyed", script);
    let demo = xtask.pid_file("demo.pid");
    let start = Instant::now();
    xtask.signal("TERM");
    let status = xtask.ended();
    assert_eq!(status.signal(), Some(SIGTERM), "{}", xtask.output());
    assert!(
        start.elapsed() < child::GRACE,
        "no need to wait for the grace"
    );
    assert!(!alive(demo), "the demo outlived xtask");
}

/// The `xtask` binary running `args`, its stdout read line by line on a thread of its own.
struct Xtask {
    process: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Xtask {
    fn start(args: &[&str]) -> Xtask {
        let mut process = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run the xtask binary");
        let stdout = process.stdout.take().expect("stdout");
        let (send, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Xtask {
            process,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `text`, within `limit`; returns it.
    fn line(&mut self, text: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("no line with {text:?}; got {:?}", self.seen),
            }
        }
    }
}

impl Drop for Xtask {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A client of the server demo: one line, its reversed echo.
fn echo(client: &mut TcpStream, line: &str) -> String {
    client.write_all(line.as_bytes()).expect("send");
    let mut reply = vec![0; line.len()];
    client.read_exact(&mut reply).expect("the reply");
    String::from_utf8_lossy(&reply).into_owned()
}

/// The port in the server demo's `listening on 127.0.0.1:PORT, …` line.
fn port(line: &str) -> u16 {
    let after = line.split("127.0.0.1:").nth(1).expect("an address");
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().expect("a port")
}

/// The first build of step06's demos may take a while; the rest is quick.
const BUILD_LIMIT: Duration = Duration::from_secs(300);

/// Connects a client to the server demo, then checks that, told once, the demo closes but
/// serves its client on, and that, told twice, it ends, and xtask with it.
fn told_once_then_twice(xtask: &mut Xtask, demo: u32, port: u16, tell: impl Fn()) {
    let mut client = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    client.set_read_timeout(Some(LIMIT)).expect("timeout");
    assert_eq!(echo(&mut client, "abc\n"), "cba\n");
    tell();
    xtask.line("Ctrl-C: closing", LIMIT);
    thread::sleep(SETTLE);
    assert!(
        alive(demo),
        "the first Ctrl-C lets the demo serve its client on"
    );
    assert_eq!(echo(&mut client, "xyz\n"), "zyx\n", "still served");
    tell();
    let status = wait_within(&mut xtask.process, LIMIT).expect("xtask ended");
    assert!(!status.success(), "{status}");
    assert!(!alive(demo), "the demo outlived xtask");
}

#[test]
fn trace_of_a_server_stops_at_the_second_ctrl_c_and_leaves_nothing() {
    let args = ["trace", "6", "async_with_server", "--", "--seconds", "60"];
    let mut xtask = Xtask::start(&args);
    // The build comes first: once the server listens, it is xtask's child.
    let listening = xtask.line("listening on", BUILD_LIMIT);
    let xtask_pid = xtask.process.id();
    let demos = children(xtask_pid);
    let [demo] = demos[..] else {
        panic!("one demo under xtask, got {demos:?}");
    };
    let exe = fs::read_link(format!("/proc/{demo}/exe")).unwrap_or_default();
    assert!(exe.ends_with("examples/async_with_server"), "{exe:?}");
    // Sent to xtask alone, as `kill` does; a Ctrl-C typed on a terminal reaches xtask alone too.
    told_once_then_twice(&mut xtask, demo, port(&listening), || {
        send(xtask_pid, "INT")
    });
}

#[test]
fn demo_becomes_the_server_so_every_ctrl_c_is_its_own() {
    let args = ["demo", "6", "async_with_server", "--", "--seconds", "60"];
    let mut xtask = Xtask::start(&args);
    let pid = xtask.process.id();
    let listening = xtask.line("listening on", BUILD_LIMIT);
    // Not a child of xtask: xtask itself, replaced by the demo as `cargo run` does.
    let exe = fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
    assert!(exe.ends_with("examples/async_with_server"), "{exe:?}");
    assert_eq!(children(pid), Vec::<u32>::new());
    told_once_then_twice(&mut xtask, pid, port(&listening), || send(pid, "INT"));
}
