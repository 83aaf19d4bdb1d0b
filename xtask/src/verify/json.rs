//! Just enough JSON to read cargo's messages (`--message-format=json`), one object a line:
//! which test binaries a build made, and where its first error is.

/// A JSON value. Numbers are kept as written: cargo's messages are read for their strings.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`, and also what a missing key reads as.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, its keys in the order written.
    Object(Vec<(String, Json)>),
}

/// What `get` returns for a missing key or a value of another kind.
static NULL: Json = Json::Null;

impl Json {
    /// The value of `key` in an object, or `Null`.
    pub fn get(&self, key: &str) -> &Json {
        match self {
            Json::Object(fields) => fields
                .iter()
                .find(|(k, _)| k == key)
                .map_or(&NULL, |(_, v)| v),
            _ => &NULL,
        }
    }

    /// The string, if this is one.
    pub fn str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is an array (none otherwise).
    pub fn items(&self) -> &[Json] {
        match self {
            Json::Array(items) => items,
            _ => &[],
        }
    }
}

/// Reads one JSON value that fills `text` (blanks around it allowed).
pub fn parse(text: &str) -> Result<Json, String> {
    let mut reader = Reader {
        chars: text.chars().collect(),
        at: 0,
    };
    let value = reader.value()?;
    reader.blank();
    match reader.at == reader.chars.len() {
        true => Ok(value),
        false => Err(format!("text after the value, at {}", reader.at)),
    }
}

struct Reader {
    chars: Vec<char>,
    at: usize,
}

impl Reader {
    fn blank(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn next(&mut self) -> Result<char, String> {
        let c = self.chars.get(self.at).copied().ok_or("unexpected end")?;
        self.at += 1;
        Ok(c)
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        self.blank();
        match self.next()? {
            found if found == c => Ok(()),
            found => Err(format!(
                "expected `{c}`, found `{found}` at {}",
                self.at - 1
            )),
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.blank();
        let c = self.chars.get(self.at).copied().ok_or("unexpected end")?;
        match c {
            '{' => self.object(),
            '[' => self.array(),
            '"' => self.string().map(Json::String),
            't' => self.word("true", Json::Bool(true)),
            'f' => self.word("false", Json::Bool(false)),
            'n' => self.word("null", Json::Null),
            c if c == '-' || c.is_ascii_digit() => {
                let start = self.at;
                while self
                    .chars
                    .get(self.at)
                    .is_some_and(|c| c.is_ascii_digit() || "+-.eE".contains(*c))
                {
                    self.at += 1;
                }
                Ok(Json::Number(self.chars[start..self.at].iter().collect()))
            }
            other => Err(format!("unexpected `{other}` at {}", self.at)),
        }
    }

    fn word(&mut self, word: &str, value: Json) -> Result<Json, String> {
        let end = self.at + word.chars().count();
        let found: String = self.chars.get(self.at..end).unwrap_or(&[]).iter().collect();
        self.at = end;
        match found == word {
            true => Ok(value),
            false => Err(format!("expected `{word}` at {}", end - word.len())),
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.expect('{')?;
        let mut fields = Vec::new();
        self.blank();
        if self.chars.get(self.at) == Some(&'}') {
            self.at += 1;
            return Ok(Json::Object(fields));
        }
        loop {
            self.blank();
            let key = self.string()?;
            self.expect(':')?;
            fields.push((key, self.value()?));
            self.blank();
            match self.next()? {
                ',' => continue,
                '}' => return Ok(Json::Object(fields)),
                other => return Err(format!("unexpected `{other}` in an object")),
            }
        }
    }

    fn array(&mut self) -> Result<Json, String> {
        self.expect('[')?;
        let mut items = Vec::new();
        self.blank();
        if self.chars.get(self.at) == Some(&']') {
            self.at += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.blank();
            match self.next()? {
                ',' => continue,
                ']' => return Ok(Json::Array(items)),
                other => return Err(format!("unexpected `{other}` in an array")),
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect('"')?;
        let mut text = String::new();
        loop {
            match self.next()? {
                '"' => return Ok(text),
                '\\' => match self.next()? {
                    'n' => text.push('\n'),
                    't' => text.push('\t'),
                    'r' => text.push('\r'),
                    'b' => text.push('\u{8}'),
                    'f' => text.push('\u{c}'),
                    'u' => text.push(self.unicode()?),
                    c => text.push(c), // `"`, `\` and `/` stand for themselves
                },
                c => text.push(c),
            }
        }
    }

    /// After `\u`: four hex digits, or a surrogate pair of two escapes.
    fn unicode(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        if !(0xD800..0xDC00).contains(&first) {
            return Ok(char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        if self.next()? != '\\' || self.next()? != 'u' {
            return Ok(char::REPLACEMENT_CHARACTER);
        }
        let second = self.hex4()?;
        let code = 0x10000 + ((first - 0xD800) << 10) + (second.wrapping_sub(0xDC00) & 0x3FF);
        Ok(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits: String = (0..4).map(|_| self.next()).collect::<Result<_, _>>()?;
        u32::from_str_radix(&digits, 16).map_err(|_| format!("a bad escape \\u{digits}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cargo_artifact_line() {
        let line = r#"{"reason":"compiler-artifact","target":{"kind":["test"],"name":"timers"},
            "profile":{"test":true,"opt_level":"0"},"executable":"/t/timers-1a","fresh":false,
            "filenames":[],"n":-1.5e3}"#;
        let json = parse(line).expect("parse");
        assert_eq!(json.get("reason").str(), Some("compiler-artifact"));
        assert_eq!(json.get("target").get("name").str(), Some("timers"));
        assert_eq!(
            json.get("target").get("kind").items()[0].str(),
            Some("test")
        );
        assert_eq!(json.get("profile").get("test"), &Json::Bool(true));
        assert_eq!(json.get("executable").str(), Some("/t/timers-1a"));
        assert_eq!(json.get("n"), &Json::Number("-1.5e3".into()));
        assert_eq!(json.get("missing"), &Json::Null);
    }

    #[test]
    fn escapes() {
        let json = parse(r#"["a\"b\\c\n", "\u00e9\ud83d\ude00", "\/"]"#).expect("parse");
        let strings: Vec<&str> = json.items().iter().filter_map(Json::str).collect();
        assert_eq!(strings, ["a\"b\\c\n", "é😀", "/"]);
    }

    #[test]
    fn broken_text_is_an_error_not_a_panic() {
        for text in [
            "{",
            "[1,",
            "\"abc",
            "{\"a\" 1}",
            "tru",
            "[1] 2",
            "\"\\u12\"",
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }
}
