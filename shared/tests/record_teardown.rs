//! The recorder hears events from wherever the loops are: also from a destructor that a thread
//! runs as it ends, after the recorder's own thread-locals are gone. A panic there would abort
//! the whole process, so the recorder then lets the event go instead.

use std::cell::RefCell;

use shared::record;
use shared::testing::{bounded, in_child_test, run_test_alone};

/// Wakes a task when dropped, as a waker held by a thread-local does when its thread ends.
struct WakesWhenDropped;

impl Drop for WakesWhenDropped {
    fn drop(&mut self) {
        record::woken(7);
    }
}

thread_local! {
    static DROPPED_LAST: RefCell<Option<WakesWhenDropped>> = const { RefCell::new(None) };
}

#[test]
fn an_event_from_a_thread_locals_destructor_never_aborts() {
    if !in_child_test() {
        // An abort ends the whole process: it runs in a process of its own.
        let run = run_test_alone("an_event_from_a_thread_locals_destructor_never_aborts");
        assert!(run.status.success(), "{}\n{}", run.status, run.stderr);
        return;
    }
    let ((), events) = record::capture(|| {
        let thread = std::thread::spawn(|| {
            DROPPED_LAST.with_borrow(|_| ()); // first used, last destroyed
            record::woken(1); // the recorder's thread-locals, used after: destroyed before
            DROPPED_LAST.set(Some(WakesWhenDropped));
        });
        bounded(move || thread.join()).expect("the thread ended well");
    });
    // The capture listens on its own thread: what the other thread said is not in it.
    assert_eq!(events, Vec::<String>::new());
}
