//! The workshop's own table of a step's `Cargo.toml`, `[package.metadata.workshop]` (section,
//! idea, headline, talk demo, diff budget), which the default view leaves out: it changes at
//! every step and says nothing of the idea. The rest of the manifest, dependencies first, stays,
//! as a unified diff whose hunks stop at the table, so that every line number is the file's own.

use std::ops::Range;

use similar::{ChangeTag, TextDiff};

use super::FileDiff;
use crate::steps::WORKSHOP;

/// What the default view leaves out of a manifest: the table's lines on each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hidden {
    old: Range<usize>,
    new: Range<usize>,
}

/// Leaves the workshop table out of a changed `Cargo.toml`, when it changed: returns the keys
/// whose values changed (none if only comments did), or `None` if the table did not change.
/// The file's counts become those of what is still shown.
pub(super) fn hide_workshop_table(file: &mut FileDiff, context: usize) -> Option<Vec<String>> {
    let (Some(old), Some(new)) = (&file.old, &file.new) else {
        return None;
    };
    if file.path != "Cargo.toml" {
        return None;
    }
    let (old_table, new_table) = (table(old), table(new));
    let lines = |text: &str, range: &Range<usize>| -> Vec<String> {
        let all = text.split_terminator('\n').map(str::to_owned);
        all.skip(range.start).take(range.len()).collect()
    };
    if lines(old, &old_table) == lines(new, &new_table) {
        return None;
    }
    let keys = changed_keys(&lines(old, &old_table), &lines(new, &new_table));
    let hidden = Hidden {
        old: old_table,
        new: new_table,
    };
    let (_, insertions, deletions) = unified_outside(old, new, &hidden, context);
    (file.insertions, file.deletions) = (insertions, deletions);
    file.hidden = Some(hidden);
    Some(keys)
}

/// The lines of the workshop table, header included, trailing blank lines not: empty if the
/// manifest has none.
fn table(text: &str) -> Range<usize> {
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    let Some(start) = lines.iter().position(|line| line.trim() == WORKSHOP) else {
        return 0..0;
    };
    let next = lines[start + 1..]
        .iter()
        .position(|line| line.trim_start().starts_with('['));
    let mut end = next.map_or(lines.len(), |n| start + 1 + n);
    while end > start + 1 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    start..end
}

/// The keys of the table that the new side changed, added or removed, in file order.
fn changed_keys(old: &[String], new: &[String]) -> Vec<String> {
    let pairs = |lines: &[String]| -> Vec<(String, String)> {
        let entries = lines.iter().map(|line| line.trim());
        let entries = entries.filter(|line| !line.starts_with('#'));
        entries
            .filter_map(|line| line.split_once('='))
            .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
            .collect()
    };
    let (old, new) = (pairs(old), pairs(new));
    let changed = new.iter().filter(|pair| !old.contains(pair));
    let removed = old
        .iter()
        .filter(|(key, _)| !new.iter().any(|(k, _)| k == key));
    changed.chain(removed).map(|(key, _)| key.clone()).collect()
}

