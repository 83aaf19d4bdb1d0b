//! Async context managers: the exit runs exactly once after a successful enter, told how the body
//! ended (`Ok`, `Err`, `Cancelled`); an error may be suppressed, a cancellation not; nested
//! scopes exit in reverse order; the cleanup that a cancelled scope hands the loop runs before
//! `run` returns, also when the loop gives up; a failed enter leaves nothing open. Every test
//! counts descriptors, which also runs them one at a time: a loop is two descriptors, and one
//! opened by a test beside another would upset that one's count.

use std::cell::RefCell;
use std::future::pending;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::time::Duration;

use shared::testing::without_leaks;
use step06_async_iter_ctx::{AioListener, AsyncContextManager, Loop, Outcome, Server, Stuck};
use step06_async_iter_ctx::{async_with, context_from_generator, interrupt, sleep, timeout};

/// What the managers did, in order.
type Log = Rc<RefCell<Vec<String>>>;

/// A context manager that writes down its enter and its exit, and suppresses errors if asked.
struct Recorded {
    /// Its name in the log.
    name: &'static str,
    /// Where it writes.
    log: Log,
    /// Whether its exit suppresses the body's error.
    suppress: bool,
}

impl Recorded {
    /// A manager named `name` that suppresses nothing.
    fn new(name: &'static str, log: &Log) -> Recorded {
        Recorded {
            name,
            log: Rc::clone(log),
            suppress: false,
        }
    }
}

impl AsyncContextManager for Recorded {
    type Resource = &'static str;
    type Error = io::Error;

    fn enter(&mut self) -> impl Future<Output = io::Result<&'static str>> {
        self.log.borrow_mut().push(format!("enter {}", self.name));
        std::future::ready(Ok(self.name))
    }

    async fn exit(self, name: &'static str, outcome: Outcome<io::Error>) -> io::Result<()> {
        interrupt().await; // an exit that has to be awaited, as closing a connection does
        let told = match &outcome {
            Outcome::Ok => "Ok".to_owned(),
            Outcome::Err(err) => format!("Err({err})"),
            Outcome::Cancelled => "Cancelled".to_owned(),
        };
        self.log.borrow_mut().push(format!("exit {name} {told}"));
        match self.suppress {
            true => Ok(()),
            false => outcome.into_result(),
        }
    }
}

/// Runs `scenario` on a loop of its own, within the time limit; returns its value and the log.
fn logged<T: Send + 'static>(
    scenario: impl AsyncFnOnce(Log) -> T + Send + 'static,
) -> (io::Result<T>, Vec<String>) {
    without_leaks(|| {
        let log = Log::default();
        let value = Loop::new().unwrap().run_task(scenario(Rc::clone(&log)));
        (value, log.take())
    })
}

/// The body's error.
fn boom() -> io::Error {
    io::Error::other("boom")
}

#[test]
fn on_ok_the_exit_runs_once_before_async_with_returns() {
    let (value, log) = logged(async |log| {
        let value = async_with(Recorded::new("db", &log), async |db| Ok(db.len())).await;
        log.borrow_mut().push("returned".into());
        value.unwrap()
    });
    assert_eq!(value.unwrap(), Some(2));
    assert_eq!(log, ["enter db", "exit db Ok", "returned"]);
}

#[test]
fn on_err_the_exit_sees_the_error_and_it_goes_on() {
    let (error, log) = logged(async |log| {
        let body = async |_: &&str| -> io::Result<()> { Err(boom()) };
        let outcome = async_with(Recorded::new("db", &log), body).await;
        outcome.unwrap_err().to_string()
    });
    assert_eq!(error.unwrap(), "boom");
    assert_eq!(log, ["enter db", "exit db Err(boom)"]);
}

#[test]
fn an_exit_may_suppress_the_error_as_aexit_returning_true_does() {
    let (outcome, log) = logged(async |log| {
        let manager = Recorded {
            suppress: true,
            ..Recorded::new("db", &log)
        };
        let body = async |_: &&str| -> io::Result<u8> { Err(boom()) };
        async_with(manager, body)
            .await
            .map_err(|err| err.to_string())
    });
    assert_eq!(outcome.unwrap(), Ok(None), "suppressed: no value, no error");
    assert_eq!(log, ["enter db", "exit db Err(boom)"]);
}

