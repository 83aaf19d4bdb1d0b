"""What the README's Python ↔ Rust table says Python does, run: `python3 claims.py`.

Each function is one claim, named in the README row it checks; `cargo xtask check` runs them.
"""

import asyncio
import io
from contextlib import redirect_stdout

from demo import check, raises


async def simple_print(msg):
    print(msg)


async def complex_work():
    print("Hello")
    await asyncio.sleep(0)
    print("World")


async def answer():
    return 42


def calling_runs_nothing():
    """`coro = simple_print('Hello')`: nothing runs; it is a coroutine object."""
    out = io.StringIO()
    with redirect_stdout(out):
        coro = simple_print("Hello")
    assert out.getvalue() == "", out.getvalue()
    assert type(coro).__name__ == "coroutine"
    coro.close()


def await_gives_an_iterator():
    """`coro.__await__()` is a `coroutine_wrapper`, an iterator; the coroutine itself has
    `__await__` but no `__iter__` nor `__next__`."""
    coro = simple_print("Hello")
    assert hasattr(coro, "__await__")
    assert not hasattr(coro, "__iter__") and not hasattr(coro, "__next__")
    it = coro.__await__()
    assert type(it).__name__ == "coroutine_wrapper", type(it).__name__
    for method in ("__iter__", "__next__", "send", "throw"):
        assert hasattr(it, method), method
    coro.close()


def next_returns_none():
    """`next(it)` returns `None` where the coroutine suspends."""
    with redirect_stdout(io.StringIO()):
        it = complex_work().__await__()
        assert next(it) is None


def stop_iteration_carries_the_result():
    """The end is `StopIteration`, whose `.value` is what the coroutine returned."""
    try:
        next(answer().__await__())
    except StopIteration as end:
        assert end.value == 42
    else:
        raise AssertionError("no StopIteration")


def sleep_0_yields_once():
    """`await asyncio.sleep(0)` is one bare `yield`: one `None` comes out."""
    assert list(asyncio.sleep(0).__await__()) == [None]


def await_passes_yields_up():
    """`await sub()` is `yield from sub().__await__()`: what the innermost `yield` gives comes
    out of the outermost iterator unchanged."""

    class Marker:
        def __await__(self):
            yield "from the bottom"

    async def middle():
        await Marker()

    async def top():
        await middle()

    assert list(top().__await__()) == ["from the bottom"]


def for_runs_it_to_the_end():
    """`for _ in coro.__await__(): pass` runs the coroutine to its end."""
    out = io.StringIO()
    with redirect_stdout(out):
        for _ in complex_work().__await__():
            pass
    assert out.getvalue() == "Hello\nWorld\n"


def third_next_cannot_reuse():
    """A `next(it)` after the end: `RuntimeError: cannot reuse already awaited coroutine`."""
    with redirect_stdout(io.StringIO()):
        it = complex_work().__await__()
        next(it)
        raises(StopIteration, "", lambda: next(it))
    raises(RuntimeError, "cannot reuse already awaited coroutine", lambda: next(it))


def coroutine_repr():
    """A coroutine shows as `<coroutine object complex_work at 0x…>`."""
    coro = complex_work()
    assert repr(coro).startswith("<coroutine object complex_work at 0x"), repr(coro)
    coro.close()


def for_over_a_coroutine_is_a_type_error():
    """`for _ in coro` on the coroutine itself: `TypeError: 'coroutine' object is not
    iterable`."""
    coro = simple_print("Hello")
    raises(TypeError, "'coroutine' object is not iterable", lambda: iter(coro))
    coro.close()


def raising_stop_iteration_is_a_runtime_error():
    """A coroutine that raises `StopIteration` itself: `RuntimeError` (PEP 479)."""

    async def wrong():
        raise StopIteration(42)

    raises(RuntimeError, "coroutine raised StopIteration", lambda: next(wrong().__await__()))


check(
    calling_runs_nothing,
    await_gives_an_iterator,
    next_returns_none,
    stop_iteration_carries_the_result,
    sleep_0_yields_once,
    await_passes_yields_up,
    for_runs_it_to_the_end,
    third_next_cannot_reuse,
    coroutine_repr,
    for_over_a_coroutine_is_a_type_error,
    raising_stop_iteration_is_a_runtime_error,
)
