//! `cargo xtask diff A B`: what step B changes compared to step A, as a unified diff that reads
//! like a slide and applies with `patch`.
//!
//! Files are paired by their path inside the step. Before comparing, each side's own crate name
//! (`step03-round-robin`, `step03_round_robin`) becomes a token, so a line that only names the
//! crate is not a change. `similar` diffs and renders those normalised texts; the token then
//! goes back to step A's name on context and removed lines, and to step B's on added lines.
//! Context comes from A, as in any patch: step A plus `--all`, through `patch -p1`, is step B.
//!
//! A file only step A has and a file only step B has are one renamed file when they sit in the
//! same folder and have at least half their lines in common (`renames.rs` says which lines
//! count): a demo cannot keep its name from one step to the next, since Cargo wants example
//! names unique across the workspace. A rename shows as git shows it, a diff against the old
//! name, which GNU patch and `git apply` follow.
//!
//! The default view is the slide (`render.rs`): `src/` in the step's reading order (its `lib.rs`
//! says where to start reading), `Cargo.toml` and the step's talk demo in full; removed files,
//! the other new demos, `tests/`, `benches/` and `python/` one line each at the end; the README
//! not at all.
//! `Cargo.toml`'s workshop metadata is left out, one line at the end naming what changed in it
//! (`manifest.rs`). Its length is what each step's `diff-budget` bounds. `--slides`
//! (`slides.rs`) shows the same view a file a page.

mod files;
mod manifest;
mod renames;
mod render;
mod slides;

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use lexopt::prelude::*;
use similar::{ChangeTag, TextDiff};

use crate::steps;
use crate::{Error, Workspace, help, print_out, unexpected};

/// `cargo xtask diff --help`.
pub const HELP: &str = "\
usage: cargo xtask diff A B [options]     what step B changes compared to step A

By default, the slide: src/ in the step's reading order (its lib.rs says where to start),
Cargo.toml without its workshop metadata, and the step's talk demo, in full; then one line each
for removed files, the other new demos, tests and benches (--file or --all shows them), the
talk's Python (--python), and the metadata keys that changed. A file step B renamed (same
folder, at least half its lines in common) shows as a diff against its old name, as git shows
it. A line that differs only by the crate name is not a change.

options:
  --all                       everything in full, README.md included; applies inside a copy
                              of step A with `patch -p1` (GNU patch) or `git apply`
  --stat                      changed files with +/- counts, then totals
  --slides                    a page per file, titled with what it is for and its size; on a
                              terminal, Enter or → shows the next (b or ←: back, q: quit),
                              elsewhere the pages follow one another
  --file PATH                 only this file or directory (src/lib.rs, src), in full
  --context N, -U N           lines of context around each change (default 3)
  --color auto|always|never   colour (auto: on a terminal, unless NO_COLOR is set)
  --python                    how the talk's own Python grew instead (python/runtime.py and
                              the twin of the talk demo), with --context and --color
";

/// Short, so that the error line naming a wrong option fits 100 columns whole.
const OPTIONS: &str = "try --all --stat --slides --file --context --color --python";

/// More context than this is the whole file anyway, and `similar` computes `2 * context`,
/// which overflows for a huge number: so a larger `--context` is clamped, not refused.
pub const MAX_CONTEXT: usize = 10_000;

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
    /// The path relative to the step, with `/`: step B's, or step A's for a removed file.
    pub path: String,
    /// Where the file was in step A, when step B renamed it.
    pub rename: Option<Rename>,
    /// Step A's text, normalised; `None` when the file is new in step B.
    old: Option<String>,
    /// Step B's text, normalised; `None` when step B removed the file.
    new: Option<String>,
    /// Lines added.
    pub insertions: usize,
    /// Lines removed.
    pub deletions: usize,
    /// The lines the view leaves out: `Cargo.toml`'s workshop table, in the default view.
    hidden: Option<manifest::Hidden>,
}

/// A file of step A that step B keeps under another name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The path in step A.
    pub from: String,
    /// The lines both sides have in common, in percent of the longer side (git's
    /// "similarity index", counted in lines).
    pub similarity: usize,
}

/// The changes from step A to step B, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    old_name: String,
    new_name: String,
    /// Every changed file, in slide order (see `rank` in `files.rs`).
    pub files: Vec<FileDiff>,
    /// Step B's talk demo (`talk-demo` in its manifest), which the default view shows in full.
    talk_demo: Option<String>,
    /// The keys of `Cargo.toml`'s workshop table that changed, when the view leaves it out.
    metadata: Option<Vec<String>>,
    all: bool,
    context: usize,
}

