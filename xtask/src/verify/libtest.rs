//! Running test binaries under a time limit, and reading what libtest printed: which tests
//! passed, which failed and how (a wrong value, a panic, a missing panic, …), which never
//! finished, and whether those were busy or asleep when they were stopped.
//!
//! libtest's JSON output is unstable, so this reads its plain output (`--color never`):
//! `test NAME ... ok|FAILED|ignored` lines, then a `---- NAME stdout ----` section per failure.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::failure::{Failure, Panic, expected_panic};
use super::screen::Screen;
use crate::Error;

/// A test binary of the step: its test target and its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    /// `lib` for the unit tests, else the file of `tests/` without `.rs`.
    pub target: String,
    /// The executable.
    pub path: PathBuf,
}

impl Binary {
    /// How a participant knows it: `tests/timers.rs`, or `the unit tests (src/)`.
    pub fn label(&self) -> String {
        match self.target.as_str() {
            "lib" => "the unit tests (src/)".into(),
            target => format!("tests/{target}.rs"),
        }
    }
}

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed, and how.
    Failed(Failure),
    /// It is `#[ignore]`d.
    Ignored,
}

/// One test of one binary, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    /// The binary's test target.
    pub target: String,
    /// The test's name, as libtest prints it (`module::name` for unit tests).
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
}

impl TestResult {
    /// `target::name`, as `exercises.toml` and the reports name a test.
    pub fn full_name(&self) -> String {
        format!("{}::{}", self.target, self.name)
    }
}

/// Which tests of a binary to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Those whose name contains one of these (all of them if there is none).
    Filters(Vec<String>),
    /// Exactly these, all at once, each on a thread of its own: a test that has not finished
    /// when time is up was running all along, so it hangs.
    Exactly(Vec<String>),
    /// All but these.
    AllBut(Vec<String>),
}

/// Where a test binary's runs are given their environment and their logs.
#[derive(Debug, Clone)]
pub struct Runner {
    /// The package's directory: cargo runs tests from there, so they may expect it.
    pub package_dir: PathBuf,
    /// The target directory of the build: tests that build demos must build into it.
    pub target_dir: PathBuf,
    /// The most a binary may run before it is stopped.
    pub limit: Duration,
    /// The most a test may run when it runs again alone.
    pub alone_limit: Duration,
}

/// How often a running binary is asked whether it has finished.
const POLL_EVERY: Duration = Duration::from_millis(20);

/// How long before the limit the threads of a binary are watched, to tell a busy one (a loop
/// that never ends) from an asleep one (a wait for something that never comes).
const WATCH_BEFORE_LIMIT: Duration = Duration::from_secs(1);

/// How a run of a binary ended, when that was not an ordinary exit.
#[derive(Debug, Clone, PartialEq)]
enum Ended {
    /// It exited by itself (0 or 101: libtest's own codes).
    Exited,
    /// It died: by a signal, or with another code.
    Crashed(String),
    /// It was stopped at the limit; for each thread name, how often it was seen running.
    Stopped(Vec<ThreadWatch>),
}

/// What was seen of one thread of a binary in the last second before it was stopped.
#[derive(Debug, Clone, PartialEq)]
struct ThreadWatch {
    /// Its name as the system keeps it: the test's name, cut to 15 bytes.
    name: String,
    /// How many times it was seen running (or ready to run), of `seen`.
    running: usize,
    /// How many times it was looked at.
    seen: usize,
}

impl Runner {
    /// Runs `selection` of the tests of `binary`, saying on `screen` what runs, and reads the
    /// outcome of each. When the binary crashed or was stopped, each test whose outcome was
    /// lost with it runs again alone, so that it says how it ends; with `Exactly`, a test still
    /// running at the limit hangs, and says so.
    pub fn run(
        &self,
        binary: &Binary,
        selection: &Selection,
        what: &str,
        screen: &mut Screen,
    ) -> Result<Vec<TestResult>, Error> {
        let args = arguments(selection);
        let log = &binary.target;
        let (printed, _, ended) = self.execute(binary, &args, log, what, self.limit, screen)?;
        let mut results: Vec<TestResult> = self
            .parse(&printed)
            .into_iter()
            .map(|(name, outcome)| TestResult {
                target: binary.target.clone(),
                name,
                outcome,
            })
            .collect();
        if ended == Ended::Exited {
            return Ok(results);
        }
        let names = match selection {
            Selection::Exactly(names) => names.clone(),
            Selection::Filters(_) | Selection::AllBut(_) => self.list(binary, selection)?,
        };
        for name in names {
            let known = results.iter().position(|r| r.name == name);
            if known.is_some_and(|i| results[i].outcome != Outcome::Failed(Failure::Silent)) {
                continue;
            }
            let outcome = match (&ended, selection) {
                (Ended::Stopped(threads), Selection::Exactly(_)) => {
                    Outcome::Failed(Failure::Hung {
                        after: self.limit,
                        busy: busy(threads, &name),
                    })
                }
                _ => self.alone(binary, &name, screen)?,
            };
            let result = TestResult {
                target: binary.target.clone(),
                outcome,
                name,
            };
            match known {
                Some(i) => results[i] = result,
                None => results.push(result),
            }
        }
        Ok(results)
    }

