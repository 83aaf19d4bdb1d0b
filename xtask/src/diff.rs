//! `cargo xtask diff A B`: what step B changes compared to step A, as a unified diff that reads
//! like a slide and applies with `patch`.
//!
//! Files are paired by their path inside the step. Before comparing, each side's own crate name
//! (`step03-round-robin`, `step03_round_robin`) becomes a token, so a line that only names the
//! crate is not a change. `similar` diffs and renders those normalised texts; the token then
//! goes back to step A's name on context and removed lines, and to step B's on added lines.
//! Context comes from A, as in any patch: step A plus `--all`, through `patch -p1`, is step B.
//!
//! The default view is the slide: `src/`, `Cargo.toml` and `examples/` in full, a removed file
//! as one line, `tests/` and `benches/` as a stat footer, the README not at all. Its length is
//! what each step's `diff-budget` bounds.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use lexopt::prelude::*;
use similar::{ChangeTag, TextDiff};

use crate::steps;
use crate::{Error, Workspace, help, print_out, unexpected, with_list};

/// `cargo xtask diff --help`.
pub const HELP: &str = "\
usage: cargo xtask diff A B [options]     what step B changes compared to step A

By default: src/, Cargo.toml and examples/ in full, a removed file as one line, tests/ and
benches/ as a summary. A line that differs only by the crate name is not a change.

options:
  --all                       everything, README.md and removed files included; applies
                              with `patch -p1` inside a copy of step A
  --stat                      changed files with +/- counts, then totals
  --file PATH                 only this file or directory (src/lib.rs, src), in full
  --context N, -U N           lines of context around each change (default 3)
  --color auto|always|never   colour (auto: on a terminal, unless NO_COLOR is set)
";

const OPTIONS: &str = "valid options are --all, --stat, --file, --context, --color";

/// More context than this is the whole file anyway, and `similar` computes `2 * context`,
/// which overflows for a huge number: so a larger `--context` is clamped, not refused.
pub const MAX_CONTEXT: usize = 10_000;

/// Stand for a side's crate name while comparing; no real text contains a NUL byte.
const DASHED: &str = "\0crate-name\0";
const SNAKE: &str = "\0crate_name\0";

/// What to compare and how much context to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Show everything (`--all`) rather than the default view.
    pub all: bool,
    /// Lines of context around each change.
    pub context: usize,
    /// Only this file, or the files under this directory (relative to the step).
    pub file: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            all: false,
            context: 3,
            file: None,
        }
    }
}

/// One file that changed, beyond the crate name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    /// The path relative to the step, with `/`.
    pub path: String,
    /// Step A's text, normalised; `None` when the file is new in step B.
    old: Option<String>,
    /// Step B's text, normalised; `None` when step B removed the file.
    new: Option<String>,
    /// Lines added.
    pub insertions: usize,
    /// Lines removed.
    pub deletions: usize,
}

/// How a view shows a changed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Full,
    /// One line, `removed: PATH (N lines)`: the slide is about what the step adds.
    Removed,
    /// One line of the stat footer: tests and benches matter, but are not the idea.
    Footer,
    /// Not shown: README.md outside `--all`.
    Hidden,
}

/// The changes from step A to step B, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    old_name: String,
    new_name: String,
    /// Every changed file, in slide order (see [`rank`]).
    pub files: Vec<FileDiff>,
    all: bool,
    context: usize,
}

