"""The talk's code up to §2, written for this project: two coroutines, nothing to run them yet.

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
