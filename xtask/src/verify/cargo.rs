//! Building a copy's tests: `cargo test --no-run` with cargo's JSON messages, which say which
//! test binaries it made and where the first compiler error is.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use super::libtest::Binary;
use crate::demo;
use crate::{Error, print_out};
use serde_json::Value;

/// What a build of the tests gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Build {
    /// It built: the package's test binaries.
    Built(Vec<Binary>),
    /// The compiler refused: its first error, as one line (`file:line:col: what`),
    /// and how many errors there were.
    Refused {
        /// The first error, short form, without the word `error`.
        first: String,
        /// How many errors in all.
        errors: usize,
    },
}

/// Past this, a build says that it is building.
const QUIET_BUILD: Duration = Duration::from_secs(1);

/// Builds the tests of `package` in the workspace at `dir` into `target_dir` (only the test
/// targets `targets` if some are given, `lib` meaning the unit tests). With `tell`, a build
/// that takes a while says so.
pub fn build_tests(
    dir: &Path,
    package: &str,
    target_dir: &Path,
    targets: &[String],
    tell: bool,
) -> Result<Build, Error> {
    let logs = target_dir.join("xtask-verify");
    fs::create_dir_all(&logs).map_err(|e| Error::Failed(format!("{}: {e}", logs.display())))?;
    let (out, err) = (logs.join("build.stdout"), logs.join("build.stderr"));
    let create =
        |p: &Path| File::create(p).map_err(|e| Error::Failed(format!("{}: {e}", p.display())));
    let mut command = demo::cargo(dir);
    command
        .args(["test", "--no-run", "--package", package])
        .arg("--message-format=json-diagnostic-short")
        .env("CARGO_TARGET_DIR", target_dir)
        .stdin(Stdio::null())
        .stdout(create(&out)?)
        .stderr(create(&err)?);
    for target in targets {
        match target.as_str() {
            "lib" => command.arg("--lib"),
            test => command.args(["--test", test]),
        };
    }
    let mut child = command
        .spawn()
        .map_err(|e| Error::Failed(format!("cannot run cargo: {e}")))?;
    let start = Instant::now();
    let mut told = false;
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| Error::Failed(format!("cannot wait for cargo: {e}")))?
        {
            break status;
        }
        if tell && !told && start.elapsed() >= QUIET_BUILD {
            print_out("   building…\n")?;
            told = true;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let messages = fs::read_to_string(&out).unwrap_or_default();
    let build = read_messages(&messages, &dir.join(package));
    match build {
        Build::Built(_) if !status.success() => {
            // Not the compiler: cargo itself (a manifest, the network). Its last words say why.
            let said = fs::read_to_string(&err).unwrap_or_default();
            let last = said
                .lines()
                .rev()
                .find(|l| l.starts_with("error"))
                .unwrap_or("");
            Err(Error::Failed(format!("cargo test --no-run failed: {last}")))
        }
        build => Ok(build),
    }
}

/// The build's outcome from cargo's JSON lines: the test binaries of the package whose
/// directory is `package_dir`, or the compiler's first error.
pub fn read_messages(messages: &str, package_dir: &Path) -> Build {
    let manifest = package_dir.join("Cargo.toml");
    let mut binaries = Vec::new();
    let (mut first, mut errors) = (None, 0);
    for line in messages.lines().filter(|l| l.starts_with('{')) {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-message") => {
                let diagnostic = &message["message"];
                let is_error = diagnostic["level"].as_str() == Some("error");
                let spans = diagnostic["spans"].as_array().map_or(0, Vec::len);
                if is_error && spans > 0 {
                    errors += 1;
                    first.get_or_insert_with(|| short(diagnostic));
                }
            }
            Some("compiler-artifact") => {
                let ours = message["manifest_path"].as_str().map(PathBuf::from);
                let test = message["profile"]["test"] == Value::Bool(true);
                if let (Some(path), true, true) = (
                    message["executable"].as_str(),
                    test,
                    ours.is_some_and(|m| same_file(&m, &manifest)),
                ) {
                    binaries.push(Binary {
                        target: target_name(&message["target"]),
                        path: PathBuf::from(path),
                    });
                }
            }
            _ => {}
        }
    }
    match first {
        Some(first) => Build::Refused { first, errors },
        None => Build::Built(binaries),
    }
}

