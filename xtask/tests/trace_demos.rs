//! `cargo xtask trace` on real demos: the same talk warns "busy wait" on step03 and nothing on
//! step05; step06's cancelled scopes show their cleanup tasks; and the echo server, traced while
//! a client sends markup, control characters, quotes and backslashes, still gives a page that
//! parses as XML, with no script in it, and JSON that parses as trace events.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Building a step's demos may take a while on a busy machine; running one takes seconds.
const LIMIT: Duration = Duration::from_secs(300);

/// Starts `cargo xtask trace ARGS --out DIR`.
fn start_trace(args: &[&str], dir: &Path) -> Child {
    let (step_and_demo, rest) = args.split_at(2);
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("trace")
        .args(step_and_demo)
        .arg("--out")
        .arg(dir)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the xtask binary")
}

/// Waits for `child` within [`LIMIT`]; kills it past that.
fn finish(mut child: Child) -> Output {
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("cargo xtask trace still running after {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("its output")
}

/// Runs `cargo xtask trace ARGS` into a scratch folder: its summary, page and JSON.
fn trace(test: &str, args: &[&str]) -> (String, String, Value) {
    let dir = common::scratch(test);
    let output = finish(start_trace(args, &dir));
    read_back(&dir, args, &output)
}

/// What a finished trace printed and wrote.
fn read_back(dir: &Path, args: &[&str], output: &Output) -> (String, String, Value) {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?}: {stderr}\n{stdout}");
    let file = |ext: &str| -> PathBuf {
        let found = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path());
        let mut found = found.filter(|p| p.extension().is_some_and(|e| e == ext));
        found
            .next()
            .unwrap_or_else(|| panic!("no .{ext} in {}", dir.display()))
    };
    let page = std::fs::read_to_string(file("html")).unwrap();
    let json = std::fs::read_to_string(file("json")).unwrap();
    let json: Value = serde_json::from_str(&json).expect("the JSON parses");
    assert!(json["traceEvents"].is_array(), "trace events");
    let summary = stdout[stdout.find("trace: ").expect("a summary")..].to_owned();
    (summary, page, json)
}

/// The page read as XML.
fn xml(page: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(page, options).expect("well-formed XML")
}

/// The titles of the page's run sections.
fn run_titles(page: &str) -> Vec<String> {
    let document = xml(page);
    document
        .descendants()
        .filter(|n| n.has_tag_name("h2") && n.attribute("id").is_some())
        .map(|n| {
            n.descendants()
                .filter(|t| t.is_text())
                .filter_map(|t| t.text())
                .collect()
        })
        .collect()
}

#[test]
fn the_same_talk_warns_busy_wait_on_step03_and_nothing_on_step05() {
    let (summary, page, _) = trace("talk03", &["3", "talk"]);
    assert!(summary.contains("warnings: "), "{summary}");
    assert!(
        summary.contains("  busy wait: task 7 print_messages('foo', 'bar', 'baz')"),
        "{summary}"
    );
    assert!(!summary.contains("warnings: none"), "{summary}");
    // §4.4's two `run_tasks`, §4.6's, and the three `Loop` runs: six bands, titled.
    let titles = run_titles(&page);
    assert_eq!(titles.len(), 6, "{titles:?}");
    assert!(
        titles[2].starts_with("run 3 · §4.6: run_tasks("),
        "{titles:?}"
    );
    assert!(page.contains("0.0 ms of "), "never in the kernel");
    let (summary, page, _) = trace("talk05", &["5", "talk"]);
    assert!(summary.contains("warnings: none"), "{summary}");
    assert_eq!(run_titles(&page).len(), 2);
    assert!(page.contains("No warning"), "the page says so too");
}

#[test]
fn cancelled_scopes_show_their_cleanup_and_a_stuck_body_its_lost_wake() {
    let (summary, page, _) = trace("cancel_cleanup", &["6", "cancel_cleanup"]);
    let titles = run_titles(&page);
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(
        titles[0].ends_with("1. timeout(0.2 s, async with db: body)"),
        "{titles:?}"
    );
    let cleanups = page.matches(" ✚<title>").count();
    assert_eq!(cleanups, 4, "db, inner and outer, db again");
    assert!(
        summary.contains("warnings: 1\n  lost wake: task 6 main (run 3"),
        "{summary}"
    );
}

