//! The command line, parsed by hand into a [`Command`].
//!
//! Parsing is pure: steps stay as the strings the user typed (`3`, `03`, `step03`, a crate name)
//! and are resolved later against the steps that exist, so this module needs no file system and
//! its tests need no workspace. Every mistake becomes one [`Error::Usage`] line that says what
//! would have been valid.

use std::time::Duration;

use crate::Error;

/// Printed by `cargo xtask`, `cargo xtask help` and `--help`.
pub const USAGE: &str = "\
cargo xtask: drive the workshop without remembering crate names

usage:
  cargo xtask list                      steps, talk sections, ideas and demos
  cargo xtask diff A B [options]        what step B changes compared to step A
      --stat                            changed files with +/- counts, then a total
      --readme                          compare the READMEs too
      --file PATH                       one file (or directory), e.g. src/lib.rs
      --context N                       lines of context around changes (default 3)
      --color auto|always|never         colour (auto: only on a terminal)
  cargo xtask demo N                    list the demos of step N
  cargo xtask demo N NAME [-- ARGS]     run one demo of step N, with ARGS
  cargo xtask tour [--from N] [--to M]  every headline demo in order, non-interactive
  cargo xtask check [--timeout SECS]    what CI checks: demos, diffs, READMEs
  cargo xtask help                      this text

A step is written 3, 03, step03 or by its crate name (step03-round-robin).
";

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print [`USAGE`].
    Help,
    /// List the steps.
    List,
    /// Diff two steps.
    Diff(DiffArgs),
    /// List (without `name`) or run one demo of a step.
    Demo {
        /// The step, as typed.
        step: String,
        /// The demo to run; `None` lists the step's demos.
        name: Option<String>,
        /// Arguments passed through to the demo.
        args: Vec<String>,
    },
    /// Run every headline demo in order.
    Tour {
        /// First step of the tour, as typed (default: the first step).
        from: Option<String>,
        /// Last step of the tour, as typed (default: the last step).
        to: Option<String>,
    },
    /// Run the workshop checks.
    Check {
        /// How long one demo may run before it counts as hung.
        timeout: Duration,
    },
}

/// The arguments of `cargo xtask diff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffArgs {
    /// The old side, as typed.
    pub old: String,
    /// The new side, as typed.
    pub new: String,
    /// Show changed files with counts instead of the diff itself.
    pub stat: bool,
    /// Compare the READMEs too.
    pub readme: bool,
    /// Restrict the diff to one file or directory, relative to the step.
    pub file: Option<String>,
    /// Lines of context around each change.
    pub context: usize,
    /// When to colour the output.
    pub color: Color,
}

/// When to write ANSI colour codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// Only when stdout is a terminal (and `NO_COLOR` is not set), so pipes get plain text.
    Auto,
    /// Always, e.g. for `| less -R`.
    Always,
    /// Never.
    Never,
}

impl Color {
    /// Decides, given whether stdout is a terminal.
    pub fn enabled(self, stdout_is_terminal: bool) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                stdout_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// The default of `--context`, as in `diff -u` and git.
pub const DEFAULT_CONTEXT: usize = 3;

/// The default of `check --timeout`: demos take a few seconds, so a minute means "hung".
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

const COMMANDS: &str = "list, diff, demo, tour, check, help";
const DIFF_OPTIONS: &str = "--stat, --readme, --file PATH, --context N, --color auto|always|never";

/// Parses the arguments that follow `cargo xtask`.
pub fn parse(args: &[String]) -> Result<Command, Error> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    if rest.iter().any(|a| a == "-h" || a == "--help") && command != "demo" {
        return Ok(Command::Help);
    }
    match command.as_str() {
        "help" | "-h" | "--help" => Ok(Command::Help),
        "list" => parse_list(rest),
        "diff" => parse_diff(rest),
        "demo" => parse_demo(rest),
        "tour" => parse_tour(rest),
        "check" => parse_check(rest),
        other => Err(usage(format!(
            "unknown command '{other}': valid commands are {COMMANDS}"
        ))),
    }
}

fn usage(message: String) -> Error {
    Error::Usage(message)
}

/// Splits `--flag=value` into the flag and its inline value.
fn split_flag(arg: &str) -> (&str, Option<&str>) {
    match arg.split_once('=') {
        Some((flag, value)) if arg.starts_with("--") => (flag, Some(value)),
        _ => (arg, None),
    }
}

