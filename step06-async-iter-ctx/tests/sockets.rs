//! The sockets on the reactor: a round trip, errors with the kind the system gave, descriptors
//! closed, and the step's idea — a socket that is not ready puts its task to sleep until the
//! system says it is, and nothing else waits meanwhile, not even for a `connect`.
//!
//! Every test counts the open descriptors before and after (a socket that is not closed on some
//! path shows up here), and runs within the time limit.

mod common;

use std::cell::Cell;
use std::io::{self, ErrorKind, Write};
use std::net::{Ipv4Addr, Ipv6Addr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use shared::Trace;
use shared::echo::{Client, ServeOptions};
use shared::testing::{free_port, open_fds, without_leaks};
use step06_async_iter_ctx::echo::serve;
use step06_async_iter_ctx::{AioListener, AioStream, Loop, gather, interrupt, sleep, timeout};

use common::{Counted, Server, defaults};

/// Shorthand for a number of milliseconds.
fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

#[test]
fn lines_come_back_reversed() {
    without_leaks(|| {
        let server = Server::start(1, defaults());
        let mut client = Client::connect(server.addr).unwrap();
        // Each reply needs a wake from the reactor: a lost readiness event leaves the client
        // waiting, and `Client` gives up after 30 s.
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
        // Far more than a socket buffer: many reads and many partial writes, each after a wait.
        // An edge-triggered reactor never says "ready" twice: a read or write that stopped
        // before `WouldBlock` and then waited would hang here.
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
    let reply = without_leaks(|| {
        // A machine without IPv6 loopback cannot bind ::1 at all: nothing to test there.
        let Ok(listener) = AioListener::bind((Ipv6Addr::LOCALHOST, 0)) else {
            return None;
        };
        let addr = listener.local_addr().unwrap();
        let event_loop = Loop::new().unwrap();
        let options = ServeOptions {
            stop_after: Some(1),
            ..defaults()
        };
        event_loop.add_task(async move { serve(&listener, options).await.expect("serve") });
        // The server's log is captured, not printed among the test results.
        let (reply, _log) = shared::capture(|| {
            event_loop.run_task(async move {
                let stream = AioStream::connect(addr).await?;
                stream.send_all(b"v6\n").await?;
                let mut buf = [0; 16];
                let n = stream.recv(&mut buf).await?;
                io::Result::Ok(buf[..n].to_vec())
            })
        });
        Some(reply.unwrap())
    });
    match reply {
        Some(reply) => assert_eq!(reply.unwrap(), b"6v\n"),
        None => eprintln!("skipped: no IPv6 loopback here"),
    }
}

#[test]
fn connecting_where_nobody_listens_is_refused_and_the_loop_goes_on_meanwhile() {
    let events = without_leaks(|| {
        let addr = free_port().unwrap();
        let trace = Trace::new();
        let refused = Rc::new(Cell::new(false));
        let event_loop = Loop::new().unwrap();
        let (connect_trace, done) = (trace.clone(), Rc::clone(&refused));
        event_loop.add_task(async move {
            let outcome = AioStream::connect(addr).await.map(drop);
            connect_trace.record(format!("connect: {:?}", outcome.map_err(|e| e.kind())));
            done.set(true);
        });
        let other_trace = trace.clone();
        event_loop.add_task(async move {
            let mut turn = 0;
            while !refused.get() {
                turn += 1;
                other_trace.record(format!("other task, turn {turn}"));
                interrupt().await;
            }
        });
        event_loop.run().unwrap();
        trace.events()
    });
    // The system answers a connect later, even on loopback: meanwhile the other task ran.
    // (Step04's connect blocked the loop until the answer came.)
    assert_eq!(events[0], "other task, turn 1", "{events:?}");
    let refusal = "connect: Err(ConnectionRefused)".to_owned();
    assert!(events.contains(&refusal), "{events:?}");
}

#[test]
fn a_connect_that_takes_long_never_freezes_the_loop() {
    let (connected, timed_out, ticks, took) = without_leaks(|| {
        // A listener that never accepts: once its backlog (128) is full, the system drops
        // further connection requests, and their `connect` waits (the client retries after a
        // second).
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let event_loop = Loop::new().unwrap();
        let ticks = Rc::new(Cell::new(0));
        let counted = Rc::clone(&ticks);
        event_loop.add_task(async move {
            for _ in 0..20 {
                sleep(ms(10)).await;
                counted.set(counted.get() + 1);
            }
        });
        let started = Instant::now();
        let attempts = (0..200).map(move |_| timeout(ms(300), AioStream::connect(addr)));
        let outcomes = event_loop.run_task(gather(attempts)).unwrap();
        let connected = outcomes.iter().filter(|o| o.is_ok()).count();
        let timed_out = outcomes
            .iter()
            .filter(|o| o.as_ref().is_err_and(|e| e.kind() == ErrorKind::TimedOut))
            .count();
        (connected, timed_out, ticks.get(), started.elapsed())
    });
    assert!(connected > 0, "no connection got into the backlog");
    assert!(timed_out > 0, "no connect had to wait: nothing was tested");
    // While 200 connects were under way, the ticker's 20 naps of 10 ms went on as usual.
    assert_eq!(ticks, 20);
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn binding_a_port_in_use_is_addr_in_use() {
    without_leaks(|| {
        let first = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        // The system's error, with its kind: not swallowed, not replaced by another.
        let second = AioListener::bind(first.local_addr().unwrap());
        assert_eq!(second.unwrap_err().kind(), ErrorKind::AddrInUse);
        drop(first);
    });
}

#[test]
fn dropping_a_stream_closes_it() {
    let counts = without_leaks(|| {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        Loop::new()?.run_task(async move {
            // Counted inside the loop: its poller and its alarm are open by now.
            let with_listener = open_fds()?;
            let client = AioStream::connect(addr).await?;
            let (accepted, _) = listener.accept().await?;
            let connected = open_fds()?;
            drop((client, accepted)); // the talk's `with sock:` block ends
            io::Result::Ok((with_listener, connected, open_fds()?))
        })?
    });
    let (with_listener, connected, closed) = counts.unwrap();
    assert_eq!(connected, with_listener + 2, "one socket per end");
    assert_eq!(closed, with_listener);
}

#[test]
fn recv_on_a_quiet_socket_sleeps_until_the_data_comes() {
    let (events, polls) = without_leaks(|| {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let mut peer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let trace = Trace::new();
        let polls = Rc::new(Cell::new(0));
        let event_loop = Loop::new().unwrap();
        let (reader_trace, reader_polls) = (trace.clone(), Rc::clone(&polls));
        event_loop.add_task(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let mut buf = [0; 16];
            let n = Counted::new(stream.recv(&mut buf), &reader_polls)
                .await
                .unwrap();
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
        event_loop.run().unwrap();
        (trace.events(), polls.get())
    });
    let expected = [
        "other task, turn 1",
        "other task, turn 2",
        "other task, turn 3",
        "the peer wrote",
        "recv: \"hi\"",
    ];
    assert_eq!(events, expected);
    // Step04 asked the quiet socket on every turn; here `recv` is `Pending` once, then woken
    // by the reactor when the bytes came, and `Ready`.
    assert_eq!(polls, 2, "recv was polled {polls} times");
}

#[test]
fn a_stream_connected_in_one_loop_can_wait_in_another() {
    // A socket that waits in a second loop registers with that loop's reactor: otherwise its
    // waker would sit with the first reactor, which nobody polls any more.
    let reply = without_leaks(|| {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        // `connect` waits once, for the handshake: the stream registers with this first loop.
        let stream = Loop::new()?.run_task(AioStream::connect(addr))??;
        let (mut peer, _) = listener.accept()?;
        let writer = std::thread::spawn(move || {
            std::thread::sleep(ms(100));
            peer.write_all(b"hi").map(|()| peer)
        });
        let reply = Loop::new()?.run_task(async move {
            let mut buf = [0; 8];
            let n = timeout(Duration::from_secs(2), stream.recv(&mut buf)).await?;
            io::Result::Ok(buf[..n].to_vec())
        })?;
        let peer = writer.join().expect("the writer thread");
        drop(peer);
        reply
    });
    assert_eq!(reply.unwrap(), b"hi");
}

#[test]
fn serve_outside_a_loop_is_an_error_not_a_panic() {
    without_leaks(|| {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let poll = {
            // Polled by hand, with no loop running: `Loop::current()` has nothing to give.
            let mut server = std::pin::pin!(serve(&listener, defaults()));
            server
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
        };
        assert!(matches!(poll, Poll::Ready(Err(_))), "{poll:?}");
    });
}

#[test]
fn after_a_panic_the_loop_drops_its_server_and_closes_every_socket() {
    let crashed = without_leaks(|| {
        let (crashed, _log) = shared::capture(|| {
            catch_unwind(AssertUnwindSafe(|| {
                let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
                let addr = listener.local_addr().unwrap();
                let event_loop = Loop::new().unwrap();
                // `serve` holds a handle to its loop, and the loop holds `serve`: a cycle.
                event_loop.add_task(async move { serve(&listener, defaults()).await.unwrap() });
                event_loop.add_task(async move {
                    let _client = AioStream::connect(addr).await.unwrap();
                    // The server accepts it meanwhile, and waits for its first line.
                    sleep(ms(50)).await;
                    panic!("one task fails");
                });
                event_loop.run()
            }))
        });
        crashed.is_err()
    });
    assert!(crashed);
    // And, checked as `without_leaks` returned: the listener, the accepted connection, the
    // client, the poller and its alarm are all closed.
}
