//! The unified diff between two steps: what the next idea changes, and nothing else.
//!
//! Files are paired by their path relative to the step (`src/lib.rs` with `src/lib.rs`); a file
//! on one side only is shown whole, as added or removed. Lines are compared with each side's own
//! crate name replaced by a neutral token, so `use step03_round_robin::Loop;` against
//! `use step04_sockets::Loop;` is not a change; the lines printed are the real ones (context
//! lines from the new side). The output is the standard `---`/`+++`/`@@` format, which `less -R`,
//! `delta` and `patch` understand.
//!
//! Everything but [`load`] and [`steps`] is pure, so the tests feed it in-memory file sets.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use similar::udiff::UnifiedHunkHeader;
use similar::{Algorithm, DiffOp, capture_diff_slices, group_diff_ops};

use crate::Error;
use crate::steps::Step;

/// A step's files: path relative to the step (with `/`) → contents.
pub type Files = BTreeMap<String, Vec<u8>>;

/// The directories compared, recursively, besides `Cargo.toml` (and `README.md` on request).
pub const DIRS: &[&str] = &["src", "examples", "tests", "benches"];

/// Stands for a side's crate name as written in paths and Cargo (`step03-round-robin`).
const CRATE_TOKEN: &str = "\u{0}crate-name\u{0}";
/// Stands for a side's crate name as written in Rust code (`step03_round_robin`).
const LIB_TOKEN: &str = "\u{0}crate_name\u{0}";

/// One side of a diff: a crate name (for headers and normalisation) and its files.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The crate name, also the directory name shown in headers.
    pub name: &'a str,
    /// The files of that side.
    pub files: &'a Files,
}

/// How to diff, besides which files are loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Lines of context around each change.
    pub context: usize,
    /// Only this file, or the files under this directory (relative to the step).
    pub file: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            context: crate::cli::DEFAULT_CONTEXT,
            file: None,
        }
    }
}

/// What a line of the output is, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `--- a/…` or `+++ b/…`.
    Header,
    /// `@@ -1,3 +1,4 @@`.
    Hunk,
    /// ` unchanged line`.
    Context,
    /// `-removed line`.
    Removed,
    /// `+added line`.
    Added,
    /// `\ No newline at end of file`, or a note about binary files.
    Note,
}

/// The changes to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    /// The path relative to the step.
    pub path: String,
    /// Lines added.
    pub insertions: usize,
    /// Lines removed.
    pub deletions: usize,
    /// True when the file is not text; then only a note is shown.
    pub binary: bool,
    /// The output lines, each with its prefix (`+`, `-`, ` `), without newline.
    pub lines: Vec<(LineKind, String)>,
}

/// The changes between two steps: one entry per changed file, in path order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diff {
    /// The changed files; unchanged files do not appear.
    pub files: Vec<FileDiff>,
}

/// Reads what a diff compares from a step directory: `src/`, `examples/`, `tests/`, `benches/`
/// recursively, `Cargo.toml`, and `README.md` when `readme` is set. Hidden files (editor swap
/// files, `.DS_Store`) are skipped. A directory without `src/` is an error, not an empty side:
/// an empty side would show the whole other step as added.
pub fn load(dir: &Path, readme: bool) -> Result<Files, Error> {
    if !dir.join("src").is_dir() {
        return Err(Error::Failed(format!(
            "{} has no src/ directory: a step keeps its runtime in src/",
            dir.display()
        )));
    }
    let mut files = Files::new();
    for sub in DIRS {
        if dir.join(sub).is_dir() {
            walk(dir, sub, &mut files)?;
        }
    }
    let mut singles = vec!["Cargo.toml"];
    if readme {
        singles.push("README.md");
    }
    for name in singles {
        let path = dir.join(name);
        if path.is_file() {
            files.insert(name.to_owned(), read(&path)?);
        }
    }
    Ok(files)
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    fs::read(path).map_err(|e| Error::Failed(format!("cannot read {}: {e}", path.display())))
}

/// Adds the files under `root/relative` to `files`, recursively.
fn walk(root: &Path, relative: &str, files: &mut Files) -> Result<(), Error> {
    let dir = root.join(relative);
    let entries = fs::read_dir(&dir)
        .map_err(|e| Error::Failed(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| Error::Failed(format!("cannot read {}: {e}", dir.display())))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue; // Not UTF-8: not something a participant wrote.
        };
        if name.starts_with('.') {
            continue;
        }
        let child = format!("{relative}/{name}");
        let path = entry.path();
        if path.is_dir() {
            walk(root, &child, files)?;
        } else if path.is_file() {
            files.insert(child, read(&path)?);
        }
    }
    Ok(())
}

