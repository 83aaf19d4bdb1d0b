//! The only `unsafe` of this crate: thin wrappers around the two things std does not offer.
//!
//! std binds, listens, accepts, reads, writes and switches a socket to non-blocking mode. It has
//! no way to ask "is this socket ready?" without waiting, and no `connect` that returns before
//! the connection is made. Those are `poll(2)` and a non-blocking `connect(2)`, reached through
//! `libc`. Each wrapper is a few lines, checks the return value, and turns `-1` into
//! `io::Error::last_os_error()`, so the caller sees `ConnectionRefused`, not a number.
//!
//! Only POSIX calls that macOS has too: no `SOCK_NONBLOCK`, no `accept4`, no epoll.

// Calling C is `unsafe`: the compiler cannot check what the C side expects of our pointers and
// descriptors. The crate denies `unsafe_code`; this module alone allows it, so that every promise
// we make to C sits in one short file, written down in a `// SAFETY:` comment above each call.
#![allow(unsafe_code)]

#[cfg(not(unix))]
compile_error!(
    "step04-sockets uses POSIX sockets (poll, fcntl, connect); on Windows, run the workshop in WSL"
);

use std::io;
use std::mem::size_of_val;
use std::net::{SocketAddr, SocketAddrV4, SocketAddrV6, TcpStream};
use std::os::fd::{FromRawFd, RawFd};

/// True when a read on `fd` would not block: data, end of stream, or an error is waiting.
pub fn is_readable(fd: RawFd) -> io::Result<bool> {
    poll_now(fd, libc::POLLIN)
}

/// True when a write on `fd` would not block, or when a pending `connect` has finished.
pub fn is_writable(fd: RawFd) -> io::Result<bool> {
    poll_now(fd, libc::POLLOUT)
}

/// Asks `poll(2)` about one descriptor with a zero timeout: the talk's
/// `select.select([sock], [], [], 0)`, without `select`'s limit of 1024 descriptors.
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

/// Creates a TCP socket and starts connecting it to `addr` without waiting for the answer.
///
/// The returned stream is non-blocking and close-on-exec, and its connection may still be in
/// progress: wait until it is writable, then read `SO_ERROR` (std's `take_error`) to learn how
/// it ended. That is the talk's `sock.connect(addr)` raising `BlockingIOError`.
pub fn start_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let domain = match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    };
    // SAFETY: `socket` takes three plain integers and returns a new descriptor or -1.
    let fd = check(unsafe { libc::socket(domain, libc::SOCK_STREAM, 0) })?;
    // SAFETY: `fd` was just returned by `socket`, is open, and nobody else owns it. The stream
    // becomes its one owner, so every `?` below closes it when the stream is dropped.
    let stream = unsafe { TcpStream::from_raw_fd(fd) };
    // Not `SOCK_CLOEXEC | SOCK_NONBLOCK` in the `socket` call: macOS has neither. The price is a
    // tiny window in which a `fork` + `exec` on another thread would inherit the descriptor.
    add_flags(fd, libc::F_GETFD, libc::F_SETFD, libc::FD_CLOEXEC)?;
    add_flags(fd, libc::F_GETFL, libc::F_SETFL, libc::O_NONBLOCK)?;
    match connect(fd, addr) {
        Ok(()) => Ok(stream),
        // "In progress" is the expected answer of a non-blocking connect. EINTR means the same
        // thing: POSIX says the connection then goes on in the background.
        Err(err) if matches!(err.raw_os_error(), Some(libc::EINPROGRESS | libc::EINTR)) => {
            Ok(stream)
        }
        Err(err) => Err(err),
    }
}

/// Reads a descriptor's flags with `get`, adds `flags`, and writes them back with `set`.
fn add_flags(fd: RawFd, get: libc::c_int, set: libc::c_int, flags: libc::c_int) -> io::Result<()> {
    // SAFETY: `fd` is open; `F_GETFD` and `F_GETFL` only read its flags and take no argument.
    let old = check(unsafe { libc::fcntl(fd, get) })?;
    // SAFETY: `fd` is open; `F_SETFD` and `F_SETFL` take one `int` argument, which we pass.
    check(unsafe { libc::fcntl(fd, set, old | flags) })?;
    Ok(())
}

/// Calls `connect(2)` with the C address struct that matches `addr`.
fn connect(fd: RawFd, addr: SocketAddr) -> io::Result<()> {
    let result = match addr {
        SocketAddr::V4(addr) => {
            let c_addr = sockaddr_in(addr);
            let len = size_of_val(&c_addr) as libc::socklen_t;
            // SAFETY: `c_addr` is an initialised `sockaddr_in` that outlives the call, `len` is
            // its exact size, and `connect` only reads from it.
            unsafe { libc::connect(fd, (&raw const c_addr).cast(), len) }
        }
        SocketAddr::V6(addr) => {
            let c_addr = sockaddr_in6(addr);
            let len = size_of_val(&c_addr) as libc::socklen_t;
            // SAFETY: as above, with an initialised `sockaddr_in6` and its exact size.
            unsafe { libc::connect(fd, (&raw const c_addr).cast(), len) }
        }
    };
    check(result).map(drop)
}

/// The C form of an IPv4 address: family, port and address, in network byte order.
fn sockaddr_in(addr: SocketAddrV4) -> libc::sockaddr_in {
    // SAFETY: `sockaddr_in` holds only integers and byte arrays, for which all-zero bytes are a
    // valid value; it is what C code gets with `memset(&sin, 0, sizeof sin)`. Zeroing also fills
    // the fields only some systems have (`sin_len` on macOS, which the kernel sets itself).
    let mut c_addr: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    c_addr.sin_family = libc::AF_INET as libc::sa_family_t;
    c_addr.sin_port = addr.port().to_be();
    c_addr.sin_addr = libc::in_addr {
        s_addr: u32::from_ne_bytes(addr.ip().octets()),
    };
    c_addr
}

/// The C form of an IPv6 address.
fn sockaddr_in6(addr: SocketAddrV6) -> libc::sockaddr_in6 {
    // SAFETY: as for `sockaddr_in`: integers and byte arrays only, all zeros is valid.
    let mut c_addr: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
    c_addr.sin6_family = libc::AF_INET6 as libc::sa_family_t;
    c_addr.sin6_port = addr.port().to_be();
    c_addr.sin6_flowinfo = addr.flowinfo();
    c_addr.sin6_addr = libc::in6_addr {
        s6_addr: addr.ip().octets(),
    };
    c_addr.sin6_scope_id = addr.scope_id();
    c_addr
}

/// Turns C's "-1 and errno" convention into an `io::Result`.
fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}
