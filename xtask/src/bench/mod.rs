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
//!
//! One file per concern: `build.rs` finds and builds the runtimes; `run.rs` runs their
//! processes and measures (criterion, `BENCH_ONCE`, `strace -c`); `table.rs` holds the figures
//! and prints them; `report.rs` writes `BENCHMARKS.md`, with the targets of `targets.rs`;
//! `chart.rs` draws the chart; `tests.rs` tests them all. This file: the workloads, the modes,
//! and the command itself.

use std::fs;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use lexopt::prelude::*;

use crate::{Error, Workspace, help, print_out, unexpected};

mod build;
mod chart;
mod report;
mod run;
mod table;
mod targets;
#[cfg(test)]
mod tests;

pub use build::{Runtime, executables};
pub use chart::svg;
pub use report::{Machine, Report, civil_date, locked};
pub use run::{field, median_estimate, strace_total};
pub use table::{Figure, Row, Table, Unit, duration, times};

use build::{build, python};
use report::machine;
use run::{Bench, strace_works};

/// `cargo xtask bench --help`.
pub const HELP: &str = "\
usage: cargo xtask bench [--quick] [--tiny]
every step's benchmarks beside tokio, smol and asyncio: one table, written to BENCHMARKS.md
with its chart (bench/ratios.svg). Each workload runs in its own process.
  --quick   shorter measurements: under 2 minutes once built, for a live demo
  --tiny    tiny workloads, written under target/bench-tiny/: proves the pipeline (CI)
";

/// The workloads, in the order they run and are shown, with what each one does.
pub const WORKLOADS: [(&str, &str); 9] = [
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
    (
        "stream_lines",
        "100,000 lines of 10 bytes into the server's line stream, client and server in one loop",
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
    let target = ws.target.clone();
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
