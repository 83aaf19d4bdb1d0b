//! The picture of a run: one self-contained page (no script, no network), a timeline with one
//! row per task, readable on a projector (1280×720). The page is well-formed XML, so that a
//! test can read it back.

use std::fmt::Write;

use super::model::{By, Run, Task};

/// Width of the drawing, in pixels.
const WIDTH: f64 = 1240.0;
/// Where the timeline starts, after the rows' names.
const LEFT: f64 = 110.0;
/// Height of a row.
const ROW: f64 = 22.0;
/// Rows drawn one task each; the tasks after them share one last row.
pub const MAX_ROWS: usize = 40;
/// Pixels of the time axis at the top.
const AXIS: f64 = 34.0;

/// Colors, named for the legend and the tests.
const PENDING: &str = "#4a7fb5";
const READY: &str = "#2e9e4f";
const WAIT: &str = "#d8d8d8";
const TIMER: &str = "#e08a00";
const SOCKET: &str = "#8e44ad";
const THREAD: &str = "#c0392b";
const WAKE: &str = "#1f3b57";

/// The page for `run`, titled `title`.
pub fn page(title: &str, run: &Run) -> String {
    let end = run.end().max(1);
    let scale = Scale { end };
    let rows = run.tasks.len().min(MAX_ROWS) + usize::from(run.tasks.len() > MAX_ROWS);
    let height = AXIS + ROW * (rows as f64 + 1.0) + 60.0;
    let mut svg = String::new();
    axis(&mut svg, &scale, height);
    loop_row(&mut svg, &scale, run);
    for (index, task) in run.tasks.iter().take(MAX_ROWS).enumerate() {
        task_row(&mut svg, &scale, index + 1, task, run);
    }
    if run.tasks.len() > MAX_ROWS {
        folded_row(&mut svg, &scale, run);
    }
    legend(&mut svg, height - 40.0);
    format!(
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n\
         <meta charset=\"utf-8\"/>\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n\
         <body>\n<h1>{title}</h1>\n<p class=\"summary\">{summary}</p>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\">\n{svg}</svg>\n</body>\n</html>\n",
        title = escape(title),
        summary = escape(&super::summary_line(run)),
    )
}

/// Page styles: large enough for the back of a room.
const STYLE: &str = "body{font-family:sans-serif;margin:12px;color:#222}\
h1{font-size:22px;margin:0 0 4px}p.summary{font-size:15px;margin:0 0 8px}\
text{font-size:13px;font-family:sans-serif}text.axis{fill:#555}";

/// Nanoseconds to pixels.
struct Scale {
    /// The end of the run, at the right edge.
    end: u64,
}

impl Scale {
    /// The x of time `t`.
    fn x(&self, t: u64) -> f64 {
        LEFT + (t as f64) * (WIDTH - LEFT - 40.0) / (self.end as f64)
    }
}

/// The y of the top of row `row` (0: the loop's row).
fn row_y(row: usize) -> f64 {
    AXIS + ROW * row as f64
}

/// The time axis: a tick and a label at round times.
fn axis(svg: &mut String, scale: &Scale, height: f64) {
    let step = tick_step(scale.end);
    let mut t = 0;
    while t <= scale.end {
        let x = scale.x(t);
        let label = duration(t);
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{y1}\" x2=\"{x:.1}\" y2=\"{y2}\" stroke=\"#eee\"/>\
             <text class=\"axis\" x=\"{x:.1}\" y=\"18\" text-anchor=\"middle\">{label}</text>",
            y1 = AXIS - 8.0,
            y2 = height - 50.0,
        );
        t += step;
    }
}

/// A round interval between ticks: about eight ticks across the run.
fn tick_step(end: u64) -> u64 {
    let rough = (end / 8).max(1);
    let magnitude = 10u64.pow(rough.ilog10());
    [1, 2, 5, 10]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(magnitude * 10)
}

