//! The reverse-echo line protocol of steps 04 to 06: each line a client sends comes back
//! reversed.
//!
//! It is the same in every step and is not what any step teaches, so it lives here; a step's
//! `echo.rs` only moves bytes between its own sockets and a [`Session`]. Lines end with `\n`.
//! TCP carries bytes, not messages: one `recv` may hold half a line, or three lines and a half,
//! so bytes go through a [`LineSplitter`]. A line longer than the limit ends its connection, so
//! one client cannot make the server's memory grow without bound.

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::rc::Rc;
use std::time::Duration;

use crate::say;

/// The longest line accepted when nothing else is said: 64 KiB, without its newline.
pub const DEFAULT_MAX_LINE: usize = 64 * 1024;

/// How many bytes one `recv` asks for. Longer lines arrive in several pieces.
pub const RECV_SIZE: usize = 16 * 1024;

/// The most a server reads, and drops, of what a refused client had already sent, before it
/// closes the connection (see [`Refused`]): enough for the rest of a pasted file, not a flood.
pub const DRAIN_LIMIT: usize = 1024 * 1024;

/// A line reversed: by characters when it is valid UTF-8 (`café` → `éfac`), by bytes otherwise.
///
/// Reversing UTF-8 by bytes would cut `é` in two and send back garbage (the talk reverses bytes,
/// `msg[::-1]`, and only ever sends ASCII). Characters are not what a reader sees as letters (a
/// combining accent would land on its neighbour), but that needs a Unicode table.
pub fn reverse_line(line: &[u8]) -> Vec<u8> {
    match std::str::from_utf8(line) {
        Ok(text) => text.chars().rev().collect::<String>().into_bytes(),
        Err(_) => line.iter().rev().copied().collect(),
    }
}

/// Cuts a stream of bytes into lines, whatever the packets looked like.
///
/// Push what `recv` returned, then take complete lines out until there is none left; the rest
/// waits for the next push. It holds at most `max_line` bytes of an unfinished line.
#[derive(Debug)]
pub struct LineSplitter {
    /// Bytes received; those before `start` were returned as lines already.
    buffer: Vec<u8>,
    /// Where the next line begins in `buffer`. Lines are not cut off the front one by one
    /// (that would move the rest of the buffer for every line): the buffer is compacted once
    /// per push instead.
    start: usize,
    /// How many bytes from `start` are known to hold no newline.
    scanned: usize,
    /// The longest line accepted, without its newline.
    max_line: usize,
}

impl LineSplitter {
    /// An empty splitter that refuses lines longer than `max_line` bytes.
    pub fn new(max_line: usize) -> LineSplitter {
        LineSplitter {
            buffer: Vec::new(),
            start: 0,
            scanned: 0,
            max_line,
        }
    }

    /// Adds bytes as they came from the network.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.drain(..self.start);
        self.start = 0;
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete line without its `\n`, or `None` until more bytes arrive.
    ///
    /// A line longer than the limit, complete or not, is an error of kind `InvalidData`.
    pub fn next_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        // Search only the new bytes, so a long line arriving in many pieces is scanned once.
        let from = self.start + self.scanned;
        let newline = self.buffer[from..].iter().position(|&b| b == b'\n');
        let end = newline.map_or(self.buffer.len(), |offset| from + offset);
        if end - self.start > self.max_line {
            let message = format!("line longer than {} bytes", self.max_line);
            return Err(io::Error::new(io::ErrorKind::InvalidData, message));
        }
        if newline.is_none() {
            self.scanned = end - self.start;
            return Ok(None);
        }
        let line = self.buffer[self.start..end].to_vec();
        (self.start, self.scanned) = (end + 1, 0);
        Ok(Some(line))
    }

    /// Checks that the stream ended between two lines: leftover bytes were a line cut short,
    /// an error of kind `UnexpectedEof` rather than something silently dropped.
    pub fn finish(&self) -> io::Result<()> {
        let left = self.buffer.len() - self.start;
        if left == 0 {
            return Ok(());
        }
        let message = format!("ended mid-line ({left} bytes without a newline)");
        Err(io::Error::new(io::ErrorKind::UnexpectedEof, message))
    }
}

/// The most clients served at once when nothing else is said. With [`DEFAULT_MAX_LINE`], the
/// worst case is 1,000 × (64 KiB of unfinished line + a 16 KiB receive buffer), about 80 MiB.
pub const DEFAULT_MAX_CLIENTS: usize = 1000;

