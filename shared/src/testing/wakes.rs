//! A waker that only counts its wakes, for the tests of the steps that have no loop yet.
//!
//! Rust's contract: whoever returns `Pending` has arranged a wake-up. Steps 01 and 02 poll with a
//! no-op waker, so a future that forgets to wake itself still passes every test that only counts
//! polls; polling it with this waker instead shows whether the wake came.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Wake, Waker};

/// Counts how often a [`Waker`] made from it was woken; nothing else happens on a wake.
#[derive(Debug, Default)]
pub struct WakeCount(AtomicUsize);

impl WakeCount {
    /// A new count at zero, and a waker that adds one to it on each wake.
    pub fn new() -> (Arc<WakeCount>, Waker) {
        let count = Arc::new(WakeCount::default());
        let waker = Waker::from(Arc::clone(&count));
        (count, waker)
    }

    /// The wakes so far.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for WakeCount {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
