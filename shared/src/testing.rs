//! Test helpers: time limits, running a demo, a free port, a count of open descriptors, a waker
//! that counts its wakes, and a check of a demo's timeline that holds on a busy machine.
//!
//! Every test that runs a loop, or waits on a socket, a demo or a lock, waits within a time
//! limit: [`bounded`], [`in_background`], [`without_leaks`], [`run_demo`], [`start_demo`],
//! [`run_test_alone`], [`TestLock`]. A bug that leaves something waiting for ever then fails that
//! test instead of hanging the run; and once one test is stuck, the others give up quickly too
//! (see [`LIMIT_ONCE_STUCK`]), so a broken step fails in well under a minute.
//!
//! Every test also holds on a busy machine (two CPU hogs on two cores, a build beside the
//! tests): it asserts the order of events and that nothing comes early exactly, and bounds
//! lateness loosely ([`LATENESS`], [`assert_timeline`]) or counts turns of the loop instead of
//! time; and it never assumes that a demo's log line is written before the demo is killed
//! ([`DemoProcess::wait_for_line`]).

mod demos;
mod descriptors;
mod limits;
mod timeline;
mod wakes;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::Duration;

pub use demos::start_demo;
pub use demos::{DemoProcess, DemoRun, demo_binary, in_child_test, run_demo, run_test_alone};
pub use descriptors::{FdCheck, open_fds, without_leaks};
pub use limits::{Background, LIMIT_ONCE_STUCK, TIME_LIMIT, TestLock, TestLockGuard};
pub use limits::{bounded, in_background};
pub use timeline::{Due, assert_timeline, print_messages, timed_lines};
pub use wakes::WakeCount;

/// How late a timer, a wake-up or a log line may come on a busy machine before a test calls it
/// a bug. Nothing may come early, but a crowded machine (two CPU hogs on two cores, a build
/// beside the tests) stalls a process now and then: the latest wake-up seen there came 80 ms
/// after its time, and this leaves room for a worse day. A test that needs to tell "on time"
/// from "waited for the wrong thing" makes the wrong thing take longer than this, or counts
/// turns of the loop instead of time.
pub const LATENESS: Duration = Duration::from_millis(500);

/// The widest line a demo may print: what fits on a projector.
pub const MAX_COLUMNS: usize = 100;

/// A loopback address whose port was free a moment ago.
///
/// Prefer binding port 0 directly; this is for the tests that need an address nobody listens on
/// (a refused connection) or one to bind twice (address in use).
pub fn free_port() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    listener.local_addr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_is_one_more_descriptor() {
        without_leaks(|| {
            let before = open_fds().unwrap();
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            assert_eq!(open_fds().unwrap(), before + 1);
            drop(listener);
        });
    }

    #[test]
    fn free_port_is_on_loopback() {
        let addr = without_leaks(free_port).unwrap();
        assert!(addr.ip().is_loopback());
        assert_ne!(addr.port(), 0);
    }
}
