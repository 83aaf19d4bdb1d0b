//! Run it: `cargo run -p step03-round-robin --example talk03` (or `cargo xtask demo 3 talk`)
//!
//! The talk's slides 4.4, 4.6, 4.8 and 4.11, and the article's `workflow`, on this step's loop.
//! Times are in the talk's seconds; with `--auto` (or no terminal) a talk second is 100 ms.

use std::time::{Duration, Instant};

use shared::{demo, record, say};
use step03_round_robin::{ComplexWork, Loop, Task, Waiter, gather, interrupt, run_tasks};
use step03_round_robin::{simple_print, sleep};

const HELP: &str = "usage: talk03 [--auto]
The talk's §4.1-4.11 examples on this step's loop (--auto: a talk second lasts 100 ms).";

/// The talk's `wait_job` and `count_up_to` (§3, run again on slide 4.4).
async fn wait_job(waiter: Waiter) {
    say("wait_job", "start");
    waiter.await;
    say("wait_job", "finished");
}

async fn count_up_to(waiter: Waiter, n: u32) {
    for i in 0..n {
        say("count_up_to", i);
        interrupt().await;
    }
    waiter.set();
}

/// How long a talk second lasts (1 s, or 100 ms in automatic runs), and when the scenario began.
#[derive(Clone, Copy)]
struct Clock {
    second: Duration,
    start: Instant,
}

/// The talk's `print_messages(*messages, sleep_time=1)`: print a message, sleep, repeat.
async fn print_messages(clock: Clock, messages: &'static [&'static str], sleep_time: f64) {
    record::name_task(demo::print_messages_call(messages, sleep_time)); // as the talk calls it
    for msg in messages {
        let at = clock.start.elapsed().as_secs_f64() / clock.second.as_secs_f64();
        say("print_messages", format!("{msg:<3}  at {at:.1} s"));
        sleep(clock.second.mul_f64(sleep_time)).await;
    }
}

/// The article's `workflow()`: a gather, then one more `print_messages`.
async fn workflow(clock: Clock) {
    let (ab, cde): (&[&str], &[&str]) = (&["a", "b"], &["c", "d", "e"]);
    gather([
        print_messages(clock, ab, 1.0),
        print_messages(clock, cde, 1.0),
    ])
    .await;
    print_messages(clock, &["f", "g"], 1.0).await;
}

/// Says which slide runs, and runs it with a clock starting now.
fn scenario(slide: &str, code: &str, second: Duration, run: impl FnOnce(Clock)) {
    say(slide, code);
    run(Clock {
        second,
        start: Instant::now(),
    });
}

const FOO: [&str; 3] = ["foo", "bar", "baz"];
const AAA: [&str; 3] = ["aaa", "bbb", "ccc"];

fn main() {
    demo::Flags::parse(HELP, &[], &[]);
    let second = Duration::from_millis(if demo::is_auto() { 100 } else { 1000 });
    say(
        "main",
        format!("one talk second lasts {} ms here", second.as_millis()),
    );

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

    let code = "run_tasks(print_messages(foo…), print_messages(aaa…, sleep_time=0.7))";
    scenario("§4.6", code, second, |c| {
        run_tasks(vec![
            Box::pin(print_messages(c, &FOO, 1.0)),
            Box::pin(print_messages(c, &AAA, 0.7)),
        ])
    });
    let code = "Loop().run_task(print_messages('foo', 'bar', 'baz'))";
    scenario("§4.8", code, second, |c| {
        Loop::new().run_task(print_messages(c, &FOO, 1.0))
    });
    let code = "Loop().run_task(gather(print_messages(foo…), print_messages(aaa…, 0.7)))";
    scenario("§4.11", code, second, |c| {
        let both = [print_messages(c, &FOO, 1.0), print_messages(c, &AAA, 0.7)];
        let results = Loop::new().run_task(gather(both));
        say(
            "main",
            format!("gather returned {results:?} (the talk's gather: None)"),
        );
    });
    scenario("article", "Loop().run_task(workflow())", second, |c| {
        Loop::new().run_task(workflow(c))
    });
}
