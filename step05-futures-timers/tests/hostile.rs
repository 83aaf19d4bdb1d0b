//! The runtime under hostile use, through its public API only: wakes from other threads, panics,
//! shared sockets, nested loops, re-entrant wakers and destructors, `Stuck` detection.
//!
//! Every test counts descriptors (`without_leaks`), which also runs the tests of this file one at
//! a time: a count taken while another test opens sockets would mean nothing. The tests that
//! expect a loop to end but find it asleep for ever give up after [`HANG`]: the loop's thread is
//! left behind, asleep, and the process ends it at exit.

mod common;

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::future::{Future, pending, poll_fn};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use common::{Counted, Server};
use shared::echo::{Client, ServeOptions};
use shared::testing::without_leaks;
use step05_futures_timers::{
    AioListener, AioStream, Loop, OneShot, Stuck, Waiter, interrupt, sleep, timeout,
};

/// How long a loop that should end within milliseconds may take before it is taken to be asleep
/// for ever. Far above what a correct run needs, even on a busy machine.
const HANG: Duration = Duration::from_secs(5);

/// Shorthand for a number of milliseconds.
fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Runs `work` on a thread of its own: its value, or `None` if it still runs after [`HANG`] (it
/// is left behind). A panic in `work` is the caller's.
fn within<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (done, result) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let _ = done.send(work());
    });
    match result.recv_timeout(HANG) {
        Ok(value) => Some(value),
        Err(mpsc::RecvTimeoutError::Timeout) => None,
        Err(mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the thread sends before it ends"),
        },
    }
}

/// The `Stuck` inside an error of [`Loop::run`], if that is what it is.
fn stuck(err: &io::Error) -> Option<Stuck> {
    err.get_ref()?.downcast_ref::<Stuck>().copied()
}

/// The text of a panic's payload.
fn message(panic: &(dyn Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        return (*text).to_owned();
    }
    panic.downcast_ref::<String>().cloned().unwrap_or_default()
}

/// A connected pair on loopback: an `AioStream` for the loop's side (registered with the loop
/// that connected it, gone since: its next wait moves it), a std stream for the test's side.
fn pair() -> (AioStream, TcpStream) {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    let aio = Loop::new()
        .unwrap()
        .run_task(AioStream::connect(addr))
        .unwrap()
        .unwrap();
    let (peer, _) = listener.accept().unwrap();
    (aio, peer)
}

// ---------------------------------------------------------------------------------------------
// Nested loops
// ---------------------------------------------------------------------------------------------

/// A task of loop A runs loop B, and a task of B runs A again. A is already running (one of its
/// tasks is in the middle of a poll): that must be refused as `run` documents, not run a second
/// `run` of A that takes the polled task for stuck and empties A's slab under its feet.
#[test]
fn running_a_loop_again_from_a_loop_nested_in_it_is_refused() {
    without_leaks(|| {
        let outer = Loop::new().unwrap();
        let again = outer.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            outer.run_task(async move {
                let inner = Loop::new().unwrap();
                let nested = inner.run_task(async move { again.run_task(async {}) });
                format!("{nested:?}")
            })
        }));
        let panic = outcome.expect_err("A runs while one of its tasks is polled");
        let text = message(&*panic);
        assert!(text.contains("already running"), "panicked with: {text}");
    });
}

/// A task runs a loop of its own, whose task sets a one-shot that a task of the outer loop
/// awaits: the outer task resumes once the inner loop is done, and `current` is right all along.
#[test]
fn a_task_may_run_a_loop_of_its_own_that_wakes_outer_tasks() {
    without_leaks(|| {
        let outer = Loop::new().unwrap();
        let shot = OneShot::new();
        let awaited = shot.clone();
        let log = Rc::new(RefCell::new(Vec::new()));
        let (log_outer, log_inner) = (Rc::clone(&log), Rc::clone(&log));
        outer.add_task(async move {
            let value = awaited.await;
            log_outer.borrow_mut().push(format!("outer got {value}"));
        });
        let outer_handle = outer.clone();
        outer
            .run_task(async move {
                let inner = Loop::new().unwrap();
                let inner_handle = inner.clone();
                inner
                    .run_task(async move {
                        sleep(ms(5)).await; // a timer of the inner loop
                        let current = Loop::current().unwrap();
                        assert_eq!(format!("{current:?}"), format!("{inner_handle:?}"));
                        shot.set(7).unwrap();
                        log_inner.borrow_mut().push("inner set it".to_owned());
                    })
                    .unwrap();
                assert_eq!(
                    format!("{:?}", Loop::current().unwrap()),
                    format!("{outer_handle:?}")
                );
            })
            .unwrap();
        assert_eq!(*log.borrow(), ["inner set it", "outer got 7"]);
    });
}

