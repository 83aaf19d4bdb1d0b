//! `--side-by-side`: the Rust demo's lines on the left, the twin's on the right, each with its
//! time in seconds, long lines wrapped in their column, the whole fitted to `COLUMNS`.
//!
//! Between the columns, `│` where both say the same, `≠` where the twin says it in Python's
//! words (`python/differences.txt`), `!` where they differ in a way `cargo xtask check` fails
//! on. Times are shown, not judged here: a busy machine moves them a little in every run.

use super::compare::{Line, Row, Verdict};
use crate::steps::Step;

/// The width without `COLUMNS`: what a projector shows.
pub const DEFAULT_WIDTH: usize = crate::WIDTH;

/// Narrower than this, the columns would hold a few letters each.
pub const NARROWEST: usize = 60;

/// The time in front of each line: `0.511s ` (seven columns, more past 10 s).
const TIME_WIDTH: usize = 7;

/// The terminal's width: `COLUMNS` if set, else what `stty size` says of the terminal when
/// stdout is one (shells rarely export `COLUMNS`), else [`DEFAULT_WIDTH`]; never below
/// [`NARROWEST`].
pub fn width_from_env() -> usize {
    let given = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok());
    given
        .or_else(terminal_width)
        .unwrap_or(DEFAULT_WIDTH)
        .max(NARROWEST)
}

/// The width of the terminal that stdout shows on, asked of `stty` (no `unsafe` ioctl here).
fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let tty = std::fs::File::open("/dev/tty").ok()?;
    let out = std::process::Command::new("stty")
        .arg("size")
        .stdin(tty)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().nth(1)?.parse().ok()
}

/// The whole side-by-side text for `width` columns.
pub fn render(step: &Step, name: &str, rows: &[Row], width: usize) -> String {
    let column = (width - 3) / 2;
    let mut out = cells_row(
        &[format!("rust: examples/{name}.rs")],
        &[format!("python: python/{name}.py")],
        '│',
        column,
    );
    out.push_str(&format!(
        "{}┼{}\n",
        "─".repeat(column + 1),
        "─".repeat(column + 1)
    ));
    for row in rows {
        let mark = match row.verdict {
            Verdict::Same | Verdict::Late => '│',
            Verdict::Reworded => '≠',
            Verdict::Differs => '!',
        };
        let left = cell(row.rust.as_ref(), column);
        let right = cell(row.python.as_ref(), column);
        out.push_str(&cells_row(&left, &right, mark, column));
    }
    let count = |verdict| rows.iter().filter(|r| r.verdict == verdict).count();
    let (reworded, differs) = (count(Verdict::Reworded), count(Verdict::Differs));
    let alike = rows.len() - reworded - differs;
    let footer = format!(
        "step {}: {alike} lines alike, {reworded} in Python's words (≠, see \
         python/differences.txt), {differs} not (!)",
        step.number,
    );
    out.push('\n');
    for line in wrap(&footer, width) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// One row of the table: the two cells' lines next to each other, the mark on the first line.
fn cells_row(left: &[String], right: &[String], mark: char, column: usize) -> String {
    let mut out = String::new();
    for k in 0..left.len().max(right.len()) {
        let l = left.get(k).map_or("", String::as_str);
        let r = right.get(k).map_or("", String::as_str);
        let gutter = if k == 0 { mark } else { '│' };
        let pad = column.saturating_sub(l.chars().count());
        let line = format!("{l}{} {gutter} {r}", " ".repeat(pad));
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A line as the lines of its cell: its time, then its text wrapped to the column.
fn cell(line: Option<&Line>, column: usize) -> Vec<String> {
    let Some(line) = line else {
        return Vec::new();
    };
    let time = match line.millis {
        Some(ms) => format!("{:.3}s", ms / 1000.0),
        None => String::new(),
    };
    let time = format!("{time:>width$} ", width = TIME_WIDTH - 1);
    let indent = " ".repeat(time.chars().count());
    wrap(&line.text, column.saturating_sub(indent.len()).max(10))
        .into_iter()
        .enumerate()
        .map(|(k, part)| match k {
            0 => format!("{time}{part}"),
            _ => format!("{indent}{part}"),
        })
        .collect()
}

/// `text` cut into lines of at most `width` characters, at spaces where it can.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    while rest.len() > width {
        let space = rest[..=width]
            .iter()
            .rposition(|&c| c == ' ')
            .filter(|&at| at > 0);
        let (cut, skip) = match space {
            Some(at) => (at, 1),
            None => (width, 0),
        };
        lines.push(rest[..cut].iter().collect());
        rest.drain(..cut + skip);
    }
    lines.push(rest.into_iter().collect());
    lines
}