/// `lib` for the unit tests, else the target's name (the file of `tests/`).
fn target_name(target: &Value) -> String {
    let kinds = target["kind"].as_array().into_iter().flatten();
    match kinds.into_iter().any(|k| k == "lib") {
        true => "lib".into(),
        false => target["name"].as_str().unwrap_or("?").to_owned(),
    }
}

/// A diagnostic as one line, `file:line:col: what`: its short rendering without the word
/// `error` (the line says it already), or its parts when it has none.
fn short(diagnostic: &Value) -> String {
    if let Some(rendered) = diagnostic["rendered"].as_str() {
        if let Some(line) = rendered.lines().find(|l| !l.trim().is_empty()) {
            let line = line.trim();
            // `file:3:9: error[E0308]: mismatched types` → `file:3:9: mismatched types`
            return match line.split_once(": error") {
                Some((at, rest)) => match rest.split_once(": ") {
                    Some((_, what)) => format!("{at}: {what}"),
                    None => line.to_owned(),
                },
                None => line.to_owned(),
            };
        }
    }
    let spans = diagnostic["spans"].as_array().into_iter().flatten();
    let span = spans.into_iter().find(|s| s["is_primary"] == true);
    let at = span.map_or(String::new(), |span| {
        let file = span["file_name"].as_str().unwrap_or("?");
        format!("{file}:{}: ", span["line_start"])
    });
    let what = diagnostic["message"].as_str().unwrap_or("an error");
    format!("{at}{what}")
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (fs::canonicalize(a), fs::canonicalize(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `compiler-artifact` line of cargo's.
    fn artifact(package: &str, kind: &str, name: &str, test: bool, exe: &str) -> String {
        format!(
            "{{\"reason\":\"compiler-artifact\",\"manifest_path\":\"/w/{package}/Cargo.toml\",\
             \"target\":{{\"kind\":[\"{kind}\"],\"name\":\"{name}\"}},\
             \"profile\":{{\"test\":{test}}},\"executable\":\"{exe}\"}}"
        )
    }

    /// A `compiler-message` line of cargo's.
    fn diagnostic(level: &str, spans: &str, more: &str) -> String {
        let message = format!(r#"{{"level":"{level}","spans":[{spans}],{more}}}"#);
        format!(r#"{{"reason":"compiler-message","message":{message}}}"#)
    }

    #[test]
    fn binaries_of_the_package_and_nothing_else() {
        let messages = [
            artifact("s", "lib", "s", true, "/t/s-1"),
            artifact("s", "test", "timers", true, "/t/timers-2"),
            artifact("s", "example", "talk", false, "/t/talk"),
            artifact("shared", "lib", "shared", true, "/t/shared-3"),
            r#"{"reason":"build-finished","success":true}"#.into(),
        ]
        .join("\n");
        let expected = vec![
            Binary {
                target: "lib".into(),
                path: "/t/s-1".into(),
            },
            Binary {
                target: "timers".into(),
                path: "/t/timers-2".into(),
            },
        ];
        assert_eq!(
            read_messages(&messages, Path::new("/w/s")),
            Build::Built(expected)
        );
    }

    #[test]
    fn the_first_error_as_one_line() {
        let primary = r#"{"file_name":"s/src/b.rs","line_start":7,"is_primary":true}"#;
        let messages = [
            diagnostic(
                "warning",
                "{}",
                r#""rendered":"s/src/a.rs:1:1: warning: unused""#,
            ),
            diagnostic(
                "error",
                primary,
                r#""message":"mismatched types","rendered":null"#,
            ),
            diagnostic(
                "error",
                "{}",
                r#""rendered":"s/src/c.rs:2:3: error[E0425]: x\n""#,
            ),
            diagnostic(
                "error",
                "",
                r#""rendered":"error: aborting due to 2 errors\n""#,
            ),
        ]
        .join("\n");
        assert_eq!(
            read_messages(&messages, Path::new("/w/s")),
            Build::Refused {
                first: "s/src/b.rs:7: mismatched types".into(),
                errors: 2
            }
        );
    }
}
