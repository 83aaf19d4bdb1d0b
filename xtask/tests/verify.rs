//! `verify` as a participant meets it, on a tiny step of four exercises, each written wrong in
//! one of the ways a newcomer does: a body that compiles and gives a wrong result, one that
//! does not compile, one that hangs (busy, or asleep), one that does not panic where it should,
//! one that crashes. Each run is read back whole: what it says, where its paths lead, that no
//! line is wider than 100 columns and no name is cut.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use xtask::exercise::here::Here;
use xtask::exercise::state::State;
use xtask::exercise::{self, copy, guarantees};
use xtask::verify::libtest::{Binary, Outcome, Runner, Selection};
use xtask::verify::{self, Build, Limits, Screen};
use xtask::{Workspace, hint, steps};

use common::{scratch, write};

/// A long test name, as the real steps have: it must be wrapped, never cut.
const LONG: &str = "adds_one_and_gives_back_the_next_number_just_like_the_reference_does_each_time";

/// A workspace with one step, `step01-tiny`, of four exercises, and `shared`.
fn tiny(root: &Path) -> Workspace {
    write(
        root,
        "Cargo.toml",
        "[workspace]\nresolver = \"3\"\nmembers = [\"shared\", \"step01-tiny\"]\n\n\
         [workspace.package]\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [workspace.dependencies]\nshared = { path = \"shared\" }\n",
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
         [dependencies]\nshared.workspace = true\n",
    );
    write(
        root,
        "step01-tiny/exercises.toml",
        r#"[[exercises]]
name = "add"
file = "src/lib.rs"
item = "add_one"
hints = ["Add one.", "Use `shared::ONE`.", "`x + shared::ONE`"]
tests = ["math::adds_one"]

[[exercises]]
name = "count"
file = "src/lib.rs"
item = "count_down"
hints = ["Take one away until nothing is left, then say how many steps it took."]
tests = ["math::counts_down"]

[[exercises]]
name = "half"
file = "src/lib.rs"
item = "half"
hints = ["An odd number has no half here: refuse it with a panic that says so."]
tests = ["math::half", "math::counts_down_halves"]

[[exercises]]
name = "shout"
file = "src/lib.rs"
item = "shout"
hints = ["The text in capitals."]
tests = ["math::shouts"]
"#,
    );
    write(
        root,
        "step01-tiny/src/lib.rs",
        "//! Tiny.\n\n\
         /// `x` and one more.\npub fn add_one(x: u32) -> u32 {\n    x + shared::ONE\n}\n\n\
         /// How many steps from `n` down to zero.\npub fn count_down(n: u32) -> u32 {\n    \
         let (mut n, mut steps) = (n, 0);\n    while n > 0 {\n        n -= 1;\n        \
         steps += 1;\n    }\n    steps\n}\n\n\
         /// Half of an even number.\npub fn half(x: u32) -> u32 {\n    \
         assert!(x % 2 == 0, \"half of an odd number\");\n    x / 2\n}\n\n\
         /// In capitals.\npub fn shout(text: &str) -> String {\n    louder(text)\n}\n\n\
         /// How `shout` says it.\nfn louder(text: &str) -> String {\n    capitals(text)\n}\n\n\
         /// Every letter a capital.\nfn capitals(text: &str) -> String {\n    \
         text.to_uppercase()\n}\n",
    );
    write(
        root,
        "step01-tiny/tests/math.rs",
        &format!(
            "use step01_tiny::*;\n\n\
             #[test]\nfn {LONG}() {{\n    assert_eq!(add_one(1), 2);\n}}\n\n\
             #[test]\nfn counts_down() {{\n    assert_eq!(count_down(3), 3);\n}}\n\n\
             #[test]\nfn half_of_an_even_number() {{\n    assert_eq!(half(4), 2);\n}}\n\n\
             #[test]\n#[should_panic(expected = \"half of an odd number\")]\n\
             fn half_of_an_odd_number_panics() {{\n    half(3);\n}}\n\n\
             #[test]\nfn shouts() {{\n    assert_eq!(shout(\"hé\"), \"HÉ\");\n}}\n\n\
             #[test]\nfn counts_down_halves() {{\n    assert_eq!(count_down(half(8)), 4);\n}}\n\n\
             #[test]\nfn shouts_after_a_caught_panic() {{\n    \
             let caught = std::panic::catch_unwind(|| panic!(\"a panic on purpose\"));\n    \
             assert!(caught.is_err());\n    assert_eq!(shout(\"a b\"), \"A B\");\n}}\n"
        ),
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

/// Short limits: the tiny tests take milliseconds.
const LIMITS: Limits = Limits {
    graded: Duration::from_secs(3),
    binary: Duration::from_secs(30),
    alone: Duration::from_secs(10),
};

/// A tiny workspace and its copy, every exercise written as the reference has it: the
/// participant's copy, once done.
struct Copy {
    ws: Workspace,
    dir: PathBuf,
    file: PathBuf,
    done: String,
}

impl Copy {
    fn new(test: &str) -> Copy {
        let root = scratch(test);
        let ws = tiny(&root);
        let step = &ws.steps[0];
        let exercises = exercise::listed(step).expect("exercises");
        let dir = copy::dir(&root, step);
        copy::create(&root, step, &exercises, &dir).expect("the copy");
        let file = dir.join("step01-tiny/src/lib.rs");
        let done = fs::read_to_string(step.dir.join("src/lib.rs")).expect("the reference");
        Copy {
            ws,
            dir,
            file,
            done,
        }
    }

    /// The copy with the body of `item` replaced by `body`, every other one done.
    fn write(&self, old: &str, new: &str) {
        assert!(self.done.contains(old), "{old}");
        fs::write(&self.file, self.done.replace(old, new)).expect("write the copy");
    }

    /// `verify` run from `cwd`: what it printed, and whether all was done.
    fn verify_from(&self, cwd: &Path) -> (String, bool) {
        let here = Here::at(cwd, &self.ws.root);
        let mut screen = Screen::keep();
        let done = verify::verify_with(&self.ws, &here, &self.ws.steps[0], &mut screen, LIMITS)
            .expect("verify runs");
        let text = screen.kept().to_owned();
        fits(&text);
        (text, done)
    }

    fn verify(&self) -> (String, bool) {
        self.verify_from(&self.ws.root)
    }
}

/// No line wider than 100 columns.
fn fits(text: &str) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100,
            "too wide:\n{line}\nin:\n{text}"
        );
    }
}

