//! The reactor: where the loop sleeps, and how a socket's readiness wakes the task waiting for it.
//!
//! Step04 asked every socket "ready?" on every turn. Here sockets register once with a
//! `mio::Poll` (epoll on Linux, kqueue on macOS), and the loop asks the system one question per
//! turn: "which of them became ready?", blocking until one did, a timer is due, or a wake from
//! another thread rings the alarm. The answer wakes exactly the tasks concerned.

use std::cell::RefCell;
use std::io;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use mio::{Events, Interest, Token};

/// The token of the alarm that cuts a sleep short; sockets get the others.
const ALARM: Token = Token(usize::MAX);

/// The two things a task can wait for on a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Something to read (or a connection to accept, or the end of the stream).
    Read,
    /// Room to write (or a connection that finished connecting).
    Write,
}

/// The system's poller, and what waits on each registered socket.
pub(crate) struct Reactor {
    /// The poller: epoll, kqueue…
    poll: RefCell<mio::Poll>,
    /// What the last wait brought.
    events: RefCell<Events>,
    /// Per registered socket, by token: its readiness not yet consumed, its waiting tasks.
    sources: RefCell<Vec<Option<[Readiness; 2]>>>,
    /// Tokens free for new sockets.
    free: RefCell<Vec<usize>>,
}

/// One direction of one socket.
#[derive(Default)]
struct Readiness {
    /// An event came that no task has consumed yet.
    ready: bool,
    /// The task waiting for the next event.
    waker: Option<Waker>,
}

impl std::fmt::Debug for Reactor {
    /// The poller and the wakers have no `Debug`; the number of sockets is what matters.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sockets = self.sources.borrow().iter().flatten().count();
        f.debug_struct("Reactor")
            .field("sockets", &sockets)
            .finish()
    }
}

impl Reactor {
    /// A reactor, and the alarm that wakes it from any thread.
    pub(crate) fn new() -> io::Result<(Reactor, mio::Waker)> {
        let poll = mio::Poll::new()?;
        let alarm = mio::Waker::new(poll.registry(), ALARM)?;
        let reactor = Reactor {
            poll: RefCell::new(poll),
            events: RefCell::new(Events::with_capacity(1024)),
            sources: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
        };
        Ok((reactor, alarm))
    }

    /// Registers `source` for both directions, edge-triggered: an event says "it changed", once.
    pub(crate) fn register(&self, source: &mut impl mio::event::Source) -> io::Result<Token> {
        let mut sources = self.sources.borrow_mut();
        let token = Token(self.free.borrow().last().copied().unwrap_or(sources.len()));
        let interest = Interest::READABLE | Interest::WRITABLE;
        self.poll
            .borrow()
            .registry()
            .register(source, token, interest)?;
        if token.0 == sources.len() {
            sources.push(None);
        } else {
            self.free.borrow_mut().pop();
        }
        sources[token.0] = Some(Default::default());
        Ok(token)
    }

    /// Forgets `source`: its token goes to the next socket.
    pub(crate) fn deregister(&self, source: &mut impl mio::event::Source, token: Token) {
        let _ = self.poll.borrow().registry().deregister(source);
        self.sources.borrow_mut()[token.0] = None;
        self.free.borrow_mut().push(token.0);
    }

    /// Ready if an event came for this direction since the last call (and consumes it);
    /// otherwise keeps the task's waker for the next event, and `Pending`.
    pub(crate) fn poll_ready(&self, token: Token, dir: Direction, cx: &Context<'_>) -> Poll<()> {
        let mut sources = self.sources.borrow_mut();
        let Some(Some(source)) = sources.get_mut(token.0) else {
            return Poll::Ready(()); // not registered: let the caller try, and see
        };
        let readiness = &mut source[dir as usize];
        if std::mem::take(&mut readiness.ready) {
            return Poll::Ready(());
        }
        readiness.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Blocks until a registered socket is ready, the alarm rings, or `timeout` passes (`None`:
    /// no limit). A signal interrupting the wait is not an error: the loop simply turns again.
    pub(crate) fn wait(&self, timeout: Option<Duration>) -> io::Result<()> {
        let mut events = self.events.borrow_mut();
        match self.poll.borrow_mut().poll(&mut events, timeout) {
            Err(err) if err.kind() != io::ErrorKind::Interrupted => Err(err),
            _ => Ok(()),
        }
    }

    /// Wakes the tasks waiting for what the last wait brought.
    pub(crate) fn dispatch(&self) {
        let mut woken = Vec::new();
        {
            let events = self.events.borrow();
            let mut sources = self.sources.borrow_mut();
            for event in events.iter().filter(|event| event.token() != ALARM) {
                let Some(Some(source)) = sources.get_mut(event.token().0) else {
                    continue; // a socket closed since
                };
                // An error or a hang-up wakes both directions: the next call reports it.
                let broken = event.is_error() || event.is_read_closed() || event.is_write_closed();
                for (dir, ready) in [(0, event.is_readable()), (1, event.is_writable())] {
                    if ready || broken {
                        source[dir].ready = true;
                        woken.extend(source[dir].waker.take());
                    }
                }
            }
        }
        // Wake once the borrows are over: a waker is only a push onto the ready queue, but
        // nothing here should assume so.
        woken.into_iter().for_each(Waker::wake);
    }
}
