//! The common JSON Lines record read without building a `serde_json::Value` of it.
//!
//! Parsing each line into a `Value` (a map, a `String` per key, the text grown by doubling in
//! serde_json's scratch buffer and then copied) was most of the cost of reading a corpus for
//! `stemma dedup`. [`parse_plain`] reads a line that is a flat JSON object whose `"text"` is a
//! string: the text is unescaped straight into a `String` of its size, every other field's
//! value is handed to serde_json (so it is validated and kept exactly as before). Anything
//! else (a key with an escape, `"text"` or `"id"` twice, a raw control character, a value
//! nested deep, anything malformed) returns `None`, and the caller parses the line with
//! serde_json as before, which gives the same record or the exact error: this path only
//! ever accepts lines serde_json accepts, with the same result.

use serde_json::{Map, Value};

/// A record's fields: `"text"`, `"id"` and the others.
pub(crate) struct Fields {
    pub text: Option<Value>,
    pub id: Option<Value>,
    pub rest: Map<String, Value>,
}

/// Nesting allowed inside a field's value here (serde_json allows 128 in all; deeper values
/// go the slow way, which applies serde_json's own limit).
const MAX_DEPTH: usize = 100;

/// The fields of `line` (without its line end) when it is a plain record, or `None` (see the
/// module docs).
pub(crate) fn parse_plain(line: &[u8]) -> Option<Fields> {
    // JSON's whitespace at the end (a CRLF file's carriage return), not all of ASCII's.
    let end = line.len()
        - line
            .iter()
            .rev()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r'))
            .count();
    let line = &line[..end];
    let mut p = Parser { b: line, i: 0 };
    p.spaces();
    p.expect(b'{')?;
    p.spaces();
    let mut fields = Fields {
        text: None,
        id: None,
        rest: Map::new(),
    };
    loop {
        let key = p.plain_key()?;
        p.spaces();
        p.expect(b':')?;
        p.spaces();
        match key {
            "text" if fields.text.is_some() => return None,
            "text" => fields.text = Some(Value::String(p.string_value()?)),
            _ => {
                let start = p.i;
                p.skip_value()?;
                let value: Value = serde_json::from_slice(&line[start..p.i]).ok()?;
                if key == "id" {
                    if fields.id.is_some() {
                        return None;
                    }
                    fields.id = Some(value);
                } else {
                    fields.rest.insert(key.to_string(), value);
                }
            }
        }
        p.spaces();
        match p.next()? {
            b',' => p.spaces(),
            b'}' => break,
            _ => return None,
        }
    }
    p.spaces();
    (p.i == line.len()).then_some(fields)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> Option<u8> {
        let c = *self.b.get(self.i)?;
        self.i += 1;
        Some(c)
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    /// Skip spaces (the only whitespace left: control characters were refused).
    fn spaces(&mut self) {
        while self.b.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
    }

    /// A key without escapes or control characters.
    fn plain_key(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.i;
        let end = find_special(self.b, start);
        if self.b.get(end) != Some(&b'"') {
            return None;
        }
        self.i = end + 1;
        std::str::from_utf8(&self.b[start..end]).ok()
    }

    /// A string value, unescaped (`None` for a raw control character or an escape serde_json
    /// refuses or treats specially).
    fn string_value(&mut self) -> Option<String> {
        self.expect(b'"')?;
        // At most the rest of the line: one allocation, no growing.
        let mut out = Vec::with_capacity(self.b.len() - self.i);
        loop {
            let at = find_special(self.b, self.i);
            out.extend_from_slice(&self.b[self.i..at]);
            self.i = at + 1;
            match *self.b.get(at)? {
                b'"' => break,
                b'\\' => match self.next()? {
                    b'"' => out.push(b'"'),
                    b'\\' => out.push(b'\\'),
                    b'/' => out.push(b'/'),
                    b'b' => out.push(0x08),
                    b'f' => out.push(0x0c),
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'u' => {
                        let (c, used) = unicode_escape(&self.b[self.i..])?;
                        self.i += used;
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    _ => return None,
                },
                _ => return None,
            }
        }
        // Checked: the line was not, and the pieces between escapes may be any bytes.
        String::from_utf8(out).ok()
    }

    /// Move past one value of any kind, strings and nesting included; serde_json checks it.
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.next()? {
                b'"' => loop {
                    self.i += memchr::memchr2(b'"', b'\\', &self.b[self.i..])?;
                    if self.next()? == b'"' {
                        break;
                    }
                    self.i += 1;
                },
                b'{' | b'[' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return None;
                    }
                    continue;
                }
                b'}' | b']' => depth = depth.checked_sub(1)?,
                b',' | b':' | b' ' if depth > 0 => continue,
                _ => {
                    // A number or literal: up to the next delimiter.
                    while let Some(&c) = self.b.get(self.i) {
                        if matches!(c, b',' | b'}' | b']' | b' ' | b':') {
                            break;
                        }
                        self.i += 1;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
}

/// The position of the first `"`, `\\` or control character of `b` from `from` (`b.len()`
/// if none): what ends a run of plain string bytes, 16 bytes at a time.
fn find_special(b: &[u8], from: usize) -> usize {
    let special = |c: u8| c == b'"' || c == b'\\' || c < 0x20;
    let mut i = from;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of x86-64; each load reads 16 bytes inside `b`.
        unsafe {
            let (quote, slash, control) = (
                _mm_set1_epi8(b'"' as i8),
                _mm_set1_epi8(b'\\' as i8),
                _mm_set1_epi8(0x1f),
            );
            while i + 16 <= b.len() {
                let v = _mm_loadu_si128(b.as_ptr().add(i).cast());
                let hits = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)),
                    _mm_cmpeq_epi8(_mm_min_epu8(v, control), v),
                );
                let mask = _mm_movemask_epi8(hits) as u32;
                if mask != 0 {
                    return i + mask.trailing_zeros() as usize;
                }
                i += 16;
            }
        }
    }
    while i < b.len() && !special(b[i]) {
        i += 1;
    }
    i
}