/// The text without any blank, line breaks included: a wrapped name or sentence compares
/// equal to the same, unwrapped.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
}

/// Whether `text`, however wrapped, says `words`.
fn says(text: &str, words: &str) -> bool {
    squeezed(text).contains(&squeezed(words))
}

#[test]
fn a_wrong_result_says_what_the_test_expected_and_names_the_test_whole() {
    let copy = Copy::new("verify-wrong");
    copy.write("x + shared::ONE", "x + 2");
    let (text, done) = copy.verify();
    assert!(!done);
    // Too long to stand beside the verdict: the name has a line of its own, whole.
    assert!(text.contains("  1. add            failing\n"), "{text}");
    assert!(text.contains(&format!("\n       math::{LONG}\n")), "{text}");
    assert!(!text.contains('…'), "nothing is cut:\n{text}");
    let at = "a wrong result at workshop/step01-tiny/step01-tiny/tests/math.rs:";
    assert!(text.contains(at), "{text}");
    assert!(text.contains("assertion `left == right` failed"), "{text}");
    assert!(
        text.contains("  left: 3\n") && text.contains(" right: 2\n"),
        "{text}"
    );
    for other in ["count ", "half ", "shout "] {
        let line = text.lines().find(|l| l.contains(other)).expect(other);
        assert!(line.contains("done"), "{line}");
    }
    assert!(text.contains("next: `add`, add_one in workshop/step01-tiny/step01-tiny/src/lib.rs"));
    let state = State::load(&copy.dir);
    assert_eq!(state.entries["add"].failing, Some(format!("math::{LONG}")));
}

