//! A step's exercise copy: a Cargo workspace of its own, which builds wherever it is moved.
//!
//! ```text
//! workshop/step05-futures-timers/
//!   Cargo.toml              [workspace]: the step and `shared`, and what they inherit
//!   Cargo.lock              the workshop's, so the same versions build, offline once fetched
//!   .cargo/config.toml      `cargo xtask` here runs the workshop's (verify, hint, watch)
//!   EXERCISES.md            what to write, where, and the commands
//!   step05-futures-timers/  the step, every exercise's body a todo!() with its first hint
//!   shared/                 the crate every step uses, as it is
//!   bench/harness.rs        what the step's benchmarks include with #[path]
//! ```
//!
//! Only the bodies change: signatures, types, docs and tests are the reference's, so a
//! participant's code is checked by the very tests that check the reference. Files are copied
//! with the time they were last changed: cargo then finds `shared` as `prepare` built it, and
//! the first `verify` compiles only the step.

use std::fs;
use std::path::{Path, PathBuf};

use super::locate;
use super::meta::{self, Exercise};
use crate::steps::Step;
use crate::{Error, WIDTH};

/// The folder of the exercise copies, at the workspace root (git ignores it).
pub const FOLDER: &str = "workshop";

/// The crate every step depends on, copied as it is.
const SHARED: &str = "shared";

/// Where the copy of `step` is: `workshop/<step>`.
pub fn dir(root: &Path, step: &Step) -> PathBuf {
    root.join(FOLDER).join(&step.name)
}

/// `workshop/<step>`, as messages name it.
pub fn label(step: &Step) -> String {
    format!("{FOLDER}/{}", step.name)
}

/// Writes a fresh copy of `step` into `dir`, which must not exist yet, and replaces the body of
/// each exercise of `todo` with its `todo!()`. Also the files it needs: see the module's doc.
pub fn create(root: &Path, step: &Step, todo: &[Exercise], dir: &Path) -> Result<(), Error> {
    let members = [step.name.as_str(), SHARED];
    for member in members {
        copy_tree(&root.join(member), &dir.join(member))?;
    }
    for path in outside_files(&step.dir)? {
        let from = root.join(&path);
        write(&dir.join(&path), &read(&from)?)?;
    }
    let manifest = read(&root.join("Cargo.toml"))?;
    let used: Vec<String> = members
        .iter()
        .map(|member| read(&root.join(member).join("Cargo.toml")))
        .collect::<Result<_, _>>()?;
    write(
        &dir.join("Cargo.toml"),
        &root_manifest(&manifest, &members, &used),
    )?;
    if let Ok(lock) = fs::read_to_string(root.join("Cargo.lock")) {
        write(&dir.join("Cargo.lock"), &lock)?;
    }
    write(&dir.join(".gitignore"), "/target\n")?;
    write(&dir.join(".cargo/config.toml"), &alias(root))?;
    write(&dir.join("EXERCISES.md"), &guide(step, todo))?;
    for exercise in todo {
        let path = dir.join(&step.name).join(&exercise.file);
        let fresh =
            fresh(&read(&path)?, exercise, step.number).map_err(|e| failed(step, exercise, &e))?;
        write(&path, &fresh)?;
    }
    Ok(())
}

/// The error for an exercise the reference does not hold as described.
pub fn failed(step: &Step, exercise: &Exercise, error: &str) -> Error {
    Error::Failed(format!(
        "{}/{}: exercise `{}` ({}): {error}",
        step.name, exercise.file, exercise.name, exercise.item
    ))
}

/// `source` with the body of `exercise` of step `step` replaced by its `todo!()`.
pub fn fresh(source: &str, exercise: &Exercise, step: u32) -> Result<String, String> {
    let body = locate::find(source, &exercise.item)?;
    if body.returns_impl {
        return Err(
            "it returns `impl Trait`, where a todo!() body does not compile: \
                    make the function it returns the exercise"
                .into(),
        );
    }
    // The statement's lines start four columns in from the function.
    let room = WIDTH.saturating_sub(body.indent.chars().count() + 4);
    Ok(body.replaced(source, &todo_statement(exercise, step, room)))
}