/// Parses `diff`'s arguments, diffs and prints.
pub fn main(parser: &mut lexopt::Parser, ws: &Workspace) -> Result<ExitCode, Error> {
    let (mut sides, mut stat, mut slides, mut color) = (Vec::new(), false, false, None);
    let mut python = false;
    let mut options = Options::default();
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return help(HELP),
            Long("all") => options.all = true,
            Long("stat") => stat = true,
            Long("slides") => slides = true,
            Long("file") => options.file = Some(parser.value()?.string()?),
            Long("context") | Short('U') => options.context = context(parser.value()?.string()?)?,
            Long("color") => color = parse_color(&parser.value()?.string()?)?,
            Long("python") => python = true,
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
    if stat && slides {
        return Err(Error::Usage(
            "--stat and --slides are two views: pick one".into(),
        ));
    }
    let color = color.unwrap_or_else(color_by_default);
    if python && (stat || slides || options.all || options.file.is_some()) {
        return Err(Error::Usage(
            "--python takes --context and --color, not --all, --stat, --slides or --file".into(),
        ));
    }
    if python {
        crate::python::diff::main(old, new, options.context.min(MAX_CONTEXT), color)?;
        return Ok(ExitCode::SUCCESS);
    }
    let found = dirs((&old.name, &old.dir), (&new.name, &new.dir), &options)?;
    if slides {
        slides::show(&found, color)?;
    } else if stat {
        print_out(&found.stat(color))?;
    } else {
        print_out(&found.unified(color))?;
    }
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
    let (old_files, new_files) = (files::load(old.1)?, files::load(new.1)?);
    let paths: BTreeSet<&String> = old_files.keys().chain(new_files.keys()).collect();
    let selected = files::select(paths, options.file.as_deref(), [old.0, new.0])?;
    let talk_demo = new_files.get("Cargo.toml").and_then(|manifest| {
        let workshop = steps::manifest_table(manifest, steps::WORKSHOP);
        workshop.get("talk-demo").cloned()
    });
    let normalise_all = |files: &BTreeMap<String, String>, name| -> BTreeMap<String, String> {
        let each = files.iter();
        each.map(|(path, text)| (path.clone(), files::normalise(text, name)))
            .collect()
    };
    let mut files = changes(
        &normalise_all(&old_files, old.0),
        &normalise_all(&new_files, new.0),
    );
    // A rename is selected by either of its names: it is one change.
    let chosen = |path: &String| selected.contains(&path);
    files.retain(|f| chosen(&f.path) || f.rename.as_ref().is_some_and(|r| chosen(&r.from)));
    // The step's reading order, as its `lib.rs` gives it, within `src/`.
    let lib_rs = new_files.get("src/lib.rs").map_or("", String::as_str);
    let order = files::reading_order(lib_rs);
    let read_at = |path: &str| order.iter().position(|p| p == path).unwrap_or(order.len());
    files.sort_by_key(|file| {
        (
            files::rank(&file.path),
            read_at(&file.path),
            file.path.clone(),
        )
    });
    // Naming a file is asking to see it, whatever the default view would do with it.
    let all = options.all || options.file.is_some();
    let context = options.context.min(MAX_CONTEXT);
    let mut metadata = None;
    if !all {
        for file in &mut files {
            metadata = metadata.or(manifest::hide_workshop_table(file, context));
        }
        files.retain(|f| f.hidden.is_none() || f.insertions + f.deletions > 0);
    }
    Ok(Diff {
        old_name: old.0.to_owned(),
        new_name: new.0.to_owned(),
        files,
        talk_demo,
        metadata,
        all,
        context,
    })
}

/// Every file that changed between the two (normalised) sides: paired by path, then the
/// renames among the files left over.
fn changes(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<FileDiff> {
    let renamed = renames::find(old, new);
    let (from, to): (BTreeSet<&str>, BTreeSet<&str>) = renamed
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .unzip();
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let by_path = paths
        .into_iter()
        .filter(|path| !from.contains(path.as_str()) && !to.contains(path.as_str()))
        .filter_map(|path| file_diff(path, None, old.get(path), new.get(path)));
    let by_rename = renamed.iter().filter_map(|r| {
        let rename = Rename {
            from: r.from.clone(),
            similarity: r.similarity(),
        };
        file_diff(&r.to, Some(rename), old.get(&r.from), new.get(&r.to))
    });
    by_path.chain(by_rename).collect()
}

/// The changes to one file, or `None` when it did not change beyond the crate name (and kept
/// its name).
fn file_diff(
    path: &str,
    rename: Option<Rename>,
    old: Option<&String>,
    new: Option<&String>,
) -> Option<FileDiff> {
    if old == new && rename.is_none() {
        return None;
    }
    let (old, new) = (old.cloned(), new.cloned());
    let diff = TextDiff::from_lines(old.as_deref().unwrap_or(""), new.as_deref().unwrap_or(""));
    let count = |tag| diff.iter_all_changes().filter(|c| c.tag() == tag).count();
    let (insertions, deletions) = (count(ChangeTag::Insert), count(ChangeTag::Delete));
    Some(FileDiff {
        path: path.to_owned(),
        rename,
        old,
        new,
        insertions,
        deletions,
        hidden: None,
    })
}
