//! The talk's `AIOSocket`: TCP sockets whose operations yield to the loop instead of blocking.
//! Each one waits for the reactor's word first; not ready, it is not polled until an event comes.
//!
//! The talk has one `AIOSocket` class for both roles; Rust's std has two types, so we do too:
//! [`AioListener`] waits for connections, [`AioStream`] carries bytes.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::ops::Deref;
use std::os::fd::{AsRawFd, RawFd};
use std::rc::Rc;

use mio::Token;
use mio::unix::SourceFd;

use crate::reactor::{Direction, Reactor};
use crate::{AsyncContextManager, Loop, Outcome};

/// A socket, registered with the reactor of the loop it waits in.
///
/// Registering lazily lets a socket be made before its loop runs (bound, then handed to a task),
/// costs nothing to a socket that never has to wait, and follows a socket that waits in another
/// loop later on: it leaves the old reactor and joins the new one.
#[derive(Debug)]
struct Registered<S: AsRawFd> {
    /// The socket, in non-blocking mode.
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

    /// Runs `operation` on the socket until it does not have to wait: the reactor's word
    /// first, then the operation; `WouldBlock` goes back to the reactor, and the task waits for
    /// its next event. (A signal interrupting the call: try again at once.)
    async fn io<T>(
        &self,
        dir: Direction,
        mut operation: impl FnMut(&S) -> io::Result<T>,
    ) -> io::Result<T> {
        loop {
            self.ready(dir).await?;
            match operation(&self.socket) {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => self.not_ready(dir)?,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                result => return result,
            }
        }
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

/// A listening TCP socket whose `accept` yields to the loop: the server side of `AIOSocket`.
/// Dropping it closes the socket, as leaving the talk's `with sock:` block does.
#[derive(Debug)]
pub struct AioListener {
    /// The std listener, in non-blocking mode, registered the first time it has to wait.
    inner: Registered<TcpListener>,
}

impl AioListener {
    /// Binds `addr` and listens on it (port 0: any free port). Not `async`: binding and listening
    /// never wait for the network (the talk's are `async`, but never yield).
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<AioListener> {
        let inner = TcpListener::bind(addr)?;
        inner.set_nonblocking(true)?;
        let inner = Registered::new(inner);
        Ok(AioListener { inner })
    }

    /// Waits for the next client and returns its connection and address. Several tasks may
    /// wait on one listener: each connection wakes them all, and one of them gets it.
    pub async fn accept(&self) -> io::Result<(AioStream, SocketAddr)> {
        let (stream, peer) = self.inner.io(Direction::Read, TcpListener::accept).await?;
        Ok((AioStream::from_std(stream)?, peer))
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
    /// The std stream, in non-blocking mode, registered the first time it has to wait.
    inner: Registered<TcpStream>,
}

impl AioStream {
    /// Connects to `addr` without blocking the loop: mio starts connecting, the task waits
    /// until the socket is writable (the answer came), then reads how it went. Step04's connect
    /// froze every task for a round trip; this one freezes none.
    pub async fn connect(addr: SocketAddr) -> io::Result<AioStream> {
        let stream = AioStream::from_std(mio::net::TcpStream::connect(addr)?.into())?;
        stream.inner.not_ready(Direction::Write)?; // connecting: wait for the answer
        let answer = |socket: &TcpStream| match socket.take_error()? {
            Some(err) => Err(err), // nobody listening: `ConnectionRefused`
            // Writable but not connected yet: an early wake-up; wait for the next event.
            None if socket.peer_addr().is_err() => Err(io::ErrorKind::WouldBlock.into()),
            None => Ok(()),
        };
        stream.inner.io(Direction::Write, answer).await?;
        Ok(stream)
    }

    /// Wraps a connected std stream: non-blocking (accepted sockets do not inherit it), and
    /// `nodelay`, or Nagle's algorithm holds a small write back for up to 40 ms.
    fn from_std(inner: TcpStream) -> io::Result<AioStream> {
        inner.set_nonblocking(true)?;
        // A hint, not a must: macOS refuses it (EINVAL) for a client that reset before it was
        // accepted, and one such client must not end the server's accept loop.
        let _ = inner.set_nodelay(true);
        let inner = Registered::new(inner);
        Ok(AioStream { inner })
    }

    /// Waits for data and reads some into `buf`; `Ok(0)` means the peer closed its side.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.io(Direction::Read, |mut s| s.read(buf)).await?;
        if 0 < read && read < buf.len() {
            // Less than asked for: the socket is empty. The next `recv` waits for an event
            // before it tries, and saves a read that would fail (tokio does the same).
            self.inner.not_ready(Direction::Read)?;
        }
        Ok(read)
    }

    /// Waits for room and writes some of `data`; returns how much was written, which may be less
    /// than all of it, as with Python's `sock.send`: see [`AioStream::send_all`].
    pub async fn send(&self, data: &[u8]) -> io::Result<usize> {
        self.inner.io(Direction::Write, |mut s| s.write(data)).await
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

/// The talk's `Server` (slide 6.7), an async context manager: `enter` binds and listens, the
/// body borrows the listener, `exit` closes it, however the body ended. The talk's creates its
/// socket in `__init__`, and when `bind` fails its `__aexit__` never runs: reference counting
/// closes the socket at the end of the `except` block that handles the error, with a
/// `ResourceWarning`. Here `enter` does it all, and a failed bind leaves nothing open.
#[derive(Debug)]
pub struct Server {
    /// Where to listen.
    addr: SocketAddr,
}

impl Server {
    /// A server for `addr`; nothing happens until `enter` (port 0: any free port).
    pub fn new(addr: SocketAddr) -> Server {
        Server { addr }
    }
}

impl AsyncContextManager for Server {
    type Resource = AioListener;
    type Error = io::Error;

    fn enter(&mut self) -> impl Future<Output = io::Result<AioListener>> {
        std::future::ready(AioListener::bind(self.addr))
    }

    fn exit(
        self,
        listener: AioListener,
        outcome: Outcome<io::Error>,
    ) -> impl Future<Output = io::Result<()>> {
        drop(listener); // the talk's `self.socket.close()`
        std::future::ready(outcome.into_result()) // it returns `None`: nothing suppressed
    }
}
