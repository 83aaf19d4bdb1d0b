//! Run it: `cargo run -p step05-futures-timers --example talk05` (or `cargo xtask demo 5 talk`)
//!
//! The talk's slide 5.10 (`before`, a 5 s `sleep`, `after`), then slide 4.11's `gather` again
//! (which prints slide 4.6's output), on this step's loop: same output, same timing, and the CPU
//! time each took. The talk's own §5 loop still spins while it waits (its 5 s sleep burns 5 s of
//! CPU), and crashes on slide 4.11 (its `TimeEvent.__lt__` compares with `rhs`, not `rhs.t`);
//! this one sleeps in the kernel. With `--auto` (or no terminal) a talk second lasts 100 ms.

use std::time::{Duration, Instant};

use shared::{demo, record, say};
use step05_futures_timers::{Loop, gather, sleep};

const HELP: &str = "usage: talk05 [--auto]
The talk's slide 5.10, then 4.11, on this step's loop, with the CPU time used.";

/// How long a talk second lasts (1 s, or 100 ms in automatic runs), and when the scenario began.
#[derive(Clone, Copy)]
struct Clock {
    second: Duration,
    start: Instant,
}

impl Clock {
    /// Talk seconds since the scenario began.
    fn now(self) -> f64 {
        self.start.elapsed().as_secs_f64() / self.second.as_secs_f64()
    }
}

/// The talk's `print_messages(*messages, sleep_time=1)`: print a message, sleep, repeat.
async fn print_messages(clock: Clock, messages: &'static [&'static str], sleep_time: f64) {
    record::name_task(demo::print_messages_call(messages, sleep_time)); // as the talk calls it
    for msg in messages {
        say(
            "print_messages",
            format!("{msg:<3}  at {:.1} s", clock.now()),
        );
        sleep(clock.second.mul_f64(sleep_time)).await;
    }
}

/// Runs one slide on a new loop, then says when it ended and how much CPU it used.
fn scenario(slide: &str, code: &str, second: Duration, run: impl AsyncFnOnce(Clock) + 'static) {
    say(slide, code);
    let clock = Clock {
        second,
        start: Instant::now(),
    };
    let cpu = shared::sys::cpu_time();
    let outcome = Loop::new().and_then(|event_loop| event_loop.run_task(run(clock)));
    let cpu = shared::sys::cpu_time().and_then(|end| Ok(end - cpu?));
    match (outcome, cpu) {
        (Ok(()), Ok(cpu)) => {
            let cpu = cpu.as_secs_f64() / second.as_secs_f64();
            say(
                "main",
                format!("ended at {:.1} s, CPU used: {cpu:.2} s", clock.now()),
            );
        }
        (Err(err), _) | (_, Err(err)) => say("main", format!("error: {err}")),
    }
}

fn main() {
    demo::Flags::parse(HELP, &[], &[]);
    let second = Duration::from_millis(if demo::is_auto() { 100 } else { 1000 });
    say(
        "main",
        format!("one talk second lasts {} ms here", second.as_millis()),
    );
    scenario(
        "§5.10",
        "print('before'); await sleep(5); print('after')",
        second,
        async |c| {
            say("main", "before");
            sleep(c.second * 5).await;
            say("main", "after");
        },
    );
    let (every_second, every_0_7): (&[&str], &[&str]) =
        (&["foo", "bar", "baz"], &["aaa", "bbb", "ccc"]);
    let code = "gather(print_messages(foo…), print_messages(aaa…, sleep_time=0.7))";
    scenario("§4.11", code, second, async move |c| {
        gather([
            print_messages(c, every_second, 1.0),
            print_messages(c, every_0_7, 0.7),
        ])
        .await;
    });
}
