//! Lines of at most [`WIDTH`] columns, wrapped and never cut: what `verify` says is read whole.
//!
//! Columns are counted as a terminal shows them: characters, not bytes, and the colour codes
//! of the compiler's rendered errors (`ESC [ … m`) take none.

use crate::WIDTH;

/// `text` in lines of at most [`WIDTH`] columns, each after `indent`, broken between words.
pub fn wrap(text: &str, indent: &str) -> String {
    wrap_at(text, indent, WIDTH)
}

/// `text` wrapped at [`WIDTH`], its first line after `first` and the others after `rest`.
pub fn wrap_hanging(text: &str, first: &str, rest: &str) -> String {
    // Wrapped as if every line started with `rest`, the first line given the room `first`
    // leaves: a stand-in word of the difference, taken out after.
    let extra = columns(first).saturating_sub(columns(rest));
    if extra == 0 {
        let wrapped = wrap(text, rest);
        return format!("{first}{}", &wrapped[rest.len()..]);
    }
    let stand_in = "\u{1}".repeat(extra - 1);
    let wrapped = wrap(&format!("{stand_in} {text}"), rest);
    let body = &wrapped[rest.len()..];
    let body = body.strip_prefix(&stand_in).unwrap_or(body);
    match body.strip_prefix(' ') {
        Some(same_line) => format!("{first}{same_line}"),
        // The first word did not fit beside `first`: it starts the next line.
        None => format!("{}\n{}", first.trim_end(), body.trim_start_matches('\n')),
    }
}

/// `text` in lines of at most `width` columns, each after `indent`, broken between words; a
/// word longer than a line (a long test name, a path) is broken after a `::`, a `_` or a `/` if
/// it has one, else anywhere: never cut.
pub fn wrap_at(text: &str, indent: &str, width: usize) -> String {
    let room = width.saturating_sub(columns(indent)).max(8);
    let mut out = String::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            for piece in pieces(word, room) {
                let wide = columns(&line) + 1 + columns(&piece) > room;
                if !line.is_empty() && wide {
                    out.push_str(&format!("{indent}{line}\n"));
                    line.clear();
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(&piece);
            }
        }
        out.push_str(&format!("{indent}{line}\n"));
    }
    out
}

/// A word in pieces of at most `room` columns: broken just after a `::`, a `_` or a `/` when one
/// falls in the line, else at the line's end.
fn pieces(word: &str, room: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest: Vec<char> = word.chars().collect();
    while rest.len() > room {
        let head = &rest[..room];
        let after_break = (1..room)
            .rev()
            .find(|&i| {
                matches!(head[i - 1], '_' | '/')
                    || (i >= 2 && head[i - 1] == ':' && head[i - 2] == ':')
            })
            .filter(|&i| i > room / 3)
            .unwrap_or(room);
        pieces.push(rest[..after_break].iter().collect());
        rest.drain(..after_break);
    }
    pieces.push(rest.iter().collect());
    pieces
}

/// How many columns `text` takes on a terminal: its characters, less colour codes.
pub fn columns(text: &str) -> usize {
    let mut count = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            skip_escape(&mut chars);
        } else {
            count += 1;
        }
    }
    count
}

/// Skips the rest of an escape sequence `ESC [ … letter`.
fn skip_escape(chars: &mut std::str::Chars<'_>) {
    if chars.clone().next() == Some('[') {
        chars.next();
        for c in chars.by_ref() {
            if c.is_ascii_alphabetic() {
                break;
            }
        }
    }
}

/// A line of a rendered compiler error folded into lines of at most `width` columns. Nothing is
/// lost: the rest of a long line goes on the next lines, after the line's own margin (the
/// `  |` gutter of a code line, its digits blanked, or the line's indentation), two columns
/// further in, broken at a space when one is near. Colour codes go along and take no room.
pub fn fold(line: &str, width: usize) -> Vec<String> {
    if columns(line) <= width {
        return vec![line.to_owned()];
    }
    let margin = margin(line);
    // Each visible character, with the colour codes just before it.
    let mut cells: Vec<(String, char)> = Vec::new();
    let mut codes = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            let before = chars.as_str();
            skip_escape(&mut chars);
            codes.push(c);
            codes.push_str(&before[..before.len() - chars.as_str().len()]);
        } else {
            cells.push((std::mem::take(&mut codes), c));
        }
    }
    let mut lines = Vec::new();
    let mut start = 0;
    let mut room = width;
    while cells.len() - start > room {
        let end = start + room;
        let space = (start + room / 3..end).rev().find(|&i| cells[i].1 == ' ');
        let (cut, next) = space.map_or((end, end), |at| (at, at + 1));
        lines.push(render(&cells[start..cut]).trim_end().to_owned());
        start = next;
        room = width.saturating_sub(columns(&margin)).max(20);
    }
    let last = render(&cells[start..]) + &codes;
    lines.push(last);
    for line in lines.iter_mut().skip(1) {
        line.insert_str(0, &margin);
    }
    lines
}