/// Diffs two step directories as `cargo xtask diff` does.
pub fn steps(old: &Step, new: &Step, readme: bool, options: &Options) -> Result<Diff, Error> {
    dirs(
        (&old.name, &old.dir),
        (&new.name, &new.dir),
        readme,
        options,
    )
}

/// Diffs two directories, each given with the crate name it stands for.
pub fn dirs(
    (old_name, old_dir): (&str, &Path),
    (new_name, new_dir): (&str, &Path),
    readme: bool,
    options: &Options,
) -> Result<Diff, Error> {
    let readme = readme || options.file.as_deref() == Some("README.md");
    let old_files = load(old_dir, readme)?;
    let new_files = load(new_dir, readme)?;
    diff(
        Side {
            name: old_name,
            files: &old_files,
        },
        Side {
            name: new_name,
            files: &new_files,
        },
        options,
    )
}

/// Diffs two file sets. Fails only when `options.file` names nothing on either side.
pub fn diff(old: Side<'_>, new: Side<'_>, options: &Options) -> Result<Diff, Error> {
    let all: BTreeSet<&String> = old.files.keys().chain(new.files.keys()).collect();
    let selected: Vec<&String> = match &options.file {
        None => all.into_iter().collect(),
        Some(wanted) => {
            let wanted = strip_step_prefix(wanted, &[old.name, new.name]);
            let matching: Vec<&String> = all
                .iter()
                .copied()
                .filter(|path| {
                    *path == wanted
                        || path
                            .strip_prefix(wanted.trim_end_matches('/'))
                            .is_some_and(|rest| rest.starts_with('/'))
                })
                .collect();
            if matching.is_empty() {
                return Err(Error::Usage(format!(
                    "no file '{wanted}' in {} or {}: valid files are {}",
                    old.name,
                    new.name,
                    all.iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            matching
        }
    };
    let files = selected
        .into_iter()
        .filter_map(|path| {
            let before = old.files.get(path).map(Vec::as_slice);
            let after = new.files.get(path).map(Vec::as_slice);
            diff_file(path, (old.name, before), (new.name, after), options.context)
        })
        .collect();
    Ok(Diff { files })
}

/// `step03-round-robin/src/lib.rs` or `./src/lib.rs` → `src/lib.rs`.
fn strip_step_prefix<'a>(path: &'a str, names: &[&str]) -> &'a str {
    let path = path.strip_prefix("./").unwrap_or(path);
    names
        .iter()
        .find_map(|name| path.strip_prefix(name)?.strip_prefix('/'))
        .unwrap_or(path)
}

/// One line of a file, split off its newline, which the last line may lack.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    text: &'a str,
    newline: bool,
}

fn split_lines(text: &str) -> Vec<Line<'_>> {
    text.split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(text) => Line {
                text,
                newline: true,
            },
            None => Line {
                text: line,
                newline: false,
            },
        })
        .collect()
}

/// The line as compared: the side's own crate name in both spellings replaced by a token.
/// A missing final newline is part of the key, as it is a real change to the file.
fn key(line: &Line<'_>, crate_name: &str) -> (String, bool) {
    let lib_name = crate_name.replace('-', "_");
    let text = line
        .text
        .replace(crate_name, CRATE_TOKEN)
        .replace(&lib_name, LIB_TOKEN);
    (text, line.newline)
}

/// The text of a file, or `None` if it is binary (not UTF-8, or containing NUL).
fn as_text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|t| !t.contains('\0'))
}

