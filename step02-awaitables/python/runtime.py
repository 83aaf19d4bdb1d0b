"""The talk's code up to §3, written for this project: awaitables of our own.

Each step's `python/runtime.py` is this file grown by that step's section of the talk, so that
`cargo xtask diff N N+1 --python` shows what the talk added. The talk prints; we `say`, so
that each line carries its time like the Rust demo's.
"""

import asyncio

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
    """Suspends whoever awaits it until someone sets `done` (slide 3.4): it yields `None`, so
    the loop comes back to ask again and again; nothing wakes it."""

    def __init__(self):
        self.done = False

    def __await__(self):
        while not self.done:
            yield
