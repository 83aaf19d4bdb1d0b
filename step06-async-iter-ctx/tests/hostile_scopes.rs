//! Async context managers, generators and line streams under hostile use, through the public API
//! only: scopes cut at every await point, exits that panic, fail or are cut themselves, panics
//! that tear the loop down while cleanup waits, scopes inside generators and generators inside
//! scopes, yielders used where they should not be, and line streams fed a byte at a time.
//!
//! Every test runs within the time limit and counts descriptors (`without_leaks`), which also
//! runs the tests of this file one at a time: a count taken while another test opens a loop's
//! descriptors would mean nothing.

mod common;

use std::any::Any;
use std::cell::RefCell;
use std::future::{Future, pending, poll_fn};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use shared::echo::reverse_line;
use shared::testing::{in_background, without_leaks};
use step06_async_iter_ctx::{AioListener, AsyncContextManager, AsyncIterator, Co, Loop, Outcome};
use step06_async_iter_ctx::{AioStream, OneShot, interrupt, sleep, timeout};
use step06_async_iter_ctx::{Server, Stuck, async_with, context_from_generator, gather, generator};

/// What the managers and bodies did, in order.
type Log = Rc<RefCell<Vec<String>>>;

/// Shorthand for a number of milliseconds.
fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// The text of a panic's payload.
fn message(panic: &(dyn Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        return (*text).to_owned();
    }
    panic.downcast_ref::<String>().cloned().unwrap_or_default()
}

/// Runs `event_loop`, which must panic, and returns the panic's text.
fn the_run_panics(event_loop: &Loop) -> String {
    let outcome = catch_unwind(AssertUnwindSafe(|| event_loop.run()));
    message(&*outcome.expect_err("the run panics"))
}

/// The `Stuck` inside an error of [`Loop::run`], if that is what it is.
fn stuck(err: &io::Error) -> Option<Stuck> {
    err.get_ref()?.downcast_ref::<Stuck>().copied()
}

/// Writes `line` to `log`.
fn note(log: &Log, line: impl Into<String>) {
    log.borrow_mut().push(line.into());
}

/// How an outcome shows in the log.
fn told(outcome: &Outcome<io::Error>) -> String {
    match outcome {
        Outcome::Ok => "Ok".to_owned(),
        Outcome::Err(err) => format!("Err({err})"),
        Outcome::Cancelled => "Cancelled".to_owned(),
    }
}

/// What a [`Db`]'s exit returns once it has done its work.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ExitDoes {
    /// The body's outcome, as it is.
    Pass,
    /// An error of its own.
    Fail,
    /// A panic.
    Panic,
}

/// A context manager whose enter and exit take a few turns of the loop, and write down when
/// they start and when they are done.
struct Db {
    /// Its name in the log.
    name: &'static str,
    /// Where it writes.
    log: Log,
    /// Turns of the loop its enter takes.
    enter_turns: usize,
    /// Turns of the loop its exit takes.
    exit_turns: usize,
    /// A sleep its exit takes, after those turns (a goodbye that has to travel).
    exit_sleep: Duration,
    /// What its exit returns.
    exit_does: ExitDoes,
}

impl Db {
    /// A manager named `name` whose exit takes two turns and passes the outcome on.
    fn new(name: &'static str, log: &Log) -> Db {
        Db {
            name,
            log: Rc::clone(log),
            enter_turns: 0,
            exit_turns: 2,
            exit_sleep: Duration::ZERO,
            exit_does: ExitDoes::Pass,
        }
    }
}

impl AsyncContextManager for Db {
    type Resource = &'static str;
    type Error = io::Error;

    async fn enter(&mut self) -> io::Result<&'static str> {
        for _ in 0..self.enter_turns {
            interrupt().await;
        }
        note(&self.log, format!("enter {}", self.name));
        Ok(self.name)
    }

    async fn exit(self, name: &'static str, outcome: Outcome<io::Error>) -> io::Result<()> {
        note(&self.log, format!("exit {name} {}", told(&outcome)));
        for _ in 0..self.exit_turns {
            interrupt().await;
        }
        if !self.exit_sleep.is_zero() {
            sleep(self.exit_sleep).await;
        }
        note(&self.log, format!("exit {name} done"));
        match self.exit_does {
            ExitDoes::Pass => outcome.into_result(),
            ExitDoes::Fail => Err(io::Error::other("exit failed")),
            ExitDoes::Panic => panic!("exit {name} panics"),
        }
    }
}

/// A context manager made from a generator, whose setup and teardown take a few turns each.
fn db_from_generator(
    log: &Log,
) -> impl AsyncContextManager<Resource = &'static str, Error = io::Error> + 'static {
    let log = Rc::clone(log);
    context_from_generator(move |mut co| async move {
        interrupt().await;
        interrupt().await;
        note(&log, "enter gen");
        let (name, outcome) = co.yield_("gen").await;
        note(&log, format!("exit {name} {}", told(&outcome)));
        interrupt().await;
        interrupt().await;
        note(&log, format!("exit {name} done"));
        outcome.into_result()
    })
}

