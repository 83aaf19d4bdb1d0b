//! How a test failed, each kind in its own words: a wrong value, a panic, a panic with another
//! message than expected, a missing panic, a hang (busy or asleep), a crash.

use std::fs;
use std::path::Path;
use std::process::ExitStatus;
use std::time::Duration;

use syn::{Expr, ExprLit, ImplItem, Item, Lit};

/// Why a test failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// An assertion failed (`assert!`, `assert_eq!`, …): the code gave a wrong result.
    Assertion(Panic),
    /// It panicked, but not on an assertion: an `unwrap()` on `None`, an index out of bounds,
    /// a `todo!()`, a `panic!` of the code.
    Panicked(Panic),
    /// A `#[should_panic(expected = …)]` test panicked, with another message.
    WrongPanic {
        /// The message it panicked with, as libtest quotes it.
        got: String,
        /// What the message should have held, as libtest quotes it.
        expected: String,
    },
    /// A `#[should_panic]` test did not panic.
    NoPanic {
        /// Where the test is (`tests/x.rs:12:8`, from the package's directory).
        at: Option<String>,
        /// The message it expects, when its attribute names one.
        expected: Option<String>,
    },
    /// It was still running at the time limit, and was stopped.
    Hung {
        /// The limit.
        after: Duration,
        /// Whether its thread was busy (a loop that never ends) or asleep (a wait for something
        /// that never comes), when that could be seen.
        busy: Option<bool>,
    },
    /// The test process died under it: a signal, an abort.
    Crashed {
        /// How the process ended (`killed by signal 11 (SIGSEGV)`).
        how: String,
        /// The panic it printed before, if any.
        panic: Option<Panic>,
    },
    /// It failed without a word.
    Silent,
}

/// A panic, as libtest prints it: where, and its message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Panic {
    /// `file:line:col`, as the panic says it (from the package's directory, or the standard
    /// library's path).
    pub at: String,
    /// The message, its lines as printed.
    pub message: String,
    /// The panics printed before this one, which did not end the test: caught by the test
    /// (`catch_unwind`, a loop that stops on a task's panic) or in another thread. Often on
    /// purpose ("the body fails"), sometimes the cause (a thread's panic, then its `join`).
    pub earlier: Vec<Panic>,
}

impl Panic {
    /// A panic at `at` with `message`, none before it.
    pub fn new(at: &str, message: &str) -> Panic {
        Panic {
            at: at.to_owned(),
            message: message.to_owned(),
            earlier: Vec::new(),
        }
    }

    /// The first panic in `text`: its `thread '…' panicked at FILE:LINE:COL:` line, then its
    /// message, up to a blank line or a `note:`.
    pub fn first(text: &str) -> Option<Panic> {
        Panic::all(text).into_iter().next()
    }

    /// The panic that ended a test, from its output `text`: the last one printed, with those
    /// before it as [`Panic::earlier`].
    pub fn ending(text: &str) -> Option<Panic> {
        let mut all = Panic::all(text);
        let mut last = all.pop()?;
        last.earlier = all;
        Some(last)
    }

    /// Every panic in `text`, in order.
    fn all(text: &str) -> Vec<Panic> {
        let lines: Vec<&str> = text.lines().collect();
        let starts = lines.iter().enumerate().filter(|(_, l)| is_panic_line(l));
        starts.map(|(i, _)| Panic::at_line(&lines[i..])).collect()
    }

    /// The panic whose `thread '…' panicked at` line is the first of `lines`.
    fn at_line(lines: &[&str]) -> Panic {
        let mut lines = lines.iter();
        let panic_line = lines.next().copied().unwrap_or_default();
        let at = panic_line
            .split(" panicked at ")
            .nth(1)
            .map(|at| at.trim_end().trim_end_matches(':'))
            .unwrap_or_default();
        let message: Vec<&str> = lines
            .copied()
            .take_while(|l| !l.trim().is_empty() && !l.starts_with("note:"))
            .take_while(|l| !l.starts_with("stack backtrace:") && !is_panic_line(l))
            .collect();
        // An old libtest put the message on the panic line: `panicked at 'msg', file`.
        match message.is_empty() {
            true => Panic::new("", at),
            false => Panic::new(at, &message.join("\n")),
        }
    }
}

fn is_panic_line(line: &str) -> bool {
    // `thread 'name' panicked at`, or `thread 'name' (1234) panicked at` since Rust 1.9x.
    line.starts_with("thread '") && line.contains(" panicked at ")
}

