//! The sockets themselves: a round trip, errors with the kind the system gave, descriptors
//! closed, and the step's idea — a socket that is not ready yields to the other tasks.
//!
//! Every test counts the open descriptors before and after (a socket that is not closed on some
//! path shows up here), and runs within the time limit.

mod common;

use std::cell::Cell;
use std::future::Future;
use std::io::{self, ErrorKind, Write};
use std::net::{Ipv4Addr, Ipv6Addr, TcpStream};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use shared::Trace;
use shared::echo::{Client, ServeOptions};
use shared::testing::{free_port, open_fds, without_leaks};
use step04_sockets::echo::serve;
use step04_sockets::{AioListener, AioStream, Loop, interrupt};

use common::{Server, defaults};

#[test]
fn lines_come_back_reversed() {
    without_leaks(|| {
        let server = Server::start(1, defaults());
        let mut client = Client::connect(server.addr).unwrap();
        for (line, reply) in [("hello", "olleh"), ("café", "éfac"), ("", "")] {
            assert_eq!(client.request(line.as_bytes()).unwrap(), reply.as_bytes());
        }
        drop(client);
        let log = server.finish();
        assert!(log.last().unwrap().ends_with("done, 3 lines"), "{log:#?}");
    });
}

#[test]
fn a_1_mib_line_arrives_whole_and_comes_back_reversed() {
    without_leaks(|| {
        let max_line = 1024 * 1024;
        let options = ServeOptions {
            max_line,
            ..defaults()
        };
        let server = Server::start(1, options);
        let line: Vec<u8> = (0..max_line).map(|i| b'a' + (i % 26) as u8).collect();
        let reply = Client::connect(server.addr)
            .unwrap()
            .request(&line)
            .unwrap();
        let expected: Vec<u8> = line.iter().rev().copied().collect();
        assert!(reply == expected, "the reply is not the line reversed");
        server.finish();
    });
}

#[test]
fn ipv6_works_too() {
    without_leaks(|| {
        // A machine without IPv6 loopback cannot bind ::1 at all: nothing to test there.
        let Ok(listener) = AioListener::bind((Ipv6Addr::LOCALHOST, 0)) else {
            eprintln!("skipped: no IPv6 loopback here");
            return;
        };
        let addr = listener.local_addr().unwrap();
        let event_loop = Loop::new();
        let options = ServeOptions {
            stop_after: Some(1),
            ..defaults()
        };
        event_loop.add_task(async move { serve(listener, options).await.expect("serve") });
        let reply = event_loop.run_task(async move {
            let stream = AioStream::connect(addr).await?;
            stream.send_all(b"v6\n").await?;
            let mut buf = [0; 16];
            let n = stream.recv(&mut buf).await?;
            io::Result::Ok(buf[..n].to_vec())
        });
        assert_eq!(reply.unwrap(), b"6v\n");
    });
}

#[test]
fn connecting_where_nobody_listens_is_connection_refused() {
    without_leaks(|| {
        let addr = free_port().unwrap();
        let result = Loop::new().run_task(AioStream::connect(addr)).map(drop);
        assert_eq!(result.unwrap_err().kind(), ErrorKind::ConnectionRefused);
    });
}

#[test]
fn binding_a_port_in_use_is_addr_in_use() {
    without_leaks(|| {
        let first = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let second = AioListener::bind(first.local_addr().unwrap());
        assert_eq!(second.unwrap_err().kind(), ErrorKind::AddrInUse);
    });
}

#[test]
fn dropping_a_stream_closes_it() {
    let counts = without_leaks(|| {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let with_listener = open_fds()?;
        Loop::new().run_task(async move {
            let client = AioStream::connect(addr).await?;
            let (accepted, _) = listener.accept().await?;
            let connected = open_fds()?;
            drop((client, accepted)); // the talk's `with sock:` block ends
            io::Result::Ok((with_listener, connected, open_fds()?))
        })
    });
    let (with_listener, connected, closed) = counts.unwrap();
    assert_eq!(connected, with_listener + 2, "one socket per end");
    assert_eq!(closed, with_listener);
}

/// A future that counts how often it is polled.
struct Counted<F> {
    /// The future being counted, boxed to stay pinned.
    inner: Pin<Box<F>>,
    /// Polls so far, shared with the test.
    polls: Rc<Cell<usize>>,
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.set(self.polls.get() + 1);
        self.inner.as_mut().poll(cx)
    }
}

#[test]
fn recv_on_a_quiet_socket_yields_and_another_task_runs_meanwhile() {
    let (events, polls) = without_leaks(|| {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let mut peer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let trace = Trace::new();
        let polls = Rc::new(Cell::new(0));
        let event_loop = Loop::new();
        let (reader_trace, reader_polls) = (trace.clone(), Rc::clone(&polls));
        event_loop.add_task(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let mut buf = [0; 16];
            let recv = Counted {
                inner: Box::pin(stream.recv(&mut buf)),
                polls: reader_polls,
            };
            let n = recv.await.unwrap();
            reader_trace.record(format!("recv: {:?}", String::from_utf8_lossy(&buf[..n])));
        });
        let writer_trace = trace.clone();
        event_loop.add_task(async move {
            for turn in 1..=3 {
                writer_trace.record(format!("other task, turn {turn}"));
                interrupt().await;
            }
            peer.write_all(b"hi").unwrap();
            writer_trace.record("the peer wrote");
        });
        event_loop.run();
        (trace.events(), polls.get())
    });
    // While nothing came, `recv` returned Pending and the other task ran; then it was Ready.
    let expected = [
        "other task, turn 1",
        "other task, turn 2",
        "other task, turn 3",
        "the peer wrote",
        "recv: \"hi\"",
    ];
    assert_eq!(events, expected);
    assert!(
        polls >= 4,
        "recv was polled {polls} times: Pending each turn, then Ready"
    );
}

#[test]
fn serve_outside_a_loop_is_an_error_not_a_panic() {
    let poll = without_leaks(|| {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        // Polled by hand, with no loop running: `Loop::current()` has nothing to give.
        let mut server = std::pin::pin!(serve(listener, defaults()));
        server
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
    });
    assert!(matches!(poll, Poll::Ready(Err(_))), "{poll:?}");
}

#[test]
fn after_a_panic_the_loop_drops_its_server_and_closes_every_socket() {
    let crashed = without_leaks(|| {
        std::panic::catch_unwind(|| {
            let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            let addr = listener.local_addr().unwrap();
            let event_loop = Loop::new();
            // `serve` holds a handle to its loop, and the loop holds `serve`: a cycle.
            event_loop.add_task(async move { serve(listener, defaults()).await.unwrap() });
            event_loop.add_task(async move {
                let _client = TcpStream::connect(addr).unwrap();
                for _ in 0..10 {
                    interrupt().await; // the server accepts it meanwhile
                }
                panic!("one task fails");
            });
            event_loop.run();
        })
        .is_err()
    });
    assert!(crashed);
    // And, checked as `without_leaks` returned: the listener, the accepted connection and the
    // client are all closed.
}