/// Polls `future` at most `polls` times, one per turn of the loop (it wakes itself after each
/// poll, so the next poll comes on the next turn, woken or not), then drops it: a cancellation
/// at the `polls`-th await point. `None` if it was cut.
async fn cut_after<F: Future>(polls: usize, future: F) -> Option<F::Output> {
    let mut future = Some(Box::pin(future));
    let mut left = polls;
    poll_fn(move |cx| {
        let Some(inner) = future.as_mut() else {
            return Poll::Ready(None);
        };
        if left == 0 {
            future = None; // dropped here: the cut
            return Poll::Ready(None);
        }
        left -= 1;
        match inner.as_mut().poll(cx) {
            Poll::Ready(value) => Poll::Ready(Some(value)),
            Poll::Pending => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    })
    .await
}

/// Polls `future` once, and drops it whatever it answered: a race it loses to something ready.
async fn poll_once<F: Future>(future: F) {
    let mut future = Box::pin(future);
    poll_fn(|cx| {
        let _ = future.as_mut().poll(cx);
        Poll::Ready(())
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Exactly once
// ---------------------------------------------------------------------------------------------

/// A scope cut at each of its await points in turn, during the enter, the body and the exit, for
/// a hand-written manager and a generator-made one: after a successful enter, one exit starts,
/// told `Cancelled` if the body had not finished, `Ok` if it had; no enter, no exit.
#[test]
fn a_scope_cut_at_any_await_point_starts_its_exit_exactly_once() {
    let failures = without_leaks(|| {
        let mut failures = Vec::new();
        for generated in [false, true] {
            for polls in 0..14 {
                let log = Log::default();
                let body_log = Rc::clone(&log);
                let event_loop = Loop::new().unwrap();
                let body = async move |_: &&'static str| {
                    for _ in 0..3 {
                        interrupt().await;
                    }
                    note(&body_log, "body done");
                    Ok(())
                };
                let result = if generated {
                    let scope = async_with(db_from_generator(&log), body);
                    event_loop.run_task(cut_after(polls, scope))
                } else {
                    let db = Db {
                        enter_turns: 2,
                        ..Db::new("db", &log)
                    };
                    event_loop.run_task(cut_after(polls, async_with(db, body)))
                };
                let log = log.take();
                let count = |prefix: &str| log.iter().filter(|l| l.starts_with(prefix)).count();
                let entered = log.iter().any(|l| l.starts_with("enter"));
                let body_done = log.iter().any(|l| l == "body done");
                let exits = count("exit db Ok") + count("exit gen Ok");
                let cancels = count("exit db Cancelled") + count("exit gen Cancelled");
                let expected = match (entered, body_done) {
                    (false, _) => (0, 0),
                    (true, true) => (1, 0),
                    (true, false) => (0, 1),
                };
                if result.is_err() || (exits, cancels) != expected {
                    failures.push(format!("generated {generated}, cut at {polls}: {log:?}"));
                }
            }
        }
        failures
    });
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A body that panics: the scope is dropped as the panic unwinds, and hands its exit to the loop.
/// The README says that the cleanup handed over while a panic tears the loop down waits in it,
/// for the next `run`. The panicking task's own cleanup is handed over *before* the teardown,
/// which then drops it with the other tasks: the exit never runs.
#[test]
fn a_body_that_panics_gets_its_exit_at_the_next_run() {
    let log = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let db = Db::new("db", &log);
        event_loop.add_task(async move {
            let _ = async_with(db, async |_| -> io::Result<()> {
                interrupt().await;
                panic!("the body fails");
            })
            .await;
        });
        assert_eq!(the_run_panics(&event_loop), "the body fails");
        event_loop.run().unwrap();
        log.take()
    });
    assert_eq!(log, ["enter db", "exit db Cancelled", "exit db done"]);
}

/// The same loss without a panicking scope: a scope is cut, and hands its exit to the loop; in
/// the same turn, before that exit got its first poll, another task panics. The teardown drops
/// the queued exit with the tasks.
#[test]
fn cleanup_queued_in_the_turn_of_a_panic_waits_for_the_next_run() {
    let log = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let db = Db::new("db", &log);
        event_loop.add_task(async move {
            let scope = async_with(db, async |_| pending::<io::Result<()>>().await);
            let _ = cut_after(1, scope).await; // cut on the second turn
        });
        event_loop.add_task(async {
            interrupt().await;
            panic!("another task fails"); // on the second turn too, just after the cut
        });
        assert_eq!(the_run_panics(&event_loop), "another task fails");
        event_loop.run().unwrap();
        log.take()
    });
    assert_eq!(log, ["enter db", "exit db Cancelled", "exit db done"]);
}

