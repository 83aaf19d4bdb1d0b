//! The talk's `AioSocket`: TCP sockets whose operations yield to the loop instead of blocking.
//!
//! Every operation follows one pattern. Ask the socket whether it is ready, with a zero timeout
//! (`sys::is_readable` / `sys::is_writable`). Not ready? `interrupt().await` lets the other tasks
//! run, and we ask again on our next turn. Ready? Do the ordinary non-blocking std call, which now
//! has something to do.
//!
//! The talk has one `AioSocket` class for both roles; Rust's std has two types, so we do too:
//! [`AioListener`] waits for connections, [`AioStream`] carries bytes.
//!
//! The flaw left for the next step: a task waiting for a quiet socket is polled again and again
//! for nothing. A server with no client burns a whole core asking "ready?" in a loop.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};

use crate::{interrupt, sys};

/// Waits, without blocking the loop, until a read on `fd` would not block.
///
/// This loop is the whole idea of the step. It is tempting to drop the `interrupt().await` and
/// just spin on the question, but then no other task gets a turn while we spin: if the bytes we
/// wait for come from one of them, they never come, and if they come from outside, every other
/// task waits with us.
pub async fn wait_readable(fd: RawFd) -> io::Result<()> {
    while !sys::is_readable(fd)? {
        interrupt().await;
    }
    Ok(())
}

/// Waits, without blocking the loop, until a write on `fd` would not block.
pub async fn wait_writable(fd: RawFd) -> io::Result<()> {
    while !sys::is_writable(fd)? {
        interrupt().await;
    }
    Ok(())
}

/// True for the errors that mean "not now, try again": after a readiness "yes", another reader
/// may have been first, and a signal may interrupt any call.
fn try_again(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

/// A listening TCP socket whose `accept` yields to the loop: the server side of `AioSocket`.
///
/// Dropping it closes the socket, as leaving the talk's `with sock:` block does.
#[derive(Debug)]
pub struct AioListener {
    /// The std listener, in non-blocking mode.
    inner: TcpListener,
}

impl AioListener {
    /// Binds `addr` and listens on it (port 0 picks a free port; see [`AioListener::local_addr`]).
    ///
    /// Not `async`: binding and listening never wait for the network, so there is nothing to
    /// yield for. A port already taken is an error of kind `AddrInUse`.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<AioListener> {
        let inner = TcpListener::bind(addr)?;
        inner.set_nonblocking(true)?;
        Ok(AioListener { inner })
    }

    /// Waits for the next client and returns its connection and address.
    pub async fn accept(&self) -> io::Result<(AioStream, SocketAddr)> {
        loop {
            wait_readable(self.as_raw_fd()).await?;
            match self.inner.accept() {
                Ok((stream, peer)) => return Ok((AioStream::from_std(stream)?, peer)),
                Err(err) if try_again(&err) => continue,
                Err(err) => return Err(err),
            }
        }
    }

    /// The address actually bound: the way to learn which port "port 0" became.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl AsRawFd for AioListener {
    /// The descriptor, the talk's `sock.fileno()`: what readiness is asked about.
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

/// A connected TCP socket whose reads and writes yield to the loop: the client side of
/// `AioSocket`, and what [`AioListener::accept`] hands out.
///
/// Dropping it closes the connection, as leaving the talk's `with sock:` block does.
#[derive(Debug)]
pub struct AioStream {
    /// The std stream, in non-blocking mode.
    inner: TcpStream,
}

impl AioStream {
    /// Connects to `addr` without ever blocking the loop.
    ///
    /// A blocking `connect` would freeze every task until the other side answers. Instead the
    /// socket starts connecting in the background, we wait until it is writable (the answer came),
    /// then read the socket's pending error (`SO_ERROR`) to learn whether it worked: nobody
    /// listening is an error of kind `ConnectionRefused`.
    ///
    /// It takes a `SocketAddr`, not a host name: resolving a name may block on DNS.
    pub async fn connect(addr: SocketAddr) -> io::Result<AioStream> {
        let inner = sys::start_connect(addr)?;
        wait_writable(inner.as_raw_fd()).await?;
        // `take_error` is std's `getsockopt(SOL_SOCKET, SO_ERROR)`: how the connect ended.
        if let Some(err) = inner.take_error()? {
            return Err(err);
        }
        AioStream::from_std(inner)
    }

    /// Wraps a connected std stream: non-blocking, and sending small writes at once.
    ///
    /// Linux does not pass the listener's non-blocking mode on to accepted sockets, so we set
    /// it on every stream (a no-op for those from `connect`, non-blocking from the start).
    /// Without `nodelay`, Nagle's algorithm holds a small write back until the previous one is
    /// acknowledged, which the peer may delay by 40 ms: a line sent in two pieces, or two
    /// replies in a row, would each cost that much.
    fn from_std(inner: TcpStream) -> io::Result<AioStream> {
        inner.set_nonblocking(true)?;
        inner.set_nodelay(true)?;
        Ok(AioStream { inner })
    }

    /// Waits for data and reads some into `buf`; `Ok(0)` means the peer closed its side.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            wait_readable(self.as_raw_fd()).await?;
            match (&self.inner).read(buf) {
                Err(err) if try_again(&err) => continue,
                result => return result,
            }
        }
    }

    /// Waits for room and writes some of `data`; returns how much was written.
    ///
    /// It may write less than all of it, as Python's `sock.send` may: see [`AioStream::send_all`].
    pub async fn send(&self, data: &[u8]) -> io::Result<usize> {
        loop {
            wait_writable(self.as_raw_fd()).await?;
            match (&self.inner).write(data) {
                Err(err) if try_again(&err) => continue,
                result => return result,
            }
        }
    }

    /// Writes all of `data`, yielding whenever the socket's buffer is full: the talk's
    /// `sock.sendall`.
    pub async fn send_all(&self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let written = self.send(data).await?;
            if written == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            data = &data[written..];
        }
        Ok(())
    }

    /// Closes one direction of the connection: Python's `sock.shutdown(how)`.
    ///
    /// `Shutdown::Write` tells the peer "nothing more is coming" (it reads end of stream) while
    /// we can still read its replies. Never blocks: the system sends the end of stream later.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.shutdown(how)
    }

    /// The address of the other end.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The address of this end.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl AsRawFd for AioStream {
    /// The descriptor, the talk's `sock.fileno()`: what readiness is asked about.
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}