/// How a reverse-echo server behaves; every step's `serve` takes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// The longest line accepted, without its newline; a longer one ends its connection.
    pub max_line: usize,
    /// The most clients served at once; one more is told [`SERVER_FULL`] and disconnected.
    pub max_clients: usize,
    /// Stop accepting after this many connections (those accepted are still served to the end);
    /// `None` accepts forever. Tests and demos end their server this way.
    pub stop_after: Option<usize>,
    /// How many lines of each client the log shows; the rest are answered without a word.
    pub log_lines: usize,
    /// How long a client may stay silent before the server hangs up (from step05 on: step04
    /// has no timers, and its server never hangs up on a silent client).
    pub idle_timeout: Duration,
}

impl Default for ServeOptions {
    /// Lines up to [`DEFAULT_MAX_LINE`], [`DEFAULT_MAX_CLIENTS`] at once, accepting for ever,
    /// the first 10 lines of each client logged, silent clients dropped after a minute.
    fn default() -> ServeOptions {
        ServeOptions {
            max_line: DEFAULT_MAX_LINE,
            max_clients: DEFAULT_MAX_CLIENTS,
            stop_after: None,
            log_lines: 10,
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// What a client over the limit receives before the server closes its connection.
pub const SERVER_FULL: &[u8] = b"error: server full\n";

/// What a client silent for longer than [`ServeOptions::idle_timeout`] receives before the
/// server closes its connection.
pub const IDLE: &[u8] = b"error: idle for too long\n";

/// The server's door: who may come in, and what an `accept` error means. It is policy, not a
/// lesson, so every step's `serve` uses this one: the limit on clients at once, the
/// `stop_after` count, and going on (after saying so once) when descriptors run out.
#[derive(Debug)]
pub struct Door {
    /// The server's options, handed to each session.
    options: ServeOptions,
    /// How many clients are being served; shared with every session's seat.
    taken: Rc<Cell<usize>>,
    /// Connections accepted so far, turned away ones included.
    accepted: usize,
    /// True while `accept` fails for lack of descriptors.
    paused: bool,
}

impl Door {
    /// A door for a server with these options.
    pub fn new(options: ServeOptions) -> Door {
        Door {
            options,
            taken: Rc::new(Cell::new(0)),
            accepted: 0,
            paused: false,
        }
    }

    /// False once [`ServeOptions::stop_after`] connections came in.
    pub fn is_open(&self) -> bool {
        self.options.stop_after.is_none_or(|n| self.accepted < n)
    }

    /// A new connection from `peer`: its session, or `None` when the server is full (then
    /// send it [`SERVER_FULL`] and close). Logged either way.
    pub fn admit(&mut self, peer: SocketAddr) -> Option<Session> {
        self.accepted += 1;
        if self.paused {
            say("server", "accepting again");
            self.paused = false;
        }
        if self.taken.get() >= self.options.max_clients {
            say("server", format!("client {peer} turned away: server full"));
            return None;
        }
        say("server", format!("client {peer} connected"));
        self.taken.set(self.taken.get() + 1);
        let mut session = Session::new(peer, &self.options);
        session.seat = Some(Seat(Rc::clone(&self.taken)));
        Some(session)
    }

    /// An `accept` failed: `Ok` when the server should go on, the error when it should stop.
    ///
    /// A client that gave up before we accepted it is skipped. Running out of descriptors
    /// (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`) is said once; the connection waits in the
    /// listener's backlog, and accepting works again once a client leaves.
    pub fn accept_failed(&mut self, err: io::Error) -> io::Result<()> {
        if client_gave_up(&err) {
            say("server", format!("accept: {err}"));
        } else if out_of_descriptors(&err) {
            if !self.paused {
                let err = crate::demo::plain(&err);
                say(
                    "server",
                    format!("accept paused: {err}; retrying as clients leave"),
                );
            }
            self.paused = true;
        } else {
            return Err(err);
        }
        Ok(())
    }
}

/// One client's place among those served at once; dropped with its session, it frees the place.
#[derive(Debug)]
struct Seat(Rc<Cell<usize>>);

impl Drop for Seat {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// True for `accept` errors caused by one client leaving early or by its network, not by the
/// listener: skip it. Linux's accept(2) passes on a new connection's pending network errors and
/// asks to retry those as `EAGAIN` (its `ENONET` is Linux's alone, and left out here).
fn client_gave_up(err: &io::Error) -> bool {
    let kind = matches!(
        err.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    );
    kind || matches!(
        err.raw_os_error(),
        Some(
            libc::EPROTO
                | libc::ENOPROTOOPT
                | libc::EHOSTDOWN
                | libc::EHOSTUNREACH
                | libc::EOPNOTSUPP
                | libc::ENETUNREACH
                | libc::ENETDOWN
        )
    )
}

/// True for `accept` errors that mean "no descriptor or memory left for a new connection":
/// `EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`. The connection waits in the listener's backlog; the
/// server can accept it once a client leaves, so it must not give up.
fn out_of_descriptors(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

/// The protocol's side of one connection on the server: bytes in, replies out, a log line per
/// line answered.
#[derive(Debug)]
pub struct Session {
    /// Who is on the other end: the address `accept` returned (asking the socket later fails
    /// once the client has gone).
    peer: SocketAddr,
    /// Bytes received but not yet a whole line.
    lines: LineSplitter,
    /// Lines answered so far.
    answered: usize,
    /// How many lines to log before going quiet.
    log_lines: usize,
    /// How long the client may stay silent.
    idle_timeout: Duration,
    /// Its place among the clients served at once, when a [`Door`] let it in.
    seat: Option<Seat>,
}

/// A client's bytes broke the protocol: what to send it before hanging up, and why.
///
/// The server sends `reply`, then reads and drops what the client had already sent (at most
/// [`DRAIN_LIMIT`] bytes), then closes: closing a socket with unread bytes resets the
/// connection, and the client would read a reset instead of a clean end after the error line.
#[derive(Debug)]
pub struct Refused {
    /// The replies to the lines before the offending one, then `error: …\n`.
    pub reply: Vec<u8>,
    /// Why the connection ends (`InvalidData`: a line over the limit; `UnexpectedEof`: the
    /// stream ended in the middle of a line).
    pub error: io::Error,
}

impl Session {
    /// A new connection from `peer`.
    pub fn new(peer: SocketAddr, options: &ServeOptions) -> Session {
        Session {
            peer,
            lines: LineSplitter::new(options.max_line),
            answered: 0,
            log_lines: options.log_lines,
            idle_timeout: options.idle_timeout,
            seat: None,
        }
    }

    /// Takes bytes as they came from the network and returns the replies to send: one reversed
    /// line per complete line received, none while a line is unfinished.
    ///
    /// No bytes is the end of the stream, as `recv` says it: fine between two lines, refused in
    /// the middle of one. A client that closed only its side still reads, and is told why.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<Vec<u8>, Refused> {
        self.lines.push(bytes);
        let mut reply = Vec::new();
        loop {
            let line = match bytes {
                [] => self.lines.finish().map(|()| None),
                _ => self.lines.next_line(),
            };
            match line {
                Ok(Some(line)) => self.answer(&line, &mut reply),
                Ok(None) => return Ok(reply),
                Err(error) => {
                    reply.extend_from_slice(format!("error: {error}\n").as_bytes());
                    return Err(Refused { reply, error });
                }
            }
        }
    }

    /// The answer to one line (without its `\n`) that a line stream cut out: the line reversed,
    /// then `\n`. Logged as [`Session::receive`] logs its lines.
    pub fn reply_to(&mut self, line: &[u8]) -> Vec<u8> {
        let mut reply = Vec::new();
        self.answer(line, &mut reply);
        reply
    }

    /// The longest line accepted, without its newline: for a line stream to cut with.
    pub fn max_line(&self) -> usize {
        self.lines.max_line
    }

    /// Appends the answer to `line` to `reply`, and logs it while the log budget lasts.
    fn answer(&mut self, line: &[u8], reply: &mut Vec<u8>) {
        let reversed = reverse_line(line);
        self.answered += 1;
        if self.answered <= self.log_lines {
            let shown = exchange(line, &reversed);
            say("server", format!("client {}: {shown}", self.peer));
        } else if self.answered == self.log_lines + 1 && self.log_lines > 0 {
            say(
                "server",
                format!("client {}: (more lines, not logged)", self.peer),
            );
        }
        reply.extend_from_slice(&reversed);
        reply.push(b'\n');
    }

    /// The client closed its side: fine between two lines, `UnexpectedEof` in the middle of one.
    pub fn finish(&self) -> io::Result<()> {
        self.lines.finish()
    }

    /// How long the client may stay silent before the server hangs up.
    pub fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// Logs how the connection ended, in one `server:` line, and frees the client's seat.
    pub fn end(self, outcome: io::Result<()>) {
        let peer = self.peer;
        match (outcome, self.answered) {
            (Ok(()), 1) => say("server", format!("client {peer} done, 1 line")),
            (Ok(()), lines) => say("server", format!("client {peer} done, {lines} lines")),
            (Err(err), _) => {
                let err = crate::demo::plain(&err);
                say("server", format!("client {peer} error: {err}"));
            }
        }
    }
}

/// The longest line, in escaped characters, that the logs show whole: `"…" -> "…"` for two of
/// them still fits 100 columns after the timestamp and the client's address.
const PREVIEW_WHOLE: usize = 20;

/// How many escaped characters of a longer line the logs show.
const PREVIEW_CUT: usize = 12;

/// A line as the logs show it: text in quotes, other bytes escaped (`b"caf\xe9"`), a long line
/// cut, with its length, so that a 1 MiB line is still one short log line.
pub fn preview(line: &[u8]) -> String {
    let (quote, pieces) = escaped(line);
    if width(&pieces) <= PREVIEW_WHOLE {
        return format!("{quote}{}\"", pieces.concat());
    }
    let start = cut(pieces.iter()).concat();
    format!("{quote}{start}\"… ({} bytes)", line.len())
}

/// A line and its reply as the server's log shows them: `"café" -> "éfac"`, or for long lines
/// the start of one, the end of the other and the length once:
/// `"abcdefghijkl"… -> …"lkjihgfedcba" (300 bytes)`. The log shortens, never the reply.
fn exchange(line: &[u8], reply: &[u8]) -> String {
    let ((opening, asked), (reopening, answered)) = (escaped(line), escaped(reply));
    if width(&asked) <= PREVIEW_WHOLE && width(&answered) <= PREVIEW_WHOLE {
        return format!("{} -> {}", preview(line), preview(reply));
    }
    let start = cut(asked.iter()).concat();
    let mut end = cut(answered.iter().rev());
    end.reverse();
    let (end, bytes) = (end.concat(), line.len());
    format!("{opening}{start}\"… -> …{reopening}{end}\" ({bytes} bytes)")
}

/// How a line is written in a log: its opening quote (`"` for text, `b"` for other bytes), then
/// one escaped piece per character (or byte). A piece may be several characters (`\n`,
/// `\xe9`), so cutting between pieces never cuts an escape in two.
fn escaped(line: &[u8]) -> (&'static str, Vec<String>) {
    match std::str::from_utf8(line) {
        // As `{:?}` writes a string, where a `'` needs no backslash.
        Ok(text) => {
            let piece = |c: char| match c {
                '\'' => "'".to_owned(),
                c => c.escape_debug().to_string(),
            };
            ("\"", text.chars().map(piece).collect())
        }
        Err(_) => {
            let pieces = line.iter().map(|b| b.escape_ascii().to_string()).collect();
            ("b\"", pieces)
        }
    }
}

/// How many characters the pieces take on a line.
fn width(pieces: &[String]) -> usize {
    pieces.iter().map(|piece| piece.chars().count()).sum()
}

/// The first pieces that fit in [`PREVIEW_CUT`] characters.
fn cut<'a>(pieces: impl Iterator<Item = &'a String>) -> Vec<&'a str> {
    let mut room = PREVIEW_CUT;
    pieces
        .map_while(|piece| {
            room = room.checked_sub(piece.chars().count())?;
            Some(piece.as_str())
        })
        .collect()
}

/// How long the blocking [`Client`] waits for the server before it reports a time-out.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// A blocking reverse-echo client, for tests and for poking a server from another thread.
///
/// It is std's blocking `TcpStream`, not a step's socket, so a test can talk to a server whose
/// loop runs on another thread. Every read and write gives up after [`CLIENT_TIMEOUT`]: a stuck
/// server fails the test instead of hanging it.
#[derive(Debug)]
pub struct Client {
    /// The connection.
    stream: TcpStream,
    /// Reply bytes received but not read yet.
    replies: LineSplitter,
}

impl Client {
    /// Connects to a reverse-echo server.
    pub fn connect(addr: SocketAddr) -> io::Result<Client> {
        let stream = TcpStream::connect_timeout(&addr, CLIENT_TIMEOUT)?;
        stream.set_read_timeout(Some(CLIENT_TIMEOUT))?;
        stream.set_write_timeout(Some(CLIENT_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(Client {
            stream,
            replies: LineSplitter::new(usize::MAX),
        })
    }

    /// Sends `line` and its newline, then returns the reply without its newline.
    pub fn request(&mut self, line: &[u8]) -> io::Result<Vec<u8>> {
        self.send_line(line)?;
        self.read_line()
    }

    /// Sends `line` followed by a newline, without waiting for the reply.
    pub fn send_line(&mut self, line: &[u8]) -> io::Result<()> {
        let mut message = line.to_vec();
        message.push(b'\n');
        self.stream.write_all(&message)
    }

    /// The next reply line, without its newline; `UnexpectedEof` if the server closed first.
    pub fn read_line(&mut self) -> io::Result<Vec<u8>> {
        let mut buf = vec![0; RECV_SIZE];
        loop {
            if let Some(line) = self.replies.next_line()? {
                return Ok(line);
            }
            let received = self.stream.read(&mut buf)?;
            if received == 0 {
                self.replies.finish()?;
                let message = "the server closed the connection before replying";
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, message));
            }
            self.replies.push(&buf[..received]);
        }
    }

    /// The connection itself, to send bytes that are not whole lines, or to shut it down.
    pub fn stream(&mut self) -> &mut TcpStream {
        &mut self.stream
    }
}