/// An exit that panics, inline or as a cancelled scope's task, or that fails: it runs once, is
/// never run again by a later `run`, and the loop is usable afterwards. A failing exit's error is
/// what `async_with` returns; a cancelled one's is nobody's.
#[test]
fn an_exit_that_panics_or_fails_runs_once_and_the_loop_recovers() {
    let (inline, cancelled, failed) = without_leaks(|| {
        let event_loop = Loop::new().unwrap();
        let mut logs = Vec::new();
        for cut in [false, true] {
            let log = Log::default();
            let db = Db {
                exit_does: ExitDoes::Panic,
                ..Db::new("db", &log)
            };
            let panicked = catch_unwind(AssertUnwindSafe(|| {
                event_loop.run_task(async move {
                    let scope = async_with(db, async |_| {
                        interrupt().await;
                        Ok(())
                    });
                    cut_after(if cut { 1 } else { 10 }, scope).await
                })
            }));
            let text = message(&*panicked.expect_err("the exit panics"));
            assert!(text.contains("exit db panics"), "{text}");
            event_loop.run().unwrap();
            logs.push(log.take());
        }
        let log = Log::default();
        let db = Db {
            exit_does: ExitDoes::Fail,
            ..Db::new("db", &log)
        };
        let failed = event_loop
            .run_task(async_with(db, async |_| Ok(1)))
            .unwrap();
        let failed = (failed.map_err(|err| err.to_string()), log.take());
        let cancelled = logs.pop().unwrap();
        (logs.pop().unwrap(), cancelled, failed)
    });
    assert_eq!(inline, ["enter db", "exit db Ok", "exit db done"]);
    assert_eq!(cancelled, ["enter db", "exit db Cancelled", "exit db done"]);
    assert_eq!(failed.0, Err("exit failed".to_owned()));
    assert_eq!(failed.1, ["enter db", "exit db Ok", "exit db done"]);
}

/// A manager whose exit enters a scope of its own, whose body can never end.
struct Cascading {
    /// Where it writes.
    log: Log,
}

impl AsyncContextManager for Cascading {
    type Resource = ();
    type Error = io::Error;

    async fn enter(&mut self) -> io::Result<()> {
        note(&self.log, "enter outer");
        Ok(())
    }

    async fn exit(self, (): (), outcome: Outcome<io::Error>) -> io::Result<()> {
        note(&self.log, format!("exit outer {}", told(&outcome)));
        let inner = Db::new("inner", &self.log);
        async_with(inner, async |_| pending::<io::Result<()>>().await).await?;
        note(&self.log, "exit outer done");
        Ok(())
    }
}

/// Cleanup that spawns cleanup while the loop gives up on stuck tasks: the stuck body's exit runs
/// (as a task), enters a scope whose body is stuck too; the loop gives up on that one as well,
/// and the inner exit runs, all before `run` returns, which counts both tasks given up on.
#[test]
fn cleanup_that_spawns_cleanup_while_the_loop_gives_up_all_runs() {
    let (outcome, log) = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let outer = Cascading {
            log: Rc::clone(&log),
        };
        event_loop.add_task(async move {
            let _ = async_with(outer, async |_| pending::<io::Result<()>>().await).await;
        });
        let outcome = event_loop.run().map_err(|err| stuck(&err));
        (outcome, log.take())
    });
    assert_eq!(outcome, Err(Some(Stuck { tasks: 2 })));
    let expected = [
        "enter outer",
        "exit outer Cancelled",
        "enter inner",
        "exit inner Cancelled",
        "exit inner done",
    ];
    assert_eq!(log, expected);
}

/// An exit already running as a task when a neighbour panics: the teardown keeps it, and the
/// next `run` resumes it where it was (it does not start again). Without that, the exit's first
/// half runs and its second half never does.
#[test]
fn an_exit_in_progress_when_a_neighbour_panics_resumes_at_the_next_run() {
    let (before, after) = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let db = Db {
            exit_turns: 5,
            ..Db::new("db", &log)
        };
        event_loop.add_task(async move {
            let scope = async_with(db, async |_| pending::<io::Result<()>>().await);
            let _ = cut_after(1, scope).await;
        });
        let watching = Rc::clone(&log);
        event_loop.add_task(async move {
            // Panics once the exit has started, and before it is done (it takes five turns).
            while !watching.borrow().iter().any(|l| l == "exit db Cancelled") {
                interrupt().await;
            }
            panic!("another task fails");
        });
        assert_eq!(the_run_panics(&event_loop), "another task fails");
        let before = log.borrow().clone();
        event_loop.run().unwrap();
        (before, log.take())
    });
    assert_eq!(before, ["enter db", "exit db Cancelled"]);
    assert_eq!(after, ["enter db", "exit db Cancelled", "exit db done"]);
}

/// A context manager whose exit says goodbye to two peers at once, with `gather`: two tasks of
/// its own, which take a while.
struct GathersGoodbyes {
    /// Where it writes.
    log: Log,
}

impl AsyncContextManager for GathersGoodbyes {
    type Resource = ();
    type Error = io::Error;

    async fn enter(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn exit(self, (): (), outcome: Outcome<io::Error>) -> impl Future<Output = io::Result<()>> {
        let log = self.log;
        async move {
            note(&log, format!("exit {}", told(&outcome)));
            let goodbye = |peer: &'static str| {
                let log = Rc::clone(&log);
                async move {
                    sleep(ms(30)).await;
                    note(&log, format!("goodbye {peer}"));
                }
            };
            gather([goodbye("a"), goodbye("b")]).await;
            note(&log, "exit done");
            outcome.into_result()
        }
    }
}

/// An exit in progress when a neighbour panics, waiting for the tasks of its `gather`: the
/// teardown keeps the exit, and the next `run` resumes it. Its tasks must be kept with it: if
/// they are dropped, what it waits for can never come, and the next `run` gives it up as stuck.
#[test]
fn an_exit_that_gathers_when_a_neighbour_panics_ends_at_the_next_run() {
    let (panicked, second, log) = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let manager = GathersGoodbyes {
            log: Rc::clone(&log),
        };
        event_loop.add_task(async move {
            let scope = async_with(manager, async |_| pending::<io::Result<()>>().await);
            let _ = cut_after(1, scope).await;
        });
        event_loop.add_task(async {
            sleep(ms(10)).await; // the exit waits for its goodbyes by now
            panic!("another task fails");
        });
        let panicked = the_run_panics(&event_loop);
        let second = event_loop.run().map_err(|err| stuck(&err));
        (panicked, second, log.take())
    });
    assert_eq!(panicked, "another task fails");
    assert_eq!(second, Ok(()));
    let expected = ["exit Cancelled", "goodbye a", "goodbye b", "exit done"];
    assert_eq!(log, expected);
}

