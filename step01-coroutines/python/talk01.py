"""Run it: `python3 step01-coroutines/python/talk01.py`, or `cargo xtask demo 1 talk --python`.

The twin of `examples/talk01.rs`: the talk's §2, slide by slide, in Python. A coroutine runs
nothing until driven (2.2); a `for` loop over its `__await__()` drives it (2.6, 2.7); `next`
drives it by hand (2.8). The Rust demo prints `Pending` where Python sees `None`, and `Ready`
where Python raises `StopIteration`.
"""

import demo
from demo import say
from runtime import complex_work, simple_print

USAGE = """usage: talk01.py [--auto]
The talk's §2 (slides 2.2-2.8) in Python: a coroutine driven by a loop, then by hand."""


def main():
    demo.flags(USAGE)
    say("§2.2", "simple_print('Hello') builds a coroutine and prints nothing")
    coro = simple_print("Hello")
    say("§2.6", "for _ in coro.__await__(): pass")
    for _ in coro.__await__():
        pass

    say("§2.7", "for x in complex_work().__await__(): print(x)")
    for x in complex_work().__await__():
        say("loop", f"got {x}")

    say("§2.8", "it = complex_work().__await__(); next(it); next(it)")
    it = complex_work().__await__()
    for _ in range(2):
        try:
            say("next", f"returns {next(it)}")
        except StopIteration:
            say("next", "raises StopIteration")


demo.run(main)
