//! The targets the finished runtime (step05 on) is held to, as ratios to tokio, smol and
//! asyncio in the same run; and their table in `BENCHMARKS.md`.

use super::report::Report;
use super::table::{Table, duration, times};
use super::{CPU_ROW, SYSCALLS_ROW};

/// One of the targets the finished runtime (step05 on) is held to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Target {
    /// The row's ratio to tokio is at most this.
    Ratio(&'static str, f64),
    /// The row's figure is at most smol's.
    NotAboveSmol(&'static str),
    /// The row's figure (a count) is at most this.
    AtMost(&'static str, f64),
    /// asyncio's figure is at least this many times the step's.
    FasterThanAsyncio(&'static str, f64),
}

/// The targets, in the order `BENCHMARKS.md` lists them.
const TARGETS: [Target; 13] = [
    Target::Ratio("spawn_join", 0.5),
    Target::NotAboveSmol("spawn_join"),
    Target::Ratio("yield_selfwake", 1.0),
    Target::Ratio("timers_1ms", 1.0),
    Target::Ratio(CPU_ROW, 1.0),
    Target::Ratio("echo", 1.0),
    Target::AtMost(SYSCALLS_ROW, 7.0),
    Target::Ratio("idle_conns", 1.2),
    Target::FasterThanAsyncio("spawn_join", 15.0),
    Target::FasterThanAsyncio("yield_selfwake", 15.0),
    Target::FasterThanAsyncio("yield_fair", 15.0),
    Target::FasterThanAsyncio("timers_1ms", 15.0),
    Target::FasterThanAsyncio("echo", 2.0),
];

impl Target {
    /// How the target reads.
    fn text(self) -> String {
        match self {
            Target::Ratio(row, at_most) => format!("`{row}` ≤ {at_most}× tokio"),
            Target::NotAboveSmol(row) => format!("`{row}` ≤ smol"),
            Target::AtMost(row, at_most) => format!("`{row}` ≤ {at_most:.0} per round trip"),
            Target::FasterThanAsyncio(row, x) => format!("`{row}` ≥ {x:.0}× faster than asyncio"),
        }
    }

    /// The step's figure for this target, as text, and whether it meets it.
    pub(super) fn check(self, table: &Table, step: &str) -> Option<(String, bool)> {
        match self {
            Target::Ratio(row, at_most) => {
                let r = table.rows.iter().position(|x| x.name == row)?;
                let ratio = table.ratio(r, table.column(step)?)?;
                Some((times(ratio), ratio <= at_most))
            }
            Target::NotAboveSmol(row) => {
                let (own, smol) = (table.value(row, step)?, table.value(row, "smol")?);
                Some((
                    format!("{} vs {}", duration(own), duration(smol)),
                    own <= smol,
                ))
            }
            Target::AtMost(row, at_most) => {
                let value = table.value(row, step)?;
                Some((format!("{value:.1}"), value <= at_most))
            }
            Target::FasterThanAsyncio(row, x) => {
                let speedup = table.value(row, "asyncio")? / table.value(row, step)?;
                Some((times(speedup), speedup >= x))
            }
        }
    }
}

impl Report<'_> {
    /// The targets, for every step from 05 on, with step04's figure for reference.
    pub(super) fn targets(&self) -> String {
        let table = self.table;
        let columns = |from: u32, to: u32| -> Vec<String> {
            self.steps
                .iter()
                .filter(|s| (from..=to).contains(&s.number))
                .map(|s| format!("step{:02}", s.number))
                .filter(|name| table.column(name).is_some())
                .collect()
        };
        let (held, reference) = (columns(5, u32::MAX), columns(4, 4));
        if held.is_empty() {
            return String::new();
        }
        let mut md = "## Targets\n\nThe finished runtime's targets, as ratios to tokio's \
                      current-thread runtime in this same run (step04's figure in brackets):\n\n"
            .to_owned();
        let head: Vec<String> = reference.iter().chain(&held).cloned().collect();
        md.push_str(&format!("| target | {} |\n", head.join(" | ")));
        md.push_str(&format!("|---|{}\n", "---|".repeat(head.len())));
        let mut summary = Vec::new();
        for target in TARGETS {
            let mut cells = Vec::new();
            for step in &reference {
                cells.push(
                    target
                        .check(table, step)
                        .map_or("—".into(), |f| format!("({})", f.0)),
                );
            }
            for step in &held {
                cells.push(match target.check(table, step) {
                    Some((figure, true)) => format!("{figure}: met"),
                    Some((figure, false)) => {
                        summary.push(format!("{step} {}", target.text()));
                        format!("{figure}: **missed**")
                    }
                    None => "not measured".into(),
                });
            }
            md.push_str(&format!("| {} | {} |\n", target.text(), cells.join(" | ")));
        }
        md.push_str(&match summary.len() {
            0 => "\nEvery target is met.\n\n".to_owned(),
            n => format!(
                "\n{n} target(s) missed: {}. Why: see the profiles in \
                 [bench/README.md](bench/README.md).\n\n",
                summary.join("; ")
            ),
        });
        md
    }
}
