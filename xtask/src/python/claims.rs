//! Claims as code: what a step README says Python does is checked by running Python.
//!
//! Each step's `python/claims.py` holds one small function per claim; run, it prints
//! `ok    NAME` or `FAIL  NAME: what Python did instead` for each, and exits 1 if one failed.
//! A README row names its check as a link, ``[`NAME`](python/claims.py)``. `cargo xtask check`
//! runs the file and reports each claim, and fails on a name the README cites that the file
//! does not check, or a check that no README line cites.

use std::fs;
use std::time::Duration;

use super::{FOLDER, PYTHON};
use crate::demo::{self, Outcome};
use crate::steps::Step;
use crate::{Error, Workspace};

/// The file of a step's claims, in its `python/` folder.
pub const FILE: &str = "claims.py";

/// What follows a claim's name in a README link.
fn link_target() -> String {
    format!("`]({FOLDER}/{FILE})")
}

/// The claim names a README cites, in order.
pub fn cited(readme: &str) -> Vec<String> {
    let target = link_target();
    let mut names = Vec::new();
    for (at, _) in readme.match_indices(&target) {
        let before = &readme[..at];
        if let Some(start) = before.rfind("[`") {
            let name = &before[start + 2..];
            if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// One claim's outcome, as `claims.py` printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The claim's name, its function's.
    pub name: String,
    /// `None` when it held; else what Python did instead.
    pub failure: Option<String>,
}

/// The outcomes in `claims.py`'s output; lines of any other shape are left out.
pub fn outcomes(output: &[String]) -> Vec<Claim> {
    output
        .iter()
        .filter_map(|line| {
            if let Some(name) = line.strip_prefix("ok ") {
                return Some(Claim {
                    name: name.trim().to_owned(),
                    failure: None,
                });
            }
            let (name, why) = line.strip_prefix("FAIL ")?.split_once(": ")?;
            Some(Claim {
                name: name.trim().to_owned(),
                failure: Some(why.to_owned()),
            })
        })
        .collect()
}

/// Runs a step's claims (if it has any) and hands each outcome to `each`.
pub fn check(
    ws: &Workspace,
    step: &Step,
    limit: Duration,
    each: &mut impl FnMut(Result<String, String>) -> Result<(), Error>,
) -> Result<(), Error> {
    let file = step.dir.join(FOLDER).join(FILE);
    if !file.is_file() {
        return Ok(());
    }
    let label = format!("{}/{FOLDER}/{FILE}", step.name);
    let logs = ws.target.clone().join("xtask-python").join(&step.name);
    let args = ["-B".to_owned(), file.display().to_string()];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let python = std::path::Path::new(PYTHON);
    let run = demo::run_with_limit(&ws.root, python, &args, &logs, "claims", limit)
        .map_err(Error::Failed)?;
    let found = outcomes(&demo::lines(&run.stdout));
    if run.outcome == Outcome::TimedOut || found.is_empty() {
        let last = demo::tail(&run.stderr, 1).join("");
        return each(Err(format!("{label}: did not run its claims ({last})")));
    }
    for outcome in &found {
        let what = format!("{label}: {}", outcome.name);
        match &outcome.failure {
            None => each(Ok(what))?,
            Some(why) => each(Err(format!("{what}: {why}")))?,
        }
    }
    if let Outcome::Failed(status) = &run.outcome {
        if found.iter().all(|o| o.failure.is_none()) {
            let last = demo::tail(&run.stderr, 1).join("");
            each(Err(format!("{label}: {status} ({last})")))?;
        }
    }
    let readme = fs::read_to_string(step.dir.join("README.md")).unwrap_or_default();
    let names = cited(&readme);
    for name in names
        .iter()
        .filter(|n| !found.iter().any(|o| &o.name == *n))
    {
        each(Err(format!(
            "{}/README.md cites the claim `{name}`, which {label} does not check",
            step.name
        )))?;
    }
    for outcome in found.iter().filter(|o| !names.contains(&o.name)) {
        each(Err(format!(
            "{label}: `{}` is checked, but the README cites it nowhere",
            outcome.name
        )))?;
    }
    Ok(())
}