/// The unified diff of `old` and `new` without the hidden lines: hunks, with `context` lines
/// around each change, never reach into them. Returns the lines (`@@` headers included, crate
/// names still tokens), and the insertions and deletions shown.
pub(super) fn unified_outside(
    old: &str,
    new: &str,
    hidden: &Hidden,
    context: usize,
) -> (Vec<String>, usize, usize) {
    let diff = TextDiff::from_lines(old, new);
    let changes: Vec<_> = diff.iter_all_changes().collect();
    let hides = |change: &similar::Change<&str>| {
        change.old_index().is_some_and(|i| hidden.old.contains(&i))
            || change.new_index().is_some_and(|i| hidden.new.contains(&i))
    };
    let is_hidden: Vec<bool> = changes.iter().map(hides).collect();
    let shown_change = |i: usize| !is_hidden[i] && changes[i].tag() != ChangeTag::Equal;
    // A line is kept if it is a change shown, or within `context` lines of one, hidden lines
    // between them stopping the count.
    let mut kept = vec![false; changes.len()];
    for at in (0..changes.len()).filter(|&i| shown_change(i)) {
        kept[at] = true;
        let before = (0..at).rev().take_while(|&i| !is_hidden[i]).take(context);
        let after = (at + 1..changes.len())
            .take_while(|&i| !is_hidden[i])
            .take(context);
        before.chain(after).for_each(|i| kept[i] = true);
    }
    let (mut lines, mut insertions, mut deletions) = (Vec::new(), 0, 0);
    let (mut old_before, mut new_before) = (0, 0);
    let mut at = 0;
    while at < changes.len() {
        if !kept[at] {
            let change = &changes[at];
            old_before += usize::from(change.tag() != ChangeTag::Insert);
            new_before += usize::from(change.tag() != ChangeTag::Delete);
            at += 1;
            continue;
        }
        let end = (at..changes.len())
            .find(|&i| !kept[i])
            .unwrap_or(changes.len());
        let hunk = &changes[at..end];
        let count = |skip: ChangeTag| hunk.iter().filter(|c| c.tag() != skip).count();
        let (old_count, new_count) = (count(ChangeTag::Insert), count(ChangeTag::Delete));
        let (old_range, new_range) = (range(old_before, old_count), range(new_before, new_count));
        lines.push(format!("@@ -{old_range} +{new_range} @@"));
        for change in hunk {
            let sign = match change.tag() {
                ChangeTag::Equal => ' ',
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
            };
            insertions += usize::from(sign == '+');
            deletions += usize::from(sign == '-');
            let text = change.value();
            lines.push(format!("{sign}{}", text.strip_suffix('\n').unwrap_or(text)));
            if !text.ends_with('\n') {
                lines.push("\\ No newline at end of file".into());
            }
        }
        (old_before, new_before) = (old_before + old_count, new_before + new_count);
        at = end;
    }
    (lines, insertions, deletions)
}

/// A hunk header's range, as `diff -u` writes it: `3,4`, `3` for one line, `2,0` for none
/// (after line 2).
fn range(before: usize, count: usize) -> String {
    match count {
        0 => format!("{before},0"),
        1 => format!("{}", before + 1),
        _ => format!("{},{count}", before + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "[package]\nname = \"a\"\n\n[package.metadata.workshop]\n\
                       idea = \"one\"\ndiff-budget = 10\n\n[dependencies]\nshared = 1\n\n\
                       [lints]\nworkspace = true\n";
    const NEW: &str = "[package]\nname = \"a\"\n\n[package.metadata.workshop]\n\
                       idea = \"two\"\n# a comment\ndiff-budget = 12\n\n[dependencies]\n\
                       libc = 1\nshared = 1\n\n[lints]\nworkspace = true\n";

    #[test]
    fn the_table_ends_before_the_blank_lines_and_the_next_table() {
        assert_eq!(table(OLD), 3..6);
        assert_eq!(table(NEW), 3..7);
        assert_eq!(table("[package]\nname = \"a\"\n"), 0..0);
    }

    #[test]
    fn the_keys_that_changed_in_file_order() {
        let lines = |text: &str| -> Vec<String> {
            let range = table(text);
            let all = text.lines().map(str::to_owned);
            all.skip(range.start).take(range.len()).collect()
        };
        assert_eq!(
            changed_keys(&lines(OLD), &lines(NEW)),
            ["idea", "diff-budget"]
        );
    }

    #[test]
    fn hunks_stop_at_the_table_and_number_lines_as_the_files_do() {
        let hidden = Hidden {
            old: table(OLD),
            new: table(NEW),
        };
        let (lines, insertions, deletions) = unified_outside(OLD, NEW, &hidden, 3);
        // Old line 7 is the blank line after the table; new line 8 the same one.
        let expected = [
            "@@ -7,5 +8,6 @@",
            " ",
            " [dependencies]",
            "+libc = 1",
            " shared = 1",
            " ",
            " [lints]",
        ];
        assert_eq!(lines, expected);
        assert_eq!((insertions, deletions), (1, 0));
    }

    #[test]
    fn nothing_but_the_table_leaves_no_hunk() {
        let new = OLD.replace("one", "two");
        let hidden = Hidden {
            old: table(OLD),
            new: table(&new),
        };
        assert_eq!(unified_outside(OLD, &new, &hidden, 3), (vec![], 0, 0));
    }
}
