//! The measuring half of every Rust runtime's benchmark, the steps' and the peers' alike. Each
//! `benches/*.rs` includes this file with `#[path]` and hands its workloads to [`main`], so that
//! every runtime is sized, timed and counted by the same code.
//!
//! A benchmark binary runs in one of three ways, chosen by `cargo xtask bench`:
//! - `BENCH_LIST=1`: prints `run NAME` or `skip NAME: why` for each workload, and exits;
//! - `BENCH_ONCE=NAME BENCH_RUNS=N`: runs one workload N times without criterion (after one
//!   warm-up run when N > 1) and prints `once NAME wall_ns=… cpu_ns=…`, the medians: what
//!   `strace -c` counts, and how the CPU time of the 10 ms timers is taken;
//! - otherwise criterion, as `cargo bench` runs it: `--bench --exact NAME` picks one workload.
//!
//! `BENCH_DIVISOR=D` divides every count by D: CI's tiny run proves the pipeline in seconds.

use std::env;
use std::fs;
use std::time::{Duration, Instant};

use criterion::Criterion;

/// A workload: does `iters` times what it measures and returns how long that took. Most time
/// all of it; `idle_conns` times its round trips only, once its idle connections are open.
pub type Workload<'a> = &'a mut dyn FnMut(u64) -> Duration;

/// What a benchmark file offers for one workload name: the workload, or why it cannot run it.
pub enum Entry<'a> {
    /// The runtime can run this workload.
    Run(Workload<'a>),
    /// The runtime cannot express it; the reason goes into `BENCHMARKS.md`.
    Skip(&'static str),
}

/// The bytes of every message of `echo` and `idle_conns`.
pub const MESSAGE: usize = 64;
/// Round trips of each task pair in `ping_pong`: a value thrown one way, then back.
pub const BOUNCES: u64 = 10;
/// The buffer every echo server reads into: bigger than a message, as a real server's is.
pub const SERVER_BUFFER: usize = 4096;
/// One line of `stream_lines`, its newline included: ten bytes, a short line, as a log's are.
pub const LINE: &[u8] = b"012345678\n";
/// The most `stream_lines`' client writes at once: many lines per write, as a program that
/// buffers its output writes them.
pub const CHUNK: usize = 64 * 1024;

/// `n / BENCH_DIVISOR`, at least 1.
fn scaled(n: u64) -> u64 {
    let divisor: u64 = env::var("BENCH_DIVISOR")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(1);
    (n / divisor.max(1)).max(1)
}

/// Tasks of `spawn_join`, and sleepers of `timers_1ms` and `timers_10ms`: 10,000.
pub fn tasks() -> u64 {
    scaled(10_000)
}

/// Yields of `yield_selfwake` and `yield_fair`: 100,000.
pub fn yields() -> u64 {
    scaled(100_000)
}

/// Task pairs of `ping_pong`: 1,000.
pub fn pairs() -> u64 {
    scaled(1_000)
}

/// Round trips of `echo`: 10,000.
pub fn round_trips() -> u64 {
    scaled(10_000)
}

/// Idle connections of `idle_conns`, and the round trips timed beside them: 1,000 each.
pub fn idle() -> u64 {
    scaled(1_000)
}

/// Lines of `stream_lines`: 100,000.
pub fn lines() -> u64 {
    scaled(100_000)
}

/// What `stream_lines`' client sends: [`lines`] times [`LINE`], then an empty line that ends
/// them, as one ends HTTP's headers. The connection stays open both ways, for the answer to come
/// back: step06's stream cannot shut down its writing half alone.
pub fn lines_to_send() -> Vec<u8> {
    let mut bytes = LINE.repeat(lines() as usize);
    bytes.push(b'\n');
    bytes
}

/// What `stream_lines`' server keeps of the lines it reads.
#[derive(Debug, Default)]
pub struct LineCount {
    /// Lines read, the empty last one not counted.
    lines: u64,
    /// Their bytes, without the newlines.
    bytes: u64,
}

impl LineCount {
    /// Counts one line, given without its newline.
    pub fn add(&mut self, line: &[u8]) {
        self.lines += 1;
        self.bytes += line.len() as u64;
    }

    /// The server's answer, the count on a line of its own, once it checked that every line
    /// came, whole: the client waits for it, so the run ends when the last line is read.
    pub fn answer(&self) -> Vec<u8> {
        let line = LINE.len() as u64 - 1;
        assert_eq!((self.lines, self.bytes), (lines(), lines() * line));
        format!("{}\n", self.lines).into_bytes()
    }
}

/// Whether `answer` (without its newline) is the count of every line sent: the client's check.
pub fn all_lines_counted(answer: &[u8]) -> bool {
    answer == lines().to_string().as_bytes()
}

/// Times `iters` calls of `run`: how most workloads answer criterion.
pub fn timed(iters: u64, mut run: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        run();
    }
    start.elapsed()
}