/// A scope is cut and its exit becomes a task; a neighbour polled before that exit's first poll
/// panics. The exit was handed over before the turn of the panic, so it is a task, not cleanup
/// waiting aside: the teardown must keep it all the same, for the next `run`.
#[test]
fn an_exit_not_started_when_a_neighbour_panics_runs_at_the_next_run() {
    let after = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let db = Db::new("db", &log);
        event_loop.add_task(async move {
            let scope = async_with(db, async |_| pending::<io::Result<()>>().await);
            let _ = cut_after(1, scope).await; // cut on the second turn
        });
        event_loop.add_task(async {
            interrupt().await;
            interrupt().await;
            panic!("another task fails"); // on the third turn, ahead of the exit in the queue
        });
        assert_eq!(the_run_panics(&event_loop), "another task fails");
        event_loop.run().unwrap();
        log.take()
    });
    assert_eq!(after, ["enter db", "exit db Cancelled", "exit db done"]);
}

/// Nested scopes cut together: both exits become tasks, inner first; the inner exit panics. The
/// outer exit still runs, at the next `run` at the latest, as Python runs an outer `__aexit__`
/// after an inner one raised.
#[test]
fn nested_scopes_cut_together_whose_inner_exit_panics_still_run_the_outer_exit() {
    let (text, after) = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let outer = Db::new("outer", &log);
        let inner = Db {
            exit_turns: 0,
            exit_does: ExitDoes::Panic,
            ..Db::new("inner", &log)
        };
        event_loop.add_task(async move {
            let scope = async_with(outer, async |_| {
                async_with(inner, async |_| pending::<io::Result<()>>().await).await?;
                Ok(())
            });
            let _ = cut_after(1, scope).await;
        });
        let text = the_run_panics(&event_loop);
        event_loop.run().unwrap();
        (text, log.take())
    });
    assert!(text.contains("exit inner panics"), "{text}");
    let expected = [
        "enter outer",
        "enter inner",
        "exit inner Cancelled",
        "exit inner done",
        "exit outer Cancelled",
        "exit outer done",
    ];
    assert_eq!(after, expected);
}

/// A context manager whose resource is a stream, and whose exit reads one byte from it: a
/// goodbye that waits for the peer's answer.
struct AwaitsAnswer {
    /// The stream, until `enter` lends it.
    stream: Option<AioStream>,
    /// Where it writes.
    log: Log,
}

impl AsyncContextManager for AwaitsAnswer {
    type Resource = AioStream;
    type Error = io::Error;

    async fn enter(&mut self) -> io::Result<AioStream> {
        self.stream
            .take()
            .ok_or_else(|| io::Error::other("entered twice"))
    }

    fn exit(
        self,
        stream: AioStream,
        outcome: Outcome<io::Error>,
    ) -> impl Future<Output = io::Result<()>> + 'static {
        let log = self.log;
        async move {
            note(&log, format!("exit {}", told(&outcome)));
            let mut answer = [0; 8];
            let read = stream.recv(&mut answer).await?;
            note(&log, format!("exit read {read} byte"));
            outcome.into_result()
        }
    }
}

/// A waker of our own that panics when woken.
struct PanicsWhenWoken;

impl std::task::Wake for PanicsWhenWoken {
    fn wake(self: std::sync::Arc<Self>) {
        panic!("a waker fails");
    }
}

/// A connected pair on loopback: an `AioStream` for the loop's side, a std stream for the peer.
fn pair() -> (AioStream, TcpStream) {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    let connect = Loop::new().unwrap().run_task(AioStream::connect(addr));
    let (peer, _) = listener.accept().unwrap();
    (connect.unwrap().unwrap(), peer)
}

/// A cut scope's exit waits for its socket; another socket's event, come in the same wait of
/// the reactor, wakes a waker that panics. The panic tears the run down and the exit is kept:
/// the next `run` resumes it, and the event it waited for must have been set all the same.
/// (Left unset, its one-shot was dropped with the panic, and the exit was taken for stuck.)
#[test]
fn an_exit_waiting_for_a_socket_when_another_sockets_waker_panics_resumes_at_the_next_run() {
    let (text, second, log) = without_leaks(|| {
        let log = Log::default();
        let ((panicky, mut panicky_peer), (exits, mut exits_peer)) = (pair(), pair());
        let event_loop = Loop::new().unwrap();
        let manager = AwaitsAnswer {
            stream: Some(exits),
            log: Rc::clone(&log),
        };
        event_loop.add_task(async move {
            let scope = async_with(manager, async |_| pending::<io::Result<()>>().await);
            let _ = cut_after(1, scope).await;
        });
        event_loop.add_task(async move {
            sleep(ms(10)).await; // the exit waits for its byte by now
            let mut buf = [0; 8];
            let mut recv = Box::pin(panicky.recv(&mut buf));
            let waker = Waker::from(std::sync::Arc::new(PanicsWhenWoken));
            assert!(
                recv.as_mut()
                    .poll(&mut Context::from_waker(&waker))
                    .is_pending()
            );
            // Both events come in the loop's next wait, the one whose waker panics first.
            panicky_peer.write_all(b"a").unwrap();
            exits_peer.write_all(b"b").unwrap();
            pending::<()>().await;
        });
        let text = the_run_panics(&event_loop);
        let second = event_loop.run().map_err(|err| stuck(&err));
        (text, second, log.take())
    });
    assert_eq!(text, "a waker fails");
    assert_eq!(second, Ok(()));
    assert_eq!(log, ["exit Cancelled", "exit read 1 byte"]);
}

