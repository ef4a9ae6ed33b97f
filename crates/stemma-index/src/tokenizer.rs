//! The analyzer of the `text` and `title` fields, in one pass.
//!
//! It gives exactly the tokens of tantivy's `SimpleTokenizer` (runs of alphanumeric chars)
//! followed by `RemoveLongFilter::limit(40)`, `LowerCaser` and a `StopWordFilter` of
//! [`stemma_text::stopword_list`] (the property test below compares the two), so indexes
//! written by either read the same. Why not that chain: it copies every token, lowercases
//! it into a second buffer and hashes it as a string to look it up among the stopwords;
//! at ingest that was a sixth of all the CPU time. Here ASCII is scanned by a byte table,
//! lowercased in place, and a stopword is found by its bytes packed into one integer.

use foldhash::HashSet;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Tokens this long (bytes, before lowercasing) or longer are dropped, as by
/// `RemoveLongFilter::limit(40)`.
const MAX_TOKEN_BYTES: usize = 40;

/// Stopwords of up to 15 bytes, packed by [`pack`], and any longer ones as strings.
#[derive(Clone)]
struct Stopwords {
    short: HashSet<u128>,
    long: HashSet<String>,
}

impl Stopwords {
    fn new() -> Self {
        let mut short = HashSet::default();
        let mut long = HashSet::default();
        for word in stemma_text::stopword_list() {
            match pack(word.as_bytes()) {
                Some(key) => short.insert(key),
                None => long.insert(word.to_string()),
            };
        }
        Stopwords { short, long }
    }

    #[inline]
    fn contains(&self, word: &str) -> bool {
        match pack(word.as_bytes()) {
            Some(key) => self.short.contains(&key),
            None => !self.long.is_empty() && self.long.contains(word),
        }
    }
}

/// Up to 15 bytes as one integer, the length in the top byte (so "a" and "a\0" differ).
#[inline]
fn pack(bytes: &[u8]) -> Option<u128> {
    if bytes.is_empty() || bytes.len() > 15 {
        return None;
    }
    // The bytes as a little-endian integer, read with two fixed-size loads that overlap
    // (the overlap shifted out): a copy of a variable length would be a call to memcpy for
    // every token, 2.6 % of ingest's CPU time (perf).
    let len = bytes.len();
    let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
    let u32_at = |i: usize| {
        u64::from(u32::from_le_bytes(
            bytes[i..i + 4].try_into().expect("4 bytes"),
        ))
    };
    let (low, high) = match len {
        8 => (u64_at(0), 0),
        9.. => (u64_at(0), u64_at(len - 8) >> (8 * (16 - len))),
        4.. => (u32_at(0) | (u32_at(len - 4) >> (8 * (8 - len))) << 32, 0),
        _ => {
            let mut low = 0u64;
            for (i, &b) in bytes.iter().enumerate() {
                low |= u64::from(b) << (8 * i);
            }
            (low, 0)
        }
    };
    Some(u128::from(low) | u128::from(high) << 64 | (len as u128) << 120)
}

/// Whether each ASCII byte is alphanumeric.
const ASCII_ALNUM: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

/// The `stemma-text` analyzer: words (runs of alphanumeric chars) under 40 bytes,
/// lowercased, stopwords left out; positions count every word, so phrases keep their gaps
/// ("The Art of War": "art" at 1, "war" at 3).
#[derive(Clone)]
pub(crate) struct StemmaTokenizer {
    stopwords: std::sync::Arc<Stopwords>,
    token: Token,
}

impl StemmaTokenizer {
    pub(crate) fn new() -> Self {
        StemmaTokenizer {
            stopwords: std::sync::Arc::new(Stopwords::new()),
            token: Token::default(),
        }
    }
}

impl Tokenizer for StemmaTokenizer {
    type TokenStream<'a> = StemmaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> StemmaTokenStream<'a> {
        self.token.reset();
        StemmaTokenStream {
            text,
            cursor: 0,
            stopwords: &self.stopwords,
            token: &mut self.token,
        }
    }
}

pub(crate) struct StemmaTokenStream<'a> {
    text: &'a str,
    cursor: usize,
    stopwords: &'a Stopwords,
    token: &'a mut Token,
}

