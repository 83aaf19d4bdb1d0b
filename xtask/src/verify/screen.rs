//! Where `verify` writes: the terminal (with a live line that says what runs, and for how long,
//! rewritten in place and erased when done), or a pipe or a file (the lines only), or a
//! string for the tests.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use crate::{Error, WIDTH, print_out};

/// What `verify` prints to.
#[derive(Debug)]
pub struct Screen {
    /// Whether the output is a terminal: then a live line shows what runs.
    terminal: bool,
    /// Whether the compiler may colour its errors (a terminal, and `NO_COLOR` unset).
    colour: bool,
    /// What was printed, when the output is kept rather than written.
    kept: Option<String>,
    /// Whether a live line is on the screen now.
    live_shown: bool,
    /// When the live line was last written: it is rewritten a few times a second at most.
    live_at: Option<Instant>,
}

/// How often a live line is rewritten.
const LIVE_EVERY: Duration = Duration::from_millis(250);

impl Screen {
    /// Standard output, as it is: a terminal or not.
    pub fn stdout() -> Screen {
        let terminal = std::io::stdout().is_terminal();
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Screen {
            terminal,
            colour: terminal && !no_colour,
            kept: None,
            live_shown: false,
            live_at: None,
        }
    }

    /// A screen that keeps what is printed, for [`Screen::kept`]: no live line, no colour.
    pub fn keep() -> Screen {
        Screen {
            terminal: false,
            colour: false,
            kept: Some(String::new()),
            live_shown: false,
            live_at: None,
        }
    }

    /// What was printed to a [`Screen::keep`] screen.
    pub fn kept(&self) -> &str {
        self.kept.as_deref().unwrap_or_default()
    }

    /// Whether the compiler's errors may be coloured here.
    pub fn colour(&self) -> bool {
        self.colour
    }

    /// Whether this is a terminal (where a live line shows progress).
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    /// Prints `text` (whole lines), after erasing the live line if one is shown.
    pub fn print(&mut self, text: &str) -> Result<(), Error> {
        self.erase_live()?;
        match &mut self.kept {
            Some(kept) => {
                kept.push_str(text);
                Ok(())
            }
            None => print_out(text),
        }
    }

    /// Shows `what` and how long it has been running as the live line, on a terminal; at most
    /// a few times a second. Elsewhere, nothing: a log keeps only what stays true.
    pub fn live(&mut self, what: &str, since: Instant) -> Result<(), Error> {
        if !self.terminal || self.live_at.is_some_and(|at| at.elapsed() < LIVE_EVERY) {
            return Ok(());
        }
        self.live_at = Some(Instant::now());
        let line = format!("   {what}… {} s", since.elapsed().as_secs());
        let line: String = line.chars().take(WIDTH).collect();
        self.live_shown = true;
        print_out(&format!("\r\u{1b}[K{line}"))
    }

    /// Erases the live line, if one is shown.
    pub fn erase_live(&mut self) -> Result<(), Error> {
        self.live_at = None;
        if !std::mem::take(&mut self.live_shown) {
            return Ok(());
        }
        print_out("\r\u{1b}[K")
    }
}
