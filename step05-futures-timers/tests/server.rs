//! The server with many clients at once, and with clients that misbehave: each client's
//! trouble ends that client's connection, never the server, and no client starves the others.
//! New with timers: a client silent for too long is told so and disconnected.
//!
//! Every test counts the open descriptors before and after, and runs within the time limit.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use shared::echo::{Client, IDLE, ServeOptions, reverse_line};
use shared::testing::{LATENESS, in_background, without_leaks};

use common::{Server, defaults};

/// How many clients the concurrency test runs at once.
const CLIENTS: usize = 100;

#[test]
fn a_hundred_clients_at_once_each_get_their_own_lines_back() {
    without_leaks(|| {
        let server = Server::start(CLIENTS, defaults());
        // Every client waits at the barrier after its first answer: a server that served clients
        // one after the other would never answer the second, and the test would fail.
        let barrier = Arc::new(Barrier::new(CLIENTS));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|id| {
                let (addr, barrier) = (server.addr, Arc::clone(&barrier));
                in_background(move || {
                    let mut client = Client::connect(addr)?;
                    for n in 0..3 {
                        let line = format!("client {id} line {n} {}", "é".repeat(id % 4));
                        let reply = client.request(line.as_bytes())?;
                        assert_eq!(reply, reverse_line(line.as_bytes()), "client {id}");
                        if n == 0 {
                            barrier.wait();
                        }
                    }
                    std::io::Result::Ok(())
                })
            })
            .collect();
        for client in clients {
            client.join().expect("a client failed");
        }
        let log = server.finish();
        let done = log.iter().filter(|l| l.ends_with("done, 3 lines")).count();
        assert_eq!(done, CLIENTS, "every client is reported done");
    });
}

#[test]
fn a_client_leaving_mid_line_is_reported_and_the_others_are_served() {
    without_leaks(|| {
        let server = Server::start(3, defaults());
        let mut steady = Client::connect(server.addr).unwrap();
        assert_eq!(steady.request(b"before").unwrap(), b"erofeb");
        let mut leaver = Client::connect(server.addr).unwrap();
        let leaver_addr = leaver.stream().local_addr().unwrap();
        leaver.stream().write_all(b"no newline").unwrap();
        drop(leaver);
        assert_eq!(steady.request(b"after").unwrap(), b"retfa");
        let mut newcomer = Client::connect(server.addr).unwrap();
        assert_eq!(newcomer.request(b"new").unwrap(), b"wen");
        drop((steady, newcomer));
        let log = server.finish();
        let expected = format!(
            "server: client {leaver_addr} error: ended mid-line (10 bytes without a newline)"
        );
        assert!(log.contains(&expected), "{log:#?}");
        assert_eq!(log.iter().filter(|l| l.contains(" done, ")).count(), 2);
    });
}

#[test]
fn a_client_that_closes_its_side_mid_line_is_told_why() {
    without_leaks(|| {
        let server = Server::start(1, defaults());
        let mut client = Client::connect(server.addr).unwrap();
        client.stream().write_all(b"one\nno newline").unwrap();
        // It writes no more, but it still reads: `printf 'one\nno newline' | nc -N`.
        client.stream().shutdown(Shutdown::Write).unwrap();
        assert_eq!(client.read_line().unwrap(), b"eno");
        let why = "error: ended mid-line (10 bytes without a newline)";
        assert_eq!(client.read_line().unwrap(), why.as_bytes());
        let after = client.read_line().unwrap_err();
        assert_eq!(
            after.kind(),
            ErrorKind::UnexpectedEof,
            "a clean end after it"
        );
        drop(client);
        let log = server.finish();
        assert!(log.iter().any(|l| l.ends_with(why)), "{log:#?}");
    });
}

#[test]
fn a_line_over_the_limit_gets_an_error_line_and_only_its_connection_closes() {
    without_leaks(|| {
        let options = ServeOptions {
            max_line: 16,
            ..defaults()
        };
        let server = Server::start(2, options);
        let mut steady = Client::connect(server.addr).unwrap();
        assert_eq!(steady.request(b"first").unwrap(), b"tsrif");
        let mut greedy = Client::connect(server.addr).unwrap();
        let reply = greedy.request(&[b'x'; 40]).unwrap();
        assert_eq!(reply, b"error: line longer than 16 bytes");
        // After its error line, the server closed the greedy connection...
        let after = greedy.read_line().unwrap_err();
        assert_eq!(after.kind(), ErrorKind::UnexpectedEof);
        // ...and still serves the steady one.
        assert_eq!(steady.request(b"second").unwrap(), b"dnoces");
        drop((steady, greedy));
        let log = server.finish();
        assert!(
            log.iter()
                .any(|l| l.ends_with("error: line longer than 16 bytes"))
        );
        assert!(log.iter().any(|l| l.ends_with("done, 2 lines")), "{log:#?}");
    });
}

