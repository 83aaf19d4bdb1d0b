//! `cargo xtask trace N talk --python`: the talk's Python twin recorded beside our Rust demo.
//! Its recorder (`python/record.py`) hears the talk's loop as ours hears our loops, and writes
//! the format documented in `xtask/src/trace/model.rs`, as ours does; the page draws both runs
//! one above the other, titled; on step05 the talk's loop spins through the 5 s sleep while ours
//! sleeps in the kernel, and on step03 both spin.
//!
//! These tests need `python3`, as `cargo xtask check` does (CI's machine has it). Where it is
//! missing, each one says so, and the one that traces step05 checks instead that the command
//! says so too, in one line.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use roxmltree::{Document, Node};
use serde_json::{Map, Value};
use xtask::trace::model::{By, Trace};

/// Building a step's demos may take a while on a busy machine; running one takes seconds.
const LIMIT: Duration = Duration::from_secs(300);

/// The titles of the page's two halves.
const PYTHON_HALF: &str = "Python: the talk's loop";

/// The workspace's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is in the workspace")
        .to_path_buf()
}

/// Whether `python3` runs here; if not, says so on the test's output.
fn python3_runs(test: &str) -> bool {
    let runs = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !runs {
        eprintln!("{test}: python3 is missing on this machine");
    }
    runs
}

/// Waits for `child` within [`LIMIT`]; kills it past that.
fn finish(mut child: Child) -> Output {
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("still running after {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("its output")
}

/// `cargo xtask trace N talk --python --out DIR`, finished.
fn trace_both(step: &str, dir: &Path, path: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .args(["trace", step, "talk", "--python", "--out"])
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(path) = path {
        command.env("PATH", path);
    }
    finish(command.spawn().expect("run the xtask binary"))
}

/// What `trace N talk --python` printed and wrote: its summary, page, JSON and both event files.
struct Traced {
    summary: String,
    page: String,
    json: Value,
    python_events: String,
    rust_events: String,
}

/// Traces step `step`'s talk and its twin into a scratch folder.
fn traced(test: &str, step: &str, talk: &str) -> Traced {
    let dir = common::scratch(test);
    let output = trace_both(step, &dir, None);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}\n{stdout}");
    let read = |name: String| {
        std::fs::read_to_string(dir.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let stem = format!("step0{step}-{talk}");
    let json = read(format!("{stem}-python.json"));
    Traced {
        summary: stdout[stdout
            .find(&format!("{PYTHON_HALF}\ntrace: "))
            .expect("a summary")..]
            .to_owned(),
        page: read(format!("{stem}-python.html")),
        json: serde_json::from_str(&json).expect("the JSON parses"),
        python_events: read(format!("{stem}.py.events")),
        rust_events: read(format!("{stem}.events")),
    }
}

/// The page read as XML: an HTML5 page whose markup is well-formed XML.
fn xml(page: &str) -> Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    Document::parse_with_options(page, options).expect("the page is well-formed XML")
}

/// The chart of run `run`: the `svg` after its `h2`.
fn run_chart<'a>(document: &'a Document<'a>, run: usize) -> Node<'a, 'a> {
    let id = format!("run-{run}");
    let heading = (document.descendants())
        .find(|n| n.attribute("id") == Some(id.as_str()))
        .unwrap_or_else(|| panic!("no run {run}"));
    heading
        .next_siblings()
        .find(|n| n.has_tag_name("svg"))
        .expect("its chart")
}

