//! Lining up a Rust talk demo's output with its Python twin's, and saying whether they match.
//!
//! A line is `[  12.3 ms] label: message`. Its times (`at 1.0 s`, `100 ms`) are set aside, so
//! that what is left, its *shape*, can be compared exactly while the times are compared within
//! a tolerance. Two lines match when their shapes are equal, or when `python/differences.txt`
//! pairs those two shapes (the same thing said in each language's words), and their times
//! agree. The gap since the previous line, from the timestamps, is compared the same way.

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// Talk seconds (or milliseconds, in the same unit on both sides) two values may differ by,
/// plus this share of the larger one: a busy machine makes both sides late, by different
/// amounts. Half a talk second early on, or one sleep too many in five, is still caught; a
/// smaller slip in a sleep shows as lines in another order.
const TIME_SLACK: f64 = 0.25;
const TIME_SHARE: f64 = 0.1;

/// Milliseconds two gaps between lines may differ by, plus this share of the larger one.
const GAP_SLACK: f64 = 50.0;
const GAP_SHARE: f64 = 0.2;

/// What stands for a time in a shape.
const TIME: &str = "<t>";

/// One line of a demo's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Milliseconds since the demo's first line, from its timestamp (`None` without one).
    pub millis: Option<f64>,
    /// The rest: `label: message`.
    pub text: String,
}

impl Line {
    /// A line as printed: its timestamp read, if it has one.
    pub fn parse(line: &str) -> Line {
        let stamped = line
            .strip_prefix('[')
            .and_then(|rest| rest.split_once(" ms] "));
        match stamped.and_then(|(ms, text)| Some((ms.trim().parse().ok()?, text))) {
            Some((millis, text)) => Line {
                millis: Some(millis),
                text: text.to_owned(),
            },
            None => Line {
                millis: None,
                text: line.to_owned(),
            },
        }
    }
}

/// A text with its times set aside.
#[derive(Debug, Clone, PartialEq)]
struct Shape {
    /// The text, each time replaced by [`TIME`].
    skeleton: String,
    /// The times, in order; `None` for a time written `~5.0 s` in a pattern: any time.
    times: Vec<Option<f64>>,
}

/// The shape of a text: each number followed by ` s`, `s`, ` ms` or `ms` (then no letter) is a
/// time; a `~` just before it makes it any time. The unit stays in the shape as written, so that
/// `1 s` is not `1 ms`, nor `100 ms` printed `100ms`.
fn shape(text: &str) -> Shape {
    let chars: Vec<char> = text.chars().collect();
    let (mut skeleton, mut times) = (String::new(), Vec::new());
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        let Some((value, end)) = starts_number.then(|| time_at(&chars, i)).flatten() else {
            skeleton.push(chars[i]);
            i += 1;
            continue;
        };
        let any = skeleton.ends_with('~');
        if any {
            skeleton.pop();
        }
        skeleton.push_str(TIME);
        let number = chars[i..end]
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == '.');
        skeleton.extend(&chars[i + number.count()..end]);
        times.push((!any).then_some(value));
        i = end;
    }
    Shape { skeleton, times }
}

/// The time that starts at `chars[start]`, and where it ends, if a unit follows the number.
fn time_at(chars: &[char], start: usize) -> Option<(f64, usize)> {
    let mut end = start;
    while end < chars.len() && (chars[end].is_ascii_digit() || chars[end] == '.') {
        end += 1;
    }
    let number: String = chars[start..end].iter().collect();
    let value: f64 = number.trim_end_matches('.').parse().ok()?;
    let space = usize::from(chars.get(end) == Some(&' '));
    let unit = ["ms", "s"].into_iter().find(|unit| {
        let after = end + space;
        let fits = unit
            .chars()
            .enumerate()
            .all(|(k, c)| chars.get(after + k) == Some(&c));
        let next = chars.get(after + unit.len());
        fits && !next.is_some_and(|c| c.is_alphanumeric())
    })?;
    Some((value, end + space + unit.len()))
}

/// Whether two measures of the same time agree on a busy machine.
fn close(a: f64, b: f64, slack: f64, share: f64) -> bool {
    (a - b).abs() <= slack + share * a.abs().max(b.abs())
}

/// The lines each language says in its own words: pairs of shapes, Rust's then Python's.
#[derive(Debug, Clone, Default)]
pub struct Differences {
    pairs: Vec<(Shape, Shape)>,
}

impl Differences {
    /// Reads `python/differences.txt`: `#` comments, blank lines, and pairs of a `- ` line
    /// (Rust's) followed by a `+ ` line (Python's).
    pub fn parse(text: &str) -> Result<Differences, String> {
        let mut pairs = Vec::new();
        let mut rust: Option<Shape> = None;
        for (at, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match (
                line.strip_prefix("- "),
                line.strip_prefix("+ "),
                rust.take(),
            ) {
                (Some(text), _, None) => rust = Some(shape(text)),
                (_, Some(text), Some(first)) => pairs.push((first, shape(text))),
                _ => {
                    return Err(format!(
                        "line {}: expected a `- ` (Rust) line, then a `+ ` (Python) line",
                        at + 1
                    ));
                }
            }
        }
        match rust {
            Some(_) => Err("the last `- ` line has no `+ ` line after it".into()),
            None => Ok(Differences { pairs }),
        }
    }

