//! The diff on two small fixture steps, against the exact expected text: files added, removed
//! and changed, a file that changes only by the crate name, a missing final newline; the
//! default view and `--all`, `--stat`, `--file`, `--context`, colour.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use xtask::Error;
use xtask::diff::{self, Diff, Options};

const OLD: &str = "step08-alpha";
const NEW: &str = "step09-beta-gamma";

/// The old step: a file only it has, files that will change, one that only names the crate.
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
        "//! Tests of step08-alpha.\nuse step08_alpha::one;\n",
    ),
    ("tests/grows.rs", "#[test]\nfn one() {}\n"),
    ("README.md", "# step08-alpha\n\nOne.\n"),
];

/// The new step: the next idea, and the crate renamed everywhere.
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
        "//! Tests of step09-beta-gamma.\nuse step09_beta_gamma::one;\n",
    ),
    (
        "tests/grows.rs",
        "#[test]\nfn one() {}\n#[test]\nfn two() {}\n",
    ),
    ("README.md", "# step09-beta-gamma\n\nOne, two.\n"),
];

/// The changes to the slide's files, as both views show them. Context lines, `name = …`
/// included, come from the old step.
const SLIDE: &str = r#"--- a/src/lib.rs
+++ b/src/lib.rs
@@ -3,3 +3,7 @@
 pub fn one() -> u32 {
     1
 }
+
+pub fn two() -> u32 {
+    2
+}
--- a/src/tail.rs
+++ b/src/tail.rs
@@ -1,2 +1,2 @@
 a
-b
\ No newline at end of file
+c
\ No newline at end of file
--- a/Cargo.toml
+++ b/Cargo.toml
@@ -1,3 +1,3 @@
 [package]
 name = "step08-alpha"
-version = "0.1.0"
+version = "0.2.0"
"#;

const NEW_DEMO: &str = "--- /dev/null
+++ b/examples/new.rs
@@ -0,0 +1,5 @@
+use step09_beta_gamma::two;
+
+fn main() {
+    two();
+}
";

/// The default view: the slide, new demos in full, a removed file as one line, tests as a stat.
fn expected_default() -> String {
    format!(
        "{OLD} → {NEW}\n{SLIDE}{NEW_DEMO}\nremoved: examples/gone.rs (5 lines)\n\n\
         tests and benches (see --all):\n tests/grows.rs | 2 ++\n"
    )
}

/// `--all`: everything in full, the README too; `tests/same.rs` changes only by the name.
fn expected_all() -> String {
    let gone = "--- a/examples/gone.rs\n+++ /dev/null\n@@ -1,5 +0,0 @@\n\
                -use step08_alpha::one;\n-\n-fn main() {\n-    one();\n-}\n";
    let grows = "--- a/tests/grows.rs\n+++ b/tests/grows.rs\n@@ -1,2 +1,4 @@\n\
                 \x20#[test]\n fn one() {}\n+#[test]\n+fn two() {}\n";
    let readme = "--- a/README.md\n+++ b/README.md\n@@ -1,3 +1,3 @@\n\
                  \x20# step08-alpha\n \n-One.\n+One, two.\n";
    format!("{OLD} → {NEW}\n{SLIDE}{gone}{NEW_DEMO}{grows}{readme}")
}

/// Writes both fixture steps in the test's own folder; returns their directories.
fn fixture(test: &str) -> (PathBuf, PathBuf) {
    let root = common::scratch(&format!("diff-{test}"));
    for (name, files) in [(OLD, OLD_FILES), (NEW, NEW_FILES)] {
        for (path, text) in files {
            common::write(&root, &format!("{name}/{path}"), text);
        }
    }
    (root.join(OLD), root.join(NEW))
}

fn fixture_diff(test: &str, options: &Options) -> Result<Diff, Error> {
    let (old, new) = fixture(test);
    diff::dirs((OLD, &old), (NEW, &new), options)
}

fn all() -> Options {
    Options {
        all: true,
        ..Options::default()
    }
}

#[test]
fn the_default_view_is_the_slide() {
    let found = fixture_diff("default", &Options::default()).expect("diff");
    assert_eq!(found.unified(false), expected_default());
}

#[test]
fn all_shows_everything_that_changed_beyond_the_name() {
    let found = fixture_diff("all", &all()).expect("diff");
    assert_eq!(found.unified(false), expected_all());
}

#[test]
fn all_applies_with_patch() {
    let (old, new) = fixture("patch");
    let found = diff::dirs((OLD, &old), (NEW, &new), &all()).expect("diff");
    let mut patch = Command::new("patch")
        .args(["-p1", "--silent", "--no-backup-if-mismatch"])
        .current_dir(&old)
        .stdin(Stdio::piped())
        .spawn()
        .expect("the `patch` program");
    use std::io::Write;
    let mut stdin = patch.stdin.take().expect("stdin");
    stdin
        .write_all(found.unified(false).as_bytes())
        .expect("feed patch");
    drop(stdin);
    assert!(patch.wait().expect("patch").success());
    assert_eq!(common::files(&old), common::files(&new));
    // Step A's name stays on unchanged lines: that is what "crate names aside" means.
    let patched = std::fs::read_to_string(old.join("src/tail.rs")).expect("read");
    assert_eq!(patched, "a\nc", "the missing final newline survives");
}

