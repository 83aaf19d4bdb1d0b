//! Run it: `cargo run -p step05-futures-timers --example reverse_echo_mio`
//!
//! Step04's reverse-echo server and client, two tasks of one loop, on this step's reactor: a
//! task whose socket is not ready is not polled until the system says it is.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use shared::echo::{ServeOptions, preview};
use shared::say;
use step05_futures_timers::echo::serve;
use step05_futures_timers::{AioListener, AioStream, Loop};

const HELP: &str = "usage: reverse_echo_mio [--auto]
A reverse-echo server and its client, two tasks of one loop.";

/// Sends the demo's lines, and prints the replies as they come.
async fn client(addr: SocketAddr) -> io::Result<()> {
    let stream = AioStream::connect(addr).await?;
    // "caf\xe9" is "café" in Latin-1: not UTF-8, so it is reversed byte by byte.
    for sent in [
        &b"hello\n"[..],
        "café\n".as_bytes(),
        b"one\ntwo\n",
        b"caf\xe9\n",
    ] {
        say("client", format!("send {}", preview(sent)));
        stream.send_all(sent).await?;
        // A reversed line is as long as the line: read until all of it is back.
        let mut reply = vec![0; sent.len()];
        let mut received = 0;
        while received < reply.len() {
            match stream.recv(&mut reply[received..]).await? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => received += n,
            }
        }
        for line in reply.split(|&b| b == b'\n').filter(|line| !line.is_empty()) {
            say("client", format!("got  {}", preview(line)));
        }
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    shared::demo::Flags::parse(HELP, &[], &[]);
    shared::demo::exit_code((|| {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        say("server", format!("listening on {addr}"));
        // Exactly one client, so the server task ends, and the loop with it.
        let options = ServeOptions {
            stop_after: Some(1),
            ..ServeOptions::default()
        };
        let event_loop = Loop::new()?;
        event_loop.add_task(async move {
            if let Err(err) = serve(listener, options).await {
                say("server", format!("error: {err}"));
            }
        });
        event_loop.run_task(client(addr))?
    })())
}
