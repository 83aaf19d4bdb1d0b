//! The diff on two small fixture steps, against the exact expected text: files added, removed,
//! changed and renamed, a file that changes only by the crate name, a missing final newline;
//! the default view (the talk demo in full, other new demos in short) and `--all`, `--stat`,
//! `--file`, `--context`, colour.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use xtask::Error;
use xtask::diff::{self, Diff, Options};

const OLD: &str = "step08-alpha";
const NEW: &str = "step09-beta-gamma";

/// The old step: a file only it has, files that will change, one that only names the crate, a
/// demo the next step renames.
const OLD_FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"step08-alpha\"\nversion = \"0.1.0\"\n\n\
         [package.metadata.workshop]\ntalk-demo = \"talk08\"\n",
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
        "examples/echo_before.rs",
        "//! Run it: `cargo run -p step08-alpha --example echo_before`\n\
         use step08_alpha::one;\n\nfn main() {\n    println!(\"one: {}\", one());\n\
         \x20   println!(\"done\");\n}\n",
    ),
    (
        "tests/same.rs",
        "//! Tests of step08-alpha.\nuse step08_alpha::one;\n",
    ),
    ("tests/grows.rs", "#[test]\nfn one() {}\n"),
    ("README.md", "# step08-alpha\n\nOne.\n"),
];

