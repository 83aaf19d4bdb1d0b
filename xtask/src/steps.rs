//! Which steps exist, and what the talk says about each.
//!
//! A step is a directory `stepNN-name` at the workspace root; its crate has the same name. The
//! directory cannot say which talk section it follows, what its one idea is or which demo shows
//! that idea best, so [`TABLE`] does. A table entry whose directory does not exist yet is a
//! future step and is skipped everywhere; a directory without a table entry is reported by
//! `cargo xtask check` (see [`problems`]).

use std::fs;
use std::path::{Path, PathBuf};

use crate::{Error, readme};

/// What the talk says about one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepInfo {
    /// The step number, `NN` in the directory name.
    pub number: u32,
    /// The directory and crate name.
    pub crate_name: &'static str,
    /// The talk section(s) the step follows.
    pub section: &'static str,
    /// The one idea the step adds, in one line.
    pub idea: &'static str,
    /// The demo that shows the idea best: the one `cargo xtask tour` runs.
    pub headline: &'static str,
}

/// Every step of the workshop, written or not yet.
pub const TABLE: &[StepInfo] = &[
    StepInfo {
        number: 1,
        crate_name: "step01-coroutines",
        section: "§2 Un monde de coroutines",
        idea: "an async fn builds a state machine that runs only when polled",
        headline: "step_by_step",
    },
    StepInfo {
        number: 2,
        crate_name: "step02-awaitables",
        section: "§3 Attendez-moi !",
        idea: "anything that implements Future can be awaited",
        headline: "waiter_sync",
    },
    StepInfo {
        number: 3,
        crate_name: "step03-round-robin",
        section: "§4.1–4.11 Boucle d'or et les trois tâches",
        idea: "an event loop is a queue of tasks polled in turn",
        headline: "two_tasks",
    },
    StepInfo {
        number: 4,
        crate_name: "step04-sockets",
        section: "§4.12–4.17 utilitaires réseau",
        idea: "a socket that is not ready yields to the loop and retries later",
        headline: "reverse_echo",
    },
    StepInfo {
        number: 5,
        crate_name: "step05-futures-timers",
        section: "§5 No Future",
        idea: "a task waiting for something not ready is woken, not polled",
        headline: "sleep_many",
    },
    StepInfo {
        number: 6,
        crate_name: "step06-async-iter-ctx",
        section: "§6 Et pour quelques outils de plus",
        idea: "async iteration and async scopes from the same loop and futures",
        headline: "async_with_server",
    },
];

/// One step directory that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `NN` from the directory name.
    pub number: u32,
    /// The directory name, which is also the crate name (`step03-round-robin`).
    pub name: String,
    /// The directory.
    pub dir: PathBuf,
    /// The table entry with this exact name, if any.
    pub info: Option<&'static StepInfo>,
}

impl Step {
    /// The name as Rust code spells it (`step03_round_robin`).
    pub fn lib_name(&self) -> String {
        self.name.replace('-', "_")
    }

    /// The demos: the `*.rs` files of `examples/`, without extension, sorted.
    pub fn demos(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(self.dir.join("examples")) else {
            return Vec::new();
        };
        let mut demos: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.path().is_file())
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                name.strip_suffix(".rs").map(str::to_owned)
            })
            .collect();
        demos.sort();
        demos
    }

    /// The demos with the headline first, as a participant should meet them.
    pub fn demos_headline_first(&self) -> Vec<String> {
        let mut demos = self.demos();
        if let Some(info) = self.info {
            if let Some(at) = demos.iter().position(|d| d == info.headline) {
                let headline = demos.remove(at);
                demos.insert(0, headline);
            }
        }
        demos
    }

    /// `step 3 (step03-round-robin)`: how messages name a step.
    pub fn label(&self) -> String {
        format!("step {} ({})", self.number, self.name)
    }
}

/// The step number in a directory name `stepNN-name`, or `None` if it is not a step.
pub fn number_of(dir_name: &str) -> Option<u32> {
    let rest = dir_name.strip_prefix("step")?;
    let digits = rest.get(..2)?;
    let name = rest.get(2..)?.strip_prefix('-')?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || name.is_empty() {
        return None;
    }
    digits.parse().ok()
}

/// The steps under `root`, sorted by number (then name, so duplicates show up side by side).
pub fn discover(root: &Path) -> Result<Vec<Step>, Error> {
    let entries = fs::read_dir(root)
        .map_err(|e| Error::Failed(format!("cannot read {}: {e}", root.display())))?;
    let mut steps: Vec<Step> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let number = number_of(&name)?;
            let info = TABLE.iter().find(|info| info.crate_name == name);
            Some(Step {
                number,
                name,
                dir: entry.path(),
                info,
            })
        })
        .collect();
    steps.sort_by(|a, b| (a.number, &a.name).cmp(&(b.number, &b.name)));
    Ok(steps)
}

/// `1, 2, 3`: the valid step numbers, for error messages.
pub fn valid_numbers(steps: &[Step]) -> String {
    let mut numbers: Vec<String> = steps.iter().map(|s| s.number.to_string()).collect();
    numbers.dedup();
    numbers.join(", ")
}

