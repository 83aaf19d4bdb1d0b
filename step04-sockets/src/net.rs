//! The talk's `AIOSocket`: TCP sockets whose operations yield to the loop instead of blocking.
//! Each one asks "ready?" first; not ready, it lets the other tasks run and asks again later.
//!
//! The talk has one `AIOSocket` class for both roles; Rust's std has two types, so we do too:
//! [`AioListener`] waits for connections, [`AioStream`] carries bytes.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};

use shared::record::{self, Awaited};

use crate::{interrupt, sys};

/// Waits, without blocking the loop, until a read on `fd` would not block.
///
/// This loop is the whole idea of the step. It is tempting to drop the `interrupt().await` and
/// just spin on the question, but then no other task gets a turn while we spin: if the bytes we
/// wait for come from one of them, they never come, and if they come from outside, every other
/// task waits with us.
pub async fn wait_readable(fd: RawFd) -> io::Result<()> {
    while !sys::is_readable(fd)? {
        record::awaits(Awaited::Socket { fd, write: false }); // for `--step`
        interrupt().await;
    }
    Ok(())
}

/// Waits, without blocking the loop, until a write on `fd` would not block.
pub async fn wait_writable(fd: RawFd) -> io::Result<()> {
    while !sys::is_writable(fd)? {
        record::awaits(Awaited::Socket { fd, write: true });
        interrupt().await;
    }
    Ok(())
}

/// True for "not now, try again": after a "ready", another reader may have been first
/// (`WouldBlock`), and a signal may interrupt any call (`Interrupted`).
fn try_again(err: &io::Error) -> bool {
    use io::ErrorKind::{Interrupted, WouldBlock};
    matches!(err.kind(), WouldBlock | Interrupted)
}

/// A listening TCP socket whose `accept` yields to the loop: the server side of `AIOSocket`.
/// Dropping it closes the socket, as leaving the talk's `with sock:` block does.
#[derive(Debug)]
pub struct AioListener {
    /// The std listener, in non-blocking mode.
    inner: TcpListener,
}

impl AioListener {
    /// Binds `addr` and listens on it (port 0: any free port). Not `async`: binding and listening
    /// never wait for the network (the talk's are `async`, but never yield).
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
/// `AIOSocket`, and what `accept` hands out. Dropping it closes the connection.
#[derive(Debug)]
pub struct AioStream {
    /// The std stream, in non-blocking mode.
    inner: TcpStream,
}

impl AioStream {
    /// Connects to `addr`, blocking the whole loop until the other side answers: the talk's
    /// flaw, kept on purpose. Instant on loopback; across a slow network, every task would freeze.
    /// Step05's reactor tells us when the answer came, so its connect never blocks.
    pub async fn connect(addr: SocketAddr) -> io::Result<AioStream> {
        AioStream::from_std(TcpStream::connect(addr)?)
    }

    /// Wraps a connected std stream: non-blocking (accepted sockets do not inherit it), and
    /// `nodelay`, or Nagle's algorithm holds a small write back for up to 40 ms.
    fn from_std(inner: TcpStream) -> io::Result<AioStream> {
        inner.set_nonblocking(true)?;
        // A hint, not a must: macOS refuses it (EINVAL) for a client that reset before it was
        // accepted, and one such client must not end the server's accept loop.
        let _ = inner.set_nodelay(true);
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

    /// Waits for room and writes some of `data`; returns how much was written, which may be less
    /// than all of it, as with Python's `sock.send`: see [`AioStream::send_all`].
    pub async fn send(&self, data: &[u8]) -> io::Result<usize> {
        loop {
            wait_writable(self.as_raw_fd()).await?;
            match (&self.inner).write(data) {
                Err(err) if try_again(&err) => continue,
                result => return result,
            }
        }
    }

    /// Writes all of `data`, yielding whenever the socket's buffer is full: Python's
    /// `sock.sendall` (the talk sends once and hopes).
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
}

impl AsRawFd for AioStream {
    /// The descriptor, the talk's `sock.fileno()`: what readiness is asked about.
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}
