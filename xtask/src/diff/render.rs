//! A [`Diff`] as text: the unified diff of a view, or its `--stat`.
//!
//! The default view is the slide: what the step's idea changes, in full (`src/`, `Cargo.toml`,
//! the talk demo, a demo renamed from step A). Then, one line each, what a participant may
//! look at next: removed files, then the other new demos, tests and benches, and the talk's
//! Python under headings that say which option shows them, and which keys of `Cargo.toml`'s
//! workshop metadata changed (the table itself is left out). `--all` and `--file` show
//! everything in full.

use similar::TextDiff;

use super::files::restore;
use super::manifest::unified_outside;
use super::{Diff, FileDiff};

/// How a view shows a changed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Full,
    /// One line: the slide is about what the step adds.
    Removed,
    /// One line: a new demo besides the talk's goes further than the idea, and is new whole.
    Demo,
    /// One line: tests and benches matter, but are not the idea.
    Footer,
    /// One line: the talk's own Python, which `--python` shows.
    Python,
    /// Not shown: README.md outside `--all`.
    Hidden,
}

/// The stat groups at the end of the default view, in order, under their headings.
const FOOTER: [(Shown, &str); 3] = [
    (
        Shown::Demo,
        "new demos besides the talk's (--file PATH shows one):",
    ),
    (Shown::Footer, "tests and benches (--all shows them):"),
    (
        Shown::Python,
        "the talk's Python (--python shows how it grew):",
    ),
];

/// The heading of the line that names the keys of `Cargo.toml`'s workshop table that changed,
/// which the default view leaves out.
const METADATA: &str = "workshop metadata in Cargo.toml (--file Cargo.toml shows it):";

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

impl FileDiff {
    /// A rename and nothing else: a header without a hunk.
    fn is_bare_rename(&self) -> bool {
        self.rename.is_some() && self.old == self.new
    }
}

impl Diff {
    fn shown(&self, file: &FileDiff) -> Shown {
        let test_or_bench = file.path.starts_with("tests/") || file.path.starts_with("benches/");
        let new_demo = file.old.is_none() && file.path.starts_with("examples/");
        if self.all {
            Shown::Full
        } else if file.path.starts_with("python/") {
            Shown::Python
        } else if file.new.is_none() {
            Shown::Removed
        } else if test_or_bench {
            Shown::Footer
        } else if file.path == "README.md" {
            Shown::Hidden
        } else if new_demo && !self.is_talk_demo(&file.path) {
            Shown::Demo
        } else {
            Shown::Full
        }
    }

    /// `examples/talk05.rs` when step B's talk demo is `talk05`.
    fn is_talk_demo(&self, path: &str) -> bool {
        let demo = path
            .strip_prefix("examples/")
            .and_then(|p| p.strip_suffix(".rs"));
        demo.is_some() && demo == self.talk_demo.as_deref()
    }

    fn files_shown(&self, shown: Shown) -> Vec<&FileDiff> {
        self.files
            .iter()
            .filter(|f| self.shown(f) == shown)
            .collect()
    }

    /// The files the view shows in full, in the order it shows them. GNU patch reads a `diff
    /// --git` header up to the next `diff --git` or hunk, so a plain `---` after a bare rename
    /// would be taken as part of it: bare renames come last.
    pub(super) fn in_full(&self) -> Vec<&FileDiff> {
        let (bare, with_hunks): (Vec<&FileDiff>, _) = self
            .files_shown(Shown::Full)
            .into_iter()
            .partition(|f| f.is_bare_rename());
        with_hunks.into_iter().chain(bare).collect()
    }

    /// The unified diff of the view, after a title line (which `patch` skips as it skips any
    /// text before a file's `---` line), then the one-line groups.
    pub fn unified(&self, color: bool) -> String {
        let mut out = Out {
            text: String::new(),
            color,
        };
        out.line(
            Kind::Header,
            &format!("{} → {}", self.old_name, self.new_name),
        );
        let in_full = self.in_full();
        for file in &in_full {
            self.render(file, &mut out);
        }
        let rest = self.rest(color);
        if in_full.is_empty() && rest.is_empty() {
            out.line(Kind::Plain, "no change here, crate names aside");
        }
        out.text + &rest
    }

    /// One file in full, as [`Diff::unified`] shows it.
    pub(super) fn file_text(&self, file: &FileDiff, color: bool) -> String {
        let mut out = Out {
            text: String::new(),
            color,
        };
        self.render(file, &mut out);
        out.text
    }

    /// What the view shows after the files in full, each group after a blank line: removed
    /// files, then the other new demos, tests and benches in stat lines, then the keys of the
    /// workshop metadata it left out. Empty when there is none of these.
    pub(super) fn rest(&self, color: bool) -> String {
        let mut out = Out {
            text: String::new(),
            color,
        };
        let removed = self.files_shown(Shown::Removed);
        if !removed.is_empty() {
            out.line(Kind::Plain, "");
        }
        for file in removed {
            let (path, lines) = (&file.path, file.deletions);
            out.line(Kind::Plain, &format!("removed: {path} ({lines} lines)"));
        }
        let in_short: Vec<&FileDiff> = FOOTER
            .iter()
            .flat_map(|(shown, _)| self.files_shown(*shown))
            .collect();
        let table = Table::of(&in_short, color);
        for (shown, heading) in FOOTER {
            let files = self.files_shown(shown);
            if !files.is_empty() {
                out.line(Kind::Plain, "");
                out.line(Kind::Plain, heading);
                out.text.push_str(&table.lines(&files));
            }
        }
        if let Some(keys) = &self.metadata {
            out.line(Kind::Plain, "");
            out.line(Kind::Plain, METADATA);
            let keys = match keys.is_empty() {
                true => "comments only".to_owned(),
                false => keys.join(", "),
            };
            out.line(Kind::Plain, &format!(" {keys}"));
        }
        out.text
    }

