//! The diff on two small fixture steps, compared with the exact expected text: files added,
//! removed and changed, lines that differ only by the crate name, `--stat` totals, `--file`,
//! `--context`, and the errors.

use std::fs;
use std::path::{Path, PathBuf};

use xtask::Error;
use xtask::diff::{self, Options};

const OLD: &str = "step08-alpha";
const NEW: &str = "step09-beta-gamma";

/// The old step: one file only it has, one that will change, one that only renames the crate.
const OLD_FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"step08-alpha\"\nversion = \"0.1.0\"\n",
    ),
    (
        "src/lib.rs",
        "//! Alpha.\n\npub fn one() -> u32 {\n    1\n}\n",
    ),
    ("src/tail.rs", "a\nb"),
    (
        "examples/gone.rs",
        "use step08_alpha::one;\n\nfn main() {\n    one();\n}\n",
    ),
    (
        "tests/same.rs",
        "//! Tests of step08-alpha.\nuse step08_alpha::one;\n\n#[test]\nfn one_is_one() {\n    assert_eq!(one(), 1);\n}\n",
    ),
    ("README.md", "# step08-alpha\n\nOne.\n"),
];

/// The new step: the same files with the next idea, and the crate renamed everywhere.
const NEW_FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"step09-beta-gamma\"\nversion = \"0.2.0\"\n",
    ),
    (
        "src/lib.rs",
        "//! Alpha.\n\npub fn one() -> u32 {\n    1\n}\n\npub fn two() -> u32 {\n    2\n}\n",
    ),
    ("src/tail.rs", "a\nc"),
    (
        "examples/new.rs",
        "use step09_beta_gamma::two;\n\nfn main() {\n    two();\n}\n",
    ),
    (
        "tests/same.rs",
        "//! Tests of step09-beta-gamma.\nuse step09_beta_gamma::one;\n\n#[test]\nfn one_is_one() {\n    assert_eq!(one(), 1);\n}\n",
    ),
    ("README.md", "# step09-beta-gamma\n\nOne, two.\n"),
];

const EXPECTED: &str = r#"--- a/step08-alpha/Cargo.toml
+++ b/step09-beta-gamma/Cargo.toml
@@ -1,3 +1,3 @@
 [package]
 name = "step09-beta-gamma"
-version = "0.1.0"
+version = "0.2.0"
--- a/step08-alpha/examples/gone.rs
+++ /dev/null
@@ -1,5 +0,0 @@
-use step08_alpha::one;
-
-fn main() {
-    one();
-}
--- /dev/null
+++ b/step09-beta-gamma/examples/new.rs
@@ -0,0 +1,5 @@
+use step09_beta_gamma::two;
+
+fn main() {
+    two();
+}
--- a/step08-alpha/src/lib.rs
+++ b/step09-beta-gamma/src/lib.rs
@@ -3,3 +3,7 @@
 pub fn one() -> u32 {
     1
 }
+
+pub fn two() -> u32 {
+    2
+}
--- a/step08-alpha/src/tail.rs
+++ b/step09-beta-gamma/src/tail.rs
@@ -1,2 +1,2 @@
 a
-b
\ No newline at end of file
+c
\ No newline at end of file
"#;

/// Writes a fixture step under the test's scratch directory and returns its path.
fn write_step(case: &str, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(case).join(name);
    let _ = fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().expect("a file has a parent")).expect("mkdir");
        fs::write(&path, text).expect("write fixture");
    }
    dir
}

fn fixture_diff(case: &str, readme: bool, options: &Options) -> Result<diff::Diff, Error> {
    let old = write_step(case, OLD, OLD_FILES);
    let new = write_step(case, NEW, NEW_FILES);
    diff::dirs((OLD, &old), (NEW, &new), readme, options)
}

#[test]
fn added_removed_changed_and_renamed_files() {
    let found = fixture_diff("full", false, &Options::default()).expect("diff");
    assert_eq!(found.unified(false), EXPECTED);
    // tests/same.rs differs only by the crate name: not a change, so not shown at all.
    assert!(found.files.iter().all(|f| f.path != "tests/same.rs"));
}

