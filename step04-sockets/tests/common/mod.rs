//! What the socket tests share: a time limit, and a server to talk to.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use step04_sockets::echo::{ServeOptions, serve};
use step04_sockets::{AioListener, Loop};

/// How long one socket test may take before it counts as stuck. Generous on purpose: a slow CI
/// machine must not fail a correct test, and a stuck one fails anyway instead of hanging.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

/// Runs `test` on a thread of its own and returns its value, or fails after [`TIME_LIMIT`].
///
/// A bug in a socket test usually leaves a task waiting for bytes that never come, and a loop
/// with a waiting task never ends: without a limit, the whole test run would hang.
pub fn bounded<T: Send + 'static>(test: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let _ = done.send(test());
    });
    match result.recv_timeout(TIME_LIMIT) {
        Ok(value) => {
            let _ = thread.join();
            value
        }
        // The test panicked before sending: fail with its own message.
        Err(RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("the test thread ended without a result"),
        },
        Err(RecvTimeoutError::Timeout) => {
            panic!("still running after {TIME_LIMIT:?}: a task is probably waiting forever")
        }
    }
}

/// Options for a server that accepts `clients` clients, then stops accepting.
pub fn accepting(clients: usize) -> ServeOptions {
    ServeOptions {
        max_clients: Some(clients),
        ..ServeOptions::default()
    }
}

/// Runs a reverse-echo server and the future built by `clients` in one loop, within the time
/// limit; returns that future's value and every line printed meanwhile (`server: ...`).
///
/// The server must not fail; `options.max_clients` must be the number of connections
/// `clients` makes, or the server waits for one more until the time limit.
pub fn with_server<T, F>(
    options: ServeOptions,
    clients: impl FnOnce(SocketAddr) -> F + Send + 'static,
) -> (T, Vec<String>)
where
    T: Send + 'static,
    F: Future<Output = T> + 'static,
{
    bounded(move || {
        shared::capture(move || {
            let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind port 0");
            let addr = listener.local_addr().expect("local address");
            let event_loop = Loop::new();
            event_loop.add_task(async move { serve(listener, options).await.expect("server") });
            event_loop.run_task(clients(addr))
        })
    })
}