/// A task of the outer loop waits to read a stream; meanwhile a loop nested in another task
/// tries the same stream for a moment. The stream moves to the nested loop's reactor; the outer
/// reader must not be left without a waker: it must get the bytes sent afterwards.
#[test]
fn a_socket_tried_in_a_nested_loop_does_not_strand_its_outer_reader() {
    without_leaks(|| {
        let (stream, mut peer) = pair();
        let stream = Rc::new(stream);
        let got = Rc::new(RefCell::new(None));
        let event_loop = Loop::new().unwrap();
        let (reader, seen) = (Rc::clone(&stream), Rc::clone(&got));
        event_loop.add_task(async move {
            let mut buf = [0; 8];
            let n = reader.recv(&mut buf).await.unwrap();
            *seen.borrow_mut() = Some(buf[..n].to_vec());
        });
        let outcome = event_loop.run_task(async move {
            sleep(ms(10)).await; // the reader waits in this loop by now
            let nested = Rc::clone(&stream);
            let tried = Loop::new().unwrap().run_task(async move {
                let mut buf = [0; 8];
                timeout(ms(10), nested.recv(&mut buf)).await
            });
            assert!(tried.unwrap().is_err(), "nothing to read yet: timed out");
            peer.write_all(b"hi").unwrap();
            peer // kept open until the end
        });
        let peer = outcome.expect("the reader is woken by the bytes: not stuck");
        drop(peer);
        assert_eq!(got.borrow().as_deref(), Some(&b"hi"[..]));
    });
}

// ---------------------------------------------------------------------------------------------
// Stuck detection
// ---------------------------------------------------------------------------------------------

/// A future polls its one-shot while it is the only handle (nobody can set it: it keeps no
/// waker, so that the loop can report the task `Stuck`), then hands a clone to a task that will
/// set it. That set could wake nobody: the clone is refused with a clear panic, not a task lost
/// in silence.
#[test]
fn a_one_shot_cloned_after_it_waited_alone_is_refused_clearly() {
    without_leaks(|| {
        let event_loop = Loop::new().unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            event_loop.run_task(async {
                let mut shot = OneShot::<u8>::new();
                poll_fn(|cx| {
                    assert!(Pin::new(&mut shot).poll(cx).is_pending());
                    let _setter = shot.clone();
                    Poll::Ready(())
                })
                .await
            })
        }));
        let panic = outcome.expect_err("the clone is refused");
        assert!(
            message(&*panic).contains("clone it before awaiting"),
            "{}",
            message(&*panic)
        );
        // Cloned before the first await, it works.
        let shot = OneShot::new();
        let setter = shot.clone();
        event_loop.add_task(async move { setter.set(42).unwrap() });
        assert_eq!(event_loop.run_task(shot).unwrap(), 42);
    });
}

/// A task gives up awaiting its handle of a one-shot (a `timeout` over `&mut`: the handle
/// itself stays), then sets it through that handle; another task awaits the same one-shot. It
/// must be woken: a handle that once waited may still be the one that sets.
#[test]
fn a_handle_that_gave_up_waiting_may_still_set_and_wake_the_others() {
    without_leaks(|| {
        let event_loop = Loop::new().unwrap();
        let mut mine = OneShot::new();
        let theirs = mine.clone();
        event_loop.add_task(async move {
            let waited = timeout(ms(10), async {
                (&mut mine).await;
                Ok(())
            });
            assert!(waited.await.is_err(), "nobody else sets it");
            mine.set("set by the one that gave up").unwrap();
        });
        let got = event_loop.run_task(theirs);
        assert_eq!(
            got.map_err(|err| stuck(&err)),
            Ok("set by the one that gave up")
        );
    });
}

