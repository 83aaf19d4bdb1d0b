//! The line stream over a TCP stream: lines however the bytes were cut into packets; one error
//! and then the end for a line too long, a silent peer, a connection cut mid-line; the end again
//! after the end.

use std::cell::{Cell, RefCell};
use std::io::{self, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

use shared::echo::RECV_SIZE;
use shared::testing::{TIME_LIMIT, in_background, without_leaks};
use step06_async_iter_ctx::{AioListener, AsyncIterator, Loop, interrupt};

/// What a stream's lines turned into: each line as text, or the kind of the error that ended it.
type Seen = Vec<Result<String, io::ErrorKind>>;

/// Serves one connection, whose peer `client` plays on a thread, and reads its lines (at most
/// `max_line` bytes, `idle` of silence), and two more answers after the end.
fn lines_of(
    max_line: usize,
    idle: Duration,
    client: impl FnOnce(TcpStream) + Send + 'static,
) -> Seen {
    let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = in_background(move || client(TcpStream::connect(addr).unwrap()));
    let seen = Loop::new().unwrap().run_task(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut lines = stream.lines(max_line, idle);
        let mut seen = Seen::new();
        while let Some(line) = lines.next().await {
            seen.push(
                line.map(|l| String::from_utf8(l).unwrap())
                    .map_err(|e| e.kind()),
            );
        }
        // Fused: the end, again and again.
        assert!(lines.next().await.is_none());
        assert!(lines.next().await.is_none());
        seen
    });
    peer.join();
    seen.unwrap()
}

/// A long wait, for tests that are not about the idle limit.
const PATIENT: Duration = Duration::from_secs(20);