    /// One test run alone, its output not captured, so that its panic message reaches stderr
    /// even when the binary aborts (a panic in a `Drop` while another panic unwinds).
    fn alone(&self, binary: &Binary, name: &str, screen: &mut Screen) -> Result<Outcome, Error> {
        let args = [name, "--exact", "--nocapture", "--test-threads", "1"].map(String::from);
        let log = format!("{}.alone", binary.target);
        let what = format!("running {name} alone");
        let limit = self.alone_limit;
        let (printed, said, ended) = self.execute(binary, &args, &log, &what, limit, screen)?;
        let outcome = self
            .parse(&printed)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o);
        let panic = Panic::first(&said);
        Ok(match (outcome, ended) {
            (Some(Outcome::Failed(Failure::Silent)), Ended::Exited) => {
                Outcome::Failed(panic.map_or(Failure::Silent, Failure::from_panic))
            }
            (Some(outcome), Ended::Exited) => outcome,
            (_, Ended::Stopped(threads)) => Outcome::Failed(Failure::Hung {
                after: limit,
                busy: busy(&threads, name),
            }),
            (_, Ended::Crashed(how)) => Outcome::Failed(Failure::Crashed { how, panic }),
            (None, Ended::Exited) => Outcome::Failed(Failure::Crashed {
                how: "ended without a word".into(),
                panic,
            }),
        })
    }

    /// Runs `binary` with `args` under `limit`, its output in files named after `log`, `what`
    /// shown on the live line; returns its stdout, its stderr, and how it ended.
    fn execute(
        &self,
        binary: &Binary,
        args: &[String],
        log: &str,
        what: &str,
        limit: Duration,
        screen: &mut Screen,
    ) -> Result<(String, String, Ended), Error> {
        let logs = self.target_dir.join("xtask-verify");
        fs::create_dir_all(&logs).map_err(|e| Error::Failed(format!("{}: {e}", logs.display())))?;
        let out = logs.join(format!("{log}.stdout"));
        let err = logs.join(format!("{log}.stderr"));
        let create =
            |p: &Path| File::create(p).map_err(|e| Error::Failed(format!("{}: {e}", p.display())));
        if super::stopped() {
            return Err(super::stopped_error());
        }
        let mut child = self
            .command(binary, args)
            .args(["--color", "never"])
            .stdout(create(&out)?)
            .stderr(create(&err)?)
            .spawn()
            .map_err(|e| Error::Failed(format!("cannot start {}: {e}", binary.path.display())))?;
        let ended = wait(&mut child, what, limit, screen)?;
        let read =
            |path: &Path| String::from_utf8_lossy(&fs::read(path).unwrap_or_default()).into_owned();
        Ok((read(&out), read(&err), ended))
    }
}

/// Waits for `child` within `limit`, watching its threads in the last second; stops it at the
/// limit, or at once when `verify` is asked to stop.
fn wait(
    child: &mut Child,
    what: &str,
    limit: Duration,
    screen: &mut Screen,
) -> Result<Ended, Error> {
    let start = Instant::now();
    let mut watched: Vec<ThreadWatch> = Vec::new();
    loop {
        if super::stopped() {
            stop(child);
            return Err(super::stopped_error());
        }
        match child.try_wait() {
            Ok(Some(status)) if matches!(status.code(), Some(0 | 101)) => {
                return Ok(Ended::Exited);
            }
            Ok(Some(status)) => return Ok(Ended::Crashed(super::failure::how(status))),
            Ok(None) if super::stopped() => {
                stop(child);
                return Err(super::stopped_error());
            }
            Ok(None) if start.elapsed() >= limit => {
                stop(child);
                return Ok(Ended::Stopped(watched));
            }
            Ok(None) => {
                if start.elapsed() + WATCH_BEFORE_LIMIT >= limit {
                    look_at_threads(child.id(), &mut watched);
                }
                screen.live(what, start)?;
                thread::sleep(POLL_EVERY);
            }
            Err(e) => return Err(Error::Failed(format!("cannot wait for a test: {e}"))),
        }
    }
}

