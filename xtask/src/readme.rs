//! The sections every step README must have.
//!
//! A participant who opens any step alone finds the same guide in the same places: which part
//! of the talk it follows, the Python ↔ Rust table, what changed since the previous step, how to
//! run the demos, and things to try. `step01-coroutines/README.md` is the model.

use std::fs;

use crate::steps::Step;

/// One required part of a README and how to recognise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// How a line of the README starts when the section is there.
    pub line_start: &'static str,
}

/// The required sections, in the order a README presents them.
pub const SECTIONS: &[Section] = &[
    Section {
        line_start: "**Talk section:**",
    },
    Section {
        line_start: "## Python ↔ Rust",
    },
    Section {
        line_start: "## What changed",
    },
    Section {
        line_start: "## Demos",
    },
    Section {
        line_start: "## Things to try",
    },
];

/// The sections missing from a README's text. A heading counts when a line is the heading,
/// possibly followed by more words (`## Demos (all of them)`), so that `## Demos2` does not.
pub fn missing_sections(text: &str) -> Vec<&'static str> {
    SECTIONS
        .iter()
        .filter(|section| {
            !text.lines().any(|line| {
                line.strip_prefix(section.line_start).is_some_and(|rest| {
                    section.line_start.ends_with(':')
                        || rest.is_empty()
                        || rest.starts_with(char::is_whitespace)
                })
            })
        })
        .map(|section| section.line_start)
        .collect()
}

/// What is wrong with a step's README, one line per problem, naming the file.
pub fn problems(step: &Step) -> Vec<String> {
    let file = format!("{}/README.md", step.name);
    match fs::read_to_string(step.dir.join("README.md")) {
        Err(_) => vec![format!("{file}: missing")],
        Ok(text) => missing_sections(&text)
            .into_iter()
            .map(|section| format!("{file}: no `{section}` section"))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_readme_misses_nothing() {
        let text = "# Step\n\n**Talk section:** §2.\n\n## Python ↔ Rust\n\n## What changed\n\n\
                    ## Demos\n\n## Things to try\n";
        assert_eq!(missing_sections(text), Vec::<&str>::new());
    }

    #[test]
    fn missing_and_lookalike_sections_are_reported() {
        let text = "Talk section: §2\n## Python <-> Rust\n## What changed\n## Demos2\n";
        assert_eq!(
            missing_sections(text),
            [
                "**Talk section:**",
                "## Python ↔ Rust",
                "## Demos",
                "## Things to try"
            ]
        );
    }
}