/// Cells back to text.
fn render(cells: &[(String, char)]) -> String {
    cells.iter().fold(String::new(), |mut out, (codes, c)| {
        out.push_str(codes);
        out.push(*c);
        out
    })
}

/// The margin of a folded line's continuations: the drawing before the line's text (a code
/// line's `25 |     `, digits blanked; an annotation's `   |        |    `), so the rest goes on
/// under where the text began; or, for a line without one, its indentation and two columns.
fn margin(line: &str) -> String {
    let plain: String = strip_colour(line);
    let drawing = |c: &char| matches!(c, ' ' | '|' | '-' | '^' | '+' | '=') || c.is_ascii_digit();
    let prefix: String = plain.chars().take_while(drawing).collect();
    if prefix.trim().is_empty() {
        return " ".repeat(prefix.chars().count() + 2);
    }
    let margin: String = prefix
        .chars()
        .map(|c| if c == '|' { '|' } else { ' ' })
        .collect();
    match margin.chars().count() > 60 {
        // Too far in to leave room: under the gutter.
        true => margin.chars().take(6).collect(),
        false => margin,
    }
}

/// `text` without its colour codes.
pub fn strip_colour(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            skip_escape(&mut chars);
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` for a count other than one: `1 test`, `2 tests`.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_wrapped_never_cut() {
        let name = "awaitables::a_finished_struct_says_ready_again_like_a_finished_generator_\
                    does_when_polled_after_it_returned_its_value";
        let text = wrap_at(&format!("failing {name}"), "    ", 60);
        assert!(text.lines().all(|l| l.chars().count() <= 60), "{text}");
        let joined: String = text.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        assert_eq!(joined.replace(' ', ""), format!("failing{name}"));
        assert!(!text.contains('…'));
        // Broken after an underscore, not mid-word.
        assert!(
            text.lines().next().is_some_and(|l| l.ends_with("failing")),
            "{text}"
        );
        assert!(
            text.lines().nth(1).is_some_and(|l| l.ends_with('_')),
            "{text}"
        );
    }

    #[test]
    fn a_hanging_wrap_starts_beside_its_head_and_goes_on_under_it() {
        let text = "word ".repeat(40);
        let wrapped = wrap_hanging(text.trim(), "FAIL  ", "      ");
        assert!(wrapped.starts_with("FAIL  word word"), "{wrapped}");
        assert!(
            wrapped.lines().skip(1).all(|l| l.starts_with("      word")),
            "{wrapped}"
        );
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= WIDTH),
            "{wrapped}"
        );
        assert_eq!(wrapped.matches("word").count(), 40);
        let long = "x".repeat(90);
        let wrapped = wrap_hanging(&long, "  1. add  failing   ", "       ");
        assert_eq!(wrapped, format!("  1. add  failing\n       {long}\n"));
    }

    #[test]
    fn colour_codes_take_no_columns() {
        let red = "\u{1b}[0m\u{1b}[1m\u{1b}[38;5;9merror\u{1b}[0m: x";
        assert_eq!(columns(red), "error: x".len());
        assert_eq!(strip_colour(red), "error: x");
    }

    #[test]
    fn a_long_rendered_line_folds_under_its_gutter_and_keeps_every_word() {
        let code = format!("25 |     let results = {};", "word ".repeat(30).trim_end());
        let lines = fold(&code, 60);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| columns(l) <= 60), "{lines:?}");
        assert!(
            lines[1..].iter().all(|l| l.starts_with("   |   ")),
            "{lines:?}"
        );
        let words: usize = lines.iter().map(|l| l.matches("word").count()).sum();
        assert_eq!(words, 30);
        let header = format!(
            "\u{1b}[1merror[E0277]\u{1b}[0m: {}",
            "the trait bound ".repeat(8)
        );
        let folded = fold(&header, 50);
        assert!(folded.iter().all(|l| columns(l) <= 50), "{folded:?}");
        assert!(
            folded[1].starts_with("  ") && !folded[1].starts_with("   "),
            "{folded:?}"
        );
        let words: usize = folded.iter().map(|l| l.matches("bound").count()).sum();
        assert_eq!(words, 8);
        assert_eq!(fold("short", 50), ["short"]);
        let note = format!("   |      |    {}", "the trait `Clone` is not ".repeat(4));
        let folded = fold(note.trim_end(), 60);
        // The rest goes on under where the annotation's text began.
        let under =
            |l: &String| l.starts_with("   |      |    ") && !l.starts_with("   |      |     ");
        assert!(folded[1..].iter().all(under), "{folded:?}");
    }
}
