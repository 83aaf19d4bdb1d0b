"""The talk's code up to §6, written for this project: async iteration, async context managers.

Each step's `python/runtime.py` is this file grown by that step's section of the talk, so that
`cargo xtask diff N N+1 --python` shows what the talk added. The talk prints; we `say`, so
that each line carries its time like the Rust demo's. The `record` calls in the loops are ours
too: through them `cargo xtask trace N talk --python` hears what the loop does, and unless it
asks, `record.next` is `next` and the others do nothing.
"""

import asyncio
import heapq
import select
import socket
import time
from contextlib import asynccontextmanager
from functools import total_ordering

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


class Future:
    """Something a task waits for, set from outside (slide 5.5). Awaiting it yields the future
    itself: it travels up through every `await` to the loop, which parks the task on it.
    `set()` puts the task back in the loop. It carries no value, and keeps one task only."""

    def __init__(self):
        self._done = False
        self.task = None

    def __await__(self):
        yield self
        assert self._done

    def set(self):
        self._done = True
        if self.task is not None:
            Loop.current.add_task(self.task)


class Loop:
    """The loop as a class (slides 4.7-4.9, 5.6-5.9). `Loop.current` is one attribute for the
    whole program, set by `run()` and never reset: the talk says it is not thread-safe.
    A task that yields a `Future` is parked on it instead of being put back; `handlers` is a
    heap of `TimeEvent`s, and each turn sets the first one if it is due."""

    current = None

    def __init__(self):
        self.tasks = []
        self.handlers = []

    def add_task(self, task):
        if hasattr(task, "__await__"):
            task = task.__await__()
        record.added(task)
        self.tasks.append(task)

    @record.run
    def run(self):
        Loop.current = self
        while self.tasks or self.handlers:
            if self.handlers and self.handlers[0].t <= time.time():
                record.timer_fired()
                heapq.heappop(self.handlers).future.set()
            # With timers pending and no task ready, go round again at once: the loop spins,
            # asking the time, until the first timer is due (a 5 s sleep burns 5 s of CPU).
            if not self.tasks:
                record.idle()
                continue
            task = self.tasks.pop(0)
            try:
                result = record.next(task)
            except StopIteration:
                continue
            if isinstance(result, Future):
                result.task = task
            else:
                self.tasks.append(task)

    def run_task(self, task):
        """Adds `task` and runs until every task is done; returns nothing (slide 4.8)."""
        self.add_task(task)
        self.run()

    def call_later(self, t, future):
        """Sets `future` at `t`, a `time.time()`: asyncio would call this `call_at`."""
        heapq.heappush(self.handlers, TimeEvent(t, future))


@total_ordering
class TimeEvent:
    """A future to set at a time `t` (slide 5.7), ordered by `t` for the heap."""

    def __init__(self, t, future):
        self.t = t
        self.future = future

    def __eq__(self, rhs):
        return self.t == rhs.t

    def __lt__(self, rhs):
        return self.t < rhs.t

    def lt_as_on_slide(self, rhs):
        """Slide 5.7's `__lt__`, kept to show its crash (`talk05.py --talk-lt`): it compares
        `t` with the other event, not with its `t`. A float cannot answer, so Python asks the
        event the other way round, `total_ordering` answers through `__eq__`, and `__eq__`
        asks the float for its `t`: `AttributeError`, as soon as an event goes in front of
        an earlier one in the heap."""
        return self.t < rhs


async def sleep(t):
    """A future, set `t` seconds from now by the loop (slide 5.10)."""
    future = Future()
    Loop.current.call_later(time.time() + t, future)
    await future


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


class AIOSocket:
    """A socket for the loop (slides 4.12-4.16), server and client alike. It stays in blocking
    mode: before each `accept`, `recv` and `send`, it asks whether the call would block, and
    gives the loop a turn until it would not. The talk asks two `select.epoll` objects with
    `poll(0)`; `select.poll` asks the same question the same way, on macOS too."""

    def __init__(self, sock):
        self.socket = sock
        self.pollin = select.poll()
        self.pollin.register(sock, select.POLLIN)
        self.pollout = select.poll()
        self.pollout.register(sock, select.POLLOUT)

    def close(self):
        self.socket.close()

    def fileno(self):
        return self.socket.fileno()

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()

    async def bind(self, addr):
        """`async`, but never waits: binding does not block."""
        self.socket.bind(addr)

    async def listen(self):
        """`async`, but never waits."""
        self.socket.listen()

    async def connect(self, addr):
        """`async`, but never waits: the socket is blocking, so this blocks the whole loop
        until the server answers (on loopback, at once)."""
        self.socket.connect(addr)

    async def accept(self):
        """The next client, once one is waiting; only the new socket, not its address."""
        while not self.pollin.poll(0):
            await interrupt()
        client, _ = self.socket.accept()
        return self.__class__(client)

    async def recv(self, bufsize):
        while not self.pollin.poll(0):
            await interrupt()
        return self.socket.recv(bufsize)

    async def send(self, data):
        """Sends what the socket takes now, and says how much: maybe not all of `data`."""
        while not self.pollout.poll(0):
            await interrupt()
        return self.socket.send(data)


def aiosocket(family=socket.AF_INET, type=socket.SOCK_STREAM, proto=0, fileno=None):
    """A new `AIOSocket`, with `socket.socket`'s arguments (slide 4.16)."""
    return AIOSocket(socket.socket(family, type, proto, fileno))


class ARange:
    """`range` for `async for` (slide 6.4): each iteration gets a new `ARangeIterator`, so it
    can be iterated again. `__aiter__` is a plain method. `tick` is how long a talk second
    lasts: 1, as on the slide, unless a demo runs faster."""

    def __init__(self, stop, tick=1):
        self.stop = stop
        self.tick = tick

    def __aiter__(self):
        return ARangeIterator(self)


class ARangeIterator:
    """Counts up to `stop`, sleeping a tick before each number; the end is checked first, so
    there is no sleep after the last one."""

    def __init__(self, arange):
        self.arange = arange
        self.i = 0

    async def __anext__(self):
        if self.i >= self.arange.stop:
            raise StopAsyncIteration
        await sleep(self.arange.tick)
        i = self.i
        self.i += 1
        return i


async def arange(stop, tick=1):
    """`ARange` as an async generator (slide 6.6): Python writes the iterator for us."""
    for i in range(stop):
        await sleep(tick)
        yield i


class Server:
    """A listening socket as an async context manager (slide 6.7). The socket is made in
    `__init__`, bound in `__aenter__`: if binding fails, `__aexit__` never runs, and the socket
    stays open until its last reference goes."""

    def __init__(self, addr):
        self.socket = aiosocket()
        self.addr = addr

    async def __aenter__(self):
        await self.socket.bind(self.addr)
        await self.socket.listen()
        return self.socket

    async def __aexit__(self, *args):
        self.socket.close()


@asynccontextmanager
async def server(addr):
    """`Server` made from a generator (slide 6.9): `finally` closes the socket on every path,
    a failed `bind` too."""
    socket = aiosocket()
    try:
        await socket.bind(addr)
        await socket.listen()
        yield socket
    finally:
        socket.close()
