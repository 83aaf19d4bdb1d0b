//! `cargo xtask diff A B --slides`: the view as slides for a projector, a file a page, in the
//! step's reading order.
//!
//! Each page has a title: which page of how many, the file and its size, and what it is for (the
//! first sentence of its `//!` docs). The last page is what the view shows in one line each:
//! removed files, the other demos, tests and benches, the workshop metadata it left out.
//!
//! On a terminal (stdin and stdout both), each page starts at the top of a cleared screen and
//! waits for a key: Enter, space or → shows the next one, `b` or ← the one before, `q`, Ctrl-C
//! or Ctrl-D stop. A file taller than the screen goes on over several screens, titled "part 2 of 3".
//! Anywhere else nobody can press Enter: one line on stderr says so, and the pages follow one
//! another on stdout, each under its title, a blank line between two.

use std::io::{self, IsTerminal, Read};
use std::process::{Command, Stdio};

use super::files::{purpose, restore};
use super::{Diff, FileDiff};
use crate::{Error, WIDTH, print_out, sys};

/// One slide: its title lines, then its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// What, which and how big: two or three lines.
    pub title: Vec<String>,
    /// The diff of the file, or the one-line groups of the last page.
    pub body: Vec<String>,
}

/// Shows the view as slides: paged on a terminal, one page after the other elsewhere.
pub(super) fn show(diff: &Diff, color: bool) -> Result<(), Error> {
    let pages = diff.pages(color);
    if pages.is_empty() {
        return print_out(&diff.unified(color));
    }
    if !(io::stdin().is_terminal() && io::stdout().is_terminal()) {
        let count = pages.len();
        eprintln!("diff --slides: not a terminal, so the {count} pages follow one another");
        let pages: Vec<String> = pages.iter().map(|page| page.lines().join("\n")).collect();
        return print_out(&(pages.join("\n\n") + "\n"));
    }
    let screens = screens(&pages, terminal_size());
    // Keys, not lines; the terminal gets its modes back when `keys` is dropped, however we leave.
    let keys = sys::KeyByKey::enter(true)
        .map_err(|e| Error::Failed(format!("cannot read keys from the terminal: {e}")))?;
    let mut at = 0;
    let mut stdin = io::stdin().lock();
    loop {
        print_out(&format!("\x1b[H\x1b[2J{}\n", screens[at].join("\n")))?;
        print_out(&prompt(at, screens.len(), color))?;
        match next_key(&mut stdin) {
            Key::Next if at + 1 < screens.len() => at += 1,
            Key::Back => at = at.saturating_sub(1),
            Key::Other => {}
            // The end, `q`, Ctrl-C or Ctrl-D: the cursor is still on the prompt's line.
            Key::Next | Key::Quit => break,
        }
    }
    drop(keys);
    print_out("\n")
}

/// What a key asks of the slides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Next,
    Back,
    Quit,
    Other,
}

/// Reads one key: a byte, or an arrow's three (`ESC [ C`). The end of input quits.
fn next_key(input: &mut impl Read) -> Key {
    let mut byte = [0u8; 1];
    let mut read = || match input.read(&mut byte) {
        Ok(1) => Some(byte[0]),
        _ => None,
    };
    match read() {
        None => Key::Quit,
        Some(0x1b) => match (read(), read()) {
            (Some(b'['), Some(b'C' | b'B')) => Key::Next,
            (Some(b'['), Some(b'D' | b'A')) => Key::Back,
            (None, _) | (_, None) => Key::Quit,
            _ => Key::Other,
        },
        Some(b'\n' | b'\r' | b' ' | b'n') => Key::Next,
        Some(b'b' | b'p') => Key::Back,
        // Ctrl-C, Ctrl-D: read as keys here (see `KeyByKey::enter`).
        Some(b'q' | b'Q' | 3 | 4) => Key::Quit,
        Some(_) => Key::Other,
    }
}

impl Page {
    /// The title, a blank line, the body.
    fn lines(&self) -> Vec<String> {
        let blank = String::new();
        let title = self.title.iter().chain([&blank]);
        title.chain(&self.body).cloned().collect()
    }
}