/// The CPU time this process has used so far, all its threads together, from
/// `/proc/self/task/*/schedstat` (nanoseconds on the CPU, the same counter as Python's
/// `time.process_time`). `None` where there is no such file (not Linux).
///
/// The kernel brings a running thread's counter up to date only when its scheduler looks at
/// it: read as is, it lags by up to a tick (4 ms here). A `yield_now` first makes it look.
pub fn cpu_time() -> Option<Duration> {
    std::thread::yield_now();
    let mut total = 0;
    for task in fs::read_dir("/proc/self/task").ok()? {
        let stat = fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// Runs the benchmark binary: lists, runs once, or hands over to criterion (see the top).
pub fn main(workloads: &mut [(&str, Entry<'_>)]) {
    if env::var_os("BENCH_LIST").is_some() {
        for (name, entry) in workloads.iter() {
            match entry {
                Entry::Run(_) => println!("run {name}"),
                Entry::Skip(why) => println!("skip {name}: {why}"),
            }
        }
        return;
    }
    if let Ok(wanted) = env::var("BENCH_ONCE") {
        let runs = env::var("BENCH_RUNS").ok().and_then(|r| r.parse().ok());
        match workloads.iter_mut().find(|(name, _)| *name == wanted) {
            Some((name, Entry::Run(workload))) => once(name, workload, runs.unwrap_or(1)),
            _ => panic!("BENCH_ONCE: this runtime has no workload {wanted}"),
        }
        return;
    }
    // Few samples, each already thousands of operations: the machine is small, and every
    // workload runs in its own process. The command line (`cargo xtask bench`) overrides them.
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .nresamples(10_000)
        .without_plots()
        .configure_from_args();
    for (name, entry) in workloads.iter_mut() {
        if let Entry::Run(workload) = entry {
            criterion.bench_function(name, |b| b.iter_custom(&mut *workload));
        }
    }
    criterion.final_summary();
}

/// Runs `workload` `runs` times, one at a time, and prints the medians of wall and CPU time.
fn once(name: &str, workload: &mut Workload<'_>, runs: usize) {
    if runs > 1 {
        workload(1); // warm-up: the allocator's heap, the runtime's first tasks
    }
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        let before = cpu_time();
        walls.push(workload(1));
        cpus.extend(before.zip(cpu_time()).map(|(before, after)| after - before));
    }
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times.get(times.len() / 2).map(Duration::as_nanos)
    };
    let cpu = median(cpus).map_or("unknown".to_owned(), |ns| ns.to_string());
    println!(
        "once {name} wall_ns={} cpu_ns={cpu}",
        median(walls).unwrap_or_default()
    );
}

/// The peers' `yield_selfwake`: `Pending` once, after waking its own waker, as every step's
/// `interrupt()` is. (tokio's `yield_now` is not that: it waits for the driver's next turn.)
pub fn self_wake() -> SelfWake {
    SelfWake { yielded: false }
}

/// The future of [`self_wake`].
#[derive(Debug)]
pub struct SelfWake {
    /// Whether it returned `Pending` already.
    yielded: bool,
}

impl std::future::Future for SelfWake {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.yielded {
            return std::task::Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}
