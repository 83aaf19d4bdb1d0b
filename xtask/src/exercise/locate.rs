//! Where a function's body is in a Rust file: enough of a tokenizer to match braces, and the
//! three ways an exercise names its function.
//!
//! An item is written as the code reads:
//! - `run_task`: a free function of the file (not one nested in a `mod` or an `impl`);
//! - `Loop::fire_due_timers`: a method of an inherent `impl Loop` (generics do not matter);
//! - `impl Wake for TaskWaker: wake_by_ref`: a method of a trait's `impl` for a type.
//!
//! Braces inside strings, chars and comments do not count, and a lifetime (`'a`) is not the
//! start of a char literal (`'a'`). This is not a parser: it finds braces, and the words
//! `impl`, `for`, `where` and `fn` where they can be.

use std::collections::BTreeSet;
use std::ops::Range;

use tokens::{Tok, Token, tokens};

/// The body of one function, as found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// From its `{` to its `}`, both included, in bytes.
    pub span: Range<usize>,
    /// The indentation of the line that holds its closing `}`: the function's own.
    pub indent: String,
    /// Whether the function returns `impl Trait`: there a `todo!()` body does not compile (`!`
    /// implements no trait), unlike in an `async fn` or a function returning a type.
    pub returns_impl: bool,
}

impl Body {
    /// The text of the body, braces included.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.span.clone()]
    }

    /// The text of the body, its lines moved left by the function's indentation: what a diff
    /// of two bodies shows.
    pub fn dedented(&self, source: &str) -> String {
        let lines: Vec<&str> = self
            .text(source)
            .lines()
            .map(|line| line.strip_prefix(self.indent.as_str()).unwrap_or(line))
            .collect();
        lines.join("\n")
    }

    /// Whether the body still holds a `todo!`: an exercise not written yet.
    pub fn is_todo(&self, source: &str) -> bool {
        tokens(self.text(source)).is_ok_and(|tokens| {
            tokens.windows(2).any(|pair| {
                pair[0].tok == Tok::Word("todo".into()) && pair[1].tok == Tok::Punct('!')
            })
        })
    }

    /// `source` with this body replaced by `{ <statement> }`, indented like the function.
    pub fn replaced(&self, source: &str, statement: &str) -> String {
        let indent = &self.indent;
        let body = format!("{{\n{indent}    {statement}\n{indent}}}");
        format!(
            "{}{body}{}",
            &source[..self.span.start],
            &source[self.span.end..]
        )
    }
}

/// Finds the body of `item` (see the module's doc for how items are written) in `source`.
/// The error says what is missing or ambiguous, in a few words.
pub fn find(source: &str, item: &str) -> Result<Body, String> {
    let tokens = tokens(source)?;
    let wanted = Item::parse(item)?;
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].tok {
            Tok::Word(word) if word == "fn" => {
                let name = next_word(&tokens, i + 1);
                if matches!(&wanted, Item::Function(wanted) if name == Some(wanted)) {
                    found.push((i, fn_body(&tokens, i)?));
                }
                i = skip_item(&tokens, i)?;
            }
            Tok::Word(word) if word == "impl" => {
                let open = find_open(&tokens, i)?;
                if tokens[open].tok != Tok::Punct('{') {
                    i = open + 1;
                    continue;
                }
                let close = matching(&tokens, open)?;
                if wanted.matches_header(&tokens[i + 1..open]) {
                    found.extend(methods(&tokens, open, close, wanted.method())?);
                }
                i = close + 1;
            }
            Tok::Punct('{') => i = matching(&tokens, i)? + 1,
            _ => i += 1,
        }
    }
    match found.len() {
        1 => Ok(body(source, &tokens, found[0])),
        0 => Err(format!("no `{item}` found")),
        n => Err(format!("`{item}` found {n} times: name it more precisely")),
    }
}

/// Every word of `source` outside comments and literals: its keywords and names.
pub fn words(source: &str) -> Result<BTreeSet<String>, String> {
    Ok(tokens(source)?
        .into_iter()
        .filter_map(|token| match token.tok {
            Tok::Word(word) => Some(word),
            _ => None,
        })
        .collect())
}