impl Failure {
    /// How a test failed, from its section of libtest's output.
    pub fn read(section: &str) -> Failure {
        if let Some(note) = section
            .lines()
            .find_map(|l| l.strip_prefix("note: test did not panic as expected"))
        {
            let at = note.trim().strip_prefix("at ").map(str::to_owned);
            return Failure::NoPanic { at, expected: None };
        }
        if section.contains("note: panic did not contain expected string") {
            let field = |key: &str| {
                section
                    .lines()
                    .find_map(|l| l.trim().strip_prefix(key))
                    .map(|v| v.trim().to_owned())
                    .unwrap_or_default()
            };
            return Failure::WrongPanic {
                got: field("panic message:"),
                expected: field("expected substring:"),
            };
        }
        // The panic that ended the test, not one it caught on purpose before its assertion.
        Panic::ending(section).map_or(Failure::Silent, Failure::from_panic)
    }

    /// A panic as a failure: an assertion's says the result was wrong.
    pub fn from_panic(panic: Panic) -> Failure {
        match panic.message.starts_with("assertion") {
            true => Failure::Assertion(panic),
            false => Failure::Panicked(panic),
        }
    }

    /// How much this failure explains, lowest first: a wrong value says the most, a missing
    /// panic or a silent failure the least. Of several failing tests, the report shows first
    /// the one that explains most.
    pub fn rank(&self) -> u8 {
        match self {
            Failure::Assertion(_) => 0,
            Failure::Panicked(_) => 1,
            Failure::WrongPanic { .. } => 2,
            Failure::Hung { .. } => 3,
            Failure::Crashed { .. } => 4,
            Failure::NoPanic { .. } => 5,
            Failure::Silent => 6,
        }
    }

    /// The panic message, if the failure has one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Failure::Assertion(panic) | Failure::Panicked(panic) => Some(&panic.message),
            Failure::Crashed { panic, .. } => panic.as_ref().map(|p| p.message.as_str()),
            Failure::WrongPanic { got, .. } => Some(got),
            _ => None,
        }
    }

    /// Every panic message of the failure, those that did not end the test too: what tells
    /// another exercise's `todo!()` (a task's panic that a loop caught, then a wrong result).
    pub fn messages(&self) -> Vec<&str> {
        let earlier = match self {
            Failure::Assertion(panic) | Failure::Panicked(panic) => &panic.earlier[..],
            Failure::Crashed {
                panic: Some(panic), ..
            } => &panic.earlier[..],
            _ => &[],
        };
        let ending = self.message().into_iter();
        ending
            .chain(earlier.iter().map(|p| p.message.as_str()))
            .collect()
    }

    /// The failure in a few lines of plain words, paths shown by `shown` (a path from the
    /// step's package directory, as a participant opens it from where the command ran).
    pub fn describe(&self, shown: &dyn Fn(&str) -> String) -> Vec<String> {
        let place = |panic: &Panic| match panic.at.is_empty() {
            true => String::new(),
            false => format!(" at {}", shown(&panic.at)),
        };
        let mut lines = Vec::new();
        match self {
            Failure::Assertion(panic) => {
                lines.push(format!("a wrong result{}:", place(panic)));
                lines.extend(difference_first(&panic.message));
                lines.extend(earlier(panic, &place));
            }
            Failure::Panicked(panic) => {
                lines.push(format!("it panicked{}:", place(panic)));
                lines.extend(panic.message.lines().map(str::to_owned));
                lines.extend(earlier(panic, &place));
            }
            Failure::WrongPanic { got, expected } => {
                lines.push("it panicked, but not with the message the test expects:".into());
                lines.push(format!("  got:      {got}"));
                lines.push(format!("  expected: a message containing {expected}"));
            }
            Failure::NoPanic { at, expected } => {
                let what = match expected {
                    Some(expected) => format!("a panic with {expected:?}"),
                    None => "a panic".into(),
                };
                let test = at.as_deref().map(|at| format!(" ({})", shown(at)));
                lines.push(format!(
                    "it returned normally, but the test expects {what}{}: \
                     the code should refuse this case with panic!",
                    test.unwrap_or_default()
                ));
            }
            Failure::Hung { after, busy } => {
                let why = match busy {
                    Some(true) => {
                        "its thread was busy all along: a loop that never ends (a \
                                   future that stays Pending, polled again and again?)"
                    }
                    Some(false) => {
                        "its thread was asleep: it waits for something that never \
                                    comes (a task that nobody wakes?)"
                    }
                    None => {
                        "something waits for ever (a task that nobody wakes? a loop \
                             that never yields?)"
                    }
                };
                lines.push(format!(
                    "it hangs: still running after {} s, so it was stopped; {why}",
                    after.as_secs()
                ));
            }
            Failure::Crashed { how, panic } => {
                lines.push(format!("the test process {how}"));
                if let Some(panic) = panic {
                    lines.push(format!("after it panicked{}:", place(panic)));
                    lines.extend(panic.message.lines().map(str::to_owned));
                }
            }
            Failure::Silent => lines.push("it failed without a message".into()),
        }
        lines
    }
}

