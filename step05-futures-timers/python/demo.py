"""What every twin does the way the Rust demos do, none of it the talk's.

The Rust demos print `[  12.3 ms] label: message`, read `--auto` and `--help`, and count time in
talk seconds, 100 ms long when nobody watches. The twins do the same here, so that
`cargo xtask demo N talk --side-by-side` can lay both outputs line by line, and
`cargo xtask check` can compare them. The same file in every step: only the talk's code grows.
"""

import os
import sys
import time

# When the log's clock started, in nanoseconds (the first line printed, or the first event
# recorded): every timestamp counts from it, as in the Rust demos.
_start = None

# Who hears each line besides stdout: the loop's recorder (`record.py`) when a trace is asked.
heard = None


def clock_ns():
    """Nanoseconds on the log's clock: the time of the lines, and of a trace's events."""
    global _start
    now = time.monotonic_ns()
    if _start is None:
        _start = now
    return now - _start


def say(label, message):
    """Prints one line, `[  12.3 ms] label: message`, at once (a pipe must not hold it)."""
    millis = clock_ns() / 1e6
    print(f"[{millis:8.1f} ms] {label}: {message}", flush=True)
    if heard is not None:
        heard(label, str(message))


def is_auto():
    """No one to wait for: `--auto` was given, or stdin is not a terminal (the tour, the check)."""
    return "--auto" in sys.argv[1:] or sys.stdin is None or not sys.stdin.isatty()


def talk_second():
    """How long a talk second lasts here, in seconds: 1, or 0.1 when nobody watches."""
    return 0.1 if is_auto() else 1.0


def flags(usage, switches=()):
    """The switches given, from `switches` (names without `--`); `--help` prints `usage` and exits
    0, anything else is one `error:` line and exit code 2, as every Rust demo does."""
    given = set()
    for arg in sys.argv[1:]:
        if arg in ("-h", "--help"):
            print(usage.rstrip())
            print("Every twin also takes --auto (a talk second then lasts 100 ms).")
            sys.exit(0)
        elif arg == "--auto":
            pass
        elif arg.startswith("--") and arg[2:] in switches:
            given.add(arg[2:])
        else:
            print(f"error: invalid option '{arg}' (try --help)", file=sys.stderr)
            sys.exit(2)
    return given


def run(main):
    """Runs the twin's `main`: Ctrl-C ends it quietly (exit code 130), and so does a reader who
    closed the pipe, as for the Rust demos: no traceback on a projector."""
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # Python would flush stdout again on the way out, and complain: point it elsewhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


def check(*claims):
    """Runs each claim (a function that raises if Python does not do what the README says),
    printing `ok    NAME` or `FAIL  NAME: what happened`; exit code 1 if one failed.
    `cargo xtask check` reads these lines."""
    failed = 0
    for claim in claims:
        try:
            claim()
        except Exception as error:
            failed += 1
            print(f"FAIL  {claim.__name__}: {type(error).__name__}: {error}", flush=True)
        else:
            print(f"ok    {claim.__name__}", flush=True)
    sys.exit(1 if failed else 0)


def raises(kind, message, run):
    """Runs `run()`, which must raise `kind` with exactly `message`."""
    try:
        run()
    except kind as error:
        assert str(error) == message, f"{kind.__name__} said {str(error)!r}"
        return
    raise AssertionError(f"no {kind.__name__}")
