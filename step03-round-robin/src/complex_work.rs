//! The talk's first coroutines, as `async fn`s.

use shared::say;

use crate::interrupt;

/// Prints its message: the talk's `async def simple_print(msg): print(msg)`.
///
/// It never suspends, so one poll runs it to the end.
pub async fn simple_print(msg: &str) {
    say("simple_print", msg);
}

/// Prints `Hello`, suspends once, prints `World`: the talk's `complex_work()`.
///
/// The suspension is the `interrupt().await` in the middle, the talk's
/// `await asyncio.sleep(0)`: a first poll prints `Hello` and returns `Pending`, a second prints
/// `World` and returns `Ready(())`.
pub async fn complex_work() {
    say("complex_work", "Hello");
    interrupt().await;
    say("complex_work", "World");
}