impl Diff {
    /// The slides of the view: each file it shows in full, then what it shows in one line each.
    pub fn pages(&self, color: bool) -> Vec<Page> {
        let files = self.in_full();
        let rest = self.rest(color);
        let total = files.len() + usize::from(!rest.is_empty());
        let mut pages: Vec<Page> = (files.iter().enumerate())
            .map(|(at, file)| Page {
                title: self.title(at + 1, total, file, color),
                body: lines(&self.file_text(file, color)),
            })
            .collect();
        if !rest.is_empty() {
            let mut title = vec![self.title_line(total, total, color)];
            title.push(bold("what else changed", color));
            pages.push(Page {
                title,
                body: lines(rest.trim_start_matches('\n')),
            });
        }
        pages
    }

    /// `step04-sockets → step05-futures-timers · 3 of 9`.
    fn title_line(&self, at: usize, total: usize, color: bool) -> String {
        let line = format!("{} → {} · {at} of {total}", self.old_name, self.new_name);
        bold(&shorten(&line), color)
    }

    /// The title of a file's page: the title line; the file, what became of it and its size;
    /// what it is for, if it says.
    fn title(&self, at: usize, total: usize, file: &FileDiff, color: bool) -> Vec<String> {
        let (text, name) = match (&file.new, &file.old) {
            (Some(text), _) => (text.as_str(), &self.new_name),
            (None, Some(text)) => (text.as_str(), &self.old_name),
            (None, None) => ("", &self.new_name),
        };
        let size = format!("{} lines", text.lines().count());
        let changes = format!("+{} -{}", file.insertions, file.deletions);
        let what = match (&file.old, &file.new, &file.rename) {
            (None, _, _) => format!("new, {size}"),
            (_, None, _) => format!("removed, {size}"),
            (_, _, Some(rename)) => format!("renamed from {}, {size}, {changes}", rename.from),
            _ => format!("{size}, {changes}"),
        };
        let mut title = vec![
            self.title_line(at, total, color),
            bold(&shorten(&format!("{} · {what}", file.path)), color),
        ];
        if let Some(purpose) = purpose(&file.path, text) {
            title.push(shorten(&restore(&purpose, name)));
        }
        title
    }
}

/// The text's lines, as owned strings.
fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

fn bold(text: &str, color: bool) -> String {
    match color {
        true => format!("\x1b[1m{text}\x1b[0m"),
        false => text.to_owned(),
    }
}

/// `text`, cut and ended with `…` if it is wider than [`WIDTH`].
fn shorten(text: &str) -> String {
    match text.chars().count() > WIDTH {
        true => text.chars().take(WIDTH - 1).collect::<String>() + "…",
        false => text.to_owned(),
    }
}

/// The terminal's rows and columns, as `stty size` reads them from stdin: `None` if it cannot.
fn terminal_size() -> Option<(usize, usize)> {
    let output = Command::new("stty")
        .arg("size")
        .stdin(Stdio::inherit())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut numbers = text.split_whitespace().map(str::parse::<usize>);
    match (numbers.next(), numbers.next()) {
        (Some(Ok(rows)), Some(Ok(columns))) if rows > 0 && columns > 0 => Some((rows, columns)),
        _ => None,
    }
}

/// Fewer rows than this for a page's body, and a page is not cut: a screen of two lines helps
/// nobody.
const MIN_BODY_ROWS: usize = 5;

/// The screens of the pages: each page whole, or, on a terminal too short for it, cut into
/// parts that fit, each under the page's title with "part N of M" added.
pub fn screens(pages: &[Page], size: Option<(usize, usize)>) -> Vec<Vec<String>> {
    let mut screens = Vec::new();
    for page in pages {
        // The title, a blank line, the body, the prompt.
        let room = size.map_or(usize::MAX, |(rows, _)| {
            rows.saturating_sub(page.title.len() + 2)
        });
        let columns = size.map_or(usize::MAX, |(_, columns)| columns);
        let parts = match room >= MIN_BODY_ROWS {
            true => cut(&page.body, room, columns),
            false => vec![page.body.clone()],
        };
        let count = parts.len();
        for (at, part) in parts.into_iter().enumerate() {
            let mut title = page.title.clone();
            if count > 1 {
                title[0] = format!("{} · part {} of {count}", title[0], at + 1);
            }
            screens.push(Page { title, body: part }.lines());
        }
    }
    screens
}

/// `lines` in parts of at most `rows` terminal rows, a line wider than `columns` taking more
/// than one.
fn cut(lines: &[String], rows: usize, columns: usize) -> Vec<Vec<String>> {
    let mut parts = vec![Vec::new()];
    let mut used = 0;
    for line in lines {
        let width = visible_width(line);
        let taken = width.div_ceil(columns).max(1);
        let part = parts
            .last_mut()
            .filter(|part| part.is_empty() || used + taken <= rows);
        match part {
            Some(part) => part.push(line.clone()),
            None => {
                parts.push(vec![line.clone()]);
                used = 0;
            }
        }
        used += taken;
    }
    parts
}

