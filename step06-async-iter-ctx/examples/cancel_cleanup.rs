//! Run it: `cargo run -p step06-async-iter-ctx --example cancel_cleanup`
//!
//! An async context manager whose body never gets to its end, three ways: cut by a `timeout`;
//! nested in another scope, both cut; stuck for ever, until the loop gives up. Each time its exit
//! still runs, told `Cancelled`. A `Drop` cannot await, so the scope's guard hands the exit to
//! the loop as a task of its own, and the loop runs it before `run` returns.

use std::future::pending;
use std::io;
use std::time::Duration;

use shared::{demo, say};
use step06_async_iter_ctx::{AsyncContextManager, Loop, Outcome, async_with, sleep, timeout};

const HELP: &str = "usage: cancel_cleanup [--auto]
Bodies of async with cut by a timeout, nested, or stuck: their exits still run.";

/// A connection to something, as a context manager that says what it does. Its exit takes a
/// while (it says goodbye): it has to be awaited, which a `Drop` cannot do.
struct Connection(&'static str);

impl AsyncContextManager for Connection {
    type Resource = &'static str;
    type Error = io::Error;

    fn enter(&mut self) -> impl Future<Output = io::Result<&'static str>> {
        say(self.0, "enter: connected");
        std::future::ready(Ok(self.0))
    }

    async fn exit(self, name: &'static str, outcome: Outcome<io::Error>) -> io::Result<()> {
        say(name, format!("exit({outcome:?}): saying goodbye…"));
        sleep(Duration::from_millis(50)).await;
        say(name, "exit: closed");
        outcome.into_result()
    }
}

/// A body that needs a second, longer than anyone lets it run.
async fn work(name: &str) -> io::Result<()> {
    say("body", format!("working with {name} (needs 1 s)"));
    sleep(Duration::from_secs(1)).await;
    say("body", "done (never printed)");
    Ok(())
}

/// Runs `scenario` on a loop of its own, and says when `run` has returned.
fn run(title: &str, scenario: impl Future<Output = ()> + 'static) -> io::Result<()> {
    say("main", title);
    match Loop::new()?.run_task(scenario) {
        Ok(()) => say("main", "run() returned"),
        Err(err) => say("main", format!("run(): {err}")),
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    demo::Flags::parse(HELP, &[], &[]);
    let limit = Duration::from_millis(200);
    demo::exit_code((|| {
        run("1. timeout(0.2 s, async with db: body)", async move {
            let scope = async_with(Connection("db"), async |db| work(db).await);
            let timed = timeout(limit, scope).await;
            say("main", format!("{timed:?}: the scope was dropped mid-body"));
        })?;
        run(
            "2. timeout(0.2 s, async with outer: async with inner: body)",
            async move {
                let scope = async_with(Connection("outer"), async |_| {
                    async_with(Connection("inner"), async |inner| work(inner).await).await?;
                    Ok(())
                });
                let timed = timeout(limit, scope).await;
                say(
                    "main",
                    format!("{timed:?}: both scopes dropped, inner first"),
                );
            },
        )?;
        run("3. async with db: a body that waits for ever", async {
            let scope = async_with(Connection("db"), async |_| {
                say("body", "waiting for something that never comes");
                pending::<io::Result<()>>().await
            });
            let _ = scope.await;
        })
    })())
}