/// A context manager whose exit holds its listener through a long goodbye (a sleep).
struct SlowGoodbye {
    /// Where it writes.
    log: Log,
}

impl AsyncContextManager for SlowGoodbye {
    type Resource = AioListener;
    type Error = io::Error;

    async fn enter(&mut self) -> io::Result<AioListener> {
        AioListener::bind((Ipv4Addr::LOCALHOST, 0))
    }

    fn exit(
        self,
        listener: AioListener,
        _: Outcome<io::Error>,
    ) -> impl Future<Output = io::Result<()>> + 'static {
        note(&self.log, "exit");
        async move {
            sleep(Duration::from_secs(10)).await;
            drop(listener);
            Ok(())
        }
    }
}

/// A cut scope's exit sleeps, holding its listener, when a neighbour panics: the teardown keeps
/// the exit. The README says that a loop dropped instead of run again drops that cleanup, and
/// the sockets it holds close: they must, and the loop's own descriptors too. (The sleep kept a
/// handle to the loop across its await: the loop and the exit kept each other for ever.)
#[test]
fn a_sleeping_exit_kept_by_a_panic_closes_its_socket_when_the_loop_is_dropped() {
    let log = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let manager = SlowGoodbye {
            log: Rc::clone(&log),
        };
        event_loop.add_task(async move {
            let scope = async_with(manager, async |_| pending::<io::Result<()>>().await);
            let _ = cut_after(1, scope).await;
        });
        event_loop.add_task(async {
            sleep(ms(10)).await; // the exit sleeps by now
            panic!("another task fails");
        });
        assert_eq!(the_run_panics(&event_loop), "another task fails");
        drop(event_loop);
        log.take()
    });
    assert_eq!(log, ["exit"]);
}

// ---------------------------------------------------------------------------------------------
// At once
// ---------------------------------------------------------------------------------------------

/// A scope cut by a 100 ms timeout, beside a task that sleeps 2 s: its exit starts when the
/// scope is cut, not when the loop next wakes up for something else (the neighbour's timer).
#[test]
fn a_cut_scopes_exit_starts_at_once_not_at_the_next_timer() {
    let log = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let db = Db::new("db", &log);
        let neighbour = Rc::clone(&log);
        event_loop.add_task(async move {
            sleep(ms(2000)).await;
            note(&neighbour, "neighbour woke");
        });
        event_loop.add_task(async move {
            let scope = async_with(db, async |_| pending::<io::Result<()>>().await);
            let cut = timeout(ms(100), scope).await;
            assert!(cut.is_err());
        });
        event_loop.run().unwrap();
        log.take()
    });
    let expected = [
        "enter db",
        "exit db Cancelled",
        "exit db done",
        "neighbour woke",
    ];
    assert_eq!(log, expected);
}

/// A context manager whose exit sets a one-shot, for another task to learn that it has run.
struct SaysWhenDone(OneShot<()>);

impl AsyncContextManager for SaysWhenDone {
    type Resource = ();
    type Error = io::Error;

    async fn enter(&mut self) -> io::Result<()> {
        Ok(())
    }

    async fn exit(self, (): (), _: Outcome<io::Error>) -> io::Result<()> {
        let _ = self.0.set(());
        Ok(())
    }
}

/// A task waits for a one-shot that a cut scope's exit sets. No timer is left, and the exit,
/// handed to the loop, holds the one-shot, so the waiting task is not stuck either: if the loop
/// waited in the kernel before it ran the exit, nothing would ever wake it.
#[test]
fn a_task_waiting_for_what_a_cut_scopes_exit_sets_is_woken() {
    let log = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let done = OneShot::new();
        let (waited, waiter) = (done.clone(), Rc::clone(&log));
        event_loop.add_task(async move {
            waited.await;
            note(&waiter, "the exit has run");
        });
        event_loop.add_task(async move {
            let scope = async_with(SaysWhenDone(done), async |_| {
                pending::<io::Result<()>>().await
            });
            let _ = cut_after(1, scope).await;
        });
        event_loop.run().unwrap();
        log.take()
    });
    assert_eq!(log, ["the exit has run"]);
}

// ---------------------------------------------------------------------------------------------
// Scopes and generators
// ---------------------------------------------------------------------------------------------

