//! `cargo xtask bench [--quick] [--tiny]`: what each step's idea buys, in numbers, and how the
//! finished runtime stands against tokio, smol and asyncio. One table, one chart.
//!
//! The runtimes: every step with a `benches/runtime.rs` (criterion, behind its `bench` feature),
//! tokio and smol from `bench/peers/` (a workspace of its own, so that only this command builds
//! them), and asyncio from `bench/asyncio_bench.py` when `python3` is installed. They run the
//! same workloads ([`WORKLOADS`]), sized and timed by the same code (`bench/harness.rs`).
//!
//! Each workload runs in its own process, workload after workload, the runtimes always in the
//! same order and with the same allocator settings ([`TUNABLES`]). A median comes from
//! criterion's `estimates.json`, or from the Python script. Then, once: the CPU time of
//! `timers_10ms`, and the system calls per `echo` round trip, counted by `strace -c`.
//!
//! The table goes to the terminal and, with the machine, the versions and the targets, to
//! `BENCHMARKS.md`; the chart to `bench/ratios.svg`. `--tiny` (what CI runs) writes both under
//! `target/bench-tiny/` instead: it proves the pipeline and measures nothing worth keeping.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lexopt::prelude::*;

use crate::demo;
use crate::steps::{self, Step};
use crate::{Error, Workspace, help, print_out, unexpected};

/// `cargo xtask bench --help`.
pub const HELP: &str = "\
usage: cargo xtask bench [--quick] [--tiny]
every step's benchmarks beside tokio, smol and asyncio: one table, written to BENCHMARKS.md
with its chart (bench/ratios.svg). Each workload runs in its own process.
  --quick   shorter measurements: under 2 minutes once built, for a live demo
  --tiny    tiny workloads, written under target/bench-tiny/: proves the pipeline (CI)
";

/// The workloads, in the order they run and are shown, with what each one does.
pub const WORKLOADS: [(&str, &str); 8] = [
    (
        "spawn_join",
        "spawn 10,000 tasks that each return a number; collect every result, in order",
    ),
    (
        "yield_selfwake",
        "one task, 100,000 × (wake its own waker, return `Pending`)",
    ),
    (
        "yield_fair",
        "one task, 100,000 yields that each let the loop check I/O",
    ),
    (
        "ping_pong",
        "1,000 task pairs, each bouncing a number 10 times through one-shots",
    ),
    (
        "timers_1ms",
        "10,000 tasks sleeping 1 ms together: wall time",
    ),
    (
        "timers_10ms",
        "10,000 tasks sleeping 10 ms together: wall time (and CPU time, row `timers_10ms cpu`)",
    ),
    (
        "echo",
        "10,000 round trips of 64 bytes over loopback, client and server in one loop",
    ),
    (
        "idle_conns",
        "1,000 round trips on one connection while 1,000 others stay open and idle",
    ),
];

/// The row of the CPU time of `timers_10ms`.
pub const CPU_ROW: &str = "timers_10ms cpu";
/// The row of the system calls per `echo` round trip.
pub const SYSCALLS_ROW: &str = "echo syscalls";
/// The runtime every ratio is taken against.
pub const REFERENCE: &str = "tokio";
/// The peers' names, in their columns' order, after the steps.
const PEERS: [&str; 3] = ["tokio", "smol", "asyncio"];

/// glibc's allocator settings, the same for every process. Its defaults give memory back to the
/// system when the top of the heap is free, and serve blocks from 128 KiB on with `mmap`, a
/// threshold that moves as blocks are freed: both make a run pay page faults that the previous
/// one did not, which moved step03's `spawn_join` between 0.37 and 1.18 ms. These keep the
/// heap, and fix the threshold at 32 MiB (glibc's maximum).
pub const TUNABLES: &str =
    "glibc.malloc.trim_threshold=4294967296:glibc.malloc.mmap_threshold=33554432";

/// Allocator variables removed from every process's environment, so that [`TUNABLES`] is the
/// whole story (Python keeps its own small-object allocator on top of glibc's, as it ships).
const UNSET: [&str; 9] = [
    "MALLOC_ARENA_MAX",
    "MALLOC_ARENA_TEST",
    "MALLOC_CHECK_",
    "MALLOC_MMAP_MAX_",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_PERTURB_",
    "MALLOC_TOP_PAD_",
    "MALLOC_TRIM_THRESHOLD_",
    "PYTHONMALLOC",
];

/// The longest a benchmark process may take before it is killed as hung.
const PROCESS_LIMIT: Duration = Duration::from_secs(600);

/// How often a running process is asked whether it has finished.
const POLL_EVERY: Duration = Duration::from_millis(10);

/// Round trips of a full `echo`: the unit of the system-call count.
const ECHO_ROUND_TRIPS: u64 = 10_000;

/// How long and how often things are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The real measurement: a few minutes.
    Full,
    /// Shorter measurements, same workloads: a live demo.
    Quick,
    /// Workloads divided by 100 and measured in a blink: only proves the pipeline.
    Tiny,
}

impl Mode {
    /// Criterion's `--warm-up-time` and `--measurement-time`, in seconds.
    fn criterion_seconds(self) -> (&'static str, &'static str) {
        match self {
            Mode::Full => ("1", "3"),
            Mode::Quick => ("0.2", "0.5"),
            Mode::Tiny => ("0.01", "0.05"),
        }
    }

    /// The Python script's measured runs, and its warm-up runs before them.
    fn python_runs(self) -> (u32, u32) {
        match self {
            Mode::Full => (10, 1),
            Mode::Quick => (3, 1),
            Mode::Tiny => (1, 0),
        }
    }

    /// What every count of every workload is divided by.
    fn divisor(self) -> u64 {
        match self {
            Mode::Full | Mode::Quick => 1,
            Mode::Tiny => 100,
        }
    }

    /// Runs of `timers_10ms` whose median CPU time is reported.
    fn cpu_runs(self) -> u32 {
        match self {
            Mode::Full => 10,
            Mode::Quick => 5,
            Mode::Tiny => 1,
        }
    }

    /// The divisors of the two `echo` runs counted by `strace`: the difference of their counts
    /// is what the extra round trips cost, without the start of the process and the set-up.
    fn strace_divisors(self) -> (u64, u64) {
        match self {
            Mode::Full => (1, 10),
            Mode::Quick => (10, 100),
            Mode::Tiny => (100, 1000),
        }
    }