/// `todo!("exercise NAME: FIRST HINT (hint 1 of 3; cargo xtask hint N for the next)")`: the
/// first hint, and that there are more (nothing else says so until `verify` names the
/// exercise). A format string, so braces are doubled. When it is wider than `room` columns,
/// the message goes on lines of its own, each ending in `\`, which Rust reads as one string:
/// the hint stays whole, and no line is too wide for an editor.
pub fn todo_statement(exercise: &Exercise, step: u32, room: usize) -> String {
    let hint = exercise.hints.first().map_or("", String::as_str);
    let more = match exercise.hints.len() {
        0 | 1 => format!("the only hint; cargo xtask hint {step} names the reference"),
        n => format!("hint 1 of {n}; cargo xtask hint {step} for the next"),
    };
    let text = format!("exercise {}: {hint} ({more})", exercise.name);
    let escaped: String = text
        .chars()
        .map(|c| match c {
            '"' => "\\\"".to_owned(),
            '\\' => "\\\\".to_owned(),
            '{' => "{{".to_owned(),
            '}' => "}}".to_owned(),
            '\n' => "\\n".to_owned(),
            c => c.to_string(),
        })
        .collect();
    let one_line = format!("todo!(\"{escaped}\")");
    if one_line.chars().count() <= room {
        return one_line;
    }
    // `    "words… \` then `     words… \` … `     words"`: the continuation's leading blanks
    // are skipped by the string, so each break keeps its space before the `\`.
    let width = room.saturating_sub(7).max(20);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in escaped.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    let last = lines.len() - 1;
    let body: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let open = if i == 0 { "\"" } else { " " };
            let close = if i == last { "\"" } else { " \\" };
            format!("    {open}{text}{close}")
        })
        .collect();
    format!("todo!(\n{}\n)", body.join("\n"))
}

/// The copy's `.cargo/config.toml`: inside the copy (a workspace of its own), `cargo xtask` runs
/// the workshop's xtask by the path of its manifest. A string, as the workshop's own alias is:
/// cargo merges an alias of two config files only if both are of one kind. A string alias is
/// split at blanks, so a workshop whose path has one gets no alias, and the file says why.
fn alias(root: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let manifest = root.join("xtask").join("Cargo.toml").display().to_string();
    let head = "# `cargo xtask verify`, `hint` and `watch` inside this copy: the workshop's own \
                xtask,\n# by the path of its manifest (this copy is a workspace of its own). \
                Made by\n# `cargo xtask exercise`, for the workshop where it was made.\n";
    if manifest.contains(char::is_whitespace) || manifest.contains(['"', '\\']) {
        return format!(
            "{head}# None here: the workshop's path has a blank or a quote, which an alias \
             cannot hold.\n# Run the commands from the workshop's root instead.\n"
        );
    }
    format!("{head}[alias]\nxtask = \"run --manifest-path {manifest} --\"\n")
}