#[test]
fn stat_lists_the_files_of_the_view_then_totals() {
    let found = fixture_diff("stat", &Options::default()).expect("diff");
    assert_eq!(
        found.stat(false),
        " src/lib.rs       | 4 ++++\n \
         src/tail.rs      | 2 +-\n \
         Cargo.toml       | 2 +-\n \
         examples/gone.rs | 5 -----\n \
         examples/new.rs  | 5 +++++\n \
         tests/grows.rs   | 2 ++\n \
         6 files changed, 13 insertions(+), 7 deletions(-)\n"
    );
    let found = fixture_diff("stat-all", &all()).expect("diff");
    assert!(found.stat(false).ends_with(
        " README.md        | 2 +-\n 7 files changed, 14 insertions(+), 8 deletions(-)\n"
    ));
}

#[test]
fn stat_bars_are_capped() {
    let root = common::scratch("diff-bars");
    common::write(&root, "step01-a/src/lib.rs", "");
    common::write(&root, "step02-b/src/lib.rs", "");
    common::write(&root, "step02-b/src/big.rs", &"x\n".repeat(100));
    common::write(&root, "step02-b/src/small.rs", &"x\n".repeat(10));
    let found = diff::dirs(
        ("step01-a", &root.join("step01-a")),
        ("step02-b", &root.join("step02-b")),
        &Options::default(),
    )
    .expect("diff");
    let bar = "+".repeat(40);
    assert_eq!(
        found.stat(false),
        format!(
            " src/big.rs   | 100 {bar}\n src/small.rs |  10 ++++\n \
             2 files changed, 110 insertions(+), 0 deletions(-)\n"
        )
    );
}

#[test]
fn one_file_with_less_context() {
    let options = Options {
        context: 0,
        file: Some("src/lib.rs".into()),
        ..Options::default()
    };
    let found = fixture_diff("file", &options).expect("diff");
    assert_eq!(
        found.unified(false),
        format!(
            "{OLD} → {NEW}\n--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -5,0 +6,4 @@\n\
             +\n+pub fn two() -> u32 {{\n+    2\n+}}\n"
        )
    );
}

#[test]
fn a_directory_selects_its_files_in_full() {
    // The step's name as a prefix is accepted; a removed file shows in full once named.
    let options = Options {
        file: Some("step09-beta-gamma/examples/".into()),
        ..Options::default()
    };
    let found = fixture_diff("dir", &options).expect("diff");
    let paths: Vec<&str> = found.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["examples/gone.rs", "examples/new.rs"]);
    assert!(
        found
            .unified(false)
            .contains("+++ /dev/null\n@@ -1,5 +0,0 @@\n")
    );
}

#[test]
fn an_unknown_file_lists_the_valid_ones_in_one_short_line() {
    let options = Options {
        file: Some("src/nope.rs".into()),
        ..Options::default()
    };
    let Err(Error::Usage(message)) = fixture_diff("nofile", &options) else {
        panic!("a usage error");
    };
    assert_eq!(
        message,
        "no file 'src/nope.rs' in either step; valid files: src/lib.rs, src/tail.rs, …, and 6 more"
    );
    assert!(format!("error: {message}").chars().count() <= 100);
}

#[test]
fn a_huge_context_is_clamped_not_a_panic() {
    let options = Options {
        context: usize::MAX,
        file: Some("src/lib.rs".into()),
        ..all()
    };
    let found = fixture_diff("context", &options).expect("diff");
    assert!(
        found
            .unified(false)
            .contains("@@ -1,5 +1,9 @@\n //! Alpha.\n")
    );
}

#[test]
fn colour_marks_headers_hunks_and_changes_only() {
    let options = Options {
        file: Some("Cargo.toml".into()),
        ..Options::default()
    };
    let coloured = fixture_diff("colour", &options)
        .expect("diff")
        .unified(true);
    assert_eq!(
        coloured,
        format!(
            "\x1b[1m{OLD} → {NEW}\x1b[0m\n\
             \x1b[1m--- a/Cargo.toml\x1b[0m\n\
             \x1b[1m+++ b/Cargo.toml\x1b[0m\n\
             \x1b[36m@@ -1,3 +1,3 @@\x1b[0m\n \
             [package]\n \
             name = \"step08-alpha\"\n\
             \x1b[31m-version = \"0.1.0\"\x1b[0m\n\
             \x1b[32m+version = \"0.2.0\"\x1b[0m\n"
        )
    );
}

#[test]
fn steps_that_differ_only_by_name_have_nothing_to_show() {
    let root = common::scratch("diff-renamed");
    for (name, files) in [(OLD, OLD_FILES), (NEW, NEW_FILES)] {
        common::write(&root, &format!("{name}/{}", files[4].0), files[4].1);
        common::write(&root, &format!("{name}/src/lib.rs"), "");
    }
    let found = diff::dirs((OLD, &root.join(OLD)), (NEW, &root.join(NEW)), &all()).expect("diff");
    assert!(found.files.is_empty(), "{found:?}");
    assert_eq!(
        found.unified(false),
        format!("{OLD} → {NEW}\nno change here, crate names aside\n")
    );
}

#[test]
fn a_step_without_src_is_an_error_not_an_empty_side() {
    let root = common::scratch("diff-nosrc");
    common::write(&root, "step01-a/src/lib.rs", "");
    common::write(&root, "step02-b/Cargo.toml", "");
    let result = diff::dirs(
        ("step01-a", &root.join("step01-a")),
        ("step02-b", &root.join("step02-b")),
        &Options::default(),
    );
    assert!(matches!(result, Err(Error::Failed(m)) if m.contains("has no src/")));
}
