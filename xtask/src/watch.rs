//! `cargo xtask watch [N]`: `verify` again each time a file of the copy is saved.
//!
//! The file system's events come through `notify` (inotify on Linux); a burst of them (an
//! editor writes, renames, writes again) makes one run, once they have been quiet for a moment.
//! Where no event ever comes (some shared folders of virtual machines), Enter runs it by hand.
//! Between runs the screen is cleared, so what shows is the last run whole. `q` or Ctrl-C
//! quits, and stops the build or the tests under way with it: they are this process's job.
//!
//! Keys come one at a time (the terminal leaves its line mode while watching, and gets it back
//! by a guard's `Drop` on every way out); while a run goes on, Enter is ignored and a save is
//! kept for one more run after it.

use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use lexopt::prelude::*;
use notify::{EventKind, RecursiveMode, Watcher};

use crate::exercise::here::Here;
use crate::steps::Step;
use crate::verify::{self, Screen, existing_copy, wrap};
use crate::{Error, Workspace, help, print_out, sys, unexpected};

/// `cargo xtask watch --help`.
pub const HELP: &str = "\
usage: cargo xtask watch [N]
verify your copy of step N again each time one of its files is saved (inside a copy, N is that
copy's step); Enter verifies now, q or Ctrl-C quits
";

/// How long the events of one save may keep coming: a run starts once they stop this long.
const QUIET: Duration = Duration::from_millis(200);

/// How often the loop looks at Ctrl-C while it waits.
const TICK: Duration = Duration::from_millis(50);

/// What the loop hears.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Heard {
    /// A file of the copy changed.
    Saved(PathBuf),
    /// Enter: verify now.
    Enter,
    /// `q`: quit.
    Quit,
}

/// How watching ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// `q`, or the end of standard input.
    Quit,
    /// Ctrl-C.
    Interrupted,
}

/// Watches the copy of the step given, or of the copy it runs in.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let mut step = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return help(HELP),
            Value(value) if step.is_none() => step = Some(value.string()?),
            other => return Err(unexpected("watch", other, "watch takes one step: watch N")),
        }
    }
    let here = Here::now(&ws.root);
    let usage = "watch needs a step: `cargo xtask watch 3` (inside a copy, the copy's)";
    let step = here.step(&ws.steps, step.as_deref(), usage)?;
    let dir = existing_copy(&ws.root, step)?;
    sys::catch_interrupt().map_err(|e| Error::Failed(format!("cannot catch Ctrl-C: {e}")))?;
    let (tell, heard) = mpsc::channel();
    // Kept alive while watching; `None` when the system gives no events (then Enter runs).
    let watcher = watch_files(&dir, step, tell.clone());
    let keys = sys::KeyByKey::enter(false)
        .map_err(|e| Error::Failed(format!("cannot read keys from the terminal: {e}")))?;
    listen_to_keys(tell);
    let end = watch(ws, &here, step, &heard, watcher.is_ok());
    drop(keys);
    let end = end?;
    // A live line of the run just stopped may still be on the screen.
    let erase = if io::stdout().is_terminal() {
        "\r\u{1b}[K"
    } else {
        ""
    };
    print_out(&format!("{erase}stopped watching\n"))?;
    Ok(match end {
        End::Quit => ExitCode::SUCCESS,
        End::Interrupted => ExitCode::from(130),
    })
}

/// Runs `verify` now, then after each save or Enter, until `q` or Ctrl-C.
fn watch(
    ws: &Workspace,
    here: &Here,
    step: &Step,
    heard: &Receiver<Heard>,
    events: bool,
) -> Result<End, Error> {
    let mut run_now = true;
    loop {
        if run_now {
            let (end, saved_meanwhile) = run(ws, here, step, heard, events)?;
            if let Some(end) = end {
                return Ok(end);
            }
            run_now = saved_meanwhile;
            continue;
        }
        match heard.recv_timeout(TICK) {
            Ok(Heard::Quit) => return Ok(End::Quit),
            Ok(Heard::Enter) => run_now = true,
            Ok(Heard::Saved(_)) => match settle(heard) {
                Some(end) => return Ok(end),
                None => run_now = true,
            },
            Err(RecvTimeoutError::Timeout) if sys::interrupted() => return Ok(End::Interrupted),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Ok(End::Quit),
        }
    }
}

/// Waits until the events of a save have been quiet for [`QUIET`]; `Some` if told to quit
/// meanwhile.
fn settle(heard: &Receiver<Heard>) -> Option<End> {
    loop {
        match heard.recv_timeout(QUIET) {
            Ok(Heard::Quit) => return Some(End::Quit),
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) if sys::interrupted() => return Some(End::Interrupted),
            Err(RecvTimeoutError::Timeout) => return None,
            Err(RecvTimeoutError::Disconnected) => return Some(End::Quit),
        }
    }
}

