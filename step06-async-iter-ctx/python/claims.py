"""What the README's Python ↔ Rust tables say Python does, run: `python3 claims.py`.

Each function is one claim, named in the README row it checks; `cargo xtask check` runs them,
on this step's `runtime.py` (the talk's code) or on asyncio, as each row says.
"""

import asyncio
import gc
import socket
import sys
import types
import warnings
from contextlib import asynccontextmanager

from demo import check, raises
from runtime import ARange, Future, Loop, Server, arange, interrupt, server


def on_talks_loop(coro):
    """Runs a coroutine on the talk's loop; returns what it returned."""
    result = []

    async def keep():
        result.append(await coro)

    Loop().run_task(keep())
    return result[0]


async def collect(numbers):
    return [x async for x in numbers]


def aiter_must_be_plain():
    """`async def __aiter__` is a `TypeError` in `async for`."""

    class Wrong:
        async def __aiter__(self):
            return self

    async def main():
        async for _ in Wrong():
            pass

    # `__aiter__` was called, and its coroutine dropped unawaited: Python warns about it.
    warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)
    message = (
        "'async for' received an object from __aiter__ that does not implement __anext__: "
        "coroutine"
    )
    raises(TypeError, message, lambda: asyncio.run(main()))


def anext_ends_with_stop_async_iteration():
    """`__anext__` is a coroutine; the end is `StopAsyncIteration`, raised by the last
    `__anext__` without a sleep (the end is checked first)."""
    it = ARange(1, tick=0).__aiter__()
    assert on_talks_loop(it.__anext__()) == 0
    step = it.__anext__().__await__()
    raises(StopAsyncIteration, "", lambda: next(step))


def comprehension_collects():
    """`[x async for x in it]` is the list of the items."""
    assert on_talks_loop(collect(ARange(3, tick=0))) == [0, 1, 2]


def end_again():
    """A second `__anext__` after the end: `StopAsyncIteration` again."""
    it = ARange(0).__aiter__()
    for _ in range(2):
        raises(StopAsyncIteration, "", lambda: next(it.__anext__().__await__()))


def arange_is_aranges_twin():
    """`arange`, the async generator, gives what `ARange` gives."""
    assert on_talks_loop(collect(arange(4, tick=0))) == [0, 1, 2, 3]


class Recorder:
    """An async context manager that keeps what `__aexit__` was given, and returns
    `suppress`."""

    def __init__(self, suppress=None):
        self.suppress, self.seen = suppress, None

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.seen = (exc_type, exc, tb)
        return self.suppress


def aexit_gets_three_values():
    """`__aexit__(exc_type, exc, tb)`: three `None`s after a body that ended well; the type,
    the exception and its traceback after one that raised."""

    async def fine(cm):
        async with cm:
            pass

    async def failing(cm):
        async with cm:
            raise KeyError("k")

    cm = Recorder()
    on_talks_loop(fine(cm))
    assert cm.seen == (None, None, None), cm.seen
    cm = Recorder()
    raises(KeyError, "'k'", lambda: on_talks_loop(failing(cm)))
    kind, error, tb = cm.seen
    assert kind is KeyError and isinstance(error, KeyError), cm.seen
    assert isinstance(tb, types.TracebackType), tb


def aexit_true_suppresses():
    """`__aexit__` returning `True` suppresses the body's exception: the code after the
    `async with` runs."""

    async def main(cm):
        async with cm:
            raise KeyError("k")
        return "after the block"

    assert on_talks_loop(main(Recorder(suppress=True))) == "after the block"


def aexit_sees_cancellation():
    """Under asyncio, a cancelled body's `__aexit__` gets `CancelledError`; returning `True`
    suppresses it, and the task then ends as if it had not been cancelled."""
    cm = Recorder(suppress=True)

    async def body():
        async with cm:
            await asyncio.sleep(10)
        return "ended"

    async def main():
        task = asyncio.ensure_future(body())
        await asyncio.sleep(0)
        task.cancel()
        return await task, task.cancelled()

    assert asyncio.run(main()) == ("ended", False)
    assert cm.seen[0] is asyncio.CancelledError, cm.seen


def finally_runs_on_error():
    """`@asynccontextmanager` with `try`/`finally` around its `yield`: the teardown runs when
    the body raises, and the exception goes on."""
    log = []

    @asynccontextmanager
    async def managed():
        try:
            yield "x"
        finally:
            log.append("teardown")

    async def main():
        async with managed():
            raise KeyError("k")

    raises(KeyError, "'k'", lambda: on_talks_loop(main()))
    assert log == ["teardown"], log


def no_finally_skips_teardown():
    """Without `try`/`finally` around the `yield`, an error in the body skips the teardown:
    the exception is thrown in at the `yield`."""
    log = []

    @asynccontextmanager
    async def managed():
        yield "x"
        log.append("teardown")

    async def main():
        async with managed():
            raise KeyError("k")

    raises(KeyError, "'k'", lambda: on_talks_loop(main()))
    assert log == [], log