/// Parses `diff`'s arguments, diffs and prints.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let (mut sides, mut stat, mut color) = (Vec::new(), false, None);
    let mut options = Options::default();
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return help(HELP),
            Long("all") => options.all = true,
            Long("stat") => stat = true,
            Long("file") => options.file = Some(parser.value()?.string()?),
            Long("context") | Short('U') => options.context = context(parser.value()?.string()?)?,
            Long("color") => color = parse_color(&parser.value()?.string()?)?,
            Value(side) => sides.push(side.string()?),
            other => return Err(unexpected("diff", other, OPTIONS)),
        }
    }
    let [old, new] = <[String; 2]>::try_from(sides).map_err(|sides| {
        Error::Usage(format!(
            "diff takes two steps, got {}: `cargo xtask diff 3 4`",
            sides.len()
        ))
    })?;
    let (old, new) = (steps::find(&ws.steps, &old)?, steps::find(&ws.steps, &new)?);
    if old.name == new.name {
        return Err(Error::Usage(format!(
            "nothing to diff: both sides are {}; pick two different steps",
            old.label()
        )));
    }
    let found = dirs((&old.name, &old.dir), (&new.name, &new.dir), &options)?;
    let color = color.unwrap_or_else(color_by_default);
    print_out(&if stat {
        found.stat(color)
    } else {
        found.unified(color)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `--context N`: any number of lines, clamped to [`MAX_CONTEXT`].
fn context(value: String) -> Result<usize, Error> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        let hint = "--context needs a number of lines (0, 1, 2, …)";
        return Err(Error::Usage(format!("{hint}, got '{value}'")));
    }
    Ok(value.parse().unwrap_or(usize::MAX).min(MAX_CONTEXT))
}

/// `--color`: `Some` when forced, `None` for `auto`.
fn parse_color(value: &str) -> Result<Option<bool>, Error> {
    match value {
        "always" => Ok(Some(true)),
        "never" => Ok(Some(false)),
        "auto" => Ok(None),
        _ => Err(Error::Usage(format!(
            "--color must be auto, always or never, got '{value}'"
        ))),
    }
}

/// `auto`: colour on a terminal, unless `NO_COLOR` asks otherwise (<https://no-color.org>).
fn color_by_default() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Diffs two step directories, each given with the crate name it stands for.
pub fn dirs(old: (&str, &Path), new: (&str, &Path), options: &Options) -> Result<Diff, Error> {
    let (old_files, new_files) = (load(old.1)?, load(new.1)?);
    let paths: BTreeSet<&String> = old_files.keys().chain(new_files.keys()).collect();
    let selected = select(paths, options.file.as_deref(), [old.0, new.0])?;
    let mut files: Vec<FileDiff> = selected
        .into_iter()
        .filter_map(|path| {
            let old_text = old_files.get(path).map(|text| normalise(text, old.0));
            let new_text = new_files.get(path).map(|text| normalise(text, new.0));
            file_diff(path, old_text, new_text)
        })
        .collect();
    files.sort_by_key(|file| (rank(&file.path), file.path.clone()));
    Ok(Diff {
        old_name: old.0.to_owned(),
        new_name: new.0.to_owned(),
        files,
        // Naming a file is asking to see it, whatever the default view would do with it.
        all: options.all || options.file.is_some(),
        context: options.context.min(MAX_CONTEXT),
    })
}

/// What a diff compares, besides `Cargo.toml` and `README.md`: these directories, recursively.
const DIRS: [&str; 4] = ["src", "examples", "tests", "benches"];

/// A step's files: path relative to the step → text. Without `src/` it is an error, not an
/// empty side, which would show the whole other step as added.
fn load(dir: &Path) -> Result<BTreeMap<String, String>, Error> {
    if !dir.join("src").is_dir() {
        let dir = dir.display();
        return Err(Error::Failed(format!("{dir} has no src/: is it a step?")));
    }
    let mut files = BTreeMap::new();
    for sub in DIRS {
        walk(dir, sub, &mut files)?;
    }
    for name in ["Cargo.toml", "README.md"] {
        if dir.join(name).is_file() {
            files.insert(name.to_owned(), read(&dir.join(name))?);
        }
    }
    Ok(files)
}

