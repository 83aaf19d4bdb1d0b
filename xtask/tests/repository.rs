//! Repository checks that are fast enough for `cargo test`: every step directory has its table
//! entry, headline demo, `src/`, crate name, workspace membership and README sections, and the
//! diff between adjacent steps never shows a line that changed only by the crate name.
//!
//! The demos themselves are run by `cargo xtask check`, not here: CI would run them twice.

use std::path::Path;

use xtask::diff::{self, Options};
use xtask::steps::{self, Step};

fn real_steps() -> Vec<Step> {
    steps::discover(&xtask::workspace_root()).expect("discover steps")
}

#[test]
fn there_is_at_least_one_step() {
    assert!(!real_steps().is_empty());
}

#[test]
fn every_step_is_complete() {
    let problems = steps::problems(&xtask::workspace_root(), &real_steps());
    assert!(
        problems.is_empty(),
        "fix these (`cargo xtask check` lists them too):\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_step_dir_is_named_as_in_the_table() {
    for step in real_steps() {
        let info = step
            .info
            .unwrap_or_else(|| panic!("{}: no table entry", step.name));
        assert_eq!(info.number, step.number, "{}", step.name);
        assert!(Path::new(&step.dir).ends_with(info.crate_name));
    }
}

/// The changed lines of a unified diff, grouped into runs of `-` and `+` lines between context
/// lines (a `\ No newline` marker sticks to the line before it).
fn change_runs(unified: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let mut runs = Vec::new();
    let (mut removed, mut added) = (Vec::<String>::new(), Vec::<String>::new());
    let mut last_was_added = false;
    for line in unified.lines() {
        let is_header = line.starts_with("--- ") || line.starts_with("+++ ");
        if let (Some(text), false) = (line.strip_prefix('-'), is_header) {
            removed.push(text.to_owned());
            last_was_added = false;
        } else if let (Some(text), false) = (line.strip_prefix('+'), is_header) {
            added.push(text.to_owned());
            last_was_added = true;
        } else if line.starts_with('\\') {
            let target = if last_was_added {
                &mut added
            } else {
                &mut removed
            };
            if let Some(previous) = target.last_mut() {
                previous.push_str(" <no newline>");
            }
        } else if !removed.is_empty() || !added.is_empty() {
            runs.push((std::mem::take(&mut removed), std::mem::take(&mut added)));
        }
    }
    if !removed.is_empty() || !added.is_empty() {
        runs.push((removed, added));
    }
    runs
}

/// `line` with the crate name, in both spellings, replaced by `CRATE`.
fn without_name(line: &str, name: &str) -> String {
    line.replace(name, "CRATE")
        .replace(&name.replace('-', "_"), "CRATE")
}

#[test]
fn adjacent_diffs_never_change_a_line_only_by_its_crate_name() {
    let steps = real_steps();
    for pair in steps.windows(2) {
        let (old, new) = (&pair[0], &pair[1]);
        let found = diff::steps(old, new, true, &Options::default())
            .unwrap_or_else(|e| panic!("diff {} {}: {e}", old.number, new.number));
        for (removed, added) in change_runs(&found.unified(false)) {
            for line in &removed {
                let plain = without_name(line, &old.name);
                let renamed_only = added.iter().find(|a| without_name(a, &new.name) == plain);
                assert!(
                    renamed_only.is_none(),
                    "diff {} {}: '-{line}' / '+{}' differ only by the crate name",
                    old.number,
                    new.number,
                    renamed_only.map_or("", String::as_str),
                );
            }
        }
    }
}

#[test]
fn change_runs_reads_a_unified_diff() {
    let unified =
        "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n-e\n\\ No newline at end of file\n";
    assert_eq!(
        change_runs(unified),
        [
            (vec!["b".to_owned()], vec!["c".to_owned()]),
            (vec!["e <no newline>".to_owned()], vec![]),
        ]
    );
}
