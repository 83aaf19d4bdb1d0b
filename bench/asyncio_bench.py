"""The workshop's workloads (bench/README.md) on Python's asyncio: standard library only.

Run it: python3 bench/asyncio_bench.py WORKLOAD [--runs N] [--warmup N], or `cargo xtask bench`,
which lines it up with the steps, tokio and smol. It speaks the Rust benchmarks' language:

    BENCH_LIST=1     prints `run NAME` for each workload, and exits
    BENCH_DIVISOR=D  divides every count by D (CI's tiny run)

and prints `once NAME wall_ns=... cpu_ns=...`: the medians of N runs, after the warm-up runs.
One event loop for the whole process, as the Rust runtimes have.
"""

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
import types

MESSAGE = 64
BOUNCES = 10
SERVER_BUFFER = 4096  # what every echo server reads into: bigger than a message
LINE = b"012345678\n"  # one line of stream_lines: ten bytes, its newline included
CHUNK = 64 * 1024  # the most stream_lines' client writes at once


def scaled(n):
    """n / BENCH_DIVISOR, at least 1."""
    divisor = max(1, int(os.environ.get("BENCH_DIVISOR", "1")))
    return max(1, n // divisor)


def tasks():
    return scaled(10_000)


def yields():
    return scaled(100_000)


def pairs():
    return scaled(1_000)


def round_trips():
    return scaled(10_000)


def idle():
    return scaled(1_000)


def lines():
    return scaled(100_000)


async def number(i):
    return i


async def spawn_join():
    """Spawns 10,000 tasks that each return a number, and collects them in order."""
    spawned = [asyncio.create_task(number(i)) for i in range(tasks())]
    numbers = [await task for task in spawned]
    assert len(numbers) == tasks()


@types.coroutine
def self_wake():
    """A bare yield: the task puts itself back in the ready queue (`call_soon`). This is all
    `asyncio.sleep(0)` is, so asyncio's yield_selfwake is fair too: every turn of its loop
    asks the selector (`epoll_wait`, timeout 0) before running what is ready."""
    yield


async def yield_selfwake():
    for _ in range(yields()):
        await self_wake()


async def yield_fair():
    for _ in range(yields()):
        await asyncio.sleep(0)


async def ping_pong():
    """1,000 task pairs; each throws a number to the other and gets it back plus one, 10 times,
    through a fresh asyncio future each way."""
    loop = asyncio.get_running_loop()

    async def thrower(pings, pongs):
        ball = 0
        for ping, pong in zip(pings, pongs):
            ping.set_result(ball)
            ball = await pong
        assert ball == BOUNCES

    async def catcher(pings, pongs):
        for ping, pong in zip(pings, pongs):
            ball = await ping
            pong.set_result(ball + 1)

    spawned = []
    for _ in range(pairs()):
        pings = [loop.create_future() for _ in range(BOUNCES)]
        pongs = [loop.create_future() for _ in range(BOUNCES)]
        spawned.append(asyncio.create_task(thrower(pings, pongs)))
        spawned.append(asyncio.create_task(catcher(pings, pongs)))
    for task in spawned:
        await task


def timers(seconds):
    async def run():
        """10,000 tasks sleeping together."""
        spawned = [asyncio.create_task(asyncio.sleep(seconds)) for _ in range(tasks())]
        for task in spawned:
            await task

    return run


def serve(connections):
    """A server for `connections` clients, each served by its own task (asyncio's streams)
    until it closes; returns the server and a future done once every client is served."""
    done = asyncio.get_running_loop().create_future()
    left = [connections]

    async def client(reader, writer):
        while data := await reader.read(SERVER_BUFFER):
            writer.write(data)
            await writer.drain()
        writer.close()
        left[0] -= 1
        if left[0] == 0:
            done.set_result(None)

    return client, done


async def round_trip(reader, writer):
    writer.write(b"\x07" * MESSAGE)
    await writer.drain()
    await reader.readexactly(MESSAGE)


async def start(connections):
    handler, done = serve(connections)
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname(), done


async def close(server, done, writers):
    for writer in writers:
        writer.close()
    await done
    server.close()
    await server.wait_closed()


async def echo():
    """10,000 round trips of 64 bytes over loopback, client and server in this one loop."""
    server, (host, port), done = await start(1)
    reader, writer = await asyncio.open_connection(host, port)
    for _ in range(round_trips()):
        await round_trip(reader, writer)
    await close(server, done, [writer])


async def idle_conns():
    """1,000 connections open and idle, each after one round trip; then 1,000 round trips on
    one more, timed: returns their time."""
    server, (host, port), done = await start(idle() + 1)
    writers = []
    for _ in range(idle()):
        reader, writer = await asyncio.open_connection(host, port)
        await round_trip(reader, writer)
        writers.append(writer)
    reader, writer = await asyncio.open_connection(host, port)
    begin = time.perf_counter_ns()
    for _ in range(idle()):
        await round_trip(reader, writer)
    elapsed = time.perf_counter_ns() - begin
    await close(server, done, writers + [writer])
    return elapsed


def count_lines():
    """A server for one client that counts its lines up to an empty one (`async for`), checks
    them and answers the count; returns it, and a future done once it has answered."""
    done = asyncio.get_running_loop().create_future()

    async def client(reader, writer):
        try:
            count = size = 0
            async for line in reader:
                if line == b"\n":
                    break  # the client has no more
                count += 1
                size += len(line) - 1
            assert (count, size) == (lines(), lines() * (len(LINE) - 1))
            writer.write(b"%d\n" % count)
            await writer.drain()
            writer.close()
            done.set_result(None)
        except Exception as error:  # the run fails with it, not only this handler
            done.set_exception(error)

    return client, done


async def stream_lines():
    """100,000 lines of 10 bytes over loopback, written 64 KiB at a time, then an empty line
    that ends them, through the server's `async for line in reader`; the client waits for the
    count the server answers. Both in this one loop."""
    handler, done = count_lines()
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()
    reader, writer = await asyncio.open_connection(host, port)
    data = LINE * lines() + b"\n"
    for start in range(0, len(data), CHUNK):
        writer.write(data[start : start + CHUNK])
        await writer.drain()
    answer = await reader.readline()
    await close(server, done, [writer])
    assert answer == b"%d\n" % lines(), answer


WORKLOADS = {
    "spawn_join": spawn_join,
    "yield_selfwake": yield_selfwake,
    "yield_fair": yield_fair,
    "ping_pong": ping_pong,
    "timers_1ms": timers(0.001),
    "timers_10ms": timers(0.010),
    "echo": echo,
    "idle_conns": idle_conns,
    "stream_lines": stream_lines,
}


def main():
    if os.environ.get("BENCH_LIST"):
        for name in WORKLOADS:
            print(f"run {name}")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=WORKLOADS)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    # Two sockets per connection, both in this process: idle_conns needs about 2,000.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    loop = asyncio.new_event_loop()
    workload = WORKLOADS[args.workload]
    walls, cpus = [], []
    for run in range(args.warmup + max(1, args.runs)):
        cpu, wall = time.process_time_ns(), time.perf_counter_ns()
        timed = loop.run_until_complete(workload())
        wall, cpu = time.perf_counter_ns() - wall, time.process_time_ns() - cpu
        if run >= args.warmup:
            walls.append(timed if timed is not None else wall)
            cpus.append(cpu)
    loop.close()
    wall, cpu = statistics.median_low(walls), statistics.median_low(cpus)
    print(f"once {args.workload} wall_ns={wall} cpu_ns={cpu}")


if __name__ == "__main__":
    sys.exit(main())
