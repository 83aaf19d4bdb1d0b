//! `--step` in a program that runs no loop (steps 01-02 take the flag too): it says so.

use shared::record;

#[test]
fn with_no_loop_to_step_through_step_says_so_once() {
    let ((), said) = record::narrate(|| shared::say("main", "a coroutine, no loop"));
    let told: Vec<&String> = said.iter().filter(|l| l.contains("--step:")).collect();
    assert_eq!(told.len(), 1, "{said:#?}");
    assert!(told[0].contains("no loop ran"), "{said:#?}");
    let ((), said) = record::narrate(|| {
        let _run = record::run();
    });
    assert!(!said.iter().any(|l| l.contains("no loop ran")), "{said:#?}");
}

/// The same on a terminal, where `--step` listens: the line comes as the program ends, when
/// this thread's locals are gone (printing through one of them panicked there).
#[cfg(unix)]
#[test]
fn a_demo_without_a_loop_ends_with_that_line_on_a_terminal() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let (_controller, terminal) = shared::sys::open_pty().expect("a pseudo-terminal");
    let binary = shared::testing::demo_binary("step01-coroutines", "talk01");
    let mut demo = Command::new(binary)
        .arg("--step")
        .stdin(Stdio::from(terminal))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the demo");
    let started = Instant::now();
    while demo.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = demo.kill();
            panic!("talk01 --step still running after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (mut stdout, mut stderr) = (String::new(), String::new());
    let _ = demo.stdout.take().unwrap().read_to_string(&mut stdout);
    let _ = demo.stderr.take().unwrap().read_to_string(&mut stderr);
    assert!(demo.wait().expect("ended").success(), "{stderr}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.ends_with(
            "loop: --step: no loop ran, nothing to step through (steps 03 to 06 have one)"
        ),
        "{stdout}"
    );
}
