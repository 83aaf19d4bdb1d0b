//! Workshop mode: every step's exercises are found in its reference; a tiny workspace goes
//! through the participant's loop (exercise, verify, hint, compare, reset, progress); bad
//! command lines are one line and exit 2.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use xtask::exercise::state::{self, State, Status, Verdict};
use xtask::exercise::{self, copy, guarantees, locate, meta};
use xtask::{Error, Workspace, hint, progress, steps, verify};

use common::{scratch, write};

#[test]
fn every_step_names_exercises_that_its_reference_holds() {
    let root = xtask::workspace_root();
    for step in steps::discover(&root).expect("steps") {
        let exercises = meta::exercises(&step).expect("readable exercises");
        assert!(!exercises.is_empty(), "{}: no exercises", step.name);
        guarantees::described(&step, &exercises).unwrap_or_else(|e| panic!("{e}"));
        for exercise in &exercises {
            let source = fs::read_to_string(step.dir.join(&exercise.file)).expect("read");
            let fresh =
                copy::fresh(&source, exercise, step.number).unwrap_or_else(|e| panic!("{e}"));
            let body = locate::find(&fresh, &exercise.item).unwrap_or_else(|e| panic!("{e}"));
            assert!(body.is_todo(&fresh), "{}", exercise.name);
            assert!(
                body.text(&fresh).lines().all(|l| l.chars().count() <= 100),
                "{}: a todo!() line wider than 100 columns",
                exercise.name
            );
            let first = &exercise.hints[0];
            assert!(
                first.chars().count() <= 160,
                "{}: a long first hint",
                exercise.name
            );
        }
    }
}

/// The built binary's stderr and exit code.
fn xtask(args: &[&str]) -> (String, Option<i32>) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run xtask");
    (
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code(),
    )
}

#[test]
fn bad_command_lines_are_one_line_and_exit_2() {
    for (args, expected) in [
        (&["exercise"][..], "exercise needs a step"),
        (&["exercise", "99"], "unknown step '99'"),
        (
            &["exercise", "1", "--force"],
            "--force goes with --compare only",
        ),
        (
            &["exercise", "1", "nope"],
            "a name goes with --reset or --compare",
        ),
        (
            &["exercise", "1", "--reset", "nope"],
            "step 1 has no exercise 'nope': valid ones are",
        ),
        (
            &["exercise", "1", "--compare", "--reset"],
            "unexpected '--reset'",
        ),
        (&["verify"], "verify needs a step"),
        (&["verify", "1", "2"], "unexpected '2'"),
        (&["hint"], "hint needs a step"),
        (&["hint", "1", "nope"], "step 1 has no exercise 'nope'"),
        (&["progress", "now"], "progress takes only --json"),
        (
            &["check", "--exercise"],
            "the options are --timeout SECS and --exercises",
        ),
    ] {
        let (err, code) = xtask(args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(expected),
            "{args:?}: {err}"
        );
        assert!(err.trim_end().chars().count() <= 100, "{args:?}: {err}");
    }
}

/// A workspace with one step of one exercise, and the `shared` crate every step uses.
fn tiny_workspace(root: &Path) -> Workspace {
    write(
        root,
        "Cargo.toml",
        "[workspace]\nresolver = \"3\"\nmembers = [\"shared\", \"step01-tiny\"]\n\n\
         [workspace.package]\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [workspace.dependencies]\nshared = { path = \"shared\" }\nunused = \"1\"\n",
    );
    write(
        root,
        "shared/Cargo.toml",
        "[package]\nname = \"shared\"\nversion.workspace = true\nedition.workspace = true\n",
    );
    write(
        root,
        "shared/src/lib.rs",
        "//! Shared.\n\n/// One.\npub const ONE: u32 = 1;\n",
    );
    write(
        root,
        "step01-tiny/Cargo.toml",
        "[package]\nname = \"step01-tiny\"\nversion.workspace = true\nedition.workspace = true\n\n\
         [package.metadata.workshop]\nidea = \"adding\"\n\n\
         [dependencies]\nshared.workspace = true\n",
    );
    write(
        root,
        "step01-tiny/exercises.toml",
        "[[exercises]]\nname = \"add\"\nfile = \"src/lib.rs\"\nitem = \"add_one\"\n\
         hints = [\"Add one.\", \"Use `shared::ONE`.\", \"`x + shared::ONE`\"]\n\
         tests = [\"math::adds\"]\n",
    );
    write(
        root,
        "step01-tiny/src/lib.rs",
        "//! Tiny.\n\n/// `x` and one more.\npub fn add_one(x: u32) -> u32 {\n    x + shared::ONE\n}\n",
    );
    write(
        root,
        "step01-tiny/tests/math.rs",
        "#[test]\nfn adds_one() {\n    assert_eq!(step01_tiny::add_one(1), 2);\n}\n\n\
         #[test]\nfn other() {}\n",
    );
    write(
        root,
        "step01-tiny/README.md",
        "# Tiny\n\n## Exercises\n\n- `add`\n",
    );
    // Its own target folder, whatever `CARGO_TARGET_DIR` says: the tests' tiny workspaces
    // share a step's name, and would share its copy's build.
    Workspace {
        root: root.to_path_buf(),
        steps: steps::discover(root).expect("the tiny step"),
        target: root.join("target"),
    }
}

