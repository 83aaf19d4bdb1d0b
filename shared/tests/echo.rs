//! The reverse-echo protocol without sockets: reversing a line, cutting bytes into lines, and a
//! session answering what it receives.

use std::io::ErrorKind;

use shared::echo::{Door, LineSplitter, ServeOptions, Session, preview, reverse_line};

#[test]
fn ascii_is_reversed() {
    assert_eq!(reverse_line(b"hello"), b"olleh");
}

#[test]
fn utf8_is_reversed_by_characters() {
    assert_eq!(reverse_line("café".as_bytes()), "éfac".as_bytes());
    assert_eq!(reverse_line("añb→🦀".as_bytes()), "🦀→bña".as_bytes());
}

#[test]
fn other_bytes_are_reversed_by_bytes() {
    // "café" in Latin-1, then valid UTF-8 spoiled by one stray byte: both are not UTF-8.
    assert_eq!(reverse_line(b"caf\xe9"), b"\xe9fac");
    assert_eq!(reverse_line(b"\xc3\xa9\xff"), b"\xff\xa9\xc3");
}

#[test]
fn empty_line_stays_empty() {
    assert_eq!(reverse_line(b""), b"");
}

/// Pushes each piece in turn and collects every complete line, as a connection would.
fn split(pieces: &[&[u8]], max_line: usize) -> Vec<Vec<u8>> {
    let mut splitter = LineSplitter::new(max_line);
    let mut lines = Vec::new();
    for piece in pieces {
        splitter.push(piece);
        while let Some(line) = splitter.next_line().expect("no line too long") {
            lines.push(line);
        }
    }
    lines
}

#[test]
fn one_packet_one_line() {
    assert_eq!(split(&[b"hello\n"], 100), [b"hello"]);
}

#[test]
fn many_lines_in_one_packet() {
    assert_eq!(
        split(&[b"one\ntwo\n\nthree\n"], 100),
        [&b"one"[..], b"two", b"", b"three"]
    );
}

#[test]
fn a_line_split_over_many_packets() {
    let pieces: Vec<&[u8]> = b"split\n".chunks(1).collect();
    assert_eq!(split(&pieces, 100), [b"split"]);
}

#[test]
fn packets_and_lines_do_not_line_up() {
    let pieces: [&[u8]; 3] = [b"ab", b"c\nde", b"f\ngh"];
    // "gh" has no newline yet: it waits, it is not returned.
    assert_eq!(split(&pieces, 100), [b"abc", b"def"]);
}

#[test]
fn a_utf8_character_split_between_packets_comes_out_whole() {
    let bytes = "café\n".as_bytes();
    let (first, second) = bytes.split_at(4); // in the middle of "é"
    let lines = split(&[first, second], 100);
    assert_eq!(reverse_line(&lines[0]), "éfac".as_bytes());
}

#[test]
fn a_line_of_exactly_the_limit_is_accepted() {
    assert_eq!(split(&[b"12345\n"], 5), [b"12345"]);
}

#[test]
fn a_complete_line_over_the_limit_is_invalid_data() {
    let mut splitter = LineSplitter::new(5);
    splitter.push(b"123456\n");
    let err = splitter.next_line().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
    assert_eq!(err.to_string(), "line longer than 5 bytes");
}

#[test]
fn an_unfinished_line_over_the_limit_is_refused_before_its_newline() {
    // Memory stays bounded: the splitter does not wait for a newline that may never come.
    let mut splitter = LineSplitter::new(5);
    splitter.push(b"1234");
    assert_eq!(splitter.next_line().unwrap(), None);
    splitter.push(b"56");
    assert_eq!(
        splitter.next_line().unwrap_err().kind(),
        ErrorKind::InvalidData
    );
}

#[test]
fn ending_between_lines_is_fine() {
    let mut splitter = LineSplitter::new(100);
    splitter.push(b"done\n");
    assert_eq!(splitter.next_line().unwrap(), Some(b"done".to_vec()));
    assert!(splitter.finish().is_ok());
}