/// The root `Cargo.toml` of a copy: the workspace's own, its members replaced by `members`, and
/// of its `[workspace.dependencies]` only those that the members' manifests (`used`) inherit.
/// Everything else (`[workspace.package]`, `[workspace.lints]`, comments) is kept as written.
pub fn root_manifest(workspace: &str, members: &[&str], used: &[String]) -> String {
    let quoted: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
    let mut out = format!(
        "# The exercises of {}, made by `cargo xtask exercise`: a workspace of its own,\n\
         # which builds wherever it is moved (offline once its dependencies are fetched).\n\
         [workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members[0],
        quoted.join(", ")
    );
    for (header, lines) in sections(workspace) {
        // Not the workspace's list, nor a profile of a package the copy does not have (cargo
        // would warn at each build that it matches nothing).
        let other_package = header
            .strip_prefix("[profile.")
            .and_then(|rest| rest.split(".package.").nth(1))
            .map(|package| package.trim_end_matches(']').trim_matches('"'))
            .is_some_and(|package| package != "*" && !members.contains(&package));
        if header == "[workspace]" || other_package {
            continue;
        }
        let lines: Vec<&str> = if header == "[workspace.dependencies]" {
            used_dependencies(&lines, used)
        } else {
            lines
        };
        out.push('\n');
        for line in lines {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim_end().to_owned() + "\n"
}

/// The tables of a manifest: each header with its lines, the comment just above a header
/// (no blank line between) going with it, and blank lines at either end left out.
fn sections(manifest: &str) -> Vec<(String, Vec<&str>)> {
    let mut sections: Vec<(String, Vec<&str>)> = vec![(String::new(), Vec::new())];
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            let lines = &mut sections.last_mut().expect("one at least").1;
            let keep = lines.len()
                - lines
                    .iter()
                    .rev()
                    .take_while(|l| l.trim_start().starts_with('#'))
                    .count();
            let mut comment = lines.split_off(keep);
            comment.push(line);
            sections.push((trimmed.to_owned(), comment));
        } else {
            sections.last_mut().expect("one at least").1.push(line);
        }
    }
    for (_, lines) in &mut sections {
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
    }
    sections.retain(|(header, _)| !header.is_empty());
    sections
}

/// The lines of `[workspace.dependencies]` that some member inherits, each with the comment
/// just above it.
fn used_dependencies<'a>(lines: &[&'a str], used: &[String]) -> Vec<&'a str> {
    let mut kept = Vec::new();
    let mut comment = Vec::new();
    for line in lines {
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            comment.push(*line);
            continue;
        }
        let key = trimmed.split(['=', '.', ' ']).next().unwrap_or_default();
        if trimmed.starts_with('[') || (!key.is_empty() && inherits(used, key)) {
            kept.append(&mut comment);
            kept.push(*line);
        }
        comment.clear();
    }
    kept
}

/// Whether a member manifest inherits the dependency `key` from the workspace: `key.workspace =
/// true` or `key = { workspace = true, … }`, in any table of dependencies.
fn inherits(manifests: &[String], key: &str) -> bool {
    let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
    manifests
        .iter()
        .filter_map(|manifest| manifest.parse::<toml::Table>().ok())
        .any(|manifest| {
            tables.iter().any(|table| {
                let dependency = manifest.get(*table).and_then(|t| t.get(key));
                dependency
                    .and_then(|d| d.get("workspace"))
                    .and_then(toml::Value::as_bool)
                    == Some(true)
            })
        })
}

/// Files out of the step's directory that its code includes with `#[path = "../../…"]`, as
/// paths from the workspace root (the benchmarks' shared harness).
fn outside_files(step_dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut found = Vec::new();
    for file in rust_files(step_dir)? {
        let text = read(&file)?;
        for line in text.lines() {
            let Some(path) = line.trim().strip_prefix("#[path = \"") else {
                continue;
            };
            let Some(path) = path.split('"').next() else {
                continue;
            };
            let mut at = file.parent().unwrap_or(step_dir).to_path_buf();
            at.push(path);
            let depth = file
                .strip_prefix(step_dir)
                .map_or(0, |f| f.components().count());
            // `../../bench/harness.rs` from `benches/runtime.rs`: up to the root, then down.
            let ups = Path::new(path)
                .components()
                .take_while(|c| c.as_os_str() == "..")
                .count();
            if ups == depth {
                let from_root: PathBuf = Path::new(path).components().skip(ups).collect();
                found.push(from_root);
            }
        }
    }
    Ok(found)
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(next) = todo.pop() {
        for entry in entries(&next)? {
            if entry.is_dir() && !entry.ends_with("target") {
                todo.push(entry);
            } else if entry.extension().is_some_and(|e| e == "rs") {
                files.push(entry);
            }
        }
    }
    Ok(files)
}

