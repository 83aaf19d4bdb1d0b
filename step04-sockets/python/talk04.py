"""Run it: `python3 step04-sockets/python/talk04.py`, or `cargo xtask demo 4 talk --python`.

The twin of `examples/talk04.rs`: the talk's slide 4.17 in Python. A server and a client task
gathered on one loop exchange `Hello World!`, reversed by bytes (`msg[::-1]`). The talk binds
port 8080, which may be taken: any free port does here, bound before the loop starts so that
the client knows it.
"""

import demo
from demo import say
from runtime import Loop, aiosocket, gather, run_task

USAGE = """usage: talk04.py [--auto]
The talk's slide 4.17 in Python: a server and a client task gathered on one loop."""


async def server_coro(server):
    """Accept one client, receive, print, send it back reversed."""
    with server:
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


def main():
    demo.flags(USAGE)
    server = aiosocket()
    # `bind` and `listen` are coroutines that never wait: run alone, each ends at once.
    run_task(server.bind(("127.0.0.1", 0)))
    run_task(server.listen())
    addr = server.socket.getsockname()
    say("§4.17", "loop.run_task(gather(server_coro(), client_coro()))")
    Loop().run_task(gather(server_coro(server), client_coro(addr)))


demo.run(main)