    /// One file in full: `similar` renders the hunks of the normalised texts, and each line
    /// gets its side's crate name back. A rename starts as git starts it, which GNU patch
    /// follows: `diff --git`, then `rename from` and `rename to`.
    fn render(&self, file: &FileDiff, out: &mut Out) {
        let old_path = file.rename.as_ref().map_or(&file.path, |r| &r.from);
        if let Some(rename) = &file.rename {
            let (from, to) = (&rename.from, &file.path);
            out.line(Kind::Header, &format!("diff --git a/{from} b/{to}"));
            let similarity = rename.similarity;
            out.line(Kind::Header, &format!("similarity index {similarity}%"));
            out.line(Kind::Header, &format!("rename from {from}"));
            out.line(Kind::Header, &format!("rename to {to}"));
            if file.is_bare_rename() {
                return;
            }
        }
        let side = |text: &Option<String>, path: &str, prefix| match text {
            Some(_) => format!("{prefix}/{path}"),
            None => "/dev/null".to_owned(),
        };
        out.line(
            Kind::Header,
            &format!("--- {}", side(&file.old, old_path, "a")),
        );
        out.line(
            Kind::Header,
            &format!("+++ {}", side(&file.new, &file.path, "b")),
        );
        let (old, new) = (
            file.old.as_deref().unwrap_or(""),
            file.new.as_deref().unwrap_or(""),
        );
        let hunks = match &file.hidden {
            Some(hidden) => unified_outside(old, new, hidden, self.context).0,
            None => TextDiff::from_lines(old, new)
                .unified_diff()
                .context_radius(self.context)
                .missing_newline_hint(true)
                .to_string()
                // `split_terminator`, not `lines`: a `\r` at the end of a line is the file's.
                .split_terminator('\n')
                .map(str::to_owned)
                .collect(),
        };
        for line in &hunks {
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
            Table::of(&files, color).lines(&files),
            plural(files.len(), "file"),
            plural(sum(|f| f.insertions), "insertion"),
            plural(sum(|f| f.deletions), "deletion"),
        )
    }
}

/// The widest `+`/`-` bar of a stat line: a file rewritten whole must not flood the screen.
const BAR: usize = 40;

/// The shape of a group of stat lines, ` src/lib.rs | 19 +++++--`: paths and counts aligned,
/// bars on one scale.
struct Table {
    path_width: usize,
    count_width: usize,
    largest: usize,
    color: bool,
}

impl Table {
    /// A table wide enough for `files`.
    fn of(files: &[&FileDiff], color: bool) -> Table {
        let width = |f: &&FileDiff| stat_path(f).chars().count();
        let largest = files.iter().map(|f| f.insertions + f.deletions).max();
        let largest = largest.unwrap_or(0);
        Table {
            path_width: files.iter().map(width).max().unwrap_or(0),
            count_width: largest.to_string().len(),
            largest,
            color,
        }
    }

    /// One line per file.
    fn lines(&self, files: &[&FileDiff]) -> String {
        let mut text = String::new();
        for f in files {
            let (path, width) = (stat_path(f), self.path_width);
            let changes = f.insertions + f.deletions;
            let bars =
                self.bar(f.insertions, "+", "\x1b[32m") + &self.bar(f.deletions, "-", "\x1b[31m");
            let line = format!(" {path:<width$} | {changes:>0$} {bars}", self.count_width);
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }

    /// `n` signs, scaled down when the largest change is wider than [`BAR`], never to zero.
    fn bar(&self, n: usize, sign: &str, code: &str) -> String {
        let n = if self.largest <= BAR || n == 0 {
            n
        } else {
            (n * BAR / self.largest).max(1)
        };
        match self.color && n > 0 {
            true => format!("{code}{}\x1b[0m", sign.repeat(n)),
            false => sign.repeat(n),
        }
    }
}

/// The path, or for a rename git's `examples/{echo_server.rs => echo_mio.rs}`: the folders
/// both names share, then what differs.
fn stat_path(file: &FileDiff) -> String {
    let Some(rename) = &file.rename else {
        return file.path.clone();
    };
    let (from, to) = (rename.from.as_str(), file.path.as_str());
    let same = from.bytes().zip(to.bytes()).take_while(|(a, b)| a == b);
    let shared = same.enumerate().filter(|(_, (a, _))| *a == b'/').last();
    match shared.map(|(slash, _)| slash + 1) {
        Some(cut) => format!("{}{{{} => {}}}", &from[..cut], &from[cut..], &to[cut..]),
        None => format!("{from} => {to}"),
    }
}
