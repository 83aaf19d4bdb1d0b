//! `--step` driven on a terminal as an instructor drives it: Enter pressed while the loop sleeps
//! in the kernel is dropped, not kept for the turns after; Ctrl-D stops stepping and the rest
//! runs without a word from the loop; and the log's clock agrees with the talk's.

use std::fs::File;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shared::testing::demo_binary;

const PACKAGE: &str = env!("CARGO_PKG_NAME");

/// The prompt `--step` shows at each pause.
const PROMPT: &str = "(Enter: next turn; Ctrl-D: run to the end)";

/// The demo, killed if the test gives up on it.
struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until `output` holds `count` times `text`, for at most `limit`.
fn wait_for(output: &Mutex<String>, text: &str, count: usize, limit: Duration) {
    let started = Instant::now();
    loop {
        let seen = output.lock().unwrap().matches(text).count();
        if seen >= count {
            return;
        }
        let so_far = output.lock().unwrap().clone();
        assert!(
            started.elapsed() < limit,
            "no {text:?} ×{count} in:\n{so_far}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn enters_typed_while_the_loop_sleeps_are_dropped_and_ctrl_d_runs_the_rest() {
    let (controller, terminal) = shared::sys::open_pty().expect("a pseudo-terminal");
    let mut keys = File::from(controller);
    let child = Command::new(demo_binary(PACKAGE, "talk05"))
        .arg("--step")
        .stdin(Stdio::from(terminal))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the demo");
    let mut demo = Demo(child);
    let output = Arc::new(Mutex::new(String::new()));
    let mut stdout = demo.0.stdout.take().unwrap();
    let reading = Arc::clone(&output);
    std::thread::spawn(move || {
        let mut buf = [0; 4096];
        while let Ok(n @ 1..) = stdout.read(&mut buf) {
            reading
                .lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let limit = Duration::from_secs(20);
    wait_for(&output, PROMPT, 1, limit); // before the first turn
    keys.write_all(b"\n").unwrap();
    wait_for(
        &output,
        "sleep in the kernel until the next timer",
        1,
        limit,
    );
    // Four presses while the loop sleeps 5 s in the kernel...
    keys.write_all(b"\n\n\n\n").unwrap();
    wait_for(&output, PROMPT, 2, limit);
    // ...are not four turns run back to back: the loop waits for an Enter typed now.
    std::thread::sleep(Duration::from_millis(700));
    let text = output.lock().unwrap().clone();
    assert!(!text.contains("turn 2"), "{text}");
    assert_eq!(text.matches(PROMPT).count(), 2, "{text}");
    // Ctrl-D: no more stepping, and not another word from the loop.
    keys.write_all(b"\x04").unwrap();
    let started = Instant::now();
    while demo.0.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < limit,
            "the demo did not end after Ctrl-D"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100)); // the reader's last bytes
    let text = output.lock().unwrap().clone();
    let (_, rest) = text
        .split_once("Ctrl-D: no more stepping")
        .expect("said once");
    assert!(!rest.contains("loop:"), "{rest}");
    assert!(
        rest.contains("main: after") && rest.contains("print_messages: ccc"),
        "{rest}"
    );
    // The talk's clock and the log's agree, the time spent at the pauses included.
    for (start, end) in [("§5.10:", "main: ended at"), ("§4.11:", "main: ended at")] {
        let stamp = |line: &str| -> f64 {
            let ms = line.trim_start_matches('[').split(" ms]").next().unwrap();
            ms.trim().parse::<f64>().unwrap() / 1000.0
        };
        let lines: Vec<&str> = text.lines().collect();
        let from = lines.iter().position(|l| l.contains(start)).unwrap();
        let to = from + lines[from..].iter().position(|l| l.contains(end)).unwrap();
        let talk: f64 = lines[to]
            .split(end)
            .nth(1)
            .and_then(|rest| rest.trim().split(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        let log = stamp(lines[to]) - stamp(lines[from]);
        assert!(
            (log - talk).abs() < 0.15,
            "log {log:.2} s, talk {talk} s: {}",
            lines[to]
        );
    }
}