/// Copies `from` into `to`, but not a `target/` folder, nor the exercises' file: its last
/// hints come close to the answers, which `cargo xtask hint` gives one at a time.
fn copy_tree(from: &Path, to: &Path) -> Result<(), Error> {
    for entry in entries(from)? {
        let target = to.join(entry.file_name().unwrap_or_default());
        if entry.ends_with(meta::FILE) {
            continue;
        }
        if entry.is_dir() {
            if !entry.ends_with("target") {
                copy_tree(&entry, &target)?;
            }
        } else {
            fs::create_dir_all(to).map_err(|e| io_error(to, &e))?;
            fs::copy(&entry, &target).map_err(|e| io_error(&target, &e))?;
            keep_time(&entry, &target).map_err(|e| io_error(&target, &e))?;
        }
    }
    Ok(())
}

/// Gives `to` the time `from` was last changed: a copy is not a change.
fn keep_time(from: &Path, to: &Path) -> std::io::Result<()> {
    let changed = fs::metadata(from)?.modified()?;
    fs::File::options()
        .write(true)
        .open(to)?
        .set_modified(changed)
}

fn entries(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    Ok(paths)
}

/// `EXERCISES.md`: what to write, where, and how to check it.
fn guide(step: &Step, exercises: &[Exercise]) -> String {
    let n = step.number;
    let mut out = format!(
        "# Exercises of {}\n\n\
         Each function below has its body replaced by `todo!()`, with a first hint. Write it\n\
         again; the step's own tests say when it works. The compiler warns about the unused\n\
         variables and code of the bodies still `todo!()`: that is expected, and `verify` shows\n\
         only the warnings about your own code.\n\n",
        step.label()
    );
    // A list, not a table: a row holds a long path and a long item, and no line of the
    // copy is wider than 100 columns.
    for exercise in exercises {
        out.push_str(&format!(
            "- `{}`: `{}`\n  in `{}/{}`\n",
            exercise.name, exercise.item, step.name, exercise.file
        ));
    }
    out.push_str(&format!(
        "\nIn this folder, or anywhere under it (the step is this copy's):\n\n```sh\n\
         cargo xtask verify       # build, run the tests, say what is done\n\
         cargo xtask watch        # verify again at each save (Enter: now; q: quit)\n\
         cargo xtask hint         # the next hint for the first exercise not done\n\
         ```\n\n\
         From the workshop's root, name the step: `cargo xtask verify {n}`, and also:\n\n```sh\n\
         cargo xtask exercise {n} --compare    # your bodies beside the reference's, once done\n\
         cargo xtask exercise {n} --reset NAME # start one again (your version is kept aside)\n\
         ```\n\n\
         Elsewhere, `cargo test` in this folder runs the same tests.\n"
    ));
    out
}

fn read(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(|e| io_error(path, &e))
}

/// Writes `text` to `path`, creating its folder.
pub fn write(path: &Path, text: &str) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
    }
    fs::write(path, text).map_err(|e| io_error(path, &e))
}