/// What an exercise's `item` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// `name`: a free function.
    Function(String),
    /// `Type::name` (no trait), or `impl Trait for Type: name`.
    Method {
        /// The trait's last path segment, for a trait's `impl`.
        of_trait: Option<String>,
        /// The type's name, without its path or generics.
        self_type: String,
        /// The method.
        name: String,
    },
}

impl Item {
    fn parse(item: &str) -> Result<Item, String> {
        let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_alphanumeric() || c == '_');
        let bad =
            || format!("cannot read item `{item}`: write `f`, `Type::f` or `impl T for Type: f`");
        if let Some(rest) = item.strip_prefix("impl ") {
            let (header, name) = rest.split_once(':').ok_or_else(bad)?;
            let (of_trait, self_type) = header.split_once(" for ").ok_or_else(bad)?;
            let (of_trait, self_type, name) = (of_trait.trim(), self_type.trim(), name.trim());
            return match word(of_trait) && word(self_type) && word(name) {
                true => Ok(Item::Method {
                    of_trait: Some(of_trait.into()),
                    self_type: self_type.into(),
                    name: name.into(),
                }),
                false => Err(bad()),
            };
        }
        match item.split_once("::") {
            Some((self_type, name)) if word(self_type) && word(name) => Ok(Item::Method {
                of_trait: None,
                self_type: self_type.into(),
                name: name.into(),
            }),
            None if word(item) => Ok(Item::Function(item.into())),
            _ => Err(bad()),
        }
    }

    fn method(&self) -> &str {
        match self {
            Item::Function(name) | Item::Method { name, .. } => name,
        }
    }

    /// Whether an `impl` header (the tokens between `impl` and `{`) is the one wanted.
    fn matches_header(&self, header: &[Token]) -> bool {
        let Item::Method {
            of_trait,
            self_type,
            ..
        } = self
        else {
            return false;
        };
        // Leave out the generics right after `impl`, and the `where` clause.
        let start = match header.first().map(|t| &t.tok) {
            Some(Tok::Punct('<')) => close_angle(header, 0) + 1,
            _ => 0,
        };
        let header = &header[start.min(header.len())..];
        let end = top_level(header, |t| *t == Tok::Word("where".into())).unwrap_or(header.len());
        let header = &header[..end];
        let (trait_part, type_part) = match top_level(header, |t| *t == Tok::Word("for".into())) {
            Some(at) => (Some(&header[..at]), &header[at + 1..]),
            None => (None, header),
        };
        let trait_name = trait_part.map(last_top_level_word);
        trait_name.flatten() == of_trait.as_deref()
            && last_top_level_word(type_part) == Some(self_type.as_str())
    }
}

/// The index of the first token outside angle brackets for which `is` holds.
fn top_level(tokens: &[Token], is: impl Fn(&Tok) -> bool) -> Option<usize> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate() {
        match token.tok {
            Tok::Punct('<') => depth += 1,
            Tok::Punct('>') => depth = depth.saturating_sub(1),
            ref tok if depth == 0 && is(tok) => return Some(i),
            _ => {}
        }
    }
    None
}

/// The last word outside angle brackets: `Generator` in `crate::Generator<T, F>`.
fn last_top_level_word(tokens: &[Token]) -> Option<&str> {
    let mut depth = 0usize;
    let mut last = None;
    for token in tokens {
        match &token.tok {
            Tok::Punct('<') => depth += 1,
            Tok::Punct('>') => depth = depth.saturating_sub(1),
            Tok::Word(word) if depth == 0 => last = Some(word.as_str()),
            _ => {}
        }
    }
    last
}

/// The index of the `>` that closes the `<` at `open`.
fn close_angle(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.tok {
            Tok::Punct('<') => depth += 1,
            Tok::Punct('>') if depth <= 1 => return i,
            Tok::Punct('>') => depth -= 1,
            _ => {}
        }
    }
    tokens.len()
}

