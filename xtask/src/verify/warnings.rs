//! Which of the compiler's warnings are about the participant's code: often the one clue to
//! what is missing (an unused `cx` is a waker nobody was given; "method `add_cleanup` is never
//! used", a cleanup nobody handed over).
//!
//! The reference builds without a warning, so every warning in the step's `src/` comes from
//! the bodies of the copy. Those of a body still `todo!()` are expected and left out: a
//! warning inside that function (its unused parameters), an unused import of its file that its
//! reference body uses, and code never used that its reference body uses, or that such unused
//! code uses in turn (a field read only by a method that only the `todo!()` would call).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use super::cargo::Diagnostic;
use crate::exercise::locate;
use crate::exercise::state::Written;
use crate::steps::Step;

/// A body still `todo!()`: its file in the copy (as the compiler names it, from the copy's
/// root), the lines of its function there, and the words of its reference body.
#[derive(Debug)]
struct Todo {
    file: String,
    lines: (usize, usize),
    words: BTreeSet<String>,
}

/// The warnings of `warnings` about the participant's code in the copy at `dir`, in the
/// compiler's order: those in the step's `src/`, but not those its bodies still `todo!()`
/// cause.
pub fn yours(
    step: &Step,
    dir: &Path,
    written: &[Written],
    warnings: &[Diagnostic],
) -> Vec<Diagnostic> {
    let src = format!("{}/src/", step.name);
    let todos: Vec<Todo> = written
        .iter()
        .filter(|w| w.todo)
        .filter_map(|w| todo(step, dir, w))
        .collect();
    let mine: Vec<&Diagnostic> = warnings
        .iter()
        .filter(|w| w.primary.as_deref().is_some_and(|f| f.starts_with(&src)))
        .collect();
    // What the unwritten bodies use, growing with what the code they leave unused uses.
    let mut used: BTreeSet<String> = todos.iter().flat_map(|t| t.words.clone()).collect();
    let mut expected = vec![false; mine.len()];
    loop {
        let mut grew = false;
        for (i, warning) in mine.iter().enumerate() {
            if expected[i] || !caused_by(warning, &todos, &used) {
                continue;
            }
            expected[i] = true;
            grew = true;
            if let (Some(file), Some((line, _))) = (&warning.primary, warning.at) {
                let source = fs::read_to_string(dir.join(file)).unwrap_or_default();
                used.extend(locate::words_of_functions_at(&source, line));
            }
        }
        if !grew {
            break;
        }
    }
    mine.into_iter()
        .zip(expected)
        .filter(|(_, expected)| !expected)
        .map(|(w, _)| w.clone())
        .collect()
}

/// The body of `written`, still `todo!()`, as [`Todo`].
fn todo(step: &Step, dir: &Path, written: &Written) -> Option<Todo> {
    let exercise = &written.exercise;
    let copy = fs::read_to_string(&written.path).ok()?;
    let body = locate::find(&copy, &exercise.item).ok()?;
    let line = |byte: usize| copy[..byte].matches('\n').count() + 1;
    let lines = (line(body.function.start), line(body.function.end));
    let reference = fs::read_to_string(step.dir.join(&exercise.file)).ok()?;
    let found = locate::find(&reference, &exercise.item).ok()?;
    let words = locate::words(found.text(&reference)).ok()?;
    let file = written.path.strip_prefix(dir).ok()?.display().to_string();
    Some(Todo { file, lines, words })
}

/// Whether `warning` is one that the bodies `todos` cause, given the words `used` by them
/// (and by what they leave unused).
fn caused_by(warning: &Diagnostic, todos: &[Todo], used: &BTreeSet<String>) -> bool {
    let (Some(file), Some((line, _))) = (&warning.primary, warning.at) else {
        return false;
    };
    let inside = |t: &Todo| t.file == *file && (t.lines.0..=t.lines.1).contains(&line);
    if todos.iter().any(inside) {
        return true;
    }
    let names = names(&warning.message);
    if names.is_empty() {
        return false;
    }
    // An import is the file's own: only a body of that file can be the one that uses it.
    if warning.message.starts_with("unused import") {
        let words: BTreeSet<&String> = todos
            .iter()
            .filter(|t| t.file == *file)
            .flat_map(|t| &t.words)
            .collect();
        return names.iter().all(|n| words.contains(n));
    }
    let unused = ["never used", "never read", "never constructed"];
    unused.iter().any(|u| warning.message.contains(u)) && names.iter().all(|n| used.contains(n))
}

/// The names a warning quotes, each the last segment of its path: "unused imports: `Loop` and
/// `shared::say`" names `Loop` and `say`.
fn names(message: &str) -> Vec<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|quoted| quoted.rsplit("::").next())
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_names_the_last_segment_of_each_path() {
        assert_eq!(
            names("unused imports: `Loop` and `shared::say`"),
            ["Loop", "say"]
        );
        assert_eq!(
            names("fields `a`, `b`, and `b_output` are never read"),
            ["a", "b", "b_output"]
        );
        assert!(names("variable does not need to be mutable").is_empty());
    }
}
