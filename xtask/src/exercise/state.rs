//! Where a participant is: read from the copy itself (is a body still `todo!()`?) and from a
//! small state file that `verify` and `hint` write, `.workshop/state` in the copy.
//!
//! One line per exercise, keyed by its stable name: `timers hints=2 verified=done:1f2e…`, and
//! `failing=timers::every_due_timer` when its last `verify` failed.
//! `verified` is what the last `verify` said of the body, and a fingerprint of that body: once
//! the body changes, that verdict no longer holds. Unknown names and keys are ignored, so a
//! `git pull` that renames or adds an exercise never breaks a copy.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use super::copy;
use super::locate;
use super::meta::Exercise;
use crate::Error;
use crate::steps::Step;

/// The state file, from the copy's root.
pub const FILE: &str = ".workshop/state";

/// What is known of one exercise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// How many hints the participant has seen (the `todo!()` shows the first).
    pub hints: usize,
    /// What the last `verify` said, and the fingerprint of the body it said it of.
    pub verified: Option<(Verdict, String)>,
    /// The test that explained its failure best at the last `verify` (`target::name`), if it
    /// failed.
    pub failing: Option<String>,
}

/// What `verify` concluded about a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Its tests passed.
    Done,
    /// A test of it failed.
    Failing,
}

/// The state of every exercise of one copy, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// Entries by exercise name, including names the step no longer has.
    pub entries: BTreeMap<String, Entry>,
}

impl State {
    /// Reads the state of the copy at `dir` (empty if it has none yet).
    pub fn load(dir: &Path) -> State {
        let text = fs::read_to_string(dir.join(FILE)).unwrap_or_default();
        State::parse(&text)
    }

    /// Reads the text of a state file, skipping whatever it does not understand.
    pub fn parse(text: &str) -> State {
        let mut entries = BTreeMap::new();
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let Some(name) = words.next() else { continue };
            let mut entry = Entry::default();
            for word in words {
                match word.split_once('=') {
                    Some(("hints", n)) => entry.hints = n.parse().unwrap_or(0),
                    Some(("failing", test)) => entry.failing = Some(test.to_owned()),
                    Some(("verified", value)) => {
                        entry.verified = match value.split_once(':') {
                            Some(("done", print)) => Some((Verdict::Done, print.into())),
                            Some(("failing", print)) => Some((Verdict::Failing, print.into())),
                            _ => None,
                        }
                    }
                    _ => {}
                }
            }
            entries.insert(name.to_owned(), entry);
        }
        State { entries }
    }

    /// Writes the state file of the copy at `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        let mut text = String::new();
        for (name, entry) in &self.entries {
            let _ = write!(text, "{name} hints={}", entry.hints);
            if let Some((verdict, print)) = &entry.verified {
                let verdict = match verdict {
                    Verdict::Done => "done",
                    Verdict::Failing => "failing",
                };
                let _ = write!(text, " verified={verdict}:{print}");
            }
            if let Some(test) = &entry.failing {
                let _ = write!(text, " failing={test}");
            }
            text.push('\n');
        }
        copy::write(&dir.join(FILE), &text)
    }

    /// The entry of `name`, made if missing.
    pub fn entry(&mut self, name: &str) -> &mut Entry {
        self.entries.entry(name.to_owned()).or_default()
    }
}

/// Where an exercise stands, as far as the copy's files and the state file tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Its body still holds a `todo!()`.
    Todo,
    /// Written, and the last `verify` of this very body passed its tests.
    Done,
    /// Written, and the last `verify` of this very body failed.
    Failing,
    /// Written since the last `verify`.
    Unverified,
    /// The copy's file does not hold the function any more (the error says why).
    Missing(String),
}

/// One exercise of a copy: its body as written there now.
#[derive(Debug, Clone)]
pub struct Written {
    /// The exercise.
    pub exercise: Exercise,
    /// The copy's file that holds it.
    pub path: PathBuf,
    /// The text of the body (braces included, moved left by the function's indentation), or
    /// why it cannot be found.
    pub body: Result<String, String>,
    /// Whether that body still holds a `todo!()`.
    pub todo: bool,
}

impl Written {
    /// Reads the body of `exercise` in the copy `dir` of `step`.
    pub fn read(dir: &Path, step: &Step, exercise: &Exercise) -> Written {
        let path = dir.join(&step.name).join(&exercise.file);
        let source = fs::read_to_string(&path).map_err(|e| format!("cannot read it: {e}"));
        let found = source.and_then(|source| {
            let body = locate::find(&source, &exercise.item)?;
            Ok((body.dedented(&source), body.is_todo(&source)))
        });
        Written {
            exercise: exercise.clone(),
            path,
            todo: found.as_ref().is_ok_and(|(_, todo)| *todo),
            body: found.map(|(text, _)| text),
        }
    }

    /// A fingerprint of the body, to tell whether it changed since it was verified.
    pub fn fingerprint(&self) -> String {
        fingerprint(self.body.as_deref().unwrap_or_default())
    }

    /// Where it stands, given what the state file remembers.
    pub fn status(&self, state: &State) -> Status {
        if let Err(why) = &self.body {
            return Status::Missing(why.clone());
        }
        if self.todo {
            return Status::Todo;
        }
        let verified = state
            .entries
            .get(&self.exercise.name)
            .and_then(|entry| entry.verified.as_ref());
        match verified {
            Some((verdict, print)) if *print == self.fingerprint() => match verdict {
                Verdict::Done => Status::Done,
                Verdict::Failing => Status::Failing,
            },
            _ => Status::Unverified,
        }
    }
}

/// Every exercise of the copy `dir`, in order.
pub fn written(dir: &Path, step: &Step, exercises: &[Exercise]) -> Vec<Written> {
    exercises
        .iter()
        .map(|exercise| Written::read(dir, step, exercise))
        .collect()
}

/// FNV-1a of the text with its blanks left out (reformatting is no change), in hex: stable
/// across Rust versions, unlike `DefaultHasher`.
pub fn fingerprint(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_file_reads_back_and_ignores_what_it_does_not_know() {
        let mut state = State::default();
        state.entry("timers").hints = 2;
        state.entry("sleep").verified = Some((Verdict::Done, fingerprint("{ x }")));
        let text = "sleep hints=0 verified=done:".to_owned() + &fingerprint("{ x }") + "\n";
        let text = text + "timers hints=2\n";
        assert_eq!(State::parse(&text), state);
        let odd = "gone hints=x colour=blue\n\ntimers hints=3 verified=maybe:1\n";
        let odd = State::parse(odd);
        assert_eq!(odd.entries["timers"].hints, 3);
        assert_eq!(odd.entries["timers"].verified, None);
        assert_eq!(odd.entries["gone"], Entry::default());
    }

    #[test]
    fn reformatting_a_body_keeps_its_fingerprint() {
        assert_eq!(fingerprint("{\n    a + b\n}"), fingerprint("{ a+b }"));
        assert_ne!(fingerprint("{ a + b }"), fingerprint("{ a - b }"));
    }
}
