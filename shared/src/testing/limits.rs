//! Time limits: no test waits for ever, and once one wait has got stuck, none waits long.
//!
//! A broken step usually leaves a task waiting for something that never comes, and a loop with
//! a waiting task never ends. So every wait of a test goes through here, and gives up after
//! [`TIME_LIMIT`] instead of hanging the run. The first wait that gives up is remembered for the
//! whole test process: the run has failed already, so from then on every other wait gives up
//! after [`LIMIT_ONCE_STUCK`]. Tests queued behind a stuck one (the descriptor lock queues many)
//! then pass or fail within seconds, instead of each waiting a full limit of its own.

use std::panic::resume_unwind;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long one wait may last. The slowest wait of a correct test takes about 4 s on a busy
/// 2-core machine (a thousand clients, then two seconds of measuring CPU): a slow CI machine has
/// room, and a broken step fails in well under a minute (this limit, then a few short ones).
pub const TIME_LIMIT: Duration = Duration::from_secs(30);

/// How long a wait may last once another wait of this test process has got stuck. Most tests
/// take well under a second, so a correct one still passes, and a broken one fails soon.
pub const LIMIT_ONCE_STUCK: Duration = Duration::from_secs(3);

/// How often a waiting test looks again at the clock (and at whether another wait got stuck).
const TICK: Duration = Duration::from_millis(20);

/// The referee of every wait in this process.
static REFEREE: Referee = Referee::new(TIME_LIMIT, LIMIT_ONCE_STUCK);

/// Keeps the time of the waits of one process: how long each may last, and which got stuck.
#[derive(Debug)]
struct Referee {
    /// How long a wait may last while none has got stuck.
    limit: Duration,
    /// How long a wait may last once one has got stuck.
    once_stuck: Duration,
    /// The first wait that gave up: when, and the test it belonged to.
    stuck: Mutex<Option<(Instant, String)>>,
}

impl Referee {
    /// A referee that has seen nothing stuck yet.
    const fn new(limit: Duration, once_stuck: Duration) -> Referee {
        Referee {
            limit,
            once_stuck,
            stuck: Mutex::new(None),
        }
    }

    /// When a wait that began at `started` must give up. Asked again on every tick, as it moves
    /// closer when another wait gets stuck meanwhile.
    fn deadline(&self, started: Instant) -> Instant {
        let own = started + self.limit;
        match &*lock(&self.stuck) {
            Some((at, _)) => own.min(started.max(*at) + self.once_stuck),
            None => own,
        }
    }

    /// When a test waiting for a lock held since `since` gives up. The holder's own waits end
    /// by [`Referee::deadline`], and a correct test is done long before: a holder that keeps
    /// the lock twice that long is stuck somewhere no limit watches.
    fn hold_deadline(&self, since: Instant) -> Instant {
        since + self.deadline(since).saturating_duration_since(since) * 2
    }

    /// Calls `attempt` with how long it may block, again and again, until it returns a value
    /// or the wait is over; then says why it gave up.
    fn wait<T>(&self, mut attempt: impl FnMut(Duration) -> Option<T>) -> Result<T, String> {
        let started = Instant::now();
        loop {
            let left = self
                .deadline(started)
                .saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.give_up(started));
            }
            if let Some(value) = attempt(left.min(TICK)) {
                return Ok(value);
            }
        }
    }

    /// Says why the wait that began at `started` gives up, and remembers this test as stuck
    /// unless another got stuck first.
    fn give_up(&self, started: Instant) -> String {
        let waited = started.elapsed();
        let first = self.remember_stuck(&current_test());
        if waited >= self.limit {
            format!(
                "still running after {waited:.1?}: something waits for ever \
                 (a task that nobody wakes? a loop that never yields?)"
            )
        } else {
            format!(
                "gave up after {waited:.1?}, not {:?}: `{first}` got stuck first, and after \
                 that no wait lasts more than {:?} (so this one may only be slow)",
                self.limit, self.once_stuck
            )
        }
    }

    /// Remembers `test` as stuck, unless a test got stuck before; returns the first one.
    fn remember_stuck(&self, test: &str) -> String {
        let mut stuck = lock(&self.stuck);
        let (_, first) = stuck.get_or_insert_with(|| (Instant::now(), test.to_owned()));
        first.clone()
    }
}

