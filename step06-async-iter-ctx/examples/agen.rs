//! Run it: `cargo run -p step06-async-iter-ctx --example agen`
//!
//! Async generators: `ticker` hands out a tick every 100 ms and says when its cleanup (Python's
//! `finally`) runs. Iterated to the end, then left with `break` at the second tick: there, the
//! generator is dropped at the end of the loop's block, and its cleanup runs at once (asyncio
//! would run it later, in another task). Then a comprehension over it.

use std::time::Duration;

use shared::{demo, say};
use step06_async_iter_ctx::{AsyncIterator, Loop, generator, sleep};

const HELP: &str = "usage: agen [--auto]
An async generator iterated to its end, left with break, then in a comprehension.";

/// Time between two ticks.
const TICK: Duration = Duration::from_millis(100);

/// Says so when dropped: the generator's `finally`, which runs however the generator ends.
struct Finally(&'static str);

impl Drop for Finally {
    fn drop(&mut self) {
        say(self.0, "finally: cleaned up");
    }
}

/// `async def ticker(name, n)`: `try: for i in 1..n: await sleep(0.1); yield i` then
/// `finally: print('cleaned up')`.
fn ticker(name: &'static str, n: u32) -> impl AsyncIterator<Item = u32> + Unpin {
    generator(move |mut co| async move {
        let _finally = Finally(name);
        for i in 1..=n {
            sleep(TICK).await;
            say(name, format!("yield {i}"));
            co.yield_(i).await;
        }
        say(name, "no more ticks");
    })
}

fn main() -> std::process::ExitCode {
    demo::Flags::parse(HELP, &[], &[]);
    demo::exit_code(Loop::new().and_then(|event_loop| {
        event_loop.run_task(async {
            say("main", "async for tick in ticker('a', 3): print(tick)");
            let mut ticks = ticker("a", 3);
            while let Some(tick) = ticks.next().await {
                say("main", format!("got {tick}"));
            }
            say("main", "the loop is over");

            say("main", "async for tick in ticker('b', 5): … break at 2");
            {
                let mut ticks = ticker("b", 5);
                while let Some(tick) = ticks.next().await {
                    say("main", format!("got {tick}"));
                    if tick == 2 {
                        say("main", "break");
                        break;
                    }
                }
            } // `ticks` is dropped here, and with it the generator's body: its `finally` runs now
            say("main", "after the loop");

            say("main", "[tick async for tick in ticker('c', 3)]");
            let all = ticker("c", 3).collect().await;
            say("main", format!("{all:?}"));
        })
    }))
}