#[test]
fn the_echo_server_traced_while_a_client_writes_markup_and_control_characters() {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
        .to_string();
    let dir = common::scratch("echo_mio");
    let args = ["5", "echo_mio", "--", "--port", &port, "--seconds", "3"];
    let child = start_trace(&args, &dir);
    // The server comes up once built: try until it answers.
    let started = Instant::now();
    let stream = loop {
        if let Ok(stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, port.parse().unwrap())) {
            break stream;
        }
        assert!(started.elapsed() < LIMIT, "the echo server never listened");
        std::thread::sleep(Duration::from_millis(100));
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let hostile: [&[u8]; 4] = [
        b"<script>alert(1)</script>",
        b"a\x01control\x1b[31m",
        b"\"quoted\" 'single' back\\slash ]]> &amp;",
        b"caf\xe9 not UTF-8",
    ];
    let (mut writer, mut reader) = (stream.try_clone().unwrap(), BufReader::new(stream));
    for line in hostile {
        writer.write_all(line).unwrap();
        writer.write_all(b"\n").unwrap();
        let mut reply = Vec::new();
        reader.read_until(b'\n', &mut reply).unwrap();
        assert_eq!(reply.len(), line.len() + 1, "{reply:?}");
    }
    drop((writer, reader));
    let output = finish(child);
    let (_, page, json) = read_back(&dir, &args, &output);
    let document = xml(&page);
    assert!(!document.descendants().any(|n| n.has_tag_name("script")));
    let text: String = document
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    // The server's log shows the start of each line, escaped as Rust escapes a string.
    assert!(text.contains("\"<script>aler\"…"), "the line, as text");
    assert!(
        text.contains("\"a\\u{1}contro\"…"),
        "the control character, escaped"
    );
    assert!(
        text.contains("client 127.0.0.1:"),
        "the client's task, by name"
    );
    let lines: Vec<&str> = json["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["cat"] == "line")
        .filter_map(|e| e["args"]["text"].as_str())
        .collect();
    assert!(
        lines.iter().any(|l| l.contains("\"<script>aler\"")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("\"\\\"quoted\\\" '\"")),
        "{lines:?}"
    );
}

/// Asserts that a trace whose demo failed printed the demo's one `error:` line and nothing more
/// on stderr, and exited with the demo's code.
fn assert_said_once(output: &Output, code: i32, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line, got {stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains(expected),
        "{stderr}"
    );
}

#[test]
fn a_demo_that_fails_on_its_own_error_is_one_line_and_its_exit_code() {
    let dir = common::scratch("trace_demo_errors");
    // A flag the demo does not take: its usage line, and 2.
    let output = finish(start_trace(&["3", "talk", "--bogus"], &dir));
    assert_said_once(&output, 2, "invalid option '--bogus'");
    // Its port already taken: its own error line, and 1.
    let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let args = ["4", "echo_server", "--", "--port", &port];
    let output = finish(start_trace(&args, &dir));
    assert_said_once(&output, 1, "address already in use");
}

/// `--out DIR` is a path typed where the command ran, as any other, and the files written are
/// named as they open from there.
#[test]
fn out_is_taken_from_where_the_command_ran() {
    let here = common::scratch("trace_out_from_here");
    let child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["trace", "3", "talk", "--out", "pages"])
        .current_dir(&here)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the xtask binary");
    let output = finish(child);
    let pages = here.join("pages");
    let (_, page, _) = read_back(&pages, &["3", "talk"], &output);
    assert!(page.contains("talk03"), "the page of talk03");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // Named from where it ran: `pages/…` inside the workspace; outside it (a scratch folder under
    // a `CARGO_TARGET_DIR` of elsewhere), the whole path.
    let shown = |file: &str| match here.starts_with(xtask::workspace_root()) {
        true => format!("pages/{file}"),
        false => pages.join(file).display().to_string(),
    };
    let page = shown("step03-talk03.html");
    assert!(stdout.contains(&format!("\nwrote {page}\n")), "{stdout}");
    // The recorder's lines it was drawn from, left beside it, are named too.
    let events = shown("step03-talk03.events");
    assert!(
        stdout.contains(&format!("\n  from {events} (the recorder's lines)\n")),
        "{stdout}"
    );
    assert!(pages.join("step03-talk03.events").is_file());
}