/// The new step: the next idea, its talk demo and another demo, the renamed demo, and the
/// crate renamed everywhere.
const NEW_FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"step09-beta-gamma\"\nversion = \"0.2.0\"\n\n\
         [package.metadata.workshop]\ntalk-demo = \"talk09\"\n",
    ),
    (
        "src/lib.rs",
        "//! Alpha.\n\npub fn one() -> u32 {\n    1\n}\n\npub fn two() -> u32 {\n    2\n}\n",
    ),
    ("src/tail.rs", "a\nc"),
    (
        "examples/talk09.rs",
        "use step09_beta_gamma::two;\n\nfn main() {\n    two();\n}\n",
    ),
    (
        "examples/extra.rs",
        "//! Beyond the talk.\nfn main() {\n    println!(\"extra\");\n}\n",
    ),
    (
        "examples/echo_after.rs",
        "//! Run it: `cargo run -p step09-beta-gamma --example echo_after`\n\
         use step09_beta_gamma::one;\n\nfn main() {\n    println!(\"one: {}\", one());\n\
         \x20   println!(\"two: {}\", two());\n    println!(\"done\");\n}\n",
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

/// The changes to the slide's sources, as both views show them. Context lines, `name = …`
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
"#;

/// The manifest in full (`--all`, `--file`): its workshop table too.
const MANIFEST_ALL: &str = r#"--- a/Cargo.toml
+++ b/Cargo.toml
@@ -1,6 +1,6 @@
 [package]
 name = "step08-alpha"
-version = "0.1.0"
+version = "0.2.0"
 
 [package.metadata.workshop]
-talk-demo = "talk08"
+talk-demo = "talk09"
"#;

/// The manifest in the default view: its workshop table left out, context included.
const MANIFEST: &str = r#"--- a/Cargo.toml
+++ b/Cargo.toml
@@ -1,4 +1,4 @@
 [package]
 name = "step08-alpha"
-version = "0.1.0"
+version = "0.2.0"
 
"#;

/// The renamed demo, as git shows a rename: 4 of the 6 lines that count are the same (the
/// `use` line too, crate names aside).
const RENAMED: &str = r#"diff --git a/examples/echo_before.rs b/examples/echo_after.rs
similarity index 66%
rename from examples/echo_before.rs
rename to examples/echo_after.rs
--- a/examples/echo_before.rs
+++ b/examples/echo_after.rs
@@ -1,7 +1,8 @@
-//! Run it: `cargo run -p step08-alpha --example echo_before`
+//! Run it: `cargo run -p step09-beta-gamma --example echo_after`
 use step08_alpha::one;
 
 fn main() {
     println!("one: {}", one());
+    println!("two: {}", two());
     println!("done");
 }
"#;

const TALK_DEMO: &str = "--- /dev/null
+++ b/examples/talk09.rs
@@ -0,0 +1,5 @@
+use step09_beta_gamma::two;
+
+fn main() {
+    two();
+}
";

/// The default view: the slide with the talk demo and the renamed demo, a removed file as one
/// line, the other new demo and the tests as stat lines.
fn expected_default() -> String {
    format!(
        "{OLD} → {NEW}\n{SLIDE}{MANIFEST}{RENAMED}{TALK_DEMO}\n\
         removed: examples/gone.rs (5 lines)\n\n\
         new demos besides the talk's (--file PATH shows one):\n examples/extra.rs | 4 ++++\n\n\
         tests and benches (--all shows them):\n tests/grows.rs    | 2 ++\n\n\
         workshop metadata in Cargo.toml (--file Cargo.toml shows it):\n talk-demo\n"
    )
}

/// `--all`: everything in full, the README too; `tests/same.rs` changes only by the name.
fn expected_all() -> String {
    let extra = "--- /dev/null\n+++ b/examples/extra.rs\n@@ -0,0 +1,4 @@\n\
                 +//! Beyond the talk.\n+fn main() {\n+    println!(\"extra\");\n+}\n";
    let gone = "--- a/examples/gone.rs\n+++ /dev/null\n@@ -1,5 +0,0 @@\n\
                -use step08_alpha::one;\n-\n-fn main() {\n-    one();\n-}\n";
    let grows = "--- a/tests/grows.rs\n+++ b/tests/grows.rs\n@@ -1,2 +1,4 @@\n\
                 \x20#[test]\n fn one() {}\n+#[test]\n+fn two() {}\n";
    let readme = "--- a/README.md\n+++ b/README.md\n@@ -1,3 +1,3 @@\n\
                  \x20# step08-alpha\n \n-One.\n+One, two.\n";
    format!("{OLD} → {NEW}\n{SLIDE}{MANIFEST_ALL}{RENAMED}{extra}{gone}{TALK_DEMO}{grows}{readme}")
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

fn only(file: &str) -> Options {
    Options {
        file: Some(file.into()),
        ..Options::default()
    }
}

/// Applies a diff inside `dir` with the `patch` program, as a participant would.
fn patch(dir: &Path, diff: &str) {
    let mut patch = Command::new("patch")
        .args(["-p1", "--silent", "--no-backup-if-mismatch"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .expect("the `patch` program");
    let mut stdin = patch.stdin.take().expect("stdin");
    stdin.write_all(diff.as_bytes()).expect("feed patch");
    drop(stdin);
    assert!(patch.wait().expect("patch").success(), "{diff}");
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
    patch(&old, &found.unified(false));
    // The same files: the renamed demo has moved, under its new name.
    assert_eq!(common::files(&old), common::files(&new));
    // Step A's name stays on unchanged lines: that is what "crate names aside" means.
    let patched = std::fs::read_to_string(old.join("src/tail.rs")).expect("read");
    assert_eq!(patched, "a\nc", "the missing final newline survives");
}

#[test]
fn stat_lists_the_files_of_the_view_then_totals() {
    let found = fixture_diff("stat", &Options::default()).expect("diff");
    // A rename is one file, shown as git shows it.
    assert_eq!(
        found.stat(false),
        " src/lib.rs                                 | 4 ++++\n \
         src/tail.rs                                | 2 +-\n \
         Cargo.toml                                 | 2 +-\n \
         examples/{echo_before.rs => echo_after.rs} | 3 ++-\n \
         examples/extra.rs                          | 4 ++++\n \
         examples/gone.rs                           | 5 -----\n \
         examples/talk09.rs                         | 5 +++++\n \
         tests/grows.rs                             | 2 ++\n \
         8 files changed, 19 insertions(+), 8 deletions(-)\n"
    );
    let found = fixture_diff("stat-all", &all()).expect("diff");
    assert!(found.stat(false).ends_with(
        " README.md                                  | 2 +-\n \
         9 files changed, 21 insertions(+), 10 deletions(-)\n"
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
    let demos = [
        "examples/echo_after.rs",
        "examples/extra.rs",
        "examples/gone.rs",
        "examples/talk09.rs",
    ];
    assert_eq!(paths, demos);
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
        "no file 'src/nope.rs' in either step; valid files: src/lib.rs, src/tail.rs, …, and 9 more"
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
             \x1b[36m@@ -1,6 +1,6 @@\x1b[0m\n \
             [package]\n \
             name = \"step08-alpha\"\n\
             \x1b[31m-version = \"0.1.0\"\x1b[0m\n\
             \x1b[32m+version = \"0.2.0\"\x1b[0m\n \
             \n \
             [package.metadata.workshop]\n\
             \x1b[31m-talk-demo = \"talk08\"\x1b[0m\n\
             \x1b[32m+talk-demo = \"talk09\"\x1b[0m\n"
        )
    );
}

#[test]
fn steps_that_differ_only_by_name_have_nothing_to_show() {
    let root = common::scratch("diff-renamed");
    for (name, files) in [(OLD, OLD_FILES), (NEW, NEW_FILES)] {
        let same = files.iter().find(|(path, _)| *path == "tests/same.rs");
        let (path, text) = same.expect("a file that only names the crate");
        common::write(&root, &format!("{name}/{path}"), text);
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

#[test]
fn a_rename_is_one_change_whichever_name_is_asked_for() {
    for name in ["examples/echo_before.rs", "examples/echo_after.rs"] {
        let found = fixture_diff("rename-file", &only(name)).expect("diff");
        assert_eq!(
            found.unified(false),
            format!("{OLD} → {NEW}\n{RENAMED}"),
            "{name}"
        );
    }
}

#[test]
fn a_rename_and_nothing_else_comes_last_and_applies_with_patch() {
    // `kept.rs` moves to `moved.rs`, changed only by the crate name; `new.rs` comes after it
    // by name. GNU patch would read `new.rs`'s `---` line as part of the rename's header.
    let root = common::scratch("diff-bare-rename");
    let (old, new) = (root.join(OLD), root.join(NEW));
    common::write(&old, "src/lib.rs", "mod kept;\n");
    common::write(
        &old,
        "src/kept.rs",
        "//! Part of step08-alpha.\npub fn kept() {}\n",
    );
    common::write(&new, "src/lib.rs", "mod moved;\nmod new;\n");
    common::write(
        &new,
        "src/moved.rs",
        "//! Part of step09-beta-gamma.\npub fn kept() {}\n",
    );
    common::write(&new, "src/new.rs", "pub fn new() {}\n");
    let found = diff::dirs((OLD, &old), (NEW, &new), &all()).expect("diff");
    let text = found.unified(false);
    assert_eq!(
        text,
        format!(
            "{OLD} → {NEW}\n--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1 +1,2 @@\n\
             -mod kept;\n+mod moved;\n+mod new;\n\
             --- /dev/null\n+++ b/src/new.rs\n@@ -0,0 +1 @@\n+pub fn new() {{}}\n\
             diff --git a/src/kept.rs b/src/moved.rs\nsimilarity index 100%\n\
             rename from src/kept.rs\nrename to src/moved.rs\n"
        )
    );
    patch(&old, &text);
    assert_eq!(common::files(&old), common::files(&new));
    let moved = std::fs::read_to_string(old.join("src/moved.rs")).expect("read");
    assert_eq!(
        moved, "//! Part of step08-alpha.\npub fn kept() {}\n",
        "A's name stays"
    );
    let stat = found.stat(false);
    assert!(stat.contains(" src/{kept.rs => moved.rs} | 0\n"), "{stat}");
}

#[test]
fn the_most_similar_pair_wins_and_a_tie_goes_to_the_first_path() {
    let root = common::scratch("diff-candidates");
    let (old, new) = (root.join(OLD), root.join(NEW));
    let demo = "fn main() {\n    one();\n    two();\n    three();\n}\n";
    common::write(&old, "src/lib.rs", "");
    common::write(&new, "src/lib.rs", "");
    // `a.rs` and `b.rs` match `c.rs` equally (3 lines of 4): the first by name is renamed.
    common::write(&old, "examples/b.rs", demo);
    common::write(&old, "examples/a.rs", demo);
    common::write(&new, "examples/c.rs", &demo.replace("two", "deux"));
    // `0.rs` matches `d.rs` whole and `c.rs` by half: the whole match wins, though `0.rs`
    // comes first by name.
    common::write(&old, "examples/0.rs", &demo.replace("one", "un"));
    common::write(&new, "examples/d.rs", &demo.replace("one", "un"));
    // Nothing in common with anything: a new demo.
    common::write(&new, "examples/new.rs", "");
    let found = diff::dirs((OLD, &old), (NEW, &new), &all()).expect("diff");
    let renames: Vec<String> = found
        .files
        .iter()
        .filter_map(|f| Some(format!("{} => {}", f.rename.as_ref()?.from, f.path)))
        .collect();
    let expected = [
        "examples/a.rs => examples/c.rs",
        "examples/0.rs => examples/d.rs",
    ];
    assert_eq!(renames, expected);
    let found = diff::dirs((OLD, &old), (NEW, &new), &Options::default()).expect("diff");
    let text = found.unified(false);
    assert!(
        text.contains("\nremoved: examples/b.rs (5 lines)\n"),
        "{text}"
    );
    assert!(text.contains("\n examples/new.rs | 0\n"), "{text}");
}

/// Two manifests as the steps have them: the workshop table between `[package]` and the
/// dependencies, which the next step changes too.
const MANIFEST_A: &str = "[package]\nname = \"step08-alpha\"\nversion.workspace = true\n\n\
    # Read by `cargo xtask`.\n[package.metadata.workshop]\nsection = \"§4\"\n\
    idea = \"one\"\nheadline = \"talk08\"\n\n[dependencies]\nshared.workspace = true\n\n\
    [lints]\nworkspace = true\n";
const MANIFEST_B: &str = "[package]\nname = \"step09-beta-gamma\"\nversion.workspace = true\n\n\
    # Read by `cargo xtask`.\n[package.metadata.workshop]\nsection = \"§5\"\n\
    idea = \"two\"\nheadline = \"talk08\"\n# A ceiling.\ndiff-budget = 500\n\n[dependencies]\n\
    libc.workspace = true\nshared.workspace = true\n\n[lints]\nworkspace = true\n";

/// Two steps with these manifests and the same `src/lib.rs`.
fn manifests(test: &str, old_manifest: &str, new_manifest: &str) -> (PathBuf, PathBuf) {
    let root = common::scratch(&format!("diff-{test}"));
    let (old, new) = (root.join(OLD), root.join(NEW));
    for (dir, manifest) in [(&old, old_manifest), (&new, new_manifest)] {
        common::write(dir, "Cargo.toml", manifest);
        common::write(dir, "src/lib.rs", "//! A step.\n");
    }
    (old, new)
}

#[test]
fn the_default_view_leaves_the_workshop_table_out_and_keeps_the_dependencies() {
    let (old, new) = manifests("manifest", MANIFEST_A, MANIFEST_B);
    let found = diff::dirs((OLD, &old), (NEW, &new), &Options::default()).expect("diff");
    // The hunk stops at the table: its line numbers are each file's own (line 10 of A, 12 of
    // B: the blank line after the table).
    assert_eq!(
        found.unified(false),
        format!(
            "{OLD} → {NEW}\n--- a/Cargo.toml\n+++ b/Cargo.toml\n@@ -10,5 +12,6 @@\n \n \
             [dependencies]\n+libc.workspace = true\n shared.workspace = true\n \n [lints]\n\n\
             workshop metadata in Cargo.toml (--file Cargo.toml shows it):\n \
             section, idea, diff-budget\n"
        )
    );
    assert_eq!(
        found.stat(false),
        " Cargo.toml | 1 +\n 1 file changed, 1 insertion(+), 0 deletions(-)\n"
    );
    // Asked for by name, or with everything, the manifest is whole again.
    for options in [only("Cargo.toml"), all()] {
        let found = diff::dirs((OLD, &old), (NEW, &new), &options).expect("diff");
        let text = found.unified(false);
        assert!(text.contains("+section = \"§5\"\n"), "{text}");
        assert!(text.contains("+libc.workspace = true\n"), "{text}");
        assert!(!text.contains("workshop metadata"), "{text}");
    }
}

#[test]
fn a_manifest_changed_only_in_its_workshop_table_is_one_line_at_the_end() {
    let new_manifest = MANIFEST_A.replace(OLD, NEW).replace("\"one\"", "\"two\"");
    let (old, new) = manifests("manifest-meta", MANIFEST_A, &new_manifest);
    let found = diff::dirs((OLD, &old), (NEW, &new), &Options::default()).expect("diff");
    assert_eq!(
        found.unified(false),
        format!(
            "{OLD} → {NEW}\n\n\
             workshop metadata in Cargo.toml (--file Cargo.toml shows it):\n idea\n"
        )
    );
    assert!(found.files.is_empty(), "{:?}", found.files);
}

#[test]
fn src_comes_in_the_reading_order_that_lib_rs_gives() {
    let root = common::scratch("diff-reading-order");
    let (old, new) = (root.join(OLD), root.join(NEW));
    common::write(&old, "src/lib.rs", "");
    let lib = "//! The idea.\n//!\n//! Start reading at `zeta.rs` (the heart), then `[Alpha]`,\n\
               //! `mid.rs` and `zeta.rs` again.\nmod alpha;\n";
    common::write(&new, "src/lib.rs", lib);
    for file in ["alpha.rs", "mid.rs", "zeta.rs", "beta.rs"] {
        common::write(&new, &format!("src/{file}"), "pub fn f() {}\n");
    }
    let found = diff::dirs((OLD, &old), (NEW, &new), &Options::default()).expect("diff");
    let paths: Vec<&str> = found.files.iter().map(|f| f.path.as_str()).collect();
    // lib.rs first, then the files it names, in its order, then the others by name.
    let expected = [
        "src/lib.rs",
        "src/zeta.rs",
        "src/mid.rs",
        "src/alpha.rs",
        "src/beta.rs",
    ];
    assert_eq!(paths, expected);
    let stat = found.stat(false);
    let stat_paths: Vec<&str> = stat
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(&stat_paths[..5], expected, "{stat}");
}

#[test]
fn slides_are_a_page_per_file_titled_with_its_purpose_and_size_then_the_rest() {
    let found = fixture_diff("slides", &Options::default()).expect("diff");
    let pages = found.pages(false);
    let titles: Vec<Vec<&str>> = pages
        .iter()
        .map(|page| page.title.iter().map(String::as_str).collect())
        .collect();
    let n = 6;
    let head = |at: usize| format!("{OLD} → {NEW} · {at} of {n}");
    assert_eq!(
        titles,
        [
            vec![head(1).as_str(), "src/lib.rs · 9 lines, +4 -0", "Alpha."],
            vec![head(2).as_str(), "src/tail.rs · 2 lines, +1 -1"],
            vec![
                head(3).as_str(),
                "Cargo.toml · 6 lines, +1 -1",
                "The crate's manifest: its dependencies, features and benches."
            ],
            vec![
                head(4).as_str(),
                "examples/echo_after.rs · renamed from examples/echo_before.rs, 8 lines, +2 -1"
            ],
            vec![head(5).as_str(), "examples/talk09.rs · new, 5 lines"],
            vec![head(6).as_str(), "what else changed"],
        ]
    );
    // A page's body is the file as the default view shows it; all pages are the whole view.
    assert_eq!(
        pages[1].body.join("\n") + "\n",
        SLIDE
            .split("--- a/src/tail.rs")
            .nth(1)
            .map(|rest| format!("--- a/src/tail.rs{rest}"))
            .expect("tail.rs")
    );
    let bodies: String = pages[..5]
        .iter()
        .map(|p| p.body.join("\n") + "\n")
        .collect();
    assert_eq!(
        format!("{OLD} → {NEW}\n{bodies}\n{}\n", pages[5].body.join("\n")),
        expected_default()
    );
}

#[test]
fn a_demo_is_titled_by_its_docs_not_by_its_run_it_line() {
    let root = common::scratch("diff-demo-title");
    let (old, new) = (root.join(OLD), root.join(NEW));
    common::write(&old, "src/lib.rs", "");
    common::write(&new, "src/lib.rs", "");
    let demo = "//! Run it: `cargo run -p step09-beta-gamma --example talk09`\n//!\n\
                //! The talk's slide 9.1, on step09-beta-gamma's loop: same output. Then more.\n\
                fn main() {}\n";
    common::write(&new, "examples/talk09.rs", demo);
    common::write(
        &new,
        "Cargo.toml",
        "[package.metadata.workshop]\ntalk-demo = \"talk09\"\n",
    );
    common::write(
        &old,
        "Cargo.toml",
        "[package.metadata.workshop]\ntalk-demo = \"talk09\"\n",
    );
    let found = diff::dirs((OLD, &old), (NEW, &new), &Options::default()).expect("diff");
    let pages = found.pages(false);
    assert_eq!(
        pages[0].title[1..],
        [
            "examples/talk09.rs · new, 4 lines",
            "The talk's slide 9.1, on step09-beta-gamma's loop: same output."
        ]
    );
}

#[test]
fn slides_off_a_terminal_say_so_in_one_line_and_print_every_page() {
    let steps = xtask::steps::discover(&xtask::workspace_root()).expect("steps");
    let [old, new, ..] = &steps[..] else {
        return;
    };
    let (old, new) = (old.number.to_string(), new.number.to_string());
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["diff", &old, &new, "--slides"])
        .stdin(Stdio::null())
        .output()
        .expect("run xtask");
    assert!(output.status.success());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    let pages = stderr
        .strip_prefix("diff --slides: not a terminal, so the ")
        .and_then(|rest| rest.strip_suffix(" pages follow one another\n"))
        .and_then(|count| count.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("one line on stderr: {stderr}"));
    let titles = stdout
        .lines()
        .filter(|line| line.contains(&format!(" of {pages}")));
    let numbers: Vec<String> = titles
        .filter_map(|line| line.split(" · ").nth(1).map(str::to_owned))
        .collect();
    let expected: Vec<String> = (1..=pages).map(|at| format!("{at} of {pages}")).collect();
    assert_eq!(numbers, expected, "{stdout}");
    assert!(
        !stdout.contains('\x1b'),
        "no screen clearing, no colour off a terminal"
    );
}
