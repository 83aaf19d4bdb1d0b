"""What the talk's loop did, for `cargo xtask trace N talk --python`: the events the Rust loops
report to their recorder (`shared::record`), in the same lines of JSON, so that both runs are
drawn on one page. None of this is the talk's; the same file in every step with a loop.

`runtime.py` calls it in a few places: `@record.run` on each loop, `record.added(task)` when a
task joins the queue, `record.next(task)` where the talk writes `next(task)`, and in the §5 loop
`record.timer_fired()` and `record.idle()`. Unless `WORKSHOP_TRACE` names a file, as
`cargo xtask trace` does, `record.next` *is* the builtin `next`, `@record.run` gives the loop
back unchanged, and the other calls return at once: the twin runs as if they were not there.

What a task yields says what happens to it: `None` puts it back at the end of the queue (in
every loop of the talk), which is a wake of its own, as a Rust task that wakes its own waker;
a `Future` parks it until someone sets the future, and `added` hears it come back. The format
of the lines is documented where it is read: `xtask/src/trace/model.rs`.
"""

import atexit
import builtins
import functools
import gc
import inspect
import json
import os
import time

import demo

# Two polls of a task closer than this go into one band, and no band is longer than BAND_MAX:
# a loop polling a million times a second still writes a small file (as the Rust recorder).
BAND_GAP = 100_000
BAND_MAX = 2_000_000


class _Task:
    """A task as the recorder knows it: its number, its run, its open band of polls."""

    def __init__(self, key, number, name, now):
        self.key = key
        self.number = number
        self.name = name
        self.added = now
        self.run = None
        self.band = None
        self.polls = 0
        self.queued_since = now


class _Run:
    """A run of a loop in progress."""

    def __init__(self, number):
        self.number = number
        self.turns = 0
        self.queued = 0
        self.queue = None
        self.cpu = time.process_time_ns()


class _Poll:
    """The poll in progress: of which task, since when, and what happened during it."""

    def __init__(self, task, start):
        self.task = task
        self.start = start
        self.self_woke = False
        self.eventful = False


