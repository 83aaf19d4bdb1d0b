"""What the README's Python ↔ Rust table says Python does, run: `python3 claims.py`.

Each function is one claim, named in the README row it checks; `cargo xtask check` runs them
on this step's `runtime.py`, the talk's code.
"""

import io
import time
from contextlib import redirect_stdout

from demo import check, raises
from runtime import ComplexWork, Loop, Waiter, gather, interrupt, run_tasks, simple_print, sleep


def current_is_none_outside_a_loop():
    """Before any loop ran, `Loop.current` is `None`, and what adds a task through it fails:
    `AttributeError: 'NoneType' object has no attribute 'add_task'`."""
    assert Loop.current is None

    async def nothing():
        pass

    task = nothing()
    message = "'NoneType' object has no attribute 'add_task'"
    raises(AttributeError, message, lambda: next(gather(task).__await__()))
    task.close()


def round_robin():
    """`run_tasks` takes the first task, advances it once, puts it back at the end."""
    out = io.StringIO()
    with redirect_stdout(out):
        run_tasks(simple_print(1), ComplexWork(), simple_print(2), simple_print(3))
    said = [line.split("] ", 1)[1] for line in out.getvalue().splitlines()]
    expected = ["simple_print: 1", "complex_work: Hello", "simple_print: 2"]
    assert said == expected + ["simple_print: 3", "complex_work: World"], said


def sleep_burns_a_core():
    """`sleep` asks the time at every turn: while it waits, the process runs all the time
    (asserted: a fifth of it at least, which holds on a busy machine; a wait in the kernel
    uses next to none)."""
    wall, cpu = time.monotonic(), time.process_time()
    Loop().run_task(sleep(0.3))
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    assert cpu >= 0.2 * wall, f"{cpu:.2f} s of CPU in {wall:.2f} s"


def run_task_returns_nothing():
    """`loop.run_task(task)` returns `None`, whatever the task returned."""

    async def answer():
        return 42

    assert Loop().run_task(answer()) is None


def current_is_never_reset():
    """`Loop.current` is set by `run()` and stays set after it."""
    loop = Loop()
    loop.run_task(sleep(0))
    assert Loop.current is loop


def waiter_counts_down():
    """`Waiter(n)`: awaiting it yields until `set()` was called `n` times."""
    waiter = Waiter(2)
    it = waiter.__await__()
    assert next(it) is None
    waiter.set()
    assert next(it) is None
    waiter.set()
    raises(StopIteration, "", lambda: next(it))


def gather_returns_none():
    """The talk's `gather` returns `None`, not the results."""

    async def answer():
        return 42

    async def main():
        return await gather(answer(), answer())

    results = []

    async def keep():
        results.append(await main())

    Loop().run_task(keep())
    assert results == [None], results



def interrupt_yields_once():
    """Awaiting `interrupt()` yields `None` once, then ends."""
    assert list(interrupt().__await__()) == [None]


check(
    current_is_none_outside_a_loop,
    round_robin,
    sleep_burns_a_core,
    run_task_returns_nothing,
    current_is_never_reset,
    waiter_counts_down,
    gather_returns_none,
    interrupt_yields_once,
)
