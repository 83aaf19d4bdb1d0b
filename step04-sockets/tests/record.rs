//! What the loop reports of its decisions (to `cargo xtask trace` and the demos' `--step`): the
//! talk's round robin, event by event; `run_tasks` too; tasks by name; what `--step` says.

use std::time::Duration;

use shared::testing::bounded;
use shared::{record, say};
use step04_sockets::{Loop, Task, Waiter, gather, interrupt, run_tasks, sleep};

/// A task that suspends `times` times before it ends.
async fn suspends(times: usize) {
    for _ in 0..times {
        interrupt().await;
    }
}

#[test]
fn two_tasks_take_turns_as_the_talks_round_robin_says() {
    let events = bounded(|| {
        let ((), events) = record::capture(|| {
            let event_loop = Loop::new();
            event_loop.add_task(suspends(2));
            event_loop.add_task(suspends(1));
            event_loop.run();
        });
        events
    });
    let expected = [
        // Named after their `async fn`.
        "added 1 suspends",
        "added 2 suspends",
        "run",
        // Each turn pops the task at the front, polls it once, and puts it back unless done.
        // `interrupt` wakes the task before its `Pending`: the waker does nothing, but the
        // recorder hears it.
        "turn",
        "poll 1",
        "no-op wake",
        "pending 1",
        "turn",
        "poll 2",
        "no-op wake",
        "pending 2",
        "turn",
        "poll 1",
        "no-op wake",
        "pending 1",
        "turn",
        "poll 2",
        "ready 2",
        "finished 2",
        "turn",
        "poll 1",
        "ready 1",
        "finished 1",
        "run ends",
    ];
    assert_eq!(events, expected);
}

#[test]
fn run_tasks_is_a_run_too() {
    // The talk's first loop: its turns were missing from the pictures (issue 25).
    let events = bounded(|| {
        let ((), events) = record::capture(|| {
            let tasks: Vec<Task> = vec![Box::pin(suspends(1)), Box::pin(suspends(0))];
            run_tasks(tasks);
        });
        events
    });
    let expected = [
        "run",
        // Boxed before they reach the loop: their names come from their first line, if any.
        "added 1",
        "added 2",
        "turn",
        "poll 1",
        "no-op wake",
        "pending 1",
        "turn",
        "poll 2",
        "ready 2",
        "finished 2",
        "turn",
        "poll 1",
        "ready 1",
        "finished 1",
        "run ends",
    ];
    assert_eq!(events, expected);
}

/// The fields of the trace lines of kind `kind`, as `key=value` words, in order.
fn lines_of(lines: &[String], kind: &str) -> Vec<String> {
    let tag = format!("{{\"e\":\"{kind}\"");
    lines
        .iter()
        .filter(|line| line.starts_with(&tag))
        .cloned()
        .collect()
}