/// The half of a chart titled `title`.
fn half<'a>(chart: Node<'a, 'a>, title: &str) -> Node<'a, 'a> {
    let half = (chart.children())
        .find(|n| n.attribute("class") == Some("half") && n.attribute("data-title") == Some(title))
        .unwrap_or_else(|| panic!("no half titled {title}"));
    let shown: Vec<String> = (half.descendants())
        .filter(|n| n.attribute("class") == Some("program"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect();
    assert_eq!(shown, [title], "the half shows its title");
    half
}

/// The total width of the `rect`s of class `class` under `node`.
fn width_of(node: Node<'_, '_>, class: &str) -> f64 {
    (node.descendants())
        .filter(|n| n.has_tag_name("rect") && n.attribute("class") == Some(class))
        .map(|n| n.attribute("width").unwrap().parse::<f64>().unwrap())
        .sum()
}

/// The width of the life line of the first task of a half: the run's span, drawn.
fn life_of_first_task(half: Node<'_, '_>) -> f64 {
    let task = (half.descendants())
        .find(|n| n.attribute("class") == Some("task"))
        .expect("a task row");
    width_of(task, "alive")
}

#[test]
fn the_talks_loop_spins_through_step05s_sleep_while_ours_sleeps_in_the_kernel() {
    if !python3_runs("step05") {
        // Then the command must say so at once, in one line, and fail.
        let dir = common::scratch("step05_without_python");
        let output = trace_both("5", &dir, None);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("python3"), "{stderr}");
        return;
    }
    let traced = traced("step05_both", "5", "talk05");
    let page = xml(&traced.page);
    let rust_half = "Rust: step05";
    // §5.10's run: the talk's loop goes round, on the CPU, for the whole sleep; ours sleeps.
    let chart = run_chart(&page, 1);
    let (python, rust) = (half(chart, PYTHON_HALF), half(chart, rust_half));
    let (python_run, rust_run) = (life_of_first_task(python), life_of_first_task(rust));
    let spinning = width_of(python, "spin");
    assert!(spinning > 0.9 * python_run, "{spinning} of {python_run}");
    assert_eq!(width_of(python, "wait"), 0.0, "never in the kernel");
    let asleep = width_of(rust, "wait");
    assert!(asleep > 0.9 * rust_run, "{asleep} of {rust_run}");
    assert_eq!(width_of(rust, "spin"), 0.0, "it never spins");
    // Both halves on one axis: two runs of 5 talk seconds, drawn the same length.
    assert!(
        (python_run - rust_run).abs() < 0.1 * rust_run,
        "{python_run} {rust_run}"
    );
    // §4.11: the talk's gather waits by polling its Waiter again and again; ours is woken.
    let chart = run_chart(&page, 2);
    let busy = |half: Node<'_, '_>| {
        (half.descendants())
            .filter(|n| n.attribute("class") == Some("poll"))
            .map(|n| n.attribute("data-polls").unwrap().parse::<u64>().unwrap())
            .sum::<u64>()
    };
    assert!(busy(half(chart, PYTHON_HALF)) > 1000, "polls on polls");
    assert!(busy(half(chart, rust_half)) < 20, "a few polls");
    // The summary covers both: the talk's loop warns, ours does not.
    let summary = &traced.summary;
    let (python_part, rust_part) = summary.split_at(summary.find(rust_half).unwrap());
    assert!(
        python_part.contains("busy loop: the loop (run 1"),
        "{summary}"
    );
    assert!(
        python_part.contains("0.0 ms in the kernel (0%)"),
        "{summary}"
    );
    assert!(rust_part.contains("warnings: none"), "{summary}");
    assert!(summary.contains("side by side, run by run:"), "{summary}");
    // In Perfetto, each half's runs are processes of their own, named after it; the spin is
    // there with the CPU time it burned.
    let events = traced.json["traceEvents"].as_array().expect("events");
    let processes: Vec<&str> = (events.iter())
        .filter(|e| e["name"] == "process_name")
        .filter_map(|e| e["args"]["name"].as_str())
        .collect();
    assert!(
        processes
            .iter()
            .any(|p| p.starts_with("Python: the talk's loop · run 1: §5.10")),
        "{processes:?}"
    );
    assert!(
        processes
            .iter()
            .any(|p| p.starts_with("Rust: step05 · run 1: §5.10")),
        "{processes:?}"
    );
    let pids: BTreeSet<u64> = events.iter().filter_map(|e| e["pid"].as_u64()).collect();
    assert!(
        pids.len() >= 6,
        "2 programs, 2 runs and their lines outside: {pids:?}"
    );
    let spin = (events.iter())
        .find(|e| e["cat"] == "spin")
        .expect("a spin in the JSON");
    let (duration, cpu) = (
        spin["dur"].as_f64().unwrap(),
        spin["args"]["cpu_us"].as_f64(),
    );
    assert!(cpu.unwrap() > 0.1 * duration, "{spin}");
}

