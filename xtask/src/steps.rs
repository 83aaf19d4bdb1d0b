//! Which steps exist, and what their `Cargo.toml` says about them.
//!
//! A step is a directory `stepNN-name` at the workspace root that holds a `Cargo.toml`; its crate
//! has the same name. What a directory cannot say (the talk section, the one idea, the headline
//! and talk demos, the diff budget) its manifest says under `[package.metadata.workshop]`: the
//! one place `list`, `tour`, `check` and the root README's table take them from.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::Error;

/// The manifest table that describes a step for the workshop.
pub const WORKSHOP: &str = "[package.metadata.workshop]";

/// One step directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `NN` from the directory name.
    pub number: u32,
    /// The directory name, which should also be the crate name (`step03-round-robin`).
    pub name: String,
    /// The directory.
    pub dir: PathBuf,
    /// `[package]` of its `Cargo.toml`, to check the crate name against the directory.
    pub package: BTreeMap<String, String>,
    /// `[package.metadata.workshop]` of its `Cargo.toml`: `section`, `idea`, `headline`, …
    pub workshop: BTreeMap<String, String>,
}

impl Step {
    /// The name as Rust code spells it (`step03_round_robin`).
    pub fn lib_name(&self) -> String {
        self.name.replace('-', "_")
    }

    /// `step 3 (step03-round-robin)`: how messages name a step.
    pub fn label(&self) -> String {
        format!("step {} ({})", self.number, self.name)
    }

    /// One value of `[package.metadata.workshop]`, if the manifest has it.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.workshop.get(key).map(String::as_str)
    }

    /// The most lines the default view of `cargo xtask diff N-1 N` may have.
    pub fn diff_budget(&self) -> Option<usize> {
        self.meta("diff-budget")?.parse().ok()
    }

    /// `talk` or `headline` for those two demos, so that lists can mark them.
    pub fn role(&self, demo: &str) -> Option<&'static str> {
        if self.meta("talk-demo") == Some(demo) {
            Some("talk")
        } else if self.meta("headline") == Some(demo) {
            Some("headline")
        } else {
            None
        }
    }

    /// The demos (`examples/*.rs`) as a participant should meet them: the talk's own demo
    /// first, then the headline demo, then the others in alphabetical order.
    pub fn demos(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(self.dir.join("examples")) else {
            return Vec::new();
        };
        let mut demos: Vec<String> = entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".rs").map(str::to_owned))
            .collect();
        demos.sort_by_key(|demo| {
            (
                self.role(demo) != Some("talk"),
                self.role(demo).is_none(),
                demo.clone(),
            )
        });
        demos
    }
}

/// The keys of one `[table]` of a manifest (`header` written as in the file, dotted:
/// `[package.metadata.workshop]`), each value as text: a string as it reads, anything else
/// (`500`, `true`) as TOML writes it. Read with the `toml` crate; a manifest that does not parse,
/// or has no such table, gives an empty one (`cargo` itself reports a broken manifest).
pub fn manifest_table(manifest: &str, header: &str) -> BTreeMap<String, String> {
    let Ok(root) = manifest.parse::<toml::Table>() else {
        return BTreeMap::new();
    };
    let path = header.trim_start_matches('[').trim_end_matches(']');
    let mut table = Some(&root);
    for key in path.split('.') {
        table = table
            .and_then(|t| t.get(key.trim()))
            .and_then(toml::Value::as_table);
    }
    table
        .into_iter()
        .flatten()
        .map(|(key, value)| (key.clone(), text(value)))
        .collect()
}

/// A value as text: a string as it reads, a number or a flag as written, an array's items
/// between brackets.
fn text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => text.clone(),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(x) => x.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(at) => at.to_string(),
        toml::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(text).collect();
            format!("[{}]", items.join(", "))
        }
        toml::Value::Table(table) => format!("{{{} keys}}", table.len()),
    }
}

/// The step number in a directory name `stepNN-name`, or `None` if it is not a step.
pub fn number_of(dir_name: &str) -> Option<u32> {
    let rest = dir_name.strip_prefix("step")?;
    let (digits, name) = (rest.get(..2)?, rest.get(2..)?.strip_prefix('-')?);
    let valid = digits.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty();
    valid.then(|| digits.parse().ok()).flatten()
}

/// The steps under `root`, sorted by number (then name, so duplicates show up side by side).
pub fn discover(root: &Path) -> Result<Vec<Step>, Error> {
    let entries = fs::read_dir(root)
        .map_err(|e| Error::Failed(format!("cannot read {}: {e}", root.display())))?;
    let mut steps: Vec<Step> = entries
        .filter_map(|entry| {
            let dir = entry.ok()?.path();
            let name = dir.file_name()?.to_str()?.to_owned();
            let number = number_of(&name)?;
            let manifest = fs::read_to_string(dir.join("Cargo.toml")).ok()?;
            Some(Step {
                number,
                name,
                dir,
                package: manifest_table(&manifest, "[package]"),
                workshop: manifest_table(&manifest, WORKSHOP),
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
    if let Some(step) = steps
        .iter()
        .find(|s| s.name == spec || s.lib_name() == spec)
    {
        return Ok(step);
    }
    let digits = spec.strip_prefix("step").unwrap_or(spec);
    let number = digits
        .parse::<u32>()
        .ok()
        .filter(|_| !digits.starts_with('+'));
    let matching: Vec<&Step> = steps.iter().filter(|s| Some(s.number) == number).collect();
    match matching.as_slice() {
        [step] => Ok(step),
        [] => Err(Error::Usage(format!(
            "unknown step '{spec}': valid steps are {}",
            valid_numbers(steps)
        ))),
        [first, second, ..] => Err(Error::Usage(format!(
            "step '{spec}' is ambiguous ({} and {}): name the crate instead",
            first.name, second.name
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(number: u32, name: &str) -> Step {
        let manifest = "[package]\nname = \"x\"\n\n[package.metadata.workshop]\n\
                        # a comment\nheadline = \"b\"\ntalk-demo = \"c\"\ndiff-budget = 7\n\n[lints]\n";
        Step {
            number,
            name: name.into(),
            dir: PathBuf::from(name),
            package: manifest_table(manifest, "[package]"),
            workshop: manifest_table(manifest, WORKSHOP),
        }
    }

    #[test]
    fn the_manifest_reader_reads_one_table() {
        let step = step(1, "step01-x");
        assert_eq!(step.package.get("name").map(String::as_str), Some("x"));
        assert_eq!(step.meta("talk-demo"), Some("c"));
        assert_eq!(step.diff_budget(), Some(7));
        assert_eq!(step.workshop.len(), 3, "{:?}", step.workshop);
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
        let unknown = "unknown step '9': valid steps are 1, 3";
        assert_eq!(find(&steps, "9"), Err(Error::Usage(unknown.into())));
        assert!(matches!(find(&steps, "+3"), Err(Error::Usage(_))));
    }
}