/// `12 ms`, `1.5 s`, `300 µs`: a time for people.
fn duration(nanos: u64) -> String {
    match nanos {
        n if n >= 1_000_000_000 => format!("{} s", trim(n as f64 / 1e9)),
        n if n >= 1_000_000 => format!("{} ms", trim(n as f64 / 1e6)),
        n if n >= 1_000 => format!("{} µs", trim(n as f64 / 1e3)),
        n => format!("{n} ns"),
    }
}

/// A number with at most one decimal, none if it is whole.
fn trim(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").unwrap_or(&text).to_owned()
}

/// The loop's own row: its waits in the kernel, the timers it fired, the sockets it heard.
fn loop_row(svg: &mut String, scale: &Scale, run: &Run) {
    let y = row_y(0);
    let _ = writeln!(
        svg,
        "<g class=\"loop\"><text x=\"4\" y=\"{:.1}\">loop</text>",
        y + 15.0
    );
    for wait in &run.waits {
        let (x0, x1) = (scale.x(wait.start), scale.x(wait.end));
        let until = wait
            .timeout
            .map_or("until woken".to_owned(), |t| format!("≤ {}", duration(t)));
        let _ = writeln!(
            svg,
            "<rect class=\"wait\" x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h}\" \
             fill=\"{WAIT}\"><title>waiting in the kernel {}: {} ({until})</title></rect>",
            duration(wait.start),
            duration(wait.end - wait.start),
            w = (x1 - x0).max(1.0),
            h = ROW - 4.0,
        );
    }
    marks(
        svg,
        scale,
        y,
        run.timers.iter().copied(),
        TIMER,
        "timer fired",
    );
    let sockets = run.sockets.iter().map(|(t, _)| *t);
    marks(svg, scale, y + 8.0, sockets, SOCKET, "socket ready");
    svg.push_str("</g>\n");
}

/// Small triangles at times `times`, one per pixel at most, saying how many each stands for.
fn marks(
    svg: &mut String,
    scale: &Scale,
    y: f64,
    times: impl Iterator<Item = u64>,
    color: &str,
    what: &str,
) {
    for (x, count) in per_pixel(scale, times) {
        let _ = writeln!(
            svg,
            "<path class=\"mark\" d=\"M{x:.1} {y1:.1} l-4 -7 h8 z\" fill=\"{color}\">\
             <title>{what} ×{count}</title></path>",
            y1 = y + 8.0,
        );
    }
}

/// Times grouped by pixel: `(x, how many)`.
fn per_pixel(scale: &Scale, times: impl Iterator<Item = u64>) -> Vec<(f64, usize)> {
    let mut groups: Vec<(f64, usize)> = Vec::new();
    let mut sorted: Vec<u64> = times.collect();
    sorted.sort_unstable();
    for t in sorted {
        let x = scale.x(t);
        match groups.last_mut() {
            Some((last, count)) if x - *last < 1.0 => *count += 1,
            _ => groups.push((x, 1)),
        }
    }
    groups
}

/// One task's row: a bar per band of polls (bands closer than a pixel merged, the bar saying
/// how many polls it stands for), and a mark per wake that was not its own.
fn task_row(svg: &mut String, scale: &Scale, number: usize, task: &Task, run: &Run) {
    let y = row_y(number);
    let name = if task.cleanup {
        format!("task {number} ✚")
    } else {
        format!("task {number}")
    };
    let _ = writeln!(
        svg,
        "<g class=\"task\" data-task=\"{number}\"><text x=\"4\" y=\"{:.1}\">{name}</text>",
        y + 15.0
    );
    bars(svg, scale, y, task.bands.iter().copied());
    let wakes = run.wakes.iter().filter(|w| w.task == number);
    for wake in wakes {
        let (color, by) = match wake.by {
            By::Task(other) => (WAKE, format!("task {other}")),
            By::Timer => (TIMER, "a timer".to_owned()),
            By::Socket(token) => (SOCKET, format!("socket {token}")),
            By::Thread => (THREAD, "another thread".to_owned()),
            By::Outside => (WAKE, "code outside the loop".to_owned()),
        };
        let _ = writeln!(
            svg,
            "<circle class=\"wake\" cx=\"{x:.1}\" cy=\"{cy:.1}\" r=\"3.5\" fill=\"{color}\">\
             <title>woken by {by} at {at}</title></circle>",
            x = scale.x(wake.at),
            cy = y + ROW - 6.0,
            at = duration(wake.at),
        );
    }
    svg.push_str("</g>\n");
}

