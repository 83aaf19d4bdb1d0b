"""What the README's Python ↔ Rust table says Python does, run: `python3 claims.py`.

Each function is one claim, named in the README row it checks; `cargo xtask check` runs them.
"""

import asyncio
import io
from contextlib import redirect_stdout

from demo import check, raises


class ComplexWork:
    def __await__(self):
        print("Hello")
        yield
        print("World")


class Waiter:
    def __init__(self):
        self.done = False

    def __await__(self):
        while not self.done:
            yield


def generator_keeps_its_place():
    """`__await__` written as a generator: each `next` goes on where the last one stopped."""
    out = io.StringIO()
    with redirect_stdout(out):
        it = ComplexWork().__await__()
        next(it)
        assert out.getvalue() == "Hello\n"
        raises(StopIteration, "", lambda: next(it))
    assert out.getvalue() == "Hello\nWorld\n"


def finished_generator_stops_again():
    """`next(it)` on a finished generator: `StopIteration` again, and again."""
    with redirect_stdout(io.StringIO()):
        it = ComplexWork().__await__()
        next(it)
        for _ in range(3):
            raises(StopIteration, "", lambda: next(it))


def waiter_waits_for_done():
    """Awaiting a `Waiter` yields until `done` is set, then ends."""
    waiter = Waiter()
    it = waiter.__await__()
    for _ in range(5):
        assert next(it) is None
    waiter.done = True
    raises(StopIteration, "", lambda: next(it))


def gather_returns_nones():
    """`await asyncio.gather(wait_job(waiter), count_up_to(waiter, 10))` returns
    `[None, None]`, after `start`, `0` … `9`, `finished`."""
    printed = []

    async def wait_job(waiter):
        printed.append("start")
        await waiter
        printed.append("finished")

    async def count_up_to(waiter, n):
        for i in range(n):
            printed.append(i)
            await asyncio.sleep(0)
        waiter.done = True

    async def both():
        waiter = Waiter()
        return await asyncio.gather(wait_job(waiter), count_up_to(waiter, 10))

    assert asyncio.run(both()) == [None, None]
    assert printed == ["start", *range(10), "finished"], printed


def await_must_return_an_iterator():
    """`__await__` returning a list is a `TypeError`."""

    class Wrong:
        def __await__(self):
            return [None]

    async def main():
        await Wrong()

    message = "__await__() returned non-iterator of type 'list'"
    raises(TypeError, message, lambda: next(main().__await__()))


check(
    generator_keeps_its_place,
    finished_generator_stops_again,
    waiter_waits_for_done,
    gather_returns_nones,
    await_must_return_an_iterator,
)
