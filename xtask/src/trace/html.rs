//! The picture of a program's runs: one self-contained page (no script, no network), laid out
//! for a projector at 1280×720: text of 16 px or more, the page's whole width, a band per run
//! of the loop with its own axis from 0, a row per task named as the program named it, every
//! poll at least 2 px wide, the program's own lines where they were printed, and a legend entry
//! for every kind of mark drawn. The page is well-formed XML, so that a test can read it back;
//! whatever the program printed is text in it, never markup.
//!
//! Two programs traced side by side (`trace N talk --python`: the talk's Python twin and our
//! Rust demo) share one page: each run's chart holds both, one above the other under their
//! titles, each from its own start on one time axis, and so does the overview.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::Program;
use super::model::{Band, By, Run, Said, Task, Trace};
use super::stats::{self, TaskStats, Warning};

/// Width of the drawings, in the units of their `viewBox`: they fill the page's width, which is
/// at least this at 1280 px (margins and a scroll bar aside), so 16 units are 16 px or more.
const WIDTH: f64 = 1240.0;
/// Where the timelines start, after the rows' names.
const LEFT: f64 = 300.0;
/// Room kept right of a timeline, for its last axis label.
const RIGHT: f64 = 28.0;
/// Height of a row.
const ROW: f64 = 26.0;
/// Height of a bar of polls, within its row.
const BAR: f64 = 16.0;
/// Height of the time axis above a run's rows.
const AXIS: f64 = 26.0;
/// Narrowest bar of polls: a poll of a microsecond still shows.
const MIN_BAR: f64 = 2.0;
/// Rows drawn one task each, per run; the tasks after them share one last row.
pub const MAX_ROWS: usize = 40;
/// Tasks listed in the table at the end of the page (a server may have had thousands).
const MAX_TABLE: usize = 200;
/// Characters of a task's name that fit its row's label.
const NAME_CHARS: usize = 28;

/// Colours, named for the legend and the tests.
const PENDING: &str = "#4e79a7";
const BUSY: &str = "#f28e2b";
const READY: &str = "#59a14f";
const WAIT: &str = "#d5d5d5";
const QUEUE: &str = "#76b7b2";
const TIMER: &str = "#9c755f";
const SOCKET: &str = "#b07aa1";
const BY_TASK: &str = "#1f3b57";
const THREAD: &str = "#e15759";
const OUTSIDE: &str = "#8c8c8c";
const LINE: &str = "#222222";
const WARN: &str = "#d62728";
const ALIVE: &str = "#c8c8c8";

/// A kind of mark, for the legend: only those drawn get an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    Pending,
    Busy,
    Ready,
    FinalReady,
    Alive,
    Wait,
    Spin,
    Queue,
    Timer,
    Socket,
    WokenByTask,
    WokenByTimer,
    WokenBySocket,
    WokenByThread,
    WokenOutside,
    Line,
    BusyWait,
    BusyLoop,
    SlowPoll,
    Lost,
    Cleanup,
}

impl Mark {
    /// The legend's words for it.
    fn words(self) -> &'static str {
        match self {
            Mark::Pending => "polls, Pending",
            Mark::Busy => "polls that only woke their own task (spinning)",
            Mark::Ready => "poll, Ready",
            Mark::FinalReady => "its last poll Ready",
            Mark::Alive => "task alive, not polled",
            Mark::Wait => "loop asleep in the kernel",
            Mark::Spin => "loop going round with nothing to poll (spinning, on the CPU)",
            Mark::Queue => "tasks queued for the next turn",
            Mark::Timer => "timer fired",
            Mark::Socket => "socket ready",
            Mark::WokenByTask => "woken by a task",
            Mark::WokenByTimer => "woken by a timer",
            Mark::WokenBySocket => "woken by a socket",
            Mark::WokenByThread => "woken by another thread",
            Mark::WokenOutside => "woken from outside the loop",
            Mark::Line => "a line it printed",
            Mark::BusyWait => "busy wait (it woke itself, and did nothing else)",
            Mark::BusyLoop => "busy loop (it spun, never in the kernel)",
            Mark::SlowPoll => "slow poll (over 100 ms)",
            Mark::Lost => "lost wake",
            Mark::Cleanup => "cleanup task (a drop handed it over)",
        }
    }

    /// Its symbol, drawn at `(x, y)` (the top left of a 16×16 box).
    fn symbol(self, x: f64, y: f64) -> String {
        match self {
            Mark::Pending => square(x, y, PENDING),
            Mark::Busy => square(x, y, BUSY),
            Mark::Ready => square(x, y, READY),
            Mark::FinalReady => format!(
                "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"3\" height=\"16\" fill=\"{READY}\"/>",
                x + 6.0
            ),
            Mark::Alive => format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"16\" height=\"2\" fill=\"{ALIVE}\"/>",
                y + 7.0
            ),
            Mark::Wait => square(x, y, WAIT),
            Mark::Spin => square(x, y, BUSY),
            Mark::Queue => square(x, y, QUEUE),
            Mark::Timer => triangle(x + 8.0, y + 13.0, TIMER),
            Mark::Socket => triangle(x + 8.0, y + 13.0, SOCKET),
            Mark::WokenByTask => dot(x + 8.0, y + 8.0, BY_TASK),
            Mark::WokenByTimer => dot(x + 8.0, y + 8.0, TIMER),
            Mark::WokenBySocket => dot(x + 8.0, y + 8.0, SOCKET),
            Mark::WokenByThread => dot(x + 8.0, y + 8.0, THREAD),
            Mark::WokenOutside => dot(x + 8.0, y + 8.0, OUTSIDE),
            Mark::Line => line_mark(x + 5.0, y + 2.0),
            Mark::BusyWait | Mark::BusyLoop | Mark::SlowPoll => warning_mark(x + 8.0, y + 1.0),
            Mark::Lost => lost_mark(x + 8.0, y + 8.0),
            Mark::Cleanup => format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"symbol\">✚</text>",
                x + 1.0,
                y + 14.0
            ),
        }
    }
}