#[test]
fn code_that_does_not_compile_gets_the_first_error_whole_and_the_command_for_all() {
    let copy = Copy::new("verify-refused");
    copy.write("x + shared::ONE", "x + \"1\"");
    let (text, done) = copy.verify();
    assert!(!done);
    assert!(
        text.contains("Your code does not compile. The compiler's first error:"),
        "{text}"
    );
    assert!(
        text.contains("error[E0277]: cannot add `&str` to `u32`"),
        "{text}"
    );
    // Where, as it opens from the root; the code line; the compiler's help.
    assert!(
        text.contains("--> workshop/step01-tiny/step01-tiny/src/lib.rs:5:7"),
        "{text}"
    );
    assert!(text.contains("x + \"1\""), "{text}");
    assert!(text.contains("help"), "{text}");
    assert!(
        text.ends_with(
            "1 error in all; cargo shows every one with:\n  \
             cd workshop/step01-tiny && cargo test --no-run\n"
        ),
        "{text}"
    );
    // Inside the copy, the paths and the command are as they are typed there.
    let (inside, _) = copy.verify_from(&copy.dir);
    assert!(
        inside.contains("--> step01-tiny/src/lib.rs:5:7"),
        "{inside}"
    );
    assert!(
        inside.ends_with("with:\n  cargo test --no-run\n"),
        "{inside}"
    );
    let (deeper, _) = copy.verify_from(&copy.dir.join("step01-tiny/src"));
    assert!(deeper.contains("--> lib.rs:5:7"), "{deeper}");
    assert!(
        deeper.ends_with("with:\n  cd ../.. && cargo test --no-run\n"),
        "{deeper}"
    );
}

#[test]
fn a_test_file_that_does_not_compile_is_told_apart() {
    let copy = Copy::new("verify-tests-refused");
    copy.write(
        "pub fn shout(text: &str) -> String {\n    louder(text)",
        "pub fn shout(text: String) -> String {\n    louder(&text)",
    );
    let (text, _) = copy.verify();
    assert!(
        text.contains("The step's tests do not compile against your code"),
        "{text}"
    );
    assert!(text.contains("tests/math.rs"), "{text}");
}

#[test]
fn a_hang_is_named_in_seconds_busy_or_asleep() {
    let copy = Copy::new("verify-hang");
    let body = "    let (mut n, mut steps) = (n, 0);\n    while n > 0 {\n        n -= 1;\n        \
                steps += 1;\n    }\n    steps\n";
    copy.write(body, "    let _ = n;\n    loop {}\n");
    let start = Instant::now();
    let (text, _) = copy.verify();
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    assert!(
        text.contains("  2. count          failing   math::counts_down\n"),
        "{text}"
    );
    let hangs = "it hangs: still running after 3 s, so it was stopped; its thread was busy all \
                 along: a loop that never ends";
    assert!(says(&text, hangs), "{text}");
    copy.write(
        body,
        "    let _ = n;\n    std::thread::sleep(std::time::Duration::MAX);\n    0\n",
    );
    let (text, _) = copy.verify();
    assert!(
        says(
            &text,
            "its thread was asleep: it waits for something that never"
        ),
        "{text}"
    );
    for other in ["add ", "shout "] {
        let line = text.lines().find(|l| l.contains(other)).expect(other);
        assert!(line.contains("done"), "{line}");
    }
    // `half` shares a test with `count`, which hangs there too: `count` comes first.
    assert!(
        text.contains("  3. half           waiting   math::counts_down_halves\n"),
        "{text}"
    );
    assert!(says(&text, "mend `count` first"), "{text}");
}

