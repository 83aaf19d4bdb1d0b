//! The talk's `AIOSocket`: TCP sockets whose operations yield to the loop instead of blocking.
//! Each one waits for the reactor's word first; not ready, it is not polled until an event comes.
//!
//! The talk has one `AIOSocket` class for both roles; Rust's std has two types, so we do too:
//! [`AioListener`] waits for connections, [`AioStream`] carries bytes.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::ops::Deref;
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

    /// Waits, without being polled, until the socket may be ready in direction `dir`: at once,
    /// unless an operation found it not ready since the reactor's last event for it; then until
    /// the next one. This is the idea of the step: instead of asking "ready?" on every turn,
    /// the task awaits the event, a one-shot that the reactor sets when the system says so.
    async fn ready(&self, dir: Direction) -> io::Result<()> {
        if self.registration.borrow().is_none() {
            return Ok(()); // it never had to wait: try it first
        }
        let (reactor, token) = self.registration()?;
        if let Some(event) = reactor.next_event(token, dir) {
            event.await;
        }
        Ok(())
    }

    /// Tells the reactor that an operation found the socket not ready in direction `dir`
    /// (registering it first if needed): the next [`Registered::ready`] waits for an event.
    fn not_ready(&self, dir: Direction) -> io::Result<()> {
        let (reactor, token) = self.registration()?;
        reactor.not_ready(token, dir);
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

impl<S: AsRawFd> Deref for Registered<S> {
    type Target = S;

    /// The socket itself, for everything that does not wait.
    fn deref(&self) -> &S {
        &self.socket
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

/// True for "not now": the operation would have to wait. Time to tell the reactor.
fn would_block(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::WouldBlock
}

/// True when a signal interrupted the call: nothing happened, try again at once.
fn interrupted(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::Interrupted
}

/// A listening TCP socket whose `accept` yields to the loop: the server side of `AIOSocket`.
/// Dropping it closes the socket, as leaving the talk's `with sock:` block does.
#[derive(Debug)]
pub struct AioListener {
    /// The mio listener, registered with the reactor the first time it has to wait.
    inner: Registered<TcpListener>,
}

impl AioListener {
    /// Binds `addr` and listens on it (port 0: any free port). Not `async`: binding and listening
    /// never wait for the network (the talk's are `async`, but never yield).
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<AioListener> {
        let inner = std::net::TcpListener::bind(addr)?;
        inner.set_nonblocking(true)?;
        let inner = Registered::new(TcpListener::from_std(inner));
        Ok(AioListener { inner })
    }

    /// Waits for the next client and returns its connection and address. Several tasks may
    /// wait on one listener: each connection wakes them all, and one of them gets it.
    pub async fn accept(&self) -> io::Result<(AioStream, SocketAddr)> {
        loop {
            self.inner.ready(Direction::Read).await?;
            match self.inner.accept() {
                Ok((stream, peer)) => return Ok((AioStream::from_mio(stream)?, peer)),
                Err(err) if would_block(&err) => self.inner.not_ready(Direction::Read)?,
                Err(err) if interrupted(&err) => continue,
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
    /// The descriptor, the talk's `sock.fileno()`: what the reactor watches.
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

/// A connected TCP socket whose reads and writes yield to the loop: the client side of
/// `AIOSocket`, and what `accept` hands out. Dropping it closes the connection.
#[derive(Debug)]
pub struct AioStream {
    /// The mio stream, registered with the reactor the first time it has to wait.
    inner: Registered<TcpStream>,
}

impl AioStream {
    /// Connects to `addr` without blocking the loop: the system starts connecting, the task
    /// waits until the socket is writable (the answer came), then reads how it went. Step04's
    /// connect froze every task for a round trip; this one freezes none.
    pub async fn connect(addr: SocketAddr) -> io::Result<AioStream> {
        let stream = AioStream::from_mio(TcpStream::connect(addr)?)?;
        stream.inner.not_ready(Direction::Write)?; // it is connecting: wait for the answer
        loop {
            stream.inner.ready(Direction::Write).await?;
            if let Some(err) = stream.inner.take_error()? {
                return Err(err); // nobody listening: `ConnectionRefused`
            }
            match stream.inner.peer_addr() {
                Ok(_) => return Ok(stream),
                // Writable but not connected yet: an early wake-up; wait for the next event.
                Err(err) if err.kind() == io::ErrorKind::NotConnected => {
                    stream.inner.not_ready(Direction::Write)?;
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// Wraps a mio stream (non-blocking already) with `nodelay`, or Nagle's algorithm holds a
    /// small write back for up to 40 ms.
    fn from_mio(inner: TcpStream) -> io::Result<AioStream> {
        inner.set_nodelay(true)?;
        Ok(AioStream {
            inner: Registered::new(inner),
        })
    }

    /// Waits for data and reads some into `buf`; `Ok(0)` means the peer closed its side.
    ///
    /// A read that filled less than `buf` emptied the socket: the next `recv` waits for an
    /// event before it tries, and saves a read that would fail (tokio does the same).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            self.inner.ready(Direction::Read).await?;
            match (&*self.inner).read(buf) {
                Ok(read) if 0 < read && read < buf.len() => {
                    self.inner.not_ready(Direction::Read)?;
                    return Ok(read);
                }
                Err(err) if would_block(&err) => self.inner.not_ready(Direction::Read)?,
                Err(err) if interrupted(&err) => continue,
                result => return result,
            }
        }
    }

    /// Waits for room and writes some of `data`; returns how much was written, which may be less
    /// than all of it, as with Python's `sock.send`: see [`AioStream::send_all`].
    pub async fn send(&self, data: &[u8]) -> io::Result<usize> {
        loop {
            self.inner.ready(Direction::Write).await?;
            match (&*self.inner).write(data) {
                Err(err) if would_block(&err) => self.inner.not_ready(Direction::Write)?,
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
        self.inner.as_raw_fd()
    }
}