/// The page for `trace`, titled `title`.
pub fn page(title: &str, trace: &Trace) -> String {
    programs_page(title, &[Program { title: "", trace }])
}

/// The page for several programs run side by side (the talk's Python and our Rust): one above
/// the other, each under its title, in the overview and in each run, on one time axis.
pub fn programs_page(title: &str, programs: &[Program<'_>]) -> String {
    let warnings: Vec<Vec<Warning>> = programs.iter().map(|p| stats::warnings(p.trace)).collect();
    let mut marks = BTreeSet::new();
    let mut runs = String::new();
    let most = programs.iter().map(|p| p.trace.runs.len()).max();
    for index in 0..most.unwrap_or(0) {
        runs += &run_section(programs, index, &warnings, &mut marks);
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n\
         <meta charset=\"utf-8\"/>\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n\
         <body>\n<h1>{title}</h1>\n",
        title = xml(title),
    );
    for program in programs {
        let _ = writeln!(
            out,
            "<p class=\"summary\">{}{}</p>",
            strong(program.title, " · "),
            xml(&stats::trace_line(program.trace)),
        );
    }
    let overview = overview(programs, &mut marks);
    for (program, warnings) in programs.iter().zip(&warnings) {
        out += &warning_list(program, warnings);
    }
    out += &legend(&marks);
    out += &overview;
    out += &runs;
    for (program, warnings) in programs.iter().zip(&warnings) {
        if !program.title.is_empty() {
            let _ = writeln!(out, "<h2>{}: its tasks</h2>", xml(program.title));
        }
        out += &task_table(program.trace, warnings);
    }
    out += "</body>\n</html>\n";
    out
}

/// `<strong>title</strong>` and `after`, or nothing for a page of one untitled program.
fn strong(title: &str, after: &str) -> String {
    match title {
        "" => String::new(),
        title => format!("<strong>{}</strong>{after}", xml(title)),
    }
}

/// Page styles: nothing under 16 px, for the back of a room.
const STYLE: &str = "body{font-family:sans-serif;margin:12px;color:#222;font-size:16px}\
h1{font-size:24px;margin:0 0 2px}h2{font-size:18px;margin:14px 0 0}\
p{margin:2px 0}p.summary{font-size:18px}p.stats{color:#555}\
ul.warnings{margin:4px 0;padding-left:22px;color:#b00}p.calm{color:#2e7d32}\
svg{display:block;width:100%;height:auto}\
text{font-size:16px;font-family:sans-serif;fill:#222}text.axis{fill:#666}\
text.program{font-weight:bold}\
text.said{paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}\
text.symbol{font-size:16px}\
table{border-collapse:collapse;margin-top:16px}th,td{padding:2px 10px;text-align:right}\
th{border-bottom:1px solid #999}td.name,th.name{text-align:left}tr.warned td{color:#b00}";

/// A program's warnings, one line per kind: how many, and the worst.
fn warning_list(program: &Program<'_>, warnings: &[Warning]) -> String {
    let trace = program.trace;
    if warnings.is_empty() {
        return format!(
            "<p class=\"calm\">{}No warning: no busy wait or busy loop, no poll over 100 ms, no lost wake.\
             </p>\n",
            strong(program.title, ": "),
        );
    }
    let mut out = String::from("<ul class=\"warnings\">\n");
    for kind in ["busy loop", "busy wait", "slow poll", "lost wake"] {
        let mut of_kind: Vec<&Warning> = warnings.iter().filter(|w| w.kind() == kind).collect();
        of_kind.sort_by_key(|w| std::cmp::Reverse(w.weight()));
        let Some(first) = of_kind.first() else {
            continue;
        };
        let others = match of_kind.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        let _ = writeln!(
            out,
            "<li>{}⚠ {kind}: {} (run {}) {}{others}</li>",
            strong(program.title, ": "),
            xml(&short(&first.subject(trace), 48)),
            first.run(trace),
            xml(&first.detail())
        );
    }
    out + "</ul>\n"
}

/// The legend: every kind of mark drawn on the page, and only those.
fn legend(marks: &BTreeSet<Mark>) -> String {
    let (mut x, mut y) = (0.0, 4.0);
    let mut items = String::new();
    for mark in marks {
        let words = mark.words();
        let width = 24.0 + text_width(words) + 22.0;
        if x + width > WIDTH {
            (x, y) = (0.0, y + 24.0);
        }
        items += &mark.symbol(x, y);
        let _ = write!(
            items,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 22.0,
            y + 14.0,
            xml(words)
        );
        x += width;
    }
    let height = y + 22.0;
    format!(
        "<svg class=\"legend\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} \
         {height}\" preserveAspectRatio=\"xMinYMin meet\">{items}</svg>\n"
    )
}

/// About how wide `text` is at 16 px, in pixels.
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * 8.4
}