/// A step's graded tests are in several files (step 5's `wake` is graded in four): they hung
/// one file after the other, a limit each, so a hang in step 3's `gather` took 20 s to be named
/// and one in four files 40 s. All at once, it is named when the limit is up.
#[test]
fn a_hang_in_several_test_files_is_named_after_one_limit() {
    let copy = Copy::new("verify-hang-files");
    let exercises = copy.ws.root.join("step01-tiny/exercises.toml");
    let toml = fs::read_to_string(&exercises).expect("exercises.toml");
    let one = "tests = [\"math::counts_down\"]";
    let three = "tests = [\"math::counts_down\", \"more::counts\", \"most::counts\"]";
    assert!(toml.contains(one), "{toml}");
    fs::write(&exercises, toml.replace(one, three)).expect("write exercises.toml");
    for file in ["more", "most"] {
        let test = "use step01_tiny::*;\n\n#[test]\nfn counts_down_from_two() {\n    \
                    assert_eq!(count_down(2), 2);\n}\n";
        write(&copy.dir, &format!("step01-tiny/tests/{file}.rs"), test);
    }
    let body = "    let (mut n, mut steps) = (n, 0);\n    while n > 0 {\n        n -= 1;\n        \
                steps += 1;\n    }\n    steps\n";
    copy.write(
        body,
        "    let _ = n;\n    std::thread::sleep(std::time::Duration::MAX);\n    0\n",
    );
    // The first run builds the copy; the second only runs the tests.
    copy.verify();
    let start = Instant::now();
    let (text, _) = copy.verify();
    let took = start.elapsed();
    for test in ["math::counts_down", "more::counts_down_from_two"] {
        assert!(says(&text, test), "{text}");
    }
    assert!(says(&text, "3 other tests of it fail too"), "{text}");
    // One limit is 3 s; one after the other, three files took at least 9 s.
    assert!(took < Duration::from_secs(7), "{took:?}\n{text}");
}

#[test]
fn a_missing_panic_says_which_one_was_expected_and_a_wrong_value_explains_more() {
    let copy = Copy::new("verify-no-panic");
    let body = "    assert!(x % 2 == 0, \"half of an odd number\");\n    x / 2\n";
    copy.write(body, "    x / 2\n");
    let (text, _) = copy.verify();
    assert!(
        text.contains("  3. half           failing   math::half_of_an_odd_number_panics\n"),
        "{text}"
    );
    let expected = "it returned normally, but the test expects a panic with \"half of an odd \
                    number\"";
    assert!(says(&text, expected), "{text}");
    // Wrong on both: the wrong value comes first, the missing panic is counted.
    copy.write(body, "    x / 2 + 1\n");
    let (text, _) = copy.verify();
    assert!(
        text.contains("failing   math::half_of_an_even_number\n"),
        "{text}"
    );
    assert!(
        says(
            &text,
            "2 other tests of it fail too: math::counts_down_halves (a wrong result), \
             math::half_of_an_odd_number_panics (no panic)"
        ),
        "{text}"
    );
}

/// A test that grades two exercises, failing because of one of them (which fails on a test of
/// its own too), is not charged to the other: that one waits, and the next hint is for the
/// exercise to mend, even though it comes later.
#[test]
fn a_test_of_two_exercises_is_charged_to_the_one_that_fails_alone() {
    let copy = Copy::new("verify-shared");
    let body = "    assert!(x % 2 == 0, \"half of an odd number\");\n    x / 2\n";
    copy.write(
        body,
        "    assert!(x % 2 == 0, \"half of an odd number\");\n    x / 2 + 1\n",
    );
    let (text, _) = copy.verify();
    assert!(
        text.contains("  2. count          waiting   math::counts_down_halves\n"),
        "{text}"
    );
    let waits = "fails, but it grades `half` too, which fails on tests of its own: mend `half` \
                 first, then verify again";
    assert!(says(&text, waits), "{text}");
    assert!(
        text.contains("  3. half           failing   math::half_of_an_even_number\n"),
        "{text}"
    );
    assert!(says(
        &text,
        "1 other test of it fails too: math::counts_down_halves"
    ));
    assert!(
        text.contains("\nnext: `half`, half in workshop/step01-tiny/step01-tiny/src/lib.rs\n"),
        "{text}"
    );
    // `progress` hears of it as failing, on that test.
    let state = State::load(&copy.dir);
    let failing = state.entries["count"].failing.as_deref();
    assert_eq!(failing, Some("math::counts_down_halves"));
}