/// A consumer inside a scope iterates a generator whose body yields from inside two scopes of its
/// own; the whole is cut by a timeout while the consumer sleeps after two items. Every exit
/// runs, told `Cancelled`, innermost first, before `run` returns.
#[test]
fn scopes_inside_a_generator_inside_a_scope_all_exit_when_cut() {
    let log = without_leaks(|| {
        let log = Log::default();
        let (db, outer, inner) = (
            Db::new("db", &log),
            Db::new("outer", &log),
            Db::new("inner", &log),
        );
        let consumer_log = Rc::clone(&log);
        let scope = async_with(db, async move |_| {
            let mut items = generator(move |mut co| async move {
                let _ = async_with(outer, async move |_| {
                    async_with(inner, async move |_| {
                        for i in 0.. {
                            co.yield_(i).await;
                        }
                        Ok(())
                    })
                    .await?;
                    Ok(())
                })
                .await;
            });
            for _ in 0..2 {
                let item = items.next().await.unwrap();
                note(&consumer_log, format!("took {item}"));
            }
            // Cut here, the generator suspended inside its scopes. (The timeout's alarm is
            // armed after the body first waits: the two items come first, however late.)
            sleep(Duration::from_secs(10)).await;
            Ok(())
        });
        let cut = Loop::new().unwrap().run_task(timeout(ms(45), scope));
        assert!(cut.unwrap().is_err());
        log.take()
    });
    let expected = [
        "enter db",
        "enter outer",
        "enter inner",
        "took 0",
        "took 1",
        "exit inner Cancelled",
        "exit outer Cancelled",
        "exit db Cancelled",
        "exit inner done",
        "exit outer done",
        "exit db done",
    ];
    assert_eq!(log, expected);
}

/// A generator suspended inside a scope (a listener open) outlives the `run` that advanced it.
/// Dropped outside the loop, it hands its exit to that loop, which runs it at its next `run`;
/// dropped after the loop itself, nothing is left open.
#[test]
fn a_scope_in_a_generator_that_outlives_its_run_exits_later_and_leaks_nothing() {
    without_leaks(|| {
        for loop_dropped_first in [false, true] {
            let log = Log::default();
            let event_loop = Loop::new().unwrap();
            let db = Db::new("db", &log);
            let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            let gen_log = Rc::clone(&log);
            let suspended = event_loop.run_task(async move {
                let mut items = generator(move |mut co| async move {
                    let _ = async_with(db, async |_| {
                        async_with(Server::new(any_port), async |listener| {
                            co.yield_(listener.local_addr().unwrap()).await;
                            note(&gen_log, "resumed");
                            Ok(())
                        })
                        .await
                    })
                    .await;
                });
                assert!(items.next().await.is_some());
                items
            });
            let suspended = suspended.unwrap();
            if loop_dropped_first {
                drop(event_loop);
                drop(suspended);
                assert_eq!(log.take(), ["enter db"]);
            } else {
                drop(suspended);
                assert_eq!(*log.borrow(), ["enter db"]);
                event_loop.run().unwrap();
                let expected = ["enter db", "exit db Cancelled", "exit db done"];
                assert_eq!(log.take(), expected);
            }
        }
    });
}

/// A scope entered in a loop nested in a task, then dropped by that task once the nested loop is
/// done: its exit goes to the loop running when it is dropped, not to the loop it was entered in,
/// which will never run again (there, the exit would be lost).
#[test]
fn a_scope_entered_in_a_nested_loop_and_dropped_in_the_outer_one_still_exits() {
    let log = without_leaks(|| {
        let log = Log::default();
        let db = Db::new("db", &log);
        type Scope = Pin<Box<dyn Future<Output = io::Result<Option<()>>>>>;
        let scope: Scope = Box::pin(async_with(db, async |_| pending().await));
        let shared = Rc::new(RefCell::new(Some(scope)));
        let polled = Rc::clone(&shared);
        Loop::new()
            .unwrap()
            .run_task(async move {
                let nested = Loop::new().unwrap();
                nested
                    .run_task(poll_fn(move |cx| {
                        let mut scope = polled.borrow_mut();
                        let _ = scope.as_mut().unwrap().as_mut().poll(cx); // entered here
                        Poll::Ready(())
                    }))
                    .unwrap();
                drop(nested);
                shared.borrow_mut().take(); // dropped in the outer loop's task
            })
            .unwrap();
        log.take()
    });
    assert_eq!(log, ["enter db", "exit db Cancelled", "exit db done"]);
}

// ---------------------------------------------------------------------------------------------
// Yielders where they should not be
// ---------------------------------------------------------------------------------------------

/// A generator whose body panicked, polled again: a clear panic (or the end), never a hang.
#[test]
fn a_generator_that_panicked_panics_clearly_when_polled_again() {
    let (first, second, third) = without_leaks(|| {
        let mut items = generator(|mut co| async move {
            co.yield_(1).await;
            panic!("the body fails");
        });
        let mut cx = Context::from_waker(Waker::noop());
        let first = Pin::new(&mut items).poll_next(&mut cx);
        let mut again = || {
            catch_unwind(AssertUnwindSafe(|| Pin::new(&mut items).poll_next(&mut cx)))
                .map_err(|panic| message(&*panic))
        };
        (first, again(), again())
    });
    assert_eq!(first, Poll::Ready(Some(1)));
    assert_eq!(second, Err("the body fails".to_owned()));
    match third {
        Ok(Poll::Ready(None)) => {}
        Err(text) => assert!(text.contains("panick"), "{text}"),
        other => panic!("polled after a panic: {other:?}"),
    }
}

