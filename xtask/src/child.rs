//! Running a demo so that it stops when told, and never outlives xtask.
//!
//! `cargo xtask demo` has nothing left to do once the demo starts, so it becomes the demo
//! ([`exec`]), as `cargo run` does: Ctrl-C, Ctrl-Z and the exit code are the demo's own, and
//! nothing is left of xtask to die first.
//!
//! `tour`, `trace` and `check` go on after a demo, so they run it as a child
//! ([`Supervise::supervised`], [`run`]) in a process group of its own. A Ctrl-C typed on the
//! terminal then reaches xtask alone, and xtask passes it on, once: in xtask's group the demo
//! would get it from the terminal too, and a `kill` sent to xtask alone would never reach it.
//!
//! - Ctrl-C (SIGINT) goes on to the demo, which stops as it likes (a server closes its listener
//!   first); xtask waits for it. The third kills it: a demo that ignores Ctrl-C still stops.
//!   [`interrupted`] says it happened, so that a tour stops there.
//! - SIGTERM, SIGHUP (the terminal closed) and SIGQUIT go on to the demo too; if it is still
//!   there [`GRACE`] later, it is killed; then xtask ends by the same signal.
//! - Ctrl-Z (SIGTSTP) stops the demo, then xtask; `fg` continues both.
//! - With no demo running, a signal does to xtask what it would do without all this.
//!
//! Only SIGKILL, which no program can catch, leaves a demo behind. In a group that is not the
//! terminal's, a demo reading the terminal would be stopped (SIGTTIN): its stdin is closed,
//! which every demo takes as `--auto`.

use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGKILL, SIGQUIT, SIGSTOP, SIGTERM, SIGTSTP};
use signal_hook::iterator::Signals;
use signal_hook::low_level;

use crate::sys;

/// How long a demo told to end (SIGTERM, SIGHUP, SIGQUIT) has before it is killed.
pub const GRACE: Duration = Duration::from_secs(2);

/// The Ctrl-C that kills a demo instead of passing on.
pub const KILL_AT: u32 = 3;

/// How often a running child is asked whether it has finished.
const POLL_EVERY: Duration = Duration::from_millis(10);

/// The signals xtask passes on while a demo runs.
const PASSED_ON: [i32; 5] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP];

/// Replaces xtask with `command`, as `cargo run` replaces itself with the program: returns only
/// if it could not start.
pub fn exec(command: &mut Command) -> io::Error {
    command.exec()
}

/// A [`Command`] run to its end with signals passed on, as this module describes.
pub trait Supervise {
    /// Runs the command with stdin closed, in a process group of its own, and waits for it;
    /// returns its status. If xtask was told to end meanwhile, it ends once the child is gone.
    fn supervised(&mut self) -> io::Result<ExitStatus>;
}

impl Supervise for Command {
    fn supervised(&mut self) -> io::Result<ExitStatus> {
        run(self, None)?.ok_or_else(|| io::Error::other("killed at a time limit it did not have"))
    }
}

/// Did a Ctrl-C reach a demo? Then whoever runs demos one after the other stops.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Ends xtask as a Ctrl-C would have, if one reached a demo: for `tour` and `check`, between
/// two demos.
pub fn stop_if_interrupted() {
    if interrupted() {
        end_by(SIGINT);
    }
}

/// Runs `command` as [`Supervise::supervised`] does, killed (with anything it started) if it is
/// still running after `limit`: then `None`.
pub fn run(command: &mut Command, limit: Option<Duration>) -> io::Result<Option<ExitStatus>> {
    watch_signals()?;
    let program = Path::new(command.get_program()).file_name();
    let name = program.map_or_else(String::new, |name| name.to_string_lossy().into_owned());
    command.stdin(Stdio::null()).process_group(0);
    let (mut child, group) = {
        // Spawned under the lock: a signal arriving meanwhile waits, then finds the child.
        let mut demos = running();
        let mut child = command.spawn()?;
        let group = match group_of(&child) {
            Ok(group) => group,
            Err(error) => {
                // Never left running unsupervised.
                let _ = child.kill();
                let _ = child.wait();
                return Err(error);
            }
        };
        demos.push(Running {
            group,
            name,
            ctrl_c: 0,
            ending: None,
        });
        (child, group)
    };
    let (ended, ending) = wait(&mut child, group, limit);
    if let Some(signal) = ending {
        end_by(signal);
    }
    ended
}