class _Recorder:
    """Writes the events of the loops to `out`, one JSON object per line."""

    def __init__(self, out):
        self.out = out
        self.tasks = {}
        self.next_task = 1
        self.runs = []
        self.next_run = 1
        self.unplaced = []
        self.poll = None
        self.cause = None
        self.spin = None

    def write(self, **event):
        """One event, one line: the fields in the order given, as the Rust recorder writes them."""
        self.out.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")

    def run(self, loop):
        """`@record.run`: each call of `loop` is a run, from its first line to its last."""

        @functools.wraps(loop)
        def recorded(*args, **kwargs):
            self.run_begins()
            try:
                return loop(*args, **kwargs)
            finally:
                self.run_ends()

        return recorded

    def run_begins(self):
        """A run begins: the tasks added since the last one are its own."""
        now = demo.clock_ns()
        run = _Run(self.next_run)
        self.next_run += 1
        self.runs.append(run)
        self.write(e="run", t=now, run=run.number)
        for task in self.unplaced:
            self.place(task, run)
        self.unplaced = []
        self.sample_queue(run, run.queued, now)

    def run_ends(self):
        """The innermost run ends: its tasks' bands are written, and its turns and CPU time."""
        now = demo.clock_ns()
        self.end_spin(now)
        run = self.runs.pop()
        for task in [task for task in self.tasks.values() if task.run is run]:
            self.band_ends(task)  # left at the end of its run: dropped, forgotten
            del self.tasks[task.key]
        cpu = time.process_time_ns() - run.cpu
        self.write(e="run_end", t=now, run=run.number, turns=run.turns, quick_waits=0,
                   quick_wait_time=0, cpu=cpu)
        self.out.flush()

    def place(self, task, run):
        """Task `task` belongs to `run`: its line is written now."""
        task.run = run
        run.queued += task.queued_since is not None
        self.write(e="task", t=task.added, task=task.number, run=run.number, name=task.name,
                   cleanup=False)

    def added(self, *tasks):
        """Each task joins the queue: a new one, or one that waited and is woken."""
        now = demo.clock_ns()
        for task in tasks:
            known = self.tasks.get(task)
            if known is None:
                self.new_task(task, now)
            else:
                self.woken(known, now)

    def new_task(self, task, now):
        """A task the recorder has not seen: numbered, named, and queued."""
        state = _Task(task, self.next_task, _name(task), now)
        self.next_task += 1
        self.tasks[task] = state
        if self.poll is not None:
            self.poll.eventful = True
        if self.runs:
            self.place(state, self.runs[-1])
        else:
            self.unplaced.append(state)
        return state

    def woken(self, task, now):
        """`task` is put back in the queue by whatever the loop is doing now."""
        poll = self.poll
        if poll is not None and poll.task is task:
            poll.self_woke = True
            return
        if poll is not None:
            poll.eventful = True
        if task.queued_since is None and task.run is not None:
            task.queued_since = now
            task.run.queued += 1
        if poll is not None:
            self.write(e="woken", t=now, task=task.number, by="task", **{"from": poll.task.number})
        elif self.cause == "timer":
            self.write(e="woken", t=now, task=task.number, by="timer")
        else:
            self.write(e="woken", t=now, task=task.number, by="outside")

    def next(self, task):
        """`next(task)`, heard: a poll begins, and ends `Pending` or `Ready`."""
        if not self.runs:
            return builtins.next(task)  # outside any run of a loop: not a poll to draw
        poll = self.polling(task)
        try:
            yielded = builtins.next(task)
        except StopIteration:
            self.polled(poll, ready=True)
            raise
        except BaseException:
            self.polled(poll, ready=False, parked=True)  # it raised: nobody polls it again
            raise
        self.polled(poll, ready=False, parked=yielded is not None)
        return yielded

    def polling(self, task):
        """A poll of `task` begins: it leaves the queue and joins its band of polls."""
        now = demo.clock_ns()
        self.end_spin(now)
        self.cause = None
        state = self.tasks.get(task) or self.new_task(task, now)
        if state.run is None:
            self.place(state, self.runs[-1])
        run = state.run
        run.turns += 1
        self.sample_queue(run, run.queued, now)  # the queue as this turn found it
        scheduled = 0
        if state.queued_since is not None:
            scheduled = now - state.queued_since
            state.queued_since = None
            run.queued -= 1
        band = state.band
        if band is not None and (now - band["end"] >= BAND_GAP or
                                 now - band["start"] >= BAND_MAX):
            self.band_ends(state)
            band = None
        if band is None:
            band = state.band = dict(e="polls", task=state.number, start=now, end=now, polls=0,
                                     ready=False, self_wakes=0, quiet=0, busy=0, scheduled=0,
                                     slowest=0)
        band["polls"] += 1
        band["scheduled"] += scheduled
        self.poll = _Poll(state, now)
        return self.poll

    def polled(self, poll, ready, parked=False):
        """The poll ends: `Ready`, or `Pending` and put back in the queue unless `parked`."""
        now = demo.clock_ns()
        self.poll = None
        state = poll.task
        state.polls += 1
        self_woke = poll.self_woke or not (ready or parked)
        if self_woke and state.queued_since is None:
            state.queued_since = now
            state.run.queued += 1
        quiet = self_woke and not poll.eventful and state.polls > 1
        band = state.band
        took = now - poll.start
        band["end"] = now
        band["ready"] = ready
        band["self_wakes"] += self_woke
        band["quiet"] += quiet
        band["busy"] += took
        band["slowest"] = max(band["slowest"], took)
        if ready:
            self.band_ends(state)
            del self.tasks[state.key]
            self.write(e="finished", t=now, task=state.number)

    def band_ends(self, task):
        """Writes `task`'s open band of polls, if any."""
        if task.band is not None:
            self.write(**task.band)
            task.band = None

    def timer_fired(self):
        """The loop sets a timer's future: the wake that follows is the timer's."""
        now = demo.clock_ns()
        self.end_spin(now)
        self.cause = "timer"
        self.write(e="timer", t=now, run=self.runs[-1].number if self.runs else None)

    def idle(self):
        """A turn with no task to poll: the §5 loop goes round again at once, on the CPU."""
        self.cause = None
        if self.runs:
            self.runs[-1].turns += 1
        if self.spin is None:
            now = demo.clock_ns()
            self.spin = [now, time.process_time_ns(), 0]
            if self.runs:
                self.sample_queue(self.runs[-1], 0, now)
        self.spin[2] += 1

    def end_spin(self, now):
        """Writes the turns spent going round with nothing to poll, if any."""
        if self.spin is None:
            return
        start, cpu, turns = self.spin
        self.spin = None
        run = self.runs[-1].number if self.runs else None
        cpu = time.process_time_ns() - cpu
        self.write(e="spin", start=start, end=now, turns=turns, cpu=cpu, run=run)

    def sample_queue(self, run, tasks, now):
        """The ready queue's length as a turn finds it, written when it changed."""
        if run.queue != tasks:
            run.queue = tasks
            self.write(e="queue", t=now, run=run.number, tasks=tasks)

    def said(self, label, text):
        """A line the twin printed: on the row of the task being polled, if any."""
        now = demo.clock_ns()
        task = None
        if self.poll is not None:
            self.poll.eventful = True
            task = self.poll.task.number
        run = self.runs[-1].number if self.runs else None
        self.write(e="say", t=now, task=task, run=run, label=_clean(label), text=_clean(text))

    def finish(self):
        """At exit: what is still open (a spin, runs, bands) is written, and the file closed."""
        self.end_spin(demo.clock_ns())
        while self.runs:
            self.run_ends()
        for task in self.tasks.values():
            self.band_ends(task)
        self.out.close()