/// Adds the files under `root/relative` to `files`, skipping hidden ones (`.DS_Store`, swaps).
fn walk(root: &Path, relative: &str, files: &mut BTreeMap<String, String>) -> Result<(), Error> {
    let Ok(entries) = fs::read_dir(root.join(relative)) else {
        return Ok(()); // No `benches/` in this step: nothing to compare.
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let (child, path) = (format!("{relative}/{name}"), entry.path());
        if name.starts_with('.') {
            continue;
        } else if path.is_dir() {
            walk(root, &child, files)?;
        } else {
            files.insert(child, read(&path)?);
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path)
        .map_err(|e| Error::Failed(format!("cannot read {}: {e}", path.display())))
}

/// The paths `--file` selects: one file, or the files under a directory. `./src`, `src/` and
/// `step04-sockets/src` all mean `src`. Naming nothing is a usage error listing what exists.
fn select<'a>(
    paths: BTreeSet<&'a String>,
    file: Option<&str>,
    names: [&str; 2],
) -> Result<Vec<&'a String>, Error> {
    let Some(file) = file else {
        return Ok(paths.into_iter().collect());
    };
    let mut wanted = file.strip_prefix("./").unwrap_or(file);
    for name in names {
        wanted = wanted
            .strip_prefix(name)
            .and_then(|w| w.strip_prefix('/'))
            .unwrap_or(wanted);
    }
    let wanted = wanted.trim_end_matches('/');
    let inside = |path: &&String| {
        path.strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('/'))
    };
    let found: Vec<&String> = paths
        .iter()
        .copied()
        .filter(|p| *p == wanted || inside(p))
        .collect();
    if !found.is_empty() {
        return Ok(found);
    }
    let message = format!("no file '{file}' in either step; valid files: ");
    let mut valid: Vec<String> = paths.into_iter().cloned().collect();
    valid.sort_by_key(|path| (rank(path), path.clone()));
    Err(Error::Usage(with_list(message, &valid)))
}

/// `text` with the crate `name`, in both spellings, replaced by tokens.
fn normalise(text: &str, name: &str) -> String {
    text.replace(name, DASHED)
        .replace(&name.replace('-', "_"), SNAKE)
}

/// The inverse of [`normalise`], for one output line.
fn restore(line: &str, name: &str) -> String {
    line.replace(DASHED, name)
        .replace(SNAKE, &name.replace('-', "_"))
}

/// The changes to one file, or `None` when it did not change beyond the crate name.
fn file_diff(path: &str, old: Option<String>, new: Option<String>) -> Option<FileDiff> {
    if old == new {
        return None;
    }
    let diff = TextDiff::from_lines(old.as_deref().unwrap_or(""), new.as_deref().unwrap_or(""));
    let count = |tag| diff.iter_all_changes().filter(|c| c.tag() == tag).count();
    let (insertions, deletions) = (count(ChangeTag::Insert), count(ChangeTag::Delete));
    Some(FileDiff {
        path: path.to_owned(),
        old,
        new,
        insertions,
        deletions,
    })
}

/// Slide order: `lib.rs`, the step's table of contents, first; then the rest of `src/`, the
/// manifest, the demos; tests, benches and the README last.
fn rank(path: &str) -> usize {
    let order = [
        "src/lib.rs",
        "src/",
        "Cargo.toml",
        "examples/",
        "tests/",
        "benches/",
    ];
    order
        .iter()
        .position(|start| path.starts_with(start))
        .unwrap_or(order.len())
}

/// What a line of output is, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Header,
    Hunk,
    Removed,
    Added,
    Plain,
}

/// Output text, coloured or not: bold headers, cyan `@@`, red removals, green additions.
struct Out {
    text: String,
    color: bool,
}

impl Out {
    fn line(&mut self, kind: Kind, line: &str) {
        let code = match kind {
            Kind::Header => "\x1b[1m",
            Kind::Hunk => "\x1b[36m",
            Kind::Removed => "\x1b[31m",
            Kind::Added => "\x1b[32m",
            Kind::Plain => "",
        };
        if self.color && !code.is_empty() {
            self.text.push_str(&format!("{code}{line}\x1b[0m\n"));
        } else {
            self.text.push_str(line);
            self.text.push('\n');
        }
    }
}

impl Diff {
    fn shown(&self, file: &FileDiff) -> Shown {
        let test_or_bench = file.path.starts_with("tests/") || file.path.starts_with("benches/");
        if self.all {
            Shown::Full
        } else if file.new.is_none() {
            Shown::Removed
        } else if test_or_bench {
            Shown::Footer
        } else if file.path == "README.md" {
            Shown::Hidden
        } else {
            Shown::Full
        }
    }

    fn files_shown(&self, shown: Shown) -> Vec<&FileDiff> {
        self.files
            .iter()
            .filter(|f| self.shown(f) == shown)
            .collect()
    }