/// Waits through the process's referee: see [`Referee::wait`].
pub(super) fn wait<T>(attempt: impl FnMut(Duration) -> Option<T>) -> Result<T, String> {
    REFEREE.wait(attempt)
}

/// The test that got stuck first in this process, if one did: its threads may still be running.
pub(super) fn stuck_test() -> Option<String> {
    lock(&REFEREE.stuck).as_ref().map(|(_, test)| test.clone())
}

/// The name of the running test: the test harness names each test's thread after it, and
/// [`in_background`] gives its threads the same name.
fn current_test() -> String {
    let thread = std::thread::current();
    thread.name().unwrap_or("an unnamed thread").to_owned()
}

/// Locks `mutex`, even if a panicking thread held it: what it guards stays consistent here.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `test` on a thread of its own and returns its value, or panics once it has run longer
/// than the time limit. A panic in `test` fails the caller with the same message.
///
/// A bug in a step usually leaves a task waiting for something that never comes, and a loop
/// with a waiting task never ends: without a limit, the whole test run would hang. The thread
/// is left behind when time is up (Rust cannot stop a thread); the process ends it at exit.
#[track_caller]
pub fn bounded<T: Send + 'static>(test: impl FnOnce() -> T + Send + 'static) -> T {
    in_background(test).join()
}

/// Starts `work` on a thread of its own; [`Background::join`] waits for it, within the limit.
///
/// For a server that runs its loop while the test talks to it from the test's thread. The
/// thread is named after the test, so that its panics and time-outs say which test it served.
pub fn in_background<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Background<T> {
    let (done, result) = mpsc::channel();
    let mut thread = std::thread::Builder::new();
    if let Some(test) = std::thread::current().name() {
        thread = thread.name(test.to_owned());
    }
    let thread = thread
        .spawn(move || {
            let _ = done.send(work());
        })
        .expect("start a thread");
    Background { result, thread }
}

/// Work running on a thread of its own, started by [`in_background`].
#[derive(Debug)]
pub struct Background<T> {
    /// Where the thread sends its value.
    result: mpsc::Receiver<T>,
    /// The thread, to join, or to take its panic from.
    thread: JoinHandle<()>,
}

impl<T> Background<T> {
    /// The work's value; panics if it is still running once the time limit is up, and with the
    /// work's own message if it panicked.
    #[track_caller]
    pub fn join(self) -> T {
        let outcome = wait(|tick| match self.result.recv_timeout(tick) {
            Ok(value) => Some(Some(value)),
            Err(RecvTimeoutError::Timeout) => None,
            // The work panicked before sending.
            Err(RecvTimeoutError::Disconnected) => Some(None),
        });
        match outcome {
            Ok(Some(value)) => {
                let _ = self.thread.join();
                value
            }
            Ok(None) => match self.thread.join() {
                Err(panic) => resume_unwind(panic),
                Ok(()) => panic!("the background thread ended without a result"),
            },
            Err(why) => panic!("{why}"),
        }
    }
}

/// A lock for tests that must not overlap: those that count the process's descriptors, or
/// measure its CPU time.
///
/// Unlike a `Mutex`, it never keeps a test waiting for ever: if the holder keeps it far longer
/// than its own time limits allow, it is stuck where no limit watches it, and the waiter fails,
/// naming it. A holder whose wait ran out of time lets go as its test fails.
#[derive(Debug, Default)]
pub struct TestLock {
    /// The test holding it, and since when.
    holder: Mutex<Option<(String, Instant)>>,
    /// Told when the holder lets go.
    released: Condvar,
}

impl TestLock {
    /// A lock nobody holds, for a `static`.
    pub const fn new() -> TestLock {
        TestLock {
            holder: Mutex::new(None),
            released: Condvar::new(),
        }
    }

