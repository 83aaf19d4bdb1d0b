//! The tokens of Rust source that matter to find a function's body: words, brackets and a few
//! signs, with comments, whitespace and the insides of literals left out.

use std::ops::Range;

/// One token that matters for matching braces and items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    /// A word: a keyword or a name (a raw identifier `r#x` loses its `r#`).
    Word(String),
    /// A one-character punctuation sign: `{ } ( ) [ ] < > ; : ! ,` and the others.
    Punct(char),
    /// `->`, which is no closing bracket.
    Arrow,
    /// Anything else: a literal, a lifetime, `=>` (so that its `>` is no bracket either).
    Other,
}

/// A token and where it is in the text, in bytes.
#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) at: Range<usize>,
}

/// The tokens of `source`, with comments, whitespace and the insides of literals left out.
pub(super) fn tokens(source: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let at = |i: usize| chars.get(i).map_or('\0', |(_, c)| *c);
    let offset = |i: usize| chars.get(i).map_or(source.len(), |(o, _)| *o);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = (i, at(i));
        let tok = if c.is_whitespace() {
            i += 1;
            continue;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && at(i) != '\n' {
                i += 1;
            }
            continue;
        } else if c == '/' && at(i + 1) == '*' {
            i = block_comment(&at, i, chars.len())?;
            continue;
        } else if c == '"' {
            i = string(&at, i + 1, chars.len())?;
            Tok::Other
        } else if c == '\'' {
            i = quote(&at, i);
            Tok::Other
        } else if c.is_alphabetic() || c == '_' {
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            let word: String = chars[start..i].iter().map(|(_, c)| c).collect();
            match raw(&at, &word, i, chars.len())? {
                Some(Raw::String(end)) => {
                    i = end;
                    Tok::Other
                }
                Some(Raw::Ident) => {
                    let name_start = i + 1;
                    i = name_start;
                    while at(i).is_alphanumeric() || at(i) == '_' {
                        i += 1;
                    }
                    Tok::Word(chars[name_start..i].iter().map(|(_, c)| c).collect())
                }
                None if matches!(word.as_str(), "b" | "c") && at(i) == '"' => {
                    i = string(&at, i + 1, chars.len())?;
                    Tok::Other
                }
                None if word == "b" && at(i) == '\'' => {
                    i = quote(&at, i);
                    Tok::Other
                }
                None => Tok::Word(word),
            }
        } else if c.is_ascii_digit() {
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            Tok::Other
        } else if c == '-' && at(i + 1) == '>' {
            i += 2;
            Tok::Arrow
        } else if c == '=' && at(i + 1) == '>' {
            i += 2;
            Tok::Other
        } else {
            i += 1;
            Tok::Punct(c)
        };
        tokens.push(Token {
            tok,
            at: offset(start)..offset(i),
        });
    }
    Ok(tokens)
}

/// What follows `r`, `br` or `cr`: a raw string (and where it ends) or a raw identifier.
enum Raw {
    String(usize),
    Ident,
}

fn raw(
    at: &impl Fn(usize) -> char,
    word: &str,
    i: usize,
    len: usize,
) -> Result<Option<Raw>, String> {
    if !matches!(word, "r" | "br" | "cr") {
        return Ok(None);
    }
    let mut hashes = 0;
    while at(i + hashes) == '#' {
        hashes += 1;
    }
    if at(i + hashes) != '"' {
        let ident = word == "r" && hashes == 1 && (at(i + 1).is_alphabetic() || at(i + 1) == '_');
        return Ok(ident.then_some(Raw::Ident));
    }
    let mut j = i + hashes + 1;
    while j < len {
        if at(j) == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
            return Ok(Some(Raw::String(j + 1 + hashes)));
        }
        j += 1;
    }
    Err("a raw string that never ends".into())
}

/// Past the end of a string whose opening `"` is just before `i`.
fn string(at: &impl Fn(usize) -> char, mut i: usize, len: usize) -> Result<usize, String> {
    while i < len {
        match at(i) {
            '\\' => i += 2,
            '"' => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err("a string that never ends".into())
}

/// Past a char literal or a lifetime (or a loop label) whose `'` is at `i`. A char literal is
/// `'x'` or `'\…'`; anything else after a `'` is a lifetime's name.
fn quote(at: &impl Fn(usize) -> char, mut i: usize) -> usize {
    if at(i + 1) == '\\' {
        i += 3; // the quote, the backslash, the escaped char
        while at(i) != '\'' && at(i) != '\0' {
            i += 1; // `\u{…}`, `\x41`
        }
        return i + 1;
    }
    if at(i + 2) == '\'' {
        return i + 3;
    }
    i += 1;
    while at(i).is_alphanumeric() || at(i) == '_' {
        i += 1;
    }
    i
}

/// Past the end of a (possibly nested) block comment that starts at `i`.
fn block_comment(at: &impl Fn(usize) -> char, mut i: usize, len: usize) -> Result<usize, String> {
    let mut depth = 0;
    while i < len {
        if at(i) == '/' && at(i + 1) == '*' {
            depth += 1;
            i += 2;
        } else if at(i) == '*' && at(i + 1) == '/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Ok(i);
            }
        } else {
            i += 1;
        }
    }
    Err("a comment that never ends".into())
}
