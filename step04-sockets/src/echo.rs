//! A reverse-echo server on this step's sockets: one task per client. The protocol and the door
//! policy (limits, logs) are the same in every step and live in `shared::echo`; this file is the
//! part that uses the step's sockets and loop.

use std::io;
use std::os::fd::AsRawFd;

use shared::echo::{DRAIN_LIMIT, Door, RECV_SIZE, SERVER_FULL, ServeOptions, Session};

use crate::net::{AioListener, AioStream};
use crate::{Loop, interrupt, sys};

/// Accepts clients on `listener` and serves each one in its own task of the current loop.
/// (Awaiting `handle_client` here would make every client wait for the previous one to leave.)
pub async fn serve(listener: AioListener, options: ServeOptions) -> io::Result<()> {
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
            Err(err) => door.accept_failed(err)?,
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

/// Moves bytes between one client and its session until the client closes its side; fails when
/// the connection ends otherwise (a line too long, a client gone mid-line, a reset…).
pub async fn handle_client(stream: &AioStream, session: &mut Session) -> io::Result<()> {
    let mut buf = vec![0; RECV_SIZE];
    loop {
        let received = stream.recv(&mut buf).await?;
        // No bytes: the client closed its side, and `receive` checks that no line was cut.
        match session.receive(&buf[..received]) {
            Ok(_) if received == 0 => return Ok(()),
            Ok(replies) => stream.send_all(&replies).await?,
            Err(refused) => {
                // Say why we hang up. Best effort: the client may be gone already.
                let _ = stream.send_all(&refused.reply).await;
                drain(stream).await;
                return Err(refused.error);
            }
        }
        // A client that keeps sending finds its socket always ready, and a task that never has
        // to wait never yields: give the others a turn after each batch.
        interrupt().await;
    }
}

/// Before hanging up on a client, reads and drops what it has already sent, up to
/// [`DRAIN_LIMIT`] bytes. Closing a socket with unread bytes resets the connection, and the
/// client would see a reset, not the end of the stream, after the error line.
async fn drain(stream: &AioStream) {
    let mut buf = vec![0; RECV_SIZE];
    let mut left = DRAIN_LIMIT;
    // Only what is there now: without timers, "wait a little for the rest" cannot be said.
    while left > 0 && sys::is_readable(stream.as_raw_fd()).unwrap_or(false) {
        match stream.recv(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(received) => left = left.saturating_sub(received),
        }
    }
}