/// The whole program at a glance, on the log's clock from 0: a row per run of the loop, with
/// its waits in the kernel, its spins and all its tasks' polls together. A loop that spins is
/// a solid bar; one that sleeps is grey with thin ticks. Several programs share one axis, each
/// under its title.
fn overview(programs: &[Program<'_>], marks: &mut BTreeSet<Mark>) -> String {
    let end = programs.iter().map(|p| p.trace.end()).max().unwrap_or(0);
    let scale = Scale {
        start: 0,
        length: end.max(1),
    };
    let mut svg = String::new();
    let mut row = 0;
    for program in programs {
        if !program.title.is_empty() {
            program_row(&mut svg, row_y(row), program.title);
            row += 1;
        }
        for run in &program.trace.runs {
            let y = row_y(row);
            row += 1;
            let title = run.title.as_deref().unwrap_or("");
            let name = short(&format!("run {} {title}", run.number), NAME_CHARS + 2);
            svg.push_str("<g class=\"overview\">");
            let full = format!("run {} {title}", run.number);
            row_name(&mut svg, y, &name, &full);
            waits(&mut svg, &scale, y, run, marks);
            spins(&mut svg, &scale, y, run, marks);
            let trace = program.trace;
            let bands = trace
                .tasks_of(run)
                .flat_map(|task| task.bands.iter().copied());
            bars(
                &mut svg,
                &scale,
                y,
                &format!("run {}", run.number),
                bands,
                marks,
            );
            svg.push_str("</g>\n");
        }
    }
    let height = AXIS + ROW * row as f64 + 4.0;
    let mut drawn = String::new();
    axis(&mut drawn, &scale, height);
    let heading = match programs.len() {
        1 => "the whole program, on the log's clock",
        _ => "each program, on its log's clock",
    };
    format!(
        "<h2>{heading}</h2>\n<svg class=\"overview\" \
         xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         preserveAspectRatio=\"xMinYMin meet\">\n{drawn}{svg}</svg>\n"
    )
}

/// A program's title across a chart, above its rows.
fn program_row(svg: &mut String, y: f64, title: &str) {
    let _ = writeln!(
        svg,
        "<rect class=\"program\" x=\"0\" y=\"{:.1}\" width=\"{WIDTH}\" height=\"{:.1}\" \
         fill=\"#eeeeee\"/><text class=\"program\" x=\"4\" y=\"{:.1}\">{}</text>",
        y + 1.0,
        ROW - 2.0,
        y + 18.0,
        xml(title)
    );
}

/// Run `index + 1` of every program: its title, each program's figures, and one chart where
/// the programs' runs lie one above the other, each from its own start, on one time axis.
fn run_section(
    programs: &[Program<'_>],
    index: usize,
    warnings: &[Vec<Warning>],
    marks: &mut BTreeSet<Mark>,
) -> String {
    let number = index + 1;
    let title = (programs.iter())
        .filter_map(|p| p.trace.runs.get(index))
        .find_map(|run| run.title.clone());
    let title = match title {
        Some(title) => format!("run {number} · {title}"),
        None => format!("run {number}"),
    };
    let mut figures = String::new();
    let mut blocks = Vec::new();
    for (program, warnings) in programs.iter().zip(warnings) {
        let Some(run) = program.trace.runs.get(index) else {
            let _ = writeln!(
                figures,
                "<p class=\"stats\">{}no run {number}</p>",
                strong(program.title, ": ")
            );
            continue;
        };
        let from = stats::millis(run.start);
        let _ = writeln!(
            figures,
            "<p class=\"stats\">{}{}</p>",
            strong(program.title, " · "),
            xml(&format!(
                "at {from} on the log's clock · {}",
                stats::run_line(program.trace, run)
            )),
        );
        blocks.push(Block {
            title: program.title,
            trace: program.trace,
            run,
            warnings,
        });
    }
    format!(
        "<h2 id=\"run-{number}\">{}</h2>\n{figures}{}",
        xml(&title),
        chart(&blocks, marks)
    )
}

/// Nanoseconds of a run to the x of its chart.
struct Scale {
    /// When the run began: x = `LEFT`.
    start: u64,
    /// How long it lasted: x = `WIDTH - RIGHT`.
    length: u64,
}

impl Scale {
    /// The x of time `t`.
    fn x(&self, t: u64) -> f64 {
        let into = t.saturating_sub(self.start).min(self.length) as f64;
        LEFT + into * (WIDTH - LEFT - RIGHT) / self.length as f64
    }
}

/// One program's run in a chart.
struct Block<'a> {
    /// The program's title, or none.
    title: &'a str,
    /// Its recording.
    trace: &'a Trace,
    /// The run.
    run: &'a Run,
    /// The program's warnings.
    warnings: &'a [Warning],
}

/// A run's chart: its time axis, then per program (under its title, if it has one) the loop's
/// row, the ready queue, a row per task. The axis is the longest run's; each run starts at 0.
fn chart(blocks: &[Block<'_>], marks: &mut BTreeSet<Mark>) -> String {
    let length = blocks.iter().map(|b| b.run.duration()).max().unwrap_or(0);
    let length = length.max(1);
    let mut svg = String::new();
    let mut row = 0;
    for block in blocks {
        let scale = Scale {
            start: block.run.start,
            length,
        };
        let (trace, run) = (block.trace, block.run);
        let _ = write!(
            svg,
            "<g class=\"half\" data-title=\"{}\">",
            xml(block.title)
        );
        if !block.title.is_empty() {
            program_row(&mut svg, row_y(row), block.title);
            row += 1;
        }
        loop_row(&mut svg, &scale, row_y(row), run, block.warnings, marks);
        queue_row(&mut svg, &scale, row_y(row + 1), run, marks);
        row += 2;
        let tasks: Vec<&Task> = trace.tasks_of(run).collect();
        for task in tasks.iter().take(MAX_ROWS) {
            let warned: Vec<&Warning> = (block.warnings.iter())
                .filter(|w| w.task() == Some(task.number))
                .collect();
            task_row(&mut svg, &scale, row_y(row), task, run, &warned, marks);
            row += 1;
        }
        if tasks.len() > MAX_ROWS {
            folded_row(&mut svg, &scale, row_y(row), &tasks[MAX_ROWS..], marks);
            row += 1;
        }
        svg.push_str("</g>\n");
    }
    let height = AXIS + ROW * row as f64 + 4.0;
    let mut drawn = String::new();
    axis(&mut drawn, &Scale { start: 0, length }, height);
    format!(
        "<svg class=\"run\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         preserveAspectRatio=\"xMinYMin meet\">\n{drawn}{svg}</svg>\n"
    )
}

/// The y of the top of row `row` (0: the loop's row, 1: the ready queue, then the tasks).
fn row_y(row: usize) -> f64 {
    AXIS + ROW * row as f64
}

/// The time axis: a tick and a label at round times, from 0 at the run's start.
fn axis(svg: &mut String, scale: &Scale, height: f64) {
    let step = tick_step(scale.length);
    let unit = Unit::for_length(scale.length);
    let mut t = 0;
    while t <= scale.length {
        let x = scale.x(scale.start + t);
        let anchor = match x {
            _ if t == 0 => "start",
            x if x > WIDTH - 40.0 => "end",
            _ => "middle",
        };
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{y1}\" x2=\"{x:.1}\" y2=\"{y2:.1}\" stroke=\"#e4e4e4\"/>\
             <text class=\"axis\" x=\"{x:.1}\" y=\"17\" text-anchor=\"{anchor}\">{}</text>",
            unit.label(t),
            y1 = AXIS - 4.0,
            y2 = height - 2.0,
        );
        t += step;
    }
}

/// A round interval between ticks: about six across the run.
fn tick_step(length: u64) -> u64 {
    let rough = (length / 6).max(1);
    let magnitude = 10u64.pow(rough.ilog10());
    [1, 2, 5, 10]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(magnitude * 10)
}

/// The unit of a run's axis, one for all its labels.
#[derive(Clone, Copy)]
enum Unit {
    /// Microseconds, for runs under 2 ms.
    Micros,
    /// Milliseconds.
    Millis,
    /// Seconds, for runs of 20 s and more.
    Seconds,
}

impl Unit {
    /// The unit for a run of `length` nanoseconds.
    fn for_length(length: u64) -> Unit {
        match length {
            l if l < 2_000_000 => Unit::Micros,
            l if l < 20_000_000_000 => Unit::Millis,
            _ => Unit::Seconds,
        }
    }

    /// `t` nanoseconds in this unit: `0 ms`, `150 ms`, `0.5 ms`.
    fn label(self, t: u64) -> String {
        let (value, unit) = match self {
            Unit::Micros => (t as f64 / 1e3, "µs"),
            Unit::Millis => (t as f64 / 1e6, "ms"),
            Unit::Seconds => (t as f64 / 1e9, "s"),
        };
        let text = format!("{value:.1}");
        format!("{} {unit}", text.strip_suffix(".0").unwrap_or(&text))
    }
}

/// A row's name, left of its timeline.
fn row_name(svg: &mut String, y: f64, name: &str, full: &str) {
    let _ = write!(
        svg,
        "<text x=\"4\" y=\"{:.1}\">{}<title>{}</title></text>",
        y + 18.0,
        xml(name),
        xml(full)
    );
}

/// The loop's own row: its waits in the kernel, its spins on the CPU, the timers it fired, the
/// sockets it heard, the lines printed during the run outside any poll, and a busy loop's
/// warning where it began.
fn loop_row(
    svg: &mut String,
    scale: &Scale,
    y: f64,
    run: &Run,
    warnings: &[Warning],
    marks: &mut BTreeSet<Mark>,
) {
    svg.push_str("<g class=\"loop\">");
    row_name(svg, y, "the loop", "the loop's own row");
    waits(svg, scale, y, run, marks);
    spins(svg, scale, y, run, marks);
    let timers = per_pixel(scale, run.timers.iter().copied());
    for (x, count, first) in timers {
        let what = format!("timer fired ×{count}, first at {}", stats::millis(first));
        let _ = write!(svg, "{}", titled(triangle(x, y + 12.0, TIMER), &what));
        marks.insert(Mark::Timer);
    }
    let sockets = per_pixel(scale, run.sockets.iter().map(|s| s.0));
    for (x, count, first) in sockets {
        let what = format!("socket ready ×{count}, first at {}", stats::millis(first));
        let _ = write!(svg, "{}", titled(triangle(x, y + 24.0, SOCKET), &what));
        marks.insert(Mark::Socket);
    }
    said_marks(svg, scale, y, &run.said, &[], marks);
    let of_this_run =
        |w: &&Warning| matches!(w, Warning::BusyLoop { run: n, .. } if *n == run.number);
    for warning in warnings.iter().filter(of_this_run) {
        let what = format!("{}: the loop {}", warning.kind(), warning.detail());
        svg.push_str(&titled(warning_mark(scale.x(warning.at()), y + 5.0), &what));
        marks.insert(Mark::BusyLoop);
    }
    svg.push_str("</g>\n");
}

/// The times `run`'s loop went round with nothing to poll, orange, on the row at `y`: a loop
/// that waits on the CPU where another would sleep in the kernel.
fn spins(svg: &mut String, scale: &Scale, y: f64, run: &Run, marks: &mut BTreeSet<Mark>) {
    for spin in &run.spins {
        let (x0, x1) = (scale.x(spin.start), scale.x(spin.end));
        let cpu = spin.cpu.map_or(String::new(), |cpu| {
            format!(", {} of CPU", stats::millis(cpu))
        });
        let _ = write!(
            svg,
            "<rect class=\"spin\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{BAR}\" \
             fill=\"{BUSY}\"><title>spinning with nothing to poll from {} for {}: {} turns{cpu}\
             </title></rect>",
            y + 5.0,
            (x1 - x0).max(MIN_BAR),
            stats::millis(spin.start),
            stats::millis(spin.end.saturating_sub(spin.start)),
            stats::thousands(spin.turns),
        );
        marks.insert(Mark::Spin);
    }
}

/// The waits of `run` in the kernel, grey, on the row at `y`.
fn waits(svg: &mut String, scale: &Scale, y: f64, run: &Run, marks: &mut BTreeSet<Mark>) {
    for wait in &run.waits {
        let (x0, x1) = (scale.x(wait.start), scale.x(wait.end));
        let until = wait.timeout.map_or("until woken".to_owned(), |t| {
            format!("at most {}", stats::millis(t))
        });
        let _ = write!(
            svg,
            "<rect class=\"wait\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{BAR}\" \
             fill=\"{WAIT}\"><title>asleep in the kernel from {} for {} ({until})</title></rect>",
            y + 5.0,
            (x1 - x0).max(MIN_BAR),
            stats::millis(wait.start),
            stats::millis(wait.end.saturating_sub(wait.start)),
        );
        marks.insert(Mark::Wait);
    }
}

/// The ready queue's length as a step chart: how many tasks the loop had to poll.
fn queue_row(svg: &mut String, scale: &Scale, y: f64, run: &Run, marks: &mut BTreeSet<Mark>) {
    let max = run.queue_max();
    row_name(
        svg,
        y,
        &format!("ready queue (≤ {max})"),
        "how many tasks the loop had queued to poll",
    );
    if max == 0 {
        return;
    }
    marks.insert(Mark::Queue);
    let bottom = y + ROW - 3.0;
    let height = |n: usize| bottom - (ROW - 6.0) * n as f64 / max as f64;
    let mut path = format!("M{LEFT:.1} {bottom:.1}");
    let mut level = bottom;
    for (t, n) in &run.queue {
        let x = scale.x(*t);
        let _ = write!(path, " L{x:.1} {level:.1} L{x:.1} {:.1}", height(*n));
        level = height(*n);
    }
    let end = scale.x(run.end);
    let _ = write!(path, " L{end:.1} {level:.1} L{end:.1} {bottom:.1} Z");
    let _ = writeln!(
        svg,
        "<path class=\"queue\" d=\"{path}\" fill=\"{QUEUE}\"><title>ready queue: {max} tasks at \
         most</title></path>"
    );
}

/// Times grouped by pixel: `(x, how many, the first)`.
fn per_pixel(scale: &Scale, times: impl Iterator<Item = u64>) -> Vec<(f64, usize, u64)> {
    let mut sorted: Vec<u64> = times.collect();
    sorted.sort_unstable();
    let mut groups: Vec<(f64, usize, u64)> = Vec::new();
    for t in sorted {
        let x = scale.x(t);
        match groups.last_mut() {
            Some((last, count, _)) if x - *last < 2.0 => *count += 1,
            _ => groups.push((x, 1, t)),
        }
    }
    groups
}

/// One task's row: its life as a thin line, a bar per band of polls (bands closer than a
/// pixel merged, the bar saying what it merges), a dot per wake that was not its own, a mark
/// per line it printed, and its warnings where they arose.
fn task_row(
    svg: &mut String,
    scale: &Scale,
    y: f64,
    task: &Task,
    run: &Run,
    warnings: &[&Warning],
    marks: &mut BTreeSet<Mark>,
) {
    let _ = write!(svg, "<g class=\"task\" data-task=\"{}\">", task.number);
    let name = task.name.as_deref().unwrap_or("");
    let mut label = short(&format!("{} {name}", task.number), NAME_CHARS);
    if task.cleanup {
        label += " ✚";
        marks.insert(Mark::Cleanup);
    }
    let named = match (&task.name, task.named_from_line) {
        (None, _) => format!("task {}: its future had no name to give", task.number),
        (Some(_), true) => format!("{}: named after its first line", task.label()),
        (Some(_), false) => task.label(),
    };
    row_name(svg, y, &label, &named);
    let end = task.finished.unwrap_or(run.end);
    let (x0, x1) = (scale.x(task.added), scale.x(end));
    let _ = write!(
        svg,
        "<rect class=\"alive\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"2\" \
         fill=\"{ALIVE}\"/>",
        y + 12.0,
        (x1 - x0).max(1.0)
    );
    marks.insert(Mark::Alive);
    bars(
        svg,
        scale,
        y,
        &task.label(),
        task.bands.iter().copied(),
        marks,
    );
    wake_dots(svg, scale, y, task, marks);
    said_marks(svg, scale, y, &task.said, &task.bands, marks);
    for warning in warnings {
        let x = scale.x(warning.at());
        let what = format!("{}: {} {}", warning.kind(), task.label(), warning.detail());
        let symbol = match warning {
            Warning::LostWake { .. } => {
                marks.insert(Mark::Lost);
                lost_mark(x, y + 13.0)
            }
            Warning::BusyWait { .. } => {
                marks.insert(Mark::BusyWait);
                warning_mark(x, y + 5.0)
            }
            Warning::SlowPoll { .. } => {
                marks.insert(Mark::SlowPoll);
                warning_mark(x, y + 5.0)
            }
            Warning::BusyLoop { .. } => {
                marks.insert(Mark::BusyLoop);
                warning_mark(x, y + 5.0)
            }
        };
        svg.push_str(&titled(symbol, &what));
    }
    svg.push_str("</g>\n");
}

/// Polls of a task drawn together: a bar.
struct Bar {
    /// Its left edge.
    x0: f64,
    /// Its right edge.
    x1: f64,
    /// The bands it draws.
    bands: Band,
    /// How many of them ended `Ready`.
    readies: u64,
}

/// The bars of one row: bands closer than a pixel merged, each at least [`MIN_BAR`] wide,
/// coloured by what most of their polls returned, with a tick for a final `Ready` that the
/// colour does not show.
fn bars(
    svg: &mut String,
    scale: &Scale,
    y: f64,
    whose: &str,
    bands: impl Iterator<Item = Band>,
    marks: &mut BTreeSet<Mark>,
) {
    let mut sorted: Vec<Band> = bands.collect();
    sorted.sort_by_key(|band| band.start);
    let mut merged: Vec<Bar> = Vec::new();
    for band in sorted {
        let x0 = scale.x(band.start);
        let x1 = scale.x(band.end).max(x0 + MIN_BAR);
        match merged.last_mut() {
            Some(last) if x0 - last.x1 < 1.0 => {
                last.x1 = last.x1.max(x1);
                let b = &mut last.bands;
                b.end = b.end.max(band.end);
                b.polls += band.polls;
                b.ready = band.ready;
                b.quiet += band.quiet;
                b.self_wakes += band.self_wakes;
                b.busy += band.busy;
                last.readies += u64::from(band.ready);
            }
            _ => merged.push(Bar {
                x0,
                x1,
                bands: band,
                readies: u64::from(band.ready),
            }),
        }
    }
    for bar in merged {
        let band = bar.bands;
        let (color, mark) = if band.quiet * 2 > band.polls {
            (BUSY, Mark::Busy)
        } else if bar.readies * 2 > band.polls {
            (READY, Mark::Ready)
        } else {
            (PENDING, Mark::Pending)
        };
        marks.insert(mark);
        let what = format!("{whose}: {}", mix(&band, bar.readies));
        let _ = write!(
            svg,
            "<rect class=\"poll\" data-polls=\"{}\" data-ready=\"{}\" x=\"{:.1}\" y=\"{:.1}\" \
             width=\"{:.1}\" height=\"{BAR}\" fill=\"{color}\"><title>{}</title></rect>",
            band.polls,
            bar.readies,
            bar.x0,
            y + 5.0,
            bar.x1 - bar.x0,
            xml(&what),
        );
        if bar.readies > 0 && color != READY {
            marks.insert(Mark::FinalReady);
            let _ = write!(
                svg,
                "<rect class=\"final-ready\" x=\"{:.1}\" y=\"{:.1}\" width=\"3\" height=\"{}\" \
                 fill=\"{READY}\"/>",
                bar.x1 - 1.5,
                y + 2.0,
                ROW - 4.0
            );
        }
    }
}

/// What a bar's polls returned, in words: `161,940 polls: 161,939 Pending (161,938 only woke
/// the task again), then Ready; 12.3 ms in poll, from 306.0 ms to 405.9 ms`.
fn mix(band: &Band, readies: u64) -> String {
    let polls = band.polls;
    let pending = polls.saturating_sub(readies);
    let when = format!(
        "{} in poll, from {} to {}",
        stats::millis(band.busy),
        stats::millis(band.start),
        stats::millis(band.end)
    );
    let only = match band.quiet {
        0 => String::new(),
        quiet => format!(" ({} only woke the task again)", stats::thousands(quiet)),
    };
    let returned = match (polls, pending, readies) {
        (1, 0, _) => "1 poll, Ready".to_owned(),
        (1, _, _) => format!("1 poll, Pending{only}"),
        (_, _, 0) => format!("{} polls, all Pending{only}", stats::thousands(polls)),
        (_, 0, _) => format!("{} polls, all Ready", stats::thousands(polls)),
        (_, _, 1) if band.ready => format!(
            "{} polls: {} Pending{only}, then Ready",
            stats::thousands(polls),
            stats::thousands(pending)
        ),
        _ => format!(
            "{} polls: {} Pending{only}, {} Ready",
            stats::thousands(polls),
            stats::thousands(pending),
            stats::thousands(readies)
        ),
    };
    format!("{returned}; {when}")
}

/// A dot per group of wakes of one cause within a pixel or two.
fn wake_dots(svg: &mut String, scale: &Scale, y: f64, task: &Task, marks: &mut BTreeSet<Mark>) {
    type Kind = (&'static str, Mark, fn(By) -> bool);
    let kinds: [Kind; 5] = [
        ("a task", Mark::WokenByTask, |by| matches!(by, By::Task(_))),
        ("a timer", Mark::WokenByTimer, |by| by == By::Timer),
        ("a socket", Mark::WokenBySocket, |by| {
            matches!(by, By::Socket(_))
        }),
        ("another thread", Mark::WokenByThread, |by| by == By::Thread),
        ("code outside the loop", Mark::WokenOutside, |by| {
            by == By::Outside
        }),
    ];
    for (who, mark, test) in kinds {
        let times = task.wakes.iter().filter(|w| test(w.by)).map(|w| w.at);
        for (x, count, first) in per_pixel(scale, times) {
            let color = match mark {
                Mark::WokenByTask => BY_TASK,
                Mark::WokenByTimer => TIMER,
                Mark::WokenBySocket => SOCKET,
                Mark::WokenByThread => THREAD,
                _ => OUTSIDE,
            };
            let what = match count {
                1 => format!("woken by {who} at {}", stats::millis(first)),
                n => format!("woken by {who} ×{n}, first at {}", stats::millis(first)),
            };
            svg.push_str(&titled(dot(x, y + ROW - 5.0, color), &what));
            marks.insert(mark);
        }
    }
}

/// A mark per group of lines printed within a few pixels, the lines in its tooltip; the text
/// itself beside the mark when there is room before the next one and no bar under it.
fn said_marks(
    svg: &mut String,
    scale: &Scale,
    y: f64,
    said: &[Said],
    bands: &[Band],
    marks: &mut BTreeSet<Mark>,
) {
    let mut groups: Vec<(f64, Vec<&Said>)> = Vec::new();
    for line in said {
        let x = scale.x(line.at);
        match groups.last_mut() {
            Some((last, lines)) if x - *last < 4.0 => lines.push(line),
            _ => groups.push((x, vec![line])),
        }
    }
    for (index, (x, lines)) in groups.iter().enumerate() {
        let mut what: Vec<String> = lines
            .iter()
            .take(8)
            .map(|line| format!("[{}] {}: {}", stats::millis(line.at), line.label, line.text))
            .collect();
        if lines.len() > 8 {
            what.push(format!("… and {} more lines", lines.len() - 8));
        }
        svg.push_str(&titled(line_mark(*x, y + 3.0), &what.join("\n")));
        marks.insert(Mark::Line);
        // Room until the next mark, or the next poll after the one that printed the line.
        let next = groups.get(index + 1).map_or(WIDTH - 4.0, |(next, _)| *next);
        let polls = bands.iter().map(|b| (scale.x(b.start), scale.x(b.end)));
        let next = polls
            .filter(|(_, x1)| *x1 > x + 4.0)
            .map(|(x0, _)| x0.max(x + 8.0))
            .fold(next, f64::min);
        let room = next - x - 12.0;
        if lines.len() == 1 && room > 40.0 {
            let chars = (room / 8.4) as usize;
            let _ = write!(
                svg,
                "<text class=\"said\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                x + 8.0,
                y + 18.0,
                xml(&short(lines[0].text.trim(), chars))
            );
        }
    }
}

/// The last row, for the tasks beyond [`MAX_ROWS`]: all their polls on one line.
fn folded_row(
    svg: &mut String,
    scale: &Scale,
    y: f64,
    tasks: &[&Task],
    marks: &mut BTreeSet<Mark>,
) {
    let (first, last) = (tasks[0].number, tasks[tasks.len() - 1].number);
    let name = format!("tasks {first}–{last}");
    svg.push_str("<g class=\"folded\">");
    row_name(
        svg,
        y,
        &name,
        &format!("{} more tasks, on one row", tasks.len()),
    );
    let bands = tasks.iter().flat_map(|task| task.bands.iter().copied());
    bars(svg, scale, y, &name, bands, marks);
    svg.push_str("</g>\n");
}

/// Per task, what tokio-console shows: polls, busy, scheduled and idle time, wakes,
/// self-wakes; and its warnings.
fn task_table(trace: &Trace, warnings: &[Warning]) -> String {
    let mut out = String::from(
        "<table class=\"tasks\">\n<tr><th>run</th><th>task</th><th class=\"name\">name</th>\
         <th>polls</th><th>busy</th><th>scheduled</th><th>idle</th><th>wakes</th>\
         <th>self-wakes</th><th class=\"name\">warning</th></tr>\n",
    );
    for task in trace.tasks.iter().take(MAX_TABLE) {
        let run_end = trace.runs.get(task.run - 1).map_or(0, |run| run.end);
        let s = TaskStats::of(task, run_end);
        let warned: Vec<&str> = warnings
            .iter()
            .filter(|w| w.task() == Some(task.number))
            .map(Warning::kind)
            .collect();
        let class = if warned.is_empty() {
            ""
        } else {
            " class=\"warned\""
        };
        let _ = writeln!(
            out,
            "<tr{class}><td>{}</td><td>{}</td><td class=\"name\">{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"name\">{}</td></tr>",
            task.run,
            task.number,
            xml(&short(task.name.as_deref().unwrap_or(""), 48)),
            stats::thousands(s.polls),
            stats::millis(s.busy),
            stats::millis(s.scheduled),
            stats::millis(s.idle),
            stats::thousands(s.wakes),
            stats::thousands(s.self_wakes),
            warned.join(", "),
        );
    }
    out += "</table>\n";
    if trace.tasks.len() > MAX_TABLE {
        let more = trace.tasks.len() - MAX_TABLE;
        let _ = writeln!(
            out,
            "<p>… and {more} more tasks, left out of this table.</p>"
        );
    }
    out
}

/// `text`, cut to `max` characters with an ellipsis.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// `shape` with a tooltip.
fn titled(shape: String, what: &str) -> String {
    let close = shape.rfind("/>").unwrap_or(shape.len());
    let tag_end = shape[..close].find(' ').unwrap_or(close);
    let tag = &shape[1..tag_end];
    format!("{}><title>{}</title></{tag}>", &shape[..close], xml(what))
}

/// A 16×16 square.
fn square(x: f64, y: f64, color: &str) -> String {
    format!("<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"16\" height=\"16\" fill=\"{color}\"/>")
}

/// A triangle pointing down, its tip at `(x, y)`.
fn triangle(x: f64, y: f64, color: &str) -> String {
    format!("<path d=\"M{x:.1} {y:.1} l-6 -10 h12 z\" fill=\"{color}\"/>")
}

/// A dot centred on `(x, y)`.
fn dot(x: f64, y: f64, color: &str) -> String {
    format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4.5\" fill=\"{color}\"/>")
}

/// A line printed: a small dark tab, its top at `(x, y)`.
fn line_mark(x: f64, y: f64) -> String {
    format!(
        "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"5\" height=\"12\" fill=\"{LINE}\"/>",
        x - 2.5
    )
}

/// A warning: a red triangle with its tip at `(x, y)`, pointing up.
fn warning_mark(x: f64, y: f64) -> String {
    format!(
        "<path d=\"M{x:.1} {y:.1} l8 14 h-16 z M{x:.1} {:.1} v5 M{x:.1} {:.1} v2\" fill=\"{WARN}\" \
         stroke=\"#fff\" stroke-width=\"1.5\"/>",
        y + 4.0,
        y + 10.5
    )
}

/// A lost wake: a red cross centred on `(x, y)`.
fn lost_mark(x: f64, y: f64) -> String {
    format!(
        "<path d=\"M{:.1} {:.1} l12 12 M{:.1} {:.1} l-12 12\" stroke=\"{WARN}\" \
         stroke-width=\"3.5\"/>",
        x - 6.0,
        y - 6.0,
        x + 6.0,
        y - 6.0
    )
}

/// Text made safe for XML: markup characters escaped, and the characters XML forbids (control
/// characters other than tab and line feed) shown as escapes, `\u{1}`. What a program printed
/// may hold anything a client sent it.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}
