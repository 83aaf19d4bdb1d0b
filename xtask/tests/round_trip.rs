//! The promise of `cargo xtask diff`, on the real steps: inside a copy of step A, `patch -p1`
//! with `diff A B --all` gives step B, and with the default view gives step B's version of each
//! file that view shows in full, a renamed file moved to its new name; crate names aside, and
//! `Cargo.toml`'s workshop table, which the default view leaves out. Only reads the steps, never
//! builds them, so it holds even while a step does not compile.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use xtask::diff::{self, Options};
use xtask::steps::{self, Step};

/// What a step is made of, as far as the diff is concerned.
const PARTS: [&str; 7] = [
    "src",
    "examples",
    "tests",
    "benches",
    "python",
    "Cargo.toml",
    "README.md",
];

/// A copy of `step`'s parts in a fresh folder, as a participant's working copy would be.
fn copy_of(step: &Step, test: &str) -> std::path::PathBuf {
    let copy = common::scratch(test);
    for part in PARTS {
        for file in common::files(&step.dir.join(part)) {
            let to = copy.join(part).join(&file);
            fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
            fs::copy(step.dir.join(part).join(&file), to).expect("copy");
        }
        if step.dir.join(part).is_file() {
            fs::copy(step.dir.join(part), copy.join(part)).expect("copy");
        }
    }
    copy
}

/// Applies a unified diff with the `patch` program, as a participant would.
fn patch(dir: &Path, diff: &str) {
    let mut child = Command::new("patch")
        .args(["-p1", "--silent", "--no-backup-if-mismatch", "--force"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .expect("the `patch` program (present on Linux and macOS)");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(diff.as_bytes()).expect("feed patch");
    drop(stdin);
    assert!(
        child.wait().expect("wait for patch").success(),
        "patch failed in {}",
        dir.display()
    );
}

/// A file's text with both steps' crate names, in both spellings, made equal.
fn read_without_names(path: &Path, names: [&str; 2]) -> String {
    let mut text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for name in names {
        text = text
            .replace(name, "CRATE")
            .replace(&name.replace('-', "_"), "CRATE");
    }
    text
}

/// A manifest's `[package.metadata.workshop]` table, up to the next table.
fn workshop_table(text: &str) -> String {
    let start = text
        .find("[package.metadata.workshop]")
        .unwrap_or(text.len());
    let rest = &text[start..];
    let next = rest.get(1..).and_then(|after| after.find("\n["));
    let end = next.map_or(rest.len(), |at| at + 2);
    rest[..end].to_owned()
}

/// A manifest without its workshop table (any other text as it is).
fn without_workshop_table(text: &str) -> String {
    text.replacen(&workshop_table(text), "", 1)
}

/// The files a step is made of, relative to the step.
fn step_files(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = PARTS
        .iter()
        .flat_map(|part| match dir.join(part).is_file() {
            true => vec![part.to_string()],
            false => common::files(&dir.join(part))
                .into_iter()
                .map(|f| format!("{part}/{f}"))
                .collect(),
        })
        .collect();
    files.sort();
    files
}

fn adjacent_pairs() -> Vec<(Step, Step)> {
    let steps = steps::discover(&xtask::workspace_root()).expect("discover steps");
    steps
        .windows(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect()
}

#[test]
fn step_a_plus_all_is_step_b() {
    for (a, b) in adjacent_pairs() {
        let all = Options {
            all: true,
            ..Options::default()
        };
        let found = diff::dirs((&a.name, &a.dir), (&b.name, &b.dir), &all).expect("diff");
        let copy = copy_of(&a, &format!("round-trip-all-{}", a.number));
        patch(&copy, &found.unified(false));
        assert_eq!(
            step_files(&copy),
            step_files(&b.dir),
            "diff {} {} --all",
            a.number,
            b.number
        );
        for file in step_files(&b.dir) {
            let names = [a.name.as_str(), b.name.as_str()];
            assert_eq!(
                read_without_names(&copy.join(&file), names),
                read_without_names(&b.dir.join(&file), names),
                "{file} after diff {} {} --all",
                a.number,
                b.number
            );
        }
    }
}

#[test]
fn the_default_view_applies_too() {
    for (a, b) in adjacent_pairs() {
        let found =
            diff::dirs((&a.name, &a.dir), (&b.name, &b.dir), &Options::default()).expect("diff");
        let text = found.unified(false);
        let copy = copy_of(&a, &format!("round-trip-default-{}", a.number));
        patch(&copy, &text);
        for old_name in text.lines().filter_map(|l| l.strip_prefix("rename from ")) {
            assert!(
                !copy.join(old_name).exists(),
                "{old_name} is still there after diff {} {}",
                a.number,
                b.number
            );
        }
        let shown = text.lines().filter_map(|line| line.strip_prefix("+++ b/"));
        for file in shown {
            let names = [a.name.as_str(), b.name.as_str()];
            let read = |path: &Path| without_workshop_table(&read_without_names(path, names));
            assert_eq!(
                read(&copy.join(file)),
                read(&b.dir.join(file)),
                "{file} after diff {} {}",
                a.number,
                b.number
            );
        }
        // The table the view left out is step A's still, and the view said it changed.
        let (copy_manifest, a_manifest) = (copy.join("Cargo.toml"), a.dir.join("Cargo.toml"));
        let table = |path: &Path| read_without_names(path, [&a.name, &b.name]);
        let table = |path| workshop_table(&table(path));
        assert_eq!(table(&copy_manifest), table(&a_manifest));
        if table(&a_manifest) != table(&b.dir.join("Cargo.toml")) {
            assert!(text.contains("\nworkshop metadata in Cargo.toml"), "{text}");
        }
    }
}
