//! The server with many clients at once, and with clients that misbehave: each client's
//! trouble ends that client's connection, never the server.
//!
//! Every test counts the open descriptors before and after.

mod common;

use std::cell::{Cell, RefCell};
use std::io::{self, ErrorKind};
use std::net::{Ipv4Addr, Shutdown, SocketAddr};
use std::os::fd::AsRawFd;
use std::rc::Rc;

use shared::testing::FdCheck;
use step04_sockets::echo::{EchoClient, ServeOptions, handle_client, reverse_line};
use step04_sockets::net::wait_readable;
use step04_sockets::{AioListener, AioStream, Loop, interrupt};

use common::{accepting, bounded, with_server};

/// How many clients the concurrency test runs at once.
const CLIENTS: usize = 100;

/// How many lines each of them sends.
const LINES: usize = 3;

/// One client of the concurrency test: sends its own lines, some in two pieces, and checks that
/// each reply is its own line reversed.
async fn chatty_client(addr: SocketAddr, id: usize) -> io::Result<()> {
    let mut client = EchoClient::connect(addr).await?;
    for n in 0..LINES {
        let line = format!("client {id} line {n} {}", "é".repeat(id % 4));
        // Half the lines go out in two pieces, with a turn of the loop in between.
        if (id + n) % 2 == 0 {
            let (head, tail) = line.as_bytes().split_at(line.len() / 2);
            client.stream().send_all(head).await?;
            interrupt().await;
            client.send_line(tail).await?;
        } else {
            client.send_line(line.as_bytes()).await?;
        }
        let reply = client.read_line().await?;
        if reply != reverse_line(line.as_bytes()) {
            let reply = String::from_utf8_lossy(&reply);
            return Err(io::Error::other(format!("{line:?} came back as {reply:?}")));
        }
    }
    Ok(())
}

#[test]
fn a_hundred_clients_at_once_each_get_their_own_lines_back() {
    let fds = FdCheck::begin();
    let (outcomes, log) = with_server(accepting(CLIENTS), |addr| async move {
        // Every client is a task of the same loop as the server; this one waits for them all.
        let outcomes = Rc::new(RefCell::new(Vec::new()));
        let event_loop = Loop::current().expect("inside the loop");
        for id in 0..CLIENTS {
            let outcomes = Rc::clone(&outcomes);
            event_loop.add_task(async move {
                let outcome = chatty_client(addr, id).await;
                outcomes.borrow_mut().push((id, outcome));
            });
        }
        while outcomes.borrow().len() < CLIENTS {
            interrupt().await;
        }
        outcomes.take()
    });
    let failed: Vec<_> = outcomes.iter().filter(|(_, o)| o.is_err()).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let done = log.iter().filter(|l| l.ends_with("done, 3 lines")).count();
    assert_eq!(done, CLIENTS, "every client is reported done");
    // They really ran side by side: one after the other, the first client would be done
    // after exactly its own 3 answers.
    let first_done = log
        .iter()
        .position(|l| l.ends_with("done, 3 lines"))
        .unwrap();
    let answers_before = log[..first_done]
        .iter()
        .filter(|l| l.contains(" -> "))
        .count();
    assert!(answers_before > LINES, "clients ran one after the other");
    fds.assert_no_leak();
}

#[test]
fn a_client_leaving_mid_line_is_reported_and_the_others_are_served() {
    let fds = FdCheck::begin();
    let (result, log) = with_server(accepting(3), |addr| async move {
        let mut steady = EchoClient::connect(addr).await?;
        assert_eq!(steady.request(b"before").await?, b"erofeb");
        let leaver = AioStream::connect(addr).await?;
        let leaver_addr = leaver.local_addr()?;
        leaver.send_all(b"no newline").await?;
        drop(leaver);
        assert_eq!(steady.request(b"after").await?, b"retfa");
        let mut newcomer = EchoClient::connect(addr).await?;
        assert_eq!(newcomer.request(b"new").await?, b"wen");
        io::Result::Ok(leaver_addr)
    });
    let leaver = result.unwrap();
    let expected = format!(
        "server: client {leaver} error: connection closed in the middle of a line \
         (10 bytes without a newline)"
    );
    assert!(log.contains(&expected), "{log:#?}");
    assert_eq!(log.iter().filter(|l| l.contains(" done, ")).count(), 2);
    fds.assert_no_leak();
}

