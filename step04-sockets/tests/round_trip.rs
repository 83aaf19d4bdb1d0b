//! One client and one server in one loop: lines go and come back, and connecting or binding
//! fails with the error kind the system gave.
//!
//! Every test counts the open descriptors before and after: a socket that is not closed on some
//! path shows up here.

mod common;

use std::io::{self, ErrorKind};
use std::net::{Ipv4Addr, Ipv6Addr};

use shared::testing::{FdCheck, free_port, open_fds};
use step04_sockets::echo::{DEFAULT_MAX_LINE, EchoClient, RECV_SIZE, ServeOptions, serve};
use step04_sockets::{AioListener, AioStream, Loop};

use common::{accepting, bounded, with_server};

#[test]
fn lines_come_back_reversed() {
    let fds = FdCheck::begin();
    let (replies, log) = with_server(accepting(1), |addr| async move {
        let mut client = EchoClient::connect(addr).await?;
        let mut replies = Vec::new();
        for line in ["hello", "café", ""] {
            replies.push(client.request(line.as_bytes()).await?);
        }
        io::Result::Ok(replies)
    });
    assert_eq!(replies.unwrap(), [&b"olleh"[..], "éfac".as_bytes(), b""]);
    let last = log.last().unwrap();
    assert!(last.ends_with("done, 3 lines"), "{log:#?}");
    fds.assert_no_leak();
}

#[test]
fn a_1_mib_line_arrives_whole_and_comes_back_reversed() {
    let fds = FdCheck::begin();
    let line: Vec<u8> = (0..DEFAULT_MAX_LINE)
        .map(|i| b'a' + (i % 26) as u8)
        .collect();
    assert!(line.len() > RECV_SIZE, "the line must need many recv calls");
    let sent = line.clone();
    let (reply, _log) = with_server(accepting(1), |addr| async move {
        let mut client = EchoClient::connect(addr).await?;
        client.request(&sent).await
    });
    let expected: Vec<u8> = line.iter().rev().copied().collect();
    let reply = reply.unwrap();
    assert_eq!(reply.len(), expected.len());
    assert!(reply == expected, "the reply is not the line reversed");
    fds.assert_no_leak();
}

#[test]
fn ipv6_works_too() {
    let fds = FdCheck::begin();
    // A machine without IPv6 loopback cannot bind ::1 at all (the error varies by system):
    // nothing to test there.
    let listener = match AioListener::bind((Ipv6Addr::LOCALHOST, 0)) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("skipped: no IPv6 loopback here ({err})");
            fds.assert_no_leak();
            return;
        }
    };
    let reply = bounded(|| {
        let addr = listener.local_addr()?;
        let event_loop = Loop::new();
        event_loop.add_task(async move { serve(listener, accepting(1)).await.expect("server") });
        event_loop.run_task(async move { EchoClient::connect(addr).await?.request(b"v6").await })
    });
    assert_eq!(reply.expect("IPv6 round trip"), b"6v");
    fds.assert_no_leak();
}

#[test]
fn connecting_where_nobody_listens_is_connection_refused() {
    let fds = FdCheck::begin();
    let addr = free_port().unwrap();
    let result = bounded(move || Loop::new().run_task(AioStream::connect(addr)).map(drop));
    assert_eq!(result.unwrap_err().kind(), ErrorKind::ConnectionRefused);
    fds.assert_no_leak();
}

#[test]
fn binding_a_port_in_use_is_addr_in_use() {
    let fds = FdCheck::begin();
    let first = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let taken = first.local_addr().unwrap();
    let second = AioListener::bind(taken);
    assert_eq!(second.unwrap_err().kind(), ErrorKind::AddrInUse);
    drop(first);
    fds.assert_no_leak();
}

#[test]
fn dropping_a_stream_closes_it() {
    let fds = FdCheck::begin();
    let counts = bounded(|| {
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
    fds.assert_no_leak();
}

#[test]
fn a_reply_cut_short_is_unexpected_eof_for_the_client() {
    let fds = FdCheck::begin();
    let result = bounded(|| {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let event_loop = Loop::new();
        // Not a reverse-echo server: it reads the request, answers half a line, then hangs up.
        event_loop.add_task(async move {
            let (stream, _) = listener.accept().await.expect("accept");
            stream.recv(&mut [0; 16]).await.expect("recv");
            stream.send_all(b"half a rep").await.expect("send");
        });
        event_loop.run_task(async move { EchoClient::connect(addr).await?.request(b"x").await })
    });
    assert_eq!(result.unwrap_err().kind(), ErrorKind::UnexpectedEof);
    fds.assert_no_leak();
}

#[test]
fn serve_outside_a_loop_is_an_error_not_a_panic() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    let fds = FdCheck::begin();
    let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let poll = {
        // Polled by hand, with no loop running: `Loop::current()` has nothing to give.
        let mut server = std::pin::pin!(serve(listener, ServeOptions::default()));
        server
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
    };
    assert!(matches!(poll, Poll::Ready(Err(_))), "{poll:?}");
    fds.assert_no_leak();
}
