//! A reverse-echo server on this step's sockets: one task per client. The protocol and the door
//! policy (limits, logs) are the same in every step and live in `shared::echo`; this file is the
//! part that uses the step's sockets and loop.

use std::io;
use std::time::{Duration, Instant};

use shared::echo::{DRAIN_LIMIT, Door, IDLE, RECV_SIZE, SERVER_FULL, ServeOptions, Session};

use crate::net::{AioListener, AioStream};
use crate::{AsyncIterator, Loop, interrupt, sleep, timeout};

/// How long `serve` waits before it tries `accept` again after a failure.
const ACCEPT_RETRY: Duration = Duration::from_millis(20);

/// How long a client that the server hangs up on has to take its last words, or to send its
/// last bytes: a client that does neither may be gone, or may never read.
const DRAIN_WAIT: Duration = Duration::from_millis(100);

/// Accepts clients on `listener` and serves each one in its own task of the current loop.
/// (Awaiting `handle_client` here would make every client wait for the previous one to leave.)
pub async fn serve(listener: &AioListener, options: ServeOptions) -> io::Result<()> {
    let event_loop = Loop::current().map_err(io::Error::other)?;
    let mut door = Door::new(options);
    while door.is_open() {
        match listener.accept().await {
            Ok((stream, peer)) => match door.admit(peer) {
                Some(session) => {
                    let name = format!("client {peer}");
                    event_loop.add_task_named(&name, serve_client(stream, session));
                }
                None => event_loop.add_task(async move {
                    let _ = stream.send_all(SERVER_FULL).await;
                }),
            },
            Err(err) => {
                door.accept_failed(err)?;
                // Out of descriptors, `accept` fails at once on every try: pause between tries.
                sleep(ACCEPT_RETRY).await;
            }
        }
        // A flood of connections keeps the listener always ready, and a task that never has to
        // wait never yields: give the clients a turn after each accept.
        interrupt().await;
    }
    Ok(())
}

/// One client's task: serve it, then say how it went.
async fn serve_client(stream: AioStream, mut session: Session) {
    let outcome = handle_client(&stream, &mut session).await;
    session.end(outcome);
}

/// Answers each line of one client until it closes its side; fails when the connection ends
/// otherwise (a line too long, a client gone mid-line, silent for too long…). The talk's
/// `async for`, over the client's lines; those that arrived together are answered in one write.
pub async fn handle_client(stream: &AioStream, session: &mut Session) -> io::Result<()> {
    let lines = stream.lines(session.max_line(), session.idle_timeout());
    // A read holds no more lines than bytes, and the reader yields after each: one read a chunk.
    let mut chunks = lines.ready_chunks(RECV_SIZE);
    while let Some(chunk) = chunks.next().await {
        let mut replies = Vec::new();
        for line in chunk {
            match line {
                Ok(line) => replies.extend(session.reply_to(&line)),
                Err(err) => return hang_up(stream, replies, err).await,
            }
        }
        // A client that never reads what it is sent does not hold its seat for ever either.
        timeout(session.idle_timeout(), stream.send_all(&replies)).await?;
    }
    Ok(())
}

/// Sends the replies so far and, when the client can be told, why the connection ends (silent
/// for too long, a line too long, or cut by the end of the stream: a client that closed only its
/// side still reads); then fails with `err`. Best effort: the client may be gone.
async fn hang_up(stream: &AioStream, mut replies: Vec<u8>, err: io::Error) -> io::Result<()> {
    match err.kind() {
        io::ErrorKind::TimedOut => replies.extend_from_slice(IDLE),
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            replies.extend(format!("error: {err}\n").into_bytes())
        }
        _ => {}
    }
    let _ = timeout(DRAIN_WAIT, stream.send_all(&replies)).await;
    drain(stream).await;
    Err(err)
}

/// Before hanging up on a client, reads and drops what it has already sent, up to
/// [`DRAIN_LIMIT`] bytes. Closing a socket with unread bytes resets the connection, and the
/// client would see a reset, not the end of the stream, after the error line.
async fn drain(stream: &AioStream) {
    let mut buf = vec![0; RECV_SIZE];
    let (mut left, started) = (DRAIN_LIMIT, Instant::now());
    // With timers, the bytes still on their way get a moment to arrive; but a client that
    // trickles them does not keep its seat for longer than ten such moments in all.
    while left > 0 && started.elapsed() < DRAIN_WAIT * 10 {
        match timeout(DRAIN_WAIT, stream.recv(&mut buf)).await {
            Ok(0) | Err(_) => return,
            Ok(received) => left = left.saturating_sub(received),
        }
    }
}
