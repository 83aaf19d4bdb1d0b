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
    /// It failed (how, here), then passed when it ran again alone: a test of timing on a busy
    /// machine, most often (or code that fails only now and then).
    PassedAgain(Failure),
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
    /// Exactly these, all at once, each in a process of its own: a test that has not finished
    /// when time is up was running all along, so it hangs, and no test waits on another's
    /// lock or shares its fate.
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
    /// It was stopped at the limit; what was seen of its threads before.
    Stopped(Watch),
}

/// What was seen of a process's threads in the last second before it was stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Watch {
    /// How many times one of its threads was seen running (or ready to run), of `seen`.
    running: usize,
    /// How many times it was looked at.
    seen: usize,
}

impl Watch {
    /// Whether it was busy (seen running most of the time: a loop that never ends) or asleep
    /// (a wait for something that never comes); `None` when it could not be seen.
    fn busy(self) -> Option<bool> {
        (self.seen > 0).then_some(self.running * 2 > self.seen)
    }
}

impl Runner {
    /// Runs `selection` of the tests of `binary`, saying on `screen` what runs, and reads the
    /// outcome of each. When the binary crashed or was stopped, each test whose outcome was
    /// lost with it runs again alone, so that it says how it ends; with `Exactly`, a test still
    /// running at the limit hangs, and says so. A test that failed on a wrong result or a panic
    /// (not a `todo!()`'s) runs once more, alone: see [`Outcome::PassedAgain`].
    pub fn run(
        &self,
        binary: &Binary,
        selection: &Selection,
        what: &str,
        screen: &mut Screen,
    ) -> Result<Vec<TestResult>, Error> {
        let mut results = match selection {
            Selection::Exactly(names) => {
                let tests: Vec<(&Binary, String)> =
                    names.iter().map(|n| (binary, n.clone())).collect();
                self.run_each(&tests, what, screen)?
            }
            _ => self.run_binary(binary, selection, what, screen)?,
        };
        self.again(&[binary], &mut results, screen)?;
        Ok(results)
    }

    /// Runs `tests`, of any of the step's binaries, all at once, each in a process of its own,
    /// as [`Selection::Exactly`] does for one binary: a test that hangs is named when its limit
    /// is up, not after the limit of every binary before its own, one binary after the other.
    /// Then each that failed on a wrong result or a panic runs once more, alone.
    pub fn run_at_once(
        &self,
        tests: &[(&Binary, String)],
        what: &str,
        screen: &mut Screen,
    ) -> Result<Vec<TestResult>, Error> {
        let mut results = self.run_each(tests, what, screen)?;
        let binaries: Vec<&Binary> = tests.iter().map(|(binary, _)| *binary).collect();
        self.again(&binaries, &mut results, screen)?;
        Ok(results)
    }

    /// Each test of `results` that failed on a wrong result or a panic, not a `todo!()`'s,
    /// runs once more, alone, with nothing beside it: when it passes then, its timing was
    /// upset by a busy machine (the tests at once, an editor's analyser), most often. On two
    /// cores with two busy processes beside it, 4 runs in 10 of a finished step 6 had a test of
    /// timing fail once (an `ARange`'s ticks, the server's pause when out of descriptors); each
    /// passed alone.
    fn again(
        &self,
        binaries: &[&Binary],
        results: &mut [TestResult],
        screen: &mut Screen,
    ) -> Result<(), Error> {
        for result in results.iter_mut() {
            let Outcome::Failed(failure) = &result.outcome else {
                continue;
            };
            let Some(binary) = binaries.iter().find(|b| b.target == result.target) else {
                continue;
            };
            let todo = failure
                .messages()
                .iter()
                .any(|m| m.contains("not yet implemented"));
            if todo || !matches!(failure, Failure::Assertion(_) | Failure::Panicked(_)) {
                continue;
            }
            let name = &result.name;
            let args = [name, "--exact", "--test-threads", "1"].map(String::from);
            let log = format!("{}.again", binary.target);
            let what = format!("running {name} again, alone");
            let limit = self.alone_limit;
            let (printed, _, ended) = self.execute(binary, &args, &log, &what, limit, screen)?;
            let passed = self.parse(&printed).into_iter().any(|(n, outcome)| {
                n == *name && outcome == Outcome::Passed && ended == Ended::Exited
            });
            if passed {
                result.outcome = Outcome::PassedAgain(failure.clone());
            }
        }
        Ok(())
    }

