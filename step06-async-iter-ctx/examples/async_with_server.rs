//! Run it: `cargo run -p step06-async-iter-ctx --example async_with_server -- --port 7878`
//!
//! The reverse-echo server as an async context manager made from a generator: entering binds,
//! the body serves clients (each one's lines read with `async for`, over the line stream), and
//! leaving closes the listener and says so, on every path. Ctrl-C or `--seconds` cancels the
//! body: the exit still runs. Clients already connected are served until they leave, as
//! asyncio's `Server.close()` lets them; a second Ctrl-C quits at once.
//! `nc 127.0.0.1 7878` from other terminals. With `--auto` it picks a free port, stops after 2 s.

use std::future::{pending, poll_fn};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::pin;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Poll, Waker};
use std::time::Duration;

use shared::demo::{self, Flags};
use shared::echo::ServeOptions;
use shared::say;
use signal_hook::consts::SIGINT;
use signal_hook::iterator::Signals;
use step06_async_iter_ctx::echo::serve;
use step06_async_iter_ctx::{AioListener, Loop, async_with, context_from_generator, sleep};

const HELP: &str =
    "usage: async_with_server [OPTIONS]: each line a client sends comes back reversed
  --port P          port on 127.0.0.1 (default 7878; --auto: any free port)
  --seconds S       stop after S seconds (default: at Ctrl-C; --auto: 2)
  --max-line N      longest line accepted, in bytes (default 65536)
  --max-clients N   clients served at once; one more gets \"error: server full\" (default 1000)
  --idle-timeout S  hang up on a client silent for S seconds (default 60)
  --quiet           log connections only, not every line
  --auto            no terminal needed: any free port, stop after 2 s";

fn main() -> ExitCode {
    let valued = ["port", "seconds", "max-line", "max-clients", "idle-timeout"];
    let (flags, auto) = (Flags::parse(HELP, &valued, &["quiet"]), demo::is_auto());
    let defaults = ServeOptions::default();
    let options = ServeOptions {
        max_line: flags.value("max-line").unwrap_or(defaults.max_line),
        max_clients: flags.value("max-clients").unwrap_or(defaults.max_clients),
        log_lines: if flags.is_set("quiet") {
            0
        } else {
            defaults.log_lines
        },
        idle_timeout: flags
            .value("idle-timeout")
            .map_or(defaults.idle_timeout, Duration::from_secs),
        ..defaults
    };
    // In automatic runs, a free port: a demo must not fail because 7878 is taken.
    let port: u16 = flags.value("port").unwrap_or(if auto { 0 } else { 7878 });
    let seconds: Option<u64> = flags.value("seconds").or(auto.then_some(2));
    // A server's log must never stall it, whoever reads (or does not read) its output.
    shared::output::never_block();
    demo::exit_code(Loop::new().and_then(|event_loop| {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        event_loop.run_task(run(addr, seconds, options))?
    }))
}

/// Serves inside `async with server(addr)` until Ctrl-C or `seconds` cancel the body.
async fn run(addr: SocketAddr, seconds: Option<u64>, options: ServeOptions) -> io::Result<()> {
    let ctrl_c = ctrl_c()?;
    // The context manager, `@asynccontextmanager`-style: what comes before the yield is the
    // enter, what comes after is the exit, and it runs whatever became of the body.
    let server = context_from_generator(|mut co| async move {
        let listener = AioListener::bind(addr).map_err(|err| cannot_listen(addr, err))?;
        let addr = listener.local_addr()?;
        say(
            "server",
            format!(
                "listening on {addr}, lines up to {} bytes",
                options.max_line
            ),
        );
        let how = seconds.map_or("Ctrl-C to stop".into(), |s| format!("stops after {s} s"));
        say(
            "server",
            format!("try: nc {} {} ({how})", addr.ip(), addr.port()),
        );
        let (listener, outcome) = co.yield_(listener).await;
        drop(listener);
        say("server", format!("closed the listener ({outcome:?})"));
        outcome.into_result()
    });
    let serving = async_with(server, async |listener| serve(listener, options).await);
    let time_up = async move {
        match seconds {
            Some(seconds) => sleep(Duration::from_secs(seconds)).await,
            None => pending().await,
        }
    };
    let (mut serving, mut ctrl_c, mut time_up) = (pin!(serving), pin!(ctrl_c), pin!(time_up));
    // Whichever comes first: the server's end, or a signal to stop, which drops it mid-body.
    poll_fn(|cx| {
        if let Poll::Ready(served) = serving.as_mut().poll(cx) {
            return Poll::Ready(served.map(drop));
        }
        let why = match (ctrl_c.as_mut().poll(cx), time_up.as_mut().poll(cx)) {
            (Poll::Ready(()), _) => "Ctrl-C",
            (_, Poll::Ready(())) => "time is up",
            _ => return Poll::Pending,
        };
        say("server", format!("{why}: closing"));
        if why == "Ctrl-C" {
            say(
                "server",
                "clients connected are served till they leave; Ctrl-C again quits now",
            );
        }
        Poll::Ready(Ok(()))
    })
    .await
}

/// What to say when the port cannot be had: one clear line.
fn cannot_listen(addr: SocketAddr, err: io::Error) -> io::Error {
    io::Error::new(
        err.kind(),
        format!("cannot listen on {addr}: {}", demo::plain(&err)),
    )
}

/// Ends at the first Ctrl-C: a thread waits for the signal, then wakes the task that awaits it
/// (a wake from another thread, as step05 allows). A second Ctrl-C ends the process at once.
fn ctrl_c() -> io::Result<impl Future<Output = ()>> {
    let seen = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register_conditional_shutdown(SIGINT, 130, Arc::clone(&seen))?;
    let waiting: Arc<Mutex<Option<Waker>>> = Arc::default();
    let mut signals = Signals::new([SIGINT])?;
    let (set, wake) = (Arc::clone(&seen), Arc::clone(&waiting));
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            set.store(true, Ordering::SeqCst);
            let waker = wake.lock().unwrap_or_else(PoisonError::into_inner).take();
            waker.into_iter().for_each(Waker::wake);
        }
    });
    Ok(poll_fn(move |cx| {
        // The waker first, the flag second: a signal in between finds the waker and wakes it.
        *waiting.lock().unwrap_or_else(PoisonError::into_inner) = Some(cx.waker().clone());
        match seen.load(Ordering::SeqCst) {
            true => Poll::Ready(()),
            false => Poll::Pending,
        }
    }))
}