/// A thread holds a task's waker, then wakes it: never `Stuck`, whatever the timing. The loop
/// sleeps meanwhile, and the wake cuts its sleep short.
#[test]
fn a_waker_held_by_a_thread_keeps_its_task_alive_until_woken() {
    without_leaks(|| {
        for pause in [0, 1, 5] {
            let event_loop = Loop::new().unwrap();
            let thread = Rc::new(Cell::new(None));
            let spawned = Rc::clone(&thread);
            let woken = event_loop.run_task(poll_fn(move |cx| {
                if let Some(thread) = spawned.take() {
                    spawned.set(Some(thread));
                    return Poll::Ready("woken");
                }
                let waker = cx.waker().clone();
                spawned.set(Some(std::thread::spawn(move || {
                    std::thread::sleep(ms(pause));
                    waker.wake();
                })));
                Poll::Pending
            }));
            // Joined before the descriptors are counted: until its waker is gone, it keeps the
            // loop's alarm open.
            thread.take().unwrap().join().unwrap();
            assert_eq!(woken.map_err(|err| stuck(&err)).ok(), Some("woken"));
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Panics
// ---------------------------------------------------------------------------------------------

/// Puts a guard in a task whose destructor panics.
struct PanicsWhenDropped;

impl Drop for PanicsWhenDropped {
    fn drop(&mut self) {
        panic!("a destructor fails");
    }
}

/// The environment variable that makes the test below play the child's part.
const CHILD: &str = "REVIEW_TEARDOWN_CHILD";

/// A task panics; on the way out, the loop drops another task, whose destructor panics too.
/// `catch_unwind` around `run` must get the first panic back; the process must not abort
/// ("panic in a destructor during cleanup"). Played in a child process, since an abort would
/// take the whole test run down with it.
#[test]
fn a_destructor_that_panics_while_the_loop_tears_down_does_not_abort() {
    if std::env::var_os(CHILD).is_some() {
        let event_loop = Loop::new().unwrap();
        event_loop.add_task(async {
            let _guard = PanicsWhenDropped;
            pending::<()>().await;
        });
        event_loop.add_task(async {
            interrupt().await;
            panic!("a task fails");
        });
        let outcome = catch_unwind(AssertUnwindSafe(|| event_loop.run()));
        let panic = outcome.expect_err("the task's panic reaches the caller");
        println!("caught: {}", message(&*panic));
        return;
    }
    without_leaks(|| {
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "a_destructor_that_panics_while_the_loop_tears_down_does_not_abort",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&child.stdout);
        let stderr = String::from_utf8_lossy(&child.stderr);
        assert!(
            child.status.success() && stdout.contains("caught: a task fails"),
            "the child ended with {}\n{stderr}",
            child.status
        );
    });
}

/// A task panics while threads hold the wakers of the other tasks. `catch_unwind` around `run`,
/// then the same loop runs new tasks, which reuse the ids of the old ones; the threads then wake
/// the old wakers. The new tasks are polled only when they are woken themselves.
#[test]
fn after_a_caught_panic_the_loop_runs_again_and_stale_wakes_poll_nothing() {
    without_leaks(|| {
        let event_loop = Loop::new().unwrap();
        let held = Arc::new(Mutex::new(Vec::<Waker>::new()));
        for _ in 0..3 {
            let held = Arc::clone(&held);
            event_loop.add_task(poll_fn(move |cx| {
                held.lock().unwrap().push(cx.waker().clone());
                Poll::<()>::Pending
            }));
        }
        event_loop.add_task(async {
            interrupt().await;
            panic!("a task fails");
        });
        let outcome = catch_unwind(AssertUnwindSafe(|| event_loop.run()));
        assert_eq!(message(&*outcome.expect_err("the panic")), "a task fails");
        assert_eq!(format!("{event_loop:?}"), "Loop { tasks: 0 }");

        let polls = Rc::new(Cell::new(0));
        let waker_thread = std::thread::spawn(move || {
            for _ in 0..100 {
                for waker in held.lock().unwrap().iter() {
                    waker.wake_by_ref();
                }
                std::thread::sleep(ms(1));
            }
        });
        for _ in 0..3 {
            event_loop.add_task(Counted::new(sleep(ms(150)), &polls));
        }
        event_loop.run().unwrap();
        waker_thread.join().unwrap();
        assert_eq!(
            polls.get(),
            6,
            "each sleep is polled twice, stale wakes or not"
        );
    });
}

/// A waker of our own that panics when woken.
struct PanicsWhenWoken;

impl Wake for PanicsWhenWoken {
    fn wake(self: Arc<Self>) {
        panic!("a waker fails");
    }
}

/// A timer wakes a waker that panics: the panic leaves `run`, and the loop, caught, runs again.
#[test]
fn a_waker_that_panics_leaves_the_loop_usable() {
    without_leaks(|| {
        let event_loop = Loop::new().unwrap();
        event_loop.add_task(async {
            let mut nap = pin!(sleep(ms(1)));
            let waker = Waker::from(Arc::new(PanicsWhenWoken));
            let _ = nap.as_mut().poll(&mut Context::from_waker(&waker));
            pending::<()>().await;
        });
        let outcome = catch_unwind(AssertUnwindSafe(|| event_loop.run()));
        assert_eq!(message(&*outcome.expect_err("the panic")), "a waker fails");
        assert_eq!(
            event_loop.run_task(async { sleep(ms(1)).await }).ok(),
            Some(())
        );
    });
}

/// A future waits for a socket's bytes, and is kept outside the loop; another socket's event,
/// come in the same wait of the reactor, wakes a waker that panics. The run is torn down; the
/// kept future, awaited in the next run, gets its bytes: its event was set all the same. (Left
/// unset, its one-shot was dropped with the panic, and the future was taken for stuck.)
#[test]
fn a_waker_that_panics_does_not_lose_the_other_socket_events_of_its_wait() {
    let (text, read) = without_leaks(|| {
        let ((panicky, mut panicky_peer), (kept, mut kept_peer)) = (pair(), pair());
        let event_loop = Loop::new().unwrap();
        let reading = Box::pin(async move {
            let mut answer = [0; 8];
            kept.recv(&mut answer).await
        });
        let reading = Rc::new(RefCell::new(Some(reading)));
        let keeps = Rc::clone(&reading);
        event_loop.add_task(async move {
            let mut buf = [0; 8];
            let mut recv = pin!(panicky.recv(&mut buf));
            let waker = Waker::from(Arc::new(PanicsWhenWoken));
            let _ = recv.as_mut().poll(&mut Context::from_waker(&waker));
            let mut waiting = keeps.borrow_mut().take().unwrap();
            poll_fn(|cx| Poll::Ready(waiting.as_mut().poll(cx).is_pending())).await;
            *keeps.borrow_mut() = Some(waiting); // kept, waiting for its bytes, in this loop
            sleep(ms(10)).await; // the reactor's first word, "both can be written to", is said
            // Both events come in the loop's next wait, the one whose waker panics first.
            panicky_peer.write_all(b"a").unwrap();
            kept_peer.write_all(b"b").unwrap();
            pending::<()>().await;
        });
        let panicked = catch_unwind(AssertUnwindSafe(|| event_loop.run()));
        let text = message(&*panicked.expect_err("the waker panics"));
        let waiting = reading.borrow_mut().take().unwrap();
        let read = event_loop.run_task(waiting).map_err(|err| stuck(&err));
        (text, read.map(|read| read.map_err(|err| err.kind())))
    });
    assert_eq!(text, "a waker fails");
    assert_eq!(read, Ok(Ok(1)));
}

// ---------------------------------------------------------------------------------------------
// Re-entrancy
// ---------------------------------------------------------------------------------------------

/// What [`Meddles`] did, for the test to check.
type Journal = Rc<RefCell<Vec<&'static str>>>;

/// A waker that uses the running loop in every way it can when woken, and again when dropped:
/// adds a task, arms a timer, sets a one-shot, formats the loop; then passes the wake on.
struct Meddles {
    /// The task's own waker.
    task: Waker,
}

thread_local! {
    /// What the meddling wakers did on this thread.
    static JOURNAL: Journal = Rc::default();
}

impl Meddles {
    /// Uses the loop; `when` says in which case.
    fn meddle(when: &'static str) {
        let Ok(event_loop) = Loop::current() else {
            return; // dropped once the loop is done: nothing to meddle with
        };
        event_loop.add_task(async {});
        event_loop.call_later(ms(1), OneShot::new());
        let shot = OneShot::new();
        let awaiting = shot.clone();
        event_loop.add_task(awaiting);
        let _ = shot.set(());
        let _ = format!("{event_loop:?}");
        JOURNAL.with(|journal| journal.borrow_mut().push(when));
    }
}

// `Wake` requires `Send + Sync`; this one is only ever used on the loop's thread.
impl Wake for Meddles {
    fn wake(self: Arc<Self>) {
        Self::meddle("woken");
        self.task.wake_by_ref();
    }
}

impl Drop for Meddles {
    fn drop(&mut self) {
        Self::meddle("dropped");
    }
}

/// Polls `future` with a [`Meddles`] waker around the task's own.
async fn meddling<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    poll_fn(|cx| {
        let waker = Waker::from(Arc::new(Meddles {
            task: cx.waker().clone(),
        }));
        future.as_mut().poll(&mut Context::from_waker(&waker))
    })
    .await
}

/// Meddling wakers woken by a timer, a one-shot's `set` and a socket event, and dropped by the
/// one-shot, the reactor and the timer heap: the loop holds none of its borrows meanwhile.
#[test]
fn wakers_that_use_the_loop_when_woken_or_dropped_never_meet_a_borrow() {
    without_leaks(|| {
        let (stream, mut peer) = pair();
        let event_loop = Loop::new().unwrap();
        event_loop
            .run_task(async move {
                meddling(sleep(ms(2))).await;
                let shot = OneShot::new();
                let setter = shot.clone();
                Loop::current().unwrap().add_task(async move {
                    sleep(ms(2)).await;
                    setter.set(()).unwrap();
                });
                meddling(shot).await;
                let writer = std::thread::spawn(move || {
                    std::thread::sleep(ms(20));
                    peer.write_all(b"x").unwrap();
                    peer
                });
                let mut buf = [0; 4];
                assert_eq!(meddling(stream.recv(&mut buf)).await.unwrap(), 1);
                let _ = meddling(timeout(ms(1), pending::<io::Result<()>>())).await;
                drop(writer.join().unwrap());
            })
            .unwrap();
        let journal = JOURNAL.with(|journal| journal.borrow().clone());
        assert!(journal.contains(&"woken") && journal.contains(&"dropped"));
    });
}

// ---------------------------------------------------------------------------------------------
// Threads and thread-locals
// ---------------------------------------------------------------------------------------------

thread_local! {
    /// A waker kept until this thread ends, then woken by its destructor.
    static WOKEN_AT_EXIT: RefCell<Option<WakeOnDrop>> = const { RefCell::new(None) };
    /// A loop kept until this thread ends.
    static KEPT_LOOP: RefCell<Option<Loop>> = const { RefCell::new(None) };
}

/// Wakes its waker when dropped.
struct WakeOnDrop(Waker);

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        self.0.wake_by_ref();
    }
}