    /// Waits until the lock is free and takes it, until the guard is dropped.
    #[track_caller]
    pub fn hold(&self) -> TestLockGuard<'_> {
        self.hold_under(&REFEREE)
    }

    /// [`TestLock::hold`], with the limits of `referee`.
    #[track_caller]
    fn hold_under(&self, referee: &Referee) -> TestLockGuard<'_> {
        let started = Instant::now();
        let mut holder = lock(&self.holder);
        while let Some((test, since)) = holder.as_ref() {
            let left = referee
                .hold_deadline(*since)
                .saturating_duration_since(Instant::now());
            if left.is_zero() {
                let why = format!(
                    "waited {:.1?} for a lock that `{test}` has held for {:.1?}: that test is \
                     stuck somewhere no time limit watches",
                    started.elapsed(),
                    since.elapsed()
                );
                referee.remember_stuck(test);
                drop(holder);
                panic!("{why}");
            }
            let waited = self.released.wait_timeout(holder, left.min(TICK));
            holder = waited.unwrap_or_else(PoisonError::into_inner).0;
        }
        *holder = Some((current_test(), Instant::now()));
        TestLockGuard { lock: self }
    }
}

/// Holds a [`TestLock`] until dropped.
#[derive(Debug)]
pub struct TestLockGuard<'a> {
    /// The lock it holds.
    lock: &'a TestLock,
}

impl Drop for TestLockGuard<'_> {
    fn drop(&mut self) {
        *lock(&self.lock.holder) = None;
        self.lock.released.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::*;

    /// Shorthand for a number of milliseconds.
    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    /// A wait that never ends, under `referee`: what it said, and how long it took to say it.
    fn never_ending(referee: &Referee) -> (String, Duration) {
        let started = Instant::now();
        let why = referee.wait(|tick| {
            std::thread::sleep(tick);
            None::<()>
        });
        (why.unwrap_err(), started.elapsed())
    }

    #[test]
    fn bounded_returns_the_value_or_the_panic() {
        assert_eq!(bounded(|| 6 * 7), 42);
        let panic = catch_unwind(|| bounded(|| panic!("inner failure")));
        let message = panic.unwrap_err();
        assert_eq!(message.downcast_ref::<&str>(), Some(&"inner failure"));
    }

    #[test]
    fn a_wait_that_never_ends_gives_up_after_the_limit() {
        let referee = Referee::new(ms(100), ms(20));
        let (why, took) = never_ending(&referee);
        assert!(why.starts_with("still running after"), "{why}");
        assert!(took >= ms(100), "gave up after {took:?}");
    }

    #[test]
    fn once_a_wait_got_stuck_the_others_give_up_sooner_and_name_it() {
        let referee = Referee::new(ms(300), ms(20));
        never_ending(&referee);
        let (why, took) = never_ending(&referee);
        let first = current_test();
        assert!(why.contains(&format!("`{first}` got stuck first")), "{why}");
        assert!(took < ms(300), "gave up after {took:?}");
    }

    #[test]
    fn a_lock_is_taken_in_turn() {
        let lock = TestLock::new();
        let held = lock.hold();
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| {
                let _turn = lock.hold();
                Instant::now()
            });
            std::thread::sleep(ms(50));
            let released = Instant::now();
            drop(held);
            assert!(waiter.join().unwrap() >= released, "two holders at once");
        });
    }

    #[test]
    fn a_waiter_gives_up_on_a_holder_stuck_outside_any_limit_and_names_it() {
        let referee = Referee::new(ms(50), ms(20));
        let lock = TestLock::new();
        let _stuck = lock.hold_under(&referee); // and never let go
        let holder = current_test();
        let waiter = std::thread::scope(|scope| {
            let waiter = scope
                .spawn(|| catch_unwind(AssertUnwindSafe(|| lock.hold_under(&referee))).map(drop));
            waiter.join().unwrap()
        });
        let panic = waiter.unwrap_err();
        let why = panic.downcast_ref::<String>().unwrap();
        assert!(
            why.contains(&format!("a lock that `{holder}` has held")),
            "{why}"
        );
        assert_eq!(referee.remember_stuck("later"), holder);
    }
}