#[test]
fn after_the_error_line_the_client_reads_a_clean_end_not_a_reset() {
    without_leaks(|| {
        let options = ServeOptions {
            max_line: 16,
            ..defaults()
        };
        let server = Server::start(1, options);
        let mut greedy = Client::connect(server.addr).unwrap();
        // Far more than the server reads at once: unread bytes on a closed socket would reset
        // the connection, and the client could lose the error line, or read a reset after it.
        greedy.stream().write_all(&[b'x'; 64 * 1024]).unwrap();
        assert_eq!(
            greedy.read_line().unwrap(),
            b"error: line longer than 16 bytes"
        );
        let mut rest = Vec::new();
        greedy
            .stream()
            .read_to_end(&mut rest)
            .expect("a clean end, not a reset");
        assert!(rest.is_empty(), "nothing after the error line");
        drop(greedy);
        server.finish();
    });
}

#[test]
fn the_server_survives_a_client_reset() {
    without_leaks(|| {
        let server = Server::start(2, defaults());
        let mut victim = TcpStream::connect(server.addr).unwrap();
        let victim_addr = victim.local_addr().unwrap();
        victim.write_all(b"hello\n").unwrap();
        // Wait for the reply and leave it unread: closing a socket with unread data sends a reset
        // (RST) instead of an orderly end of stream.
        victim.read_exact(&mut [0; 1]).unwrap();
        drop(victim);
        let mut next = Client::connect(server.addr).unwrap();
        assert_eq!(next.request(b"still here").unwrap(), b"ereh llits");
        drop(next);
        let log = server.finish();
        let report = format!("server: client {victim_addr} ");
        let line = log
            .iter()
            .find(|l| l.starts_with(&report) && !l.ends_with("connected"));
        assert!(line.is_some(), "{log:#?}");
    });
}

#[test]
fn a_client_that_floods_does_not_starve_the_others() {
    without_leaks(|| {
        let options = ServeOptions {
            log_lines: 0,
            ..defaults()
        };
        let server = Server::start(2, options);
        // The flooder sends lines as fast as it can and reads every reply, so its socket is always
        // ready on the server's side: without a yield per batch, its task would never give way.
        let flooding = Arc::new(AtomicBool::new(true));
        let mut flooder = TcpStream::connect(server.addr).unwrap();
        let mut drain = flooder.try_clone().unwrap();
        let reader = in_background(move || {
            let mut buf = vec![0; 64 * 1024];
            while drain.read(&mut buf).is_ok_and(|n| n > 0) {}
        });
        let keep_on = Arc::clone(&flooding);
        let writer = in_background(move || {
            let lines = b"flood\n".repeat(1000);
            let started = Instant::now();
            // Stop by itself after 20 s, so that a starving server fails the test, not hangs it.
            while keep_on.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(20) {
                if flooder.write_all(&lines).is_err() {
                    break;
                }
            }
            let _ = flooder.shutdown(Shutdown::Write);
        });
        std::thread::sleep(Duration::from_millis(200)); // the flood is under way
        let started = Instant::now();
        let reply = Client::connect(server.addr).unwrap().request(b"me too");
        let waited = started.elapsed();
        flooding.store(false, Ordering::Relaxed);
        writer.join();
        reader.join();
        assert_eq!(reply.unwrap(), b"oot em");
        assert!(
            waited < Duration::from_secs(5),
            "a round trip took {waited:?} during the flood"
        );
        server.finish();
    });
}

