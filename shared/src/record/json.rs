//! One event as one line of JSON: numbers, booleans, null and strings, nothing nested. Written by
//! hand because this crate takes no JSON library for so little; `xtask` reads it with
//! `serde_json`, and its tests read back every character a client could send.

use std::fmt::Write;

/// A JSON object being written, one field at a time: `{"e":"polls","task":3,…}`.
pub(crate) struct Line(String);

impl Line {
    /// An object whose `e` (the kind of event) is `kind`.
    pub(crate) fn new(kind: &str) -> Line {
        let mut line = Line(String::from("{"));
        line.push_key("e");
        string(&mut line.0, kind);
        line
    }

    /// Adds `"key":value`, a whole number.
    pub(crate) fn num(mut self, key: &str, value: impl Into<u64>) -> Line {
        self.push_key(key);
        let _ = write!(self.0, "{}", value.into());
        self
    }

    /// Adds `"key":value`, a number or `null`.
    pub(crate) fn opt(mut self, key: &str, value: Option<u64>) -> Line {
        self.push_key(key);
        match value {
            Some(value) => {
                let _ = write!(self.0, "{value}");
            }
            None => self.0.push_str("null"),
        }
        self
    }

    /// Adds `"key":true` or `false`.
    pub(crate) fn flag(mut self, key: &str, value: bool) -> Line {
        self.push_key(key);
        self.0.push_str(if value { "true" } else { "false" });
        self
    }

    /// Adds `"key":"value"`, escaped.
    pub(crate) fn text(mut self, key: &str, value: &str) -> Line {
        self.push_key(key);
        string(&mut self.0, value);
        self
    }

    /// The finished object, without a line end.
    pub(crate) fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }

    /// `,"key":` (no comma before the first).
    fn push_key(&mut self, key: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        string(&mut self.0, key);
        self.0.push(':');
    }
}

/// Appends `text` as a JSON string: quotes, backslashes and every control character escaped
/// (JSON allows none of U+0000–U+001F raw), the rest as it is.
fn string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::Line;

    #[test]
    fn text_from_outside_is_escaped() {
        let line = Line::new("say")
            .num("t", 5u64)
            .opt("task", None)
            .flag("ready", true)
            .text("text", "a \"quote\", a \\ and \u{1}\n</script>")
            .end();
        assert_eq!(
            line,
            r#"{"e":"say","t":5,"task":null,"ready":true,"text":"a \"quote\", a \\ and \u0001\n</script>"}"#
        );
    }
}
