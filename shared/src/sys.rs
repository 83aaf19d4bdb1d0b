//! The system calls the workshop's plumbing needs: how much CPU this process has used, a
//! function to run at exit, forgetting what was typed ahead on a terminal, and a terminal for
//! tests to type into.
//!
//! std measures wall time (`Instant`) but not CPU time. Comparing the two is how the demos and
//! tests of step05 show that a sleeping loop no longer spins: `getrusage(2)`, through `libc`.

// Calling C is `unsafe`: the compiler cannot check what C expects of our pointer. This module
// alone allows it, with a `// SAFETY:` comment on the call.
#![allow(unsafe_code)]

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::time::Duration;

/// The CPU time this process has used so far, in user and kernel mode together.
pub fn cpu_time() -> io::Result<Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: `usage` points to writable memory the size of a `rusage`, which `getrusage` fills
    // entirely when it returns 0; we read it only then.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
            return Err(io::Error::last_os_error());
        }
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        let micros = u64::try_from(t.tv_usec).unwrap_or(0);
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0)) + Duration::from_micros(micros)
    };
    Ok(time(usage.ru_utime) + time(usage.ru_stime))
}

/// Runs `f` when the process exits, by `main` returning or by `std::process::exit`: a trace
/// file is flushed then, whichever way a demo ends. At most a few such calls per process.
pub fn at_exit(f: fn()) {
    static AT_EXIT: std::sync::Mutex<Vec<fn()>> = std::sync::Mutex::new(Vec::new());
    /// What the C library calls at exit: every function registered, none of them allowed to
    /// unwind into C.
    extern "C" fn run_all() {
        let functions = AT_EXIT.lock().map(|f| f.clone()).unwrap_or_default();
        for f in functions {
            let _ = std::panic::catch_unwind(f);
        }
    }
    let mut functions = AT_EXIT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if functions.is_empty() {
        // SAFETY: `run_all` is a plain `extern "C" fn()` with no arguments, as `atexit` expects;
        // it lives as long as the program, and it never unwinds (each call is caught).
        let _ = unsafe { libc::atexit(run_all) };
    }
    functions.push(f);
}

/// Drops what was typed on the terminal and not read yet. `--step` waits for an Enter typed
/// after its prompt: four presses while the loop slept in the kernel are not four turns.
pub fn drop_typed_ahead() {
    // SAFETY: `tcflush` takes a descriptor and a constant, and touches no memory of ours. On a
    // descriptor that is not a terminal it fails (ENOTTY), and there is nothing to drop then.
    let _ = unsafe { libc::tcflush(libc::STDIN_FILENO, libc::TCIFLUSH) };
}

/// A new pseudo-terminal: its controller side (what a terminal emulator holds: keys typed are
/// written to it) and its terminal side (what a program gets as its stdin). Tests drive
/// `--step` through it as an instructor would, Ctrl-D included.
pub fn open_pty() -> io::Result<(OwnedFd, OwnedFd)> {
    let (mut controller, mut terminal) = (-1, -1);
    // SAFETY: `openpty` writes a descriptor into each of the two ints it is given; the name,
    // settings and size may be null (no name wanted, default settings and size).
    let opened = unsafe {
        libc::openpty(
            &mut controller,
            &mut terminal,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    if opened != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just opened for us, and nothing else owns them.
    Ok(unsafe {
        (
            OwnedFd::from_raw_fd(controller),
            OwnedFd::from_raw_fd(terminal),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spinning_shows_in_cpu_time() {
        // Spin until the process has used 30 ms of CPU: on a busy machine that takes longer than
        // 30 ms of wall time, but it comes, unless the clock does not count this thread at all.
        let (start, started) = (cpu_time().unwrap(), std::time::Instant::now());
        while cpu_time().unwrap() - start < Duration::from_millis(30) {
            let waited = started.elapsed();
            assert!(
                waited < Duration::from_secs(10),
                "no CPU counted in {waited:?}"
            );
        }
    }
}
