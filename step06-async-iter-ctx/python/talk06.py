"""Run it: `python3 step06-async-iter-ctx/python/talk06.py`, or `cargo xtask demo 6 talk --python`.

The twin of `examples/talk06.rs`: the talk's §6 on its own loop. `async for` over `ARange(5)`
(6.5) and over the `arange` generator (6.6), the comprehension `[x async for x in arange(5)]`,
then the `Server` context manager (6.8) and the one made from a generator (6.9), each serving
the exchange of 4.17. With `--auto` (or no terminal) a talk second lasts 100 ms.

`--port-taken` runs 6.8 and 6.9 on a port already in use: `Server` leaks its socket (its
`__aexit__` never runs; Python closes the socket when the last reference goes, and says so with
a `ResourceWarning`), the generator's `finally` closes it.
"""

import socket
import time
import warnings

import demo
from demo import say
from runtime import ARange, Loop, Server, aiosocket, arange, server

USAGE = """usage: talk06.py [--auto] [--port-taken]
The talk's §6 in Python: ARange and arange in async for, a comprehension, two async context
managers.
  --port-taken   6.8 and 6.9 on a port in use: Server leaks its socket, the generator does not"""

# How long a talk second lasts here, and when the running scenario began.
SECOND = demo.talk_second()
started = time.monotonic()


def now():
    """Talk seconds since the scenario began."""
    return (time.monotonic() - started) / SECOND


async def print_each(numbers):
    """`async for i in numbers: print(i)`, each number with its time in talk seconds."""
    async for i in numbers:
        say("main", f"{i}  at {now():.1f} s")


async def comprehension():
    numbers = [x async for x in arange(5, SECOND)]
    say("main", f"{numbers}  at {now():.1f} s")


async def serve_once(server):
    """The body of the talk's `async with`: accept one client, receive, print, send it back
    reversed. It first starts the talk's `client_coro` beside it, now that the port is known
    (the talk gathers both on port 8080, which may be taken: any free port does here)."""
    Loop.current.add_task(client_coro(server.socket.getsockname()))
    with await server.accept() as client:
        msg = await client.recv(1024)
        say("server", f"Received from client {msg}")
        await client.send(msg[::-1])


async def client_coro(addr):
    """Connect, send, receive, print."""
    with aiosocket() as client:
        await client.connect(addr)
        await client.send(b"Hello World!")
        msg = await client.recv(1024)
        say("client", f"Received from server {msg}")


async def with_server(addr):
    """Slide 6.8."""
    async with Server(addr) as sock:
        await serve_once(sock)


async def with_generator(addr):
    """Slide 6.9: the same with `@asynccontextmanager`."""
    async with server(addr) as sock:
        await serve_once(sock)


def scenario(slide, code, task):
    """Runs one slide on a loop of its own; says when it ended, or why it failed."""
    global started
    say(slide, code)
    started = time.monotonic()
    try:
        Loop().run_task(task)
    except OSError as error:
        say("main", f"error: {error}")
    else:
        say("main", f"ended at {now():.1f} s")


def leak_report(slide, code, task):
    """Runs a scenario whose bind fails, then says whether Python had to close a socket left
    open: the `ResourceWarning`s it gave while the scenario's references went away."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        scenario(slide, code, task)
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
    for leak in leaks:
        say("main", "the socket was left open; Python closed it as its last reference went:")
        say("main", f"ResourceWarning: {str(leak.message)[:40]}…")
    if not leaks:
        say("main", "no ResourceWarning: the socket was closed")


def main():
    given = demo.flags(USAGE, ["port-taken"])
    say("main", f"one talk second lasts {round(SECOND * 1000)} ms here")
    scenario("§6.5", "async for i in ARange(5): print(i)", print_each(ARange(5, SECOND)))
    scenario("§6.6", "async for i in arange(5): print(i)", print_each(arange(5, SECOND)))
    scenario("§6.6", "print([x async for x in arange(5)])", comprehension())
    any_port = ("127.0.0.1", 0)
    if "port-taken" not in given:
        scenario("§6.8", "async with Server(addr) as server: …", with_server(any_port))
        code = "@asynccontextmanager async def server(addr): … yield socket …"
        scenario("§6.9", code, with_generator(any_port))
        return
    with socket.socket() as taken:
        taken.bind(any_port)
        taken.listen()
        addr = taken.getsockname()
        code = "async with Server(addr) as server: …  (a port in use)"
        leak_report("§6.8", code, with_server(addr))
        code = "@asynccontextmanager async def server(addr): …  (a port in use)"
        leak_report("§6.9", code, with_generator(addr))


demo.run(main)
