//! The runtimes: each step's benchmark and the peers', built by cargo into the workspace's
//! target directory, and asyncio when `python3` is installed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::demo;
use crate::steps::{self, Step};
use crate::{Error, Workspace};

/// One column of the table: a runtime, and how to start its benchmark.
#[derive(Debug, Clone)]
pub struct Runtime {
    /// `step03`, `tokio`, `smol`, `asyncio`.
    pub name: String,
    /// The benchmark binary, or `python3`.
    pub(super) program: PathBuf,
    /// The Python script, given before the other arguments.
    pub(super) script: Option<PathBuf>,
    /// What its benchmark offers, from `BENCH_LIST`: each workload, and why it is skipped if it is.
    pub offers: Vec<(String, Option<String>)>,
}

impl Runtime {
    /// Whether it runs `workload`.
    pub(super) fn runs(&self, workload: &str) -> bool {
        self.offers
            .iter()
            .any(|(w, skip)| w == workload && skip.is_none())
    }

    /// Why it does not run `workload`, if it said so.
    pub(super) fn skips(&self, workload: &str) -> Option<&str> {
        let offer = self.offers.iter().find(|(w, _)| w == workload)?;
        offer.1.as_deref()
    }
}

/// Whether a step has benchmarks: a `benches/runtime.rs` and a `bench` feature.
fn has_bench(step: &Step) -> bool {
    let manifest = fs::read_to_string(step.dir.join("Cargo.toml")).unwrap_or_default();
    step.dir.join("benches/runtime.rs").is_file()
        && steps::manifest_table(&manifest, "[features]").contains_key("bench")
}

/// Builds the steps' benchmarks and the peers', and returns them as runtimes, steps first.
/// Everything builds into the workspace's target directory, so that criterion is built once.
pub(super) fn build(ws: &Workspace, target: &Path) -> Result<Vec<Runtime>, Error> {
    let steps: Vec<&Step> = ws.steps.iter().filter(|s| has_bench(s)).collect();
    let mut args: Vec<String> = ["bench", "--no-run", "--bench", "runtime"]
        .map(String::from)
        .into();
    for step in &steps {
        args.extend(["--package".into(), step.name.clone()]);
    }
    let features: Vec<String> = steps.iter().map(|s| format!("{}/bench", s.name)).collect();
    args.extend(["--features".into(), features.join(",")]);
    let peers = ws.root.join("bench/peers/Cargo.toml");
    let peer_args: Vec<String> = vec![
        "bench".into(),
        "--no-run".into(),
        "--locked".into(),
        "--manifest-path".into(),
        peers.display().to_string(),
    ];
    let mut built = Vec::new();
    for args in [&args, &peer_args] {
        // Once as cargo shows it (errors, warnings), then again, built already, for the paths.
        cargo(ws, target, args, false)?;
        built.extend(executables(&cargo(ws, target, args, true)?));
    }
    let find = |source: &Path, what: &str| {
        built
            .iter()
            .find(|(src, _)| src == source)
            .map(|(_, exe)| exe.clone())
            .ok_or_else(|| Error::Failed(format!("cargo built no benchmark for {what}")))
    };
    let mut runtimes = Vec::new();
    for step in steps {
        let program = find(&step.dir.join("benches/runtime.rs"), &step.name)?;
        runtimes.push(Runtime {
            name: format!("step{:02}", step.number),
            program,
            script: None,
            offers: Vec::new(),
        });
    }
    for peer in ["tokio", "smol"] {
        let source = ws.root.join(format!("bench/peers/benches/on_{peer}.rs"));
        runtimes.push(Runtime {
            name: peer.into(),
            program: find(&source, peer)?,
            script: None,
            offers: Vec::new(),
        });
    }
    Ok(runtimes)
}

/// Runs cargo quietly with `args`: its errors and warnings show, its progress does not. With
/// `json`, adds `--message-format=json` and returns those messages.
fn cargo(ws: &Workspace, target: &Path, args: &[String], json: bool) -> Result<String, Error> {
    let mut command = demo::cargo(&ws.root);
    command
        .args(args)
        .arg("--quiet")
        .env("CARGO_TARGET_DIR", target);
    if json {
        command.arg("--message-format=json");
    }
    let stdout = if json {
        Stdio::piped()
    } else {
        Stdio::inherit()
    };
    let output = command
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::Failed(format!("cannot run cargo: {e}")))?;
    match output.status.success() {
        true => Ok(String::from_utf8_lossy(&output.stdout).into_owned()),
        false => Err(Error::Failed(format!(
            "`cargo {}`: {}",
            args.join(" "),
            output.status
        ))),
    }
}

/// The executables in cargo's JSON messages, with the source file of each: `(src, exe)`.
/// Not a JSON parser: cargo writes one message per line, and paths without quotes.
pub fn executables(messages: &str) -> Vec<(PathBuf, PathBuf)> {
    messages
        .lines()
        .filter(|line| line.contains(r#""reason":"compiler-artifact""#))
        .filter_map(|line| {
            let src = string_field(line, "src_path")?;
            let exe = string_field(line, "executable")?;
            Some((PathBuf::from(src), PathBuf::from(exe)))
        })
        .collect()
}

/// The string value of `"key":"…"` in a line of JSON, if it has one.
fn string_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let opening = format!(r#""{key}":""#);
    let start = line.find(&opening)? + opening.len();
    let end = line[start..].find('"')? + start;
    Some(&line[start..end])
}

/// The asyncio runtime, if `python3` runs.
pub(super) fn python(root: &Path) -> Option<Runtime> {
    version("python3", &["--version"])?;
    Some(Runtime {
        name: "asyncio".into(),
        program: "python3".into(),
        script: Some(root.join("bench/asyncio_bench.py")),
        offers: Vec::new(),
    })
}

/// The first line a program prints for `args`, if it runs and succeeds.
pub(super) fn version(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    let line = text.lines().next()?.trim().to_owned();
    output.status.success().then_some(line)
}