/// One run of `verify` on a cleared screen, on a thread of its own while this one listens: `q`
/// or Ctrl-C stops it, and with it every process it started. Returns how watching ends, if it
/// does, and whether a file was saved during the run.
fn run(
    ws: &Workspace,
    here: &Here,
    step: &Step,
    heard: &Receiver<Heard>,
    events: bool,
) -> Result<(Option<End>, bool), Error> {
    if io::stdout().is_terminal() {
        print_out("\u{1b}[H\u{1b}[2J")?;
    }
    let mut saved = false;
    let outcome = thread::scope(|scope| {
        let verifying = scope.spawn(|| {
            let mut screen = Screen::stdout();
            let done = verify::verify(ws, here, step, &mut screen);
            let _ = screen.erase_live();
            done
        });
        let end = loop {
            if verifying.is_finished() {
                break None;
            }
            match heard.recv_timeout(TICK) {
                Ok(Heard::Quit) => break Some(End::Quit),
                Ok(Heard::Saved(_)) => saved = true,
                // Muted while a run goes on: one keypress, one run.
                Ok(Heard::Enter) => {}
                Err(_) if sys::interrupted() => break Some(End::Interrupted),
                Err(_) => {}
            }
        };
        if end.is_some() {
            verify::stop();
            sys::interrupt_job();
        }
        let outcome = verifying.join();
        (end, outcome)
    });
    let (end, outcome) = outcome;
    if end.is_some() {
        return Ok((end, false));
    }
    match outcome {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => print_out(&wrap(&format!("error: {error}"), ""))?,
        Err(_) => print_out("error: verify panicked\n")?,
    }
    let how = match events {
        true => "save a file to verify again, Enter to verify now",
        false => "no file events here: Enter verifies again",
    };
    let copy = here.show_copy(step);
    print_out(&wrap(&format!("\nwatching {copy}: {how}, q to quit"), ""))?;
    Ok((None, saved))
}

/// Starts watching the copy's crates and manifest: each change of a `.rs` or `.toml` file is
/// told. The copy's `target/` and state are not watched: a build or a run changes them.
fn watch_files(
    dir: &Path,
    step: &Step,
    tell: Sender<Heard>,
) -> notify::Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let change = matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
        );
        for path in event.paths.into_iter().filter(|p| change && source(p)) {
            let _ = tell.send(Heard::Saved(path));
        }
    })?;
    watcher.watch(&dir.join(&step.name), RecursiveMode::Recursive)?;
    watcher.watch(&dir.join("shared"), RecursiveMode::Recursive)?;
    watcher.watch(&dir.join("Cargo.toml"), RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

/// Whether a changed file is source: `.rs` or `.toml`, not an editor's hidden file.
fn source(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_none_or(|n| n.starts_with('.'));
    let kind = path.extension().and_then(|e| e.to_str());
    !hidden && matches!(kind, Some("rs" | "toml"))
}

/// Reads keys on a thread of its own: `q` (or Ctrl-C, when the terminal sends it as a key)
/// quits, Enter runs. Without a terminal, lines are read: `q` quits, any other runs; the end
/// of input quits.
fn listen_to_keys(tell: Sender<Heard>) {
    thread::spawn(move || {
        let mut byte = [0u8; 1];
        let mut stdin = io::stdin().lock();
        loop {
            let heard = match stdin.read(&mut byte) {
                Ok(0) | Err(_) => Heard::Quit,
                Ok(_) => match byte[0] {
                    b'q' | b'Q' | 3 => Heard::Quit,
                    b'\n' | b'\r' => Heard::Enter,
                    _ => continue,
                },
            };
            let quit = heard == Heard::Quit;
            if tell.send(heard).is_err() || quit {
                return;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_source_files_count() {
        assert!(source(Path::new("/c/step03-x/src/gather.rs")));
        assert!(source(Path::new("/c/step03-x/Cargo.toml")));
        assert!(!source(Path::new("/c/step03-x/src/.gather.rs.swp")));
        assert!(!source(Path::new("/c/step03-x/src/gather.rs~")));
        assert!(!source(Path::new("/c/step03-x/src/4913")));
    }

    #[test]
    fn a_burst_of_events_settles_into_one_run_and_q_quits() {
        let (tell, heard) = mpsc::channel();
        for _ in 0..5 {
            tell.send(Heard::Saved("a.rs".into())).expect("send");
        }
        assert_eq!(settle(&heard), None);
        assert!(
            heard.try_recv().is_err(),
            "every event of the burst was taken"
        );
        tell.send(Heard::Saved("a.rs".into())).expect("send");
        tell.send(Heard::Quit).expect("send");
        assert_eq!(settle(&heard), Some(End::Quit));
    }
}