    /// The Python shape that `rust` is said as, when a pair names it.
    fn said_as(&self, rust: &Shape) -> Option<&(Shape, Shape)> {
        self.pairs.iter().find(|(r, _)| r.skeleton == rust.skeleton)
    }
}

/// How the lines of one row of the comparison relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The same text, times alike.
    Same,
    /// Said in other words, as `differences.txt` pairs them, times alike.
    Reworded,
    /// The same text or a declared pair, but a time differs beyond the tolerance.
    Late,
    /// Different texts that no pair declares, or a line on one side only.
    Differs,
}

/// One row: a Rust line and a Python line side by side (either may be missing).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The Rust demo's line.
    pub rust: Option<Line>,
    /// The twin's line.
    pub python: Option<Line>,
    /// How they relate.
    pub verdict: Verdict,
}

/// The key a line is aligned by: its shape, or for a Rust line that a pair rewords, the shape
/// of its Python words; so that the two sides line up on what they mean.
fn key(line: &Line, differences: &Differences, rust: bool) -> String {
    let shape = shape(&line.text);
    match differences.said_as(&shape) {
        Some((_, python)) if rust => python.skeleton.clone(),
        _ => shape.skeleton,
    }
}

/// Lines the two outputs up, row by row, and judges each row.
pub fn rows(rust: &[Line], python: &[Line], differences: &Differences) -> Vec<Row> {
    let left: Vec<String> = rust.iter().map(|l| key(l, differences, true)).collect();
    let right: Vec<String> = python.iter().map(|l| key(l, differences, false)).collect();
    let mut rows = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &left, &right) {
        let (old, new) = (op.old_range(), op.new_range());
        let row = |r: Option<&Line>, p: Option<&Line>| Row {
            rust: r.cloned(),
            python: p.cloned(),
            verdict: Verdict::Differs,
        };
        match op {
            // Paired line by line; the longer side's extra lines stand alone.
            DiffOp::Equal { .. } | DiffOp::Replace { .. } => {
                for k in 0..old.len().max(new.len()) {
                    let r = (k < old.len()).then(|| &rust[old.start + k]);
                    let p = (k < new.len()).then(|| &python[new.start + k]);
                    rows.push(row(r, p));
                }
            }
            DiffOp::Delete { .. } => rows.extend(old.map(|i| row(Some(&rust[i]), None))),
            DiffOp::Insert { .. } => rows.extend(new.map(|i| row(None, Some(&python[i])))),
        }
    }
    judge(&mut rows, differences);
    rows
}

/// Gives each row its verdict: texts first, then the times in them, then the gap since the
/// previous row where both sides have a line.
fn judge(rows: &mut [Row], differences: &Differences) {
    let mut previous: Option<(f64, f64)> = None;
    for row in rows.iter_mut() {
        let (Some(rust), Some(python)) = (&row.rust, &row.python) else {
            continue;
        };
        let (r, p) = (shape(&rust.text), shape(&python.text));
        let declared = differences
            .said_as(&r)
            .filter(|(_, pp)| pp.skeleton == p.skeleton);
        let (verdict, (rt, pt)) = match declared {
            // Said in other words: compare only the times neither pattern writes as `~`.
            Some((rp, pp)) if r != p => (
                Verdict::Reworded,
                (keep(&r.times, &rp.times), keep(&p.times, &pp.times)),
            ),
            _ if r.skeleton == p.skeleton => (Verdict::Same, (r.times, p.times)),
            _ => (Verdict::Differs, (Vec::new(), Vec::new())),
        };
        let times_agree = rt.len() == pt.len()
            && rt.iter().zip(&pt).all(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => close(*x, *y, TIME_SLACK, TIME_SHARE),
                _ => true,
            });
        let now = rust.millis.zip(python.millis);
        let gap_agrees = match (previous, now) {
            (Some((r0, p0)), Some((r1, p1))) => close(r1 - r0, p1 - p0, GAP_SLACK, GAP_SHARE),
            _ => true,
        };
        previous = now.or(previous);
        row.verdict = match verdict {
            Verdict::Differs => Verdict::Differs,
            _ if !(times_agree && gap_agrees) => Verdict::Late,
            same_or_reworded => same_or_reworded,
        };
    }
}

/// The times of a line at the places where its pattern has a time to compare (not `~`).
fn keep(times: &[Option<f64>], pattern: &[Option<f64>]) -> Vec<Option<f64>> {
    times
        .iter()
        .zip(pattern)
        .map(|(time, wanted)| wanted.and(*time))
        .collect()
}

/// The first row that makes the two outputs differ, for `cargo xtask check`.
pub fn first_problem(rows: &[Row]) -> Option<&Row> {
    rows.iter()
        .find(|row| matches!(row.verdict, Verdict::Differs | Verdict::Late))
}