#[test]
fn one_client_too_many_is_told_the_server_is_full() {
    without_leaks(|| {
        let options = ServeOptions {
            max_clients: 2,
            ..defaults()
        };
        // The server stops after this many connections: the test makes them all.
        const CONNECTIONS: usize = 12;
        let server = Server::start(CONNECTIONS, options);
        let mut first = Client::connect(server.addr).unwrap();
        let mut second = Client::connect(server.addr).unwrap();
        assert_eq!(first.request(b"1").unwrap(), b"1");
        assert_eq!(second.request(b"2").unwrap(), b"2");
        let mut third = Client::connect(server.addr).unwrap();
        assert_eq!(third.read_line().unwrap(), b"error: server full");
        drop((first, third));
        // A seat frees up once the server has seen the first client leave: the next one is served
        // (after a few tries turned away, if they come before the server noticed).
        let mut made = 3;
        let (fourth, reply) = loop {
            let mut next = Client::connect(server.addr).unwrap();
            made += 1;
            let reply = next.request(b"4").unwrap();
            if reply != b"error: server full" || made == CONNECTIONS {
                break (next, reply);
            }
            std::thread::sleep(LATENESS / (CONNECTIONS as u32 - 3));
        };
        let reply = String::from_utf8_lossy(&reply);
        assert_ne!(
            reply, "error: server full",
            "still full after {made} connections"
        );
        for _ in made..CONNECTIONS {
            drop(Client::connect(server.addr).unwrap());
        }
        drop((second, fourth));
        let log = server.finish();
        assert!(
            log.iter().any(|l| l.ends_with("turned away: server full")),
            "{log:#?}"
        );
    });
}

#[test]
fn the_log_shows_a_few_lines_per_client_not_every_line() {
    without_leaks(|| {
        let server = Server::start(1, defaults());
        let mut client = Client::connect(server.addr).unwrap();
        for n in 0..100 {
            assert_eq!(client.request(b"ab").unwrap(), b"ba", "line {n}");
        }
        drop(client);
        let log = server.finish();
        // connected + 10 lines + "more lines, not logged" + done.
        assert_eq!(log.len(), 13, "{log:#?}");
    });
}

#[test]
fn a_client_gone_before_its_first_line_is_reported_by_its_address() {
    without_leaks(|| {
        let server = Server::start(1, defaults());
        let early = TcpStream::connect(server.addr).unwrap();
        let early_addr = early.local_addr().unwrap();
        drop(early);
        let log = server.finish();
        let done = format!("server: client {early_addr} done, 0 lines");
        assert!(log.contains(&done), "{log:#?}");
    });
}

#[test]
fn a_silent_client_is_told_so_and_disconnected_after_the_idle_timeout() {
    without_leaks(|| {
        let idle_timeout = Duration::from_millis(300);
        let options = ServeOptions {
            idle_timeout,
            ..defaults()
        };
        let server = Server::start(1, options);
        let mut client = Client::connect(server.addr).unwrap();
        let client_addr = client.stream().local_addr().unwrap();
        // The server's clock starts once it has answered: after this one, on the client's side.
        let silent_since = Instant::now();
        assert_eq!(client.request(b"hi").unwrap(), b"ih");
        // Now silent: the server's `recv` gives up after `idle_timeout`, says why, and hangs up.
        let told = client.read_line().unwrap();
        let silent_for = silent_since.elapsed();
        assert_eq!(told, IDLE.strip_suffix(b"\n").unwrap());
        assert_eq!(told, b"error: idle for too long");
        assert!(silent_for >= idle_timeout, "told after {silent_for:?}");
        assert!(
            silent_for < Duration::from_secs(5),
            "told after {silent_for:?}"
        );
        let after = client.read_line().unwrap_err();
        assert_eq!(after.kind(), ErrorKind::UnexpectedEof, "then disconnected");
        drop(client);
        let log = server.finish();
        let expected = format!("server: client {client_addr} error: timed out");
        assert!(log.contains(&expected), "{log:#?}");
    });
}

#[test]
fn the_idle_timeout_counts_silence_not_the_length_of_the_visit() {
    without_leaks(|| {
        let idle_timeout = Duration::from_millis(800);
        let options = ServeOptions {
            idle_timeout,
            ..defaults()
        };
        let server = Server::start(1, options);
        let mut client = Client::connect(server.addr).unwrap();
        // Ten pauses of an eighth of the timeout: a visit longer than the timeout, never silent
        // for long, even if a pause runs late by `LATENESS`. (A timer armed once per connection
        // instead of once per read would fail here.)
        assert!(idle_timeout / 8 + LATENESS < idle_timeout);
        for n in 0..10 {
            std::thread::sleep(idle_timeout / 8);
            let line = format!("line {n}");
            let reply = client.request(line.as_bytes()).unwrap();
            assert_eq!(reply, reverse_line(line.as_bytes()), "line {n}");
        }
        drop(client);
        let log = server.finish();
        assert!(log.last().unwrap().ends_with("done, 10 lines"), "{log:#?}");
    });
}