#[test]
fn ending_in_the_middle_of_a_line_is_unexpected_eof() {
    let mut splitter = LineSplitter::new(100);
    splitter.push(b"cut sh");
    assert_eq!(splitter.next_line().unwrap(), None);
    let err = splitter.finish().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    assert!(
        err.to_string().contains("6 bytes without a newline"),
        "{err}"
    );
}

#[test]
fn previews_are_short_and_printable() {
    assert_eq!(preview("café".as_bytes()), "\"café\"");
    assert_eq!(preview(b"caf\xe9"), "b\"caf\\xe9\"");
    assert_eq!(preview(b"it's \"ok\"\n"), r#""it's \"ok\"\n""#);
    assert_eq!(preview(&[b'a'; 1000]), "\"aaaaaaaaaaaa\"… (1000 bytes)");
    // Cut between escapes, never inside one: three `\xe9` are 12 characters.
    assert_eq!(preview(&[0xe9; 30]), "b\"\\xe9\\xe9\\xe9\"… (30 bytes)");
}

#[test]
fn a_connection_that_ends_in_error_is_one_plain_log_line() {
    let reset = std::io::Error::from_raw_os_error(libc::ECONNRESET);
    let ((), log) = shared::capture(|| session(100).end(Err(reset)));
    let expected = "server: client 127.0.0.1:4242 error: connection reset by peer";
    assert_eq!(log, [expected]);
}

#[test]
fn the_log_shortens_a_long_line_but_the_reply_has_all_of_it() {
    let mut session = session(100_000);
    let line: Vec<u8> = (0..300).map(|i| b'a' + (i % 26) as u8).collect();
    let (reply, log) = shared::capture(|| session.receive(&[&line[..], b"\n"].concat()));
    let mut expected = reverse_line(&line);
    expected.push(b'\n');
    assert_eq!(reply.unwrap(), expected);
    let shown = r#""abcdefghijkl"… -> …"lkjihgfedcba" (300 bytes)"#;
    assert_eq!(log, [format!("server: client 127.0.0.1:4242: {shown}")]);
}

#[test]
fn every_log_line_of_a_session_fits_a_projector() {
    let mut session = session(1 << 20);
    let lines: [Vec<u8>; 6] = [
        vec![b'x'; 20],
        vec![b'x'; 21],
        vec![b'x'; 1 << 20],
        "é'\"\t".repeat(100).into_bytes(),
        vec![0x01; 500],
        [&b"\xff"[..], &"é".repeat(300).into_bytes()].concat(),
    ];
    for line in lines {
        let (_, log) = shared::capture(|| session.receive(&[&line[..], b"\n"].concat()));
        // As `say` prints it, until the server has run for 16 minutes.
        let printed = format!("[{:8.1} ms] {}", 999_999.9, log[0]);
        assert!(printed.chars().count() <= 100, "{printed}");
    }
}

/// A session for a client at a made-up address, with lines up to `max_line` bytes.
fn session(max_line: usize) -> Session {
    let options = ServeOptions {
        max_line,
        ..ServeOptions::default()
    };
    Session::new(([127, 0, 0, 1], 4242).into(), &options)
}

#[test]
fn a_session_answers_every_complete_line_and_counts_them() {
    let mut session = session(100);
    let ((), log) = shared::capture(|| {
        assert_eq!(session.receive(b"hello\ncaf").unwrap(), b"olleh\n");
        assert_eq!(
            session.receive("é\n".as_bytes()).unwrap(),
            "éfac\n".as_bytes()
        );
    });
    assert_eq!(
        log,
        [
            "server: client 127.0.0.1:4242: \"hello\" -> \"olleh\"",
            "server: client 127.0.0.1:4242: \"café\" -> \"éfac\"",
        ]
    );
    assert!(session.finish().is_ok());
    let ((), log) = shared::capture(|| session.end(Ok(())));
    assert_eq!(log, ["server: client 127.0.0.1:4242 done, 2 lines"]);
}

#[test]
fn a_session_refuses_a_long_line_after_answering_those_before() {
    let mut session = session(5);
    let refused = shared::capture(|| session.receive(b"ok\nfar too long\n")).0;
    let refused = refused.unwrap_err();
    assert_eq!(refused.reply, b"ko\nerror: line longer than 5 bytes\n");
    assert_eq!(refused.error.kind(), ErrorKind::InvalidData);
}

#[test]
fn no_bytes_is_the_end_fine_between_lines_refused_in_the_middle_of_one() {
    let mut session = session(100);
    assert_eq!(session.receive(b"").unwrap(), b"");
    shared::capture(|| session.receive(b"ok\ncut")).0.unwrap();
    let refused = session.receive(b"").unwrap_err();
    assert_eq!(
        refused.reply,
        b"error: ended mid-line (3 bytes without a newline)\n"
    );
    assert_eq!(refused.error.kind(), ErrorKind::UnexpectedEof);
}

#[test]
fn a_session_logs_a_few_lines_per_client_then_goes_quiet() {
    let options = ServeOptions {
        log_lines: 2,
        ..ServeOptions::default()
    };
    let mut session = Session::new(([127, 0, 0, 1], 4242).into(), &options);
    let (reply, log) = shared::capture(|| session.receive(b"a\nb\nc\nd\n").unwrap());
    assert_eq!(reply, b"a\nb\nc\nd\n");
    assert_eq!(log.len(), 3, "{log:#?}");
    assert!(log[2].ends_with("(more lines, not logged)"), "{log:#?}");
}

#[test]
fn the_door_lets_in_max_clients_then_one_more_as_soon_as_one_leaves() {
    let options = ServeOptions {
        max_clients: 2,
        stop_after: Some(4),
        ..ServeOptions::default()
    };
    let mut door = Door::new(options);
    let peer = ([127, 0, 0, 1], 1).into();
    let ((first, second, third), log) =
        shared::capture(|| (door.admit(peer), door.admit(peer), door.admit(peer)));
    assert!(
        first.is_some() && second.is_some() && third.is_none(),
        "{log:#?}"
    );
    assert!(log[2].ends_with("turned away: server full"), "{log:#?}");
    first.unwrap().end(Ok(()));
    assert!(door.is_open(), "three of four connections so far");
    assert!(door.admit(peer).is_some(), "a seat was freed");
    assert!(!door.is_open(), "stop_after reached");
}

/// A new connection's network errors, which Linux's accept(2) hands over and asks to retry as
/// `EAGAIN`, are one client's trouble: said, and skipped.
#[test]
fn a_clients_network_error_at_accept_is_not_the_end() {
    let mut door = Door::new(ServeOptions::default());
    for errno in [
        libc::ECONNABORTED,
        libc::EPROTO,
        libc::ENOPROTOOPT,
        libc::EHOSTDOWN,
        libc::EHOSTUNREACH,
        libc::EOPNOTSUPP,
        libc::ENETUNREACH,
        libc::ENETDOWN,
    ] {
        let err = std::io::Error::from_raw_os_error(errno);
        let (outcome, log) = shared::capture(|| door.accept_failed(err));
        assert!(outcome.is_ok(), "errno {errno}: the server goes on");
        assert!(log[0].starts_with("server: accept: "), "{log:#?}");
    }
}

#[test]
fn out_of_descriptors_is_said_once_and_is_not_the_end() {
    let mut door = Door::new(ServeOptions::default());
    let emfile = || std::io::Error::from_raw_os_error(24); // EMFILE on Linux and macOS
    let ((), log) = shared::capture(|| {
        for _ in 0..3 {
            door.accept_failed(emfile()).expect("the server goes on");
        }
        door.admit(([127, 0, 0, 1], 1).into());
    });
    assert_eq!(log.len(), 3, "{log:#?}");
    assert!(log[0].contains("accept paused"), "{log:#?}");
    assert_eq!(log[1], "server: accepting again");
    let other = std::io::Error::from(ErrorKind::PermissionDenied);
    assert!(
        door.accept_failed(other).is_err(),
        "any other error ends the server"
    );
}