/// A yielder moved out of its generator's body, which then panicked: awaited in a task, the
/// yield must fail with the clear panic it gives in any other task. The flag "polled by its
/// generator" stayed up when the body panicked, so the yield fills a slot that nobody reads,
/// returns `Pending` with no waker kept, and the loop gives up on a stuck task instead.
#[test]
fn after_its_generator_panicked_a_yielder_in_another_task_is_still_caught() {
    let outcome = without_leaks(|| {
        let stash: Rc<RefCell<Option<Co<u32>>>> = Rc::default();
        let stashed = Rc::clone(&stash);
        let mut items = generator(move |co| async move {
            *stashed.borrow_mut() = Some(co);
            panic!("the body fails");
        });
        let mut cx = Context::from_waker(Waker::noop());
        let polled = catch_unwind(AssertUnwindSafe(|| Pin::new(&mut items).poll_next(&mut cx)));
        assert!(polled.is_err());
        let mut co = stash.take().unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            Loop::new()
                .unwrap()
                .run_task(async move { co.yield_(5).await })
        }));
        outcome.map_err(|panic| message(&*panic))
    });
    match outcome {
        Err(text) => assert!(text.contains("outside its generator"), "{text}"),
        Ok(run) => panic!("the yield was not caught: {run:?}"),
    }
}

/// A yield that loses a race (polled once, then dropped) has handed its item to the slot. Whether
/// the consumer ever sees it depends on what the body does next: the next yield overwrites it,
/// but a sleep first lets the generator hand it out, though the body never resumed from that
/// yield. The same body, with or without a sleep, should give the same items.
#[test]
fn a_yield_dropped_before_it_resumed_is_delivered_or_lost_alike() {
    let (without_sleep, with_sleep) = without_leaks(|| {
        let event_loop = Loop::new().unwrap();
        let items = |pause: bool| {
            generator(move |mut co| async move {
                poll_once(co.yield_(1)).await;
                if pause {
                    sleep(ms(1)).await;
                }
                co.yield_(2).await;
            })
        };
        let without_sleep = event_loop.run_task(items(false).collect()).unwrap();
        let with_sleep = event_loop.run_task(items(true).collect()).unwrap();
        (without_sleep, with_sleep)
    });
    assert_eq!(without_sleep, with_sleep);
}

/// A generator-made manager that yields twice, or never: clear panics, as Python's
/// `RuntimeError`s are (`generator didn't stop`, `generator didn't yield`), on the inline path
/// and on the cancelled one.
#[test]
fn a_context_generator_that_yields_twice_or_never_panics_clearly() {
    let texts = without_leaks(|| {
        let twice = || {
            context_from_generator(|mut co: Co<u32, (u32, Outcome<io::Error>)>| async move {
                let (resource, _) = co.yield_(1).await;
                co.yield_(resource).await;
                Ok(())
            })
        };
        let never = context_from_generator(|co: Co<u32, (u32, Outcome<io::Error>)>| async move {
            drop(co);
            Ok(())
        });
        let run = |scope: Pin<Box<dyn Future<Output = ()>>>| {
            let outcome = catch_unwind(AssertUnwindSafe(|| Loop::new().unwrap().run_task(scope)));
            message(&*outcome.expect_err("a clear panic"))
        };
        [
            run(Box::pin(async move {
                let _ = async_with(twice(), async |_| Ok(())).await;
            })),
            run(Box::pin(async move {
                let scope = async_with(twice(), async |_| pending::<io::Result<()>>().await);
                let _ = cut_after(2, scope).await;
            })),
            run(Box::pin(async move {
                let _ = async_with(never, async |_| Ok(())).await;
            })),
        ]
    });
    assert!(texts[0].contains("second time"), "{}", texts[0]);
    assert!(texts[1].contains("second time"), "{}", texts[1]);
    assert!(texts[2].contains("without a yield"), "{}", texts[2]);
}

/// `async_with` outside any loop (the busy `run_task` of step 01): cut, it has no loop to hand
/// its exit to. The exit's awaits are lost (the code says so), but the resource is dropped: the
/// listener closes, and nothing panics.
#[test]
fn a_scope_cut_outside_any_loop_closes_its_resource() {
    without_leaks(|| {
        let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let scope = async_with(Server::new(any_port), async |_| {
            pending::<io::Result<()>>().await
        });
        let cut = step06_async_iter_ctx::run_task(cut_after(3, scope));
        assert!(cut.is_none());
    });
}

// ---------------------------------------------------------------------------------------------
// Lines over TCP
// ---------------------------------------------------------------------------------------------

/// What a stream's lines turned into: each line (its length and first bytes, to keep long ones
/// short), or the kind of the error that ended them.
type Seen = Vec<Result<(usize, String), io::ErrorKind>>;

/// Serves one connection, whose peer `client` plays on a thread, and reads its lines (at most
/// `max_line` bytes each). `before` runs first, on the served stream.
fn lines_of(
    max_line: usize,
    before: &'static [u8],
    client: impl FnOnce(TcpStream) + Send + 'static,
) -> Seen {
    let listener = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = in_background(move || client(TcpStream::connect(addr).unwrap()));
    let seen = Loop::new().unwrap().run_task(async move {
        let (stream, _) = listener.accept().await.unwrap();
        stream.send_all(before).await.unwrap();
        let mut lines = stream.lines(max_line, Duration::from_secs(20));
        let mut seen = Seen::new();
        while let Some(line) = lines.next().await {
            let shown = |l: Vec<u8>| {
                (
                    l.len(),
                    String::from_utf8_lossy(&l[..l.len().min(8)]).into(),
                )
            };
            seen.push(line.map(shown).map_err(|e| e.kind()));
        }
        assert!(lines.next().await.is_none());
        seen
    });
    peer.join();
    seen.unwrap()
}