#[test]
fn tasks_have_names_and_their_lines_are_on_their_rows() {
    let lines = bounded(|| {
        let ((), lines) = record::trace(|| {
            let event_loop = Loop::new();
            event_loop.add_task_named("the greeter", async { say("greeter", "hello") });
            event_loop.run_task(async {});
            // A boxed task has no name to give: it takes its first line's label.
            run_tasks(vec![Box::pin(async { say("anonymous", "hi") })]);
        });
        lines
    });
    let named: Vec<String> = lines_of(&lines, "task")
        .iter()
        .map(|line| line.split("\"name\":").nth(1).unwrap().to_owned())
        .collect();
    let expected = [
        "\"the greeter\",\"cleanup\":false}",
        // `run_task`'s task is named after its future: here an `async` block in this test.
        "\"tasks_have_names_and_their_lines_are_on_their_rows\",\"cleanup\":false}",
        "null,\"cleanup\":false}",
    ];
    assert_eq!(named, expected);
    let renamed = lines_of(&lines, "name");
    assert_eq!(
        renamed,
        [r#"{"e":"name","task":3,"name":"anonymous","from_line":true}"#]
    );
    // Each line on the row of the task that printed it, in the run it printed in.
    let said: Vec<String> = lines_of(&lines, "say")
        .iter()
        .map(|line| line.split_once(",\"task\"").unwrap().1.to_owned())
        .collect();
    let expected = [
        r#":1,"run":1,"label":"greeter","text":"hello"}"#,
        r#":3,"run":2,"label":"anonymous","text":"hi"}"#,
    ];
    assert_eq!(said, expected);
}

#[test]
fn gather_names_its_tasks_after_the_futures_they_run() {
    let names = bounded(|| {
        let ((), lines) = record::trace(|| {
            Loop::new().run_task(async {
                gather([suspends(1), suspends(2)]).await;
            });
        });
        lines_of(&lines, "task")
    });
    let names: Vec<&str> = names
        .iter()
        .filter_map(|line| line.split("\"name\":\"").nth(1)?.split('"').next())
        .collect();
    assert_eq!(
        names[1..],
        ["suspends", "suspends"],
        "--step and cargo xtask trace show gather's tasks under the names of the futures they \
         run: add them with add_task_named(std::any::type_name::<F>(), …)"
    );
}

#[test]
fn a_busy_sleep_folds_into_one_step_and_says_why() {
    let narration = bounded(|| {
        let ((), narration) = record::narrate(|| {
            let event_loop = Loop::new();
            event_loop.add_task_named("sleeper", sleep(Duration::from_millis(30)));
            event_loop.run();
        });
        narration
    });
    // Thousands of polls that only asked "is it time yet?": one line, not one Enter each.
    let folded: Vec<&String> = narration.iter().filter(|l| l.contains("polled")).collect();
    assert_eq!(folded.len(), 1, "{narration:#?}");
    assert!(
        folded[0].starts_with("task 1 sleeper polled ")
            && folded[0].ends_with(" times, its sleep not due yet"),
        "{narration:#?}"
    );
    let pauses = narration.iter().filter(|l| *l == "(Enter)").count();
    assert!(pauses <= 3, "{pauses} pauses: {narration:#?}");
    // At the pause after its first poll, the task's state: queued again, its sleep not due.
    let views: Vec<&String> = narration
        .iter()
        .filter(|l| l.starts_with("  task 1 sleeper: "))
        .collect();
    assert_eq!(views[0], "  task 1 sleeper: queued, new");
    assert!(
        views[1].starts_with("  task 1 sleeper: queued, its sleep due in "),
        "{views:?}"
    );
}

#[test]
fn each_pause_says_what_every_task_awaits() {
    let narration = bounded(|| {
        let ((), narration) = record::narrate(|| {
            let event_loop = Loop::new();
            let waiter = Waiter::with_count(2);
            let (first, second) = (waiter.clone(), waiter.clone());
            event_loop.add_task_named("waits", waiter);
            event_loop.add_task_named("sets", async move {
                first.set();
                interrupt().await;
                second.set();
            });
            event_loop.run();
        });
        narration
    });
    let expected = [
        "task added: task 1 waits",
        "task added: task 2 sets",
        "a run of the loop begins (run 1)",
        "  task 1 waits: queued, new",
        "  task 2 sets: queued, new",
        "(Enter)",
        "turn 1",
        "poll task 1 waits (new)",
        "  → Pending, woke itself; awaits a waiter (2 sets to go)",
        "  task 1 waits: queued, a waiter (2 sets to go)",
        "  task 2 sets: queued, new",
        "(Enter)",
        "turn 2",
        "poll task 2 sets (new)",
        "  → Pending, woke itself",
        "  task 1 waits: queued, a waiter (2 sets to go)",
        "  task 2 sets: queued",
        "(Enter)",
        // The waiter, polled again, with one set to go: not a new step.
        "task 1 waits polled once, its waiter not set yet",
        "turn 4",
        "poll task 2 sets (woken by itself)",
        "  → Ready: done",
        "  task 1 waits: queued, a waiter (1 set to go)",
        "(Enter)",
        "turn 5",
        "poll task 1 waits (woken by itself)",
        "  → Ready: done",
        "the run ends after 5 turns (run 1)",
    ];
    assert_eq!(narration, expected);
}

#[test]
fn a_task_that_asks_a_socket_at_each_turn_says_which() {
    use std::os::fd::AsRawFd;
    use step04_sockets::{AioListener, AioStream};
    let (narration, fd) = bounded(|| {
        let listener = AioListener::bind("127.0.0.1:0").unwrap();
        let (addr, fd) = (listener.local_addr().unwrap(), listener.as_raw_fd());
        let ((), narration) = record::narrate(|| {
            let event_loop = Loop::new();
            event_loop.add_task_named("server", async move {
                let _ = listener.accept().await.unwrap();
            });
            event_loop.add_task_named("client", async move {
                suspends(2).await;
                let _ = AioStream::connect(addr).await.unwrap();
            });
            event_loop.run();
        });
        (narration, fd)
    });
    // Until the client connects, the server asks the kernel at each of its turns.
    let asks = format!("  task 1 server: queued, socket fd {fd} readable");
    assert!(narration.contains(&asks), "{narration:#?}");
}

#[test]
fn run_tasks_steps_too() {
    let narration = bounded(|| {
        let ((), narration) = record::narrate(|| {
            run_tasks(vec![Box::pin(suspends(1)), Box::pin(suspends(0))]);
        });
        narration
    });
    let expected = [
        "a run of the loop begins (run 1)",
        "task added: task 1",
        "task added: task 2",
        "  task 1: queued, new",
        "  task 2: queued, new",
        "(Enter)",
        "turn 1",
        "poll task 1 (new)",
        "  → Pending, woke itself",
        "  task 1: queued",
        "  task 2: queued, new",
        "(Enter)",
        "turn 2",
        "poll task 2 (new)",
        "  → Ready: done",
        "  task 1: queued",
        "(Enter)",
        "turn 3",
        "poll task 1 (woken by itself)",
        "  → Ready: done",
        "the run ends after 3 turns (run 1)",
    ];
    assert_eq!(narration, expected);
}
