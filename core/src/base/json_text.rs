//! JSON text to a serde_json [`Value`], by hand: the page's one JSON parser (share links and
//! console bodies). Why not `serde_json::from_str`: its text parser, and the exact float parsing
//! (`float_roundtrip`) a share link needs so that a replay reads back the very doubles the run
//! used, cost the page's `.wasm` about 12 KB gzipped (docs/size.md). Here doubles go through
//! `base::float::parse_f64`, exact and already on the page for the forms. serde_json stays the
//! reference: the tests below check that both parse the same
//! documents to the same values and refuse the same ones.
//!
//! RFC 8259, as serde_json reads it: integers become `u64` or `i64` when they fit and `f64`
//! otherwise, a later duplicate key replaces an earlier one, nesting stops at 127 levels (so
//! hostile input cannot overflow the stack), and non-finite numbers are refused.

use serde_json::{Map, Number, Value};

/// serde_json's default recursion limit of 128 lets 127 levels nest.
const MAX_DEPTH: usize = 127;

/// Parse one JSON document; the error names what was expected and the byte offset.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        at: 0,
        depth: 0,
    };
    let v = p.value()?;
    p.skip_ws();
    if p.at < p.s.len() {
        return Err(p.error("end of input"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, expected: &str) -> String {
        match self.s.get(self.at) {
            Some(&b) if b.is_ascii_graphic() => {
                format!(
                    "expected {expected} at byte {}, found '{}'",
                    self.at, b as char
                )
            }
            Some(_) => format!("expected {expected} at byte {}", self.at),
            None => format!("expected {expected}, found the end of input"),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.at) {
            self.at += 1;
        }
    }

    /// Skips whitespace, then consumes `b` if it comes next.
    fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        let found = self.s.get(self.at) == Some(&b);
        self.at += usize::from(found);
        found
    }

    fn value(&mut self) -> Result<Value, String> {
        self.skip_ws();
        match self.s.get(self.at) {
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => self.literal(),
        }
    }

    fn literal(&mut self) -> Result<Value, String> {
        for (word, v) in [
            (&b"null"[..], Value::Null),
            (b"true", Value::Bool(true)),
            (b"false", Value::Bool(false)),
        ] {
            if self.s[self.at..].starts_with(word) {
                self.at += word.len();
                return Ok(v);
            }
        }
        Err(self.error("a value"))
    }

    fn nested(&mut self, read: fn(&mut Self) -> Result<Value, String>) -> Result<Value, String> {
        if self.depth == MAX_DEPTH {
            return Err(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        self.depth += 1;
        self.at += 1; // the opening bracket
        let v = read(self);
        self.depth -= 1;
        v
    }

    fn array(&mut self) -> Result<Value, String> {
        let mut items = Vec::new();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error("',' or ']'"));
            }
        }
    }

    fn object(&mut self) -> Result<Value, String> {
        let mut map = Map::new();
        if self.eat(b'}') {
            return Ok(Value::Object(map));
        }
        loop {
            self.skip_ws();
            if self.s.get(self.at) != Some(&b'"') {
                return Err(self.error("a string key"));
            }
            let key = self.string()?;
            if !self.eat(b':') {
                return Err(self.error("':'"));
            }
            map.insert(key, self.value()?);
            if self.eat(b'}') {
                return Ok(Value::Object(map));
            }
            if !self.eat(b',') {
                return Err(self.error("',' or '}'"));
            }
        }
    }

    /// A string, the opening quote next.
    fn string(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let start = self.at;
            while let Some(&b) = self.s.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.extend_from_slice(&self.s[start..self.at]);
            match self.s.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    // The input is a `str` and every escape writes whole UTF-8 sequences.
                    return String::from_utf8(out).map_err(|_| "invalid UTF-8 in a string".into());
                }
                Some(b'\\') => {
                    self.at += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => {
                    return Err(
                        self.error("a string character (control characters must be escaped)")
                    )
                }
                None => return Err(self.error("'\"'")),
            }
        }
    }

    /// One escape, after its backslash.
    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        let plain = match self.s.get(self.at) {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 8,
            Some(b'f') => 12,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => {
                self.at += 1;
                let c = self.unicode_escape()?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                return Ok(());
            }
            _ => return Err(self.error("an escape character")),
        };
        self.at += 1;
        out.push(plain);
        Ok(())
    }

    /// The code point of `XXXX` (after `\u`), or of a surrogate pair `XXXX\uYYYY`.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if !self.s[self.at..].starts_with(b"\\u") {
                return Err(self.error("the low half of a surrogate pair"));
            }
            self.at += 2;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err("invalid low surrogate in a \\u escape".into());
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code).ok_or_else(|| "a lone surrogate in a \\u escape".into())
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.s.get(self.at..self.at + 4).unwrap_or_default();
        let mut code = 0;
        for &d in digits {
            let v = char::from(d)
                .to_digit(16)
                .ok_or_else(|| self.error("4 hex digits"))?;
            code = code * 16 + v;
        }
        if digits.len() < 4 {
            return Err(self.error("4 hex digits"));
        }
        self.at += 4;
        Ok(code)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.s.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.at;
        let negative = self.s[self.at] == b'-';
        self.at += usize::from(negative);
        let int_start = self.at;
        if self.digits() == 0 {
            return Err(self.error("a digit"));
        }
        if self.s[int_start] == b'0' && self.at - int_start > 1 {
            self.at = int_start + 1;
            return Err(self.error("no digit after a leading 0"));
        }
        let mut integer = true;
        if self.s.get(self.at) == Some(&b'.') {
            self.at += 1;
            integer = false;
            if self.digits() == 0 {
                return Err(self.error("a digit after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.at) {
            self.at += 1;
            integer = false;
            if let Some(b'+' | b'-') = self.s.get(self.at) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("a digit in the exponent"));
            }
        }
        // ASCII digits and signs only, so this slice is valid UTF-8.
        let text = std::str::from_utf8(&self.s[start..self.at]).unwrap_or_default();
        if integer {
            if let Ok(n) = text.parse::<u64>() {
                return Ok(Value::Number(n.into()));
            }
            // serde_json reads "-0" as the double -0.0.
            if let Ok(n @ (..=-1)) = text.parse::<i64>() {
                return Ok(Value::Number(n.into()));
            }
        }
        crate::base::float::parse_f64(text)
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("number out of range at byte {start}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// serde_json (with `float_roundtrip`, as the core's tests build it) is the reference.
    fn agree(text: &str) {
        let ours = parse(text);
        let theirs = serde_json::from_str::<Value>(text);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "different values for {text:?}");
                // `Value`'s equality compares numbers by kind and value; the kind must agree too
                // (u64, i64 or f64), as a typed reader asks for it.
                assert_eq!(
                    serde_json::to_string(a).unwrap(),
                    serde_json::to_string(b).unwrap()
                );
            }
            (Err(_), Err(_)) => {}
            _ => panic!("{text:?}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }

    #[test]
    fn agrees_with_serde_json_on_hand_picked_documents() {
        for text in [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "1",
            "-1",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "0.1",
            "0.30000000000000004",
            "1e400",
            "-1e400",
            "1e-400",
            "2.5E+3",
            "1E2",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "\"\"",
            "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
            "\"\\u00e9\\u20AC\\ud83d\\ude00\"",
            "\"\\ud83d\"",
            "\"\\ude00\"",
            "\"\\ud83dx\"",
            "\"\\u12\"",
            "\"\\x\"",
            "\"tab\tinside\"",
            "\"unterminated",
            "\"é€😀\"",
            "[]",
            "[ ]",
            "[1,2 , 3]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "{}",
            "{ }",
            "{\"a\":1}",
            "{\"a\":1,\"a\":2}",
            "{\"a\" : [ {\"b\" : null} ] }",
            "{\"a\":1,}",
            "{a:1}",
            "{\"a\" 1}",
            "{\"a\":1 \"b\":2}",
            "[1] x",
            "",
            "   ",
            "nul",
            "truex",
            "[true,",
            "{\"a\":",
            "\u{feff}1",
            "[1]\n",
        ] {
            agree(text);
        }
    }

    #[test]
    fn nesting_is_limited_instead_of_overflowing_the_stack() {
        agree(&"[".repeat(127));
        agree(&format!("{}{}", "[".repeat(128), "]".repeat(128)));
        agree(&format!("{}{}", "[".repeat(129), "]".repeat(129)));
        assert!(parse(&"[".repeat(100_000))
            .unwrap_err()
            .contains("127 levels"));
    }

    #[test]
    fn errors_say_what_was_expected_and_where() {
        assert_eq!(
            parse("[1 2]").unwrap_err(),
            "expected ',' or ']' at byte 3, found '2'"
        );
        assert_eq!(
            parse("{\"a\":").unwrap_err(),
            "expected a value, found the end of input"
        );
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((".{0,4}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Every document serde_json writes, compact or pretty, reads back to the same value:
        /// doubles exactly (the share link's replay needs the very doubles the run used).
        #[test]
        fn reads_back_what_serde_json_writes(v in json_value()) {
            let compact = serde_json::to_string(&v).unwrap();
            prop_assert_eq!(parse(&compact).unwrap(), v.clone());
            agree(&serde_json::to_string_pretty(&v).unwrap());
        }

        /// Any text, valid or not, gives the same verdict as serde_json, and never a panic.
        #[test]
        fn agrees_on_arbitrary_text(text in "[\\[\\]{}\":,0-9eE.+\\-a-z\\\\ ]{0,24}") {
            agree(&text);
        }

        #[test]
        fn agrees_on_one_edit_of_a_document(v in json_value(), at in any::<prop::sample::Index>(), b in any::<u8>()) {
            let mut bytes = serde_json::to_string(&v).unwrap().into_bytes();
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            if let Ok(text) = String::from_utf8(bytes) {
                agree(&text);
            }
        }
    }
}
