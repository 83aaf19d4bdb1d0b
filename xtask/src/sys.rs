//! The system calls the standard library does not offer: for `watch`, the terminal's modes
//! (keys read one at a time, not echoed), a Ctrl-C that asks to stop rather than ends the
//! process at once, and a Ctrl-C sent to the whole job; for a demo run by `tour`, `trace` or
//! `check` (`child.rs`), a signal to its process group.
//!
//! The only `unsafe` of xtask, each block with why it is sound.
#![allow(unsafe_code)]

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the handler of SIGINT.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The handler of SIGINT: it only notes it, which is all a handler may safely do.
extern "C" fn on_interrupt(_signal: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// From now on, Ctrl-C (SIGINT) does not end this process: [`interrupted`] says it came. The
/// processes this one starts still end on it (a handler is not inherited across `exec`).
pub fn catch_interrupt() -> io::Result<()> {
    let handler = on_interrupt as extern "C" fn(libc::c_int);
    // SAFETY: `signal` installs a handler that only stores to an atomic, which is
    // async-signal-safe; the function lives as long as the process.
    let previous = unsafe { libc::signal(libc::SIGINT, handler as libc::sighandler_t) };
    match previous == libc::SIG_ERR {
        true => Err(io::Error::last_os_error()),
        false => Ok(()),
    }
}

/// Whether Ctrl-C came since [`catch_interrupt`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Sends SIGINT to every process of this one's process group, as Ctrl-C on the terminal does:
/// the builds and tests it started end, with whatever they started in turn, and this process
/// notes it (see [`catch_interrupt`]).
pub fn interrupt_job() {
    // SAFETY: `kill` takes plain integers and touches no memory of ours; pid 0 is this
    // process's group.
    unsafe {
        libc::kill(0, libc::SIGINT);
    }
}

/// The terminal in "one key at a time" mode (not line by line, keys not echoed) until dropped:
/// whatever the way out (an error, a panic, `q`), the terminal gets its modes back.
#[derive(Debug)]
pub struct KeyByKey {
    /// The modes to give back.
    saved: libc::termios,
}

impl KeyByKey {
    /// Switches standard input's terminal to one key at a time; `None` when standard input is
    /// not a terminal (a pipe, a file), where lines are read as they come. With `ctrl_c_a_key`,
    /// Ctrl-C is read as a key (byte 3) instead of a signal that would end the process before
    /// the terminal got its modes back.
    pub fn enter(ctrl_c_a_key: bool) -> io::Result<Option<KeyByKey>> {
        if !io::stdin().is_terminal() {
            return Ok(None);
        }
        // SAFETY: `termios` is plain old data, all zeroes is a valid value, and `tcgetattr`
        // fills it in whole before it is read.
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd 0 is open (it is a terminal, just checked); `saved` is a valid termios.
        if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut saved) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut keys = saved;
        keys.c_lflag &= !(libc::ICANON | libc::ECHO);
        if ctrl_c_a_key {
            keys.c_lflag &= !libc::ISIG;
        }
        keys.c_cc[libc::VMIN] = 1;
        keys.c_cc[libc::VTIME] = 0;
        set(&keys)?;
        Ok(Some(KeyByKey { saved }))
    }
}

impl Drop for KeyByKey {
    fn drop(&mut self) {
        let _ = set(&self.saved);
    }
}

/// Gives standard input's terminal the modes `modes`.
fn set(modes: &libc::termios) -> io::Result<()> {
    // SAFETY: fd 0 is a terminal (checked by `KeyByKey::enter`); `modes` is a valid termios
    // read from it.
    match unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, modes) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

/// Sends `signal` to every process of the group `group`: `kill(-group, signal)`. The one signal
/// std can send another process is SIGKILL, and only to that process, not its group.
pub fn kill_group(group: i32, signal: i32) -> io::Result<()> {
    // `kill(-1)` would signal every process we may signal, `kill(0)` xtask's own group.
    if group <= 1 {
        return Err(io::Error::from(io::ErrorKind::InvalidInput));
    }
    // SAFETY: kill(2) takes two integers and reads or writes no memory of ours; a group that no
    // longer exists is an error code (ESRCH), not undefined behaviour.
    match unsafe { libc::kill(-group, signal) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}
