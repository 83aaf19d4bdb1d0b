//! Building a copy's tests: `cargo test --no-run` with cargo's JSON messages, which say which
//! test binaries it made, which crates it compiled, and the compiler's errors as cargo renders
//! them.
//!
//! Every copy builds into one target directory, `target/exercises`, the one `prepare` fills:
//! the copies of a step have the same layout, so cargo gives their crates the same names there,
//! and the first `verify` after `prepare` compiles only the participant's crate. Cargo tells a
//! crate to rebuild by the times its files were changed, which two copies of one crate in one
//! target directory could fool (an older edit in one copy, a newer build of the other): so
//! [`Ledger`] remembers, per crate, which copy and which content were built last, and has cargo
//! forget a crate whose content changed under another copy.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::libtest::Binary;
use super::screen::Screen;
use crate::exercise::state::fingerprint;
use crate::{Error, demo};

/// What a build of the tests gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Build {
    /// It built.
    Built {
        /// The package's test binaries.
        binaries: Vec<Binary>,
        /// The crates compiled (not found fresh), each once, in order.
        compiled: Vec<String>,
        /// The compiler's warnings about the package's own code, each once, in its order
        /// (cargo says them again for a crate it found fresh).
        warnings: Vec<Diagnostic>,
    },
    /// The compiler refused.
    Refused {
        /// The first error.
        first: Diagnostic,
        /// How many errors in all.
        errors: usize,
    },
}

/// One error or warning of the compiler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What it says, on one line (`unused variable: `cx``).
    pub message: String,
    /// As cargo renders it: the message, the code it points at, the notes and `help:`, with
    /// colour codes when the build was asked for them.
    pub rendered: String,
    /// The files its spans name, as the compiler names them (from the copy's root).
    pub files: Vec<String>,
    /// The file of its primary span, if it has one.
    pub primary: Option<String>,
    /// The line and column (from 1) where its primary span starts, if it has one.
    pub at: Option<(usize, usize)>,
    /// `file:line: what` on one line: what `check --exercises` prints.
    pub short: String,
}

