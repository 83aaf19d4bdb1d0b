//! The talk's `AIOSocket`: TCP sockets whose operations yield to the loop instead of blocking.
//! Each one tries first; not ready, it waits for the reactor's word, and is not polled meanwhile.
//!
//! The talk has one `AIOSocket` class for both roles; Rust's std has two types, so we do too:
//! [`AioListener`] waits for connections, [`AioStream`] carries bytes.

use std::cell::RefCell;
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::rc::Rc;

use mio::Token;
use mio::net::{TcpListener, TcpStream};
use mio::unix::SourceFd;

use crate::Loop;
use crate::reactor::{Direction, Reactor};

/// A socket, registered with the reactor of the loop it waits in.
///
/// Registering lazily lets a socket be made before its loop runs (bound, then handed to a task),
/// costs nothing to a socket that never has to wait, and follows a socket that waits in another
/// loop later on: it leaves the old reactor and joins the new one.
#[derive(Debug)]
struct Registered<S: AsRawFd> {
    /// The mio socket, in non-blocking mode.
    socket: S,
    /// The reactor and the token it knows the socket by, once registered.
    registration: RefCell<Option<(Rc<Reactor>, Token)>>,
}

impl<S: AsRawFd> Registered<S> {
    /// Wraps a socket not registered yet.
    fn new(socket: S) -> Self {
        Registered {
            socket,
            registration: RefCell::new(None),
        }
    }

    /// Waits until the reactor says the socket became ready in direction `dir`. This is the idea
    /// of the step: instead of asking "ready?" on every turn, the task leaves its waker with the
    /// reactor and is not polled again until the system says something changed.
    async fn wait(&self, dir: Direction) -> io::Result<()> {
        let (reactor, token) = self.registration()?;
        poll_fn(|cx| reactor.poll_ready(token, dir, cx)).await;
        Ok(())
    }

    /// The current loop's reactor and this socket's token there, registering if needed.
    fn registration(&self) -> io::Result<(Rc<Reactor>, Token)> {
        let reactor = Loop::current().map_err(io::Error::other)?.reactor();
        let fd = self.socket.as_raw_fd();
        let mut registration = self.registration.borrow_mut();
        if let Some((old, token)) = registration.take() {
            if Rc::ptr_eq(&old, &reactor) {
                *registration = Some((old, token));
                return Ok((reactor, token));
            }
            old.deregister(&mut SourceFd(&fd), token); // it waited in another loop before
        }
        let token = reactor.register(&mut SourceFd(&fd))?;
        *registration = Some((Rc::clone(&reactor), token));
        Ok((reactor, token))
    }
}

impl<S: AsRawFd> Drop for Registered<S> {
    /// Leaves the reactor before the socket closes.
    fn drop(&mut self) {
        if let Some((reactor, token)) = self.registration.take() {
            reactor.deregister(&mut SourceFd(&self.socket.as_raw_fd()), token);
        }
    }
}

/// A listening TCP socket whose `accept` yields to the loop: the server side of `AIOSocket`.
/// Dropping it closes the socket, as leaving the talk's `with sock:` block does.
#[derive(Debug)]
pub struct AioListener {
    /// The mio listener, registered on first wait.
    io: Registered<TcpListener>,
}

impl AioListener {
    /// Binds `addr` and listens on it (port 0: any free port). Not `async`: binding and listening
    /// never wait for the network (the talk's are `async`, but never yield).
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<AioListener> {
        let inner = std::net::TcpListener::bind(addr)?;
        inner.set_nonblocking(true)?;
        let io = Registered::new(TcpListener::from_std(inner));
        Ok(AioListener { io })
    }

    /// Waits for the next client and returns its connection and address.
    pub async fn accept(&self) -> io::Result<(AioStream, SocketAddr)> {
        loop {
            match self.io.socket.accept() {
                Ok((stream, peer)) => return Ok((AioStream::from_mio(stream)?, peer)),
                Err(err) if would_block(&err) => self.io.wait(Direction::Read).await?,
                Err(err) if interrupted(&err) => continue,
                Err(err) => return Err(err),
            }
        }
    }

    /// The address actually bound: the way to learn which port "port 0" became.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.socket.local_addr()
    }
}

impl AsRawFd for AioListener {
    /// The descriptor, the talk's `sock.fileno()`: what the reactor watches.
    fn as_raw_fd(&self) -> RawFd {
        self.io.socket.as_raw_fd()
    }
}

/// A connected TCP socket whose reads and writes yield to the loop: the client side of
/// `AIOSocket`, and what `accept` hands out. Dropping it closes the connection.
#[derive(Debug)]
pub struct AioStream {
    /// The mio stream, registered on first wait.
    io: Registered<TcpStream>,
}

impl AioStream {
    /// Connects to `addr` without blocking the loop: the system starts connecting, the task
    /// waits until the socket is writable (the answer came), then reads how it went. Step04's
    /// connect froze every task for a round trip; this one freezes none.
    pub async fn connect(addr: SocketAddr) -> io::Result<AioStream> {
        let stream = AioStream::from_mio(TcpStream::connect(addr)?)?;
        loop {
            stream.io.wait(Direction::Write).await?;
            if let Some(err) = stream.io.socket.take_error()? {
                return Err(err); // nobody listening: `ConnectionRefused`
            }
            match stream.io.socket.peer_addr() {
                Ok(_) => return Ok(stream),
                // Writable but not connected yet: an early wake-up; wait for the next one.
                Err(err) if err.kind() == io::ErrorKind::NotConnected => continue,
                Err(err) => return Err(err),
            }
        }
    }

    /// Wraps a mio stream (non-blocking already) with `nodelay`, or Nagle's algorithm holds a
    /// small write back for up to 40 ms.
    fn from_mio(inner: TcpStream) -> io::Result<AioStream> {
        inner.set_nodelay(true)?;
        Ok(AioStream {
            io: Registered::new(inner),
        })
    }

    /// Waits for data and reads some into `buf`; `Ok(0)` means the peer closed its side.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match (&self.io.socket).read(buf) {
                Err(err) if would_block(&err) => self.io.wait(Direction::Read).await?,
                Err(err) if interrupted(&err) => continue,
                result => return result,
            }
        }
    }

    /// Waits for room and writes some of `data`; returns how much was written, which may be less
    /// than all of it, as with Python's `sock.send`: see [`AioStream::send_all`].
    pub async fn send(&self, data: &[u8]) -> io::Result<usize> {
        loop {
            match (&self.io.socket).write(data) {
                Err(err) if would_block(&err) => self.io.wait(Direction::Write).await?,
                Err(err) if interrupted(&err) => continue,
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
    /// The descriptor, the talk's `sock.fileno()`: what the reactor watches.
    fn as_raw_fd(&self) -> RawFd {
        self.io.socket.as_raw_fd()
    }
}

/// True for "not now": the operation would have to wait. Time to ask the reactor.
fn would_block(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::WouldBlock
}

/// True when a signal interrupted the call: nothing happened, try again at once.
fn interrupted(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::Interrupted
}
