"""What the README's Python ↔ Rust table says Python does, run: `python3 claims.py`.

Each function is one claim, named in the README row it checks; `cargo xtask check` runs them
on this step's `runtime.py`, the talk's code.
"""

import errno
import socket

from demo import check
from runtime import AIOSocket, aiosocket


def steps(coro):
    """How many times a coroutine yields before it ends, and what it returned."""
    it = coro.__await__()
    count = 0
    while True:
        try:
            next(it)
        except StopIteration as end:
            return count, end.value
        count += 1


def listening():
    """A server socket on a free port, and its address."""
    server = aiosocket()
    assert steps(server.bind(("127.0.0.1", 0))) == (0, None)
    assert steps(server.listen()) == (0, None)
    return server, server.socket.getsockname()


def stays_blocking():
    """The talk's sockets stay in blocking mode."""
    with aiosocket() as sock:
        assert sock.socket.getblocking()


def bind_and_listen_never_yield():
    """`await sock.bind(addr)`, `await sock.listen()`: coroutines that end without yielding."""
    server, _ = listening()
    server.close()


def accept_returns_the_socket():
    """`await sock.accept()` returns the new socket alone (an `AIOSocket`), not a pair; it
    yields while no client is waiting."""
    server, addr = listening()
    with server, socket.create_connection(addr):
        count, client = steps(server.accept())
        assert isinstance(client, AIOSocket), type(client)
        client.close()
        it = server.accept().__await__()
        assert next(it) is None, "no client waits: it yields"


def connect_blocks():
    """`await sock.connect(addr)` never yields: it is the blocking `connect` of the socket,
    and the whole loop waits for it."""
    server, addr = listening()
    with server, aiosocket() as client:
        assert steps(client.connect(addr)) == (0, None)


def errors_are_oserrors():
    """A refused connect is `ConnectionRefusedError`; a port in use is `OSError` with
    `EADDRINUSE` (`[Errno 98] Address already in use` on Linux)."""
    server, addr = listening()
    with server, aiosocket() as other:
        try:
            steps(other.bind(addr))
            raise AssertionError("the bind worked")
        except OSError as error:
            assert error.errno == errno.EADDRINUSE, error
            assert error.strerror == "Address already in use", error
    with aiosocket() as client:
        try:
            steps(client.connect(addr))
            raise AssertionError("the connect worked")
        except ConnectionRefusedError:
            pass


def send_says_how_much():
    """`await sock.send(data)` returns how many bytes the socket took."""
    server, addr = listening()
    with server, aiosocket() as client:
        steps(client.connect(addr))
        assert steps(client.send(b"Hello"))[1] == 5



def with_closes():
    """`with sock: ...`: leaving the block closes the socket (`__exit__`)."""
    with aiosocket() as sock:
        assert sock.fileno() != -1
    assert sock.fileno() == -1


check(
    stays_blocking,
    bind_and_listen_never_yield,
    accept_returns_the_socket,
    connect_blocks,
    errors_are_oserrors,
    send_says_how_much,
    with_closes,
)