def _clean(text):
    """`text` as UTF-8 can hold it: a lone surrogate becomes a visible escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _name(task):
    """How the talk calls what became `task`: `print_messages('foo', 'bar', 'baz')`, from the
    arguments the coroutine was called with (hidden behind its `__await__()`: `gc` finds it)."""
    if type(task).__name__ == "coroutine_wrapper":
        inside = [o for o in gc.get_referents(task) if inspect.iscoroutine(o)]
        task = inside[0] if inside else task
    return _call(task, 0)


def _call(obj, depth):
    """`name(arguments)` of a coroutine or generator; an awaitable object's `__await__` gives
    its class (`ComplexWork`)."""
    code = _first(obj, "cr_code", "gi_code", "ag_code")
    frame = _first(obj, "cr_frame", "gi_frame", "ag_frame")
    if code is None:
        return _value(obj, depth)
    name = obj.__qualname__.split(".<locals>.")[-1]
    if name.endswith(".__await__"):
        return name[: -len(".__await__")]
    if frame is None or depth > 2:
        return f"{name}(…)"
    values = frame.f_locals
    names = code.co_varnames
    count, keywords = code.co_argcount, code.co_kwonlyargcount
    passed = [values[p] for p in names[:count] if p in values and p != "self"]
    shown = [_value(value, depth) for value in passed]
    if code.co_flags & inspect.CO_VARARGS:
        extra = values.get(names[count + keywords], ())
        passed += list(extra)
        shown += [_value(value, depth) for value in extra]
    defaults = _keyword_defaults(code, frame)
    for p in names[count:count + keywords]:
        if p in values and not _same(defaults.get(p, _same), values[p]):
            passed.append(values[p])
            shown.append(f"{p}={_value(values[p], depth)}")
    if len(passed) == 1 and inspect.iscoroutine(passed[0]):
        return f"{shown[0]} in {name}"  # a wrapper (gather's `task_wrapper`): what it runs
    return f"{name}({', '.join(shown)})"


def _first(obj, *attributes):
    """The first of `attributes` that `obj` has: coroutines, generators and async generators
    name theirs differently."""
    for attribute in attributes:
        found = getattr(obj, attribute, None)
        if found is not None:
            return found
    return None


def _keyword_defaults(code, frame):
    """The defaults of a module-level function's keyword-only arguments: left out of its name,
    as the talk's calls leave them out."""
    function = frame.f_globals.get(code.co_name)
    if getattr(function, "__code__", None) is code:
        return function.__kwdefaults__ or {}
    return {}


def _same(default, value):
    """Whether an argument is its default; an object that cannot say is not."""
    try:
        return bool(default == value)
    except Exception:
        return False


def _value(value, depth):
    """An argument as the talk would write it; an object without a repr of its own as
    `Waiter(…)`."""
    if _first(value, "cr_code", "gi_code", "ag_code") is not None:
        return _call(value, depth + 1)
    if type(value).__repr__ is object.__repr__:
        return f"{type(value).__name__}(…)"
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _as_is(loop):
    """Off: the loop, unchanged."""
    return loop


def _nothing(*args):
    """Off: nothing to hear."""


def _start():
    """The recorder, if `WORKSHOP_TRACE` names a file that can be written."""
    path = os.environ.get("WORKSHOP_TRACE")
    if not path:
        return None
    try:
        out = open(path, "w", encoding="utf-8")
    except OSError:
        return None
    recorder = _Recorder(out)
    demo.heard = recorder.said
    atexit.register(recorder.finish)
    return recorder


_recorder = _start()
if _recorder is None:
    run, added, next = _as_is, _nothing, builtins.next
    timer_fired = idle = _nothing
else:
    run, added, next = _recorder.run, _recorder.added, _recorder.next
    timer_fired, idle = _recorder.timer_fired, _recorder.idle