#[test]
fn stat_lists_changed_files_then_totals() {
    let found = fixture_diff("stat", false, &Options::default()).expect("diff");
    assert_eq!(
        found.stat(false),
        " Cargo.toml       | 2 +-\n \
         examples/gone.rs | 5 -----\n \
         examples/new.rs  | 5 +++++\n \
         src/lib.rs       | 4 ++++\n \
         src/tail.rs      | 2 +-\n \
         5 files changed, 11 insertions(+), 7 deletions(-)\n"
    );
    assert_eq!((found.insertions(), found.deletions()), (11, 7));
}

#[test]
fn readme_only_on_request() {
    let found = fixture_diff("readme", true, &Options::default()).expect("diff");
    let readme = found
        .files
        .iter()
        .find(|f| f.path == "README.md")
        .expect("README.md is compared with --readme");
    // The title only renames the crate; the text changes.
    assert_eq!(
        readme
            .lines
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>(),
        [
            "--- a/step08-alpha/README.md",
            "+++ b/step09-beta-gamma/README.md",
            "@@ -1,3 +1,3 @@",
            " # step09-beta-gamma",
            " ",
            "-One.",
            "+One, two.",
        ]
    );
}

#[test]
fn one_file_with_less_context() {
    let options = Options {
        context: 0,
        file: Some("src/lib.rs".into()),
    };
    let found = fixture_diff("file", false, &options).expect("diff");
    assert_eq!(
        found.unified(false),
        "--- a/step08-alpha/src/lib.rs\n\
         +++ b/step09-beta-gamma/src/lib.rs\n\
         @@ -5,0 +6,4 @@\n\
         +\n\
         +pub fn two() -> u32 {\n\
         +    2\n\
         +}\n"
    );
    // A directory selects the files under it; the step's name as a prefix is accepted.
    let options = Options {
        context: 3,
        file: Some("step09-beta-gamma/examples".into()),
    };
    let found = fixture_diff("dir", false, &options).expect("diff");
    let paths: Vec<&str> = found.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["examples/gone.rs", "examples/new.rs"]);
}

#[test]
fn an_unknown_file_names_the_valid_ones() {
    let options = Options {
        context: 3,
        file: Some("src/nope.rs".into()),
    };
    match fixture_diff("nofile", false, &options) {
        Err(Error::Usage(message)) => {
            assert!(message.starts_with("no file 'src/nope.rs' in step08-alpha or step09-beta-gamma: valid files are Cargo.toml, examples/gone.rs"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn colour_wraps_lines_in_ansi_codes() {
    let options = Options {
        context: 3,
        file: Some("Cargo.toml".into()),
    };
    let found = fixture_diff("colour", false, &options).expect("diff");
    let coloured = found.unified(true);
    assert!(coloured.contains("\x1b[1m--- a/step08-alpha/Cargo.toml\x1b[0m\n"));
    assert!(coloured.contains("\x1b[36m@@ -1,3 +1,3 @@\x1b[0m\n"));
    assert!(coloured.contains("\x1b[31m-version = \"0.1.0\"\x1b[0m\n"));
    assert!(coloured.contains("\x1b[32m+version = \"0.2.0\"\x1b[0m\n"));
    assert!(
        coloured.contains("\n [package]\n"),
        "context is not coloured"
    );
}

#[test]
fn identical_steps_but_for_the_name_give_an_empty_diff() {
    let old = write_step("renamed", OLD, &OLD_FILES[4..5]);
    let new = write_step("renamed", NEW, &NEW_FILES[4..5]);
    // `tests/` without `src/` would be an error; give both sides an empty src/.
    fs::create_dir_all(old.join("src")).expect("mkdir");
    fs::create_dir_all(new.join("src")).expect("mkdir");
    let found = diff::dirs((OLD, &old), (NEW, &new), false, &Options::default()).expect("diff");
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(found.unified(false), "");
    assert_eq!(
        found.stat(false),
        " 0 files changed, 0 insertions(+), 0 deletions(-)\n"
    );
}

#[test]
fn a_step_without_src_is_an_error_not_an_empty_side() {
    let old = write_step("nosrc", OLD, OLD_FILES);
    let new = write_step("nosrc", NEW, &[("Cargo.toml", "[package]\n")]);
    match diff::dirs((OLD, &old), (NEW, &new), false, &Options::default()) {
        Err(Error::Failed(message)) => assert!(message.contains("has no src/"), "{message}"),
        other => panic!("{other:?}"),
    }
}
