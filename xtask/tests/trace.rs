//! `cargo xtask trace`: the recorder's lines read back into runs and tasks, drawn as a page that
//! is well-formed XML and tells the truth at 1280×720 (a band per run, named rows, bars that say
//! what they merge, the program's lines, a legend entry for every mark), written as trace-event
//! JSON that holds the same events, and summed up as tokio-console would, with warnings.

use roxmltree::{Document, Node};
use serde_json::Value;
use xtask::trace::model::{By, Trace};
use xtask::trace::stats::{self, TaskStats, Warning};
use xtask::trace::{chrome, html, summary};

/// A small program, as a recorder writes it: a header line, then a run where task 1 sleeps on a
/// timer while task 2 prints and wakes it; then a second run with one task.
const EVENTS: &str = r#"
{"e":"say","t":0,"task":null,"run":null,"label":"§5.10","text":"sleep(5)"}
{"e":"run","t":10,"run":1}
{"e":"task","t":20,"task":1,"run":1,"name":"sleeper","cleanup":false}
{"e":"task","t":30,"task":2,"run":1,"name":null,"cleanup":false}
{"e":"queue","t":40,"run":1,"tasks":2}
{"e":"polls","task":1,"start":100,"end":200,"polls":1,"ready":false,"self_wakes":0,"quiet":0,"busy":100,"scheduled":80,"slowest":100}
{"e":"say","t":1000050,"task":2,"run":1,"label":"printer","text":"hello"}
{"e":"name","task":2,"name":"printer","from_line":true}
{"e":"polls","task":2,"start":1000000,"end":1000100,"polls":1,"ready":false,"busy":100,"scheduled":999970}
{"e":"queue","t":1000200,"run":1,"tasks":0}
{"e":"wait","start":1000200,"end":5000000,"timeout":4000000,"run":1}
{"e":"timer","t":5000100,"run":1}
{"e":"woken","t":5000200,"task":1,"by":"timer"}
{"e":"polls","task":1,"start":5000300,"end":5000400,"polls":1,"ready":true,"busy":100,"scheduled":100,"slowest":100}
{"e":"finished","t":5000500,"task":1}
{"e":"woken","t":5000450,"task":2,"by":"task","from":1}
{"e":"polls","task":2,"start":9000000,"end":9000100,"polls":1,"ready":true,"busy":100,"scheduled":3999550}
{"e":"finished","t":9000200,"task":2}
{"e":"run_end","t":9000300,"run":1,"turns":4,"quick_waits":3,"quick_wait_time":600}
{"e":"say","t":9500000,"task":null,"run":null,"label":"main","text":"again"}
{"e":"run","t":10000000,"run":2}
{"e":"task","t":10000010,"task":3,"run":2,"name":"alone","cleanup":true}
{"e":"polls","task":3,"start":10000100,"end":10000200,"polls":1,"ready":true}
{"e":"finished","t":10000300,"task":3}
{"e":"run_end","t":10000400,"run":2,"turns":1}
"#;

/// The page read as XML: an HTML5 page whose markup is well-formed XML (its `<!DOCTYPE html>`
/// aside, which an XML reader takes as a document type declaration).
fn xml(page: &str) -> Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    Document::parse_with_options(page, options).expect("well-formed XML")
}

/// The elements of class `class`.
fn class<'a>(document: &'a Document<'a>, class: &str) -> Vec<Node<'a, 'a>> {
    document
        .descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .collect()
}

