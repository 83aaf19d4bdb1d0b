"""Run it: `python3 step02-awaitables/python/talk02.py`, or `cargo xtask demo 2 talk --python`.

The twin of `examples/talk02.rs`: the talk's §3 in Python. `ComplexWork` awaited (3.2) and
driven by hand (3.3), then a `Waiter` between `wait_job` and `count_up_to`, gathered by asyncio
as the talk does (3.5): the Rust step has no loop yet, and joins the two by hand.
"""

import asyncio

import demo
from demo import say
from runtime import ComplexWork, Waiter

USAGE = """usage: talk02.py [--auto]
The talk's §3 (slides 3.2-3.5) in Python: ComplexWork, then a Waiter between two coroutines."""


async def wait_job(waiter):
    """Waits for the waiter between `start` and `finished`."""
    say("wait_job", "start")
    await waiter
    say("wait_job", "finished")


async def count_up_to(waiter, n):
    """Counts, giving the loop a turn after each number, then sets the waiter."""
    for i in range(n):
        say("count_up_to", i)
        await asyncio.sleep(0)
    waiter.done = True


async def await_complex_work():
    await ComplexWork()


async def gather_both():
    waiter = Waiter()
    return await asyncio.gather(wait_job(waiter), count_up_to(waiter, 10))


def main():
    demo.flags(USAGE)
    say("§3.2", "await ComplexWork()")
    asyncio.run(await_complex_work())

    say("§3.3", "it = ComplexWork().__await__(); next(it) three times")
    it = ComplexWork().__await__()
    for _ in range(3):
        try:
            say("next", f"returns {next(it)}")
        except StopIteration:
            say("next", "raises StopIteration")

    say("§3.5", "gather(wait_job(waiter), count_up_to(waiter, 10))")
    results = asyncio.run(gather_both())
    say("main", f"gather returned {results}")


demo.run(main)
