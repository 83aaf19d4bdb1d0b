//! Run it: `cargo run -p step05-futures-timers --example sleep_many [-- --tasks N]`
//!
//! Ten thousand tasks sleep between 0 and 500 ms, and all of them end about when the longest
//! sleep ends: the loop sleeps in the kernel until the next deadline, so while they wait, the
//! process uses almost no CPU. Step03's busy sleep would keep a core at 100% all along.

use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};

use shared::say;
use step05_futures_timers::{Loop, sleep};

const HELP: &str = "usage: sleep_many [--tasks N] [--auto]
N tasks (default 10000) sleep 0-500 ms each; prints the wall and CPU time they took, and
how many turns the loop made.";

fn main() -> std::process::ExitCode {
    let flags = shared::demo::Flags::parse(HELP, &["tasks"], &[]);
    shared::demo::exit_code(run(flags.value("tasks").unwrap_or(10_000)))
}

/// Starts `tasks` sleepers, runs them all, says how long it took and what it cost.
fn run(tasks: u64) -> io::Result<()> {
    let event_loop = Loop::new()?;
    let done = Rc::new(Cell::new(0));
    for i in 0..tasks {
        let done = Rc::clone(&done);
        // Spread the deadlines over 0-500 ms, the same way on every run.
        let nap = Duration::from_millis(i * 7919 % 501);
        event_loop.add_task(async move {
            sleep(nap).await;
            done.set(done.get() + 1);
        });
    }
    say("main", format!("{tasks} tasks sleep between 0 and 500 ms"));
    let (wall, cpu) = (Instant::now(), shared::sys::cpu_time()?);
    event_loop.run()?;
    let (wall, cpu) = (wall.elapsed(), shared::sys::cpu_time()? - cpu);
    let share = 100.0 * cpu.as_secs_f64() / wall.as_secs_f64();
    say("main", format!("{} tasks done in {wall:.0?}", done.get()));
    say(
        "main",
        format!("CPU time: {cpu:.0?}, {share:.1}% of the wall time"),
    );
    // Each turn fires every timer due by then: far fewer turns than timers.
    let turns = event_loop.turns();
    say("main", format!("the loop made {turns} turns"));
    Ok(())
}
