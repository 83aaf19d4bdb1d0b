//! The exercises of a step, as its `exercises.toml` names them: one `[[exercises]]` table each,
//! in the order a participant meets them.
//!
//! ```toml
//! [[exercises]]
//! name = "timers"                      # stable: the state file and the command line use it
//! file = "src/event_loop.rs"           # from the step's directory
//! item = "Loop::fire_due_timers"       # `f`, `Type::f` or `impl Trait for Type: f`
//! hints = ["the first one is in the todo!()", "then the next", "…"]
//! tests = ["timers::every_due_timer", "wakers::"]   # TARGET::FILTER, as `cargo test --test`
//! ```
//!
//! A file of its own, beside `Cargo.toml` rather than in its `[package.metadata.workshop]`:
//! `cargo xtask diff` compares a step's `Cargo.toml`, and the exercises must never show on a
//! slide. Read with the `toml` crate; every key checked, so that a typo is an error, not a
//! silently missing hint.

use std::fs;

use crate::Error;
use crate::steps::Step;

/// The file, in a step's directory.
pub const FILE: &str = "exercises.toml";

/// The header of each exercise's table.
pub const HEADER: &str = "[[exercises]]";

/// One exercise: a function whose body the participant writes again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exercise {
    /// A short stable name, unique in its step (`timers`).
    pub name: String,
    /// The file that holds the function, from the step's directory (`src/event_loop.rs`).
    pub file: String,
    /// The function, as [`super::locate::find`] reads it (`Loop::fire_due_timers`).
    pub item: String,
    /// What to try, gently first: the first one is the `todo!()` message.
    pub hints: Vec<String>,
    /// The tests that grade it: any of them failing means it is not done.
    pub tests: Vec<TestFilter>,
}

/// Some tests of one test target: `cargo test --test TARGET FILTER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFilter {
    /// The test target: a file of `tests/` without `.rs`, or `lib` for the unit tests.
    pub target: String,
    /// The tests whose name contains this (all of the target's when empty), as libtest filters.
    pub filter: String,
}

impl TestFilter {
    /// Whether the test `name` of test target `target` is one of these.
    pub fn covers(&self, target: &str, name: &str) -> bool {
        self.target == target && name.contains(&self.filter)
    }
}

/// The exercises of `step`, checked: names unique, every key given, every test a `TARGET::…`.
/// A step without the file has none.
pub fn exercises(step: &Step) -> Result<Vec<Exercise>, Error> {
    let path = step.dir.join(FILE);
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    parse(&text).map_err(|e| Error::Failed(format!("{}/{FILE}: {e}", step.name)))
}

/// The exercises in the text of an `exercises.toml`.
pub fn parse(manifest: &str) -> Result<Vec<Exercise>, String> {
    let table: toml::Table = manifest
        .parse()
        .map_err(|e: toml::de::Error| one_line(manifest, &e))?;
    let mut exercises: Vec<Exercise> = Vec::new();
    for (key, value) in &table {
        if key != KEY {
            return Err(format!(
                "unknown table `{key}`: the exercises are `[[{KEY}]]`"
            ));
        }
        let tables = value
            .as_array()
            .ok_or(format!("`{KEY}` is `[[{KEY}]]` tables"))?;
        for table in tables {
            let table = table
                .as_table()
                .ok_or(format!("`{KEY}` is `[[{KEY}]]` tables"))?;
            let exercise = exercise(table)?;
            if exercises.iter().any(|e| e.name == exercise.name) {
                return Err(format!("two exercises are named `{}`", exercise.name));
            }
            exercises.push(exercise);
        }
    }
    Ok(exercises)
}

/// The key of the exercises' array of tables.
const KEY: &str = "exercises";

/// A parse error of `toml` (which draws the line with a caret, over several lines) as one line:
/// where, then what.
fn one_line(manifest: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().replace('\n', " ");
    match error.span() {
        Some(span) => {
            let line = manifest[..span.start.min(manifest.len())]
                .lines()
                .count()
                .max(1);
            format!("line {line}: {message}")
        }
        None => message,
    }
}