#[test]
fn lines_come_whole_however_the_packets_cut_them() {
    without_leaks(|| {
        let seen = lines_of(64, PATIENT, |mut peer| {
            for piece in [&b"hel"[..], b"lo\nwor", b"ld\n", b"a\nb\nc\n"] {
                peer.write_all(piece).unwrap();
                peer.flush().unwrap();
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        let expected = ["hello", "world", "a", "b", "c"];
        assert_eq!(seen, expected.map(|l| Ok(l.to_owned())));
    });
}

#[test]
fn a_line_too_long_is_one_error_then_the_end() {
    without_leaks(|| {
        let seen = lines_of(4, PATIENT, |mut peer| {
            peer.write_all(b"ok\ntoo long\nnever\n").unwrap();
        });
        assert_eq!(seen, [Ok("ok".to_owned()), Err(io::ErrorKind::InvalidData)]);
    });
}

#[test]
fn a_silent_peer_ends_the_lines_with_timed_out() {
    without_leaks(|| {
        let seen = lines_of(64, Duration::from_millis(50), |mut peer| {
            peer.write_all(b"hi\n").unwrap();
            std::thread::sleep(Duration::from_millis(500)); // silent, the connection open
        });
        assert_eq!(seen, [Ok("hi".to_owned()), Err(io::ErrorKind::TimedOut)]);
    });
}

#[test]
fn a_connection_cut_mid_line_ends_with_unexpected_eof() {
    without_leaks(|| {
        let seen = lines_of(64, PATIENT, |mut peer| {
            peer.write_all(b"whole\nhalf a li").unwrap();
        });
        assert_eq!(
            seen,
            [Ok("whole".to_owned()), Err(io::ErrorKind::UnexpectedEof)]
        );
    });
}

/// A flood: three reads' worth of short lines, all waiting in the socket before the reader
/// starts, read in chunks (`ready_chunks`, as the echo server does), beside a task that is ready
/// all along. The reader yields after each read, and that yield must reach the loop: between
/// two chunks, the other task gets its turn. (Before, the reader took every chunk in a row, for
/// as long as the socket had data.)
#[test]
fn a_flood_of_lines_read_in_chunks_lets_the_other_tasks_run_between_chunks() {
    let (log, lines) = without_leaks(|| {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let (sent, all_sent) = mpsc::channel();
        let peer = in_background(move || {
            let mut peer = TcpStream::connect(addr).unwrap();
            peer.write_all(&b"ab\n".repeat(RECV_SIZE)).unwrap(); // three reads' worth
            sent.send(()).unwrap();
            peer // open until the test is done
        });
        let event_loop = Loop::new().unwrap();
        let accepted = event_loop.run_task(async move { listener.accept().await });
        let (stream, _) = accepted.unwrap().unwrap();
        all_sent.recv_timeout(TIME_LIMIT).unwrap();
        let log: Rc<RefCell<Vec<&str>>> = Rc::default();
        let (reader_log, neighbour_log) = (Rc::clone(&log), Rc::clone(&log));
        let (done, finished) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(0)));
        let (reading, counted) = (Rc::clone(&done), Rc::clone(&finished));
        event_loop.add_task(async move {
            let mut chunks = stream.lines(64, PATIENT).ready_chunks(RECV_SIZE);
            while counted.get() < RECV_SIZE {
                let chunk = chunks.next().await.unwrap();
                counted.set(counted.get() + chunk.len());
                reader_log.borrow_mut().push("chunk");
            }
            reading.set(true);
        });
        event_loop.add_task(async move {
            while !done.get() {
                neighbour_log.borrow_mut().push("neighbour");
                interrupt().await;
            }
        });
        event_loop.run().unwrap();
        drop(peer.join());
        (log.take(), finished.get())
    });
    assert_eq!(lines, RECV_SIZE);
    assert!(
        log.iter().filter(|&&l| l == "chunk").count() >= 3,
        "{log:?}"
    );
    let in_a_row = log.windows(2).any(|pair| pair == ["chunk", "chunk"]);
    assert!(!in_a_row, "two chunks in a row: {log:?}");
}

/// A flood waiting in one socket, and a quiet client whose line arrives after the flood's first
/// chunk: the loop asks the sockets between two chunks, so the quiet line is read before the
/// flood is over. (A reader that yields with `interrupt()` is always ready again: the loop asks
/// the sockets only once no task is, that is when the flood is over.)
#[test]
fn a_line_that_arrives_during_a_flood_is_read_before_the_flood_is_over() {
    let log = without_leaks(|| {
        let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let mut flood = TcpStream::connect(addr).unwrap();
        let quiet = TcpStream::connect(addr).unwrap();
        let event_loop = Loop::new().unwrap();
        let accepted = event_loop.run_task(async move {
            let (flooded, _) = listener.accept().await?;
            let (quiet, _) = listener.accept().await?; // accepted in the order they came
            io::Result::Ok((flooded, quiet))
        });
        let (flooded, quiet_side) = accepted.unwrap().unwrap();
        flood.write_all(&b"ab\n".repeat(RECV_SIZE)).unwrap(); // three reads' worth, waiting
        let log: Rc<RefCell<Vec<&str>>> = Rc::default();
        let (quiet_log, flood_log) = (Rc::clone(&log), Rc::clone(&log));
        event_loop.add_task(async move {
            let mut lines = quiet_side.lines(64, PATIENT); // nothing yet: it waits for its socket
            assert_eq!(lines.next().await.unwrap().unwrap(), b"hello");
            quiet_log.borrow_mut().push("quiet line");
        });
        event_loop.add_task(async move {
            let mut quiet = Some(quiet);
            let mut chunks = flooded.lines(64, PATIENT).ready_chunks(RECV_SIZE);
            let mut lines = 0;
            while lines < RECV_SIZE {
                lines += chunks.next().await.unwrap().len();
                flood_log.borrow_mut().push("chunk");
                if let Some(mut quiet) = quiet.take() {
                    quiet.write_all(b"hello\n").unwrap(); // during the flood
                }
            }
        });
        event_loop.run().unwrap();
        log.take()
    });
    let quiet_at = log.iter().position(|&l| l == "quiet line").unwrap();
    let last_chunk = log.iter().rposition(|&l| l == "chunk").unwrap();
    assert!(log.len() >= 4 && quiet_at < last_chunk, "{log:?}");
}
