//! Helpers for the socket tests: a free port and a count of open descriptors.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Mutex, MutexGuard};

/// A loopback address whose port was free a moment ago.
///
/// Prefer binding port 0 directly; this is for the tests that need an address nobody listens on
/// (a refused connection) or one to bind twice (address in use).
pub fn free_port() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    listener.local_addr()
}

/// The number of descriptors this process has open right now.
///
/// Reads `/dev/fd` (Linux and macOS). The directory handle used to read it is counted on every
/// call alike, so two counts can be compared.
pub fn open_fds() -> std::io::Result<usize> {
    Ok(std::fs::read_dir("/dev/fd")?.count())
}

/// Tests that count descriptors take this lock, so no other test opens sockets meanwhile.
static FD_LOCK: Mutex<()> = Mutex::new(());

/// A descriptor count taken at the start of a test, compared again at its end.
///
/// Holding it serialises the tests that use it: descriptors are per process, and the test harness
/// runs tests on several threads, so an unlocked count would see other tests' sockets.
#[derive(Debug)]
pub struct FdCheck {
    /// The count when the test started.
    before: usize,
    /// Keeps other descriptor-counting tests out until this one is checked.
    _lock: MutexGuard<'static, ()>,
}

impl FdCheck {
    /// Locks out the other counting tests and counts the open descriptors.
    pub fn begin() -> Self {
        let lock = FD_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let before = open_fds().expect("count open descriptors");
        Self {
            before,
            _lock: lock,
        }
    }

    /// Panics if the test left descriptors open (or closed some it did not own).
    pub fn assert_no_leak(self) {
        let after = open_fds().expect("count open descriptors");
        assert_eq!(
            after, self.before,
            "open descriptors: {} before, {after} after",
            self.before
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_is_one_more_descriptor() {
        let check = FdCheck::begin();
        let before = open_fds().unwrap();
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        assert_eq!(open_fds().unwrap(), before + 1);
        drop(listener);
        check.assert_no_leak();
    }

    #[test]
    fn free_port_is_on_loopback() {
        let check = FdCheck::begin();
        let addr = free_port().unwrap();
        assert!(addr.ip().is_loopback());
        assert_ne!(addr.port(), 0);
        check.assert_no_leak();
    }
}
