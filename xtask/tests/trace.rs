//! `cargo xtask trace`: the recorder's file read back, drawn as a page that is well-formed XML
//! with one row per task and a bar per band of polls, and written as trace-event JSON that holds
//! the same events.

use xtask::trace::model::{By, Run};
use xtask::trace::{chrome, html, summary};

/// A small run, as a recorder writes it: two tasks taking turns, a wait, a timer and its wake.
const EVENTS: &str = "\
added t=0 task=1 cleanup=0
added t=10 task=2 cleanup=0
band task=1 start=100 end=200 polls=1 ready=0
band task=2 start=1000000 end=1000100 polls=1 ready=0
wait start=1000200 end=5000000 timeout=4000000
timer t=5000100
woken t=5000200 task=1 by=timer
band task=1 start=5000300 end=5000400 polls=1 ready=1
finished t=5000500 task=1
woken t=5000450 task=2 by=task:1
band task=2 start=9000000 end=9000100 polls=1 ready=1
finished t=9000200 task=2
counts turns=4 quick_waits=3
";

/// The page read as XML: an HTML5 page whose markup is well-formed XML (its `<!DOCTYPE html>`
/// aside, which an XML reader takes as a document type declaration).
fn xml(page: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(page, options).expect("well-formed XML")
}

#[test]
fn the_recorders_file_reads_back_into_rows() {
    let run = Run::parse(EVENTS).unwrap();
    assert_eq!(run.tasks.len(), 2);
    assert_eq!(run.tasks[0].polls(), 2);
    assert_eq!(run.tasks[1].polls(), 2);
    assert_eq!(run.tasks[0].finished, Some(5_000_500));
    assert_eq!(run.waits.len(), 1);
    assert_eq!(run.timers, [5_000_100]);
    assert_eq!(run.wakes.len(), 2);
    assert_eq!(run.wakes[1].by, By::Task(1));
    assert_eq!((run.turns, run.quick_waits), (4, 3));
    assert_eq!(run.end(), 9_000_100);
}

#[test]
fn a_line_it_does_not_understand_is_an_error_that_names_it() {
    let error = Run::parse("added t=0 task=1 cleanup=0\nbogus x=1\n").unwrap_err();
    assert!(
        error.contains("line 2") && error.contains("bogus"),
        "{error}"
    );
    let error = Run::parse("band task=3 start=0 end=1 polls=1 ready=0\n").unwrap_err();
    assert!(error.contains("never added"), "{error}");
}

#[test]
fn the_page_is_xml_with_one_row_per_task_and_a_bar_per_band() {
    let run = Run::parse(EVENTS).unwrap();
    let page = html::page("step05 test: what the loop did", &run);
    let document = xml(&page);
    let class_is = |class: &str| {
        let nodes = document.descendants();
        nodes
            .filter(|n| n.attribute("class") == Some(class))
            .collect::<Vec<_>>()
    };
    assert_eq!(class_is("task").len(), 2, "one row per task");
    // The bands are far apart here: every band is a bar of its own, and says how many polls.
    let bars = class_is("poll");
    assert_eq!(bars.len(), 4);
    let polls = bars
        .iter()
        .map(|b| b.attribute("data-polls").unwrap().parse::<u64>().unwrap());
    assert_eq!(polls.sum::<u64>(), 4, "as many polls drawn as recorded");
    assert_eq!(class_is("wait").len(), 1);
    assert_eq!(class_is("wake").len(), 2);
}

#[test]
fn polls_closer_than_a_pixel_merge_into_one_bar_that_counts_them() {
    // A busy task: a thousand bands in a microsecond each, one after the other, then a last one
    // a second later. The first thousand are one bar.
    let mut events = String::from("added t=0 task=1 cleanup=0\n");
    for i in 0..1000u64 {
        let start = i * 1000;
        events += &format!(
            "band task=1 start={start} end={} polls=5 ready=0\n",
            start + 900
        );
    }
    events += "band task=1 start=1000000000 end=1000001000 polls=1 ready=1\n";
    let run = Run::parse(&events).unwrap();
    let page = html::page("busy", &run);
    let document = xml(&page);
    let bars: Vec<u64> = document
        .descendants()
        .filter(|n| n.attribute("class") == Some("poll"))
        .map(|n| n.attribute("data-polls").unwrap().parse().unwrap())
        .collect();
    assert_eq!(bars, [5000, 1]);
    assert!(page.len() < 20_000, "a small page: {} bytes", page.len());
}

#[test]
fn more_tasks_than_rows_share_the_last_row() {
    let mut events = String::new();
    for task in 1..=100 {
        events += &format!("added t={task} task={task} cleanup=0\n");
        events += &format!(
            "band task={task} start={} end={} polls=1 ready=1\n",
            task * 1000,
            task * 1000 + 10
        );
    }
    let run = Run::parse(&events).unwrap();
    let page = html::page("many", &run);
    let document = xml(&page);
    let rows = document
        .descendants()
        .filter(|n| n.attribute("class") == Some("task"))
        .count();
    let folded = document
        .descendants()
        .filter(|n| n.attribute("class") == Some("folded"))
        .count();
    assert_eq!((rows, folded), (html::MAX_ROWS, 1));
}

#[test]
fn the_json_parses_and_holds_the_same_events() {
    let run = Run::parse(EVENTS).unwrap();
    let json = chrome::json("test", &run);
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let events = value["traceEvents"].as_array().unwrap();
    let with = |phase: &str, cat: &str| {
        events
            .iter()
            .filter(|e| e["ph"] == phase && (cat.is_empty() || e["cat"] == cat))
            .count()
    };
    assert_eq!(with("X", "poll"), 4, "a slice per band");
    assert_eq!(with("X", "wait"), 1, "the wait, on the loop's track");
    // The wake by task 1 is an arrow: its start and its end.
    assert_eq!((with("s", "wake"), with("f", "wake")), (1, 1));
    // The timer, and the wake it caused.
    assert_eq!(with("i", ""), 2);
    // One track per task, and the loop's.
    let tracks = events.iter().filter(|e| e["name"] == "thread_name").count();
    assert_eq!(tracks, 3);
}

#[test]
fn the_summary_fits_on_a_projector() {
    let run = Run::parse(EVENTS).unwrap();
    let text = summary(&run);
    assert!(
        text.starts_with("trace: 9.0 ms, 2 tasks, 4 polls in 4 turns"),
        "{text}"
    );
    assert!(text.contains("1 by tasks, 1 by timers"), "{text}");
    for line in text.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
}