    /// [`Runner::run`] of a selection run by one process of the binary.
    fn run_binary(
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
        for name in self.list(binary, selection)? {
            let known = results.iter().position(|r| r.name == name);
            if known.is_some_and(|i| results[i].outcome != Outcome::Failed(Failure::Silent)) {
                continue;
            }
            let outcome = self.alone(binary, &name, screen)?;
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

    /// Runs each of `names` in a process of its own, all at once, under the limit: a test still
    /// running then hangs, and whether its process was busy or asleep says why. A test whose
    /// process crashed runs again alone, so that its panic message is not lost with it. (One
    /// per CPU at once was tried, for the timing tests of a busy laptop: they failed no less
    /// often, beside two busy processes on two cores, and a hang took longer to name.)
    fn run_each(
        &self,
        tests: &[(&Binary, String)],
        what: &str,
        screen: &mut Screen,
    ) -> Result<Vec<TestResult>, Error> {
        if super::stopped() {
            return Err(super::stopped_error());
        }
        let logs = self.logs()?;
        let mut running: Vec<Running<'_>> = Vec::new();
        for (i, (binary, name)) in tests.iter().enumerate() {
            let log = logs.join(format!("{}.{i}", binary.target));
            let args = [name, "--exact", "--test-threads", "1"].map(String::from);
            let child = match self.spawn(binary, &args, &log) {
                Ok(child) => child,
                Err(error) => {
                    running.iter_mut().for_each(|r| stop(&mut r.child));
                    return Err(error);
                }
            };
            running.push(Running {
                binary,
                name: name.clone(),
                log,
                child,
                ended: None,
                watch: Watch::default(),
            });
        }
        let start = Instant::now();
        while running.iter().any(|r| r.ended.is_none()) {
            if super::stopped() {
                running.iter_mut().for_each(|r| stop(&mut r.child));
                return Err(super::stopped_error());
            }
            let late = start.elapsed() + WATCH_BEFORE_LIMIT >= self.limit;
            for run in running.iter_mut().filter(|r| r.ended.is_none()) {
                run.ended = match run.child.try_wait() {
                    Ok(Some(status)) if matches!(status.code(), Some(0 | 101)) => {
                        Some(Ended::Exited)
                    }
                    Ok(Some(status)) => Some(Ended::Crashed(super::failure::how(status))),
                    Ok(None) if start.elapsed() >= self.limit => {
                        stop(&mut run.child);
                        Some(Ended::Stopped(run.watch))
                    }
                    Ok(None) => {
                        if late {
                            look_at_threads(run.child.id(), &mut run.watch);
                        }
                        None
                    }
                    Err(e) => return Err(Error::Failed(format!("cannot wait for a test: {e}"))),
                };
            }
            screen.live(what, start)?;
            thread::sleep(POLL_EVERY);
        }
        let mut results = Vec::new();
        for run in running {
            let printed = read(&output(&run.log, "stdout"));
            let outcome = self
                .parse(&printed)
                .into_iter()
                .find(|(n, _)| *n == run.name);
            let outcome = match (run.ended, outcome) {
                (Some(Ended::Stopped(watch)), _) => Outcome::Failed(Failure::Hung {
                    after: self.limit,
                    busy: watch.busy(),
                }),
                (Some(Ended::Exited), Some((_, outcome))) => outcome,
                _ => self.alone(run.binary, &run.name, screen)?,
            };
            results.push(TestResult {
                target: run.binary.target.clone(),
                name: run.name,
                outcome,
            });
        }
        Ok(results)
    }

    /// The folder of the runs' outputs.
    fn logs(&self) -> Result<PathBuf, Error> {
        let logs = self.target_dir.join("xtask-verify");
        fs::create_dir_all(&logs).map_err(|e| Error::Failed(format!("{}: {e}", logs.display())))?;
        Ok(logs)
    }

    /// Starts `binary` with `args`, its output in `log`.stdout and `log`.stderr.
    fn spawn(&self, binary: &Binary, args: &[String], log: &Path) -> Result<Child, Error> {
        let create =
            |p: &Path| File::create(p).map_err(|e| Error::Failed(format!("{}: {e}", p.display())));
        self.command(binary, args)
            .args(["--color", "never"])
            .stdout(create(&output(log, "stdout"))?)
            .stderr(create(&output(log, "stderr"))?)
            .spawn()
            .map_err(|e| Error::Failed(format!("cannot start {}: {e}", binary.path.display())))
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
        // A crash: the first panic is the cause (a panic while one unwinds aborts).
        let panic = Panic::first(&said);
        Ok(match (outcome, ended) {
            (Some(Outcome::Failed(Failure::Silent)), Ended::Exited) => {
                let ending = Panic::ending(&said);
                Outcome::Failed(ending.map_or(Failure::Silent, Failure::from_panic))
            }
            (Some(outcome), Ended::Exited) => outcome,
            (_, Ended::Stopped(watch)) => Outcome::Failed(Failure::Hung {
                after: limit,
                busy: watch.busy(),
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
        if super::stopped() {
            return Err(super::stopped_error());
        }
        let log = self.logs()?.join(log);
        let mut child = self.spawn(binary, args, &log)?;
        let ended = wait(&mut child, what, limit, screen)?;
        let (out, err) = (output(&log, "stdout"), output(&log, "stderr"));
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
    let mut watch = Watch::default();
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
                return Ok(Ended::Stopped(watch));
            }
            Ok(None) => {
                if start.elapsed() + WATCH_BEFORE_LIMIT >= limit {
                    look_at_threads(child.id(), &mut watch);
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

/// One test running in a process of its own.
#[derive(Debug)]
struct Running<'a> {
    /// Its binary.
    binary: &'a Binary,
    /// The test.
    name: String,
    /// Its output, without the extension.
    log: PathBuf,
    /// Its process.
    child: Child,
    /// How it ended, once it has.
    ended: Option<Ended>,
    /// What was seen of its threads.
    watch: Watch,
}

/// The file of one stream of a run whose logs are named after `log`: `iteration.3.stdout`.
/// Not `with_extension`, which would make every `iteration.N` one `iteration.stdout`, shared
/// by the tests running at once: each would overwrite the others' output.
fn output(log: &Path, stream: &str) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(format!(".{stream}"));
    PathBuf::from(name)
}

/// A file's text, or nothing.
fn read(path: &Path) -> String {
    String::from_utf8_lossy(&fs::read(path).unwrap_or_default()).into_owned()
}

/// Kills `child` and waits for it, so that it leaves no zombie behind.
fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Looks once at the threads of process `pid`: is one of them running? Linux keeps this in
/// `/proc/PID/task/*/stat`; elsewhere nothing is seen, and no diagnosis is made.
fn look_at_threads(pid: u32, watch: &mut Watch) {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return;
    };
    let mut running = false;
    for task in tasks.flatten() {
        let Ok(stat) = fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        // `TID (NAME) STATE …`: the name may hold spaces and parentheses; the state follows
        // the last `)`.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        running |= stat[close + 1..].trim_start().starts_with('R');
    }
    watch.seen += 1;
    watch.running += usize::from(running);
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
