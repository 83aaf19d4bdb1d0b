//! `BENCHMARKS.md`: the machine and the versions, how the figures were taken, the table in
//! Markdown, the targets (`targets.rs`) and the notes: what each runtime skips, and why.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::thread;
use std::time::{SystemTime, UNIX_EPOCH};

use super::build::{Runtime, version};
use super::table::{Figure, Table, times};
use super::{CPU_ROW, Mode, PEERS, REFERENCE, SYSCALLS_ROW, TUNABLES, WORKLOADS};
use crate::steps::Step;

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
pub(super) fn machine(root: &Path) -> Machine {
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
}

impl Report<'_> {
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
             is: asyncio has no yield that skips the selector.\n\n\
             What each runtime's line stream is. In `stream_lines` the client writes the lines \
             64 KiB at a time, then an empty line that ends them (the connection stays open for \
             the answer: step06's stream cannot shut down its writing half alone), and the \
             server reads them through:\n\n\
             - step06: `AioStream::lines`, a generator over reads of 16 KiB, each under the \
             stream's idle timeout; each line a `Vec<u8>`;\n\
             - tokio: `BufReader::new(reader).lines()`, over reads of 8 KiB; each line a \
             `String`, checked as UTF-8;\n\
             - smol: futures-lite's `BufReader::new(&stream).lines()`, the same;\n\
             - asyncio: `async for line in reader`, on the streams of `start_server`, whose \
             transport reads up to 256 KiB at a time; each line `bytes`, its newline \
             included.\n\n",
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
