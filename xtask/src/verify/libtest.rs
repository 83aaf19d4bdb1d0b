//! Running one test binary under a time limit, and reading what libtest printed: which tests
//! passed, which failed and with what message, which never finished.
//!
//! libtest's JSON output is unstable, so this reads its plain output (`--color never`):
//! `test NAME ... ok|FAILED|ignored` lines, then a `---- NAME stdout ----` section per failure.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::Error;

/// A test binary of the step: its test target and its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    /// `lib` for the unit tests, else the file of `tests/` without `.rs`.
    pub target: String,
    /// The executable.
    pub path: PathBuf,
}

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed: the first lines of its panic message (or why it never finished).
    Failed(String),
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

/// Where a test binary's runs are given their environment and their logs.
#[derive(Debug, Clone)]
pub struct Runner {
    /// The package's directory: cargo runs tests from there, so they may expect it.
    pub package_dir: PathBuf,
    /// The target directory of the build: tests that build demos must build into it.
    pub target_dir: PathBuf,
    /// The most a binary may run before it is killed.
    pub limit: Duration,
}

/// How often a running binary is asked whether it has finished.
const POLL_EVERY: Duration = Duration::from_millis(20);

/// What a failed test whose message was lost says: libtest prints messages at the end.
const NO_MESSAGE: &str = "failed (no message)";

impl Runner {
    /// Runs `binary` (only the tests that match one of `filters`, all if none), and reads the
    /// outcome of each of its tests. When the binary crashed or was killed, each test whose
    /// outcome was lost with it runs again alone, so that it says how it ends.
    pub fn run(&self, binary: &Binary, filters: &[String]) -> Result<Vec<TestResult>, Error> {
        let (printed, _, ended) = self.execute(binary, filters, &binary.target)?;
        let mut results: Vec<TestResult> = parse(&printed)
            .into_iter()
            .map(|(name, outcome)| TestResult {
                target: binary.target.clone(),
                name,
                outcome,
            })
            .collect();
        if ended.is_some() {
            for name in self.list(binary, filters)? {
                let known = results.iter().position(|r| r.name == name);
                let lost = Outcome::Failed(NO_MESSAGE.into());
                if known.is_some_and(|i| results[i].outcome != lost) {
                    continue;
                }
                let result = TestResult {
                    target: binary.target.clone(),
                    outcome: self.alone(binary, &name)?,
                    name,
                };
                match known {
                    Some(i) => results[i] = result,
                    None => results.push(result),
                }
            }
        }
        Ok(results)
    }

    /// One test run alone, its output not captured, so that its panic message reaches stderr
    /// even when the binary aborts (a panic in a `Drop` while another panic unwinds).
    fn alone(&self, binary: &Binary, name: &str) -> Result<Outcome, Error> {
        let args = [name, "--exact", "--nocapture", "--test-threads", "1"].map(String::from);
        let (printed, said, ended) =
            self.execute(binary, &args, &format!("{}.alone", binary.target))?;
        let outcome = parse(&printed)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o);
        let panic = first_panic(&said);
        Ok(match (outcome, ended) {
            (Some(Outcome::Failed(_)), None) => Outcome::Failed(panic.unwrap_or(NO_MESSAGE.into())),
            (Some(outcome), None) => outcome,
            (_, ended) => {
                let ended = ended.unwrap_or_else(|| "ended without a word".into());
                Outcome::Failed(match panic {
                    Some(panic) => format!("{panic} (then the test binary {ended})"),
                    None => format!("the test binary {ended} in this test"),
                })
            }
        })
    }

    /// Runs `binary` with `args` under the time limit, its output in files named after `log`;
    /// returns its stdout, its stderr, and how it ended when that was not an ordinary exit.
    fn execute(
        &self,
        binary: &Binary,
        args: &[String],
        log: &str,
    ) -> Result<(String, String, Option<String>), Error> {
        let logs = self.target_dir.join("xtask-verify");
        fs::create_dir_all(&logs).map_err(|e| Error::Failed(format!("{}: {e}", logs.display())))?;
        let out = logs.join(format!("{log}.stdout"));
        let err = logs.join(format!("{log}.stderr"));
        let create =
            |p: &Path| File::create(p).map_err(|e| Error::Failed(format!("{}: {e}", p.display())));
        let mut child = self
            .command(binary, args)
            .args(["--color", "never"])
            .stdout(create(&out)?)
            .stderr(create(&err)?)
            .spawn()
            .map_err(|e| Error::Failed(format!("cannot start {}: {e}", binary.path.display())))?;
        let start = Instant::now();
        let ended = loop {
            match child.try_wait() {
                Ok(Some(status)) if matches!(status.code(), Some(0 | 101)) => break None,
                Ok(Some(status)) => break Some(format!("crashed ({status})")),
                Ok(None) if start.elapsed() >= self.limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Some(format!("was killed after {} s", self.limit.as_secs()));
                }
                Ok(None) => thread::sleep(POLL_EVERY),
                Err(e) => return Err(Error::Failed(format!("cannot wait for a test: {e}"))),
            }
        };
        let read =
            |path: &Path| String::from_utf8_lossy(&fs::read(path).unwrap_or_default()).into_owned();
        Ok((read(&out), read(&err), ended))
    }

    /// The names of the tests of `binary` that `filters` select.
    fn list(&self, binary: &Binary, filters: &[String]) -> Result<Vec<String>, Error> {
        let output = self
            .command(binary, filters)
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
            "FAILED" => Outcome::Failed(message(printed, name)),
            verdict if verdict.starts_with("ignored") => Outcome::Ignored,
            _ => continue,
        };
        results.push((name.to_owned(), outcome));
    }
    results
}