    /// How `BENCHMARKS.md` names the run.
    fn describe(self) -> &'static str {
        match self {
            Mode::Full => "`cargo xtask bench`",
            Mode::Quick => {
                "`cargo xtask bench --quick` (shorter measurements: medians of fewer samples)"
            }
            Mode::Tiny => "`cargo xtask bench --tiny` (workloads ÷ 100: proves the pipeline only)",
        }
    }
}

/// Builds, measures, prints the table and writes `BENCHMARKS.md` and the chart.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let mut mode = Mode::Full;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return help(HELP),
            Long("quick") if mode == Mode::Full => mode = Mode::Quick,
            Long("quick") => {}
            Long("tiny") => mode = Mode::Tiny,
            other => {
                return Err(unexpected(
                    "bench",
                    other,
                    "valid options are --quick, --tiny",
                ));
            }
        }
    }
    let start = Instant::now();
    let target = demo::target_dir(&ws.root);
    let out = target.join(if mode == Mode::Tiny {
        "bench-tiny"
    } else {
        "bench"
    });
    let bench = Bench {
        root: ws.root.clone(),
        out,
        mode,
    };
    print_out("== building the benchmarks (the first time takes a few minutes)\n")?;
    let mut runtimes = build(ws, &target)?;
    runtimes.extend(python(&ws.root));
    for runtime in &mut runtimes {
        runtime.offers = bench.list(runtime).map_err(Error::Failed)?;
    }
    let (table, notes) = measure(&bench, &runtimes)?;
    let (markdown, chart, chart_link) = match mode {
        Mode::Tiny => (
            bench.out.join("BENCHMARKS.md"),
            bench.out.join("ratios.svg"),
            "ratios.svg",
        ),
        _ => (
            ws.root.join("BENCHMARKS.md"),
            ws.root.join("bench/ratios.svg"),
            "bench/ratios.svg",
        ),
    };
    let report = Report {
        table: &table,
        runtimes: &runtimes,
        steps: &ws.steps,
        mode,
        machine: machine(&ws.root),
        notes,
        chart: chart_link,
    };
    write(&markdown, &report.markdown())?;
    write(&chart, &svg(&table))?;
    print_out(&format!(
        "\nwrote {} and {} in {:.0} s\n",
        shown(&ws.root, &markdown),
        shown(&ws.root, &chart),
        start.elapsed().as_secs_f64()
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Measures every row, printing the table as it fills; returns it, and what to note about it.
/// A failed run does not stop the others, but the whole command fails at the end.
fn measure(bench: &Bench, runtimes: &[Runtime]) -> Result<(Table, Vec<String>), Error> {
    print_out(&format!(
        "== measuring: each workload in its own process, medians, then each one's ratio to {REFERENCE}\n"
    ))?;
    let mut table = Table {
        runtimes: runtimes.iter().map(|r| r.name.clone()).collect(),
        rows: Vec::new(),
    };
    print_out(&table.header())?;
    let mut failures = Vec::new();
    for (workload, _) in WORKLOADS {
        let figures = bench.row(workload, Unit::Time, runtimes, &mut failures, |rt| {
            bench.median(rt, workload)
        })?;
        table.push(workload, Unit::Time, figures)?;
    }
    let cpu = bench.row(CPU_ROW, Unit::Time, runtimes, &mut failures, |rt| {
        bench.cpu(rt, "timers_10ms")
    })?;
    table.push(CPU_ROW, Unit::Time, cpu)?;
    let mut notes = Vec::new();
    if strace_works() {
        let syscalls = bench.row(SYSCALLS_ROW, Unit::Count, runtimes, &mut failures, |rt| {
            bench.syscalls(rt)
        })?;
        table.push(SYSCALLS_ROW, Unit::Count, syscalls)?;
    } else {
        notes.push(format!(
            "`{SYSCALLS_ROW}`: skipped, `strace` is not installed (or may not trace here)."
        ));
        print_out("(system calls not counted: no working strace)\n")?;
    }
    if failures.is_empty() {
        return Ok((table, notes));
    }
    let list: String = failures.iter().map(|f| format!("  - {f}\n")).collect();
    print_out(&format!("\nfailed:\n{list}"))?;
    Err(Error::Failed(format!(
        "{} benchmark run(s) failed (logs in {}); nothing written",
        failures.len(),
        bench.out.join("logs").display()
    )))
}

/// `path` relative to the workspace root when it is inside it.
fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Writes a file, creating its directory.
fn write(path: &Path, text: &str) -> Result<(), Error> {
    let failed = |e: std::io::Error| Error::Failed(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(failed)?;
    }
    fs::write(path, text).map_err(failed)
}

/// One column of the table: a runtime, and how to start its benchmark.
#[derive(Debug, Clone)]
pub struct Runtime {
    /// `step03`, `tokio`, `smol`, `asyncio`.
    pub name: String,
    /// The benchmark binary, or `python3`.
    program: PathBuf,
    /// The Python script, given before the other arguments.
    script: Option<PathBuf>,
    /// What its benchmark offers, from `BENCH_LIST`: each workload, and why it is skipped if it is.
    pub offers: Vec<(String, Option<String>)>,
}

impl Runtime {
    /// Whether it runs `workload`.
    fn runs(&self, workload: &str) -> bool {
        self.offers
            .iter()
            .any(|(w, skip)| w == workload && skip.is_none())
    }

    /// Why it does not run `workload`, if it said so.
    fn skips(&self, workload: &str) -> Option<&str> {
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
fn build(ws: &Workspace, target: &Path) -> Result<Vec<Runtime>, Error> {
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
fn python(root: &Path) -> Option<Runtime> {
    version("python3", &["--version"])?;
    Some(Runtime {
        name: "asyncio".into(),
        program: "python3".into(),
        script: Some(root.join("bench/asyncio_bench.py")),
        offers: Vec::new(),
    })
}

/// The first line a program prints for `args`, if it runs and succeeds.
fn version(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    let line = text.lines().next()?.trim().to_owned();
    output.status.success().then_some(line)
}

/// Whether `strace` is installed and allowed to trace here (a container may forbid it).
fn strace_works() -> bool {
    Command::new("strace")
        .args(["-c", "-o", "/dev/null", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The measuring side: where results and logs go, and how long to measure.
#[derive(Debug)]
struct Bench {
    /// The workspace root: every process runs from there.
    root: PathBuf,
    /// `target/bench/` (or `bench-tiny/`): criterion's results and the processes' output.
    out: PathBuf,
    /// How long and how often.
    mode: Mode,
}

/// One benchmark process: its arguments and its own environment variables.
#[derive(Debug, Default)]
struct Job {
    /// After the program (and the Python script).
    args: Vec<String>,
    /// Set on top of the common ones.
    env: Vec<(&'static str, String)>,
    /// Where `strace -c` writes its count, to run the process under it.
    strace: Option<PathBuf>,
}

impl Bench {
    /// Measures one row: each runtime that runs it in turn, printed as it comes. A run that
    /// fails is shown as such and recorded; the others go on.
    fn row(
        &self,
        name: &str,
        unit: Unit,
        runtimes: &[Runtime],
        failures: &mut Vec<String>,
        measure: impl Fn(&Runtime) -> Result<Option<f64>, String>,
    ) -> Result<Vec<Figure>, Error> {
        print_out(&format!("{name:<NAME_WIDTH$}"))?;
        let mut figures = Vec::new();
        for runtime in runtimes {
            let figure = match measure(runtime) {
                Ok(Some(value)) => Figure::Value(value),
                Ok(None) => Figure::Skipped,
                Err(failure) => {
                    failures.push(failure);
                    Figure::Failed
                }
            };
            print_out(&format!("{:<CELL_WIDTH$}", Table::cell(unit, &figure)))?;
            figures.push(figure);
        }
        print_out("\n")?;
        Ok(figures)
    }

    /// The median time of one run of `workload` on `runtime`, or `None` if it does not run it.
    fn median(&self, runtime: &Runtime, workload: &str) -> Result<Option<f64>, String> {
        if !runtime.runs(workload) {
            return Ok(None);
        }
        let label = format!("{}-{workload}", runtime.name);
        if runtime.script.is_some() {
            let (runs, warmup) = self.mode.python_runs();
            let job = Job {
                args: vec![
                    workload.into(),
                    format!("--runs={runs}"),
                    format!("--warmup={warmup}"),
                ],
                ..Job::default()
            };
            let output = self.run(runtime, job, &label)?;
            return field(&output, "wall_ns")
                .map(Some)
                .ok_or_else(|| format!("{label}: no wall_ns in its output"));
        }
        let home = self.out.join("criterion").join(&runtime.name);
        // A failed run must not leave the previous run's figure to be read.
        let _ = fs::remove_dir_all(home.join(workload));
        let (warm_up, measurement) = self.mode.criterion_seconds();
        let args = [
            "--bench",
            "--exact",
            workload,
            "--noplot",
            "--warm-up-time",
            warm_up,
            "--measurement-time",
            measurement,
        ];
        let job = Job {
            args: args.map(String::from).into(),
            env: vec![("CRITERION_HOME", home.display().to_string())],
            strace: None,
        };
        self.run(runtime, job, &label)?;
        let estimates = home.join(workload).join("new/estimates.json");
        let json = fs::read_to_string(&estimates)
            .map_err(|e| format!("{label}: cannot read {}: {e}", estimates.display()))?;
        median_estimate(&json)
            .map(Some)
            .ok_or_else(|| format!("{label}: no median in {}", estimates.display()))
    }

    /// The median CPU time of a few runs of `workload`, one process.
    fn cpu(&self, runtime: &Runtime, workload: &str) -> Result<Option<f64>, String> {
        if !runtime.runs(workload) {
            return Ok(None);
        }
        let output = self.once(runtime, workload, self.mode.cpu_runs(), None, None)?;
        match output.contains("cpu_ns=unknown") {
            true => Ok(None),
            false => field(&output, "cpu_ns")
                .map(Some)
                .ok_or_else(|| format!("{}-{workload}: no cpu_ns in its output", runtime.name)),
        }
    }

    /// System calls per `echo` round trip: two runs of different sizes under `strace -c -f`;
    /// the difference of their counts over the difference of their round trips.
    fn syscalls(&self, runtime: &Runtime) -> Result<Option<f64>, String> {
        if !runtime.runs("echo") {
            return Ok(None);
        }
        let (many, few) = self.mode.strace_divisors();
        let mut counts = Vec::new();
        for divisor in [many, few] {
            let file = self
                .out
                .join("logs")
                .join(format!("{}-strace-{divisor}.txt", runtime.name));
            self.once(runtime, "echo", 1, Some(divisor), Some(file.clone()))?;
            let summary = fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            counts.push(
                strace_total(&summary)
                    .ok_or_else(|| format!("{}: no total in {}", runtime.name, file.display()))?,
            );
        }
        let trips = |divisor: u64| (ECHO_ROUND_TRIPS / divisor).max(1) as f64;
        Ok(Some(
            (counts[0] as f64 - counts[1] as f64) / (trips(many) - trips(few)),
        ))
    }

    /// Runs `workload` alone `runs` times (after a warm-up when more than once); its output.
    fn once(
        &self,
        runtime: &Runtime,
        workload: &str,
        runs: u32,
        divisor: Option<u64>,
        strace: Option<PathBuf>,
    ) -> Result<String, String> {
        let mut job = Job {
            strace,
            ..Job::default()
        };
        if let Some(divisor) = divisor {
            job.env.push(("BENCH_DIVISOR", divisor.to_string()));
        }
        if runtime.script.is_some() {
            let warmup = u32::from(runs > 1);
            job.args = vec![
                workload.into(),
                format!("--runs={runs}"),
                format!("--warmup={warmup}"),
            ];
        } else {
            job.env.push(("BENCH_ONCE", workload.into()));
            job.env.push(("BENCH_RUNS", runs.to_string()));
        }
        let label = format!("{}-{workload}-once", runtime.name);
        self.run(runtime, job, &label)
    }

    /// What a runtime's benchmark offers: `run NAME` or `skip NAME: why`, one per line.
    fn list(&self, runtime: &Runtime) -> Result<Vec<(String, Option<String>)>, String> {
        let job = Job {
            env: vec![("BENCH_LIST", "1".into())],
            ..Job::default()
        };
        let output = self.run(runtime, job, &format!("{}-list", runtime.name))?;
        let offers: Vec<(String, Option<String>)> = output
            .lines()
            .filter_map(|line| {
                if let Some(name) = line.strip_prefix("run ") {
                    return Some((name.trim().to_owned(), None));
                }
                let (name, why) = line.strip_prefix("skip ")?.split_once(':')?;
                Some((name.trim().to_owned(), Some(why.trim().to_owned())))
            })
            .collect();
        match offers.is_empty() {
            true => Err(format!(
                "{}: its benchmark lists no workload (does it run bench/harness.rs's main?)",
                runtime.name
            )),
            false => Ok(offers),
        }
    }

    /// Runs one benchmark process from the workspace root, stdin closed, its output in
    /// `logs/LABEL.stdout` and `.stderr`, killed after [`PROCESS_LIMIT`]; returns its stdout.
    fn run(&self, runtime: &Runtime, job: Job, label: &str) -> Result<String, String> {
        let logs = self.out.join("logs");
        fs::create_dir_all(&logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
        let (stdout, stderr) = (
            logs.join(format!("{label}.stdout")),
            logs.join(format!("{label}.stderr")),
        );
        let create = |path: &Path| {
            File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
        };
        let mut command = match &job.strace {
            Some(file) => {
                let mut strace = Command::new("strace");
                strace
                    .args(["-c", "-f", "-o"])
                    .arg(file)
                    .arg(&runtime.program);
                strace
            }
            None => Command::new(&runtime.program),
        };
        command.args(&runtime.script).args(&job.args);
        for name in UNSET {
            command.env_remove(name);
        }
        for name in ["BENCH_LIST", "BENCH_ONCE", "BENCH_RUNS"] {
            command.env_remove(name);
        }
        command
            .env("GLIBC_TUNABLES", TUNABLES)
            .env("BENCH_DIVISOR", self.mode.divisor().to_string())
            .envs(job.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(create(&stdout)?)
            .stderr(create(&stderr)?);
        let mut child = command
            .spawn()
            .map_err(|e| format!("{label}: cannot start {}: {e}", runtime.program.display()))?;
        let start = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if start.elapsed() > PROCESS_LIMIT => {
                    let _ = child.kill(); // gone by itself meanwhile is fine too
                    let _ = child.wait();
                    return Err(format!("{label}: still running after {PROCESS_LIMIT:?}"));
                }
                Ok(None) => thread::sleep(POLL_EVERY),
                Err(e) => return Err(format!("{label}: cannot wait for it: {e}")),
            }
        };
        match status.success() {
            true => fs::read_to_string(&stdout).map_err(|e| format!("{label}: {e}")),
            false => {
                let last = demo::tail(&stderr, 1).join("");
                Err(format!("{label}: {status}: {last}"))
            }
        }
    }
}

/// The number after `key=` in a line like `once echo wall_ns=123 cpu_ns=456`.
pub fn field(output: &str, key: &str) -> Option<f64> {
    let start = output.find(&format!("{key}="))? + key.len() + 1;
    let digits: String = output[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.parse().ok()
}

/// The median's point estimate in criterion's `estimates.json`, in nanoseconds.
pub fn median_estimate(json: &str) -> Option<f64> {
    let median = &json[json.find(r#""median":"#)?..];
    field(
        &median.replace(r#""point_estimate":"#, "point_estimate="),
        "point_estimate",
    )
}

/// The number of calls on the `total` line of `strace -c`'s summary. Its columns are
/// `% time, seconds, usecs/call, calls, errors, syscall`; errors may be blank.
pub fn strace_total(summary: &str) -> Option<u64> {
    let line = summary
        .lines()
        .find(|line| line.split_whitespace().last() == Some("total"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// What a row's figures are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Nanoseconds, shown as `1.23 ms`.
    Time,
    /// A count, shown as `7.0`.
    Count,
}

/// One cell of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    /// What was measured.
    Value(f64),
    /// The runtime does not run this workload.
    Skipped,
    /// The run failed.
    Failed,
}

impl Figure {
    /// The value, if there is one.
    pub fn value(self) -> Option<f64> {
        match self {
            Figure::Value(value) => Some(value),
            _ => None,
        }
    }
}

/// One row of the table: what it measures, and one figure per runtime.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// A workload's name, or [`CPU_ROW`], [`SYSCALLS_ROW`].
    pub name: String,
    /// What the figures are.
    pub unit: Unit,
    /// One per runtime, in the table's order.
    pub figures: Vec<Figure>,
}

/// The whole result: runtimes as columns, workloads as rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns: steps, then the peers.
    pub runtimes: Vec<String>,
    /// The rows, in the order measured.
    pub rows: Vec<Row>,
}

/// The width of the first column of the terminal table.
const NAME_WIDTH: usize = 18;
/// The width of every other column of the terminal table.
const CELL_WIDTH: usize = 10;

impl Table {
    /// Adds a row, and prints its ratios to the reference as the line under it.
    fn push(&mut self, name: &str, unit: Unit, figures: Vec<Figure>) -> Result<(), Error> {
        self.rows.push(Row {
            name: name.into(),
            unit,
            figures,
        });
        let ratios: String = (0..self.runtimes.len())
            .map(|i| format!("{:<CELL_WIDTH$}", self.ratio_text(self.rows.len() - 1, i)))
            .collect();
        print_out(&format!(
            "{:<NAME_WIDTH$}{}\n",
            format!("  ÷ {REFERENCE}"),
            ratios.trim_end()
        ))
    }

    /// The terminal table's header line.
    fn header(&self) -> String {
        let names: String = self
            .runtimes
            .iter()
            .map(|name| format!("{name:<CELL_WIDTH$}"))
            .collect();
        format!("{:<NAME_WIDTH$}{}\n", "workload", names.trim_end())
    }

    /// The whole terminal table, as [`main`] prints it row by row.
    pub fn text(&self) -> String {
        let mut text = self.header();
        for (r, row) in self.rows.iter().enumerate() {
            let cells: String = row
                .figures
                .iter()
                .map(|figure| format!("{:<CELL_WIDTH$}", Table::cell(row.unit, figure)))
                .collect();
            let ratios: String = (0..self.runtimes.len())
                .map(|i| format!("{:<CELL_WIDTH$}", self.ratio_text(r, i)))
                .collect();
            let _ = writeln!(text, "{:<NAME_WIDTH$}{cells}", row.name);
            let _ = writeln!(
                text,
                "{:<NAME_WIDTH$}{}",
                format!("  ÷ {REFERENCE}"),
                ratios.trim_end()
            );
        }
        text
    }

    /// A figure as the table shows it.
    fn cell(unit: Unit, figure: &Figure) -> String {
        match (figure, unit) {
            (Figure::Value(ns), Unit::Time) => duration(*ns),
            (Figure::Value(count), Unit::Count) => format!("{count:.1}"),
            (Figure::Skipped, _) => "—".into(),
            (Figure::Failed, _) => "failed".into(),
        }
    }

    /// The column of a runtime.
    pub fn column(&self, runtime: &str) -> Option<usize> {
        self.runtimes.iter().position(|name| name == runtime)
    }

    /// The row of that name.
    pub fn row(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|row| row.name == name)
    }

    /// A figure, by row and runtime name.
    pub fn value(&self, row: &str, runtime: &str) -> Option<f64> {
        self.row(row)?.figures.get(self.column(runtime)?)?.value()
    }

    /// The figure of row `r`, column `c`, over the reference's.
    pub fn ratio(&self, r: usize, c: usize) -> Option<f64> {
        let row = self.rows.get(r)?;
        let reference = row.figures.get(self.column(REFERENCE)?)?.value()?;
        let value = row.figures.get(c)?.value()?;
        (reference > 0.0).then(|| value / reference)
    }

    /// [`Table::ratio`] as text, `—` when there is none.
    fn ratio_text(&self, r: usize, c: usize) -> String {
        self.ratio(r, c).map_or_else(|| "—".into(), times)
    }
}

/// Nanoseconds with three significant digits and a unit: `812 ns`, `1.36 ms`, `2.05 s`.
pub fn duration(ns: f64) -> String {
    let (value, unit) = match ns {
        ns if ns < 1e3 => (ns, "ns"),
        ns if ns < 1e6 => (ns / 1e3, "µs"),
        ns if ns < 1e9 => (ns / 1e6, "ms"),
        ns => (ns / 1e9, "s"),
    };
    format!("{} {unit}", significant(value))
}

/// A ratio with three significant digits: `0.193×`, `1.00×`, `37.2×`, `123×`.
pub fn times(ratio: f64) -> String {
    format!("{}×", significant(ratio))
}

/// Three significant digits, for values from 0.001 up.
fn significant(value: f64) -> String {
    match value {
        v if v < 1.0 => format!("{v:.3}"),
        v if v < 10.0 => format!("{v:.2}"),
        v if v < 100.0 => format!("{v:.1}"),
        v => format!("{v:.0}"),
    }
}

/// Where and with what the figures were measured.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// The cores the system offers.
    pub cores: String,
    /// The CPU's name.
    pub cpu: String,
    /// `uname -sr`.
    pub kernel: String,
    /// The day of the run, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// `name version` lines: rustc, the crates, Python.
    pub versions: Vec<String>,
}

/// What this machine is, and the versions of everything measured.
fn machine(root: &Path) -> Machine {
    let cores = thread::available_parallelism().map_or("?".into(), |n| n.to_string());
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == "model name").then(|| value.trim().to_owned())
        })
        .or_else(|| version("sysctl", &["-n", "machdep.cpu.brand_string"]))
        .unwrap_or_else(|| "unknown".into());
    let kernel = version("uname", &["-sr"]).unwrap_or_else(|| "unknown".into());
    let mut versions: Vec<String> = version("rustc", &["--version"]).into_iter().collect();
    let peers = fs::read_to_string(root.join("bench/peers/Cargo.lock")).unwrap_or_default();
    for name in ["tokio", "smol", "async-executor", "async-io", "criterion"] {
        if let Some(found) = locked(&peers, name) {
            versions.push(format!("{name} {found}"));
        }
    }
    let workspace = fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    if let Some(found) = locked(&workspace, "mio") {
        versions.push(format!("mio {found} (step05 on)"));
    }
    versions.extend(version("python3", &["--version"]));
    Machine {
        cores,
        cpu,
        kernel,
        date: today(),
        versions,
    }
}

/// The version of package `name` in a `Cargo.lock`.
pub fn locked(lock: &str, name: &str) -> Option<String> {
    let entry = lock.split("[[package]]").find(|entry| {
        entry
            .lines()
            .any(|line| line.trim() == format!("name = \"{name}\""))
    })?;
    let line = entry.lines().find(|l| l.trim().starts_with("version = "))?;
    Some(
        line.trim()["version = ".len()..]
            .trim_matches('"')
            .to_owned(),
    )
}

/// Today's date (UTC), `YYYY-MM-DD`, from the system clock: days since 1970 to a civil date
/// (Howard Hinnant's `civil_from_days`).
fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(secs / 86_400)
}

/// The `YYYY-MM-DD` of a day counted from 1970-01-01.
pub fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// One of the targets the finished runtime (step05 on) is held to.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The row's ratio to tokio is at most this.
    Ratio(&'static str, f64),
    /// The row's figure is at most smol's.
    NotAboveSmol(&'static str),
    /// The row's figure (a count) is at most this.
    AtMost(&'static str, f64),
    /// asyncio's figure is at least this many times the step's.
    FasterThanAsyncio(&'static str, f64),
}

/// The targets of the benchmark issue, in its order.
const TARGETS: [Target; 13] = [
    Target::Ratio("spawn_join", 0.5),
    Target::NotAboveSmol("spawn_join"),
    Target::Ratio("yield_selfwake", 1.0),
    Target::Ratio("timers_1ms", 1.0),
    Target::Ratio(CPU_ROW, 1.0),
    Target::Ratio("echo", 1.0),
    Target::AtMost(SYSCALLS_ROW, 7.0),
    Target::Ratio("idle_conns", 1.2),
    Target::FasterThanAsyncio("spawn_join", 15.0),
    Target::FasterThanAsyncio("yield_selfwake", 15.0),
    Target::FasterThanAsyncio("yield_fair", 15.0),
    Target::FasterThanAsyncio("timers_1ms", 15.0),
    Target::FasterThanAsyncio("echo", 2.0),
];

impl Target {
    /// How the target reads.
    fn text(self) -> String {
        match self {
            Target::Ratio(row, at_most) => format!("`{row}` ≤ {at_most}× tokio"),
            Target::NotAboveSmol(row) => format!("`{row}` ≤ smol"),
            Target::AtMost(row, at_most) => format!("`{row}` ≤ {at_most:.0} per round trip"),
            Target::FasterThanAsyncio(row, x) => format!("`{row}` ≥ {x:.0}× faster than asyncio"),
        }
    }

    /// The step's figure for this target, as text, and whether it meets it.
    fn check(self, table: &Table, step: &str) -> Option<(String, bool)> {
        match self {
            Target::Ratio(row, at_most) => {
                let r = table.rows.iter().position(|x| x.name == row)?;
                let ratio = table.ratio(r, table.column(step)?)?;
                Some((times(ratio), ratio <= at_most))
            }
            Target::NotAboveSmol(row) => {
                let (own, smol) = (table.value(row, step)?, table.value(row, "smol")?);
                Some((
                    format!("{} vs {}", duration(own), duration(smol)),
                    own <= smol,
                ))
            }
            Target::AtMost(row, at_most) => {
                let value = table.value(row, step)?;
                Some((format!("{value:.1}"), value <= at_most))
            }
            Target::FasterThanAsyncio(row, x) => {
                let speedup = table.value(row, "asyncio")? / table.value(row, step)?;
                Some((times(speedup), speedup >= x))
            }
        }
    }
}

/// Everything `BENCHMARKS.md` says.
#[derive(Debug)]
pub struct Report<'a> {
    /// The figures.
    pub table: &'a Table,
    /// The runtimes, for what each one skips.
    pub runtimes: &'a [Runtime],
    /// The steps, for their names.
    pub steps: &'a [Step],
    /// How the figures were measured.
    pub mode: Mode,
    /// Where.
    pub machine: Machine,
    /// Things to say about this run (what was skipped, and why).
    pub notes: Vec<String>,
    /// The chart's path, relative to the file.
    pub chart: &'a str,
}

impl Report<'_> {
    /// The text of `BENCHMARKS.md`.
    pub fn markdown(&self) -> String {
        let machine = &self.machine;
        let mut md = String::new();
        let _ = write!(
            md,
            "# Benchmarks\n\n\
             Written by {}, on {}: every figure below comes from that command; none is typed \
             by hand. Run it again to measure your machine. What the workloads do, how each \
             runtime runs them, and where the time goes when a target is missed: \
             [bench/README.md](bench/README.md).\n\n\
             - machine: {} cores, {}, {}\n\
             - versions: {}\n\
             - every workload in its own process, workload after workload, the runtimes always \
             in the same order; the same allocator for all of them, glibc's, with \
             `GLIBC_TUNABLES={TUNABLES}` and no `MALLOC_*` nor `PYTHONMALLOC` variable \
             (Python keeps its own small-object allocator on top, as it ships)\n\
             - the Rust runtimes: criterion's median, {}; asyncio: the median of {}\n\n",
            self.mode.describe(),
            machine.date,
            machine.cores,
            machine.cpu,
            machine.kernel,
            machine.versions.join(", "),
            self.criterion_settings(),
            self.python_settings(),
        );
        md.push_str(&format!(
            "## Medians, and each one's ratio to {REFERENCE} (current-thread)\n\n"
        ));
        md.push_str(&self.markdown_table());
        let runs = match self.mode.cpu_runs() {
            1 => "one run".to_owned(),
            n => format!("the median of {n} runs after a warm-up run, in one process"),
        };
        let _ = write!(
            md,
            "\n`{CPU_ROW}` is the CPU time of `timers_10ms`, {runs}: a loop that sleeps in the kernel uses little of it, a busy \
             one uses all of it. `{SYSCALLS_ROW}` is the number of system calls per `echo` round \
             trip, client and server together, counted by `strace -c -f` over two runs of \
             different lengths (the difference, so that neither the start of the process nor the \
             set-up counts).\n\n![ratios to tokio, per workload]({})\n\n",
            self.chart
        );
        md.push_str(&self.targets());
        md.push_str(&self.notes());
        md
    }

    /// Criterion's settings, in words.
    fn criterion_settings(&self) -> String {
        let (warm_up, measurement) = self.mode.criterion_seconds();
        format!("10 samples after {warm_up} s of warm-up, over {measurement} s of measurement")
    }

    /// Python's settings, in words.
    fn python_settings(&self) -> String {
        let (runs, warmup) = self.mode.python_runs();
        match warmup {
            0 => format!("{runs} run(s)"),
            _ => format!("{runs} runs after {warmup} warm-up run(s)"),
        }
    }

    /// The table, in Markdown: `median (ratio)` cells.
    fn markdown_table(&self) -> String {
        let table = self.table;
        let mut md = format!("| workload | {} |\n", table.runtimes.join(" | "));
        md.push_str(&format!("|---|{}\n", "---:|".repeat(table.runtimes.len())));
        for (r, row) in table.rows.iter().enumerate() {
            let cells: Vec<String> = row
                .figures
                .iter()
                .enumerate()
                .map(|(c, figure)| match (figure, table.ratio(r, c)) {
                    (Figure::Value(_), Some(ratio)) => {
                        format!("{} ({})", Table::cell(row.unit, figure), times(ratio))
                    }
                    _ => Table::cell(row.unit, figure),
                })
                .collect();
            md.push_str(&format!("| `{}` | {} |\n", row.name, cells.join(" | ")));
        }
        md
    }

    /// The targets, for every step from 05 on, with step04's figure for reference.
    fn targets(&self) -> String {
        let table = self.table;
        let columns = |from: u32, to: u32| -> Vec<String> {
            self.steps
                .iter()
                .filter(|s| (from..=to).contains(&s.number))
                .map(|s| format!("step{:02}", s.number))
                .filter(|name| table.column(name).is_some())
                .collect()
        };
        let (held, reference) = (columns(5, u32::MAX), columns(4, 4));
        if held.is_empty() {
            return String::new();
        }
        let mut md = "## Targets\n\nThe finished runtime's targets, as ratios to tokio's \
                      current-thread runtime in this same run (step04's figure in brackets):\n\n"
            .to_owned();
        let head: Vec<String> = reference.iter().chain(&held).cloned().collect();
        md.push_str(&format!("| target | {} |\n", head.join(" | ")));
        md.push_str(&format!("|---|{}\n", "---|".repeat(head.len())));
        let mut summary = Vec::new();
        for target in TARGETS {
            let mut cells = Vec::new();
            for step in &reference {
                cells.push(
                    target
                        .check(table, step)
                        .map_or("—".into(), |f| format!("({})", f.0)),
                );
            }
            for step in &held {
                cells.push(match target.check(table, step) {
                    Some((figure, true)) => format!("{figure}: met"),
                    Some((figure, false)) => {
                        summary.push(format!("{step} {}", target.text()));
                        format!("{figure}: **missed**")
                    }
                    None => "not measured".into(),
                });
            }
            md.push_str(&format!("| {} | {} |\n", target.text(), cells.join(" | ")));
        }
        md.push_str(&match summary.len() {
            0 => "\nEvery target is met.\n\n".to_owned(),
            n => format!(
                "\n{n} target(s) missed: {}. Why: see the profiles in \
                 [bench/README.md](bench/README.md).\n\n",
                summary.join("; ")
            ),
        });
        md
    }

    /// What each runtime skips and why, how each one yields, and this run's own notes.
    fn notes(&self) -> String {
        let mut md = "## Notes\n\nThe workloads:\n\n".to_owned();
        for (name, what) in WORKLOADS {
            md.push_str(&format!("- `{name}`: {what}\n"));
        }
        md.push_str(
            "\nWhat each runtime's yield is. `yield_selfwake` wakes the task's own waker and \
             returns `Pending`, in every Rust runtime (each step's `interrupt()`, a hand-written \
             future on the peers). `yield_fair` is each runtime's yield that lets I/O in:\n\n\
             - step05 on: the same `interrupt()`: while tasks keep waking, the loop asks the \
             reactor once every 61 polls (tokio's interval for self-wakes), not at each yield: \
             like smol, it has no yield that always lets I/O in, and this is its self-wake \
             again;\n\
             - tokio: `tokio::task::yield_now`, which defers the wake until the driver has been \
             polled (`epoll_wait`, timeout 0): fair;\n\
             - smol: `smol::future::yield_now`, which wakes at once: the reactor is not polled \
             in between, so smol has no fair yield and this is its self-wake again;\n\
             - asyncio: `asyncio.sleep(0)`, whose loop asks the selector on every turn: fair. \
             Its `yield_selfwake` is a bare `yield` in a coroutine, which is all `sleep(0)` \
             is: asyncio has no yield that skips the selector.\n\n",
        );
        let mut skips = Vec::new();
        for runtime in self.runtimes {
            for (workload, _) in WORKLOADS {
                if let Some(why) = runtime.skips(workload) {
                    skips.push(format!("- {} skips `{workload}`: {why}.\n", runtime.name));
                }
            }
        }
        if !skips.is_empty() {
            md.push_str("What a runtime cannot express, it skips (— in the table):\n\n");
            md.extend(skips);
            md.push('\n');
        }
        for note in &self.notes {
            md.push_str(&format!("- {note}\n"));
        }
        let missing: Vec<&str> = PEERS
            .iter()
            .copied()
            .filter(|peer| self.table.column(peer).is_none())
            .collect();
        if !missing.is_empty() {
            md.push_str(&format!(
                "- not measured in this run: {} (`python3` not found?).\n",
                missing.join(", ")
            ));
        }
        md
    }
}

/// The chart: for each workload, one bar per runtime, its ratio to tokio on a log scale; a bar
/// goes left of the 1× line when the runtime is faster than tokio, right when it is slower.
/// Plain SVG text, written by hand: no dependency.
pub fn svg(table: &Table) -> String {
    const COLORS: [&str; 8] = [
        "#9ecae1", "#4292c6", "#08519c", "#6a51a3", "#e6550d", "#31a354", "#756bb1", "#636363",
    ];
    let rows: Vec<usize> = (0..table.rows.len())
        .filter(|&r| table.rows[r].name != SYSCALLS_ROW)
        .collect();
    let ratios: Vec<f64> = rows
        .iter()
        .flat_map(|&r| (0..table.runtimes.len()).filter_map(move |c| table.ratio(r, c)))
        .filter(|ratio| *ratio > 0.0)
        .collect();
    let low = ratios
        .iter()
        .copied()
        .fold(1.0_f64, f64::min)
        .log10()
        .floor()
        .min(-1.0);
    let high = ratios
        .iter()
        .copied()
        .fold(1.0_f64, f64::max)
        .log10()
        .ceil()
        .max(1.0);
    let (left, right, top) = (50.0, 850.0, 56.0);
    let x = |ratio: f64| left + (ratio.log10() - low) / (high - low) * (right - left);
    // Each group: its workload's name on a line, then one bar per runtime.
    let (label, bar, gap) = (16.0, 11.0, 10.0);
    let group = label + bar * table.runtimes.len() as f64 + gap;
    let height = top + group * rows.len() as f64 + 30.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"{height:.0}\" \
         viewBox=\"0 0 900 {height:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"900\" height=\"{height:.0}\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"18\" font-size=\"13\" font-weight=\"bold\">Time relative to tokio \
         (current-thread), log scale: left of 1× is faster, right is slower</text>\n"
    );
    for (c, name) in table.runtimes.iter().enumerate() {
        let lx = 10.0 + 105.0 * c as f64;
        let _ = writeln!(
            svg,
            "<rect x=\"{lx:.0}\" y=\"30\" width=\"10\" height=\"10\" fill=\"{}\"/>\
             <text x=\"{:.0}\" y=\"39\">{}</text>",
            COLORS[c % COLORS.len()],
            lx + 14.0,
            escape(name)
        );
    }
    let bottom = height - 25.0;
    for power in low as i32..=high as i32 {
        let ratio = 10f64.powi(power);
        let gx = x(ratio);
        let (stroke, width) = if power == 0 {
            ("#000", 1.5)
        } else {
            ("#ccc", 1.0)
        };
        let text = if power < 0 {
            format!("{ratio}×")
        } else {
            format!("{ratio:.0}×")
        };
        let _ = writeln!(
            svg,
            "<line x1=\"{gx:.1}\" y1=\"{top}\" x2=\"{gx:.1}\" y2=\"{bottom:.0}\" \
             stroke=\"{stroke}\" stroke-width=\"{width}\"/>\
             <text x=\"{gx:.1}\" y=\"{:.0}\" text-anchor=\"middle\">{text}</text>",
            bottom + 14.0
        );
    }
    for (g, &r) in rows.iter().enumerate() {
        let gy = top + group * g as f64;
        let name = escape(&table.rows[r].name);
        let _ = writeln!(
            svg,
            "<text x=\"10\" y=\"{:.1}\" font-weight=\"bold\">{name}</text>",
            gy + label - 4.0
        );
        for (c, runtime) in table.runtimes.iter().enumerate() {
            let y = gy + label + bar * c as f64;
            let Some(ratio) = table.ratio(r, c).filter(|ratio| *ratio > 0.0) else {
                continue; // skipped: no bar
            };
            let (from, to) = (x(1.0), x(ratio));
            // The reference's own bar would have no width: a tick marks it.
            let (bx, bw) = (from.min(to), (to - from).abs().max(2.0));
            let (tx, anchor) = if ratio >= 1.0 {
                (to + 3.0, "start")
            } else {
                (to - 3.0, "end")
            };
            let _ = writeln!(
                svg,
                "<rect x=\"{bx:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{:.0}\" \
                 fill=\"{}\"><title>{name} {}: {}</title></rect>\
                 <text x=\"{tx:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"{anchor}\">{}</text>",
                bar - 2.0,
                COLORS[c % COLORS.len()],
                escape(runtime),
                times(ratio),
                y + bar - 3.0,
                times(ratio)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Text made safe inside SVG (XML) elements.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table with fixed numbers: two steps and the three peers.
    fn table() -> Table {
        let row = |name: &str, unit, figures: [Figure; 5]| Row {
            name: name.into(),
            unit,
            figures: figures.into(),
        };
        use Figure::{Skipped, Value};
        Table {
            runtimes: ["step03", "step05", "tokio", "smol", "asyncio"]
                .map(String::from)
                .into(),
            rows: vec![
                row(
                    "spawn_join",
                    Unit::Time,
                    [
                        Value(5e5),
                        Value(1.2e6),
                        Value(2.5e6),
                        Value(2e6),
                        Value(2.5e7),
                    ],
                ),
                row(
                    "echo",
                    Unit::Time,
                    [
                        Skipped,
                        Value(3.6e7),
                        Value(3.6e7),
                        Value(6.3e7),
                        Value(1.5e8),
                    ],
                ),
                row(
                    SYSCALLS_ROW,
                    Unit::Count,
                    [Skipped, Value(6.0), Value(8.0), Value(9.0), Value(12.5)],
                ),
            ],
        }
    }

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(duration(812.0), "812 ns");
        assert_eq!(duration(1_361_724.0), "1.36 ms");
        assert_eq!(duration(35_632_927.0), "35.6 ms");
        assert_eq!(duration(2.05e9), "2.05 s");
        assert_eq!(times(0.1934), "0.193×");
        assert_eq!(times(37.24), "37.2×");
        assert_eq!(times(123.4), "123×");
    }

    #[test]
    fn the_table_shows_medians_and_ratios_to_tokio() {
        let text = table().text();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("workload"), "{text}");
        assert!(lines[1].starts_with("spawn_join"), "{text}");
        assert!(
            lines[1].contains("500 µs") && lines[1].contains("25.0 ms"),
            "{text}"
        );
        assert!(
            lines[2].contains("0.200×") && lines[2].contains("10.0×"),
            "{text}"
        );
        assert!(lines[3].contains('—'), "a skipped cell: {text}");
        assert!(
            lines[5].contains("6.0") && lines[6].contains("0.750×"),
            "{text}"
        );
        assert!(
            lines.iter().all(|l| l.chars().count() <= crate::WIDTH),
            "{text}"
        );
    }

    #[test]
    fn the_markdown_table_has_one_row_per_workload() {
        let table = table();
        let report = Report {
            table: &table,
            runtimes: &[],
            steps: &[],
            mode: Mode::Quick,
            machine: Machine::default(),
            notes: vec!["a note".into()],
            chart: "bench/ratios.svg",
        };
        let md = report.markdown();
        assert!(
            md.contains("| workload | step03 | step05 | tokio | smol | asyncio |"),
            "{md}"
        );
        assert!(
            md.contains("| `spawn_join` | 500 µs (0.200×) | 1.20 ms (0.480×) |"),
            "{md}"
        );
        assert!(md.contains("| `echo` | — |"), "{md}");
        assert!(
            md.contains("![ratios to tokio, per workload](bench/ratios.svg)"),
            "{md}"
        );
        assert!(md.contains("--quick") && md.contains("- a note"), "{md}");
    }

    #[test]
    fn the_chart_has_a_bar_per_ratio_and_no_syscalls() {
        let chart = svg(&table());
        assert!(chart.starts_with("<svg ") && chart.ends_with("</svg>\n"));
        // spawn_join: 5 bars; echo: 4 (step03 skips it); the system calls are not a time.
        assert_eq!(chart.matches("<title>").count(), 9, "{chart}");
        assert!(
            chart.contains("<title>spawn_join step03: 0.200×</title>"),
            "{chart}"
        );
        assert!(!chart.contains(SYSCALLS_ROW), "{chart}");
        for label in ["0.1×", ">1×<", "10×"] {
            assert!(chart.contains(label), "{label}: {chart}");
        }
    }

    #[test]
    fn targets_are_checked_against_the_figures() {
        let table = table();
        assert_eq!(
            Target::Ratio("spawn_join", 0.5).check(&table, "step05"),
            Some(("0.480×".into(), true))
        );
        assert_eq!(
            Target::NotAboveSmol("spawn_join").check(&table, "step05"),
            Some(("1.20 ms vs 2.00 ms".into(), true))
        );
        assert_eq!(
            Target::FasterThanAsyncio("spawn_join", 15.0).check(&table, "step05"),
            Some(("20.8×".into(), true))
        );
        assert_eq!(
            Target::FasterThanAsyncio("echo", 5.0).check(&table, "step05"),
            Some(("4.17×".into(), false))
        );
        assert_eq!(Target::Ratio("echo", 1.0).check(&table, "step03"), None);
    }

    #[test]
    fn criterion_cargo_and_strace_outputs_are_read() {
        let estimates = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1361724.5,"standard_error":0.2}}"#;
        assert_eq!(median_estimate(estimates), Some(1_361_724.5));
        let cargo = concat!(
            r#"{"reason":"compiler-artifact","target":{"src_path":"/w/lib.rs"},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"kind":["bench"],"src_path":"/w/step03/benches/runtime.rs"},"executable":"/t/release/deps/runtime-1"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            executables(cargo),
            vec![(
                PathBuf::from("/w/step03/benches/runtime.rs"),
                PathBuf::from("/t/release/deps/runtime-1")
            )]
        );
        let strace = "% time     seconds  usecs/call     calls    errors syscall\n\
                      ------ ----------- ----------- --------- --------- ----------------\n\
                      \x2047.23    0.038762           9      4000      1999 recvfrom\n\
                      ------ ----------- ----------- --------- --------- ----------------\n\
                      100.00    0.082064          10      8126      2001 total\n";
        assert_eq!(strace_total(strace), Some(8126));
        assert_eq!(strace_total("100.00 0.1 10 77 total\n"), Some(77));
        let once = "once timers_10ms wall_ns=12186741 cpu_ns=3124430\n";
        assert_eq!(field(once, "cpu_ns"), Some(3_124_430.0));
    }

    #[test]
    fn dates_and_lock_files() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_782), "2024-02-29");
        let lock = "[[package]]\nname = \"tokio\"\nversion = \"1.54.1\"\n\n\
                    [[package]]\nname = \"tokio-macros\"\nversion = \"2.0.0\"\n";
        assert_eq!(locked(lock, "tokio").as_deref(), Some("1.54.1"));
        assert_eq!(locked(lock, "smol"), None);
    }
}