impl StemmaTokenStream<'_> {
    /// The char starting at byte `i` (not ASCII), and its length.
    #[inline]
    fn char_at(&self, i: usize) -> (char, usize) {
        let c = self.text[i..].chars().next().expect("i is a char boundary");
        (c, c.len_utf8())
    }

    /// The next run of alphanumeric chars: its byte span and whether it is all ASCII.
    fn next_word(&mut self) -> Option<(usize, usize, bool)> {
        let bytes = self.text.as_bytes();
        let mut i = self.cursor;
        loop {
            let &b = bytes.get(i)?;
            if b < 128 {
                if ASCII_ALNUM[b as usize] {
                    break;
                }
                i += 1;
            } else {
                let (c, len) = self.char_at(i);
                if c.is_alphanumeric() {
                    break;
                }
                i += len;
            }
        }
        let start = i;
        let mut ascii = true;
        while let Some(&b) = bytes.get(i) {
            if b < 128 {
                if !ASCII_ALNUM[b as usize] {
                    break;
                }
                i += 1;
            } else {
                let (c, len) = self.char_at(i);
                if !c.is_alphanumeric() {
                    break;
                }
                ascii = false;
                i += len;
            }
        }
        self.cursor = i;
        Some((start, i, ascii))
    }
}

impl TokenStream for StemmaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((start, end, ascii)) = self.next_word() {
            self.token.position = self.token.position.wrapping_add(1);
            if end - start >= MAX_TOKEN_BYTES {
                continue;
            }
            let word = &self.text[start..end];
            let text = &mut self.token.text;
            text.clear();
            if ascii {
                text.push_str(word);
                text.make_ascii_lowercase();
            } else {
                // As tantivy's LowerCaser: char by char, no final-sigma rule.
                text.extend(word.chars().flat_map(char::to_lowercase));
            }
            if self.stopwords.contains(text) {
                continue;
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tantivy::tokenizer::{
        LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter, TextAnalyzer,
    };

    /// The chain of tantivy filters this tokenizer replaces.
    fn chain() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(StopWordFilter::remove(
                stemma_text::stopword_list().map(str::to_string),
            ))
            .build()
    }

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, usize, usize, String)> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            out.push((t.position, t.offset_from, t.offset_to, t.text.clone()));
        }
        out
    }

    #[test]
    fn pack_is_the_bytes_and_the_length() {
        let word = b"abcdefghijklmnop";
        for len in 1..=15 {
            let mut buf = [0u8; 16];
            buf[..len].copy_from_slice(&word[..len]);
            buf[15] = len as u8;
            assert_eq!(pack(&word[..len]), Some(u128::from_le_bytes(buf)), "{len}");
        }
        assert_eq!(pack(b""), None);
        assert_eq!(pack(word), None);
    }

    fn same_as_chain(text: &str) {
        let mut ours = TextAnalyzer::from(StemmaTokenizer::new());
        assert_eq!(
            tokens(&mut ours, text),
            tokens(&mut chain(), text),
            "{text:?}"
        );
    }

    #[test]
    fn words_positions_and_stopwords() {
        let mut ours = TextAnalyzer::from(StemmaTokenizer::new());
        let got = tokens(&mut ours, "The Art of War, 2nd ed.");
        let words: Vec<(usize, &str)> = got.iter().map(|t| (t.0, t.3.as_str())).collect();
        assert_eq!(words, [(1, "art"), (3, "war"), (4, "2nd"), (5, "ed")]);
        same_as_chain("The Art of War, 2nd ed.");
        same_as_chain("ΣΊΣΥΦΟΣ и ВОЙНА и мир; straße — don't x_y ǅemal İstanbul");
        same_as_chain(&format!(
            "short {} long {} end",
            "a".repeat(39),
            "b".repeat(40)
        ));
        same_as_chain(&format!("{} é{}", "é".repeat(20), "é".repeat(19)));
        same_as_chain("");
        same_as_chain("  ... ");
        // Russian stopwords are long in bytes.
        same_as_chain("Потому что КОТОРОГО между тем, себя и нибудь");
    }

    proptest! {
        #[test]
        fn same_tokens_as_tantivys_chain(text in "([a-zA-Z0-9]{1,12}|[ .,'_\\-]|[\\u{c0}-\\u{17f}\\u{391}-\\u{3c9}\\u{410}-\\u{44f}]{1,6}|the|THE|Of|и|И|\\u{2014}|[a-z]{38,42}){0,40}") {
            same_as_chain(&text);
        }
    }
}