/// The panic message of a failed test, from its `---- NAME stdout ----` section.
fn message(printed: &str, name: &str) -> String {
    let header = format!("---- {name} stdout ----");
    let Some(section) = printed.split(&header).nth(1) else {
        return NO_MESSAGE.into();
    };
    let section = section.split("\n---- ").next().unwrap_or(section);
    first_panic(section).unwrap_or_else(|| "failed (no panic message)".into())
}

/// The first panic message in `text`: the lines after its first `thread '…' panicked at …:`,
/// up to a blank line or a `note:`, joined by ` / `.
fn first_panic(text: &str) -> Option<String> {
    let mut lines = text.lines().skip_while(|l| !is_panic_line(l));
    let panic_line = lines.next()?;
    let mut message: Vec<&str> = lines
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("note:"))
        .map(str::trim)
        .collect();
    if message.is_empty() {
        // An old libtest puts the message on the same line, after `panicked at 'msg', file`.
        message.push(panic_line);
    }
    Some(message.join(" / "))
}

fn is_panic_line(line: &str) -> bool {
    // `thread 'name' panicked at`, or `thread 'name' (1234) panicked at` since Rust 1.9x.
    line.starts_with("thread '") && line.contains(" panicked at ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRINTED: &str = "
running 4 tests
test a_waiter_is_pending ... ok
test polling_again_panics - should panic ... ok
test timers_fire_in_order ... FAILED
test slow_one ... ignored, takes a minute
test sleep_is_polled_twice ... FAILED

failures:

---- timers_fire_in_order stdout ----
captured line printed by the test

thread 'timers_fire_in_order' (4242) panicked at tests/timers.rs:40:5:
assertion `left == right` failed: fired out of order
  left: [2, 1]
 right: [1, 2]
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

---- sleep_is_polled_twice stdout ----

thread '<unnamed>' panicked at src/timer.rs:20:5:
not yet implemented: exercise sleep: a one-shot and a timer

failures:
    sleep_is_polled_twice
    timers_fire_in_order

test result: FAILED. 2 passed; 2 failed; 1 ignored; 0 measured; 0 filtered out
";

    #[test]
    fn every_outcome_and_its_message() {
        let results = parse(PRINTED);
        let names: Vec<&str> = results.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "a_waiter_is_pending",
                "polling_again_panics",
                "timers_fire_in_order",
                "slow_one",
                "sleep_is_polled_twice"
            ]
        );
        assert_eq!(results[1].1, Outcome::Passed);
        assert_eq!(
            results[2].1,
            Outcome::Failed(
                "assertion `left == right` failed: fired out of order / left: [2, 1] / \
                 right: [1, 2]"
                    .into()
            )
        );
        assert_eq!(results[3].1, Outcome::Ignored);
        assert_eq!(
            results[4].1,
            Outcome::Failed("not yet implemented: exercise sleep: a one-shot and a timer".into())
        );
    }

    #[test]
    fn a_warning_about_a_slow_test_is_no_result() {
        let printed = "test slow has been running for over 60 seconds\ntest slow ... ok\n";
        assert_eq!(parse(printed), [("slow".to_owned(), Outcome::Passed)]);
    }
}
