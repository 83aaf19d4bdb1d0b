//! Checking a talk demo's timeline: which lines it printed, in which order, and when, in a way
//! that holds on a busy machine.
//!
//! A timer never fires early, so no line may come before its time. But a loop on a crowded
//! machine may be late, by a few milliseconds or by many, and a line that comes late makes every
//! sleep that starts after it end late too. So each line is checked against the moment it was
//! due *given when the line it follows really came*: never before that moment, and not later
//! than [`LATENESS`] after it. Times are read from the lines' timestamps (a tenth of a
//! millisecond), not from the demo seconds they print (a tenth of a second).
//!
//! Order: each task's own lines come in their order, and the lines due at once (each task's
//! first, in the loop's first turn) before any line that waits for a sleep, exactly. Beyond
//! that, which of two tasks prints first is a matter of time here (each sleep is armed when its
//! task printed, and a late line moves the deadlines after it), so it is not asserted apart
//! from the times. The order a loop keeps whatever the timing, timers in the order of their
//! deadlines, is asserted exactly by the timer tests, whose deadlines are fixed in advance.

use std::fmt::Write as _;
use std::time::Duration;

use super::LATENESS;

/// A line a demo should print, and when: `delay` demo seconds after the line `after` came
/// (or after the scenario began, for `None`).
#[derive(Debug, Clone, Copy)]
pub struct Due<'a> {
    /// The line, as the test parsed it from the output (`"bar"`).
    pub line: &'a str,
    /// The line it waits for; `None`: the scenario's start.
    pub after: Option<&'a str>,
    /// How long it waits after that, in demo seconds.
    pub delay: f64,
}

/// The lines of the talk's `print_messages(*messages, sleep_time=sleep)`: each message, then a
/// sleep. The first is due when `start` says: `None` at once, `Some((line, delay))` that long
/// after that line (the end of the sleep that follows it, say).
pub fn print_messages<'a>(
    messages: &[&'a str],
    sleep: f64,
    start: Option<(&'a str, f64)>,
) -> Vec<Due<'a>> {
    let mut after = start;
    let mut due = Vec::new();
    for &line in messages {
        let (after_line, delay) = after.map_or((None, 0.0), |(line, delay)| (Some(line), delay));
        due.push(Due {
            line,
            after: after_line,
            delay,
        });
        after = Some((line, sleep));
    }
    due
}

/// The timed lines of one scenario of a talk demo's stdout (with its timestamps): after the
/// first line that contains `title`, each line `[  STAMP ms] SPEAKER: TEXT  at T s` as `(TEXT,
/// time since the title line)`, up to the first line that is not one.
#[track_caller]
pub fn timed_lines(stdout: &str, title: &str, speaker: &str) -> Vec<(String, Duration)> {
    let lines: Vec<&str> = stdout.lines().collect();
    let start = lines.iter().position(|l| l.contains(title));
    let start = start.unwrap_or_else(|| panic!("no scenario {title:?} in {stdout}"));
    let begun = stamp(lines[start]).unwrap_or_else(|| panic!("no timestamp: {}", lines[start]));
    let timed = |line: &&str| {
        let (at, said) = (stamp(line)?, line.split_once("] ")?.1);
        let rest = said.strip_prefix(speaker)?.strip_prefix(": ")?;
        let (text, _) = rest.rsplit_once("  at ")?;
        Some((text.trim().to_owned(), at.checked_sub(begun)?))
    };
    lines[start + 1..].iter().map_while(timed).collect()
}

/// The timestamp of a line of a demo's stdout, `[   557.1 ms] …`, as a duration.
fn stamp(line: &str) -> Option<Duration> {
    let millis = line.strip_prefix('[')?.split_once(" ms]")?.0;
    let millis: f64 = millis.trim().parse().ok()?;
    Some(Duration::from_secs_f64(millis / 1e3))
}

/// How far the difference of two timestamps may be from the true one: each is printed in
/// milliseconds with one decimal, rounded by up to half of one.
const ROUNDING: Duration = Duration::from_micros(100);

