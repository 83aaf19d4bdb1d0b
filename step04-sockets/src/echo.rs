//! The reverse-echo protocol, the same in steps 04 to 06: each line a client sends comes back
//! reversed.
//!
//! Lines end with `\n`. TCP carries bytes, not messages: one `recv` may hold half a line, or
//! three lines and a half. So the server collects bytes in a [`LineSplitter`] and answers each
//! complete line; the client reads the same way.
//!
//! Every client gets its own task. A client that sends a line longer than the limit is told so
//! and disconnected, so one client cannot make the server's memory grow without bound.

use std::io;
use std::net::SocketAddr;

use shared::say;

use crate::Loop;
use crate::net::{AioListener, AioStream};

/// The longest line accepted when nothing else is said: 1 MiB, without its newline.
pub const DEFAULT_MAX_LINE: usize = 1024 * 1024;

/// How many bytes one `recv` asks for. Longer lines arrive in several pieces.
pub const RECV_SIZE: usize = 16 * 1024;

/// A line reversed: by characters when it is valid UTF-8 (`café` → `éfac`), by bytes otherwise.
///
/// Reversing UTF-8 by bytes would cut `é` in two and send back garbage; bytes that are not
/// UTF-8 have no characters to keep whole. Characters are not what a reader sees as letters
/// (a combining accent would land on its neighbour), but that needs a Unicode table: too much
/// for a workshop.
pub fn reverse_line(line: &[u8]) -> Vec<u8> {
    match std::str::from_utf8(line) {
        Ok(text) => text.chars().rev().collect::<String>().into_bytes(),
        Err(_) => line.iter().rev().copied().collect(),
    }
}

/// Cuts a stream of bytes into lines, whatever the packets looked like.
///
/// Push what `recv` returned, then take complete lines out until there is none left; the rest
/// waits for the next push. It holds at most `max_line` bytes between pushes.
#[derive(Debug)]
pub struct LineSplitter {
    /// Bytes received but not yet returned as a line.
    buffer: Vec<u8>,
    /// How many bytes at the start of `buffer` are known to hold no newline.
    scanned: usize,
    /// The longest line accepted, without its newline.
    max_line: usize,
}

impl LineSplitter {
    /// An empty splitter that refuses lines longer than `max_line` bytes.
    pub fn new(max_line: usize) -> LineSplitter {
        LineSplitter {
            buffer: Vec::new(),
            scanned: 0,
            max_line,
        }
    }

    /// Adds bytes as they came from the network.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete line without its `\n`, or `None` until more bytes arrive.
    ///
    /// A line longer than the limit, complete or not, is an error of kind `InvalidData`.
    pub fn next_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        // Search only the new bytes, so a long line arriving in many pieces is scanned once.
        let newline = self.buffer[self.scanned..].iter().position(|&b| b == b'\n');
        let end = match newline {
            Some(offset) => self.scanned + offset,
            None => self.buffer.len(),
        };
        if end > self.max_line {
            let message = format!("line longer than {} bytes", self.max_line);
            return Err(io::Error::new(io::ErrorKind::InvalidData, message));
        }
        if newline.is_none() {
            self.scanned = end;
            return Ok(None);
        }
        let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
        line.pop(); // the newline
        self.scanned = 0;
        Ok(Some(line))
    }

    /// Checks that the stream ended between two lines: leftover bytes were a line cut short,
    /// an error of kind `UnexpectedEof` rather than something silently dropped.
    pub fn finish(&self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let message = format!(
            "connection closed in the middle of a line ({} bytes without a newline)",
            self.buffer.len()
        );
        Err(io::Error::new(io::ErrorKind::UnexpectedEof, message))
    }
}

/// Serves one connection until the client closes it; returns how many lines were answered.
///
/// Errors: `InvalidData` after a line over `max_line` (the client gets one `error: ...` line
/// first), `UnexpectedEof` if the client left in the middle of a line, and whatever the socket
/// reports (`ConnectionReset`...). The connection is closed on return, whatever happened.
pub async fn handle_client(stream: AioStream, max_line: usize) -> io::Result<usize> {
    let peer = stream.peer_addr()?;
    let mut lines = LineSplitter::new(max_line);
    let mut buf = vec![0; RECV_SIZE];
    let mut answered = 0;
    loop {
        let received = stream.recv(&mut buf).await?;
        if received == 0 {
            lines.finish()?;
            return Ok(answered);
        }
        lines.push(&buf[..received]);
        answered += answer_lines(&stream, &mut lines, peer).await?;
    }
}

/// Answers every complete line waiting in `lines`; returns how many.
async fn answer_lines(
    stream: &AioStream,
    lines: &mut LineSplitter,
    peer: SocketAddr,
) -> io::Result<usize> {
    let mut answered = 0;
    loop {
        let line = match lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => return Ok(answered),
            Err(err) => {
                // Say why we hang up. Best effort: the client may be gone already, and the
                // error worth returning is ours, not the one of this last write.
                let _ = stream.send_all(format!("error: {err}\n").as_bytes()).await;
                return Err(err);
            }
        };
        let mut reply = reverse_line(&line);
        let shown = format!("{} -> {}", preview(&line), preview(&reply));
        say("server", format!("client {peer}: {shown}"));
        reply.push(b'\n');
        stream.send_all(&reply).await?;
        answered += 1;
    }
}