/// True for anything that looks like an option rather than a value.
fn is_flag(arg: &str) -> bool {
    arg.starts_with('-') && arg != "-"
}

/// The value of `flag`: inline (`--flag=value`) or the next argument (`--flag value`).
fn value_of<'a>(
    flag: &str,
    inline: Option<&'a str>,
    rest: &mut impl Iterator<Item = &'a String>,
    example: &str,
) -> Result<&'a str, Error> {
    match inline {
        Some(value) => Ok(value),
        None => rest
            .next()
            .map(String::as_str)
            .ok_or_else(|| usage(format!("{flag} needs a value: {flag} {example}"))),
    }
}

/// Refuses `--flag=value` for a flag that takes no value.
fn no_value(flag: &str, inline: Option<&str>) -> Result<(), Error> {
    match inline {
        Some(value) => Err(usage(format!(
            "{flag} takes no value, got '{flag}={value}'"
        ))),
        None => Ok(()),
    }
}

fn parse_list(rest: &[String]) -> Result<Command, Error> {
    match rest.first() {
        None => Ok(Command::List),
        Some(arg) => Err(usage(format!(
            "list takes no arguments, got '{arg}': try `cargo xtask list`"
        ))),
    }
}

fn parse_diff(rest: &[String]) -> Result<Command, Error> {
    let mut steps = Vec::new();
    let mut stat = false;
    let mut readme = false;
    let mut file = None;
    let mut context = DEFAULT_CONTEXT;
    let mut color = Color::Auto;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = split_flag(arg);
        match flag {
            "--stat" => {
                no_value(flag, inline)?;
                stat = true;
            }
            "--readme" => {
                no_value(flag, inline)?;
                readme = true;
            }
            "--file" => file = Some(value_of(flag, inline, &mut args, "PATH")?.to_owned()),
            "--context" | "-U" => {
                let value = value_of(flag, inline, &mut args, "N")?;
                context = value.parse().map_err(|_| {
                    usage(format!(
                        "--context needs a number of lines (0, 1, 2, …), got '{value}'"
                    ))
                })?;
            }
            "--color" | "--colour" => {
                let value = value_of(flag, inline, &mut args, "auto|always|never")?;
                color = match value {
                    "auto" => Color::Auto,
                    "always" => Color::Always,
                    "never" => Color::Never,
                    _ => {
                        return Err(usage(format!(
                            "--color must be auto, always or never, got '{value}'"
                        )));
                    }
                };
            }
            _ if is_flag(arg) => {
                return Err(usage(format!(
                    "unknown option '{arg}' for diff: valid options are {DIFF_OPTIONS}"
                )));
            }
            _ => steps.push(arg.clone()),
        }
    }
    match <[String; 2]>::try_from(steps) {
        Ok([old, new]) => Ok(Command::Diff(DiffArgs {
            old,
            new,
            stat,
            readme,
            file,
            context,
            color,
        })),
        Err(steps) if steps.len() < 2 => Err(usage(
            "diff needs two steps: `cargo xtask diff A B`, e.g. `cargo xtask diff 1 2`".into(),
        )),
        Err(steps) => Err(usage(format!(
            "diff takes two steps, got {}: {}",
            steps.len(),
            quoted(&steps)
        ))),
    }
}

fn parse_demo(rest: &[String]) -> Result<Command, Error> {
    let form = "`cargo xtask demo N` or `cargo xtask demo N NAME [-- ARGS]`";
    let mut args = rest.iter();
    let step = match args.next() {
        Some(arg) if arg == "-h" || arg == "--help" => return Ok(Command::Help),
        Some(arg) if is_flag(arg) => {
            return Err(usage(format!(
                "unknown option '{arg}' for demo: valid forms are {form}"
            )));
        }
        Some(arg) => arg.clone(),
        None => return Err(usage(format!("demo needs a step: {form}"))),
    };
    let name = match args.next() {
        None => None,
        Some(arg) if arg == "--" => {
            return Err(usage(format!("name the demo before its arguments: {form}")));
        }
        Some(arg) if is_flag(arg) => {
            return Err(usage(format!(
                "unknown option '{arg}' for demo: valid forms are {form}"
            )));
        }
        Some(arg) => Some(arg.clone()),
    };
    // Everything after the name goes to the demo; a leading `--` is optional.
    let mut passed: Vec<String> = args.cloned().collect();
    if passed.first().is_some_and(|a| a == "--") {
        passed.remove(0);
    }
    Ok(Command::Demo {
        step,
        name,
        args: passed,
    })
}

