//! Running the benchmark processes, and what they measure: criterion's medians, the
//! `BENCH_ONCE` runs (the CPU time of `timers_10ms`), and the system calls that `strace -c`
//! counts. Every process starts the same way, with the same allocator settings.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::build::Runtime;
use super::table::{CELL_WIDTH, Figure, NAME_WIDTH, Table, Unit};
use super::{Mode, TUNABLES};
use crate::demo;
use crate::{Error, print_out};

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

/// Whether `strace` is installed and allowed to trace here (a container may forbid it).
pub(super) fn strace_works() -> bool {
    Command::new("strace")
        .args(["-c", "-o", "/dev/null", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The measuring side: where results and logs go, and how long to measure.
#[derive(Debug)]
pub(super) struct Bench {
    /// The workspace root: every process runs from there.
    pub(super) root: PathBuf,
    /// `target/bench/` (or `bench-tiny/`): criterion's results and the processes' output.
    pub(super) out: PathBuf,
    /// How long and how often.
    pub(super) mode: Mode,
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
    pub(super) fn row(
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
    pub(super) fn median(&self, runtime: &Runtime, workload: &str) -> Result<Option<f64>, String> {
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
    pub(super) fn cpu(&self, runtime: &Runtime, workload: &str) -> Result<Option<f64>, String> {
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
    pub(super) fn syscalls(&self, runtime: &Runtime) -> Result<Option<f64>, String> {
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
    pub(super) fn list(&self, runtime: &Runtime) -> Result<Vec<(String, Option<String>)>, String> {
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
