//! Run it: `cargo run -p step03-round-robin --example talk03` (or `cargo xtask demo 3 talk`)
//!
//! The talk's §4.1–4.11 on this step's loop: `run_tasks` on slide 4.4's two runs, then
//! `print_messages` run together (4.6), on a `Loop` (4.8), through `gather` (4.11), and the
//! article's `workflow`. Each line shows its time in the talk's seconds, to compare with the
//! talk. With `--auto` (or stdin not a terminal) a talk second lasts 100 ms, so it ends quickly.

use std::time::{Duration, Instant};

use shared::{demo, say};
use step03_round_robin::{ComplexWork, Loop, Task, Waiter, gather, interrupt, run_tasks};
use step03_round_robin::{simple_print, sleep};

const HELP: &str = "usage: talk03 [--auto]
The talk's §4.1-4.11 examples on this step's loop (--auto: a talk second lasts 100 ms).";

/// The talk's `wait_job` (§3, run again on slide 4.4).
async fn wait_job(waiter: Waiter) {
    say("wait_job", "start");
    waiter.await;
    say("wait_job", "finished");
}

/// The talk's `count_up_to`; the waiter now counts, and `set()` is its one notification.
async fn count_up_to(waiter: Waiter, n: u32) {
    for i in 0..n {
        say("count_up_to", i);
        interrupt().await;
    }
    waiter.set();
}

/// How long one of the talk's seconds lasts in this run, and when the current scenario began.
#[derive(Clone, Copy)]
struct Clock {
    /// A talk second: 1 s on a terminal, 100 ms in automatic runs.
    second: Duration,
    /// The start of the scenario being shown.
    start: Instant,
}

impl Clock {
    /// A clock that starts now.
    fn restart(self) -> Clock {
        Clock {
            start: Instant::now(),
            ..self
        }
    }

    /// `seconds` talk seconds.
    fn talk(self, seconds: f64) -> Duration {
        self.second.mul_f64(seconds)
    }

    /// Talk seconds since the scenario began.
    fn now(self) -> f64 {
        self.start.elapsed().as_secs_f64() / self.second.as_secs_f64()
    }
}

/// The talk's `print_messages(*messages, sleep_time=1)`: print a message, sleep, repeat.
async fn print_messages(clock: Clock, messages: &[&str], sleep_time: f64) {
    for msg in messages {
        say(
            "print_messages",
            format!("{msg:<3}  at {:.1} s", clock.now()),
        );
        sleep(clock.talk(sleep_time)).await;
    }
}

/// The article's `workflow`: a gather, then one more `print_messages`.
async fn workflow(clock: Clock) {
    gather([
        print_messages(clock, &["a", "b"], 1.0),
        print_messages(clock, &["c", "d", "e"], 1.0),
    ])
    .await;
    print_messages(clock, &["f", "g"], 1.0).await;
}

/// Says how long a scenario took, in talk seconds.
fn ended(clock: Clock) {
    say("main", format!("ended at {:.1} s", clock.now()));
}

fn main() {
    demo::Flags::parse(HELP, &[]);
    let second = if demo::is_auto() {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(1)
    };
    say(
        "main",
        format!("one talk second lasts {} ms here", second.as_millis()),
    );
    let clock = Clock {
        second,
        start: Instant::now(),
    };

    say(
        "§4.4",
        "run_tasks(simple_print(1), ComplexWork(), simple_print(2), simple_print(3))",
    );
    let tasks: Vec<Task> = vec![
        Box::pin(simple_print("1")),
        Box::pin(ComplexWork::new()),
        Box::pin(simple_print("2")),
        Box::pin(simple_print("3")),
    ];
    run_tasks(tasks);

    say(
        "§4.4",
        "run_tasks(wait_job(waiter), count_up_to(waiter, 5))",
    );
    let waiter = Waiter::new();
    run_tasks(vec![
        Box::pin(wait_job(waiter.clone())),
        Box::pin(count_up_to(waiter, 5)),
    ]);

    say("§4.6", "run_tasks(print_messages('foo', 'bar', 'baz'),");
    say(
        "§4.6",
        "          print_messages('aaa', 'bbb', 'ccc', sleep_time=0.7))",
    );
    let clock = clock.restart();
    run_tasks(vec![
        Box::pin(print_messages(clock, &["foo", "bar", "baz"], 1.0)),
        Box::pin(print_messages(clock, &["aaa", "bbb", "ccc"], 0.7)),
    ]);
    ended(clock);

    say(
        "§4.8",
        "Loop().run_task(print_messages('foo', 'bar', 'baz'))",
    );
    let clock = clock.restart();
    Loop::new().run_task(print_messages(clock, &["foo", "bar", "baz"], 1.0));
    ended(clock);

    say(
        "§4.11",
        "Loop().run_task(gather(print_messages('foo', 'bar', 'baz'),",
    );
    say(
        "§4.11",
        "                       print_messages('aaa', 'bbb', 'ccc', sleep_time=0.7)))",
    );
    let clock = clock.restart();
    Loop::new().run_task(gather([
        print_messages(clock, &["foo", "bar", "baz"], 1.0),
        print_messages(clock, &["aaa", "bbb", "ccc"], 0.7),
    ]));
    ended(clock);

    say("article", "Loop().run_task(workflow())");
    let clock = clock.restart();
    Loop::new().run_task(workflow(clock));
    ended(clock);
}