#[test]
fn on_step03_both_loops_spin() {
    if !python3_runs("step03") {
        return;
    }
    let traced = traced("step03_both", "3", "talk03");
    let summary = &traced.summary;
    let (python_part, rust_part) = summary.split_at(summary.find("Rust: step03").unwrap());
    for part in [python_part, rust_part] {
        assert!(
            part.contains("busy wait: task 7 print_messages('foo', 'bar', 'baz')"),
            "{summary}"
        );
        assert!(part.contains("6 runs of the loop · 15 tasks"), "{summary}");
    }
    // §4.8, one task sleeping by asking the time: orange on both halves.
    let page = xml(&traced.page);
    let chart = run_chart(&page, 4);
    for title in [PYTHON_HALF, "Rust: step03"] {
        let half = half(chart, title);
        let spinning = (half.descendants())
            .filter(|n| n.attribute("class") == Some("poll"))
            .filter(|n| n.attribute("fill") == Some("#f28e2b"))
            .map(|n| n.attribute("width").unwrap().parse::<f64>().unwrap())
            .sum::<f64>();
        let run = life_of_first_task(half);
        assert!(spinning > 0.5 * run, "{title}: {spinning} of {run}");
    }
}

#[test]
fn without_python3_trace_python_says_so_in_one_line() {
    // No python3 on PATH (nor anything else): the command stops before building anything.
    let empty = common::scratch("no_python_path");
    let out = common::scratch("no_python_out");
    let output = trace_both("5", &out, Some(&empty));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no python3 on PATH"), "{stderr}");
    assert!(stderr.contains("Python 3.9"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing ran");
}

/// Each kind of event of the format, with its required and optional fields, as the table in
/// `model.rs`'s documentation gives them.
fn documented_format() -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    let source = std::fs::read_to_string(root().join("xtask/src/trace/model.rs")).unwrap();
    let mut kinds = BTreeMap::new();
    for row in source.lines().filter_map(|l| l.strip_prefix("//! | `")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        if cells[1] == "fields" {
            continue; // the table's header
        }
        let kind = cells[0].trim_end_matches('`').to_owned();
        let (required, optional) = cells[1].split_once("(required").expect("required fields");
        let optional = optional.split_once(';').map_or("", |(_, rest)| rest);
        kinds.insert(kind, (names(required), names(optional)));
    }
    assert!(kinds.len() >= 14, "the table: {kinds:?}");
    kinds
}

/// The `name`s of a table cell's fields, what is in parentheses left out.
fn names(cell: &str) -> Vec<String> {
    let mut bare = String::new();
    let mut depth = 0;
    for c in cell.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if depth == 0 => bare.push(c),
            _ => {}
        }
    }
    bare.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Checks each line of `events` against the documented format; returns the kinds seen.
fn follows_the_format(
    writer: &str,
    events: &str,
    format: &BTreeMap<String, (Vec<String>, Vec<String>)>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for line in events.lines() {
        let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{writer}: {e}"));
        let fields: &Map<String, Value> = value.as_object().expect("an object per line");
        let kind = fields["e"].as_str().expect("e is a string");
        let (required, optional) = (format.get(kind))
            .unwrap_or_else(|| panic!("{writer}: `{kind}` is not documented: {line}"));
        for field in required {
            assert!(fields.contains_key(field), "{writer}: no `{field}`: {line}");
        }
        for field in fields.keys().filter(|k| *k != "e") {
            assert!(
                required.contains(field) || optional.contains(field),
                "{writer}: `{field}` of `{kind}` is not documented: {line}"
            );
        }
        seen.insert(kind.to_owned());
    }
    Trace::parse(events).unwrap_or_else(|e| panic!("{writer}: {e}"));
    seen
}

