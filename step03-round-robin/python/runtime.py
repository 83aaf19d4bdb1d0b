"""The talk's code up to §4.11, written for this project: a loop, and what runs on it.

Each step's `python/runtime.py` is this file grown by that step's section of the talk, so that
`cargo xtask diff N N+1 --python` shows what the talk added. The talk prints; we `say`, so
that each line carries its time like the Rust demo's. The `record` calls in the loops are ours
too: through them `cargo xtask trace N talk --python` hears what the loop does, and unless it
asks, `record.next` is `next` and the others do nothing.
"""

import asyncio
import time

import record
from demo import say


async def simple_print(msg):
    """Prints `msg`. Calling it prints nothing: it builds a coroutine object (slide 2.2)."""
    say("simple_print", msg)


async def complex_work():
    """Prints, suspends once, prints (slide 2.7). `asyncio.sleep(0)` is, at its bottom, a bare
    `yield`: whoever iterates the coroutine's `__await__()` sees `None` come out once."""
    say("complex_work", "Hello")
    await asyncio.sleep(0)
    say("complex_work", "World")


class ComplexWork:
    """`complex_work` as a class (slide 3.2): anything whose `__await__` returns an iterator can
    be awaited, and a generator method is the easy way to write one."""

    def __await__(self):
        say("complex_work", "Hello")
        yield
        say("complex_work", "World")


class Waiter:
    """Suspends whoever awaits it until `set()` was called `n` times (slides 3.4, 4.10): it
    yields `None`, so the loop comes back to ask again and again; nothing wakes it."""

    def __init__(self, n=1):
        self.i = n

    def set(self):
        self.i -= 1

    def __await__(self):
        while self.i > 0:
            yield


def run_task(task):
    """Runs one task to its end (slide 4.2): iterating its `__await__()` is all a loop does."""
    for _ in task.__await__():
        pass


@record.run
def run_tasks(*tasks):
    """Round robin (slide 4.3): take the first task, advance it by one `next`, put it back at
    the end unless it finished."""
    tasks = [task.__await__() for task in tasks]
    record.added(*tasks)
    while tasks:
        task = tasks.pop(0)
        try:
            record.next(task)
        except StopIteration:
            continue
        tasks.append(task)


class interrupt:
    """Gives the loop a turn (slide 4.5): its `__await__` yields once."""

    def __await__(self):
        yield


async def sleep_until(t):
    """Waits until `time.time()` reaches `t` by asking at every turn: it burns a core."""
    while time.time() < t:
        await interrupt()


async def sleep(duration):
    """`sleep_until` a time `duration` seconds from now (slide 4.5)."""
    await sleep_until(time.time() + duration)


class Loop:
    """The loop as a class (slides 4.7-4.9). `Loop.current` is one attribute for the whole
    program, set by `run()` and never reset: the talk says it is not thread-safe."""

    current = None

    def __init__(self):
        self.tasks = []

    def add_task(self, task):
        if hasattr(task, "__await__"):
            task = task.__await__()
        record.added(task)
        self.tasks.append(task)

    @record.run
    def run(self):
        Loop.current = self
        while self.tasks:
            task = self.tasks.pop(0)
            try:
                record.next(task)
            except StopIteration:
                continue
            self.tasks.append(task)

    def run_task(self, task):
        """Adds `task` and runs until every task is done; returns nothing (slide 4.8)."""
        self.add_task(task)
        self.run()


async def gather(*tasks):
    """Runs the tasks side by side on the current loop and waits for all of them (slide
    4.11). Each one is wrapped so that it sets the waiter when it ends. It returns `None`:
    returning the results, as asyncio's `gather` does, is an addition of our Rust step."""
    waiter = Waiter(len(tasks))

    async def task_wrapper(task):
        await task
        waiter.set()

    for task in tasks:
        Loop.current.add_task(task_wrapper(task))
    await waiter
