//! What `cargo xtask check` reports about the repository, on a small fixture workspace: missing
//! metadata, missing headline and talk demos, missing README sections, a README table that
//! disagrees with the metadata, a crate named unlike its directory, a crate outside the
//! workspace. Each problem is one line naming its file.

mod common;

use std::path::PathBuf;

use xtask::{check, list, steps};

const STEP01_MANIFEST: &str = r#"[package]
name = "step01-coroutines"
version.workspace = true

[package.metadata.workshop]
section = "§2 Coroutines"
idea = "an async fn is lazy"
headline = "step_by_step"
talk-demo = "talk01"

[dependencies]
shared.workspace = true
"#;

const STEP07_MANIFEST: &str = r#"[package]
name = "extra"

[package.metadata.workshop]
section = "§7 Extra"
idea = "seven things"
headline = "seven"
talk-demo = "talk07"
diff-budget = "lots"
"#;

const ROOT_README: &str = "\
| step | talk section | idea | headline demo |
|---|---|---|---|
| [step01-coroutines](step01-coroutines/) | §2 Coroutines | an `async fn` is lazy | `demo 1 x` |
| [step07-extra](step07-extra/) | §7 Wrong | seven things | `cargo xtask demo 7 seven` |
";

/// Step 1: complete but for its headline demo, three README sections and its table row.
/// Step 2: no metadata, outside the workspace. Step 7: a bad budget, no demos, no `src/`, a
/// crate named otherwise. And two directories that are not steps at all.
fn fixture_workspace(test: &str) -> PathBuf {
    let root = common::scratch(test);
    let write = |path: &str, text: &str| common::write(&root, path, text);
    write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"step01-coroutines\", \"step07-extra\"]\n",
    );
    write("README.md", ROOT_README);
    write("step01-coroutines/Cargo.toml", STEP01_MANIFEST);
    write("step01-coroutines/src/lib.rs", "");
    write("step01-coroutines/examples/complex_work.rs", "");
    write("step01-coroutines/examples/talk01.rs", "");
    write(
        "step01-coroutines/README.md",
        "**Talk section:** §2\n## Python ↔ Rust\n## Demos2\n",
    );
    write(
        "step02-other/Cargo.toml",
        "[package]\nname = \"step02-other\"\n",
    );
    write("step02-other/src/lib.rs", "");
    write("step07-extra/Cargo.toml", STEP07_MANIFEST);
    write("step03-no-manifest/src/lib.rs", "");
    write("step3-bad/Cargo.toml", "");
    root
}

#[test]
fn only_directories_with_a_manifest_are_steps() {
    let found = steps::discover(&fixture_workspace("problems-steps")).expect("discover");
    let names: Vec<&str> = found.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["step01-coroutines", "step02-other", "step07-extra"]);
}

#[test]
fn every_problem_is_one_line_naming_its_file() {
    let root = fixture_workspace("problems-check");
    let found = steps::discover(&root).expect("discover");
    let no_key =
        |key: &str| format!("step02-other/Cargo.toml: no `{key}` in [package.metadata.workshop]");
    let no_row =
        |name: &str| format!("README.md: no row `| [{name}]({name}/) | … |` in the step table");
    assert_eq!(
        check::problems(&root, &found),
        [
            "step01-coroutines/examples/step_by_step.rs: missing, but it is the headline demo".into(),
            "step01-coroutines/README.md: no `## What changed` section".into(),
            "step01-coroutines/README.md: no `## Demos` section".into(),
            "step01-coroutines/README.md: no `## Things to try` section".into(),
            "README.md: the idea of step01-coroutines is \"an async fn is lazy\" in its Cargo.toml".into(),
            "README.md: the headline demo of step01-coroutines is step_by_step, not in its row".into(),
            no_key("section"),
            no_key("idea"),
            no_key("headline"),
            no_key("talk-demo"),
            no_key("diff-budget"),
            "Cargo.toml: \"step02-other\" is not in the workspace members".into(),
            "step02-other/README.md: missing".into(),
            no_row("step02-other"),
            "step07-extra/Cargo.toml: `diff-budget` must be a whole number of lines".into(),
            "step07-extra/examples/seven.rs: missing, but it is the headline demo".into(),
            "step07-extra/examples/talk07.rs: missing, but it is the talk demo".into(),
            "step07-extra/src/: missing".into(),
            "step07-extra/Cargo.toml: the package must be named \"step07-extra\", like its directory"
                .into(),
            "step07-extra/README.md: missing".into(),
            "README.md: the section of step07-extra is \"§7 Extra\" in its Cargo.toml".into(),
        ] as [String; 21]
    );
}

#[test]
fn list_marks_the_talk_and_headline_demos() {
    let root = fixture_workspace("problems-list");
    let found = steps::discover(&root).expect("discover");
    assert_eq!(
        list::list(&found),
        " 1  step01-coroutines  §2 Coroutines\n\
         \x20   idea:  an async fn is lazy\n\
         \x20   demos: talk01 (talk), complex_work\n\
         \n\
         \x202  step02-other       (no section in its Cargo.toml)\n\
         \x20   idea:  ?\n\
         \x20   demos: (none)\n\
         \n\
         \x207  step07-extra       §7 Extra\n\
         \x20   idea:  seven things\n\
         \x20   demos: (none)\n"
    );
}

#[test]
fn a_demo_line_wider_than_a_projector_is_a_problem() {
    let lines: Vec<String> = [
        "short",
        &"é".repeat(100),
        &"x".repeat(101),
        &"y".repeat(120),
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(
        check::too_wide("step01-x/demo", "stdout", &lines),
        Some("step01-x/demo: stdout line 3 has 101 characters (at most 100), and 1 more".into())
    );
    assert_eq!(
        check::too_wide("step01-x/demo", "stderr", &lines[..2]),
        None
    );
}