/// The bars of one row: bands closer than a pixel merged, each bar at least a pixel wide.
fn bars(svg: &mut String, scale: &Scale, y: f64, bands: impl Iterator<Item = super::model::Band>) {
    let mut sorted: Vec<_> = bands.collect();
    sorted.sort_by_key(|band| band.start);
    let mut merged: Vec<(f64, f64, u64, bool, u64, u64)> = Vec::new();
    for band in sorted {
        let (x0, x1) = (
            scale.x(band.start),
            scale.x(band.end).max(scale.x(band.start) + 1.0),
        );
        match merged.last_mut() {
            Some(last) if x0 - last.1 < 1.0 => {
                last.1 = last.1.max(x1);
                last.2 += band.polls;
                last.3 = band.ready;
                last.5 = band.end;
            }
            _ => merged.push((x0, x1, band.polls, band.ready, band.start, band.end)),
        }
    }
    for (x0, x1, polls, ready, start, end) in merged {
        let (color, state) = if ready {
            (READY, "the last one Ready")
        } else {
            (PENDING, "Pending")
        };
        let what = if polls == 1 {
            "1 poll".to_owned()
        } else {
            format!("{polls} polls")
        };
        let _ = writeln!(
            svg,
            "<rect class=\"poll\" data-polls=\"{polls}\" x=\"{x0:.1}\" y=\"{y1:.1}\" \
             width=\"{w:.1}\" height=\"{h}\" fill=\"{color}\"><title>{what}, {state}: {} – {}\
             </title></rect>",
            duration(start),
            duration(end),
            y1 = y + 2.0,
            w = x1 - x0,
            h = ROW - 8.0,
        );
    }
}

/// The last row, for the tasks beyond [`MAX_ROWS`]: all their polls on one line.
fn folded_row(svg: &mut String, scale: &Scale, run: &Run) {
    let y = row_y(MAX_ROWS + 1);
    let (first, last) = (MAX_ROWS + 1, run.tasks.len());
    let _ = writeln!(
        svg,
        "<g class=\"folded\"><text x=\"4\" y=\"{:.1}\">tasks {first}–{last}</text>",
        y + 15.0
    );
    let bands = run
        .tasks
        .iter()
        .skip(MAX_ROWS)
        .flat_map(|task| task.bands.iter().copied());
    bars(svg, scale, y, bands);
    svg.push_str("</g>\n");
}

/// What the colors and shapes mean.
fn legend(svg: &mut String, y: f64) {
    let items = [
        ("rect", PENDING, "poll, Pending"),
        ("rect", READY, "poll, Ready"),
        ("rect", WAIT, "waiting in the kernel"),
        ("path", TIMER, "timer fired"),
        ("path", SOCKET, "socket ready"),
        ("circle", WAKE, "woken by a task"),
        ("circle", THREAD, "woken by another thread"),
    ];
    let mut x = 10.0;
    svg.push_str("<g class=\"legend\">");
    for (shape, color, label) in items {
        let _ = match shape {
            "rect" => write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"14\" height=\"14\" fill=\"{color}\"/>"
            ),
            "path" => write!(
                svg,
                "<path d=\"M{} {} l-6 -10 h12 z\" fill=\"{color}\"/>",
                x + 7.0,
                y + 12.0
            ),
            _ => write!(
                svg,
                "<circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"{color}\"/>",
                x + 7.0,
                y + 7.0
            ),
        };
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\">{label}</text>",
            x + 20.0,
            y + 12.0
        );
        x += 20.0 + 8.0 * label.len() as f64 + 16.0;
    }
    svg.push_str("</g>\n");
}

/// Text made safe for XML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