/// The text of an element and its children.
fn text_of(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// The page's JSON's events.
fn trace_events(json: &str) -> Vec<Value> {
    let value: Value = serde_json::from_str(json).expect("valid JSON");
    value["traceEvents"]
        .as_array()
        .expect("traceEvents")
        .clone()
}

#[test]
fn the_recorders_lines_read_back_into_runs_and_tasks() {
    let trace = Trace::parse(EVENTS).unwrap();
    assert_eq!(trace.runs.len(), 2);
    let run = &trace.runs[0];
    // Titled by the last line printed before it began.
    assert_eq!(run.title.as_deref(), Some("§5.10: sleep(5)"));
    assert_eq!(trace.runs[1].title.as_deref(), Some("main: again"));
    assert_eq!((run.start, run.end, run.turns), (10, 9_000_300, 4));
    assert_eq!(run.tasks, [1, 2]);
    assert_eq!(
        run.in_kernel(),
        3_999_800 + 600,
        "the short waits count too"
    );
    assert_eq!(run.queue_max(), 2);
    let (sleeper, printer) = (&trace.tasks[0], &trace.tasks[1]);
    assert_eq!(sleeper.label(), "task 1 sleeper");
    assert_eq!(printer.label(), "task 2 printer");
    assert!(printer.named_from_line);
    assert_eq!(sleeper.finished, Some(5_000_500));
    assert_eq!(printer.wakes[0].by, By::Task(1));
    assert_eq!(printer.said[0].text, "hello");
    assert_eq!(trace.said.len(), 2, "the lines outside any run");
    assert!(trace.tasks[2].cleanup);
}

#[test]
fn a_line_it_does_not_understand_is_an_error_that_names_it() {
    let run = "{\"e\":\"run\",\"t\":0,\"run\":1}\n";
    let error = Trace::parse(&format!("{run}{{\"e\":\"bogus\"}}\n")).unwrap_err();
    assert!(
        error.contains("line 2") && error.contains("bogus"),
        "{error}"
    );
    let error = Trace::parse("{\"e\":\"polls\",\"task\":3}\n").unwrap_err();
    assert!(error.contains("no start"), "{error}");
    let error = Trace::parse("added t=0 task=1\n").unwrap_err();
    assert!(error.contains("line 1"), "{error}");
}

#[test]
fn the_page_has_a_titled_band_per_run_and_a_named_row_per_task() {
    let trace = Trace::parse(EVENTS).unwrap();
    let page = html::page("step05 test: what the loop did", &trace);
    let document = xml(&page);
    let charts = class(&document, "run");
    assert_eq!(charts.len(), 2, "one chart per run");
    let titles: Vec<String> = document
        .descendants()
        .filter(|n| n.has_tag_name("h2") && n.attribute("id").is_some())
        .map(text_of)
        .collect();
    assert_eq!(titles, ["run 1 · §5.10: sleep(5)", "run 2 · main: again"]);
    let rows: Vec<String> = class(&document, "task")
        .iter()
        .map(|row| text_of(row.first_element_child().unwrap()))
        .collect();
    assert_eq!(rows[0], "1 sleepertask 1 sleeper"); // the name, then its tooltip
    assert!(rows[1].starts_with("2 printer"), "{rows:?}");
    assert!(rows[2].starts_with("3 alone ✚"), "{rows:?}");
    // Each run's axis starts at 0.
    for chart in &charts {
        let first = chart
            .descendants()
            .find(|n| n.attribute("class") == Some("axis"))
            .unwrap();
        assert!(text_of(first).starts_with("0 "), "{}", text_of(first));
    }
}

#[test]
fn the_page_is_legible_on_a_projector() {
    let trace = Trace::parse(EVENTS).unwrap();
    let page = html::page("legible", &trace);
    let document = xml(&page);
    // Every font size of the page's style is 16 px or more.
    let style = text_of(
        document
            .descendants()
            .find(|n| n.has_tag_name("style"))
            .unwrap(),
    );
    for size in style.split("font-size:").skip(1) {
        let px: f64 = size.split("px").next().unwrap().parse().unwrap();
        assert!(px >= 16.0, "font-size {px}px in {style}");
    }
    // The charts fill the page's width, drawn in units no wider than 1240 px at 1280×720.
    for svg in document.descendants().filter(|n| n.has_tag_name("svg")) {
        let view: Vec<f64> = svg
            .attribute("viewBox")
            .unwrap()
            .split(' ')
            .map(|v| v.parse().unwrap())
            .collect();
        assert!(view[2] <= 1240.0, "{view:?}");
    }
    assert!(style.contains("svg{display:block;width:100%"), "{style}");
    // Every poll at least 2 px wide, even one of 100 ns in a run of 9 ms.
    for bar in class(&document, "poll") {
        let width: f64 = bar.attribute("width").unwrap().parse().unwrap();
        assert!(width >= 2.0, "{width}");
    }
}

#[test]
fn every_mark_drawn_has_a_legend_entry() {
    let trace = Trace::parse(EVENTS).unwrap();
    let page = html::page("legend", &trace);
    let document = xml(&page);
    let legend = text_of(class(&document, "legend")[0]);
    // What this program draws: waits, a timer and its wake, a wake by a task, lines, a cleanup.
    for entry in [
        "loop asleep in the kernel",
        "timer fired",
        "woken by a timer",
        "woken by a task",
        "a line it printed",
        "cleanup task",
        "poll, Ready",
        "polls, Pending",
        "tasks queued for the next turn",
    ] {
        assert!(legend.contains(entry), "no {entry:?} in {legend}");
    }
    // And nothing it does not draw.
    for absent in [
        "socket ready",
        "woken by another thread",
        "lost wake",
        "spinning",
    ] {
        assert!(!legend.contains(absent), "{absent:?} in {legend}");
    }
}

/// A task polled 161,940 times in one go, all `Pending` but the last, each poll waking it again
/// and doing nothing else: step03's busy sleep.
fn busy_sleep() -> Trace {
    let mut events = String::from(
        "{\"e\":\"run\",\"t\":0,\"run\":1}\n\
         {\"e\":\"task\",\"t\":0,\"task\":1,\"run\":1,\"name\":\"sleep\"}\n",
    );
    let bands = 1000u64;
    for i in 0..bands {
        let (start, last) = (i * 300_000, i == bands - 1);
        let polls = if last { 1_101 } else { 161 };
        let quiet = if last { polls - 1 } else { polls };
        events += &format!(
            "{{\"e\":\"polls\",\"task\":1,\"start\":{start},\"end\":{},\"polls\":{polls},\
             \"ready\":{last},\"self_wakes\":{quiet},\"quiet\":{quiet},\"busy\":200000}}\n",
            start + 299_000
        );
    }
    events += "{\"e\":\"run_end\",\"t\":300000000,\"run\":1,\"turns\":161940}\n";
    Trace::parse(&events).unwrap()
}

#[test]
fn a_bar_says_what_it_merges_and_takes_the_colour_of_most_of_its_polls() {
    let trace = busy_sleep();
    assert_eq!(trace.tasks[0].polls(), 161_940);
    let page = html::page("busy", &trace);
    let document = xml(&page);
    let charts = class(&document, "run");
    let bars: Vec<Node<'_, '_>> = charts[0]
        .descendants()
        .filter(|n| n.attribute("class") == Some("poll"))
        .collect();
    assert_eq!(bars.len(), 1, "a thousand bands a pixel apart: one bar");
    let bar = bars[0];
    assert_eq!(bar.attribute("data-polls"), Some("161940"));
    // Not "Ready" green, as its last poll was: spinning, as nearly all of them were.
    assert_eq!(bar.attribute("fill"), Some("#f28e2b"));
    let says = text_of(bar);
    assert!(
        says.contains(
            "161,940 polls: 161,939 Pending (161,939 only woke the task again), then Ready"
        ),
        "{says}"
    );
    // The final Ready is a tick of its own.
    assert_eq!(
        class(&document, "final-ready").len(),
        2,
        "in the run's chart and the overview"
    );
    assert!(page.len() < 40_000, "a small page: {} bytes", page.len());
}

#[test]
fn more_tasks_than_rows_share_the_last_row() {
    let mut events = String::from("{\"e\":\"run\",\"t\":0,\"run\":1}\n");
    for task in 1..=100 {
        events += &format!("{{\"e\":\"task\",\"t\":{task},\"task\":{task},\"run\":1}}\n");
        events += &format!(
            "{{\"e\":\"polls\",\"task\":{task},\"start\":{},\"end\":{},\"polls\":1,\"ready\":true}}\n",
            task * 1000,
            task * 1000 + 10
        );
    }
    let trace = Trace::parse(&events).unwrap();
    let page = html::page("many", &trace);
    let document = xml(&page);
    let (rows, folded) = (
        class(&document, "task").len(),
        class(&document, "folded").len(),
    );
    assert_eq!((rows, folded), (html::MAX_ROWS, 1));
}

#[test]
fn tokio_consoles_figures_per_task_and_per_run() {
    let trace = Trace::parse(EVENTS).unwrap();
    let run = &trace.runs[0];
    let sleeper = TaskStats::of(&trace.tasks[0], run.end);
    // Added at 20, done at 5,000,500: 200 ns in its polls, 180 ns queued, the rest idle.
    let expected = TaskStats {
        polls: 2,
        busy: 200,
        scheduled: 180,
        idle: 5_000_480 - 380,
        wakes: 1,
        self_wakes: 0,
        quiet: 0,
    };
    assert_eq!(sleeper, expected);
    let line = stats::run_line(&trace, run);
    assert_eq!(
        line,
        "9.0 ms long · 2 tasks · 4 polls in 4 turns · 4.0 ms in the kernel (44%) · ready queue ≤ 2"
    );
    let text = summary(&trace);
    assert!(text.contains("run 1 §5.10: sleep(5)"), "{text}");
    assert!(text.contains("warnings: none"), "{text}");
    for line in text.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
}

#[test]
fn busy_waits_slow_polls_and_lost_wakes_are_warned_where_they_arose() {
    let mut events = busy_sleep_events();
    events += "{\"e\":\"task\",\"t\":0,\"task\":2,\"run\":1,\"name\":\"slow\"}\n\
               {\"e\":\"polls\",\"task\":2,\"start\":1000,\"end\":150001000,\"polls\":1,\
               \"ready\":false,\"slowest\":150000000}\n\
               {\"e\":\"task\",\"t\":0,\"task\":3,\"run\":1,\"name\":\"forgotten\"}\n\
               {\"e\":\"polls\",\"task\":3,\"start\":2000,\"end\":3000,\"polls\":1,\"ready\":false}\n\
               {\"e\":\"lost\",\"t\":3100,\"task\":3}\n";
    let trace = Trace::parse(&events).unwrap();
    let warnings = stats::warnings(&trace);
    let expected = [
        Warning::BusyWait {
            task: 1,
            at: 0,
            quiet: 3,
            polls: 5,
        },
        Warning::SlowPoll {
            task: 2,
            at: 1000,
            took: 150_000_000,
        },
        Warning::LostWake { task: 3, at: 3100 },
    ];
    assert_eq!(warnings, expected);
    // On the page: in the list at the top, and a mark on each task's row.
    let page = html::page("warned", &trace);
    let document = xml(&page);
    let list = text_of(class(&document, "warnings")[0]);
    for kind in [
        "busy wait: task 1 spin",
        "slow poll: task 2 slow",
        "lost wake: task 3 forgotten",
    ] {
        assert!(list.contains(kind), "{kind} not in {list}");
    }
    let rows = class(&document, "task");
    for (row, kind) in rows.iter().zip(["busy wait", "slow poll", "lost wake"]) {
        let marked = row
            .descendants()
            .filter(|n| n.has_tag_name("title"))
            .map(text_of);
        assert!(marked.clone().any(|t| t.starts_with(kind)), "{kind}");
    }
    let legend = text_of(class(&document, "legend")[0]);
    for entry in ["busy wait (", "slow poll (over 100 ms)", "lost wake"] {
        assert!(legend.contains(entry), "no {entry:?} in {legend}");
    }
    // In the summary, and in the JSON as instant events.
    let text = summary(&trace);
    assert!(text.contains("warnings: 3"), "{text}");
    assert!(
        text.contains("  busy wait: task 1 spin (run 1, at 0.0 ms)\n"),
        "{text}"
    );
    let events = trace_events(&chrome::json("warned", &trace));
    let warned: Vec<&str> = events
        .iter()
        .filter(|e| e["cat"] == "warning")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(warned, ["busy wait", "slow poll", "lost wake"]);
}

/// A run of one task that woke itself on 3 of its 5 polls, doing nothing else.
fn busy_sleep_events() -> String {
    String::from(
        "{\"e\":\"run\",\"t\":0,\"run\":1}\n\
         {\"e\":\"task\",\"t\":0,\"task\":1,\"run\":1,\"name\":\"spin\"}\n\
         {\"e\":\"polls\",\"task\":1,\"start\":0,\"end\":100,\"polls\":5,\"ready\":true,\
         \"self_wakes\":4,\"quiet\":3}\n",
    )
}

#[test]
fn the_json_holds_the_same_events_as_trace_events() {
    let trace = Trace::parse(EVENTS).unwrap();
    let events = trace_events(&chrome::json("test", &trace));
    let with = |phase: &str, cat: &str| {
        events
            .iter()
            .filter(|e| e["ph"] == phase && (cat.is_empty() || e["cat"] == cat))
            .count()
    };
    assert_eq!(with("X", "poll"), 5, "a slice per band");
    assert_eq!(with("X", "task"), 3, "a slice per task's life");
    assert_eq!(with("X", "wait"), 1, "the wait, on the loop's track");
    assert_eq!(with("X", "run"), 2, "a slice per run");
    // The wake by task 1 is an arrow: its start and its end.
    assert_eq!((with("s", "wake"), with("f", "wake")), (1, 1));
    assert_eq!(with("i", "timer"), 1);
    // The ready queue, a counter.
    assert_eq!(with("C", ""), 2);
    // The lines, as instant events with their text in args, on the printing task's track.
    let lines: Vec<&Value> = events.iter().filter(|e| e["cat"] == "line").collect();
    assert_eq!(lines.len(), 3);
    let hello = lines.iter().find(|e| e["args"]["text"] == "hello").unwrap();
    assert_eq!(
        (hello["pid"].as_u64(), hello["tid"].as_u64()),
        (Some(1), Some(2))
    );
    // A process per run, named by its title; a track per task, and the loop's.
    let processes: Vec<&str> = events
        .iter()
        .filter(|e| e["name"] == "process_name")
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        processes,
        ["test", "run 1: §5.10: sleep(5)", "run 2: main: again"]
    );
    let tracks = events.iter().filter(|e| e["name"] == "thread_name").count();
    assert_eq!(
        tracks,
        1 + 2 + 3,
        "outside, a loop per run, a track per task"
    );
}

