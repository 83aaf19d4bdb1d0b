//! Run it: `cargo run -p step06-async-iter-ctx --example talk06` (or `cargo xtask demo 6 talk`)
//!
//! The talk's §6 on this step's loop: `async for` over `ARange(5)` (6.5) and over the `arange`
//! generator (6.6), the comprehension `[x async for x in arange(5)]`, then the `Server` context
//! manager (6.8) and the one made from a generator (6.9), each serving the exchange of 4.17. With
//! `--auto` (or no terminal) a talk second lasts 100 ms.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use shared::{demo, say};
use step06_async_iter_ctx::{ARange, AioListener, AioStream, AsyncIterator, Loop, Server};
use step06_async_iter_ctx::{arange, async_with, context_from_generator};

const HELP: &str = "usage: talk06 [--auto]
The talk's §6: ARange and arange in async for, a comprehension, two async context managers.";

/// How long a talk second lasts: 1 s, or 100 ms in automatic runs.
fn second() -> Duration {
    Duration::from_millis(if demo::is_auto() { 100 } else { 1000 })
}

/// Talk seconds since `start`.
fn since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() / second().as_secs_f64()
}

/// `async for i in numbers: print(i)`, each number with its time in talk seconds.
async fn print_each(mut numbers: impl AsyncIterator<Item = u64> + Unpin) -> io::Result<()> {
    let start = Instant::now();
    while let Some(i) = numbers.next().await {
        say("main", format!("{i}  at {:.1} s", since(start)));
    }
    Ok(())
}

/// `print([x async for x in arange(5)])`.
async fn comprehension() -> io::Result<()> {
    let start = Instant::now();
    let numbers = arange(5, second()).collect().await;
    say("main", format!("{numbers:?}  at {:.1} s", since(start)));
    Ok(())
}

/// The body of the talk's `async with`: accept one client, receive, print, send it reversed.
/// It first starts the talk's `client_coro` beside it, now that the port is known (the talk
/// gathers both on port 8080, which may be taken: any free port does here).
async fn serve_once(server: &AioListener) -> io::Result<()> {
    let addr = server.local_addr()?;
    Loop::current()
        .map_err(io::Error::other)?
        .add_task(async move {
            if let Err(err) = client_coro(addr).await {
                say("client", format!("error: {err}"));
            }
        });
    let (client, _) = server.accept().await?;
    let mut buf = [0; 1024];
    let received = client.recv(&mut buf).await?;
    let msg = &mut buf[..received];
    say(
        "server",
        format!("Received from client b'{}'", msg.escape_ascii()),
    );
    msg.reverse();
    client.send_all(msg).await
}

/// The talk's `client_coro`: connect, send, receive, print.
async fn client_coro(addr: SocketAddr) -> io::Result<()> {
    let client = AioStream::connect(addr).await?;
    client.send_all(b"Hello World!").await?;
    let mut buf = [0; 1024];
    let received = client.recv(&mut buf).await?;
    let msg = buf[..received].escape_ascii();
    say("client", format!("Received from server b'{msg}'"));
    Ok(())
}

/// Slide 6.8: `async with Server(addr) as server:` and the exchange.
async fn with_server() -> io::Result<()> {
    let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    async_with(Server::new(any_port), async |server| {
        serve_once(server).await
    })
    .await?;
    Ok(())
}

/// Slide 6.9: the same with `@asynccontextmanager`, a context manager made from a generator.
async fn with_generator() -> io::Result<()> {
    let server = context_from_generator(|mut co| async move {
        let socket = AioListener::bind((Ipv4Addr::LOCALHOST, 0))?; // try: bind, listen
        let (socket, outcome) = co.yield_(socket).await; // yield socket
        drop(socket); // finally: socket.close()
        outcome.into_result()
    });
    async_with(server, async |server| serve_once(server).await).await?;
    Ok(())
}

/// Runs one slide on a loop of its own; says when it ended, in talk seconds, or why it failed.
fn scenario(slide: &str, code: &str, run: impl Future<Output = io::Result<()>> + 'static) {
    say(slide, code);
    let start = Instant::now();
    match Loop::new().and_then(|event_loop| event_loop.run_task(run)?) {
        Ok(()) => say("main", format!("ended at {:.1} s", since(start))),
        Err(err) => say("main", format!("error: {err}")),
    }
}

fn main() {
    demo::Flags::parse(HELP, &[], &[]);
    let millis = second().as_millis();
    say("main", format!("one talk second lasts {millis} ms here"));
    let numbers = ARange::new(5, second()).aiter();
    scenario(
        "§6.5",
        "async for i in ARange(5): print(i)",
        print_each(numbers),
    );
    scenario(
        "§6.6",
        "async for i in arange(5): print(i)",
        print_each(arange(5, second())),
    );
    scenario(
        "§6.6",
        "print([x async for x in arange(5)])",
        comprehension(),
    );
    scenario(
        "§6.8",
        "async with Server(addr) as server: …",
        with_server(),
    );
    let code = "@asynccontextmanager async def server(addr): … yield socket …";
    scenario("§6.9", code, with_generator());
}