/// A test that panics on purpose (caught), then fails on its assertion, is shown failing on
/// the assertion: the panic that ended it. The caught one is named after it, in a line.
#[test]
fn the_failure_that_ended_a_test_is_shown_not_a_panic_it_caught() {
    let copy = Copy::new("verify-caught");
    copy.write(
        "    louder(text)\n",
        "    louder(text).split_whitespace().collect()\n",
    );
    let (text, _) = copy.verify();
    assert!(
        text.contains("  4. shout          failing   math::shouts_after_a_caught_panic\n"),
        "{text}"
    );
    assert!(
        says(
            &text,
            "a wrong result at workshop/step01-tiny/step01-tiny/tests/math.rs:"
        ),
        "{text}"
    );
    assert!(says(&text, "left: \"AB\" right: \"A B\""), "{text}");
    let caught = "(before it, 1 panic that did not end the test: caught, or in another thread; \
                  the first at workshop/step01-tiny/step01-tiny/tests/math.rs:";
    assert!(says(&text, caught), "{text}");
    assert!(says(&text, ": a panic on purpose)"), "{text}");
}

/// Once the copy compiles, the compiler's warnings about the participant's code are shown:
/// how many, and the first as cargo renders it. Not those that a body still `todo!()` causes
/// (its unused parameters, the helpers only it would call, and what those call in turn).
#[test]
fn the_compilers_warnings_about_your_code_are_shown_not_those_of_a_todo() {
    let copy = Copy::new("verify-warnings");
    let (text, _) = copy.verify();
    assert!(text.contains("  1. add            todo!()"), "{text}");
    assert!(
        !text.contains("warn"),
        "a fresh copy has no warning to show:\n{text}"
    );
    // `add` ignores its `x`; `shout` is still todo!(): `louder` and `capitals` are its.
    let fresh = fs::read_to_string(&copy.file).expect("the copy");
    let add = copy::todo_statement(
        &exercise::listed(&copy.ws.steps[0]).expect("exercises")[0],
        1,
        96,
    );
    let add = add.replace('\n', "\n    ");
    assert!(fresh.contains(&add), "{fresh}");
    fs::write(&copy.file, fresh.replace(&add, "shared::ONE + 1")).expect("write");
    let (text, _) = copy.verify();
    assert!(
        text.contains(
            "\nThe compiler warns about your code (often the clue to what is missing):\n\
             warning: unused variable: `x`\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("--> workshop/step01-tiny/step01-tiny/src/lib.rs:4:16\n"),
        "{text}"
    );
    assert!(text.contains("help: if this is intentional"), "{text}");
    let one = "\n1 warning about your code; cargo shows it (and those of the bodies still todo!()) \
               with:\n  cd workshop/step01-tiny && cargo test --no-run\n";
    assert!(text.contains(one), "{text}");
    // Every body written: `shout` no longer calls its helpers, and the compiler says so.
    copy.write("    x + shared::ONE\n", "    shared::ONE + 1\n");
    fs::write(
        &copy.file,
        fs::read_to_string(&copy.file)
            .expect("read")
            .replace("    louder(text)\n", "    text.to_uppercase()\n"),
    )
    .expect("write");
    let (text, _) = copy.verify();
    assert!(text.contains("warning: unused variable: `x`"), "{text}");
    assert!(
        says(
            &text,
            "3 warnings about your code: the first above, then function `louder` is never used \
             (workshop/step01-tiny/step01-tiny/src/lib.rs:30:4), function `capitals` is never \
             used (workshop/step01-tiny/step01-tiny/src/lib.rs:35:4). cargo shows them with:"
        ),
        "{text}"
    );
    // Inside the copy, its paths and its command are as typed there.
    let (inside, _) = copy.verify_from(&copy.dir);
    assert!(
        inside.contains("--> step01-tiny/src/lib.rs:4:16\n"),
        "{inside}"
    );
    assert!(
        inside.contains("with:\n  cargo test --no-run\n"),
        "{inside}"
    );
}

/// `source` with each string continuation (a `\` at a line's end, and the next line's leading
/// blanks) taken out: a `todo!()` message as Rust reads it.
fn joined(source: &str) -> String {
    let mut out = String::new();
    let mut lines = source.split('\n').peekable();
    while let Some(line) = lines.next() {
        match line.strip_suffix('\\') {
            Some(kept) => {
                out.push_str(kept);
                if let Some(next) = lines.peek_mut() {
                    *next = next.trim_start();
                }
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// A `todo!()` says that it holds the first hint of several, and the command for the next; its
/// lines fit an editor of 100 columns. In every step's fresh copy too.
#[test]
fn a_todo_says_which_hint_it_is_and_how_to_get_the_next() {
    let copy = Copy::new("verify-todo-hints");
    let fresh = fs::read_to_string(&copy.file).expect("the copy");
    let said = joined(&fresh);
    let first = "exercise add: Add one. (hint 1 of 3; cargo xtask hint 1 for the next)";
    assert!(said.contains(first), "{said}");
    let only = "(the only hint; cargo xtask hint 1 names the reference)";
    assert!(said.contains(only), "{said}");
    let root = xtask::workspace_root();
    for step in steps::discover(&root).expect("steps") {
        for exercise in exercise::listed(&step).expect("exercises") {
            let source = fs::read_to_string(step.dir.join(&exercise.file)).expect("read");
            let fresh = copy::fresh(&source, &exercise, step.number).expect("fresh");
            let n = exercise.hints.len();
            let more = format!(
                "(hint 1 of {n}; cargo xtask hint {} for the next)",
                step.number
            );
            assert!(joined(&fresh).contains(&more), "{}: {more}", exercise.name);
            fits(&fresh);
        }
    }
}

#[test]
fn a_crash_is_said_as_a_crash() {
    let copy = Copy::new("verify-crash");
    copy.write(
        "    louder(text)\n",
        "    let _ = text;\n    std::process::abort()\n",
    );
    let (text, _) = copy.verify();
    assert!(
        text.contains("  4. shout          failing   math::shouts\n"),
        "{text}"
    );
    assert!(
        says(&text, "the test process was killed by signal 6 (SIGABRT"),
        "{text}"
    );
}

#[test]
fn all_done_then_the_other_tests_run_and_it_says_so() {
    let copy = Copy::new("verify-done");
    fs::write(&copy.file, &copy.done).expect("write");
    let (text, done) = copy.verify();
    assert!(done, "{text}");
    assert!(
        text.contains("every exercise of step 1 is done and every test passes"),
        "{text}"
    );
    // Nothing left to hint, in lines that fit.
    let here = Here::at(&copy.ws.root, &copy.ws.root);
    let none = hint::next(&copy.ws, &here, &["1".to_owned()]).expect("hint");
    fits(&none);
    assert!(
        says(
            &none,
            "every exercise of step 1 passed its last verify: nothing to hint."
        ),
        "{none}"
    );
}

/// Every line of every step's fresh copy that `exercise` writes (its guide, its `todo!()`s) fits
/// 100 columns: a participant's editor.
#[test]
fn every_copy_that_exercise_writes_fits_an_editor() {
    let root = xtask::workspace_root();
    let scratch = scratch("verify-copies-fit");
    for step in steps::discover(&root).expect("steps") {
        let exercises = exercise::listed(&step).expect("exercises");
        let dir = scratch.join(&step.name);
        copy::create(&root, &step, &exercises, &dir).expect("the copy");
        let guide = fs::read_to_string(dir.join("EXERCISES.md")).expect("the guide");
        fits(&guide);
        for exercise in &exercises {
            let file = dir.join(&step.name).join(&exercise.file);
            fits(&fs::read_to_string(file).expect("the file"));
        }
    }
}

/// A reset starts an exercise's hints again; the last hint names the reference outside the
/// copy, and its command is a line of its own.
#[test]
fn hints_start_again_after_a_reset_and_the_last_names_the_reference() {
    let copy = Copy::new("verify-hints");
    let ws = &copy.ws;
    let inside = Here::at(&copy.dir, &ws.root);
    let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let second = hint::next(ws, &inside, &words(&["add"])).expect("hint");
    assert!(second.starts_with("`add` (add_one in step01-tiny/src/lib.rs), hint 2 of 3:"));
    let last = hint::next(ws, &inside, &words(&["add"])).expect("hint");
    fits(&last);
    assert!(last.contains("hint 3 of 3"), "{last}");
    assert!(
        says(&last, "outside your copy: ../../step01-tiny/src/lib.rs"),
        "{last}"
    );
    assert!(
        last.ends_with("\n  cargo xtask exercise 1 --compare add --force\n"),
        "{last}"
    );
    assert_eq!(State::load(&copy.dir).entries["add"].hints, 3);
    let reset = exercise::main(&mut lexopt::Parser::from_args(["1", "--reset", "add"]), ws);
    assert!(reset.is_ok(), "{reset:?}");
    assert_eq!(State::load(&copy.dir).entries["add"].hints, 0);
    let again = hint::next(ws, &inside, &words(&["1", "add"])).expect("hint");
    assert!(again.contains("hint 2 of 3"), "{again}");
}

/// After `prepare` (its fresh copies built into the target directory every copy uses), a
/// participant's first build compiles the step's crate only, and it is the participant's code
/// that runs: `prepare` once made its copies inside that target directory, where cargo took
/// their files for the participant's, and `verify` ran the fresh copy's `todo!()`s instead.
#[test]
fn after_prepare_the_first_build_compiles_only_the_step_and_runs_your_code() {
    let copy = Copy::new("verify-after-prepare");
    let (ws, step) = (&copy.ws, &copy.ws.steps[0]);
    let exercises = exercise::listed(step).expect("exercises");
    let target = verify::target_dir(ws);
    let prepared = guarantees::copies(ws).join(&step.name);
    guarantees::fresh_copy(ws, step, &exercises, &prepared, &target).expect("prepare's copy");
    let inside = target.join("copies").join(&step.name);
    let refused = guarantees::fresh_copy(ws, step, &exercises, &inside, &target);
    assert!(
        refused.is_err_and(|e| e.contains("a copy cannot build into a target directory")),
        "a copy inside the target directory is refused"
    );
    // The participant's fresh copy, made after `prepare`: only its crate compiles.
    fs::remove_dir_all(&copy.dir).expect("remove");
    copy::create(&ws.root, step, &exercises, &copy.dir).expect("the copy");
    let built = verify::build_tests(&copy.dir, &step.name, &target, &[], &mut Screen::keep());
    let Ok(Build::Built { compiled, .. }) = built else {
        panic!("{built:?}");
    };
    assert_eq!(compiled, ["step01-tiny"]);
    let (text, _) = copy.verify();
    assert!(text.contains("  1. add            todo!()"), "{text}");
    // Then written: what runs is what was written.
    copy.write("x + shared::ONE", "x + 2");
    let (text, _) = copy.verify();
    assert!(text.contains("a wrong result at"), "{text}");
}

/// A test that fails, then passes when run again alone (its timing upset by a busy machine) is
/// no failure of the exercise, and the report says it happened.
#[test]
fn a_test_that_passes_when_run_again_alone_is_said_and_not_charged() {
    let copy = Copy::new("verify-again");
    fs::write(&copy.file, &copy.done).expect("write");
    let tests = copy.dir.join("step01-tiny/tests/math.rs");
    let mut math = fs::read_to_string(&tests).expect("the tests");
    // Fails the first time it runs in the copy, passes from then on.
    math.push_str(
        "\n#[test]\nfn shouts_on_the_second_try() {\n    \
         assert!(std::fs::create_dir(\"tried-once\").is_err());\n}\n",
    );
    fs::write(&tests, math).expect("write the tests");
    let (text, done) = copy.verify();
    assert!(done, "{text}");
    assert!(
        text.contains("  4. shout          done      3 tests pass\n"),
        "{text}"
    );
    let again = "math::shouts_on_the_second_try failed (a wrong result), then passed when run \
                 again alone: its timing, on a busy machine?";
    assert!(says(&text, again), "{text}");
}

/// Once every exercise is done, one of the step's other tests that fails with a long message
/// shows its first lines, how many more, and the command that shows all of it: never a message
/// cut in silence before the line that differs.
#[test]
fn a_long_failure_of_another_test_says_how_to_see_all_of_it() {
    let copy = Copy::new("verify-long-other");
    fs::write(&copy.file, &copy.done).expect("write");
    let tests = copy.dir.join("step01-tiny/tests/math.rs");
    let mut math = fs::read_to_string(&tests).expect("the tests");
    math.push_str(
        "\n#[test]\nfn lists_every_number() {\n    \
         let numbers: Vec<u32> = (0..20).collect();\n    \
         assert!(numbers.is_empty(), \"{numbers:#?}\");\n}\n",
    );
    fs::write(&tests, math).expect("write the tests");
    let (text, done) = copy.verify();
    assert!(!done, "{text}");
    assert!(
        text.contains("\n1 of the step's other tests fails: math::lists_every_number\n"),
        "{text}"
    );
    assert!(text.contains("\n  … and 11 more lines\n"), "{text}");
    let all = "\n  all of it: cd workshop/step01-tiny && cargo test --test math lists_every_number \
               -- --exact\n";
    assert!(text.contains(all), "{text}");
}

/// The tests of an exercise still `todo!()` do not run (it is todo whatever they say): one of
/// them that waited for its limit made every `verify` slow until the body was written.
#[test]
fn the_tests_of_a_todo_do_not_run() {
    let copy = Copy::new("verify-todo-tests");
    let tests = copy.dir.join("step01-tiny/tests/math.rs");
    let mut math = fs::read_to_string(&tests).expect("the tests");
    math.push_str(
        "\n#[test]\nfn counts_down_after_a_mark() {\n    \
         std::fs::write(\"ran\", \"\").unwrap();\n    assert_eq!(count_down(1), 1);\n}\n",
    );
    fs::write(&tests, math).expect("write the tests");
    let mark = copy.dir.join("step01-tiny/ran");
    let (text, _) = copy.verify();
    assert!(text.contains("  2. count          todo!()"), "{text}");
    assert!(!mark.exists(), "a test of a todo!() ran:\n{text}");
    // Failing tests are said to be expected while a todo!() is left, and only then.
    let expected = "(failing tests are expected at the start: each todo!() fails the tests";
    assert!(text.contains(expected), "{text}");
    fs::write(&copy.file, &copy.done).expect("write");
    let (text, done) = copy.verify();
    assert!(done, "{text}");
    assert!(mark.exists(), "{text}");
    assert!(!text.contains(expected), "{text}");
}

/// Each graded test runs once, all at once, its output in a file of its own: the logs of
/// `iteration.0`, `iteration.1`, … were once all `iteration.stdout` (a path's extension
/// replaced), each overwriting the others, and most tests ran a second time, alone, to find out
/// how they ended. Each "test" here is a shell script that prints what libtest prints, run as
/// `sh NAME …` (a script written and run at once could be refused as busy, while another test
/// of this file forks): it notes how many are running, then says it passed.
#[cfg(unix)]
#[test]
fn each_graded_test_runs_once_its_output_its_own() {
    let dir = scratch("verify-each-once");
    let script = "here=$(dirname \"$0\")\nmkdir -p \"$here/running\"\n\
                  touch \"$here/running/$$\"\nsleep 0.3\n\
                  ls \"$here/running\" | wc -l >> \"$here/seen\"\n\
                  rm \"$here/running/$$\"\necho \"test $0 ... ok\"\n";
    let names: Vec<String> = (0..6).map(|i| format!("t{i}")).collect();
    for name in &names {
        write(&dir, name, script);
    }
    let binary = Binary {
        target: "fake".into(),
        path: PathBuf::from("/bin/sh"),
    };
    let runner = Runner {
        package_dir: dir.clone(),
        target_dir: dir.join("target"),
        limit: Duration::from_secs(20),
        alone_limit: Duration::from_secs(20),
    };
    let selection = Selection::Exactly(names.clone());
    let results = runner
        .run(&binary, &selection, "", &mut Screen::keep())
        .expect("the runs");
    let passed = results.iter().filter(|r| r.outcome == Outcome::Passed);
    assert_eq!(passed.count(), names.len(), "{results:?}");
    let seen = fs::read_to_string(dir.join("seen")).expect("seen");
    let seen: Vec<usize> = seen
        .lines()
        .map(|l| l.trim().parse().expect("a count"))
        .collect();
    assert_eq!(seen.len(), names.len(), "each ran once: {seen:?}");
    assert!(seen.iter().any(|n| *n > 1), "at once: {seen:?}");
}
