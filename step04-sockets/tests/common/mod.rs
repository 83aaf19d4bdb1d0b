//! What the socket tests share: a reverse-echo server on a thread of its own.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use shared::echo::ServeOptions;
use shared::testing::{Background, in_background};
use step04_sockets::echo::serve;
use step04_sockets::{AioListener, Loop};

/// A reverse-echo server running its own loop on its own thread, for blocking test clients.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The thread: what `serve` returned, and every line it logged.
    running: Background<(io::Result<()>, Vec<String>)>,
}

impl Server {
    /// Starts a server that stops accepting after `clients` connections, with the other
    /// options as given.
    pub fn start(clients: usize, options: ServeOptions) -> Server {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind port 0");
        let addr = listener.local_addr().expect("local address");
        let options = ServeOptions {
            stop_after: Some(clients),
            ..options
        };
        let running = in_background(move || {
            shared::capture(|| Loop::new().run_task(serve(listener, options)))
        });
        Server { addr, running }
    }

    /// Waits (within the time limit) until every client is served, and returns the log.
    pub fn finish(self) -> Vec<String> {
        let (served, log) = self.running.join();
        served.expect("the server failed");
        log
    }
}

/// Default options.
pub fn defaults() -> ServeOptions {
    ServeOptions::default()
}
