//! The figures: one row per workload, one column per runtime, each cell a median and its ratio
//! to tokio; and how the terminal shows them, row by row as they come.

use std::fmt::Write as _;

use super::REFERENCE;
use crate::{Error, print_out};

/// What a row's figures are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Nanoseconds, shown as `1.23 ms`.
    Time,
    /// A count, shown as `7.0`.
    Count,
}

/// One cell of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    /// What was measured.
    Value(f64),
    /// The runtime does not run this workload.
    Skipped,
    /// The run failed.
    Failed,
}

impl Figure {
    /// The value, if there is one.
    pub fn value(self) -> Option<f64> {
        match self {
            Figure::Value(value) => Some(value),
            _ => None,
        }
    }
}

/// One row of the table: what it measures, and one figure per runtime.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// A workload's name, or [`CPU_ROW`](super::CPU_ROW), [`SYSCALLS_ROW`](super::SYSCALLS_ROW).
    pub name: String,
    /// What the figures are.
    pub unit: Unit,
    /// One per runtime, in the table's order.
    pub figures: Vec<Figure>,
}

/// The whole result: runtimes as columns, workloads as rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns: steps, then the peers.
    pub runtimes: Vec<String>,
    /// The rows, in the order measured.
    pub rows: Vec<Row>,
}

/// The width of the first column of the terminal table.
pub(super) const NAME_WIDTH: usize = 18;
/// The width of every other column of the terminal table.
pub(super) const CELL_WIDTH: usize = 10;

impl Table {
    /// Adds a row, and prints its ratios to the reference as the line under it.
    pub(super) fn push(
        &mut self,
        name: &str,
        unit: Unit,
        figures: Vec<Figure>,
    ) -> Result<(), Error> {
        self.rows.push(Row {
            name: name.into(),
            unit,
            figures,
        });
        let ratios: String = (0..self.runtimes.len())
            .map(|i| format!("{:<CELL_WIDTH$}", self.ratio_text(self.rows.len() - 1, i)))
            .collect();
        print_out(&format!(
            "{:<NAME_WIDTH$}{}\n",
            format!("  ÷ {REFERENCE}"),
            ratios.trim_end()
        ))
    }

    /// The terminal table's header line.
    pub(super) fn header(&self) -> String {
        let names: String = self
            .runtimes
            .iter()
            .map(|name| format!("{name:<CELL_WIDTH$}"))
            .collect();
        format!("{:<NAME_WIDTH$}{}\n", "workload", names.trim_end())
    }

    /// The whole terminal table, as [`main`](super::main) prints it row by row.
    pub fn text(&self) -> String {
        let mut text = self.header();
        for (r, row) in self.rows.iter().enumerate() {
            let cells: String = row
                .figures
                .iter()
                .map(|figure| format!("{:<CELL_WIDTH$}", Table::cell(row.unit, figure)))
                .collect();
            let ratios: String = (0..self.runtimes.len())
                .map(|i| format!("{:<CELL_WIDTH$}", self.ratio_text(r, i)))
                .collect();
            let _ = writeln!(text, "{:<NAME_WIDTH$}{cells}", row.name);
            let _ = writeln!(
                text,
                "{:<NAME_WIDTH$}{}",
                format!("  ÷ {REFERENCE}"),
                ratios.trim_end()
            );
        }
        text
    }

    /// A figure as the table shows it.
    pub(super) fn cell(unit: Unit, figure: &Figure) -> String {
        match (figure, unit) {
            (Figure::Value(ns), Unit::Time) => duration(*ns),
            (Figure::Value(count), Unit::Count) => format!("{count:.1}"),
            (Figure::Skipped, _) => "—".into(),
            (Figure::Failed, _) => "failed".into(),
        }
    }

    /// The column of a runtime.
    pub fn column(&self, runtime: &str) -> Option<usize> {
        self.runtimes.iter().position(|name| name == runtime)
    }

    /// The row of that name.
    pub fn row(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|row| row.name == name)
    }

    /// A figure, by row and runtime name.
    pub fn value(&self, row: &str, runtime: &str) -> Option<f64> {
        self.row(row)?.figures.get(self.column(runtime)?)?.value()
    }

    /// The figure of row `r`, column `c`, over the reference's.
    pub fn ratio(&self, r: usize, c: usize) -> Option<f64> {
        let row = self.rows.get(r)?;
        let reference = row.figures.get(self.column(REFERENCE)?)?.value()?;
        let value = row.figures.get(c)?.value()?;
        (reference > 0.0).then(|| value / reference)
    }

    /// [`Table::ratio`] as text, `—` when there is none.
    fn ratio_text(&self, r: usize, c: usize) -> String {
        self.ratio(r, c).map_or_else(|| "—".into(), times)
    }
}

/// Nanoseconds with three significant digits and a unit: `812 ns`, `1.36 ms`, `2.05 s`.
pub fn duration(ns: f64) -> String {
    let (value, unit) = match ns {
        ns if ns < 1e3 => (ns, "ns"),
        ns if ns < 1e6 => (ns / 1e3, "µs"),
        ns if ns < 1e9 => (ns / 1e6, "ms"),
        ns => (ns / 1e9, "s"),
    };
    format!("{} {unit}", significant(value))
}

/// A ratio with three significant digits: `0.193×`, `1.00×`, `37.2×`, `123×`.
pub fn times(ratio: f64) -> String {
    format!("{}×", significant(ratio))
}

/// Three significant digits, for values from 0.001 up.
fn significant(value: f64) -> String {
    match value {
        v if v < 1.0 => format!("{v:.3}"),
        v if v < 10.0 => format!("{v:.2}"),
        v if v < 100.0 => format!("{v:.1}"),
        v => format!("{v:.0}"),
    }
}
