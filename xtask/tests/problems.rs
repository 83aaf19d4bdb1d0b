//! What `cargo xtask check` reports about the repository, on a small fixture workspace: a step
//! missing from the table, a missing headline demo, missing README sections, a crate not in the
//! workspace, and a future step that is simply ignored.

use std::fs;
use std::path::{Path, PathBuf};

use xtask::steps;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().expect("a file has a parent")).expect("mkdir");
    fs::write(path, text).expect("write fixture");
}

fn fixture_workspace() -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("problems");
    let _ = fs::remove_dir_all(&root);
    write(
        &root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"step01-coroutines\", \"step07-extra\"]\n",
    );
    // Step 1: complete but for its headline demo and two README sections.
    write(
        &root,
        "step01-coroutines/Cargo.toml",
        "[package]\nname = \"step01-coroutines\"\n",
    );
    write(&root, "step01-coroutines/src/lib.rs", "");
    write(&root, "step01-coroutines/examples/complex_work.rs", "");
    write(
        &root,
        "step01-coroutines/README.md",
        "**Talk section:** §2\n## Python ↔ Rust\n## Demos\n",
    );
    // Step 2: a directory the table knows under another name, outside the workspace.
    write(
        &root,
        "step02-other/Cargo.toml",
        "[package]\nname = \"step02-other\"\n",
    );
    write(&root, "step02-other/src/lib.rs", "");
    // Step 7: no table entry, no src/, no README.
    write(
        &root,
        "step07-extra/Cargo.toml",
        "[package]\nname = \"extra\"\n",
    );
    // Not steps: ignored.
    write(&root, "shared/src/lib.rs", "");
    write(&root, "step3-bad/src/lib.rs", "");
    root
}

#[test]
fn every_problem_is_one_line_naming_its_file() {
    let root = fixture_workspace();
    let found = steps::discover(&root).expect("discover");
    let names: Vec<&str> = found.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["step01-coroutines", "step02-other", "step07-extra"]);
    assert_eq!(
        steps::problems(&root, &found),
        [
            "step01-coroutines/examples/step_by_step.rs: missing, but it is the step's headline demo",
            "step01-coroutines/README.md: no `## What changed` section",
            "step01-coroutines/README.md: no `## Things to try` section",
            "step02-other: no entry in the step table of xtask/src/steps.rs (the table expects step02-awaitables)",
            "Cargo.toml: \"step02-other\" is not in the workspace members",
            "step02-other/README.md: missing",
            "step07-extra: no entry in the step table of xtask/src/steps.rs",
            "step07-extra/src/: missing",
            "step07-extra/Cargo.toml: the package must be named \"step07-extra\", like its directory",
            "step07-extra/README.md: missing",
        ]
    );
}

#[test]
fn list_marks_steps_without_a_table_entry() {
    let root = fixture_workspace();
    let found = steps::discover(&root).expect("discover");
    assert_eq!(
        steps::list(&found),
        " 1  step01-coroutines  §2 Un monde de coroutines\n\
         \x20   idea:  an async fn builds a state machine that runs only when polled\n\
         \x20   demos: complex_work\n\
         \n\
         \x202  step02-other       (no entry in the xtask step table)\n\
         \x20   idea:  ?\n\
         \x20   demos: (none)\n\
         \n\
         \x207  step07-extra       (no entry in the xtask step table)\n\
         \x20   idea:  ?\n\
         \x20   demos: (none)\n"
    );
}
