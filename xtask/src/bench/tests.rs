//! The tests of `cargo xtask bench`'s pieces, on fixed figures and sample outputs: nothing here
//! builds or runs a benchmark.

use std::path::PathBuf;

use super::targets::Target;
use super::*;

/// A table with fixed numbers: two steps and the three peers.
fn table() -> Table {
    let row = |name: &str, unit, figures: [Figure; 5]| Row {
        name: name.into(),
        unit,
        figures: figures.into(),
    };
    use Figure::{Skipped, Value};
    Table {
        runtimes: ["step03", "step05", "tokio", "smol", "asyncio"]
            .map(String::from)
            .into(),
        rows: vec![
            row(
                "spawn_join",
                Unit::Time,
                [
                    Value(5e5),
                    Value(1.2e6),
                    Value(2.5e6),
                    Value(2e6),
                    Value(2.5e7),
                ],
            ),
            row(
                "echo",
                Unit::Time,
                [
                    Skipped,
                    Value(3.6e7),
                    Value(3.6e7),
                    Value(6.3e7),
                    Value(1.5e8),
                ],
            ),
            row(
                SYSCALLS_ROW,
                Unit::Count,
                [Skipped, Value(6.0), Value(8.0), Value(9.0), Value(12.5)],
            ),
        ],
    }
}

#[test]
fn figures_read_as_people_write_them() {
    assert_eq!(duration(812.0), "812 ns");
    assert_eq!(duration(1_361_724.0), "1.36 ms");
    assert_eq!(duration(35_632_927.0), "35.6 ms");
    assert_eq!(duration(2.05e9), "2.05 s");
    assert_eq!(times(0.1934), "0.193×");
    assert_eq!(times(37.24), "37.2×");
    assert_eq!(times(123.4), "123×");
}

#[test]
fn the_table_shows_medians_and_ratios_to_tokio() {
    let text = table().text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("workload"), "{text}");
    assert!(lines[1].starts_with("spawn_join"), "{text}");
    assert!(
        lines[1].contains("500 µs") && lines[1].contains("25.0 ms"),
        "{text}"
    );
    assert!(
        lines[2].contains("0.200×") && lines[2].contains("10.0×"),
        "{text}"
    );
    assert!(lines[3].contains('—'), "a skipped cell: {text}");
    assert!(
        lines[5].contains("6.0") && lines[6].contains("0.750×"),
        "{text}"
    );
    assert!(
        lines.iter().all(|l| l.chars().count() <= crate::WIDTH),
        "{text}"
    );
}

#[test]
fn the_markdown_table_has_one_row_per_workload() {
    let table = table();
    let report = Report {
        table: &table,
        runtimes: &[],
        steps: &[],
        mode: Mode::Quick,
        machine: Machine::default(),
        notes: vec!["a note".into()],
        chart: "bench/ratios.svg",
    };
    let md = report.markdown();
    assert!(
        md.contains("| workload | step03 | step05 | tokio | smol | asyncio |"),
        "{md}"
    );
    assert!(
        md.contains("| `spawn_join` | 500 µs (0.200×) | 1.20 ms (0.480×) |"),
        "{md}"
    );
    assert!(md.contains("| `echo` | — |"), "{md}");
    assert!(
        md.contains("![ratios to tokio, per workload](bench/ratios.svg)"),
        "{md}"
    );
    assert!(md.contains("--quick") && md.contains("- a note"), "{md}");
}

#[test]
fn the_chart_has_a_bar_per_ratio_and_no_syscalls() {
    let chart = svg(&table());
    assert!(chart.starts_with("<svg ") && chart.ends_with("</svg>\n"));
    // spawn_join: 5 bars; echo: 4 (step03 skips it); the system calls are not a time.
    assert_eq!(chart.matches("<title>").count(), 9, "{chart}");
    assert!(
        chart.contains("<title>spawn_join step03: 0.200×</title>"),
        "{chart}"
    );
    assert!(!chart.contains(SYSCALLS_ROW), "{chart}");
    for label in ["0.1×", ">1×<", "10×"] {
        assert!(chart.contains(label), "{label}: {chart}");
    }
}

#[test]
fn targets_are_checked_against_the_figures() {
    let table = table();
    assert_eq!(
        Target::Ratio("spawn_join", 0.5).check(&table, "step05"),
        Some(("0.480×".into(), true))
    );
    assert_eq!(
        Target::NotAboveSmol("spawn_join").check(&table, "step05"),
        Some(("1.20 ms vs 2.00 ms".into(), true))
    );
    assert_eq!(
        Target::FasterThanAsyncio("spawn_join", 15.0).check(&table, "step05"),
        Some(("20.8×".into(), true))
    );
    assert_eq!(
        Target::FasterThanAsyncio("echo", 5.0).check(&table, "step05"),
        Some(("4.17×".into(), false))
    );
    assert_eq!(Target::Ratio("echo", 1.0).check(&table, "step03"), None);
}

#[test]
fn criterion_cargo_and_strace_outputs_are_read() {
    let estimates = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1361724.5,"standard_error":0.2}}"#;
    assert_eq!(median_estimate(estimates), Some(1_361_724.5));
    let cargo = concat!(
        r#"{"reason":"compiler-artifact","target":{"src_path":"/w/lib.rs"},"executable":null}"#,
        "\n",
        r#"{"reason":"compiler-artifact","target":{"kind":["bench"],"src_path":"/w/step03/benches/runtime.rs"},"executable":"/t/release/deps/runtime-1"}"#,
        "\n",
        r#"{"reason":"build-finished","success":true}"#,
    );
    assert_eq!(
        executables(cargo),
        vec![(
            PathBuf::from("/w/step03/benches/runtime.rs"),
            PathBuf::from("/t/release/deps/runtime-1")
        )]
    );
    let strace = "% time     seconds  usecs/call     calls    errors syscall\n\
                  ------ ----------- ----------- --------- --------- ----------------\n\
                  \x2047.23    0.038762           9      4000      1999 recvfrom\n\
                  ------ ----------- ----------- --------- --------- ----------------\n\
                  100.00    0.082064          10      8126      2001 total\n";
    assert_eq!(strace_total(strace), Some(8126));
    assert_eq!(strace_total("100.00 0.1 10 77 total\n"), Some(77));
    let once = "once timers_10ms wall_ns=12186741 cpu_ns=3124430\n";
    assert_eq!(field(once, "cpu_ns"), Some(3_124_430.0));
}

#[test]
fn dates_and_lock_files() {
    assert_eq!(civil_date(0), "1970-01-01");
    assert_eq!(civil_date(19_782), "2024-02-29");
    let lock = "[[package]]\nname = \"tokio\"\nversion = \"1.54.1\"\n\n\
                [[package]]\nname = \"tokio-macros\"\nversion = \"2.0.0\"\n";
    assert_eq!(locked(lock, "tokio").as_deref(), Some("1.54.1"));
    assert_eq!(locked(lock, "smol"), None);
}
