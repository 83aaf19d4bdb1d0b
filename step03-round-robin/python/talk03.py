"""Run it: `python3 step03-round-robin/python/talk03.py`, or `cargo xtask demo 3 talk --python`.

The twin of `examples/talk03.rs`: the talk's slides 4.4, 4.6, 4.8 and 4.11, and the article's
`workflow`, on the talk's own loop. Times are in the talk's seconds; with `--auto` (or no
terminal) a talk second lasts 100 ms. Its `sleep` asks the time at every turn: it burns a core
while it waits, as the Rust step's does.
"""

import time

import demo
from demo import say
from runtime import ComplexWork, Loop, Waiter, gather, interrupt, run_tasks, simple_print, sleep

USAGE = """usage: talk03.py [--auto]
The talk's §4.1-4.11 examples on its own loop (--auto: a talk second lasts 100 ms)."""

# How long a talk second lasts here, and when the running scenario began.
SECOND = demo.talk_second()
started = time.monotonic()


async def wait_job(waiter):
    """The talk's `wait_job` (§3, run again on slide 4.4)."""
    say("wait_job", "start")
    await waiter
    say("wait_job", "finished")


async def count_up_to(waiter, n):
    for i in range(n):
        say("count_up_to", i)
        await interrupt()
    waiter.set()


async def print_messages(*messages, sleep_time=1):
    """The talk's `print_messages`: print a message, sleep, repeat; with the time of each."""
    for msg in messages:
        at = (time.monotonic() - started) / SECOND
        say("print_messages", f"{msg:<3}  at {at:.1f} s")
        await sleep(sleep_time * SECOND)


def scenario(slide, code):
    """Says which slide runs, and starts its clock."""
    global started
    say(slide, code)
    started = time.monotonic()


async def workflow():
    """The article's `workflow`: a gather, then one more `print_messages`."""
    await gather(print_messages("a", "b"), print_messages("c", "d", "e"))
    await print_messages("f", "g")


def main():
    demo.flags(USAGE)
    say("main", f"one talk second lasts {round(SECOND * 1000)} ms here")

    say("§4.4", "run_tasks(simple_print(1), ComplexWork(), simple_print(2), simple_print(3))")
    run_tasks(simple_print(1), ComplexWork(), simple_print(2), simple_print(3))
    say("§4.4", "run_tasks(wait_job(waiter), count_up_to(waiter, 5))")
    waiter = Waiter()
    run_tasks(wait_job(waiter), count_up_to(waiter, 5))

    foo, aaa = ("foo", "bar", "baz"), ("aaa", "bbb", "ccc")
    code = "run_tasks(print_messages(foo…), print_messages(aaa…, sleep_time=0.7))"
    scenario("§4.6", code)
    run_tasks(print_messages(*foo), print_messages(*aaa, sleep_time=0.7))

    scenario("§4.8", "Loop().run_task(print_messages('foo', 'bar', 'baz'))")
    Loop().run_task(print_messages(*foo))

    code = "Loop().run_task(gather(print_messages(foo…), print_messages(aaa…, 0.7)))"
    scenario("§4.11", code)
    results = Loop().run_task(gather(print_messages(*foo), print_messages(*aaa, sleep_time=0.7)))
    say("main", f"gather returned {results}")

    scenario("article", "Loop().run_task(workflow())")
    Loop().run_task(workflow())


demo.run(main)