/// The lines of an assertion's message, the values that differ first: `assert_eq!(a, b, "{log:#?}")`
/// prints the test's own message (a whole log) between its first line and `left:`/`right:`, and
/// a long one would push the difference past the lines shown. Other messages as they are.
fn difference_first(message: &str) -> Vec<String> {
    let lines: Vec<&str> = message.lines().collect();
    let left = lines.iter().rposition(|l| l.starts_with("  left: "));
    let head = lines.first().and_then(|l| l.split_once(" failed: "));
    let (Some(left), Some((assertion, own))) = (left, head) else {
        return lines.iter().map(|l| (*l).to_owned()).collect();
    };
    if left < 2 || !assertion.starts_with("assertion `left ") {
        return lines.iter().map(|l| (*l).to_owned()).collect();
    }
    let mut out = vec![format!("{assertion} failed")];
    out.extend(lines[left..].iter().map(|l| (*l).to_owned()));
    out.push("with the test's message:".into());
    out.push(own.to_owned());
    out.extend(lines[1..left].iter().map(|l| (*l).to_owned()));
    out
}

/// A line about the panics before the one that ended a test, if there were some: the first of
/// them, which may be the cause (a thread's panic, then its `join`) or on purpose.
fn earlier(panic: &Panic, place: &dyn Fn(&Panic) -> String) -> Option<String> {
    let first = panic.earlier.first()?;
    let n = panic.earlier.len();
    let what = match n {
        1 => "1 panic".to_owned(),
        n => format!("{n} panics"),
    };
    let message = first.message.lines().next().unwrap_or_default();
    Some(format!(
        "(before it, {what} that did not end the test: caught, or in another thread; \
         the first{}: {message})",
        place(first)
    ))
}

/// How a process ended that did not exit with libtest's own codes, in words.
pub fn how(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                6 => " (SIGABRT: it aborted, as a panic during a panic does, often in a Drop)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV: a bad memory access)",
                _ => "",
            };
            return format!("was killed by signal {signal}{name}");
        }
    }
    format!("exited with {status}")
}

/// The message a `#[should_panic(expected = "…")]` test expects, found in its source from
/// where libtest says the test is (`tests/x.rs:12:8`, the line of its name).
pub fn expected_panic(package_dir: &Path, at: &str) -> Option<String> {
    let mut parts = at.rsplitn(3, ':');
    let (_, line, file) = (parts.next()?, parts.next()?, parts.next()?);
    let line: usize = line.parse().ok()?;
    // The compiler names files from the workspace's root, here the package's parent or itself.
    let candidates = [
        package_dir.parent().map(|p| p.join(file)),
        Some(package_dir.join(file)),
    ];
    let source = candidates
        .into_iter()
        .flatten()
        .find_map(|path| fs::read_to_string(path).ok())?;
    let file = syn::parse_str::<syn::File>(&source).ok()?;
    let mut found = None;
    visit(&file.items, &mut |attrs, ident| {
        if ident.span().start().line == line {
            found = attrs.iter().find_map(expected_of);
        }
    });
    found
}

/// Calls `each` with the attributes and name of every function in `items`, modules and impl
/// blocks included.
fn visit(items: &[Item], each: &mut dyn FnMut(&[syn::Attribute], &syn::Ident)) {
    for item in items {
        match item {
            Item::Fn(function) => each(&function.attrs, &function.sig.ident),
            Item::Mod(module) => {
                if let Some((_, items)) = &module.content {
                    visit(items, each);
                }
            }
            Item::Impl(block) => {
                for inner in &block.items {
                    if let ImplItem::Fn(method) = inner {
                        each(&method.attrs, &method.sig.ident);
                    }
                }
            }
            _ => {}
        }
    }
}

/// `expected` of a `#[should_panic(expected = "…")]` attribute.
fn expected_of(attr: &syn::Attribute) -> Option<String> {
    if !attr.path().is_ident("should_panic") {
        return None;
    }
    let mut expected = None;
    let _ = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("expected") {
            if let Expr::Lit(ExprLit {
                lit: Lit::Str(text),
                ..
            }) = meta.value()?.parse::<Expr>()?
            {
                expected = Some(text.value());
            }
        }
        Ok(())
    });
    expected
}