/// Resolves a step as the user typed it: `3`, `03`, `step03`, `step3`, or the crate name in
/// either spelling (`step03-round-robin`, `step03_round_robin`).
pub fn find<'a>(steps: &'a [Step], spec: &str) -> Result<&'a Step, Error> {
    if steps.is_empty() {
        return Err(Error::Failed(
            "no step directories (stepNN-name) in the workspace".into(),
        ));
    }
    let by_name = steps
        .iter()
        .find(|s| s.name == spec || s.lib_name() == spec);
    if let Some(step) = by_name {
        return Ok(step);
    }
    let digits = spec.strip_prefix("step").unwrap_or(spec);
    let number = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<u32>().ok()
    } else {
        None
    };
    let matching: Vec<&Step> = match number {
        Some(n) => steps.iter().filter(|s| s.number == n).collect(),
        None => Vec::new(),
    };
    match matching.as_slice() {
        [step] => Ok(step),
        [] => {
            let future = number
                .and_then(|n| TABLE.iter().find(|info| info.number == n))
                .map(|info| format!(" ({} is not written yet)", info.crate_name))
                .unwrap_or_default();
            Err(Error::Usage(format!(
                "unknown step '{spec}': valid steps are {}{future}",
                valid_numbers(steps)
            )))
        }
        several => Err(Error::Usage(format!(
            "step '{spec}' is ambiguous: {}; name the crate instead",
            several
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The text of `cargo xtask list`.
pub fn list(steps: &[Step]) -> String {
    let width = steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let (section, idea) = match step.info {
            Some(info) => (info.section, info.idea),
            None => ("(no entry in the xtask step table)", "?"),
        };
        out.push_str(&format!(
            "{:>2}  {:<width$}  {section}\n",
            step.number, step.name
        ));
        out.push_str(&format!("    idea:  {idea}\n"));
        let demos: Vec<String> = step
            .demos_headline_first()
            .into_iter()
            .map(|demo| match step.info {
                Some(info) if info.headline == demo => format!("{demo} (headline)"),
                _ => demo,
            })
            .collect();
        let demos = if demos.is_empty() {
            "(none)".to_owned()
        } else {
            demos.join(", ")
        };
        out.push_str(&format!("    demos: {demos}\n"));
    }
    out
}

/// Everything wrong with the steps as a repository, one line each, naming the file or directory:
/// a missing table entry, headline demo, `src/`, crate name or workspace membership, duplicate
/// numbers, and missing README sections. Empty means all is well.
pub fn problems(root: &Path, steps: &[Step]) -> Vec<String> {
    let mut problems = Vec::new();
    let workspace_manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    for pair in steps.windows(2) {
        if pair[0].number == pair[1].number {
            problems.push(format!(
                "{} and {}: two steps with number {}",
                pair[0].name, pair[1].name, pair[0].number
            ));
        }
    }
    for step in steps {
        let name = &step.name;
        match step.info {
            None => {
                let expected = TABLE
                    .iter()
                    .find(|info| info.number == step.number)
                    .map(|info| format!(" (the table expects {})", info.crate_name))
                    .unwrap_or_default();
                problems.push(format!(
                    "{name}: no entry in the step table of xtask/src/steps.rs{expected}"
                ));
            }
            Some(info) => {
                if !step.demos().iter().any(|demo| demo == info.headline) {
                    problems.push(format!(
                        "{name}/examples/{}.rs: missing, but it is the step's headline demo",
                        info.headline
                    ));
                }
            }
        }
        if !step.dir.join("src").is_dir() {
            problems.push(format!("{name}/src/: missing"));
        }
        match fs::read_to_string(step.dir.join("Cargo.toml")) {
            Err(_) => problems.push(format!("{name}/Cargo.toml: missing")),
            Ok(manifest) => {
                let declared = manifest
                    .lines()
                    .any(|line| line.replace(' ', "") == format!("name=\"{name}\""));
                if !declared {
                    problems.push(format!(
                        "{name}/Cargo.toml: the package must be named \"{name}\", like its directory"
                    ));
                }
            }
        }
        if !workspace_manifest.contains(&format!("\"{name}\"")) {
            problems.push(format!(
                "Cargo.toml: \"{name}\" is not in the workspace members"
            ));
        }
        problems.extend(readme::problems(step));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(number: u32, name: &str) -> Step {
        Step {
            number,
            name: name.into(),
            dir: PathBuf::from(name),
            info: TABLE.iter().find(|info| info.crate_name == name),
        }
    }

    #[test]
    fn directory_names() {
        assert_eq!(number_of("step03-round-robin"), Some(3));
        assert_eq!(number_of("step12-x"), Some(12));
        for not_a_step in [
            "step03", "step03-", "step3-x", "stepxy-z", "shared", "xtask",
        ] {
            assert_eq!(number_of(not_a_step), None, "{not_a_step}");
        }
    }

    #[test]
    fn a_step_can_be_named_many_ways() {
        let steps = [step(1, "step01-coroutines"), step(3, "step03-round-robin")];
        for spec in [
            "3",
            "03",
            "step03",
            "step3",
            "step03-round-robin",
            "step03_round_robin",
        ] {
            assert_eq!(find(&steps, spec).map(|s| s.number), Ok(3), "{spec}");
        }
    }

    #[test]
    fn an_unknown_step_names_the_valid_ones() {
        let steps = [step(1, "step01-coroutines"), step(2, "step02-awaitables")];
        assert_eq!(
            find(&steps, "9"),
            Err(Error::Usage(
                "unknown step '9': valid steps are 1, 2".into()
            ))
        );
        assert_eq!(
            find(&steps, "4"),
            Err(Error::Usage(
                "unknown step '4': valid steps are 1, 2 (step04-sockets is not written yet)".into()
            ))
        );
        assert!(matches!(find(&steps, "x"), Err(Error::Usage(_))));
    }

    #[test]
    fn the_table_is_in_order_and_names_match_numbers() {
        for (i, info) in TABLE.iter().enumerate() {
            assert_eq!(info.number as usize, i + 1);
            assert_eq!(number_of(info.crate_name), Some(info.number));
        }
    }
}