/// Builds the tests of `package` in the workspace at `dir` into `target_dir` (only the test
/// targets `targets` if some are given, `lib` meaning the unit tests). The live line of
/// `screen` says that it builds; with `colour`, the errors are rendered in colour.
pub fn build_tests(
    dir: &Path,
    package: &str,
    target_dir: &Path,
    targets: &[String],
    screen: &mut Screen,
) -> Result<Build, Error> {
    if dir.starts_with(target_dir) {
        return Err(Error::Failed(format!(
            "{}: a copy cannot build into a target directory that holds it",
            dir.display()
        )));
    }
    // Where older versions made the copies of `check` and `prepare`: cargo would take their
    // files for a participant's (see `guarantees::copies`). Gone, their crates build again.
    let legacy = target_dir.join("copies");
    if legacy.is_dir() {
        fs::remove_dir_all(&legacy)
            .map_err(|e| Error::Failed(format!("{}: {e}", legacy.display())))?;
    }
    let logs = target_dir.join("xtask-verify");
    fs::create_dir_all(&logs).map_err(|e| Error::Failed(format!("{}: {e}", logs.display())))?;
    let ledger = Ledger::at(&logs);
    ledger.forget_changed(dir, target_dir)?;
    let (out, err) = (logs.join("build.stdout"), logs.join("build.stderr"));
    let create =
        |p: &Path| File::create(p).map_err(|e| Error::Failed(format!("{}: {e}", p.display())));
    let format = match screen.colour() {
        true => "--message-format=json-diagnostic-rendered-ansi",
        false => "--message-format=json",
    };
    let mut command = demo::cargo(dir);
    command
        .args(["test", "--no-run", "--package", package, format])
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
    if super::stopped() {
        return Err(super::stopped_error());
    }
    let mut child = command
        .spawn()
        .map_err(|e| Error::Failed(format!("cannot run cargo: {e}")))?;
    let success = wait(&mut child, &format!("building {package}"), screen)?;
    ledger.remember(dir)?;
    let messages = fs::read_to_string(&out).unwrap_or_default();
    match read_messages(&messages, &dir.join(package)) {
        Build::Built { .. } if !success => {
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

/// Waits for cargo, the live line saying `what` meanwhile; stops it when `verify` is asked to.
fn wait(child: &mut Child, what: &str, screen: &mut Screen) -> Result<bool, Error> {
    let start = Instant::now();
    loop {
        if super::stopped() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(super::stopped_error());
        }
        let status = child
            .try_wait()
            .map_err(|e| Error::Failed(format!("cannot wait for cargo: {e}")))?;
        if let Some(status) = status {
            return Ok(status.success());
        }
        screen.live(what, start)?;
        thread::sleep(Duration::from_millis(20));
    }
}

/// The build's outcome from cargo's JSON lines: the test binaries of the package whose
/// directory is `package_dir` and the crates compiled, or the compiler's first error.
pub fn read_messages(messages: &str, package_dir: &Path) -> Build {
    let manifest = package_dir.join("Cargo.toml");
    let (mut binaries, mut compiled) = (Vec::new(), Vec::<String>::new());
    // An error of the library shows twice, as the library and as its unit tests: counted once.
    let (mut first, mut errors) = (None, Vec::<String>::new());
    // So does a warning, its notes sometimes told only once: the same words at the same place.
    let mut warnings: Vec<Diagnostic> = Vec::new();
    for line in messages.lines().filter(|l| l.starts_with('{')) {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-message") => {
                let diagnostic = &message["message"];
                let is_error = diagnostic["level"].as_str() == Some("error");
                let spans = diagnostic["spans"].as_array().map_or(0, Vec::len);
                let rendered = diagnostic["rendered"].as_str().unwrap_or_default();
                if is_error && spans > 0 && !errors.iter().any(|e| e == rendered) {
                    errors.push(rendered.to_owned());
                    first.get_or_insert_with(|| read_diagnostic(diagnostic));
                }
                let ours = message["manifest_path"].as_str().map(PathBuf::from);
                let is_warning = diagnostic["level"].as_str() == Some("warning");
                if is_warning && spans > 0 && ours.is_some_and(|m| same_file(&m, &manifest)) {
                    let warning = read_diagnostic(diagnostic);
                    let same = |w: &Diagnostic| {
                        (&w.message, &w.primary, w.at)
                            == (&warning.message, &warning.primary, warning.at)
                    };
                    if !warnings.iter().any(same) {
                        warnings.push(warning);
                    }
                }
            }
            Some("compiler-artifact") => {
                let name = message["target"]["name"].as_str().unwrap_or("?");
                let crate_name = message["package_id"]
                    .as_str()
                    .and_then(package_name)
                    .unwrap_or(name);
                if message["fresh"] == false && !compiled.iter().any(|c| c == crate_name) {
                    compiled.push(crate_name.to_owned());
                }
                let ours = message["manifest_path"].as_str().map(PathBuf::from);
                let test = message["profile"]["test"] == true;
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
        Some(first) => Build::Refused {
            first,
            errors: errors.len(),
        },
        None => Build::Built {
            binaries,
            compiled,
            warnings,
        },
    }
}

/// The package's name in a package id: `path+file:///w/shared#0.1.0` is `shared`,
/// `registry+https://…#libc@0.2.1` is `libc`.
fn package_name(id: &str) -> Option<&str> {
    let (source, rest) = id.rsplit_once('#')?;
    match rest.split_once('@') {
        Some((name, _)) => Some(name),
        None => source.rsplit('/').next(),
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

/// One error, from its JSON.
fn read_diagnostic(diagnostic: &Value) -> Diagnostic {
    let spans: Vec<&Value> = diagnostic["spans"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let primary = spans.iter().find(|s| s["is_primary"] == true);
    let file = |span: &Value| span["file_name"].as_str().map(str::to_owned);
    let mut files: Vec<String> = spans.iter().filter_map(|s| file(s)).collect();
    files.dedup();
    let what = diagnostic["message"].as_str().unwrap_or("an error");
    let short = match primary {
        Some(span) => format!(
            "{}:{}: {what}",
            file(span).unwrap_or_default(),
            span["line_start"]
        ),
        None => what.to_owned(),
    };
    let at = primary.and_then(|span| {
        let number = |key: &str| span[key].as_u64().and_then(|n| usize::try_from(n).ok());
        Some((number("line_start")?, number("column_start")?))
    });
    Diagnostic {
        message: what.to_owned(),
        at,
        rendered: diagnostic["rendered"]
            .as_str()
            .map_or_else(|| short.clone(), str::to_owned),
        files,
        primary: primary.and_then(|s| file(s)),
        short,
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (fs::canonicalize(a), fs::canonicalize(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// What was built last into one target directory, per crate of the copies: from which copy,
/// and the fingerprint of its files then. A file of tab-separated lines.
#[derive(Debug)]
struct Ledger {
    path: PathBuf,
}

impl Ledger {
    fn at(logs: &Path) -> Ledger {
        Ledger {
            path: logs.join("built-from"),
        }
    }

    /// Each crate's last copy and fingerprint.
    fn read(&self) -> BTreeMap<String, (String, String)> {
        let text = fs::read_to_string(&self.path).unwrap_or_default();
        text.lines()
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let (name, copy, print) = (fields.next()?, fields.next()?, fields.next()?);
                Some((name.to_owned(), (copy.to_owned(), print.to_owned())))
            })
            .collect()
    }

    /// Has cargo forget each crate of the copy at `dir` that another copy built last with other
    /// content: cargo's times could not tell.
    fn forget_changed(&self, dir: &Path, target_dir: &Path) -> Result<(), Error> {
        let known = self.read();
        let here = dir.display().to_string();
        for (name, print) in crates(dir) {
            match known.get(&name) {
                Some((copy, last)) if *copy != here && *last != print => {
                    let status = demo::cargo(dir)
                        .args(["clean", "--quiet", "--package", &name])
                        .env("CARGO_TARGET_DIR", target_dir)
                        .stdin(Stdio::null())
                        .status()
                        .map_err(|e| Error::Failed(format!("cannot run cargo clean: {e}")))?;
                    if !status.success() {
                        return Err(Error::Failed(format!("cargo clean -p {name} failed")));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Remembers the crates of the copy at `dir` as built from it.
    fn remember(&self, dir: &Path) -> Result<(), Error> {
        let mut known = self.read();
        let here = dir.display().to_string();
        for (name, print) in crates(dir) {
            known.insert(name, (here.clone(), print));
        }
        let text: String = known
            .iter()
            .map(|(name, (copy, print))| format!("{name}\t{copy}\t{print}\n"))
            .collect();
        fs::write(&self.path, text)
            .map_err(|e| Error::Failed(format!("{}: {e}", self.path.display())))
    }
}

/// The crates of a copy (each folder of it with a `Cargo.toml`, named like its crate), each
/// with a fingerprint of its files.
fn crates(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut crates: Vec<(String, String)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_owned();
            Some((name, fingerprint(&contents(&p))))
        })
        .collect();
    crates.sort();
    crates
}

/// The names and contents of every file under `dir` (not `target/`), in a stable order.
fn contents(dir: &Path) -> String {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(next) = todo.pop() {
        for entry in fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("target") {
                todo.push(path);
            } else if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut text = String::new();
    for file in files {
        text.push_str(
            &file
                .strip_prefix(dir)
                .unwrap_or(&file)
                .display()
                .to_string(),
        );
        text.push_str(&String::from_utf8_lossy(
            &fs::read(&file).unwrap_or_default(),
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `compiler-artifact` line of cargo's.
    fn artifact(package: &str, kind: &str, name: &str, test: bool, exe: &str) -> String {
        format!(
            "{{\"reason\":\"compiler-artifact\",\"manifest_path\":\"/w/{package}/Cargo.toml\",\
             \"package_id\":\"path+file:///w/{package}#0.1.0\",\"fresh\":{},\
             \"target\":{{\"kind\":[\"{kind}\"],\"name\":\"{name}\"}},\
             \"profile\":{{\"test\":{test}}},\"executable\":\"{exe}\"}}",
            package == "shared"
        )
    }

    /// A `compiler-message` line of cargo's.
    fn diagnostic(level: &str, spans: &str, more: &str) -> String {
        let message = format!(r#"{{"level":"{level}","spans":[{spans}],{more}}}"#);
        format!(r#"{{"reason":"compiler-message","message":{message}}}"#)
    }

    #[test]
    fn binaries_of_the_package_and_the_crates_compiled() {
        let messages = [
            artifact("s", "lib", "s", true, "/t/s-1"),
            artifact("s", "test", "timers", true, "/t/timers-2"),
            artifact("s", "example", "talk", false, "/t/talk"),
            artifact("shared", "lib", "shared", true, "/t/shared-3"),
            r#"{"reason":"compiler-artifact","package_id":"registry+https://x#libc@0.2.1",
               "fresh":false,"target":{"kind":["lib"],"name":"libc"},"profile":{"test":false}}"#
                .replace('\n', ""),
            r#"{"reason":"build-finished","success":true}"#.into(),
        ]
        .join("\n");
        let binaries = vec![
            Binary {
                target: "lib".into(),
                path: "/t/s-1".into(),
            },
            Binary {
                target: "timers".into(),
                path: "/t/timers-2".into(),
            },
        ];
        let compiled = vec!["s".to_owned(), "libc".to_owned()];
        assert_eq!(
            read_messages(&messages, Path::new("/w/s")),
            Build::Built {
                binaries,
                compiled,
                warnings: Vec::new()
            }
        );
        assert_eq!(
            package_name("path+file:///w/step03-x#0.1.0"),
            Some("step03-x")
        );
        assert_eq!(package_name("path+file:///w/s#name@0.1.0"), Some("name"));
    }

    #[test]
    fn the_first_error_whole_and_how_many() {
        let primary = r#"{"file_name":"s/src/b.rs","line_start":7,"is_primary":true}"#;
        let rendered = "error[E0308]: mismatched types\n --> s/src/b.rs:7:5\n  |\n7 |     x\n";
        let messages = [
            diagnostic(
                "warning",
                "{}",
                r#""rendered":"s/src/a.rs:1:1: warning: unused""#,
            ),
            diagnostic(
                "error",
                primary,
                &format!(
                    r#""message":"mismatched types","rendered":{}"#,
                    serde_json::to_string(rendered).expect("json")
                ),
            ),
            diagnostic("error", "{}", r#""message":"x","rendered":"x\n""#),
            diagnostic(
                "error",
                "",
                r#""rendered":"error: aborting due to 2 errors\n""#,
            ),
        ]
        .join("\n");
        let Build::Refused { first, errors } = read_messages(&messages, Path::new("/w/s")) else {
            panic!("refused");
        };
        assert_eq!(errors, 2);
        assert_eq!(first.rendered, rendered);
        assert_eq!(first.primary.as_deref(), Some("s/src/b.rs"));
        assert_eq!(first.short, "s/src/b.rs:7: mismatched types");
    }
}