/// Wakers outlive their loop: woken from other threads after the loop is gone, and from
/// thread-local destructors, on the loop's own thread and on others, while the loop itself is
/// still kept in a thread-local (in whatever order those are destroyed). Nothing breaks.
#[test]
fn wakers_woken_after_their_loop_is_gone_or_from_thread_local_destructors_are_harmless() {
    without_leaks(|| {
        let (sent, received) = mpsc::channel::<Waker>();
        let loop_thread = std::thread::spawn(move || {
            let event_loop = Loop::new().unwrap();
            for _ in 0..2 {
                let sent = sent.clone();
                event_loop.add_task(async move {
                    let mut first = true;
                    poll_fn(|cx| {
                        if first {
                            first = false;
                            sent.send(cx.waker().clone()).unwrap();
                            WOKEN_AT_EXIT.with_borrow_mut(|kept| {
                                *kept = Some(WakeOnDrop(cx.waker().clone()));
                            });
                            cx.waker().wake_by_ref();
                            return Poll::Pending;
                        }
                        Poll::Ready(())
                    })
                    .await;
                });
            }
            event_loop.run().unwrap();
            KEPT_LOOP.with_borrow_mut(|kept| *kept = Some(event_loop));
        });
        loop_thread.join().expect("the loop's thread ends cleanly");
        let wakers: Vec<Waker> = received.iter().collect();
        let threads: Vec<_> = wakers
            .into_iter()
            .map(|waker| {
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        waker.wake_by_ref();
                    }
                    WOKEN_AT_EXIT.with_borrow_mut(|kept| *kept = Some(WakeOnDrop(waker)));
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("a waking thread ends cleanly");
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Shared sockets
// ---------------------------------------------------------------------------------------------

/// Three tasks wait to read one stream when the peer shuts its writing side: each one sees the
/// end of the stream (`Ok(0)`), and so does every later `recv`, at once. Only the reading side
/// is closed: the loop's side can still write, and the peer reads it.
#[test]
fn every_reader_sees_the_peers_half_close_and_writing_still_works() {
    without_leaks(|| {
        let (stream, peer) = pair();
        let stream = Rc::new(stream);
        let event_loop = Loop::new().unwrap();
        let ends = Rc::new(RefCell::new(Vec::new()));
        for _ in 0..3 {
            let (stream, ends) = (Rc::clone(&stream), Rc::clone(&ends));
            event_loop.add_task(async move {
                let mut buf = [0; 8];
                let first = stream.recv(&mut buf).await.unwrap();
                let again = stream.recv(&mut buf).await.unwrap();
                ends.borrow_mut().push((first, again));
            });
        }
        let closer = std::thread::spawn(move || {
            std::thread::sleep(ms(20)); // the readers wait by now
            peer.shutdown(Shutdown::Write).unwrap();
            peer
        });
        event_loop.run().unwrap();
        let mut peer = closer.join().unwrap();
        assert_eq!(*ends.borrow(), [(0, 0); 3]);
        event_loop
            .run_task(async move { stream.send_all(b"still here").await })
            .unwrap()
            .unwrap();
        let mut buf = [0; 10];
        peer.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"still here");
    });
}

/// Two tasks read and one writes a large buffer on a stream whose peer resets the connection
/// (it closes with bytes unread): every one of them ends, none waits for ever.
#[test]
fn readers_and_a_writer_on_a_reset_connection_all_end() {
    without_leaks(|| {
        let outcome = within(|| {
            let (stream, mut peer) = pair();
            let stream = Rc::new(stream);
            let event_loop = Loop::new().unwrap();
            let ended = Rc::new(Cell::new(0));
            for _ in 0..2 {
                let (stream, ended) = (Rc::clone(&stream), Rc::clone(&ended));
                event_loop.add_task(async move {
                    let mut buf = [0; 64];
                    while let Ok(1..) = stream.recv(&mut buf).await {}
                    ended.set(ended.get() + 1);
                });
            }
            let (writer, ended_too) = (Rc::clone(&stream), Rc::clone(&ended));
            event_loop.add_task(async move {
                let big = vec![b'x'; 16 << 20];
                assert!(writer.send_all(&big).await.is_err(), "the peer is gone");
                ended_too.set(ended_too.get() + 1);
            });
            let resetter = std::thread::spawn(move || {
                let mut buf = [0; 1024];
                peer.read_exact(&mut buf).unwrap(); // some of the flood, the rest left unread
                drop(peer); // unread bytes: the close is a reset
            });
            event_loop.run().unwrap();
            resetter.join().unwrap();
            ended.get()
        });
        assert_eq!(outcome, Some(3), "every task ended");
    });
}

/// Two tasks each write a megabyte to a peer that reads nothing for a while, then reads all:
/// both writers wait on the full socket, both are woken as it drains, and every byte arrives.
#[test]
fn two_writers_blocked_by_a_peer_that_reads_late_both_get_through() {
    without_leaks(|| {
        let (stream, mut peer) = pair();
        let stream = Rc::new(stream);
        let event_loop = Loop::new().unwrap();
        for byte in [b'a', b'b'] {
            let stream = Rc::clone(&stream);
            event_loop.add_task(async move {
                stream.send_all(&vec![byte; 1 << 20]).await.unwrap();
            });
        }
        let reader = std::thread::spawn(move || {
            std::thread::sleep(ms(50)); // both writers wait by now
            let mut buf = vec![0; 2 << 20];
            peer.read_exact(&mut buf).unwrap();
            buf.iter().filter(|&&byte| byte == b'a').count()
        });
        event_loop.run().unwrap();
        assert_eq!(reader.join().unwrap(), 1 << 20);
    });
}

/// Many tasks accept on one listener; clients come one at a time: each client goes to exactly
/// one task, and the others go back to waiting (they are woken, and find nothing).
#[test]
fn many_acceptors_on_one_listener_share_the_clients_one_each() {
    without_leaks(|| {
        let listener = Rc::new(AioListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap());
        let addr = listener.local_addr().unwrap();
        let event_loop = Loop::new().unwrap();
        let accepted = Rc::new(Cell::new(0));
        for _ in 0..8 {
            let (listener, accepted) = (Rc::clone(&listener), Rc::clone(&accepted));
            event_loop.add_task(async move {
                let _client = listener.accept().await.unwrap();
                accepted.set(accepted.get() + 1);
            });
        }
        let clients = std::thread::spawn(move || {
            (0..8)
                .map(|_| {
                    std::thread::sleep(ms(2));
                    TcpStream::connect(addr).unwrap()
                })
                .collect::<Vec<_>>()
        });
        event_loop.run().unwrap();
        drop(clients.join().unwrap());
        assert_eq!(accepted.get(), 8);
    });
}

/// A client that sends lines but never reads what comes back: once the replies fill both socket
/// buffers, its task waits to send, for ever. With one seat, a client that comes later is told
/// the server is full, for as long as that client stays. A client that never reads holds its
/// seat exactly as a silent one did before the idle timeout; it must not hold it for ever.
#[test]
fn a_client_that_never_reads_does_not_hold_its_seat_for_ever() {
    without_leaks(|| {
        let options = ServeOptions {
            max_clients: 1,
            idle_timeout: ms(200),
            ..common::defaults()
        };
        let server = Server::start(2, options);
        let mut hog = TcpStream::connect(server.addr).unwrap();
        hog.set_write_timeout(Some(ms(500))).unwrap();
        let lines = [&[b'x'; 1023][..], b"\n"].concat().repeat(64);
        // Until the server stops reading (or hangs up): its replies fill both buffers.
        let started = std::time::Instant::now();
        while hog.write_all(&lines).is_ok() && started.elapsed() < Duration::from_secs(10) {}
        std::thread::sleep(ms(1000)); // five idle timeouts
        let reply = Client::connect(server.addr).and_then(|mut next| next.request(b"hello"));
        drop(hog); // bytes unread: a reset, which ends its task in any case
        server.finish();
        assert_eq!(String::from_utf8_lossy(&reply.unwrap()), "olleh");
    });
}

// ---------------------------------------------------------------------------------------------
// One-shots and waiters
// ---------------------------------------------------------------------------------------------

/// A counting waiter awaited by five clones, two of them given up on (a `timeout`) before the
/// count is reached: the other three resume; a waiter set before anyone awaits is ready at once.
#[test]
fn a_waiter_resumes_every_awaiter_left_and_a_set_before_the_await_is_kept() {
    without_leaks(|| {
        let event_loop = Loop::new().unwrap();
        let waiter = Waiter::with_count(2);
        let resumed = Rc::new(Cell::new(0));
        for patience in [1, 1, 1000, 1000, 1000] {
            let (waiter, resumed) = (waiter.clone(), Rc::clone(&resumed));
            event_loop.add_task(async move {
                let waited = timeout(ms(patience), async {
                    waiter.await;
                    Ok(())
                });
                if waited.await.is_ok() {
                    resumed.set(resumed.get() + 1);
                }
            });
        }
        let setter = waiter.clone();
        event_loop.add_task(async move {
            sleep(ms(20)).await;
            setter.set();
            interrupt().await;
            setter.set();
        });
        event_loop.run().unwrap();
        assert_eq!(resumed.get(), 3);
        let early = Waiter::new();
        early.set();
        event_loop.run_task(early).unwrap();
    });
}
