//! Test helpers: time limits, running a demo, a free port, and a count of open descriptors.
//!
//! Every test that runs a loop, or waits on a socket, a demo or a lock, waits within a time
//! limit: [`bounded`], [`in_background`], [`without_leaks`], [`run_demo`], [`start_demo`],
//! [`run_test_alone`], [`TestLock`]. A bug that leaves something waiting for ever then fails that
//! test instead of hanging the run; and once one test is stuck, the others give up quickly too
//! (see [`LIMIT_ONCE_STUCK`]), so a broken step fails in well under a minute.

mod demos;
mod descriptors;
mod limits;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};

pub use demos::start_demo;
pub use demos::{DemoProcess, DemoRun, demo_binary, in_child_test, run_demo, run_test_alone};
pub use descriptors::{FdCheck, open_fds, without_leaks};
pub use limits::{Background, LIMIT_ONCE_STUCK, TIME_LIMIT, TestLock, TestLockGuard};
pub use limits::{bounded, in_background};

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