/// Checks `got`, a scenario's lines with the time each came (since the scenario began, in the
/// order printed), against `expected`: the same lines, each after the line it follows, those
/// due at once before all others, none early, none later than [`LATENESS`] after it was due.
/// `second` is how long a demo second lasts (100 ms in the talk demos' automatic runs): the
/// unit of the delays.
#[track_caller]
pub fn assert_timeline(got: &[(String, Duration)], expected: &[Due<'_>], second: Duration) {
    let mut printed: Vec<&str> = got.iter().map(|(line, _)| line.as_str()).collect();
    let mut wanted: Vec<&str> = expected.iter().map(|due| due.line).collect();
    printed.sort_unstable();
    wanted.sort_unstable();
    assert_eq!(printed, wanted, "not the lines expected: {got:?}");
    let timeline = Timeline::new(got, expected, second);
    let at_once = |due: &Due<'_>| due.after.is_none() && due.delay == 0.0;
    let first_turn = expected.iter().filter(|due| at_once(due)).count();
    for due in expected.iter().filter(|due| at_once(due)) {
        let in_time = timeline.place(due.line) < first_turn;
        assert!(in_time, "{} after a line that waited{timeline}", due.line);
    }
    for (i, due) in expected.iter().enumerate() {
        let (at, when) = (timeline.at(due.line), timeline.due[i]);
        let place = |line| timeline.place(line);
        if let Some(after) = due.after {
            let follows = place(after) < place(due.line);
            assert!(
                follows,
                "{} printed before {after}, which it follows{timeline}",
                due.line
            );
        }
        assert!(at + ROUNDING >= when, "{} early{timeline}", due.line);
        let late = LATENESS + ROUNDING;
        assert!(
            at <= when + late,
            "{} late by over {LATENESS:?}{timeline}",
            due.line
        );
    }
}

/// A scenario as printed, beside the moments each line was due.
struct Timeline<'a> {
    /// The lines printed and when, in the order printed.
    got: &'a [(String, Duration)],
    /// The lines expected.
    expected: &'a [Due<'a>],
    /// When each expected line was due, from the time its `after` line came.
    due: Vec<Duration>,
}

impl<'a> Timeline<'a> {
    /// The timeline of `got` (which holds every line of `expected`, once).
    fn new(
        got: &'a [(String, Duration)],
        expected: &'a [Due<'a>],
        second: Duration,
    ) -> Timeline<'a> {
        let mut timeline = Timeline {
            got,
            expected,
            due: Vec::new(),
        };
        timeline.due = expected
            .iter()
            .map(|due| {
                let after = due.after.map_or(Duration::ZERO, |after| timeline.at(after));
                after + second.mul_f64(due.delay)
            })
            .collect();
        timeline
    }

    /// Where `line` was printed, counting from 0.
    fn place(&self, line: &str) -> usize {
        self.got
            .iter()
            .position(|(printed, _)| printed == line)
            .unwrap_or_else(|| panic!("{line:?} expected but not printed: {:?}", self.got))
    }

    /// When `line` came.
    fn at(&self, line: &str) -> Duration {
        self.got[self.place(line)].1
    }
}

