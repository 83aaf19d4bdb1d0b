//! Run it: `cargo run -p step04-sockets --example echo_server -- --port 7878` (Ctrl-C to stop)
//!
//! Flags: `--port P` (default 7878), `--seconds S` (stop after S seconds), `--max-line N`
//! (longest line accepted, default 1 MiB), `--auto`.
//!
//! A reverse-echo server for any number of clients at once; talk to it with `nc 127.0.0.1 7878`
//! from other terminals. It stops on Ctrl-C, or after `--seconds`. With `--auto`, or when stdin
//! is not a terminal, it stops after 2 seconds and picks a free port unless told otherwise.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use shared::say;
use step04_sockets::echo::{DEFAULT_MAX_LINE, ServeOptions, serve};
use step04_sockets::{AioListener, Loop};

/// The port used on a terminal when `--port` is not given.
const DEFAULT_PORT: u16 = 7878;

/// How long an automatic run lasts when `--seconds` is not given.
const AUTO_SECONDS: u64 = 2;

/// The one line printed for bad flags.
const USAGE: &str = "usage: echo_server [--port P] [--seconds S] [--max-line N] [--auto]";

/// What the command line asked for.
#[derive(Debug)]
struct Args {
    /// `--port`, if given.
    port: Option<u16>,
    /// `--seconds`, if given.
    seconds: Option<u64>,
    /// `--max-line`, or the protocol's default.
    max_line: usize,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message} ({USAGE})");
            return ExitCode::from(2);
        }
    };
    let auto = shared::demo::is_auto();
    // In automatic runs, a free port: a demo must not fail because 7878 is taken.
    let port = args.port.unwrap_or(if auto { 0 } else { DEFAULT_PORT });
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = match AioListener::bind(addr) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("error: cannot listen on {addr}: {}", plain(&err));
            return ExitCode::FAILURE;
        }
    };
    if let Some(seconds) = args.seconds.or(auto.then_some(AUTO_SECONDS)) {
        stop_after(Duration::from_secs(seconds));
    }
    match run(listener, args.max_line) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", plain(&err));
            ExitCode::FAILURE
        }
    }
}

/// Serves forever: the process ends by Ctrl-C or by `stop_after`'s thread.
fn run(listener: AioListener, max_line: usize) -> io::Result<()> {
    let addr = listener.local_addr()?;
    say(
        "server",
        format!("listening on {addr}, lines up to {max_line} bytes"),
    );
    say("server", format!("try: nc {} {}", addr.ip(), addr.port()));
    let options = ServeOptions {
        max_line,
        max_clients: None,
    };
    Loop::new().run_task(serve(listener, options))
}

/// Ends the whole process after `delay`, from a thread of its own.
///
/// The loop cannot do it itself: this step has no timers (step05 brings them), and the server
/// task never ends on its own. A thread that sleeps, then exits the process, is the simplest
/// stop from the outside; the system closes every socket as the process ends.
fn stop_after(delay: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        say("server", "time is up");
        std::process::exit(0);
    });
}

/// Reads `--port P`, `--seconds S`, `--max-line N` and `--auto`, in any order.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        port: None,
        seconds: None,
        max_line: DEFAULT_MAX_LINE,
    };
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--auto" => {} // read by `shared::demo::is_auto`
            "--port" => parsed.port = Some(value(&flag, args.next())?),
            "--seconds" => parsed.seconds = Some(value(&flag, args.next())?),
            "--max-line" => parsed.max_line = value(&flag, args.next())?,
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(parsed)
}

/// Parses the value that follows `flag`, or says what is wrong with it.
fn value<T: std::str::FromStr>(flag: &str, text: Option<String>) -> Result<T, String> {
    let text = text.ok_or_else(|| format!("{flag} needs a value"))?;
    text.parse()
        .map_err(|_| format!("{flag}: {text:?} is not a valid number"))
}

/// An error as one plain phrase: `address already in use` rather than Rust's
/// `Address already in use (os error 98)`.
fn plain(err: &io::Error) -> String {
    let text = err.to_string();
    let text = match err.raw_os_error() {
        Some(code) => text.replace(&format!(" (os error {code})"), ""),
        None => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}