fn io_error(path: &Path, error: &std::io::Error) -> Error {
    Error::Failed(format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKSPACE: &str = "[workspace]\nresolver = \"3\"\nmembers = [\"a\", \"b\"]\n\n\
        [workspace.package]\nversion = \"0.1.0\"\n\n\
        [workspace.dependencies]\nshared = { path = \"shared\" }\nlibc = \"0.2\"\n\
        # Why similar.\nsimilar = \"3\"\n# Why mio.\nmio = { version = \"1\" }\n\n\
        # One set of lints.\n[workspace.lints.rust]\nunsafe_code = \"deny\"\n\n\
        # Faster builds.\n[profile.dev.package.\"*\"]\ndebug = false\n\n\
        [profile.dev.package.xtask]\ndebug = \"line-tables-only\"\n";

    #[test]
    fn the_root_manifest_keeps_what_members_inherit() {
        let used = [
            "[dependencies]\nshared.workspace = true\nmio = { workspace = true, optional = true }\n"
                .to_owned(),
        ];
        let manifest = root_manifest(WORKSPACE, &["step05-x", "shared"], &used);
        let expected = "[workspace]\nresolver = \"3\"\nmembers = [\"step05-x\", \"shared\"]\n\n\
            [workspace.package]\nversion = \"0.1.0\"\n\n\
            [workspace.dependencies]\nshared = { path = \"shared\" }\n\
            # Why mio.\nmio = { version = \"1\" }\n\n\
            # One set of lints.\n[workspace.lints.rust]\nunsafe_code = \"deny\"\n\n\
            # Faster builds.\n[profile.dev.package.\"*\"]\ndebug = false\n";
        assert!(manifest.ends_with(expected), "{manifest}");
        assert!(manifest.starts_with("# The exercises of step05-x"));
    }

    #[test]
    fn a_todo_is_a_format_string_that_shows_the_hint_as_written() {
        let exercise = Exercise {
            name: "wake".into(),
            file: "src/waker.rs".into(),
            item: "f".into(),
            hints: vec!["`{ x }`, \"y\" \\ z.".into()],
            tests: Vec::new(),
        };
        assert_eq!(
            todo_statement(&exercise, 5, usize::MAX),
            concat!(
                r#"todo!("exercise wake: `{{ x }}`, \"y\" \\ z. "#,
                r#"(the only hint; cargo xtask hint 5 names the reference)")"#
            )
        );
        let source = "fn f(x: u8) -> u8 {\n    x + 1\n}\n";
        let todo = todo_statement(&exercise, 5, 96).replace('\n', "\n    ");
        assert_eq!(
            fresh(source, &exercise, 5),
            Ok(format!("fn f(x: u8) -> u8 {{\n    {todo}\n}}\n"))
        );
    }

    /// The first hint says how many there are, and the command for the next one.
    #[test]
    fn a_todo_says_there_are_more_hints() {
        let exercise = Exercise {
            name: "timers".into(),
            file: "src/event_loop.rs".into(),
            item: "f".into(),
            hints: vec!["One.".into(), "Two.".into(), "Three.".into()],
            tests: Vec::new(),
        };
        assert_eq!(
            todo_statement(&exercise, 5, usize::MAX),
            r#"todo!("exercise timers: One. (hint 1 of 3; cargo xtask hint 5 for the next)")"#
        );
    }

    /// A long first hint goes on lines of its own, none wider than 100 columns in the copy,
    /// and Rust reads them as the very message of the one-line form.
    #[test]
    fn a_long_todo_fits_an_editor_and_says_the_same() {
        let exercise = Exercise {
            name: "gather".into(),
            file: "src/gather.rs".into(),
            item: "gather".into(),
            hints: vec![format!(
                "The talk's {{recipe}}: {}end.",
                "a waiter counting; ".repeat(9)
            )],
            tests: Vec::new(),
        };
        let source = "impl A {\n    fn gather() -> u8 {\n        1\n    }\n}\n";
        let fresh = fresh(
            source,
            &Exercise {
                item: "A::gather".into(),
                ..exercise.clone()
            },
            3,
        )
        .expect("fresh");
        assert!(fresh.lines().all(|l| l.chars().count() <= WIDTH), "{fresh}");
        assert!(fresh.lines().count() > 6, "{fresh}");
        // What the string holds: each `\` at a line's end and the next line's blanks go.
        let literal: String = fresh
            .split("todo!(")
            .nth(1)
            .expect("a todo")
            .lines()
            .map(|l| l.trim_start().trim_end_matches('\\'))
            .collect();
        let one_line = todo_statement(&exercise, 3, usize::MAX);
        assert!(
            literal.starts_with(&one_line[6..one_line.len() - 1]),
            "{literal}"
        );
    }
}