def reader_lines_keep_newline():
    """`async for line in reader` (an asyncio `StreamReader`): each line is `bytes` that ends
    with `b'\\n'`, but the last one when the stream ends without it."""

    async def main():
        reader = asyncio.StreamReader()
        reader.feed_data(b"Hello\nWorld\nno end")
        reader.feed_eof()
        return [line async for line in reader]

    lines = asyncio.run(main())
    assert lines == [b"Hello\n", b"World\n", b"no end"], lines


async def numbers(log, await_in_finally=False):
    try:
        for i in range(3):
            await interrupt()
            yield i
    finally:
        log.append("finally")
        if await_in_finally:
            await interrupt()
            log.append("after the await")


def agen_finally_under_asyncio():
    """Under asyncio, `break` out of `async for` leaves the generator's `finally` for later: it
    runs in another task, two turns of the loop after the `break`."""
    log, turns = [], [0]

    def count(loop):
        turns[0] += 1
        loop.call_soon(count, loop)

    async def numbers_here():
        try:
            yield 0
            yield 1
        finally:
            log.append(("finally", turns[0], asyncio.current_task() is main_task))

    async def main():
        nonlocal main_task
        main_task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        loop.call_soon(count, loop)
        async for _ in numbers_here():
            break
        log.append(("break", turns[0]))
        for _ in range(5):
            await asyncio.sleep(0)

    main_task = None
    asyncio.run(main())
    assert log == [("break", 0), ("finally", 2, False)], log


def agen_finally_on_the_talks_loop():
    """On the talk's loop (no hooks), the `finally` runs at once, at the `break`, as the last
    reference to the generator goes (reference counting: the garbage collector is off)."""
    log = []

    async def main():
        async for _ in numbers(log):
            break
        log.append("after the break")

    gc.disable()
    try:
        on_talks_loop(main())
    finally:
        gc.enable()
    assert log == ["finally", "after the break"], log


def agen_finally_cannot_await_on_the_talks_loop():
    """There, an `await` that suspends in that `finally` stops it: Python reports
    `RuntimeError: async generator ignored GeneratorExit` and goes on."""
    log, reported = [], []
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: reported.append(unraisable.exc_value)

    async def main():
        async for _ in numbers(log, await_in_finally=True):
            break
        log.append("after the break")

    try:
        on_talks_loop(main())
    finally:
        sys.unraisablehook = hook
    assert log == ["finally", "after the break"], log
    assert [str(e) for e in reported] == ["async generator ignored GeneratorExit"], reported
    assert isinstance(reported[0], RuntimeError)


def port_in_use():
    """A listening socket, and its address: a port in use."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken, taken.getsockname()


def failed_bind_leaks_until_the_last_reference():
    """The talk's `Server`, when `bind` fails: `__aexit__` never runs, and the socket stays
    open as long as the exception is referenced (its traceback holds the frames that hold the
    `Server`). Python closes it, with a `ResourceWarning`, when the last reference goes: at
    the end of the `except` block that caught it, or later if it was kept (reference counting:
    the garbage collector is off)."""
    taken, addr = port_in_use()
    log, kept = [], []

    async def main():
        async with Server(addr):
            log.append("body")

    def leaked(keep):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            try:
                on_talks_loop(main())
            except OSError as error:
                assert error.strerror == "Address already in use", error
                if keep:
                    kept.append(error)
                assert caught == [], "no warning while the exception is referenced"
            after_block = [str(w.message) for w in caught]
            kept.clear()
            after_release = [str(w.message) for w in caught]
        return after_block, after_release

    gc.disable()
    try:
        at_block_end = leaked(keep=False)
        when_dropped = leaked(keep=True)
    finally:
        gc.enable()
        taken.close()
    assert log == [], "the body never ran"
    (block, _), (kept_block, released) = at_block_end, when_dropped
    assert len(block) == 1 and block[0].startswith("unclosed <socket.socket"), block
    assert kept_block == [], kept_block
    assert len(released) == 1 and released[0].startswith("unclosed <socket.socket"), released


def generator_server_closes_on_failed_bind():
    """The `@asynccontextmanager` `server`, when `bind` fails: its `finally` closes the
    socket at once; no `ResourceWarning`."""
    taken, addr = port_in_use()

    async def main():
        async with server(addr):
            pass

    gc.disable()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            raises(OSError, "[Errno 98] Address already in use", lambda: on_talks_loop(main()))
    finally:
        gc.enable()
        taken.close()
    assert caught == [], [str(w.message) for w in caught]


check(
    aiter_must_be_plain,
    anext_ends_with_stop_async_iteration,
    comprehension_collects,
    end_again,
    arange_is_aranges_twin,
    aexit_gets_three_values,
    aexit_true_suppresses,
    aexit_sees_cancellation,
    finally_runs_on_error,
    no_finally_skips_teardown,
    reader_lines_keep_newline,
    agen_finally_under_asyncio,
    agen_finally_on_the_talks_loop,
    agen_finally_cannot_await_on_the_talks_loop,
    failed_bind_leaks_until_the_last_reference,
    generator_server_closes_on_failed_bind,
)