fn parse_tour(rest: &[String]) -> Result<Command, Error> {
    let mut from = None;
    let mut to = None;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = split_flag(arg);
        match flag {
            "--from" => from = Some(value_of(flag, inline, &mut args, "N")?.to_owned()),
            "--to" => to = Some(value_of(flag, inline, &mut args, "M")?.to_owned()),
            _ => {
                return Err(usage(format!(
                    "unexpected '{arg}' for tour: valid options are --from N, --to M"
                )));
            }
        }
    }
    Ok(Command::Tour { from, to })
}

fn parse_check(rest: &[String]) -> Result<Command, Error> {
    let mut timeout = DEFAULT_TIMEOUT;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = split_flag(arg);
        match flag {
            "--timeout" => {
                let value = value_of(flag, inline, &mut args, "SECS")?;
                timeout = match value.parse::<u64>() {
                    Ok(secs) if secs > 0 => Duration::from_secs(secs),
                    _ => {
                        return Err(usage(format!(
                            "--timeout needs a whole number of seconds above 0, got '{value}'"
                        )));
                    }
                };
            }
            _ => {
                return Err(usage(format!(
                    "unexpected '{arg}' for check: the only option is --timeout SECS"
                )));
            }
        }
    }
    Ok(Command::Check { timeout })
}

/// `'a', 'b', 'c'`: arguments quoted as the user typed them.
fn quoted(args: &[String]) -> String {
    args.iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(line: &str) -> Result<Command, Error> {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        parse(&args)
    }

    fn diff_args(line: &str) -> DiffArgs {
        match parse_words(line) {
            Ok(Command::Diff(args)) => args,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn no_arguments_is_help() {
        assert_eq!(parse_words(""), Ok(Command::Help));
        assert_eq!(parse_words("help"), Ok(Command::Help));
        assert_eq!(parse_words("diff --help"), Ok(Command::Help));
    }

    #[test]
    fn diff_takes_flags_anywhere_and_both_value_forms() {
        let args = diff_args("diff --stat 3 --context=5 4 --color never --file src/lib.rs");
        assert_eq!((args.old.as_str(), args.new.as_str()), ("3", "4"));
        assert!(args.stat && !args.readme);
        assert_eq!(args.context, 5);
        assert_eq!(args.color, Color::Never);
        assert_eq!(args.file.as_deref(), Some("src/lib.rs"));
        assert_eq!(diff_args("diff 1 2").context, DEFAULT_CONTEXT);
    }

    #[test]
    fn diff_mistakes_are_usage_errors_naming_what_is_valid() {
        for (line, expected) in [
            ("diff 1", "diff needs two steps"),
            ("diff 1 2 3", "diff takes two steps, got 3"),
            ("diff 1 2 --bogus", "valid options are --stat"),
            ("diff 1 2 --context x", "--context needs a number"),
            ("diff 1 2 --context", "--context needs a value"),
            ("diff 1 2 --color sometimes", "auto, always or never"),
            ("diff 1 2 --stat=yes", "--stat takes no value"),
            ("frobnicate", "valid commands are list, diff"),
            ("list 3", "list takes no arguments"),
            ("check --timeout 0", "above 0"),
            ("tour 3", "valid options are --from N, --to M"),
        ] {
            match parse_words(line) {
                Err(Error::Usage(message)) => assert!(message.contains(expected), "{message}"),
                other => panic!("{line}: {other:?}"),
            }
        }
    }

    #[test]
    fn demo_passes_everything_after_the_name_through() {
        assert_eq!(
            parse_words("demo 4 echo_server -- --port 7000"),
            Ok(Command::Demo {
                step: "4".into(),
                name: Some("echo_server".into()),
                args: vec!["--port".into(), "7000".into()],
            })
        );
        assert_eq!(
            parse_words("demo 1 step_by_step --auto"),
            Ok(Command::Demo {
                step: "1".into(),
                name: Some("step_by_step".into()),
                args: vec!["--auto".into()],
            })
        );
        assert!(matches!(parse_words("demo"), Err(Error::Usage(_))));
        assert!(matches!(parse_words("demo 1 -- x"), Err(Error::Usage(_))));
    }
}
