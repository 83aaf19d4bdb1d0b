//! `bench/ratios.svg`: the table as bars, each runtime's ratio to tokio, workload by workload.

use std::fmt::Write as _;

use super::SYSCALLS_ROW;
use super::table::{Table, times};

/// The chart: for each workload, one bar per runtime, its ratio to tokio on a log scale; a bar
/// goes left of the 1× line when the runtime is faster than tokio, right when it is slower.
/// Plain SVG text, written by hand: no dependency.
pub fn svg(table: &Table) -> String {
    const COLORS: [&str; 8] = [
        "#9ecae1", "#4292c6", "#08519c", "#6a51a3", "#e6550d", "#31a354", "#756bb1", "#636363",
    ];
    let rows: Vec<usize> = (0..table.rows.len())
        .filter(|&r| table.rows[r].name != SYSCALLS_ROW)
        .collect();
    let ratios: Vec<f64> = rows
        .iter()
        .flat_map(|&r| (0..table.runtimes.len()).filter_map(move |c| table.ratio(r, c)))
        .filter(|ratio| *ratio > 0.0)
        .collect();
    let low = ratios
        .iter()
        .copied()
        .fold(1.0_f64, f64::min)
        .log10()
        .floor()
        .min(-1.0);
    let high = ratios
        .iter()
        .copied()
        .fold(1.0_f64, f64::max)
        .log10()
        .ceil()
        .max(1.0);
    let (left, right, top) = (50.0, 850.0, 56.0);
    let x = |ratio: f64| left + (ratio.log10() - low) / (high - low) * (right - left);
    // Each group: its workload's name on a line, then one bar per runtime.
    let (label, bar, gap) = (16.0, 11.0, 10.0);
    let group = label + bar * table.runtimes.len() as f64 + gap;
    let height = top + group * rows.len() as f64 + 30.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"{height:.0}\" \
         viewBox=\"0 0 900 {height:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"900\" height=\"{height:.0}\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"18\" font-size=\"13\" font-weight=\"bold\">Time relative to tokio \
         (current-thread), log scale: left of 1× is faster, right is slower</text>\n"
    );
    for (c, name) in table.runtimes.iter().enumerate() {
        let lx = 10.0 + 105.0 * c as f64;
        let _ = writeln!(
            svg,
            "<rect x=\"{lx:.0}\" y=\"30\" width=\"10\" height=\"10\" fill=\"{}\"/>\
             <text x=\"{:.0}\" y=\"39\">{}</text>",
            COLORS[c % COLORS.len()],
            lx + 14.0,
            escape(name)
        );
    }
    let bottom = height - 25.0;
    for power in low as i32..=high as i32 {
        let ratio = 10f64.powi(power);
        let gx = x(ratio);
        let (stroke, width) = if power == 0 {
            ("#000", 1.5)
        } else {
            ("#ccc", 1.0)
        };
        let text = if power < 0 {
            format!("{ratio}×")
        } else {
            format!("{ratio:.0}×")
        };
        let _ = writeln!(
            svg,
            "<line x1=\"{gx:.1}\" y1=\"{top}\" x2=\"{gx:.1}\" y2=\"{bottom:.0}\" \
             stroke=\"{stroke}\" stroke-width=\"{width}\"/>\
             <text x=\"{gx:.1}\" y=\"{:.0}\" text-anchor=\"middle\">{text}</text>",
            bottom + 14.0
        );
    }
    for (g, &r) in rows.iter().enumerate() {
        let gy = top + group * g as f64;
        let name = escape(&table.rows[r].name);
        let _ = writeln!(
            svg,
            "<text x=\"10\" y=\"{:.1}\" font-weight=\"bold\">{name}</text>",
            gy + label - 4.0
        );
        for (c, runtime) in table.runtimes.iter().enumerate() {
            let y = gy + label + bar * c as f64;
            let Some(ratio) = table.ratio(r, c).filter(|ratio| *ratio > 0.0) else {
                continue; // skipped: no bar
            };
            let (from, to) = (x(1.0), x(ratio));
            // The reference's own bar would have no width: a tick marks it.
            let (bx, bw) = (from.min(to), (to - from).abs().max(2.0));
            let (tx, anchor) = if ratio >= 1.0 {
                (to + 3.0, "start")
            } else {
                (to - 3.0, "end")
            };
            let _ = writeln!(
                svg,
                "<rect x=\"{bx:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{:.0}\" \
                 fill=\"{}\"><title>{name} {}: {}</title></rect>\
                 <text x=\"{tx:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"{anchor}\">{}</text>",
                bar - 2.0,
                COLORS[c % COLORS.len()],
                escape(runtime),
                times(ratio),
                y + bar - 3.0,
                times(ratio)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Text made safe inside SVG (XML) elements.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
