//! `--reset` and `--compare`: start a body again (the participant's version kept aside), or
//! read it beside the reference's once it passes.

use std::fs;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use similar::TextDiff;

use super::copy;
use super::here::Here;
use super::locate;
use super::meta::Exercise;
use super::state::{State, Status, Written};
use crate::steps::Step;
use crate::verify::{existing_copy, wrap};
use crate::{Error, Workspace, print_out};

/// Where the files that a reset changed are kept, from the copy's root: `<time>/src/…`.
pub const BACKUPS: &str = ".workshop/backup";

/// Gives each exercise of `chosen` its fresh `todo!()` body again, after keeping each file it
/// changes under `.workshop/backup/<time>/`, by its path in the step, and starts its hints
/// again. A file that no longer holds the function gets the reference's version back whole,
/// every exercise in it fresh.
pub fn reset(
    ws: &Workspace,
    here: &Here,
    step: &Step,
    exercises: &[Exercise],
    chosen: &[Exercise],
) -> Result<ExitCode, Error> {
    let dir = existing_copy(&ws.root, step)?;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let backup = dir.join(BACKUPS).join(stamp.to_string());
    let mut state = State::load(&dir);
    let mut out = String::new();
    for exercise in chosen {
        let path = dir.join(&step.name).join(&exercise.file);
        let source = fs::read_to_string(&path).unwrap_or_default();
        let (fresh, how) = match copy::fresh(&source, exercise, step.number) {
            Ok(fresh) => (fresh, "its body is a todo!() again"),
            Err(_) => (
                whole_file(step, exercises, &exercise.file)?,
                "the function was not found: the whole file is the reference's again",
            ),
        };
        // A fresh start: its hints start again from the first, the one in the todo!().
        *state.entry(&exercise.name) = Default::default();
        if fresh == source {
            out.push_str(&format!(
                "{}: fresh already; its hints start again from the first\n",
                exercise.name
            ));
            continue;
        }
        let kept = backup.join(&exercise.file);
        if path.exists() {
            copy::write(&kept, &source)?;
        }
        copy::write(&path, &fresh)?;
        let what = format!(
            "{}: {how}; its hints start again from the first",
            exercise.name
        );
        out.push_str(&wrap(&what, ""));
        out.push_str(&wrap(
            &format!("yours is kept in {}", here.show(&kept)),
            "  ",
        ));
    }
    state.save(&dir)?;
    print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// The reference's `file`, with every exercise in it replaced by its `todo!()`.
fn whole_file(step: &Step, exercises: &[Exercise], file: &str) -> Result<String, Error> {
    let path = step.dir.join(file);
    let mut source =
        fs::read_to_string(&path).map_err(|e| Error::Failed(format!("{}: {e}", path.display())))?;
    for exercise in exercises.iter().filter(|e| e.file == file) {
        source = copy::fresh(&source, exercise, step.number)
            .map_err(|e| copy::failed(step, exercise, &e))?;
    }
    Ok(source)
}

/// For each exercise of `chosen`: the reference's body and the participant's, as a diff, if
/// the last `verify` of that body passed (or `force`).
pub fn compare(
    ws: &Workspace,
    here: &Here,
    step: &Step,
    chosen: &[Exercise],
    force: bool,
) -> Result<ExitCode, Error> {
    let dir = existing_copy(&ws.root, step)?;
    let state = State::load(&dir);
    let mut out = String::new();
    for exercise in chosen {
        let written = Written::read(&dir, step, exercise);
        let title = format!(
            "`{}` ({} in {})",
            exercise.name,
            exercise.item,
            here.show(&written.path)
        );
        let yours = match (&written.body, written.status(&state)) {
            (Err(why), _) => {
                out.push_str(&wrap(&format!("{title}: not in your copy: {why}"), ""));
                continue;
            }
            (Ok(body), Status::Done) => body,
            (Ok(body), _) if force => body,
            (Ok(_), status) => {
                let why = match status {
                    Status::Todo => "still todo!()",
                    _ => "not verified as done",
                };
                let text = format!(
                    "{title}: {why} (cargo xtask verify {} first, or --force)",
                    step.number
                );
                out.push_str(&wrap(&text, ""));
                continue;
            }
        };
        let reference = reference_body(step, exercise)?;
        out.push_str(&wrap(&title, ""));
        out.push_str(&body_diff(&reference, yours));
    }
    print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// The reference's body of `exercise`.
pub fn reference_body(step: &Step, exercise: &Exercise) -> Result<String, Error> {
    let path = step.dir.join(&exercise.file);
    let source =
        fs::read_to_string(&path).map_err(|e| Error::Failed(format!("{}: {e}", path.display())))?;
    let body =
        locate::find(&source, &exercise.item).map_err(|e| copy::failed(step, exercise, &e))?;
    Ok(body.dedented(&source))
}

/// Two bodies as a unified diff, whole (they are short): `-` the reference, `+` yours.
pub fn body_diff(reference: &str, yours: &str) -> String {
    if reference.trim() == yours.trim() {
        return "  the same as the reference, to the letter\n".into();
    }
    let (reference, yours) = (format!("{reference}\n"), format!("{yours}\n"));
    let diff = TextDiff::from_lines(&reference, &yours);
    let text = diff
        .unified_diff()
        .context_radius(1000)
        .header("reference", "yours")
        .to_string();
    text + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_diff_shows_both_whole() {
        let reference = "{\n    let a = 1;\n    a + 1\n}";
        let yours = "{\n    let a = 1;\n    1 + a\n}";
        let diff = body_diff(reference, yours);
        assert!(diff.starts_with("--- reference\n+++ yours\n@@"), "{diff}");
        assert!(
            diff.contains("\n     let a = 1;\n-    a + 1\n+    1 + a\n }\n"),
            "{diff}"
        );
        assert_eq!(
            body_diff(reference, reference),
            "  the same as the reference, to the letter\n"
        );
    }
}
