//! Which file of step A became which file of step B under a new name.
//!
//! The rule, git's default (`-M50%`) counted in lines: a file only step A has and a file only
//! step B has, in the same folder, are one renamed file when the lines they have in common (as
//! `similar` matches them, crate names aside) are at least half of the longer one's. Only lines
//! with a letter or a digit count: blank lines and lone braces, which any two Rust files share,
//! would pair two small demos that have nothing else in common. Files without such lines are
//! never paired: there is nothing to judge by.
//!
//! When a file could pair with several, the most similar pair wins, then the first by step A's
//! path, then by step B's; each file is in one pair at most. The same steps always give the
//! same pairs.

use std::collections::{BTreeMap, BTreeSet};

use similar::{ChangeTag, TextDiff};

/// One candidate pair: a file of step A, a file of step B, and how much they share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pair {
    /// The path in step A.
    pub(super) from: String,
    /// The path in step B.
    pub(super) to: String,
    /// Lines with a letter or a digit that both texts have in common.
    common: usize,
    /// Lines with a letter or a digit in the text that has more of them.
    longest: usize,
}

impl Pair {
    /// The share of common lines in percent, rounded down: 85 for 60 lines in common of 70.
    pub(super) fn similarity(&self) -> usize {
        self.common * 100 / self.longest
    }

    /// At least half of the longer text in common.
    fn is_rename(&self) -> bool {
        self.longest > 0 && 2 * self.common >= self.longest
    }

    /// Orders pairs from the most similar down; exact, without rounding a fraction.
    fn more_similar(&self, other: &Pair) -> std::cmp::Ordering {
        (other.common * self.longest).cmp(&(self.common * other.longest))
    }
}

/// The renames from `old` to `new` (path → normalised text), by the rule above.
pub(super) fn find(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<Pair> {
    let removed = old.iter().filter(|(path, _)| !new.contains_key(*path));
    let added: Vec<_> = new
        .iter()
        .filter(|(path, _)| !old.contains_key(*path))
        .collect();
    let mut candidates: Vec<Pair> = removed
        .flat_map(|(from, old_text)| {
            let same_folder = added.iter().filter(|(to, _)| folder(to) == folder(from));
            same_folder.map(|(to, new_text)| compare(from, old_text, to, new_text))
        })
        .filter(Pair::is_rename)
        .collect();
    candidates.sort_by(|a, b| {
        a.more_similar(b)
            .then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to)))
    });
    let (mut taken, mut pairs) = (BTreeSet::new(), Vec::new());
    for pair in candidates {
        if !taken.contains(&pair.from) && !taken.contains(&pair.to) {
            taken.extend([pair.from.clone(), pair.to.clone()]);
            pairs.push(pair);
        }
    }
    pairs
}

/// `examples` for `examples/echo.rs`, `` for `Cargo.toml`.
fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// How many lines that count two texts have in common, and how many the longer one has.
fn compare(from: &str, old: &str, to: &str, new: &str) -> Pair {
    let diff = TextDiff::from_lines(old, new);
    let changes = diff.iter_all_changes().filter(|c| counts(c.value()));
    let (mut common, mut old_lines, mut new_lines) = (0, 0, 0);
    for change in changes {
        match change.tag() {
            ChangeTag::Equal => {
                (common, old_lines, new_lines) = (common + 1, old_lines + 1, new_lines + 1)
            }
            ChangeTag::Delete => old_lines += 1,
            ChangeTag::Insert => new_lines += 1,
        }
    }
    Pair {
        from: from.to_owned(),
        to: to.to_owned(),
        common,
        longest: old_lines.max(new_lines),
    }
}

/// A line with a letter or a digit: content, not layout.
fn counts(line: &str) -> bool {
    line.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        let each = files.iter();
        each.map(|(path, text)| (path.to_string(), text.to_string()))
            .collect()
    }

    fn pairs(old: &[(&str, &str)], new: &[(&str, &str)]) -> Vec<(String, String, usize)> {
        let found = find(&side(old), &side(new));
        let each = found.iter();
        each.map(|p| (p.from.clone(), p.to.clone(), p.similarity()))
            .collect()
    }

    #[test]
    fn half_the_longer_file_in_common_is_a_rename() {
        let old = [("src/a.rs", "1\n2\n3\n4\n")];
        let half = [("src/b.rs", "1\n2\nx\ny\n")];
        assert_eq!(
            pairs(&old, &half),
            [("src/a.rs".into(), "src/b.rs".into(), 50)]
        );
        let less = [("src/b.rs", "1\n2\nx\ny\nz\n")];
        assert_eq!(pairs(&old, &less), [], "2 of 5 lines is not a rename");
    }

    #[test]
    fn only_files_that_left_and_came_in_the_same_folder_pair() {
        let old = [("src/a.rs", "1\n2\n"), ("src/kept.rs", "k\n")];
        let new = [("examples/a.rs", "1\n2\n"), ("src/kept.rs", "k\n")];
        assert_eq!(
            pairs(&old, &new),
            [],
            "another folder is another kind of file"
        );
        let (empty, also_empty) = ([("src/a.rs", "")], [("src/b.rs", "")]);
        assert_eq!(pairs(&empty, &also_empty), []);
    }

    #[test]
    fn blank_lines_and_braces_do_not_count() {
        let old = [("examples/a.rs", "fn main() {\n    a();\n}\n\n// a\n")];
        let new = [("examples/b.rs", "fn main() {\n    b();\n}\n\n// b\n")];
        assert_eq!(pairs(&old, &new), [], "1 line of 3 that count");
        let new = [("examples/b.rs", "fn main() {\n    a();\n}\n\n// b\n")];
        let two_of_three = [("examples/a.rs".into(), "examples/b.rs".into(), 66)];
        assert_eq!(pairs(&old, &new), two_of_three);
    }

    #[test]
    fn the_most_similar_pair_wins_then_the_first_by_path() {
        let old = [("src/a.rs", "1\n2\n3\n4\n"), ("src/b.rs", "1\n2\n3\n4\n")];
        let new = [("src/c.rs", "1\n2\n3\nx\n"), ("src/d.rs", "1\n2\n3\n4\n")];
        let expected = [
            ("src/a.rs".into(), "src/d.rs".into(), 100),
            ("src/b.rs".into(), "src/c.rs".into(), 75),
        ];
        assert_eq!(pairs(&old, &new), expected);
        let one = [("src/c.rs", "1\n2\n3\n4\n")];
        let first = [("src/a.rs".into(), "src/c.rs".into(), 100)];
        assert_eq!(
            pairs(&old, &one),
            first,
            "a tie goes to step A's first path"
        );
    }
}
