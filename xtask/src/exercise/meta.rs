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
//! slide. The reader knows exactly this shape (strings, arrays of strings, comments), like
//! [`crate::steps::manifest_table`]: it is not a TOML parser.

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
    let mut exercises: Vec<Exercise> = Vec::new();
    for table in tables(manifest) {
        let exercise = exercise(&table)?;
        if exercises.iter().any(|e| e.name == exercise.name) {
            return Err(format!("two exercises are named `{}`", exercise.name));
        }
        exercises.push(exercise);
    }
    Ok(exercises)
}

/// The text of each exercise table, header left out.
fn tables(manifest: &str) -> Vec<String> {
    let mut tables: Vec<String> = Vec::new();
    let mut inside = false;
    for line in manifest.lines() {
        let trimmed = line.trim();
        // A header is a line that starts with `[`; an array's items never do here.
        if trimmed.starts_with('[') && !trimmed.starts_with("[\"") {
            inside = trimmed == HEADER;
            if inside {
                tables.push(String::new());
            }
        } else if let Some(table) = tables.last_mut().filter(|_| inside) {
            table.push_str(line);
            table.push('\n');
        }
    }
    tables
}

/// One table's keys, checked.
fn exercise(table: &str) -> Result<Exercise, String> {
    let mut reader = Reader {
        chars: table.chars().collect(),
        at: 0,
    };
    let (mut name, mut file, mut item) = (None, None, None);
    let (mut hints, mut tests) = (None, None);
    while let Some(key) = reader.key()? {
        match key.as_str() {
            "name" => name = Some(reader.string()?),
            "file" => file = Some(reader.string()?),
            "item" => item = Some(reader.string()?),
            "hints" => hints = Some(reader.strings()?),
            "tests" => tests = Some(reader.strings()?),
            other => return Err(format!("unknown key `{other}` in an exercise")),
        }
    }
    let name = name.ok_or("an exercise without a `name`")?;
    let missing = |key: &str| format!("exercise `{name}` has no `{key}`");
    let hints: Vec<String> = hints.ok_or_else(|| missing("hints"))?;
    let tests = tests.ok_or_else(|| missing("tests"))?;
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
        file: file.ok_or_else(|| missing("file"))?,
        item: item.ok_or_else(|| missing("item"))?,
        name,
        hints,
        tests,
    })
}

/// A cursor over one table's text.
struct Reader {
    chars: Vec<char>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    /// Skips blanks, line ends and comments.
    fn skip(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                '#' => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.at += 1;
                    }
                }
                c if c.is_whitespace() => self.at += 1,
                _ => break,
            }
        }
    }

    /// The next `key =`, or `None` at the end of the table.
    fn key(&mut self) -> Result<Option<String>, String> {
        self.skip();
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.at += 1;
        }
        let key: String = self.chars[start..self.at].iter().collect();
        self.skip();
        match (key.is_empty(), self.peek()) {
            (true, None) => Ok(None),
            (false, Some('=')) => {
                self.at += 1;
                Ok(Some(key))
            }
            _ => Err(format!("cannot read the exercise table near `{key}`")),
        }
    }

    /// A string: `"…"` with TOML's escapes, or `'…'` as written.
    fn string(&mut self) -> Result<String, String> {
        self.skip();
        let quote = self.peek().filter(|c| *c == '"' || *c == '\'');
        let quote = quote.ok_or("a value must be a string")?;
        self.at += 1;
        let mut text = String::new();
        loop {
            let c = self.peek().ok_or("a string that never ends")?;
            self.at += 1;
            match c {
                c if c == quote => return Ok(text),
                '\n' => return Err("a string that never ends on its line".into()),
                '\\' if quote == '"' => text.push(self.escape()?),
                c => text.push(c),
            }
        }
    }

    fn escape(&mut self) -> Result<char, String> {
        let c = self.peek().ok_or("a string that never ends")?;
        self.at += 1;
        match c {
            '"' | '\\' => Ok(c),
            'n' => Ok('\n'),
            't' => Ok('\t'),
            'u' => {
                let digits: String = self.chars.iter().skip(self.at).take(4).collect();
                self.at += 4;
                u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("a bad escape \\u{digits}"))
            }
            other => Err(format!("an escape this reader does not know: \\{other}")),
        }
    }

    /// `[ "a", "b", ]`, across lines, comments allowed.
    fn strings(&mut self) -> Result<Vec<String>, String> {
        self.skip();
        if self.peek() != Some('[') {
            return Err("hints and tests are arrays of strings: [\"…\", \"…\"]".into());
        }
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.skip();
            match self.peek() {
                Some(']') => {
                    self.at += 1;
                    return Ok(items);
                }
                Some(_) => items.push(self.string()?),
                None => return Err("an array that never ends".into()),
            }
            self.skip();
            match self.peek() {
                Some(',') => self.at += 1,
                Some(']') => {}
                _ => return Err("items of an array are separated by commas".into()),
            }
        }
    }
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

[unknown.table]
ignored = true
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
        assert!(one("name = \"a\nfile = \"f\"").contains("never ends"));
        let twice = format!("{HEADER}\n{base}hints = [\"h\"]\ntests = [\"t::\"]\n");
        assert_eq!(
            parse(&twice.repeat(2)).expect_err("twice"),
            "two exercises are named `a`"
        );
    }
}
