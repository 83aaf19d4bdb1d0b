//! Run it: `cargo run -p step04-sockets --example echo_server -- --port 7878` (Ctrl-C to stop)
//!
//! A reverse-echo server for any number of clients at once: `nc 127.0.0.1 7878` from other
//! terminals. With `--auto`, or without a terminal, it picks a free port and stops after 2 s.

use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::Duration;

use shared::demo::{self, Flags};
use shared::echo::ServeOptions;
use shared::say;
use step04_sockets::echo::serve;
use step04_sockets::{AioListener, Loop};

const HELP: &str = "usage: echo_server [OPTIONS]: each line a client sends comes back reversed
  --port P          port on 127.0.0.1 (default 7878; --auto: any free port)
  --seconds S       stop after S seconds (default: never; --auto: 2)
  --max-line N      longest line accepted, in bytes (default 65536)
  --max-clients N   clients served at once; one more gets \"error: server full\" (default 1000)
  --quiet           log connections only, not every line
  --auto            no terminal needed: any free port, stop after 2 s";

fn main() -> ExitCode {
    let valued = ["port", "seconds", "max-line", "max-clients"];
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
        ..defaults
    };
    // In automatic runs, a free port: a demo must not fail because 7878 is taken.
    let port: u16 = flags.value("port").unwrap_or(if auto { 0 } else { 7878 });
    let listener = match AioListener::bind((Ipv4Addr::LOCALHOST, port)) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!(
                "error: cannot listen on 127.0.0.1:{port}: {}",
                demo::plain(&err)
            );
            return ExitCode::FAILURE;
        }
    };
    // A server's log must never stall it, whoever reads (or does not read) its output.
    shared::output::never_block();
    let seconds: Option<u64> = flags.value("seconds").or(auto.then_some(2));
    if let Some(seconds) = seconds {
        demo::exit_after(Duration::from_secs(seconds), "server");
    }
    // A server does not end on its own: say how it will.
    let stop = seconds.map_or("Ctrl-C to stop".into(), |s| format!("stops after {s} s"));
    demo::exit_code(listener.local_addr().and_then(|addr| {
        say(
            "server",
            format!(
                "listening on {addr}, lines up to {} bytes",
                options.max_line
            ),
        );
        let (ip, port) = (addr.ip(), addr.port());
        say("server", format!("try: nc {ip} {port} ({stop})"));
        Loop::new().run_task(serve(listener, options))
    }))
}
