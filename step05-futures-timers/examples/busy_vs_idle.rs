//! Run it: `cargo run -p step05-futures-timers --example busy_vs_idle`
//!
//! A hundred tasks wait half a second, twice: first with step03's `sleep` (ask the clock, yield,
//! ask again), then with this step's (a timer, and the loop sleeps in the kernel). Same wall
//! time; `getrusage` says how much CPU each one burnt.

use std::io;
use std::time::{Duration, Instant};

use shared::say;
use step05_futures_timers::{Loop, interrupt, sleep};

const HELP: &str = "usage: busy_vs_idle [--auto]
CPU time of step03's busy sleep against this step's sleep, over the same wall time.";

/// How many tasks wait, and for how long.
const TASKS: usize = 100;
/// How long each task waits.
const WAIT: Duration = Duration::from_millis(500);

/// Step03's `sleep`: yield to the loop again and again until the deadline has passed.
async fn busy_sleep(duration: Duration) {
    let deadline = Instant::now() + duration;
    while Instant::now() < deadline {
        interrupt().await;
    }
}

/// Runs the tasks that `nap` makes, and returns the wall and CPU time they took.
fn measure<F: Future<Output = ()> + 'static>(nap: fn(Duration) -> F) -> io::Result<[Duration; 2]> {
    let event_loop = Loop::new()?;
    for _ in 0..TASKS {
        event_loop.add_task(nap(WAIT));
    }
    let (wall, cpu) = (Instant::now(), shared::sys::cpu_time()?);
    event_loop.run()?;
    Ok([wall.elapsed(), shared::sys::cpu_time()? - cpu])
}

fn main() -> std::process::ExitCode {
    shared::demo::Flags::parse(HELP, &[], &[]);
    shared::demo::exit_code((|| {
        say("main", format!("{TASKS} tasks wait {WAIT:?}, twice"));
        let [wall, cpu] = measure(busy_sleep)?;
        say(
            "busy",
            format!("step03's sleep: {wall:.0?} of wall time, {cpu:.0?} of CPU"),
        );
        let [wall, cpu] = measure(sleep)?;
        say(
            "idle",
            format!("step05's sleep: {wall:.0?} of wall time, {cpu:.0?} of CPU"),
        );
        Ok(())
    })())
}