/// One table's keys, checked.
fn exercise(table: &toml::Table) -> Result<Exercise, String> {
    if let Some(other) = table.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("unknown key `{other}` in an exercise"));
    }
    let name = string(table, "name")?.ok_or("an exercise without a `name`")?;
    let missing = |key: &str| format!("exercise `{name}` has no `{key}`");
    let hints = strings(table, "hints")?.ok_or_else(|| missing("hints"))?;
    let tests = strings(table, "tests")?.ok_or_else(|| missing("tests"))?;
    if hints.is_empty() || tests.is_empty() {
        return Err(format!(
            "exercise `{name}` needs a hint and a test at least"
        ));
    }
    let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
    if name.is_empty() || !name.chars().all(valid) {
        return Err(format!(
            "exercise name `{name}`: lowercase letters, digits, - and _"
        ));
    }
    let tests = tests
        .iter()
        .map(|test| match test.split_once("::") {
            Some((target, filter)) if !target.is_empty() => Ok(TestFilter {
                target: target.to_owned(),
                filter: filter.to_owned(),
            }),
            _ => Err(format!(
                "exercise `{name}`: test `{test}` is not TARGET::FILTER"
            )),
        })
        .collect::<Result<_, _>>()?;
    Ok(Exercise {
        file: string(table, "file")?.ok_or_else(|| missing("file"))?,
        item: string(table, "item")?.ok_or_else(|| missing("item"))?,
        name,
        hints,
        tests,
    })
}

/// The keys an exercise's table may have.
const KEYS: [&str; 5] = ["name", "file", "item", "hints", "tests"];

/// The string at `key`, if the table has one.
fn string(table: &toml::Table, key: &str) -> Result<Option<String>, String> {
    match table.get(key) {
        None => Ok(None),
        Some(toml::Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

/// The array of strings at `key`, if the table has one.
fn strings(table: &toml::Table, key: &str) -> Result<Option<Vec<String>>, String> {
    let Some(value) = table.get(key) else {
        return Ok(None);
    };
    let wrong = || format!("`{key}` must be an array of strings: [\"…\", \"…\"]");
    let items = value.as_array().ok_or_else(wrong)?;
    let texts = items.iter().map(|item| item.as_str().map(str::to_owned));
    texts
        .collect::<Option<Vec<_>>>()
        .map(Some)
        .ok_or_else(wrong)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"# The exercises.

# The first exercise.
[[exercises]]
name = "timers"
file = "src/event_loop.rs"
item = 'Loop::fire_due_timers'
hints = [
    "Pop what is \"due\", then set it.", # a comment
    "Mind the borrow: \u00e9.",
]
tests = ["timers::every_due_timer", "wakers::"]

[[exercises]]
name = "sleep"
file = "src/timer.rs"
item = "sleep"
hints = ["A one-shot and a timer."]
tests = ["timers::sleep_never_returns_early"]
"#;

    #[test]
    fn every_exercise_in_order() {
        let exercises = parse(MANIFEST).expect("parse");
        assert_eq!(exercises.len(), 2);
        let timers = &exercises[0];
        assert_eq!(
            (
                timers.name.as_str(),
                timers.file.as_str(),
                timers.item.as_str()
            ),
            ("timers", "src/event_loop.rs", "Loop::fire_due_timers")
        );
        assert_eq!(
            timers.hints,
            ["Pop what is \"due\", then set it.", "Mind the borrow: é."]
        );
        assert!(timers.tests[0].covers("timers", "every_due_timer_fires_in_the_same_turn"));
        assert!(timers.tests[1].covers("wakers", "anything"));
        assert!(!timers.tests[0].covers("wakers", "every_due_timer"));
        assert_eq!(exercises[1].hints.len(), 1);
    }

    #[test]
    fn mistakes_are_named() {
        let one = |table: &str| parse(&format!("{HEADER}\n{table}")).expect_err(table);
        let base = "name = \"a\"\nfile = \"f\"\nitem = \"i\"\n";
        assert_eq!(
            one(&format!("{base}hints = [\"h\"]")),
            "exercise `a` has no `tests`"
        );
        assert_eq!(
            one(&format!("{base}hints = []\ntests = [\"t::x\"]")),
            "exercise `a` needs a hint and a test at least"
        );
        assert!(one(&format!("{base}hints = [\"h\"]\ntests = [\"nope\"]")).contains("TARGET::"));
        assert!(one(&format!("{base}hint = [\"h\"]")).contains("unknown key `hint`"));
        assert!(one("name = \"A b\"\nhints = [\"h\"]\ntests = [\"t::\"]").contains("lowercase"));
        let unterminated = one("name = \"a\nfile = \"f\"");
        assert!(unterminated.starts_with("line 2: "), "{unterminated}");
        let unknown = parse("[unknown.table]\nignored = true\n").expect_err("unknown");
        assert!(unknown.contains("unknown table `unknown`"), "{unknown}");
        let twice = format!("{HEADER}\n{base}hints = [\"h\"]\ntests = [\"t::\"]\n");
        assert_eq!(
            parse(&twice.repeat(2)).expect_err("twice"),
            "two exercises are named `a`"
        );
    }
}
