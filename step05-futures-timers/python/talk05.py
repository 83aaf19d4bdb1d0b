"""Run it: `python3 step05-futures-timers/python/talk05.py`, or `cargo xtask demo 5 talk --python`.

The twin of `examples/talk05.rs`: the talk's slide 5.10 (`before`, a 5 s `sleep`, `after`), then
slide 4.11's `gather` again, on the talk's §5 loop, with the CPU time each took. Same lines and
timing as the Rust demo, but not the same CPU: this loop spins while it waits for its timer,
where the Rust one sleeps in the kernel. With `--auto` (or no terminal) a talk second lasts
100 ms.

`--talk-lt` puts back slide 5.7's `TimeEvent.__lt__`, as the talk has it: slide 4.11 then
crashes, as the talk's own code does, and the crash is caught and shown.
"""

import time

import demo
from demo import say
from runtime import Loop, TimeEvent, gather, sleep

USAGE = """usage: talk05.py [--auto] [--talk-lt]
The talk's slide 5.10, then 4.11, on the talk's §5 loop, with the CPU time used.
  --talk-lt   TimeEvent compared as on slide 5.7: slide 4.11 crashes (caught, shown)"""

# How long a talk second lasts here, and when the running scenario began.
SECOND = demo.talk_second()
started = time.monotonic()


def now():
    """Talk seconds since the scenario began."""
    return (time.monotonic() - started) / SECOND


async def print_messages(*messages, sleep_time=1):
    """The talk's `print_messages`: print a message, sleep, repeat; with the time of each."""
    for msg in messages:
        say("print_messages", f"{msg:<3}  at {now():.1f} s")
        await sleep(sleep_time * SECOND)


def scenario(slide, code, task):
    """Runs one slide on a new loop, then says when it ended and how much CPU it used."""
    global started
    say(slide, code)
    started = time.monotonic()
    cpu = time.process_time()
    try:
        Loop().run_task(task)
    except Exception as error:
        say("main", f"error: {type(error).__name__}: {error}")
        return
    cpu = (time.process_time() - cpu) / SECOND
    say("main", f"ended at {now():.1f} s, CPU used: {cpu:.2f} s")


async def before_after():
    say("main", "before")
    await sleep(5 * SECOND)
    say("main", "after")


def main():
    given = demo.flags(USAGE, ["talk-lt"])
    if "talk-lt" in given:
        TimeEvent.__lt__ = TimeEvent.lt_as_on_slide
    say("main", f"one talk second lasts {round(SECOND * 1000)} ms here")
    scenario("§5.10", "print('before'); await sleep(5); print('after')", before_after())
    foo, aaa = ("foo", "bar", "baz"), ("aaa", "bbb", "ccc")
    code = "gather(print_messages(foo…), print_messages(aaa…, sleep_time=0.7))"
    both = gather(print_messages(*foo), print_messages(*aaa, sleep_time=0.7))
    scenario("§4.11", code, both)


demo.run(main)