#[test]
fn a_cancelled_body_gets_its_exit_once_as_a_task_before_run_returns() {
    let (timed_out, log) = logged(async |log| {
        let manager = Recorded {
            suppress: true, // a cancellation is not suppressed, whatever the exit returns
            ..Recorded::new("db", &log)
        };
        let scope = async_with(manager, async |_| {
            sleep(Duration::from_secs(10)).await;
            Ok(())
        });
        let outcome = timeout(Duration::from_millis(20), scope).await;
        log.borrow_mut().push("cancelled".into());
        outcome.unwrap_err().kind()
    });
    assert_eq!(timed_out.unwrap(), io::ErrorKind::TimedOut);
    // The drop cannot await: the exit runs later, as a task, but before `run` returns.
    assert_eq!(log, ["enter db", "cancelled", "exit db Cancelled"]);
}

#[test]
fn nested_scopes_exit_in_reverse_order() {
    let (_, log) = logged(async |log| {
        let inner = Recorded::new("inner", &log);
        async_with(Recorded::new("outer", &log), async |_| {
            async_with(inner, async |_| Ok(())).await?;
            Ok(())
        })
        .await
        .unwrap();
    });
    assert_eq!(
        log,
        [
            "enter outer",
            "enter inner",
            "exit inner Ok",
            "exit outer Ok"
        ]
    );
}

#[test]
fn nested_scopes_cancelled_hand_their_exits_to_the_loop_innermost_first() {
    let (_, log) = logged(async |log| {
        let inner = Recorded::new("inner", &log);
        let scope = async_with(Recorded::new("outer", &log), async |_| {
            async_with(inner, async |_| pending::<io::Result<()>>().await).await?;
            Ok(())
        });
        let _ = timeout(Duration::from_millis(20), scope).await;
    });
    assert_eq!(
        log,
        [
            "enter outer",
            "enter inner",
            "exit inner Cancelled",
            "exit outer Cancelled"
        ]
    );
}

#[test]
fn a_scope_whose_body_can_never_end_still_exits_when_the_loop_gives_up() {
    let (outcome, log) = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let manager = Recorded::new("db", &log);
        event_loop.add_task(async move {
            let _ = async_with(manager, async |_| pending::<io::Result<()>>().await).await;
        });
        // Stuck: the loop drops the task, the scope hands its exit to the loop, which runs it
        // before it reports the task it gave up on. Without that, the exit would be lost.
        let stuck = event_loop.run().unwrap_err();
        let stuck = stuck
            .get_ref()
            .and_then(|e| e.downcast_ref::<Stuck>())
            .copied();
        (stuck, log.take())
    });
    assert_eq!(outcome, Some(Stuck { tasks: 1 }));
    assert_eq!(log, ["enter db", "exit db Cancelled"]);
}

#[test]
fn after_a_panic_the_cleanup_waits_in_the_loop_for_its_next_run() {
    let (panicked, before, after) = without_leaks(|| {
        let log = Log::default();
        let event_loop = Loop::new().unwrap();
        let manager = Recorded::new("db", &log);
        event_loop.add_task(async move {
            let _ = async_with(manager, async |_| pending::<io::Result<()>>().await).await;
        });
        event_loop.add_task(async {
            interrupt().await;
            panic!("a task fails");
        });
        // The panic tears the loop down: its tasks are dropped, and the exit the scope hands
        // over is queued, not run (a panic is on its way out: this is no time to run tasks).
        let panicked = catch_unwind(AssertUnwindSafe(|| event_loop.run())).is_err();
        let before = log.borrow().clone();
        // The next run runs it first.
        event_loop.run().unwrap();
        (panicked, before, log.take())
    });
    assert!(panicked);
    assert_eq!(before, ["enter db"]);
    assert_eq!(after, ["enter db", "exit db Cancelled"]);
}

