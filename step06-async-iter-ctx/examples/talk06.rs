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
use step06_async_iter_ctx::{ARange, AsyncIterator, async_with, context_from_generator};
use step06_async_iter_ctx::{AioListener, AioStream, Loop, Server, generator, sleep};

const HELP: &str = "usage: talk06 [--auto]
The talk's §6: ARange and arange in async for, a comprehension, two async context managers.";

/// How long a talk second lasts (1 s, or 100 ms in automatic runs), and when the scenario began.
#[derive(Clone, Copy)]
struct Clock {
    second: Duration,
    start: Instant,
}

impl Clock {
    /// Talk seconds since the scenario began.
    fn now(self) -> f64 {
        self.start.elapsed().as_secs_f64() / self.second.as_secs_f64()
    }
}

/// The talk's `arange(stop)`: `for i in range(stop): await sleep(1); yield i`.
fn arange(stop: u64, second: Duration) -> impl AsyncIterator<Item = u64> + Unpin {
    generator(move |mut co| async move {
        for i in 0..stop {
            sleep(second).await;
            co.yield_(i).await;
        }
    })
}

/// The body of the talk's `async with`: accept one client, receive, print, send it back reversed.
async fn serve_once(server: &AioListener) -> io::Result<()> {
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

/// Runs one slide on a new loop, then says when it ended, in talk seconds.
fn scenario(slide: &str, code: &str, second: Duration, run: impl AsyncFnOnce(Clock) + 'static) {
    say(slide, code);
    let clock = Clock {
        second,
        start: Instant::now(),
    };
    match Loop::new().and_then(|event_loop| event_loop.run_task(run(clock))) {
        Ok(()) => say("main", format!("ended at {:.1} s", clock.now())),
        Err(err) => say("main", format!("error: {err}")),
    }
}

/// Starts the talk's `client_coro` as a task beside the server, once the server's port is known
/// (the talk gathers both, on port 8080, which may be taken: any free port does here).
fn start_client(server: &AioListener) -> io::Result<()> {
    let addr = server.local_addr()?;
    let event_loop = Loop::current().map_err(io::Error::other)?;
    event_loop.add_task(async move {
        if let Err(err) = client_coro(addr).await {
            say("client", format!("error: {err}"));
        }
    });
    Ok(())
}

/// Says how an `async with` ended, if it failed.
fn report(outcome: io::Result<Option<()>>) {
    if let Err(err) = outcome {
        say("main", format!("error: {err}"));
    }
}

fn main() {
    demo::Flags::parse(HELP, &[], &[]);
    let second = Duration::from_millis(if demo::is_auto() { 100 } else { 1000 });
    say(
        "main",
        format!("one talk second lasts {} ms here", second.as_millis()),
    );
    scenario(
        "§6.5",
        "async for i in ARange(5): print(i)",
        second,
        async |c| {
            let mut numbers = ARange::new(5, c.second).aiter();
            while let Some(i) = numbers.next().await {
                say("main", format!("{i}  at {:.1} s", c.now()));
            }
        },
    );
    scenario(
        "§6.6",
        "async for i in arange(5): print(i)",
        second,
        async |c| {
            let mut numbers = arange(5, c.second);
            while let Some(i) = numbers.next().await {
                say("main", format!("{i}  at {:.1} s", c.now()));
            }
        },
    );
    scenario(
        "§6.6",
        "print([x async for x in arange(5)])",
        second,
        async |c| {
            let numbers = arange(5, c.second).collect().await;
            say("main", format!("{numbers:?}  at {:.1} s", c.now()));
        },
    );
    scenario(
        "§6.8",
        "async with Server(addr) as server: …",
        second,
        async |_| {
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            let served = async_with(Server::new(addr), async |server| {
                start_client(server)?;
                serve_once(server).await
            });
            report(served.await);
        },
    );
    let code = "@asynccontextmanager async def server(addr): … yield socket …";
    scenario("§6.9", code, second, async |_| {
        let server = context_from_generator(|mut co| async move {
            let socket = AioListener::bind((Ipv4Addr::LOCALHOST, 0))?; // try: bind, listen
            let (socket, outcome) = co.yield_(socket).await; // yield socket
            drop(socket); // finally: socket.close()
            outcome.into_result()
        });
        let served = async_with(server, async |server| {
            start_client(server)?;
            serve_once(server).await
        });
        report(served.await);
    });
}