#[test]
fn a_line_over_the_limit_gets_an_error_line_and_only_its_connection_closes() {
    let fds = FdCheck::begin();
    let options = ServeOptions {
        max_line: 16,
        max_clients: Some(2),
    };
    let (result, log) = with_server(options, |addr| async move {
        let mut steady = EchoClient::connect(addr).await?;
        assert_eq!(steady.request(b"first").await?, b"tsrif");
        let mut greedy = EchoClient::connect(addr).await?;
        let reply = greedy.request(&[b'x'; 40]).await?;
        // After its error line, the server closed the greedy connection...
        let after = greedy.read_line().await.map(drop);
        // ...and still serves the steady one.
        assert_eq!(steady.request(b"second").await?, b"dnoces");
        io::Result::Ok((reply, after))
    });
    let (reply, after) = result.unwrap();
    assert_eq!(reply, b"error: line longer than 16 bytes");
    assert_eq!(after.unwrap_err().kind(), ErrorKind::UnexpectedEof);
    assert!(
        log.iter()
            .any(|l| l.ends_with("error: line longer than 16 bytes"))
    );
    assert!(log.iter().any(|l| l.ends_with("done, 2 lines")), "{log:#?}");
    fds.assert_no_leak();
}

#[test]
fn the_server_survives_a_client_reset() {
    let fds = FdCheck::begin();
    let (result, log) = with_server(accepting(2), |addr| async move {
        let victim = AioStream::connect(addr).await?;
        let victim_addr = victim.local_addr()?;
        victim.send_all(b"hello\n").await?;
        // Wait for the reply and leave it unread: closing a socket with unread data sends a
        // reset (RST) instead of an orderly end of stream.
        wait_readable(victim.as_raw_fd()).await?;
        drop(victim);
        let mut next = EchoClient::connect(addr).await?;
        assert_eq!(next.request(b"still here").await?, b"ereh llits");
        io::Result::Ok(victim_addr)
    });
    let victim = result.unwrap();
    let report = format!("server: client {victim} error: ");
    let line = log.iter().find(|l| l.starts_with(&report));
    assert!(
        line.is_some_and(|l| l.to_lowercase().contains("reset")),
        "{log:#?}"
    );
    fds.assert_no_leak();
}

/// Serves one connection with `handle_client` while a client sends `bytes` and leaves;
/// returns what `handle_client` returned.
fn handle(bytes: &'static [u8], max_line: usize) -> io::Result<usize> {
    bounded(move || {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let outcome = Rc::new(Cell::new(None));
        let report = Rc::clone(&outcome);
        let event_loop = Loop::new();
        event_loop.add_task(async move {
            let served = match listener.accept().await {
                Ok((stream, _)) => handle_client(stream, max_line).await,
                Err(err) => Err(err),
            };
            report.set(Some(served));
        });
        event_loop.run_task(async move {
            let mut client = EchoClient::connect(addr).await?;
            client.stream().send_all(bytes).await?;
            client.stream().shutdown(Shutdown::Write)?; // the server reads end of stream
            // Read replies until the server closes, so that no unread byte turns our close
            // into a reset.
            while client.read_line().await.is_ok() {}
            io::Result::Ok(())
        })?;
        outcome.take().expect("the server task finished")
    })
}

#[test]
fn handle_client_says_how_each_connection_ended() {
    let fds = FdCheck::begin();
    assert_eq!(handle(b"one\ntwo\n", 100).unwrap(), 2);
    assert_eq!(handle(b"", 100).unwrap(), 0);
    let cut = handle(b"one\ntw", 100).unwrap_err();
    assert_eq!(cut.kind(), ErrorKind::UnexpectedEof);
    let long = handle(b"far too long for five\n", 5).unwrap_err();
    assert_eq!(long.kind(), ErrorKind::InvalidData);
    fds.assert_no_leak();
}