#[test]
fn both_recorders_write_the_documented_format() {
    if !python3_runs("format") {
        return;
    }
    let format = documented_format();
    assert_eq!(
        format["spin"],
        (
            vec!["start".into(), "end".into()],
            vec!["turns".into(), "cpu".into(), "run".into()]
        )
    );
    let traced = traced("format_both", "5", "talk05");
    let python = follows_the_format("record.py", &traced.python_events, &format);
    let rust = follows_the_format("shared::record", &traced.rust_events, &format);
    for kind in [
        "run", "run_end", "task", "queue", "say", "polls", "finished", "woken", "timer",
    ] {
        assert!(
            python.contains(kind),
            "record.py wrote no `{kind}`: {python:?}"
        );
        assert!(
            rust.contains(kind),
            "shared::record wrote no `{kind}`: {rust:?}"
        );
    }
    assert!(
        python.contains("spin") && !python.contains("wait"),
        "{python:?}"
    );
    assert!(rust.contains("wait") && !rust.contains("spin"), "{rust:?}");
}

/// Runs `script` with python3 from the workspace's root, `WORKSHOP_TRACE` set to `events` (or
/// removed); returns its stdout.
fn python(script: &str, events: Option<&Path>) -> String {
    let mut command = Command::new("python3");
    command.args(["-B", "-c", script]).current_dir(root());
    match events {
        Some(events) => command.env("WORKSHOP_TRACE", events),
        None => command.env_remove("WORKSHOP_TRACE"),
    };
    let output = finish(
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3"),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && stderr.is_empty(), "{stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn off_the_twins_recorder_leaves_the_talks_loop_as_it_is() {
    if !python3_runs("off") {
        return;
    }
    for step in ["step03-round-robin", "step05-futures-timers"] {
        let script = format!(
            "import sys; sys.path.insert(0, '{step}/python')\n\
             import builtins, demo, record, runtime\n\
             assert record.next is builtins.next, 'next is the builtin'\n\
             assert runtime.Loop.run.__name__ == 'run' and not hasattr(runtime.Loop.run, \
             '__wrapped__'), 'the loop unchanged'\n\
             assert demo.heard is None, 'nobody hears the lines'\n\
             print('ok')"
        );
        assert_eq!(python(&script, None), "ok\n", "{step}");
    }
}

/// A scenario on the talk's §5 loop: a gather of a sleeper, a task waiting on a future and the
/// task that sets it; then one task alone, sleeping.
const SCENARIO: &str = "\
import sys; sys.path.insert(0, 'step05-futures-timers/python')
from demo import say
from runtime import Future, Loop, gather, sleep

async def napper(name, *, nap=0.01):
    say('napper', name)
    await sleep(nap)

async def waiter(future):
    await future
    say('waiter', 'set')

async def setter(future):
    future.set()

future = Future()
say('main', 'gather')
Loop().run_task(gather(napper('a'), waiter(future), setter(future)))
say('main', 'alone')
Loop().run_task(napper('b', nap=0.05))
";

#[test]
fn the_twins_recorder_hears_what_the_talks_loop_does() {
    if !python3_runs("hears") {
        return;
    }
    let events = common::scratch("hears").join("scenario.events");
    python(SCENARIO, Some(&events));
    let trace = Trace::parse(&std::fs::read_to_string(&events).unwrap()).unwrap();
    let names: Vec<&str> = (trace.tasks.iter())
        .map(|t| t.name.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "gather(napper('a'), waiter(Future(…)), setter(Future(…)))",
            "napper('a') in task_wrapper",
            "waiter(Future(…)) in task_wrapper",
            "setter(Future(…)) in task_wrapper",
            "napper('b', nap=0.05)",
        ],
        "named as the talk calls them, a default left out"
    );
    let [first, alone] = &trace.runs[..] else {
        panic!("two runs: {:?}", trace.runs);
    };
    assert_eq!(first.title.as_deref(), Some("main: gather"));
    assert_eq!(first.tasks, [1, 2, 3, 4]);
    // The waiter is woken by the setter (a task), the napper by the timer.
    assert!(
        trace.tasks[2].wakes.iter().any(|w| w.by == By::Task(4)),
        "{:?}",
        trace.tasks[2]
    );
    assert!(trace.tasks[1].wakes.iter().any(|w| w.by == By::Timer));
    assert_eq!(first.timers.len(), 1);
    // The gather waits on the talk's Waiter by being polled again and again: self-wakes, quiet.
    let gather = &trace.tasks[0];
    let quiet: u64 = gather.bands.iter().map(|b| b.quiet).sum();
    assert!(
        gather.polls() > 10 && quiet + 2 >= gather.polls(),
        "{gather:?}"
    );
    assert!(gather.finished.is_some());
    // The lines are on the rows of the tasks that printed them.
    assert_eq!(trace.tasks[1].said[0].text, "a");
    assert_eq!(trace.tasks[2].said[0].text, "set");
    // Alone, the napper's sleep is a spin of the loop: many turns, no poll, on the CPU.
    assert_eq!(alone.title.as_deref(), Some("main: alone"));
    let spin = alone.spins.first().expect("a spin");
    assert!(spin.turns > 10, "{spin:?}");
    assert!(spin.end - spin.start >= 45_000_000, "{spin:?}");
    assert!(spin.cpu.is_some_and(|cpu| cpu > 0));
    assert_eq!(trace.tasks[4].polls(), 2, "before and after its sleep");
    assert_eq!(
        alone.turns,
        trace.tasks[4].polls() + alone.spins.iter().map(|s| s.turns).sum::<u64>()
    );
    assert!(alone.cpu.is_some());
}

/// What the twin's recorder writes for §5.10, by hand: one task, a spin of 500 ms, a timer.
const SPINNING: &str = r#"
{"e":"say","t":0,"task":null,"run":null,"label":"§5.10","text":"sleep(5)"}
{"e":"run","t":100,"run":1}
{"e":"task","t":50,"task":1,"run":1,"name":"before_after()","cleanup":false}
{"e":"polls","task":1,"start":200,"end":300,"polls":1,"ready":false,"busy":100}
{"e":"spin","start":300,"end":500000300,"turns":2000000,"cpu":499000000,"run":1}
{"e":"timer","t":500000300,"run":1}
{"e":"woken","t":500000400,"task":1,"by":"timer"}
{"e":"polls","task":1,"start":500000500,"end":500000600,"polls":1,"ready":true,"busy":100}
{"e":"finished","t":500000700,"task":1}
{"e":"run_end","t":500000800,"run":1,"turns":2000002,"cpu":499100000}
"#;

/// What ours writes for the same slide: the same, asleep in the kernel.
const SLEEPING: &str = r#"
{"e":"say","t":0,"task":null,"run":null,"label":"§5.10","text":"sleep(5)"}
{"e":"run","t":100,"run":1}
{"e":"task","t":50,"task":1,"run":1,"name":"main","cleanup":false}
{"e":"polls","task":1,"start":200,"end":300,"polls":1,"ready":false,"busy":100}
{"e":"wait","start":300,"end":500000300,"timeout":500000000,"run":1}
{"e":"timer","t":500000300,"run":1}
{"e":"woken","t":500000400,"task":1,"by":"timer"}
{"e":"polls","task":1,"start":500000500,"end":500000600,"polls":1,"ready":true,"busy":100}
{"e":"finished","t":500000700,"task":1}
{"e":"run_end","t":500000800,"run":1,"turns":2}
"#;

#[test]
fn two_programs_are_drawn_one_above_the_other_titled_and_summed_up_side_by_side() {
    use xtask::trace::{Program, chrome, html, programs_summary};
    let (python, rust) = (
        Trace::parse(SPINNING).unwrap(),
        Trace::parse(SLEEPING).unwrap(),
    );
    let programs = [
        Program {
            title: PYTHON_HALF,
            trace: &python,
        },
        Program {
            title: "Rust: step05",
            trace: &rust,
        },
    ];
    let page = html::programs_page("step05 talk05 and its Python twin", &programs);
    let document = xml(&page);
    let chart = run_chart(&document, 1);
    let spin = (half(chart, PYTHON_HALF).descendants())
        .find(|n| n.attribute("class") == Some("spin"))
        .expect("the spin, drawn");
    let tooltip: String = spin.descendants().filter_map(|n| n.text()).collect();
    assert!(
        tooltip.contains("2,000,000 turns, 499.0 ms of CPU"),
        "{tooltip}"
    );
    assert!(width_of(half(chart, "Rust: step05"), "wait") > 800.0);
    // The loop's warning, where it began and at the top; the legend says what orange is.
    assert!(
        page.contains("busy loop: the loop went round 2,000,000 times"),
        "on its row"
    );
    assert!(page.contains("<strong>Python: the talk&#39;s loop</strong>: ⚠ busy loop"));
    assert!(page.contains("loop going round with nothing to poll (spinning, on the CPU)"));
    assert!(page.contains("<strong>Rust: step05</strong>: No warning"));
    // A loop that spins for less than half its run is not warned about.
    let brief = SPINNING.replace("\"end\":500000300,\"turns\"", "\"end\":1000,\"turns\"");
    let brief = Trace::parse(&brief).unwrap();
    assert_eq!(brief.runs[0].spins[0].end, 1000);
    assert!(xtask::trace::stats::warnings(&brief).is_empty());
    // Both programs, titled, in the overview too.
    let overview = (document.descendants())
        .find(|n| n.has_tag_name("svg") && n.attribute("class") == Some("overview"))
        .expect("the overview");
    let titles: Vec<&str> = (overview.descendants())
        .filter(|n| n.has_tag_name("text") && n.attribute("class") == Some("program"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(titles, [PYTHON_HALF, "Rust: step05"]);
    // The JSON: each program's run a process named after it, the spin a slice with its CPU.
    let json: Value = serde_json::from_str(&chrome::programs_json("t", &programs)).unwrap();
    let events = json["traceEvents"].as_array().unwrap();
    let names: Vec<&str> = (events.iter())
        .filter(|e| e["name"] == "process_name")
        .filter_map(|e| e["args"]["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Python: the talk's loop: t",
            "Python: the talk's loop · run 1: §5.10: sleep(5)",
            "Rust: step05: t",
            "Rust: step05 · run 1: §5.10: sleep(5)",
        ]
    );
    let spin = events.iter().find(|e| e["cat"] == "spin").unwrap();
    assert_eq!(spin["args"]["cpu_us"], 499000.0);
    // The summary: each program under its title, then run 1 of each side by side.
    let summary = programs_summary(&programs);
    for line in summary.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
    assert!(
        summary.starts_with("Python: the talk's loop\ntrace: "),
        "{summary}"
    );
    let side = &summary[summary
        .find("side by side, run by run:")
        .expect("run by run")..];
    assert!(side.contains("  run 1 §5.10: sleep(5)\n"), "{side}");
    assert!(
        side.contains("Python: the talk's loop  500.0 ms long · 2,000,002 turns · 0.0 ms in"),
        "{side}"
    );
    assert!(
        side.contains("spinning 500.0 ms (100%) · CPU 499.1 ms"),
        "{side}"
    );
    assert!(
        side.contains("Rust: step05             500.0 ms long · 2 turns · 500.0 ms in the kernel"),
        "{side}"
    );
}

#[test]
fn python_traces_the_talk_demo_only() {
    let dir = common::scratch("python_not_talk");
    let output = finish(
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["trace", "5", "sleep_many", "--python", "--out"])
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the xtask binary"),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("`cargo xtask trace 5 talk --python`"),
        "{stderr}"
    );
}
