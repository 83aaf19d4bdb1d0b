//! The files a diff compares: which ones make a step, which ones `--file` picks, the order a
//! slide shows them in (the step's reading order), what each one is for, and the crate name set
//! aside while comparing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::{Error, with_list};

/// Stand for a side's crate name while comparing; no real text contains a NUL byte.
const DASHED: &str = "\0crate-name\0";
const SNAKE: &str = "\0crate_name\0";

/// What a diff compares, besides `Cargo.toml` and `README.md`: these directories, recursively
/// (`python/`, the talk's own code, is out of the default view: `--python` shows it).
const DIRS: [&str; 5] = ["src", "examples", "tests", "benches", "python"];

/// A step's files: path relative to the step → text. Without `src/` it is an error, not an
/// empty side, which would show the whole other step as added.
pub(super) fn load(dir: &Path) -> Result<BTreeMap<String, String>, Error> {
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

/// Adds the files under `root/relative` to `files`, skipping hidden ones (`.DS_Store`, swaps)
/// and Python's compiled cache.
fn walk(root: &Path, relative: &str, files: &mut BTreeMap<String, String>) -> Result<(), Error> {
    let Ok(entries) = fs::read_dir(root.join(relative)) else {
        return Ok(()); // No `benches/` in this step: nothing to compare.
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let (child, path) = (format!("{relative}/{name}"), entry.path());
        if name.starts_with('.') || name == "__pycache__" {
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
pub(super) fn select<'a>(
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
pub(super) fn normalise(text: &str, name: &str) -> String {
    text.replace(name, DASHED)
        .replace(&name.replace('-', "_"), SNAKE)
}

/// The inverse of [`normalise`], for one output line.
pub(super) fn restore(line: &str, name: &str) -> String {
    line.replace(DASHED, name)
        .replace(SNAKE, &name.replace('-', "_"))
}

/// Slide order: `lib.rs`, the step's table of contents, first; then the rest of `src/`, the
/// manifest, the demos; tests, benches and the README last. Within `src/`, [`reading_order`]
/// comes before the names.
pub(super) fn rank(path: &str) -> usize {
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

/// The files of `src/` in the order a step's `lib.rs` says to read them: the `` `name.rs` ``
/// of its "Start reading at `waker.rs`, then `event_loop.rs` …" paragraph, as `src/` paths,
/// each once. Empty when `lib.rs` says nothing of the kind.
pub(super) fn reading_order(lib_rs: &str) -> Vec<String> {
    let docs = paragraphs(lib_rs);
    let Some(start) = docs.iter().find(|p| p.contains("Start reading")) else {
        return Vec::new();
    };
    let mut order = Vec::new();
    for name in start.split('`').skip(1).step_by(2) {
        let path = format!("src/{name}");
        if name.ends_with(".rs") && !name.contains(' ') && !order.contains(&path) {
            order.push(path);
        }
    }
    order
}

/// The `//!` paragraphs of a Rust file, each joined into one line.
fn paragraphs(text: &str) -> Vec<String> {
    let docs = text.lines().map(str::trim_start);
    let docs = docs
        .map_while(|line| line.strip_prefix("//!"))
        .map(str::trim);
    let (mut paragraphs, mut lines) = (Vec::new(), Vec::new());
    // A blank line ends a paragraph, and so does the end of the docs.
    for line in docs.chain([""]) {
        if !line.is_empty() {
            lines.push(line);
        } else if !lines.is_empty() {
            paragraphs.push(lines.join(" "));
            lines.clear();
        }
    }
    paragraphs
}

/// What a file is for, in one sentence: the first of its `//!` docs (a demo's "Run it: …"
/// line aside), a README's title, or a manifest's role. `None` when the file does not say.
pub(super) fn purpose(path: &str, text: &str) -> Option<String> {
    if path.ends_with("Cargo.toml") {
        return Some("The crate's manifest: its dependencies, features and benches.".into());
    }
    if path.ends_with(".md") {
        let title = text.lines().find_map(|line| line.strip_prefix("# "))?;
        return Some(title.trim().to_owned());
    }
    let docs = paragraphs(text);
    let first = docs.iter().find(|p| !p.starts_with("Run it:"))?;
    Some(first_sentence(first).to_owned())
}

/// Up to the first full stop that ends a sentence (followed by a space or nothing).
fn first_sentence(text: &str) -> &str {
    let ends = text.match_indices(". ").map(|(at, _)| at + 1);
    ends.chain([text.len()])
        .next()
        .map_or(text, |end| &text[..end])
}