/// A demo running now: what the signal thread passes signals on to.
#[derive(Debug)]
struct Running {
    /// Its process group, whose id is the child's pid.
    group: i32,
    /// Its program's name, for the line that says it was killed.
    name: String,
    /// How many Ctrl-C it was sent.
    ctrl_c: u32,
    /// The signal xtask ends by once the demo is gone, and when the demo is killed if it is not.
    ending: Option<(i32, Instant)>,
}

/// The demos running now: one, in xtask; several in a test that runs demos on threads.
static RUNNING: Mutex<Vec<Running>> = Mutex::new(Vec::new());

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn running() -> MutexGuard<'static, Vec<Running>> {
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner)
}

fn group_of(child: &Child) -> io::Result<i32> {
    i32::try_from(child.id()).map_err(|_| io::Error::other("a child's pid out of range"))
}

/// Waits for the child, killing its group at the time limit or the end of its grace; returns
/// its status (`None`: killed at the limit) and the signal xtask must end by, if any.
fn wait(
    child: &mut Child,
    group: i32,
    limit: Option<Duration>,
) -> (io::Result<Option<ExitStatus>>, Option<i32>) {
    let start = Instant::now();
    let mut timed_out = false;
    loop {
        {
            let mut demos = running();
            let at = demos.iter().position(|demo| demo.group == group);
            // Reaped under the lock: the signal thread never signals a pid that is no longer
            // the child's, and may be another process's.
            let ended = child.try_wait();
            if !matches!(ended, Ok(None)) {
                let demo = at.map(|at| demos.swap_remove(at));
                if ended.is_err() {
                    // Its state unknown: make sure it is gone.
                    let _ = sys::kill_group(group, SIGKILL);
                }
                let ending = demo.and_then(|demo| demo.ending).map(|(signal, _)| signal);
                let ended = ended.map(|status| status.filter(|_| !timed_out));
                return (ended, ending);
            }
            if let Some(demo) = at.map(|at| &demos[at]) {
                let over = limit.is_some_and(|limit| start.elapsed() >= limit);
                let late = demo.ending.is_some_and(|(_, at)| Instant::now() >= at);
                if (over && !timed_out) || late {
                    timed_out |= over;
                    let _ = sys::kill_group(demo.group, SIGKILL);
                }
            }
        }
        thread::sleep(POLL_EVERY);
    }
}

/// Ends xtask by `signal`, as if it had not been caught: the shell sees what stopped it.
fn end_by(signal: i32) -> ! {
    let _ = low_level::emulate_default_handler(signal);
    std::process::exit(128 + signal)
}

/// Starts, once, the thread that receives [`PASSED_ON`] signals for xtask.
fn watch_signals() -> io::Result<()> {
    static WATCHING: Mutex<bool> = Mutex::new(false);
    let mut watching = WATCHING.lock().unwrap_or_else(PoisonError::into_inner);
    if !*watching {
        let mut signals = Signals::new(PASSED_ON)?;
        thread::Builder::new()
            .name("signals".into())
            .spawn(move || signals.forever().for_each(on_signal))?;
        *watching = true;
    }
    Ok(())
}

/// What a signal to xtask does: passed on to the demos, or, with none, what it always does.
fn on_signal(signal: i32) {
    let mut demos = running();
    if demos.is_empty() {
        drop(demos);
        let _ = low_level::emulate_default_handler(signal);
        return;
    }
    match signal {
        SIGINT => {
            INTERRUPTED.store(true, Ordering::SeqCst);
            for demo in demos.iter_mut() {
                demo.ctrl_c += 1;
                if demo.ctrl_c < KILL_AT {
                    let _ = sys::kill_group(demo.group, SIGINT);
                } else {
                    eprintln!("xtask: Ctrl-C number {KILL_AT}: killing {}", demo.name);
                    let _ = sys::kill_group(demo.group, SIGKILL);
                }
            }
        }
        SIGTSTP => {
            let groups: Vec<i32> = demos.iter().map(|demo| demo.group).collect();
            for &group in &groups {
                let _ = sys::kill_group(group, SIGTSTP);
            }
            drop(demos);
            let _ = low_level::raise(SIGSTOP);
            // Continued (`fg`, `bg`): the demos too, those still running.
            for demo in running().iter().filter(|demo| groups.contains(&demo.group)) {
                let _ = sys::kill_group(demo.group, SIGCONT);
            }
        }
        _ => {
            for demo in demos.iter_mut() {
                let _ = sys::kill_group(demo.group, signal);
                demo.ending.get_or_insert((signal, Instant::now() + GRACE));
            }
        }
    }
}