fn run(main: xtask::Main, args: &[&str], ws: &Workspace) -> Result<ExitCode, Error> {
    main(&mut lexopt::Parser::from_args(args), ws)
}

#[test]
fn a_tiny_workspace_goes_from_todo_to_done() {
    let root = scratch("exercise-tiny");
    let ws = tiny_workspace(&root);
    let step = &ws.steps[0];
    let exercises = exercise::listed(step).expect("one exercise");
    guarantees::described(step, &exercises).expect("well described");

    assert_eq!(run(exercise::main, &["1"], &ws), Ok(ExitCode::SUCCESS));
    let dir = copy::dir(&root, step);
    assert!(
        !dir.join("step01-tiny/exercises.toml").exists(),
        "the hints stay out"
    );
    let manifest = fs::read_to_string(dir.join("Cargo.toml")).expect("a root manifest");
    assert!(
        manifest.contains("members = [\"step01-tiny\", \"shared\"]"),
        "{manifest}"
    );
    assert!(
        manifest.contains("shared = { path") && !manifest.contains("unused"),
        "{manifest}"
    );
    let refused = run(exercise::main, &["1"], &ws).expect_err("a copy exists");
    assert!(refused.to_string().contains("exists already"), "{refused}");

    // Fresh: the body is a todo!(), and verify says so (exit 1: not done).
    assert_eq!(run(verify::main, &["1"], &ws), Ok(ExitCode::FAILURE));
    let status = |ws: &Workspace| {
        let written = state::written(&dir, &ws.steps[0], &exercises);
        written[0].status(&State::load(&dir))
    };
    assert_eq!(status(&ws), Status::Todo);

    // The next hint is the second; hints stop at the last.
    for _ in 0..3 {
        assert_eq!(run(hint::main, &["1"], &ws), Ok(ExitCode::SUCCESS));
    }
    assert_eq!(State::load(&dir).entries["add"].hints, 3);

    // A wrong body fails its test; a compile error is one line naming the file.
    let file = dir.join("step01-tiny/src/lib.rs");
    let fresh = fs::read_to_string(&file).expect("read the copy");
    let todo = copy::todo_statement(&exercises[0], 1, usize::MAX);
    fs::write(&file, fresh.replace(&todo, "x + 2")).expect("write");
    assert_eq!(run(verify::main, &["1"], &ws), Ok(ExitCode::FAILURE));
    assert_eq!(status(&ws), Status::Failing);
    fs::write(&file, fresh.replace(&todo, "x + \"1\"")).expect("write");
    assert_eq!(run(verify::main, &["1"], &ws), Ok(ExitCode::FAILURE));

    // Done: verify passes, and progress and compare see it.
    fs::write(&file, fresh.replace(&todo, "x + shared::ONE")).expect("write");
    assert_eq!(run(verify::main, &["1"], &ws), Ok(ExitCode::SUCCESS));
    assert_eq!(status(&ws), Status::Done);
    let entry = &State::load(&dir).entries["add"];
    assert!(matches!(entry.verified, Some((Verdict::Done, _))));
    assert_eq!(progress::summary(&[status(&ws)]), "1 of 1 done: finished");
    assert_eq!(
        run(exercise::main, &["1", "--compare"], &ws),
        Ok(ExitCode::SUCCESS)
    );

    // Reset: the body is a todo!() again, and the solution is kept aside.
    assert_eq!(
        run(exercise::main, &["1", "--reset", "add"], &ws),
        Ok(ExitCode::SUCCESS)
    );
    assert_eq!(fs::read_to_string(&file).expect("read"), fresh);
    assert_eq!(status(&ws), Status::Todo);
    let backups = common::files(&dir.join(".workshop/backup"));
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(backups[0].ends_with("/src/lib.rs"), "{backups:?}");
}

#[test]
fn a_step_without_a_copy_says_how_to_make_one() {
    let root = scratch("exercise-no-copy");
    let ws = tiny_workspace(&root);
    for main in [verify::main, hint::main] {
        let error = run(main, &["1"], &ws).expect_err("no copy");
        assert_eq!(
            error,
            Error::Failed(
                "no copy of step 1 yet: `cargo xtask exercise 1` makes workshop/step01-tiny".into()
            )
        );
    }
}
