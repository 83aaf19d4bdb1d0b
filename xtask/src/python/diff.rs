//! `cargo xtask diff A B --python`: how the talk's own code grew from step A to step B.
//!
//! In full: `python/runtime.py` (the talk's code as it stands after each section) and the
//! twin, `talkNN.py`, diffed against step A's twin under its old name. One line each: the
//! other files of `python/` (the claims, the differences, the shared helper), which are ours.

use std::collections::BTreeMap;
use std::fs;

use similar::TextDiff;

use super::FOLDER;
use crate::steps::Step;
use crate::{Error, print_out};

/// The files shown in full, in this order: the talk's code, then the twin.
const SHOWN: [&str; 2] = ["runtime.py", "talk"];

/// Prints the diff of two steps' `python/` folders, coloured as `cargo xtask diff` colours.
pub fn main(old: &Step, new: &Step, context: usize, color: bool) -> Result<(), Error> {
    print_out(&text(old, new, context, color)?)
}

/// The diff of two steps' `python/` folders, as text.
pub fn text(old: &Step, new: &Step, context: usize, color: bool) -> Result<String, Error> {
    let (a, b) = (load(old)?, load(new)?);
    Ok(render(old, new, &a, &b, context, color))
}

/// A step's `python/` files: name → text, with its twin under the key `talk`.
fn load(step: &Step) -> Result<BTreeMap<String, (String, String)>, Error> {
    let dir = step.dir.join(FOLDER);
    let entries =
        fs::read_dir(&dir).map_err(|e| Error::Failed(format!("{}/{FOLDER}/: {e}", step.name)))?;
    let twin = step.meta("talk-demo").map(|name| format!("{name}.py"));
    let mut files = BTreeMap::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.path().is_file() {
            continue;
        }
        let text = fs::read_to_string(entry.path())
            .map_err(|e| Error::Failed(format!("{}/{FOLDER}/{name}: {e}", step.name)))?;
        let key = if Some(&name) == twin.as_ref() {
            "talk".to_owned()
        } else {
            name.clone()
        };
        files.insert(key, (name, text));
    }
    Ok(files)
}

/// The diff as text.
fn render(
    old: &Step,
    new: &Step,
    a: &BTreeMap<String, (String, String)>,
    b: &BTreeMap<String, (String, String)>,
    context: usize,
    color: bool,
) -> String {
    let paint = |code: &str, line: &str| match color {
        true => format!("\x1b[{code}m{line}\x1b[0m\n"),
        false => format!("{line}\n"),
    };
    let mut out = paint(
        "1",
        &format!("{} → {} (the talk's Python)", old.name, new.name),
    );
    let empty = (String::new(), String::new());
    for key in SHOWN {
        let (from, to) = (a.get(key).unwrap_or(&empty), b.get(key).unwrap_or(&empty));
        if from.1 == to.1 {
            continue;
        }
        let header = (
            format!("a/{}/{FOLDER}/{}", old.name, from.0),
            format!("b/{}/{FOLDER}/{}", new.name, to.0),
        );
        let diff = TextDiff::from_lines(&from.1, &to.1);
        let unified = diff
            .unified_diff()
            .context_radius(context)
            .header(&header.0, &header.1)
            .to_string();
        for line in unified.lines() {
            let code = match line.chars().next() {
                _ if line.starts_with("---") || line.starts_with("+++") => "1",
                Some('@') => "36",
                Some('-') => "31",
                Some('+') => "32",
                _ => "",
            };
            out.push_str(&match code {
                "" => format!("{line}\n"),
                code => paint(code, line),
            });
        }
    }
    let others: Vec<String> = b
        .iter()
        .filter(|(key, _)| !SHOWN.contains(&key.as_str()))
        .filter(|(key, (_, text))| a.get(*key).map(|(_, old)| old) != Some(text))
        .map(|(_, (name, text))| {
            let diff = TextDiff::from_lines(a.get(name).map_or("", |f| f.1.as_str()), text);
            let changed = diff
                .iter_all_changes()
                .filter(|c| c.tag() != similar::ChangeTag::Equal)
                .count();
            format!("  {FOLDER}/{name} ({changed} lines changed)")
        })
        .collect();
    if !others.is_empty() {
        out.push_str("\nours, beside the talk's code (--python shows only the talk's in full):\n");
        out.push_str(&others.join("\n"));
        out.push('\n');
    }
    out
}