/// How [`serve`] behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// The longest line accepted, without its newline; a longer one ends its connection.
    pub max_line: usize,
    /// Stop accepting after this many clients (those accepted are still served to the end);
    /// `None` accepts forever. Tests and demos use it to end.
    pub max_clients: Option<usize>,
}

impl Default for ServeOptions {
    /// Lines up to [`DEFAULT_MAX_LINE`], any number of clients.
    fn default() -> ServeOptions {
        ServeOptions {
            max_line: DEFAULT_MAX_LINE,
            max_clients: None,
        }
    }
}

/// Accepts clients on `listener` and serves each one in its own task of the current loop.
///
/// Each client's outcome is one `server:` line. Awaiting `handle_client` here instead of adding
/// a task would be simpler, and would make every client wait until the previous one leaves.
/// A client that gave up before we accepted it (`ConnectionAborted`, `ConnectionReset`) is
/// logged and skipped; any other accept error ends the server.
pub async fn serve(listener: AioListener, options: ServeOptions) -> io::Result<()> {
    let event_loop = Loop::current().map_err(io::Error::other)?;
    let mut accepted = 0;
    while options.max_clients.is_none_or(|max| accepted < max) {
        match listener.accept().await {
            Ok((stream, peer)) => {
                accepted += 1;
                say("server", format!("client {peer} connected"));
                event_loop.add_task(serve_client(stream, peer, options.max_line));
            }
            Err(err) if gave_up(&err) => say("server", format!("accept skipped: {err}")),
            Err(err) => return Err(err),
        }
    }
    say(
        "server",
        format!("client limit reached ({accepted}), no longer accepting"),
    );
    Ok(())
}

/// True for accept errors caused by one client leaving early, not by the listener.
fn gave_up(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

/// One client's task: serve it, then report how it went in one line.
async fn serve_client(stream: AioStream, peer: SocketAddr, max_line: usize) {
    match handle_client(stream, max_line).await {
        Ok(1) => say("server", format!("client {peer} done, 1 line")),
        Ok(lines) => say("server", format!("client {peer} done, {lines} lines")),
        Err(err) => say("server", format!("client {peer} error: {err}")),
    }
}

/// The client side of the protocol: send a line, read the reversed reply.
///
/// It keeps a [`LineSplitter`] between calls, because one `recv` may bring several replies
/// (or part of one) when several lines were sent at once.
#[derive(Debug)]
pub struct EchoClient {
    /// The connection to the server.
    stream: AioStream,
    /// Reply bytes received but not read yet.
    replies: LineSplitter,
}

impl EchoClient {
    /// Connects to a reverse-echo server.
    pub async fn connect(addr: SocketAddr) -> io::Result<EchoClient> {
        Ok(EchoClient::new(AioStream::connect(addr).await?))
    }

    /// Speaks the protocol over a connection already open; replies are limited to
    /// [`DEFAULT_MAX_LINE`] bytes, the server's default limit on lines.
    pub fn new(stream: AioStream) -> EchoClient {
        EchoClient {
            stream,
            replies: LineSplitter::new(DEFAULT_MAX_LINE),
        }
    }

    /// Sends `line` and its newline, then returns the reply without its newline.
    pub async fn request(&mut self, line: &[u8]) -> io::Result<Vec<u8>> {
        self.send_line(line).await?;
        self.read_line().await
    }

    /// Sends `line` followed by a newline, without waiting for the reply.
    pub async fn send_line(&self, line: &[u8]) -> io::Result<()> {
        let mut message = line.to_vec();
        message.push(b'\n');
        self.stream.send_all(&message).await
    }

    /// The next reply line, without its newline.
    ///
    /// The server closing before a whole line came is an error of kind `UnexpectedEof`.
    pub async fn read_line(&mut self) -> io::Result<Vec<u8>> {
        let mut buf = vec![0; RECV_SIZE];
        loop {
            if let Some(line) = self.replies.next_line()? {
                return Ok(line);
            }
            let received = self.stream.recv(&mut buf).await?;
            if received == 0 {
                self.replies.finish()?;
                let message = "the server closed the connection before replying";
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, message));
            }
            self.replies.push(&buf[..received]);
        }
    }

    /// The connection itself, to send bytes that are not whole lines.
    pub fn stream(&self) -> &AioStream {
        &self.stream
    }
}

/// How many characters (or bytes, for non-UTF-8) of a line the logs show.
const PREVIEW_LEN: usize = 40;

/// A line as the logs show it: text in quotes, other bytes escaped (`b"caf\xe9"`), long lines
/// cut with their length, so that a 1 MiB line is still one log line.
pub fn preview(line: &[u8]) -> String {
    match std::str::from_utf8(line) {
        Ok(text) if text.chars().count() <= PREVIEW_LEN => format!("{text:?}"),
        Ok(text) => {
            let start: String = text.chars().take(PREVIEW_LEN).collect();
            format!("{start:?}… ({} bytes)", line.len())
        }
        Err(_) if line.len() <= PREVIEW_LEN => format!("b\"{}\"", line.escape_ascii()),
        Err(_) => {
            let start = line[..PREVIEW_LEN].escape_ascii();
            format!("b\"{start}\"… ({} bytes)", line.len())
        }
    }
}
