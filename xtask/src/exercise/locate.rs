//! Where a function's body is in a Rust file, found by `syn` (the file parsed as Rust) with the
//! byte offsets that `proc-macro2` keeps for every token (its `span-locations` feature).
//!
//! An item is written as the code reads:
//! - `run_task`: a free function of the file (not one nested in a `mod` or an `impl`);
//! - `Loop::fire_due_timers`: a method of an inherent `impl Loop` (generics do not matter);
//! - `impl Wake for TaskWaker: wake_by_ref`: a method of a trait's `impl` for a type.
//!
//! A file that does not parse (a participant's, half written) has no body to find: the error
//! says where the parser stopped, so that the message points at the line to mend.

use std::collections::BTreeSet;
use std::ops::Range;

use proc_macro2::{TokenStream, TokenTree};
use syn::{GenericArgument, ImplItem, Item as SynItem, PathArguments, ReturnType, Type};

/// The body of one function, as found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// From its `{` to its `}`, both included, in bytes.
    pub span: Range<usize>,
    /// The whole function, from its signature (its `async` or `fn`) to its `}`, in bytes: where
    /// the compiler's warnings about its parameters point.
    pub function: Range<usize>,
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

    /// Whether the body still holds a `todo!`: an exercise not written yet. Read as tokens, so
    /// that a `todo!()` in a comment or a string does not count.
    pub fn is_todo(&self, source: &str) -> bool {
        self.text(source)
            .parse::<TokenStream>()
            .is_ok_and(holds_todo)
    }

    /// `source` with this body replaced by `body` (a block, braces included, written from the
    /// left margin as [`Body::dedented`] gives it), indented like the function.
    pub fn with_body(&self, source: &str, body: &str) -> String {
        let indent = &self.indent;
        // Each line after the first moved in by the function's indentation; blank ones stay
        // blank.
        let lines: Vec<String> = body
            .lines()
            .enumerate()
            .map(|(i, line)| match i == 0 || line.trim().is_empty() {
                true => line.to_owned(),
                false => format!("{indent}{line}"),
            })
            .collect();
        let body = lines.join("\n");
        format!(
            "{}{body}{}",
            &source[..self.span.start],
            &source[self.span.end..]
        )
    }

    /// `source` with this body replaced by `{ <statement> }`, indented like the function.
    pub fn replaced(&self, source: &str, statement: &str) -> String {
        let indent = &self.indent;
        let statement = statement.replace('\n', &format!("\n{indent}    "));
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
    let wanted = Item::parse(item)?;
    let file = parse(source)?;
    let mut found: Vec<(&syn::Signature, &syn::Block)> = Vec::new();
    for top in &file.items {
        match (top, &wanted) {
            (SynItem::Fn(function), Item::Function(name)) if function.sig.ident == name => {
                found.push((&function.sig, &function.block));
            }
            (SynItem::Impl(block), Item::Method { name, .. }) if wanted.matches(block) => {
                found.extend(block.items.iter().filter_map(|inner| match inner {
                    ImplItem::Fn(method) if method.sig.ident == name => {
                        Some((&method.sig, &method.block))
                    }
                    _ => None,
                }));
            }
            _ => {}
        }
    }
    match found[..] {
        [(signature, block)] => Ok(body(source, signature, block)),
        [] => Err(format!("no `{item}` found")),
        _ => Err(format!(
            "`{item}` found {} times: name it more precisely",
            found.len()
        )),
    }
}

/// `source` parsed as a file of Rust, or where the parser stopped.
pub fn parse(source: &str) -> Result<syn::File, String> {
    syn::parse_str(source).map_err(|error| {
        let at = error.span().start();
        format!(
            "it does not parse as Rust (line {}, column {}: {error})",
            at.line,
            at.column + 1
        )
    })
}

/// Every word of `source` outside comments and literals: its keywords and names.
pub fn words(source: &str) -> Result<BTreeSet<String>, String> {
    let tokens: TokenStream = source.parse().map_err(|e| format!("{e}"))?;
    let mut words = BTreeSet::new();
    collect_words(tokens, &mut words);
    Ok(words)
}

/// Every word of the bodies of the functions of `source` whose name is on line `line` (from 1):
/// what the code a warning points at uses. Free functions, methods, and those of modules.
pub fn words_of_functions_at(source: &str, line: usize) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    if let Ok(file) = syn::parse_str::<syn::File>(source) {
        functions(&file.items, &mut |ident, block| {
            if ident.span().start().line == line {
                let text = &source[block.brace_token.span.join().byte_range()];
                words.extend(self::words(text).unwrap_or_default());
            }
        });
    }
    words
}