    /// The unified diff of the view, after a title line (which `patch` skips as it skips any
    /// text before a file's `---` line).
    pub fn unified(&self, color: bool) -> String {
        let mut out = Out {
            text: String::new(),
            color,
        };
        out.line(
            Kind::Header,
            &format!("{} → {}", self.old_name, self.new_name),
        );
        for file in self.files_shown(Shown::Full) {
            self.render(file, &mut out);
        }
        let removed = self.files_shown(Shown::Removed);
        if !removed.is_empty() {
            out.line(Kind::Plain, "");
        }
        for file in removed {
            out.line(
                Kind::Plain,
                &format!("removed: {} ({} lines)", file.path, file.deletions),
            );
        }
        let footer = self.files_shown(Shown::Footer);
        if !footer.is_empty() {
            out.line(Kind::Plain, "");
            out.line(Kind::Plain, "tests and benches (see --all):");
            out.text.push_str(&stat_lines(&footer, color));
        }
        if self.files.iter().all(|f| self.shown(f) == Shown::Hidden) {
            out.line(Kind::Plain, "no change here, crate names aside");
        }
        out.text
    }

    /// One file in full: `similar` renders the hunks of the normalised texts, and each line
    /// gets its side's crate name back.
    fn render(&self, file: &FileDiff, out: &mut Out) {
        let side = |text: &Option<String>, prefix| match text {
            Some(_) => format!("{prefix}/{}", file.path),
            None => "/dev/null".to_owned(),
        };
        out.line(Kind::Header, &format!("--- {}", side(&file.old, "a")));
        out.line(Kind::Header, &format!("+++ {}", side(&file.new, "b")));
        let (old, new) = (
            file.old.as_deref().unwrap_or(""),
            file.new.as_deref().unwrap_or(""),
        );
        let diff = TextDiff::from_lines(old, new);
        let hunks = diff
            .unified_diff()
            .context_radius(self.context)
            .missing_newline_hint(true)
            .to_string();
        // `split_terminator`, not `lines`: a `\r` at the end of a line is part of the file.
        for line in hunks.split_terminator('\n') {
            let (kind, name) = match line.as_bytes().first() {
                Some(b'@') => (Kind::Hunk, &self.old_name),
                Some(b'-') => (Kind::Removed, &self.old_name),
                Some(b'+') => (Kind::Added, &self.new_name),
                _ => (Kind::Plain, &self.old_name),
            };
            out.line(kind, &restore(line, name));
        }
    }

    /// `git diff --stat`-like: one line per file of the view, then the totals.
    pub fn stat(&self, color: bool) -> String {
        let files: Vec<&FileDiff> = self
            .files
            .iter()
            .filter(|f| self.shown(f) != Shown::Hidden)
            .collect();
        let sum = |count: fn(&FileDiff) -> usize| files.iter().map(|f| count(f)).sum::<usize>();
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        format!(
            "{} {} changed, {}(+), {}(-)\n",
            stat_lines(&files, color),
            plural(files.len(), "file"),
            plural(sum(|f| f.insertions), "insertion"),
            plural(sum(|f| f.deletions), "deletion"),
        )
    }
}

/// The widest `+`/`-` bar of a stat line: a file rewritten whole must not flood the screen.
const BAR: usize = 40;

/// ` src/lib.rs | 19 +++++--`, one per file, paths and counts aligned.
fn stat_lines(files: &[&FileDiff], color: bool) -> String {
    let path_width = files
        .iter()
        .map(|f| f.path.chars().count())
        .max()
        .unwrap_or(0);
    let largest = files
        .iter()
        .map(|f| f.insertions + f.deletions)
        .max()
        .unwrap_or(0);
    let count_width = largest.to_string().len();
    let bar = |n: usize, sign: &str, code: &str| {
        let n = if largest <= BAR || n == 0 {
            n
        } else {
            (n * BAR / largest).max(1)
        };
        match color && n > 0 {
            true => format!("{code}{}\x1b[0m", sign.repeat(n)),
            false => sign.repeat(n),
        }
    };
    let mut text = String::new();
    for f in files {
        let changes = f.insertions + f.deletions;
        let plus = bar(f.insertions, "+", "\x1b[32m");
        let minus = bar(f.deletions, "-", "\x1b[31m");
        let line = format!(
            " {:<path_width$} | {changes:>count_width$} {plus}{minus}",
            f.path
        );
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}