/// The character of a `\u` escape (`hex` starts after the `u`), with a surrogate pair's
/// second half, and the bytes it used; `None` for anything serde_json would refuse or treat
/// specially (lone surrogates).
fn unicode_escape(hex: &[u8]) -> Option<(char, usize)> {
    let unit = |h: &[u8]| -> Option<u32> {
        let h = std::str::from_utf8(h.get(..4)?).ok()?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(h, 16).ok()
    };
    let first = unit(hex)?;
    match first {
        0xD800..=0xDBFF => {
            if hex.get(4..6)? != b"\\u" {
                return None;
            }
            let second = unit(&hex[6..])?;
            if !(0xDC00..=0xDFFF).contains(&second) {
                return None;
            }
            let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
            Some((char::from_u32(c)?, 10))
        }
        0xDC00..=0xDFFF => None,
        _ => Some((char::from_u32(first)?, 4)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Parts = (Option<Value>, Option<Value>, Map<String, Value>);

    /// What serde_json makes of the line, as the slow path reads it.
    fn slow(line: &[u8]) -> Option<Parts> {
        match serde_json::from_slice::<Value>(line).ok()? {
            Value::Object(mut rest) => Some((rest.remove("text"), rest.remove("id"), rest)),
            _ => None,
        }
    }

    /// Whether the fast path took the line; when it did, its fields are serde_json's.
    fn fast_and_same(line: &str) -> Result<bool, TestCaseError> {
        let fast = parse_plain(line.as_bytes());
        if let Some(f) = &fast {
            let expected = slow(line.as_bytes());
            prop_assert!(
                expected.is_some(),
                "accepted what serde_json refuses: {line:?}"
            );
            let got: Parts = (f.text.clone(), f.id.clone(), f.rest.clone());
            prop_assert_eq!(Some(got), expected, "{:?}", line);
        }
        Ok(fast.is_some())
    }

    #[test]
    fn plain_records_take_the_fast_path_with_serde_jsons_result() {
        for line in [
            r#"{"id": "reuters-1", "text": "BAHIA COCOA\n  Showers \"continued\" \u00e9t\u00E9 \ud83d\ude00 a\/b\\c\t\r\b\f"}"#,
            r#"{"text":"x","id":7,"date":1850,"series":"s","seq":[1,{"a":[true,null]}],"o":{"k":"v\"}"}}  "#,
            "{\"text\": \"caf\u{e9} \u{1F600}\"}\r",
            r#"{"id":null,"text":"t","text2":"","x":-1.5e3}"#,
        ] {
            assert!(fast_and_same(line).unwrap(), "{line:?}");
        }
    }

    #[test]
    fn anything_unusual_goes_the_slow_way() {
        for line in [
            r#"{"text":"a","text":"b"}"#,
            r#"{"id":1,"text":"a","id":2}"#,
            r#"{"t\u0065xt":"a"}"#,
            "{\"text\":\t\"a\"}",
            "{\"text\":\"a\u{c}\"}",
            r#"{"text":"\ud800"}"#,
            r#"{"text":"\ud800\u0041"}"#,
            r#"{"text":"\x"}"#,
            r#"{"text":5}"#,
            r#"{"text":"a",}"#,
            r#"{"text":"a"} x"#,
            "{\"text\":\"a\"}\u{c}",
            r#"{}"#,
            r#"["text"]"#,
            r#"{"text":"a","n":01}"#,
            r#"{"text":"a","n":[1,2}"#,
        ] {
            assert!(!fast_and_same(line).unwrap(), "{line:?}");
        }
    }

    /// A JSON string token built of plain text, escapes of every kind, and what serde_json
    /// refuses (raw control characters, bad or lone escapes, a dangling backslash).
    fn string_token() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-z \u{e9}\u{1F600}\u{7f},:{}\\[\\]]{0,6}",
            Just(r"\n".to_string()),
            Just(r#"\""#.to_string()),
            Just(r"\\".to_string()),
            Just(r"\/".to_string()),
            Just(r"\u00e9".to_string()),
            Just(r"\u0000".to_string()),
            Just(r"\ud83d\ude00".to_string()),
            Just(r"\ud83d".to_string()),
            Just(r"\ude00".to_string()),
            Just(r"\uZZ12".to_string()),
            Just(r"\q".to_string()),
            Just("\t".to_string()),
            Just(r"\".to_string()),
        ];
        proptest::collection::vec(piece, 0..8).prop_map(|p| format!("\"{}\"", p.concat()))
    }

    fn value_token() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            string_token(),
            Just("7".to_string()),
            Just("-0.5e2".to_string()),
            Just("01".to_string()),
            Just("true".to_string()),
            Just("null".to_string()),
            Just("nul".to_string()),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                proptest::collection::vec(("[a-c]", inner), 0..3).prop_map(|v| {
                    let fields: Vec<String> =
                        v.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                    format!("{{{}}}", fields.join(","))
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn the_fast_path_never_differs_from_serde_json(
            fields in proptest::collection::vec(
                (
                    prop_oneof![
                        Just("text"), Just("id"), Just("title"), Just("date"), Just("a"),
                        Just(r"t\u0065xt"),
                    ],
                    value_token(),
                    prop_oneof![Just(""), Just(" "), Just("\t")],
                ),
                0..5,
            ),
            end in prop_oneof![Just(""), Just(" "), Just("\r"), Just(","), Just("}")],
        ) {
            let body: Vec<String> =
                fields.iter().map(|(k, v, s)| format!("{s}\"{k}\"{s}:{s}{v}")).collect();
            let line = format!("{{{}}}{end}", body.join(","));
            fast_and_same(&line)?;
        }
    }
}