#[test]
fn text_from_outside_is_data_on_the_page_and_in_the_json() {
    let hostile = "<script>alert(\"x\")</script> \u{1} back\\slash ' ]]> &amp; \u{7f}";
    let escaped = serde_json::to_string(hostile).unwrap();
    let events = format!(
        "{{\"e\":\"say\",\"t\":0,\"label\":\"server\",\"text\":{escaped}}}\n\
         {{\"e\":\"run\",\"t\":1,\"run\":1}}\n\
         {{\"e\":\"task\",\"t\":2,\"task\":1,\"run\":1,\"name\":{escaped}}}\n\
         {{\"e\":\"polls\",\"task\":1,\"start\":3,\"end\":4,\"polls\":1,\"ready\":true}}\n\
         {{\"e\":\"say\",\"t\":5,\"task\":1,\"run\":1,\"label\":\"client\",\"text\":{escaped}}}\n"
    );
    let trace = Trace::parse(&events).unwrap();
    assert_eq!(trace.tasks[0].said[0].text, hostile);
    let page = html::page(hostile, &trace);
    let document = xml(&page);
    assert!(
        !document.descendants().any(|n| n.has_tag_name("script")),
        "no script element"
    );
    // The text is there, as text: the control characters shown as escapes.
    let shown = "<script>alert(\"x\")</script> \\u{1} back\\slash ' ]]> &amp; \\u{7f}";
    let title = text_of(
        document
            .descendants()
            .find(|n| n.has_tag_name("h1"))
            .unwrap(),
    );
    assert_eq!(title, shown);
    let lines: Vec<String> = document
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .map(text_of)
        .filter(|t| t.contains("client:"))
        .collect();
    assert!(lines[0].ends_with(&format!("client: {shown}")), "{lines:?}");
    // The JSON keeps every character as it was.
    let json = chrome::json(hostile, &trace);
    let events = trace_events(&json);
    let said = events
        .iter()
        .find(|e| e["cat"] == "line" && e["tid"] == 1)
        .unwrap();
    assert_eq!(said["args"]["text"], hostile);
}