/// The columns a line takes on a terminal: its characters, colour codes aside.
fn visible_width(line: &str) -> usize {
    let mut width = 0;
    let mut in_code = false;
    for c in line.chars() {
        match (in_code, c) {
            (false, '\x1b') => in_code = true,
            (true, 'm') => in_code = false,
            (true, _) => {}
            (false, _) => width += 1,
        }
    }
    width
}

/// The line at the bottom of a screen: which keys do what (the title says where we are).
fn prompt(at: usize, count: usize, color: bool) -> String {
    let next = if at + 1 == count { "end" } else { "next" };
    let text = format!("Enter or →: {next} · b or ←: back · q: quit");
    match color {
        true => format!("\x1b[7m {text} \x1b[0m "),
        false => format!("[{text}] "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: usize) -> Page {
        Page {
            title: vec!["a → b · 1 of 1".into(), "src/x.rs · 9 lines, +9 -0".into()],
            body: (1..=body).map(|n| format!("+line {n}")).collect(),
        }
    }

    #[test]
    fn a_page_that_fits_is_one_screen_title_blank_line_body() {
        let screens = screens(&[page(3)], Some((40, 100)));
        assert_eq!(
            screens,
            [[
                "a → b · 1 of 1",
                "src/x.rs · 9 lines, +9 -0",
                "",
                "+line 1",
                "+line 2",
                "+line 3"
            ]]
        );
    }

    #[test]
    fn a_tall_page_goes_on_over_screens_each_titled_with_its_part() {
        // 10 rows: 2 of title, a blank line, the prompt: 6 for the body.
        let screens = screens(&[page(13)], Some((10, 100)));
        let heads: Vec<&str> = screens.iter().map(|s| s[0].as_str()).collect();
        let heads_expected = [
            "a → b · 1 of 1 · part 1 of 3",
            "a → b · 1 of 1 · part 2 of 3",
            "a → b · 1 of 1 · part 3 of 3",
        ];
        assert_eq!(heads, heads_expected);
        let bodies: Vec<usize> = screens.iter().map(|s| s.len() - 3).collect();
        assert_eq!(bodies, [6, 6, 1]);
        assert_eq!(screens[1][3], "+line 7");
    }

    #[test]
    fn a_line_wider_than_the_terminal_takes_the_rows_it_wraps_to() {
        let mut tall = page(0);
        tall.body = vec!["x".repeat(25), "y".into(), "z".into(), "w".into()];
        // Body rows: 10 - 4 = 6 at 10 columns: 3 + 1 + 1 + 1.
        assert_eq!(screens(&[tall.clone()], Some((10, 10))).len(), 1);
        tall.body.push("v".into());
        assert_eq!(screens(&[tall], Some((10, 10))).len(), 2);
    }

    #[test]
    fn the_prompt_says_which_keys_do_what() {
        assert_eq!(
            prompt(0, 2, false),
            "[Enter or →: next · b or ←: back · q: quit] "
        );
        assert!(prompt(1, 2, true).contains(" Enter or →: end · b or ←: back · q: quit "));
    }

    #[test]
    fn keys_and_arrows_page_and_ctrl_c_or_the_end_of_input_quits() {
        let keys = |bytes: &[u8]| {
            let mut input = bytes;
            let mut keys = Vec::new();
            while !input.is_empty() {
                keys.push(next_key(&mut input));
            }
            keys
        };
        use Key::*;
        assert_eq!(keys(b"\n \rn"), [Next, Next, Next, Next]);
        assert_eq!(keys(b"\x1b[C\x1b[B\x1b[D\x1b[A"), [Next, Next, Back, Back]);
        assert_eq!(keys(b"bpx"), [Back, Back, Other]);
        assert_eq!(keys(b"q\x03\x04"), [Quit, Quit, Quit]);
        assert_eq!(next_key(&mut &b""[..]), Quit);
    }

    #[test]
    fn colour_codes_take_no_columns_and_an_unknown_size_cuts_nothing() {
        assert_eq!(visible_width("\x1b[32m+abc\x1b[0m"), 4);
        assert_eq!(screens(&[page(500)], None).len(), 1);
        // Too short a terminal to help: whole pages.
        assert_eq!(screens(&[page(50)], Some((6, 80))).len(), 1);
    }
}