#[test]
fn a_failed_enter_has_nothing_to_exit_and_leaves_no_socket_open() {
    without_leaks(|| {
        let taken = AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = taken.local_addr().unwrap();
        let outcome = Loop::new().unwrap().run_task(async move {
            let ran = Rc::new(RefCell::new(false));
            let body_ran = Rc::clone(&ran);
            let served = async_with(Server::new(addr), async move |_| {
                *body_ran.borrow_mut() = true;
                Ok(())
            });
            (served.await.map_err(|err| err.kind()), ran.take())
        });
        assert_eq!(outcome.unwrap(), (Err(io::ErrorKind::AddrInUse), false));
        drop(taken);
    });
}

#[test]
fn the_server_context_manager_closes_its_listener_on_every_path() {
    without_leaks(|| {
        let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        Loop::new()
            .unwrap()
            .run_task(async move {
                let ok = async_with(Server::new(any_port), async |l| l.local_addr()).await;
                assert!(ok.unwrap().is_some());
                let err = async_with(Server::new(any_port), async |_| -> io::Result<()> {
                    Err(boom())
                });
                assert_eq!(err.await.unwrap_err().to_string(), "boom");
                let cut = async_with(Server::new(any_port), async |_| {
                    pending::<io::Result<()>>().await
                });
                assert!(timeout(Duration::from_millis(5), cut).await.is_err());
            })
            .unwrap();
    });
}

/// A context manager made from a generator that writes down its setup and its teardown.
fn recorded_generator(
    log: &Log,
    suppress: bool,
) -> impl AsyncContextManager<Resource = u32, Error = io::Error> + 'static {
    let log = Rc::clone(log);
    context_from_generator(move |mut co| async move {
        log.borrow_mut().push("setup".into());
        let (resource, outcome) = co.yield_(42).await;
        // No `try`/`finally` to forget: `yield_` returns how the body ended, and this runs.
        log.borrow_mut()
            .push(format!("teardown {resource} {outcome:?}"));
        match suppress {
            true => Ok(()),
            false => outcome.into_result(),
        }
    })
}

#[test]
fn a_generator_made_context_manager_tears_down_on_every_path() {
    let (outcomes, log) = logged(async |log| {
        let ok = async_with(recorded_generator(&log, false), async |r| Ok(*r + 1)).await;
        let body = async |_: &u32| -> io::Result<u32> { Err(boom()) };
        let err = async_with(recorded_generator(&log, false), body).await;
        let suppressed = async_with(recorded_generator(&log, true), body).await;
        let cut = async_with(recorded_generator(&log, false), async |_| {
            pending::<io::Result<u32>>().await
        });
        let cut = timeout(Duration::from_millis(5), cut).await;
        let show = |outcome: io::Result<Option<u32>>| format!("{outcome:?}");
        [show(ok), show(err), show(suppressed), show(cut)]
    });
    let outcomes = outcomes.unwrap();
    assert_eq!(outcomes[0], "Ok(Some(43))");
    assert!(outcomes[1].contains("boom"), "{}", outcomes[1]);
    assert_eq!(outcomes[2], "Ok(None)");
    assert!(outcomes[3].contains("TimedOut"), "{}", outcomes[3]);
    assert_eq!(
        log,
        [
            "setup",
            "teardown 42 Ok",
            "setup",
            "teardown 42 Err(Custom { kind: Other, error: \"boom\" })",
            "setup",
            "teardown 42 Err(Custom { kind: Other, error: \"boom\" })",
            "setup",
            "teardown 42 Cancelled",
        ]
    );
}

#[test]
fn a_generator_that_fails_before_its_yield_has_nothing_to_tear_down() {
    let (outcome, log) = logged(async |log| {
        let failing = context_from_generator(|co: step06_async_iter_ctx::Co<u32, _>| async move {
            let _ = co;
            Err::<(), _>(io::Error::from(io::ErrorKind::AddrInUse))
        });
        let ran = Rc::clone(&log);
        let outcome = async_with(failing, async move |_| {
            ran.borrow_mut().push("body".into());
            Ok(())
        });
        outcome.await.map_err(|err| err.kind())
    });
    assert_eq!(outcome.unwrap(), Err(io::ErrorKind::AddrInUse));
    assert!(log.is_empty(), "{log:?}");
}