impl Runner {
    /// The names of the tests of `binary` that `selection` selects.
    fn list(&self, binary: &Binary, selection: &Selection) -> Result<Vec<String>, Error> {
        let output = self
            .command(binary, &arguments(selection))
            .args(["--list", "--format", "terse"])
            .stderr(Stdio::null())
            .output()
            .map_err(|e| Error::Failed(format!("cannot list the tests: {e}")))?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        Ok(text
            .lines()
            .filter_map(|line| line.strip_suffix(": test"))
            .map(str::to_owned)
            .collect())
    }

    /// Every test of `binary`, by name.
    pub fn all_tests(&self, binary: &Binary) -> Result<Vec<String>, Error> {
        self.list(binary, &Selection::Filters(Vec::new()))
    }

    fn command(&self, binary: &Binary, args: &[String]) -> Command {
        let mut command = Command::new(&binary.path);
        command
            .args(args)
            .current_dir(&self.package_dir)
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null());
        command
    }

    /// Each test's name and outcome, in the order libtest reported them; a `#[should_panic]`
    /// test that did not panic says which panic it expected, read from its source.
    fn parse(&self, printed: &str) -> Vec<(String, Outcome)> {
        let mut results = parse(printed);
        for (_, outcome) in &mut results {
            if let Outcome::Failed(Failure::NoPanic { at, expected }) = outcome {
                *expected = at
                    .as_deref()
                    .and_then(|at| expected_panic(&self.package_dir, at));
            }
        }
        results
    }
}

/// The command-line arguments of a test binary for `selection`.
fn arguments(selection: &Selection) -> Vec<String> {
    match selection {
        Selection::Filters(filters) => filters.clone(),
        Selection::Exactly(names) => {
            let mut args = names.clone();
            let threads = names.len().max(1).to_string();
            args.extend(["--exact".into(), "--test-threads".into(), threads]);
            args
        }
        Selection::AllBut(names) => {
            let mut args = vec!["--exact".to_owned()];
            for name in names {
                args.extend(["--skip".to_owned(), name.clone()]);
            }
            args
        }
    }
}

/// Kills `child` and waits for it, so that it leaves no zombie behind.
fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Looks once at each thread of process `pid`: its name and whether it is running. Linux keeps
/// this in `/proc/PID/task/*/stat`; elsewhere nothing is seen, and no diagnosis is made.
fn look_at_threads(pid: u32, watched: &mut Vec<ThreadWatch>) {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return;
    };
    for task in tasks.flatten() {
        let Ok(stat) = fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        // `TID (NAME) STATE …`: the name may hold spaces and parentheses, the state follows
        // the last `)`.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_owned();
        let running = stat[close + 1..].trim_start().starts_with('R');
        match watched.iter_mut().find(|w| w.name == name) {
            Some(watch) => {
                watch.seen += 1;
                watch.running += usize::from(running);
            }
            None => watched.push(ThreadWatch {
                name,
                running: usize::from(running),
                seen: 1,
            }),
        }
    }
}

/// Whether the threads of test `name` were busy (`Some(true)`: seen running most of the time)
/// or asleep (`Some(false)`) before it was stopped; `None` when none was seen. The system keeps
/// the first 15 bytes of a thread's name, and libtest names each test's thread after it.
fn busy(threads: &[ThreadWatch], name: &str) -> Option<bool> {
    let short: String = name.bytes().take(15).map(char::from).collect();
    let mine: Vec<&ThreadWatch> = threads.iter().filter(|t| t.name == short).collect();
    let seen: usize = mine.iter().map(|t| t.seen).sum();
    let running: usize = mine.iter().map(|t| t.running).sum();
    (seen > 0).then_some(running * 2 > seen)
}

/// Each test's name and outcome, in the order libtest reported them.
pub fn parse(printed: &str) -> Vec<(String, Outcome)> {
    let mut results = Vec::new();
    for line in printed.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, verdict)) = rest.rsplit_once(" ... ") else {
            continue;
        };
        let name = name.strip_suffix(" - should panic").unwrap_or(name);
        let outcome = match verdict.trim() {
            "ok" => Outcome::Passed,
            "FAILED" => Outcome::Failed(Failure::read(section(printed, name))),
            verdict if verdict.starts_with("ignored") => Outcome::Ignored,
            _ => continue,
        };
        results.push((name.to_owned(), outcome));
    }
    results
}

/// The `---- NAME stdout ----` section of a failed test: what it printed and how it failed.
fn section<'a>(printed: &'a str, name: &str) -> &'a str {
    let header = format!("---- {name} stdout ----");
    let Some(section) = printed.split(&header).nth(1) else {
        return "";
    };
    let end = ["\n---- ", "\nfailures:\n"]
        .iter()
        .filter_map(|end| section.find(end))
        .min()
        .unwrap_or(section.len());
    &section[..end]
}

#[cfg(test)]
mod tests;
