//! Run it: `cargo run -p step04-sockets --example reverse_echo`
//!
//! A reverse-echo server and one client, as two tasks of the same loop. Neither ever blocks:
//! when its socket is not ready, it yields, and the other one runs. The client's lines show the
//! protocol: plain text, UTF-8, a line sent in two pieces, two lines sent at once, and bytes
//! that are not UTF-8.

use std::cell::Cell;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::rc::Rc;

use shared::say;
use step04_sockets::echo::{EchoClient, ServeOptions, preview, serve};
use step04_sockets::{AioListener, Loop, interrupt};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the server task, runs the client to its end, and reports the first error of either.
fn run() -> io::Result<()> {
    let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let addr = listener.local_addr()?;
    say("server", format!("listening on {addr}"));
    // Exactly one client, so the server task ends and the loop with it.
    let options = ServeOptions {
        max_clients: Some(1),
        ..ServeOptions::default()
    };
    let event_loop = Loop::new();
    let server_error = Rc::new(Cell::new(None));
    let report = Rc::clone(&server_error);
    event_loop.add_task(async move { report.set(serve(listener, options).await.err()) });
    event_loop.run_task(client(addr))?;
    match server_error.take() {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// Sends the demo's lines and checks each reply.
async fn client(addr: SocketAddr) -> io::Result<()> {
    let mut client = EchoClient::connect(addr).await?;
    say("client", format!("connected to {addr}"));
    ask(&mut client, b"hello").await?;
    ask(&mut client, "café".as_bytes()).await?;

    // One line in two `send`s: the server must wait for the newline before it answers.
    client.stream().send_all(b"hello, ").await?;
    say("client", "sent \"hello, \" (no newline yet)");
    interrupt().await; // let the server read this first piece alone
    client.stream().send_all(b"world\n").await?;
    say("client", "sent \"world\\n\"");
    got(client.read_line().await?);

    // Two lines in one `send`: two replies, maybe in one `recv`.
    client.stream().send_all(b"one\ntwo\n").await?;
    say("client", "sent \"one\\ntwo\\n\" at once");
    got(client.read_line().await?);
    got(client.read_line().await?);

    // "café" in Latin-1: not UTF-8, so it is reversed byte by byte.
    ask(&mut client, b"caf\xe9").await?;
    say("client", "done, closing the connection");
    Ok(())
}

/// Sends one line, reads its reply, and says both.
async fn ask(client: &mut EchoClient, line: &[u8]) -> io::Result<()> {
    say("client", format!("send {}", preview(line)));
    got(client.request(line).await?);
    Ok(())
}

/// Says what came back.
fn got(reply: Vec<u8>) {
    say("client", format!("got  {}", preview(&reply)));
}
