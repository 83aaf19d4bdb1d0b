//! The reactor: where the loop sleeps, and how a socket's readiness wakes the task waiting for it.
//!
//! Step04 asked every socket "ready?" on every turn. Here sockets register once with a
//! `mio::Poll` (epoll on Linux, kqueue on macOS), and the loop asks the system one question
//! whenever no task is left to poll (and every 61 polls while tasks keep waking each other):
//! "which of them became ready?", blocking until one did, a timer is due, or a wake from another
//! thread rings the alarm. The answer sets, for each socket and direction concerned, the
//! talk's `Future` of §5 — a [`OneShot`] — which wakes every task waiting for that event.

use std::cell::RefCell;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::time::Duration;

use mio::{Events, Interest, Token};

use shared::record::{self, Awaited};

use crate::OneShot;

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
#[derive(Debug)]
pub(crate) struct Reactor {
    /// The poller: epoll, kqueue…
    poll: RefCell<mio::Poll>,
    /// What the last wait brought.
    events: RefCell<Events>,
    /// Per registered socket, by token: whether it may be ready, and its next event.
    sources: RefCell<Vec<Option<[Readiness; 2]>>>,
    /// Tokens free for new sockets.
    free: RefCell<Vec<usize>>,
}

/// One direction of one socket.
#[derive(Debug)]
struct Readiness {
    /// The socket may be ready: no operation has found it not ready since the last event.
    ready: bool,
    /// The peer closed this direction, or the socket failed: every operation answers at once
    /// from now on (end of stream, or the error), and no event will say so again.
    closed: bool,
    /// Set by the next event: every task waiting for it awaits a clone.
    next_event: OneShot<()>,
}

impl Default for Readiness {
    /// A socket just registered may be ready already: try it first.
    fn default() -> Self {
        Readiness {
            ready: true,
            closed: false,
            next_event: OneShot::new(),
        }
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

    /// Forgets `source`: its token goes to the next socket. A task still waiting on it here
    /// (the socket moved to another loop's reactor) is woken, to try again where it is now.
    pub(crate) fn deregister(&self, source: &mut impl mio::event::Source, token: Token) {
        let _ = self.poll.borrow().registry().deregister(source);
        let gone = self.sources.borrow_mut()[token.0].take();
        self.free.borrow_mut().push(token.0);
        for readiness in gone.into_iter().flatten() {
            let _ = readiness.next_event.set(()); // once the borrow is over: it wakes tasks
        }
    }

    /// What to await before trying the socket in direction `dir`: nothing if it may be ready,
    /// or the one-shot that its next event sets, if an operation found it not ready since the
    /// last one. Every task waiting gets a clone: the event wakes them all.
    pub(crate) fn next_event(&self, token: Token, dir: Direction) -> Option<OneShot<()>> {
        let sources = self.sources.borrow();
        let readiness = &sources.get(token.0)?.as_ref()?[dir as usize];
        let (token, write) = (token.0, dir == Direction::Write);
        record::describe(readiness.next_event.id(), Awaited::Event { token, write }); // `--step`
        (!readiness.ready && !readiness.closed).then(|| readiness.next_event.clone())
    }

    /// Notes that an operation found the socket not ready in direction `dir`: whoever tries it
    /// next waits for the next event first.
    pub(crate) fn not_ready(&self, token: Token, dir: Direction) {
        if let Some(Some(source)) = self.sources.borrow_mut().get_mut(token.0) {
            source[dir as usize].ready = false;
        }
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
        let mut events_due = Vec::new();
        {
            let events = self.events.borrow();
            let mut sources = self.sources.borrow_mut();
            for event in events.iter().filter(|event| event.token() != ALARM) {
                let Some(Some(source)) = sources.get_mut(event.token().0) else {
                    continue; // a socket closed since
                };
                // An error or a hang-up is for good: the next calls report it.
                let read_closed = event.is_read_closed() || event.is_error();
                let write_closed = event.is_write_closed() || event.is_error();
                let directions = [
                    (0, event.is_readable(), read_closed),
                    (1, event.is_writable(), write_closed),
                ];
                for (dir, ready, closed) in directions {
                    source[dir].closed |= closed;
                    if ready || closed {
                        source[dir].ready = true;
                        // A fresh one-shot for the event after, if a task awaits this one.
                        if !source[dir].next_event.is_orphan() {
                            let next = std::mem::take(&mut source[dir].next_event);
                            events_due.push((event.token().0, next));
                        }
                    }
                }
            }
        }
        // Set them once the borrows are over: setting one wakes tasks, and a waker may be
        // anything, even code that registers a socket. Or one that panics: the others are set
        // all the same, for a future that outlives the panic may wait for one.
        let mut first_panic = None;
        for (token, event) in events_due {
            record::socket_ready(token);
            let set = catch_unwind(AssertUnwindSafe(|| event.set(()))); // for nobody: fine
            first_panic = first_panic.or(set.err());
        }
        if let Some(panic) = first_panic {
            resume_unwind(panic);
        }
    }
}