/// Lines cut at every byte boundary (one byte per write, a pause between), then a line of
/// exactly the limit (1 MiB), then one byte over it: each short line whole, the long one whole,
/// then one `InvalidData`, then the end.
#[test]
fn lines_split_at_every_byte_then_a_1_mib_line_come_whole() {
    const MIB: usize = 1024 * 1024;
    let seen = without_leaks(|| {
        lines_of(MIB, b"", |mut peer| {
            peer.set_nodelay(true).unwrap();
            for &byte in b"ab\n\ncd\nxyz\n" {
                peer.write_all(&[byte]).unwrap();
                std::thread::sleep(ms(2));
            }
            let mut long = vec![b'L'; MIB];
            long.push(b'\n');
            peer.write_all(&long).unwrap();
            long.insert(0, b'M');
            let _ = peer.write_all(&long); // the server may hang up before it is all sent
        })
    });
    let line = |text: &str| Ok((text.len(), text.to_owned()));
    let expected = [
        line("ab"),
        line(""),
        line("cd"),
        line("xyz"),
        Ok((MIB, "LLLLLLLL".to_owned())),
        Err(io::ErrorKind::InvalidData),
    ];
    assert_eq!(seen, expected);
}

/// A peer that resets the connection in the middle of a line (it closes with bytes unread):
/// the whole line, then one error, then the end; never the half line as a line, never a hang.
#[test]
fn a_peer_that_resets_mid_line_ends_the_lines_with_one_error() {
    let seen = without_leaks(|| {
        lines_of(64, b"unread\n", |mut peer| {
            peer.write_all(b"whole\nhalf a li").unwrap();
            std::thread::sleep(ms(50)); // the server's line arrives, and stays unread
            drop(peer); // unread bytes: a reset, not an orderly end
        })
    });
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0], Ok((5, "whole".to_owned())));
    let ended = [io::ErrorKind::ConnectionReset, io::ErrorKind::UnexpectedEof];
    assert!(
        seen[1].as_ref().is_err_and(|kind| ended.contains(kind)),
        "{seen:?}"
    );
}

/// Forty clients at once, each sending its lines in one write, then half-closing its side before
/// it reads a single reply: each gets every reply, in order, then a clean end, and the server
/// reports each one done.
#[test]
fn clients_that_half_close_before_reading_get_every_reply_then_the_end() {
    const CLIENTS: usize = 40;
    const LINES: usize = 200;
    without_leaks(|| {
        let server = common::Server::start(CLIENTS, common::defaults());
        let clients: Vec<_> = (0..CLIENTS)
            .map(|id| {
                let addr = server.addr;
                in_background(move || {
                    let mut peer = TcpStream::connect(addr)?;
                    peer.set_read_timeout(Some(Duration::from_secs(20)))?;
                    let lines: Vec<String> = (0..LINES).map(|n| format!("c{id} l{n}")).collect();
                    peer.write_all(format!("{}\n", lines.join("\n")).as_bytes())?;
                    peer.shutdown(Shutdown::Write)?;
                    let mut replies = Vec::new();
                    peer.read_to_end(&mut replies)?;
                    let expected: Vec<u8> = lines
                        .iter()
                        .flat_map(|l| [reverse_line(l.as_bytes()), b"\n".to_vec()].concat())
                        .collect();
                    assert_eq!(replies, expected, "client {id}");
                    io::Result::Ok(())
                })
            })
            .collect();
        for client in clients {
            client.join().expect("a client failed");
        }
        let log = server.finish();
        let done = format!("done, {LINES} lines");
        assert_eq!(log.iter().filter(|l| l.ends_with(&done)).count(), CLIENTS);
    });
}

/// A client whose line is over the limit is told so, and hung up on once the server has read
/// what it had already sent (so that it reads a clean end, not a reset). A client that then keeps
/// sending a byte at a time, each just before the drain's wait for the next one runs out, holds
/// its seat for as long as it likes (up to a mebibyte of bytes): the drain has a limit per wait
/// and in bytes, but none in time. Here the client trickles for three seconds: the server should
/// have hung up long before it stops.
#[test]
fn a_client_hung_up_on_cannot_keep_its_seat_by_trickling_bytes() {
    without_leaks(|| {
        let options = shared::echo::ServeOptions {
            max_line: 8,
            idle_timeout: ms(200),
            ..common::defaults()
        };
        let server = common::Server::start(1, options);
        let mut hog = TcpStream::connect(server.addr).unwrap();
        hog.write_all(b"far too long a line\n").unwrap();
        let started = std::time::Instant::now();
        let mut cut = None;
        while started.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(ms(50)); // the drain waits 100 ms for each read
            if hog.write_all(b"x").is_err() {
                cut = Some(started.elapsed());
                break;
            }
        }
        drop(hog);
        server.finish();
        assert!(cut.is_some(), "still connected after trickling for 3 s");
    });
}
