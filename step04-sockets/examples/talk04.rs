//! Run it: `cargo run -p step04-sockets --example talk04` (or `cargo xtask demo 4 talk`)
//!
//! The talk's slide 4.17: a server and a client task gathered on one loop exchange
//! `Hello World!`, reversed by bytes (`msg[::-1]`). The talk's port 8080 may be taken: any free
//! port does here.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;

use shared::say;
use step04_sockets::{AioListener, AioStream, Loop, gather};

const HELP: &str = "usage: talk04 [--auto]
The talk's slide 4.17: a server and a client task gathered on one loop.";

/// The talk's `server_coro`: accept one client, receive, print, send it back reversed.
async fn server_coro(server: AioListener) -> io::Result<()> {
    let (client, _) = server.accept().await?;
    let mut buf = [0; 1024];
    let received = client.recv(&mut buf).await?;
    say(
        "server",
        format!("Received from client b'{}'", buf[..received].escape_ascii()),
    );
    buf[..received].reverse();
    client.send_all(&buf[..received]).await
}

/// The talk's `client_coro`: connect, send, receive, print.
async fn client_coro(addr: SocketAddr) -> io::Result<()> {
    let client = AioStream::connect(addr).await?;
    client.send_all(b"Hello World!").await?;
    let mut buf = [0; 1024];
    let received = client.recv(&mut buf).await?;
    say(
        "client",
        format!("Received from server b'{}'", buf[..received].escape_ascii()),
    );
    Ok(())
}

/// `gather` takes futures of one type; the two coroutines are two types, so both are boxed.
type Coro = Pin<Box<dyn Future<Output = io::Result<()>>>>;

fn main() -> std::process::ExitCode {
    shared::demo::Flags::parse(HELP, &[], &[]);
    shared::demo::exit_code((|| {
        // Bound before the loop starts: the talk binds inside `server_coro`, and its blocking
        // `connect` works only because the server task happens to run first.
        let server = AioListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = server.local_addr()?;
        say(
            "§4.17",
            "loop.run_task(gather(server_coro(), client_coro()))",
        );
        let coros: [Coro; 2] = [Box::pin(server_coro(server)), Box::pin(client_coro(addr))];
        Loop::new().run_task(gather(coros)).into_iter().collect()
    })())
}
