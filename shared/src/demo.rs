//! What every demo does the same way: pausing for the user (or not), and reading its flags.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once stdin reached its end (Ctrl-D): from then on the demo runs straight through.
static STDIN_CLOSED: AtomicBool = AtomicBool::new(false);

/// True when the demo should not wait for Enter: `--auto` was given, stdin is not a terminal,
/// or the user closed it with Ctrl-D.
///
/// `cargo xtask tour`, `cargo xtask check` and CI run demos with stdin closed, so every demo must
/// finish on its own there; on an instructor's terminal the same demo may pause between steps.
pub fn is_auto() -> bool {
    STDIN_CLOSED.load(Ordering::Relaxed)
        || std::env::args().any(|arg| arg == "--auto")
        || !std::io::stdin().is_terminal()
}

/// Waits for Enter when interactive; does nothing in auto mode.
///
/// Returns `false` when stdin is closed (Ctrl-D): the demo then stops pausing and runs to its
/// end. The time spent waiting counts in the timestamps of [`crate::say`], as it does for the
/// program's timers.
pub fn pause(prompt: &str) -> bool {
    if is_auto() {
        return !STDIN_CLOSED.load(Ordering::Relaxed);
    }
    let mut stdout = std::io::stdout().lock();
    let _ = write!(stdout, "{prompt}").and_then(|()| stdout.flush());
    drop(stdout);
    let mut line = String::new();
    let got_a_line = matches!(std::io::stdin().read_line(&mut line), Ok(n) if n > 0);
    if !got_a_line {
        STDIN_CLOSED.store(true, Ordering::Relaxed);
        let _ = writeln!(std::io::stdout());
    }
    got_a_line
}

/// The talk's call `print_messages('aaa', 'bbb', 'ccc', sleep_time=0.7)`, as Python writes it:
/// the name the talk demos give the task that runs it (see `record::name_task`), so that
/// `--step` and `cargo xtask trace` speak of the talk's tasks as the talk does.
pub fn print_messages_call(messages: &[&str], sleep_time: f64) -> String {
    let mut args: Vec<String> = messages.iter().map(|m| format!("'{m}'")).collect();
    if sleep_time != 1.0 {
        args.push(format!("sleep_time={sleep_time}"));
    }
    format!("print_messages({})", args.join(", "))
}

/// What every demo's `--help` ends with: the flags every demo takes.
const EVERY_DEMO: &str = "Every demo also takes --auto (never wait for Enter) and, from step03 on,
--step (on a terminal: one turn of the loop per Enter, saying what the loop does).";

/// A demo's command line: `--auto` and `--help` for every demo, plus its own `--name VALUE`
/// flags and `--name` switches.
///
/// Every demo reads its flags through this, so they all behave alike: `--help` prints the help
/// and exits 0; an unknown flag, a missing value or a value that does not parse is one
/// `error: …` line and exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flags {
    /// The flags given, without their `--`, with their values, in order.
    values: Vec<(String, String)>,
}

impl Flags {
    /// Reads the process's arguments; `valued` names the flags that take a value (`"port"` for
    /// `--port 7878`), `switches` those that do not (`"quiet"`). Exits on `--help` (0) and on a
    /// mistake (2), after one line.
    pub fn parse(help: &str, valued: &[&str], switches: &[&str]) -> Flags {
        match Flags::from_args(valued, switches, std::env::args_os().skip(1)) {
            Ok(Some(flags)) => flags,
            Ok(None) => {
                let _ = writeln!(std::io::stdout(), "{}\n{EVERY_DEMO}", help.trim_end());
                std::process::exit(0);
            }
            Err(message) => usage_error(&message),
        }
    }