/// Calls `each` with the name and block of every function of `items`, those of `impl` blocks,
/// traits (with a default body) and inline modules included.
fn functions(items: &[SynItem], each: &mut dyn FnMut(&syn::Ident, &syn::Block)) {
    for item in items {
        match item {
            SynItem::Fn(function) => each(&function.sig.ident, &function.block),
            SynItem::Mod(module) => {
                if let Some((_, items)) = &module.content {
                    functions(items, each);
                }
            }
            SynItem::Impl(block) => {
                for inner in &block.items {
                    if let ImplItem::Fn(method) = inner {
                        each(&method.sig.ident, &method.block);
                    }
                }
            }
            SynItem::Trait(block) => {
                for inner in &block.items {
                    if let syn::TraitItem::Fn(syn::TraitItemFn {
                        sig,
                        default: Some(body),
                        ..
                    }) = inner
                    {
                        each(&sig.ident, body);
                    }
                }
            }
            _ => {}
        }
    }
}

fn collect_words(tokens: TokenStream, words: &mut BTreeSet<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => {
                let word = ident.to_string();
                let word = word.strip_prefix("r#").map_or(word.clone(), str::to_owned);
                words.insert(word);
            }
            TokenTree::Group(group) => collect_words(group.stream(), words),
            TokenTree::Punct(_) | TokenTree::Literal(_) => {}
        }
    }
}

/// Whether the tokens hold `todo` `!`, at any depth.
fn holds_todo(tokens: TokenStream) -> bool {
    let mut previous_is_todo = false;
    for tree in tokens {
        match tree {
            TokenTree::Punct(punct) if punct.as_char() == '!' && previous_is_todo => return true,
            TokenTree::Group(group) if holds_todo(group.stream()) => return true,
            TokenTree::Ident(ident) => {
                previous_is_todo = ident == "todo";
                continue;
            }
            _ => {}
        }
        previous_is_todo = false;
    }
    false
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

    /// Whether an `impl` block is the one wanted: the same trait (or none) for the same type,
    /// each compared by the last segment of its path.
    fn matches(&self, block: &syn::ItemImpl) -> bool {
        let Item::Method {
            of_trait,
            self_type,
            ..
        } = self
        else {
            return false;
        };
        let trait_name = block
            .trait_
            .as_ref()
            .and_then(|(path, _)| path.segments.last())
            .map(|segment| segment.ident.to_string());
        let type_name = match &*block.self_ty {
            Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        trait_name == *of_trait && type_name.as_deref() == Some(self_type.as_str())
    }
}

/// The [`Body`] of a function, from its signature and its block.
fn body(source: &str, signature: &syn::Signature, block: &syn::Block) -> Body {
    let span = block.brace_token.span.join().byte_range();
    let line_start = source[..span.end].rfind('\n').map_or(0, |i| i + 1);
    let indent = source[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let returns_impl = match &signature.output {
        ReturnType::Type(_, output) => holds_impl(output),
        ReturnType::Default => false,
    };
    let start = signature
        .asyncness
        .as_ref()
        .map_or(signature.fn_token.span, |token| token.span)
        .byte_range()
        .start;
    Body {
        function: start.min(span.start)..span.end,
        span,
        indent,
        returns_impl,
    }
}

/// Whether a type is, or holds, an `impl Trait`: `impl Fn()`, `Box<impl Fn()>`, `(u8, impl
/// Fn())`, … but not `Box<dyn Fn() -> u8>`.
fn holds_impl(ty: &Type) -> bool {
    match ty {
        Type::ImplTrait(_) => true,
        Type::Array(inner) => holds_impl(&inner.elem),
        Type::Group(inner) => holds_impl(&inner.elem),
        Type::Paren(inner) => holds_impl(&inner.elem),
        Type::Ptr(inner) => holds_impl(&inner.elem),
        Type::Reference(inner) => holds_impl(&inner.elem),
        Type::Slice(inner) => holds_impl(&inner.elem),
        Type::Tuple(tuple) => tuple.elems.iter().any(holds_impl),
        Type::Path(path) => path
            .path
            .segments
            .iter()
            .any(|segment| match &segment.arguments {
                PathArguments::AngleBracketed(generics) => {
                    generics.args.iter().any(|argument| match argument {
                        GenericArgument::Type(ty) => holds_impl(ty),
                        GenericArgument::AssocType(assoc) => holds_impl(&assoc.ty),
                        _ => false,
                    })
                }
                PathArguments::Parenthesized(_) | PathArguments::None => false,
            }),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
