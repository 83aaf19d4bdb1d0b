//! The only `unsafe` of this crate: asking the system whether a socket is ready. std does all
//! the rest, but cannot ask "would this read block?" without doing it: that is `poll(2)`.

// Calling C is `unsafe`: the compiler cannot check what C expects of our pointers. This module
// alone allows it, so every promise we make to C sits in one place, in a `// SAFETY:` comment.
#![allow(unsafe_code)]

#[cfg(not(unix))]
compile_error!("step04-sockets asks readiness with poll(2); on Windows, run the workshop in WSL");

use std::io;
use std::os::fd::RawFd;

/// True when a read on `fd` would not block: data, end of stream, or an error is waiting.
pub fn is_readable(fd: RawFd) -> io::Result<bool> {
    poll_now(fd, libc::POLLIN)
}

/// True when a write on `fd` would not block.
pub fn is_writable(fd: RawFd) -> io::Result<bool> {
    poll_now(fd, libc::POLLOUT)
}

/// Asks `poll(2)` about one descriptor with a zero timeout: the talk's `self.pollin.poll(0)`.
///
/// An error or a hang-up counts as ready: it is the next `read`/`write` that reports it, with
/// its real kind (`ConnectionReset`, end of stream...). Reporting "not ready" instead would leave
/// the caller waiting forever for a socket that is already dead.
fn poll_now(fd: RawFd, events: libc::c_short) -> io::Result<bool> {
    let mut entry = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: `entry` is one valid, writable `pollfd` for the whole call and we pass a count of
    // 1; a timeout of 0 makes `poll` return at once.
    let ready = unsafe { libc::poll(&mut entry, 1, 0) };
    if ready < 0 {
        let err = io::Error::last_os_error();
        // A signal arrived during the call: nothing is known, so "not ready, ask again later".
        return match err.kind() {
            io::ErrorKind::Interrupted => Ok(false),
            _ => Err(err),
        };
    }
    if entry.revents & libc::POLLNVAL != 0 {
        return Err(io::Error::from_raw_os_error(libc::EBADF));
    }
    Ok(entry.revents & (events | libc::POLLERR | libc::POLLHUP) != 0)
}