    /// What [`Flags::parse`] does, without exiting: `Ok(None)` for `--help`, `Err` with the
    /// message of the first mistake.
    pub fn from_args(
        valued: &[&str],
        switches: &[&str],
        args: impl IntoIterator<Item = impl Into<OsString>>,
    ) -> Result<Option<Flags>, String> {
        use lexopt::Arg::{Long, Short};
        let mut parser = lexopt::Parser::from_args(args);
        let mut values = Vec::new();
        while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
            match arg {
                Long("auto") => {} // read by `is_auto`, which any code may ask
                Long("step") => {} // read by `record`, when a loop first reports
                Long("help") | Short('h') => return Ok(None),
                Long(name) if valued.contains(&name) => {
                    let name = name.to_owned();
                    let value = parser.value().map_err(|e| e.to_string())?;
                    let value = value
                        .into_string()
                        .map_err(|v| format!("{v:?} is not UTF-8"))?;
                    values.push((name, value));
                }
                Long(name) if switches.contains(&name) => values.push((name.to_owned(), "".into())),
                other => return Err(other.unexpected().to_string()),
            }
        }
        Ok(Some(Flags { values }))
    }

    /// The value of `--name`, parsed; `None` when the flag was not given. A value that does not
    /// parse is a usage error: one line, exit code 2.
    pub fn value<T: FromStr>(&self, name: &str) -> Option<T> {
        self.try_value(name)
            .unwrap_or_else(|message| usage_error(&message))
    }

    /// Whether the switch `--name` was given.
    pub fn is_set(&self, name: &str) -> bool {
        self.values.iter().any(|(flag, _)| flag == name)
    }

    /// What [`Flags::value`] does, without exiting. The last occurrence of a flag wins.
    pub fn try_value<T: FromStr>(&self, name: &str) -> Result<Option<T>, String> {
        let Some((_, text)) = self.values.iter().rev().find(|(flag, _)| flag == name) else {
            return Ok(None);
        };
        text.parse()
            .map(Some)
            .map_err(|_| format!("invalid value '{text}' for option '--{name}'"))
    }
}

/// The exit code of a demo whose work returned `result`: 0, or 1 after one `error:` line.
///
/// Demos report failures this way rather than with a panic and its backtrace: `address already
/// in use`, not `Address already in use (os error 98)` under `thread 'main' panicked`.
pub fn exit_code(result: std::io::Result<()>) -> std::process::ExitCode {
    // A server's last lines may still wait for its writer thread: they are part of its output.
    crate::output::flush(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", plain(&err));
            std::process::ExitCode::FAILURE
        }
    }
}

/// An error as one plain phrase: `address already in use` rather than Rust's
/// `Address already in use (os error 98)`.
pub fn plain(err: &std::io::Error) -> String {
    let text = err.to_string();
    let text = match err.raw_os_error() {
        Some(code) => text.replace(&format!(" (os error {code})"), ""),
        None => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

/// Ends the whole process after `delay`, from a thread of its own, after saying `label: time
/// is up` and flushing the log.
///
/// For servers that have no other way to stop (step04 has no timers): the system closes every
/// socket as the process ends.
pub fn exit_after(delay: std::time::Duration, label: &'static str) {
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        crate::say(label, "time is up");
        crate::output::flush(std::time::Duration::from_secs(1));
        std::process::exit(0);
    });
}

/// Prints one `error:` line about the command line and exits with code 2.
fn usage_error(message: &str) -> ! {
    eprintln!("error: {message} (try --help)");
    std::process::exit(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Flags>, String> {
        Flags::from_args(&["port", "seconds"], &["quiet"], args.iter().copied())
    }

    #[test]
    fn values_parse_in_any_order_and_form() {
        let flags = parse(&["--seconds", "3", "--auto", "--port=7878"])
            .unwrap()
            .unwrap();
        assert_eq!(flags.try_value::<u16>("port"), Ok(Some(7878)));
        assert_eq!(flags.try_value::<u64>("seconds"), Ok(Some(3)));
        assert_eq!(flags.try_value::<u64>("absent"), Ok(None));
    }

    #[test]
    fn the_talks_calls_read_as_python_writes_them() {
        let call = print_messages_call(&["aaa", "bbb", "ccc"], 0.7);
        assert_eq!(call, "print_messages('aaa', 'bbb', 'ccc', sleep_time=0.7)");
        assert_eq!(
            print_messages_call(&["f", "g"], 1.0),
            "print_messages('f', 'g')"
        );
    }

    #[test]
    fn help_is_not_an_error() {
        assert_eq!(parse(&["--port", "1", "--help"]), Ok(None));
        assert_eq!(parse(&["-h"]), Ok(None));
    }

    #[test]
    fn errors_read_as_plain_phrases() {
        let err = std::io::Error::from_raw_os_error(libc::EADDRINUSE);
        assert_eq!(plain(&err), "address already in use");
    }

    #[test]
    fn mistakes_are_one_line_each() {
        assert_eq!(
            parse(&["--colour"]).unwrap_err(),
            "invalid option '--colour'"
        );
        assert_eq!(
            parse(&["--port"]).unwrap_err(),
            "missing argument for option '--port'"
        );
        assert_eq!(
            parse(&["stray"]).unwrap_err(),
            "unexpected argument \"stray\""
        );
        let flags = parse(&["--port", "eighty"]).unwrap().unwrap();
        assert_eq!(
            flags.try_value::<u16>("port").unwrap_err(),
            "invalid value 'eighty' for option '--port'"
        );
    }
}
