//! Counting the descriptors a test opens, to catch the ones it leaves open.

use std::time::Duration;

use super::limits::{TestLock, TestLockGuard, bounded, stuck_test};

/// The number of descriptors this process has open right now.
///
/// Reads `/dev/fd` (Linux and macOS). The directory handle used to read it is counted on every
/// call alike, so two counts can be compared.
pub fn open_fds() -> std::io::Result<usize> {
    Ok(std::fs::read_dir("/dev/fd")?.count())
}

/// Tests that count descriptors take this lock, so no other test opens any meanwhile.
static FD_LOCK: TestLock = TestLock::new();

/// A descriptor count taken at the start of a test, compared again at its end.
///
/// Holding it serialises the tests that use it: descriptors are per process, and the test harness
/// runs tests on several threads, so an unlocked count would see other tests' sockets. Tests that
/// run a demo take it too: the pipes to a demo are descriptors as well. Everything a test does
/// while it holds the check must wait within a time limit, or the tests queued behind it wait
/// in vain ([`without_leaks`] sees to both).
#[derive(Debug)]
pub struct FdCheck {
    /// The count when the test started.
    before: usize,
    /// Keeps other descriptor-counting tests out until this one is checked.
    _lock: TestLockGuard<'static>,
}

impl FdCheck {
    /// Locks out the other counting tests and counts the open descriptors, once the count is
    /// steady: a thread of the previous test may still be closing its last socket.
    #[track_caller]
    pub fn begin() -> Self {
        let lock = FD_LOCK.hold();
        let mut before = open_fds().expect("count open descriptors");
        for _ in 0..50 {
            std::thread::sleep(Duration::from_millis(5));
            let now = open_fds().expect("count open descriptors");
            if now == before {
                break;
            }
            before = now;
        }
        Self {
            before,
            _lock: lock,
        }
    }

    /// Panics if the test left descriptors open (or closed some it did not own).
    #[track_caller]
    pub fn assert_no_leak(self) {
        let after = open_fds().expect("count open descriptors");
        // A stuck test's threads still run, and may open or close sockets at any time.
        let hint = match stuck_test() {
            Some(test) => format!(" (but `{test}` got stuck, and its threads may still run)"),
            None => String::new(),
        };
        assert_eq!(
            after, self.before,
            "open descriptors: {} before, {after} after{hint}",
            self.before
        );
    }
}

/// Runs `test` within the time limit, as [`bounded`] does, between two descriptor counts that
/// must agree: it closed every descriptor it opened.
///
/// The count is taken on the caller's thread: when time is up, the caller fails and lets the
/// other counting tests in, while the stuck thread stays behind.
#[track_caller]
pub fn without_leaks<T: Send + 'static>(test: impl FnOnce() -> T + Send + 'static) -> T {
    let check = FdCheck::begin();
    let value = bounded(test);
    check.assert_no_leak();
    value
}
