"""What the README's Python ↔ Rust table says Python does, run: `python3 claims.py`.

Each function is one claim, named in the README row it checks; `cargo xtask check` runs them
on this step's `runtime.py`, the talk's code.
"""

import asyncio
import heapq
import time

from demo import check, raises
from runtime import Future, Loop, TimeEvent, Waiter, interrupt, sleep


def run(*tasks):
    """Runs the tasks on a new loop; returns it."""
    loop = Loop()
    for task in tasks:
        loop.add_task(task)
    loop.run()
    return loop


def set_before_await_loses_the_task():
    """`future.set()` before anyone awaits it: the task that awaits it later is never resumed,
    and the loop ends without a word."""
    future, log = Future(), []

    async def setter():
        future.set()

    async def waiter():
        await future
        log.append("resumed")

    run(setter(), waiter())
    assert log == [], log


def set_twice_queues_twice():
    """`set()` twice: the task is queued twice. Its second turn resumes it while it awaits
    something else, whose `__await__` then finds it not done: `AssertionError`."""
    future, log = Future(), []

    async def waiter():
        await future
        log.append("resumed")
        await sleep(60)
        log.append("after the sleep")

    async def setter():
        future.set()
        assert Loop.current.tasks.count(future.task) == 1
        future.set()
        assert Loop.current.tasks.count(future.task) == 2

    raises(AssertionError, "", lambda: run(waiter(), setter()))
    assert log == ["resumed"], log


def two_awaiting_only_the_last_resumes():
    """Two tasks await one future: `set()` resumes the last one to await it, only."""
    future, log = Future(), []

    async def waiter(name):
        await future
        log.append(name)

    async def setter():
        future.set()

    run(waiter("first"), waiter("second"), setter())
    assert log == ["second"], log


def time_event_compares_with_the_event():
    """Slide 5.7's `__lt__` (`self.t < rhs`): pushing an event earlier than its parent in the
    heap raises `AttributeError: 'float' object has no attribute 't'`."""
    saved = TimeEvent.__lt__
    TimeEvent.__lt__ = TimeEvent.lt_as_on_slide
    try:
        heap = [TimeEvent(1.0, Future())]
        heapq.heappush(heap, TimeEvent(2.0, Future()))  # later: no comparison fails
        message = "'float' object has no attribute 't'"
        raises(AttributeError, message, lambda: heapq.heappush(heap, TimeEvent(0.7, Future())))
    finally:
        TimeEvent.__lt__ = saved


def one_timer_per_turn_and_it_spins():
    """`run()` sets one due timer per turn, and spins while it waits for the next one: the
    process runs all the time (asserted: a fifth of it at least, which holds on a busy machine;
    a wait in the kernel uses next to none)."""
    async def sleeper():
        await sleep(0.05)

    wall, cpu = time.monotonic(), time.process_time()
    run(sleeper(), sleeper())
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    assert cpu >= 0.2 * wall, f"{cpu:.2f} s of CPU in {wall:.2f} s"
    # Two timers due at the same time, and a task that counts the timers left at each turn
    # once they are due: one turn sees one left, as the loop sets one timer per turn.
    loop, left = Loop(), []
    deadline = time.time() + 0.02
    loop.call_later(deadline, Future())
    loop.call_later(deadline, Future())

    async def counter():
        while loop.handlers:
            if time.time() >= deadline:
                left.append(len(loop.handlers))
            await interrupt()

    loop.run_task(counter())
    assert 1 in left, left


def asyncio_sleep_needs_asyncio():
    """`asyncio.sleep(1)` on the talk's loop: `RuntimeError: no running event loop`."""
    raises(RuntimeError, "no running event loop", lambda: run(asyncio.sleep(1)))


def never_set_ends_silently():
    """A task whose future nobody sets: `run()` returns, without it and without a word."""
    log = []

    async def waiter():
        await Future()
        log.append("resumed")

    loop = run(waiter())
    assert log == [] and loop.tasks == [] and loop.handlers == []


def waiter_still_spins():
    """A task awaiting a `Waiter` still yields `None`, and is advanced at every turn."""
    waiter, turns = Waiter(), []

    class Counted:
        def __await__(self):
            while waiter.i > 0:
                turns.append(1)
                yield

    async def setter():
        for _ in range(5):
            await interrupt()
        waiter.set()

    run(Counted(), setter())
    assert len(turns) >= 5, turns



def future_yields_itself():
    """Awaiting a `Future` yields the future itself, once; resumed before `set()`, its
    `assert` fails."""
    future = Future()
    it = future.__await__()
    assert next(it) is future
    raises(AssertionError, "", lambda: next(it))


check(
    set_before_await_loses_the_task,
    set_twice_queues_twice,
    two_awaiting_only_the_last_resumes,
    time_event_compares_with_the_event,
    one_timer_per_turn_and_it_spins,
    asyncio_sleep_needs_asyncio,
    never_set_ends_silently,
    waiter_still_spins,
    future_yields_itself,
)