/// Diffs one file; `None` when nothing changed but the crate name.
fn diff_file(
    path: &str,
    (old_name, old): (&str, Option<&[u8]>),
    (new_name, new): (&str, Option<&[u8]>),
    context: usize,
) -> Option<FileDiff> {
    let old_header = match old {
        Some(_) => format!("a/{old_name}/{path}"),
        None => "/dev/null".to_owned(),
    };
    let new_header = match new {
        Some(_) => format!("b/{new_name}/{path}"),
        None => "/dev/null".to_owned(),
    };
    let mut file = FileDiff {
        path: path.to_owned(),
        insertions: 0,
        deletions: 0,
        binary: false,
        lines: Vec::new(),
    };
    let (old_text, new_text) = match (
        old.map(as_text).unwrap_or(Some("")),
        new.map(as_text).unwrap_or(Some("")),
    ) {
        (Some(old_text), Some(new_text)) => (old_text, new_text),
        _ => {
            if old == new {
                return None;
            }
            file.binary = true;
            file.lines.push((
                LineKind::Note,
                format!("Binary files {old_header} and {new_header} differ"),
            ));
            return Some(file);
        }
    };
    let old_lines = split_lines(old_text);
    let new_lines = split_lines(new_text);
    let old_keys: Vec<_> = old_lines.iter().map(|l| key(l, old_name)).collect();
    let new_keys: Vec<_> = new_lines.iter().map(|l| key(l, new_name)).collect();
    let ops = capture_diff_slices(Algorithm::Myers, &old_keys, &new_keys);
    let changed = ops.iter().any(|op| !matches!(op, DiffOp::Equal { .. }));
    if !changed && old.is_some() == new.is_some() {
        return None;
    }
    file.lines
        .push((LineKind::Header, format!("--- {old_header}")));
    file.lines
        .push((LineKind::Header, format!("+++ {new_header}")));
    for group in group_diff_ops(ops, context) {
        file.lines
            .push((LineKind::Hunk, UnifiedHunkHeader::new(&group).to_string()));
        for op in &group {
            let (_, old_range, new_range) = op.as_tag_tuple();
            if matches!(op, DiffOp::Equal { .. }) {
                // Equal after normalisation: show the new side, the code as it now reads.
                for line in &new_lines[new_range] {
                    push_line(&mut file.lines, LineKind::Context, ' ', line);
                }
                continue;
            }
            for line in &old_lines[old_range] {
                push_line(&mut file.lines, LineKind::Removed, '-', line);
                file.deletions += 1;
            }
            for line in &new_lines[new_range] {
                push_line(&mut file.lines, LineKind::Added, '+', line);
                file.insertions += 1;
            }
        }
    }
    Some(file)
}

fn push_line(lines: &mut Vec<(LineKind, String)>, kind: LineKind, prefix: char, line: &Line<'_>) {
    lines.push((kind, format!("{prefix}{}", line.text)));
    if !line.newline {
        lines.push((LineKind::Note, "\\ No newline at end of file".to_owned()));
    }
}

const RESET: &str = "\x1b[0m";

/// The ANSI colour of a kind of line: bold headers, cyan hunks, red removals, green additions.
fn color_of(kind: LineKind) -> Option<&'static str> {
    match kind {
        LineKind::Header => Some("\x1b[1m"),
        LineKind::Hunk => Some("\x1b[36m"),
        LineKind::Removed => Some("\x1b[31m"),
        LineKind::Added => Some("\x1b[32m"),
        LineKind::Context | LineKind::Note => None,
    }
}

/// Widest `+`/`-` bar in `--stat`, so a file rewritten whole does not flood the projector.
const STAT_BAR_WIDTH: usize = 50;

impl Diff {
    /// True when the two sides differ only by crate name (or not at all).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Lines added, over all files.
    pub fn insertions(&self) -> usize {
        self.files.iter().map(|f| f.insertions).sum()
    }

    /// Lines removed, over all files.
    pub fn deletions(&self) -> usize {
        self.files.iter().map(|f| f.deletions).sum()
    }

    /// The unified diff, every line ending in a newline; empty when nothing changed.
    pub fn unified(&self, color: bool) -> String {
        let mut out = String::new();
        for (kind, line) in self.files.iter().flat_map(|f| &f.lines) {
            match color_of(*kind).filter(|_| color) {
                Some(code) => out.push_str(&format!("{code}{line}{RESET}\n")),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// `git diff --stat`-like: one line per changed file, then the totals.
    pub fn stat(&self, color: bool) -> String {
        let path_width = self.files.iter().map(|f| f.path.len()).max().unwrap_or(0);
        let largest = self
            .files
            .iter()
            .map(|f| f.insertions + f.deletions)
            .max()
            .unwrap_or(0);
        let count_width = largest.to_string().len();
        let scale = |n: usize| {
            if largest <= STAT_BAR_WIDTH || n == 0 {
                n
            } else {
                (n * STAT_BAR_WIDTH / largest).max(1)
            }
        };
        let paint = |text: String, code: &str| {
            if color && !text.is_empty() {
                format!("{code}{text}{RESET}")
            } else {
                text
            }
        };
        let mut out = String::new();
        for file in &self.files {
            let changes = if file.binary {
                "Bin".to_owned()
            } else {
                format!(
                    "{:>count_width$} {}{}",
                    file.insertions + file.deletions,
                    paint("+".repeat(scale(file.insertions)), "\x1b[32m"),
                    paint("-".repeat(scale(file.deletions)), "\x1b[31m"),
                )
            };
            out.push_str(&format!(
                " {:<path_width$} | {}\n",
                file.path,
                changes.trim_end()
            ));
        }
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        out.push_str(&format!(
            " {}, {}, {}\n",
            plural(self.files.len(), "file changed", "files changed"),
            plural(self.insertions(), "insertion(+)", "insertions(+)"),
            plural(self.deletions(), "deletion(-)", "deletions(-)"),
        ));
        out
    }
}