fn next_word(tokens: &[Token], at: usize) -> Option<&str> {
    match tokens.get(at).map(|t| &t.tok) {
        Some(Tok::Word(word)) => Some(word),
        _ => None,
    }
}

/// The methods `name` directly inside the `impl` block `open..=close`: where each one's `fn`
/// is, and where its body opens.
fn methods(
    tokens: &[Token],
    open: usize,
    close: usize,
    name: &str,
) -> Result<Vec<(usize, usize)>, String> {
    let mut found = Vec::new();
    let mut i = open + 1;
    while i < close {
        match &tokens[i].tok {
            Tok::Word(word) if word == "fn" => {
                if next_word(tokens, i + 1) == Some(name) {
                    found.push((i, fn_body(tokens, i)?));
                }
                i = skip_item(tokens, i)?;
            }
            Tok::Punct('{') => i = matching(tokens, i)? + 1,
            _ => i += 1,
        }
    }
    Ok(found)
}

/// The index of the `{` that opens the body of the `fn` at `at`.
fn fn_body(tokens: &[Token], at: usize) -> Result<usize, String> {
    let open = find_open(tokens, at)?;
    match tokens[open].tok {
        Tok::Punct('{') => Ok(open),
        _ => Err("a function without a body".into()),
    }
}

/// The index just past the item that starts at `at`: past its block, or its `;`.
fn skip_item(tokens: &[Token], at: usize) -> Result<usize, String> {
    let open = find_open(tokens, at)?;
    match tokens[open].tok {
        Tok::Punct('{') => Ok(matching(tokens, open)? + 1),
        _ => Ok(open + 1),
    }
}

/// From `at`, the first `{` or `;` outside parentheses and brackets: where an item's block
/// starts, or where an item without one ends.
fn find_open(tokens: &[Token], at: usize) -> Result<usize, String> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(at) {
        match token.tok {
            Tok::Punct('(' | '[') => depth += 1,
            Tok::Punct(')' | ']') => depth = depth.saturating_sub(1),
            Tok::Punct('{' | ';') if depth == 0 => return Ok(i),
            _ => {}
        }
    }
    Err("an item that never opens its block".into())
}

/// The index of the bracket that closes the one at `open`.
fn matching(tokens: &[Token], open: usize) -> Result<usize, String> {
    let mut stack = Vec::new();
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.tok {
            Tok::Punct(c @ ('{' | '(' | '[')) => stack.push(c),
            Tok::Punct(c @ ('}' | ')' | ']')) => {
                let opened = stack.pop();
                if opened != Some(opening(c)) {
                    return Err(format!("unbalanced `{c}` at byte {}", token.at.start));
                }
                if stack.is_empty() {
                    return Ok(i);
                }
            }
            _ => {}
        }
    }
    Err(format!(
        "a block at byte {} never closes",
        tokens[open].at.start
    ))
}

fn opening(close: char) -> char {
    match close {
        '}' => '{',
        ')' => '(',
        _ => '[',
    }
}

/// The [`Body`] of the function whose `fn` and `{` are the tokens at `at`.
fn body(source: &str, tokens: &[Token], (fn_at, open): (usize, usize)) -> Body {
    let close = matching(tokens, open).unwrap_or(open); // found once already
    let span = tokens[open].at.start..tokens[close].at.end;
    let line_start = source[..span.end].rfind('\n').map_or(0, |i| i + 1);
    let indent = source[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let signature = &tokens[fn_at..open];
    let returns = signature.iter().position(|t| t.tok == Tok::Arrow);
    let returns_impl = returns.is_some_and(|arrow| {
        let output = &signature[arrow..];
        let end = top_level(output, |t| *t == Tok::Word("where".into())).unwrap_or(output.len());
        output[..end]
            .iter()
            .any(|t| t.tok == Tok::Word("impl".into()))
    });
    Body {
        span,
        indent,
        returns_impl,
    }
}

mod tokens;

#[cfg(test)]
mod tests;