impl std::fmt::Display for Timeline<'_> {
    /// Every line as printed, with the moment it was due: `bar  at 130.0 ms (due 100.0 ms)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut table = String::new();
        let ms = |at: Duration| at.as_secs_f64() * 1e3;
        for (line, at) in self.got {
            let due = self.expected.iter().position(|due| due.line == line);
            let due = due.map_or(String::new(), |i| {
                format!(" (due {:.1} ms)", ms(self.due[i]))
            });
            let _ = write!(table, "\n  {line}  at {:.1} ms{due}", ms(*at));
        }
        f.write_str(&table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_millis(100);

    /// The talk's slide 4.6: `foo`, `bar`, `baz` a second apart, `aaa`, `bbb`, `ccc` 0.7 apart.
    fn side_by_side() -> Vec<Due<'static>> {
        let mut due = print_messages(&["foo", "bar", "baz"], 1.0, None);
        due.extend(print_messages(&["aaa", "bbb", "ccc"], 0.7, None));
        due
    }

    /// Lines at these demo seconds.
    fn timed(lines: &[(&str, f64)]) -> Vec<(String, Duration)> {
        let at = |seconds: f64| SECOND.mul_f64(seconds);
        lines
            .iter()
            .map(|&(line, seconds)| (line.to_owned(), at(seconds)))
            .collect()
    }

    fn fails(got: &[(&str, f64)]) -> String {
        let got = timed(got);
        let panic = std::panic::catch_unwind(|| {
            assert_timeline(&got, &side_by_side(), SECOND);
        });
        let panic = panic.expect_err("the check should fail");
        panic.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    const ON_TIME: [(&str, f64); 6] = [
        ("foo", 0.0),
        ("aaa", 0.0),
        ("bbb", 0.7),
        ("bar", 1.0),
        ("ccc", 1.4),
        ("baz", 2.0),
    ];

    #[test]
    fn timed_lines_are_those_of_the_scenario_and_speaker_timed_from_its_title() {
        let stdout = "\
[   200.0 ms] §4.6: run_tasks(…)
[   250.0 ms] print_messages: bar  at 5.0 s
[   300.0 ms] §4.8: Loop().run_task(print_messages('foo', 'bar', 'baz'))
[   300.1 ms] print_messages: foo  at 0.0 s
[   400.2 ms] print_messages: a    at 1.0 s
[   500.2 ms] main: ended at 2.0 s
[   500.3 ms] print_messages: baz  at 2.0 s
";
        let timed = timed_lines(stdout, "§4.8", "print_messages");
        let foo = ("foo".to_owned(), Duration::from_micros(100));
        assert_eq!(
            timed,
            [foo, ("a".to_owned(), Duration::from_micros(100_200))]
        );
    }

    #[test]
    fn the_talks_timeline_passes() {
        assert_timeline(&timed(&ON_TIME), &side_by_side(), SECOND);
    }

    #[test]
    fn a_late_line_delays_what_follows_it_which_may_change_places() {
        // `aaa` came 0.4 late: `bbb` is due at 1.1, after `bar`.
        let late = [
            ("foo", 0.0),
            ("aaa", 0.4),
            ("bar", 1.0),
            ("bbb", 1.1),
            ("ccc", 1.8),
            ("baz", 2.0),
        ];
        assert_timeline(&timed(&late), &side_by_side(), SECOND);
        // A loop late past both `bbb` and `bar` may print them in either order.
        let swapped = [
            ("foo", 0.0),
            ("aaa", 0.0),
            ("bar", 1.3),
            ("bbb", 1.3),
            ("ccc", 2.0),
            ("baz", 2.3),
        ];
        assert_timeline(&timed(&swapped), &side_by_side(), SECOND);
    }

    #[test]
    fn an_early_line_fails() {
        let mut early = ON_TIME;
        early[2].1 = 0.5; // `bbb` after 0.5 of its 0.7
        let why = fails(&early);
        assert!(why.contains("bbb early"), "{why}");
        assert!(why.contains("bbb  at 50.0 ms (due 70.0 ms)"), "{why}");
    }

    #[test]
    fn a_line_far_too_late_fails() {
        let mut late = ON_TIME;
        late[5].1 = 9.0;
        let why = fails(&late);
        assert!(why.contains("baz late by over"), "{why}");
    }

    #[test]
    fn a_missing_line_or_a_task_out_of_its_own_order_fails() {
        let why = fails(&ON_TIME[..5]);
        assert!(why.contains("not the lines expected"), "{why}");
        let mut swapped = ON_TIME;
        swapped.swap(3, 5); // `baz` printed before `bar`, at the same times
        let why = fails(&swapped);
        assert!(why.contains("baz printed before bar"), "{why}");
    }

    #[test]
    fn a_task_that_starts_only_after_another_slept_fails() {
        // `aaa` started after `foo`'s sleep: the tasks ran one after the other for a while.
        let sequential = [
            ("foo", 0.0),
            ("bar", 1.0),
            ("aaa", 1.0),
            ("bbb", 1.7),
            ("baz", 2.0),
            ("ccc", 2.4),
        ];
        let why = fails(&sequential);
        assert!(why.contains("aaa after a line that waited"), "{why}");
    }
}
