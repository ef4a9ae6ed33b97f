//! The analyzer of the `text` and `title` fields, in one pass.
//!
//! It gives exactly the tokens of tantivy's `SimpleTokenizer` (runs of alphanumeric chars)
//! followed by `RemoveLongFilter::limit(40)`, `LowerCaser` and a `StopWordFilter` of
//! [`stemma_text::stopword_list`] (the property test below compares the two), so indexes
//! written by either read the same. Why not that chain: it copies every token, lowercases
//! it into a second buffer and hashes it as a string to look it up among the stopwords;
//! at ingest that was a sixth of all the CPU time. Here ASCII is scanned a run at a time by a
//! byte table, a short word is packed into one integer, lowercased eight bytes at a time and
//! looked up among the stopwords before it is copied.

use foldhash::HashSet;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Tokens this long (bytes, before lowercasing) or longer are dropped, as by
/// `RemoveLongFilter::limit(40)`.
const MAX_TOKEN_BYTES: usize = 40;

/// Stopwords of up to 15 bytes, packed by [`pack`], and any longer ones as strings.
#[derive(Clone)]
struct Stopwords {
    short: PackedSet,
    long: HashSet<String>,
}

impl Stopwords {
    fn new() -> Self {
        let mut short = Vec::new();
        let mut long = HashSet::default();
        for word in stemma_text::stopword_list() {
            match pack(word.as_bytes()) {
                Some(key) => short.push(key),
                None => {
                    long.insert(word.to_string());
                }
            };
        }
        Stopwords {
            short: PackedSet::new(&short),
            long,
        }
    }

    #[inline]
    fn contains(&self, word: &str) -> bool {
        match pack(word.as_bytes()) {
            Some(key) => self.short.contains(key),
            None => !self.long.is_empty() && self.long.contains(word),
        }
    }
}

/// A fixed set of [`pack`]ed words: open addressing in a table eight times their number,
/// so a lookup is a multiply and, nearly always, one compare. It is made once and asked
/// for every word indexed; a general hash set cost 40 instructions a lookup.
#[derive(Clone)]
struct PackedSet {
    /// Zero marks an empty slot (no packed word is zero: its length byte is not).
    slots: Box<[u128]>,
    shift: u32,
}

impl PackedSet {
    fn new(keys: &[u128]) -> Self {
        let size = (keys.len() * 8).next_power_of_two().max(16);
        let mut set = PackedSet {
            slots: vec![0; size].into_boxed_slice(),
            shift: 64 - size.trailing_zeros(),
        };
        for &key in keys {
            let mut i = set.slot(key);
            while set.slots[i] != 0 && set.slots[i] != key {
                i = (i + 1) & (size - 1);
            }
            set.slots[i] = key;
        }
        set
    }

    #[inline]
    fn slot(&self, key: u128) -> usize {
        let mixed = (key as u64 ^ (key >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> self.shift) as usize
    }

    #[inline]
    fn contains(&self, key: u128) -> bool {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        loop {
            match self.slots[i] {
                0 => return false,
                k if k == key => return true,
                _ => i = (i + 1) & mask,
            }
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

/// What each byte is: an ASCII separator, an ASCII letter or digit, or part of a non-ASCII
/// char (which decides for itself).
const SEPARATOR: u8 = 0;
const ALNUM: u8 = 1;
const NOT_ASCII: u8 = 2;
const BYTE_CLASS: [u8; 256] = {
    let mut t = [NOT_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = if (b as u8).is_ascii_alphanumeric() {
            ALNUM
        } else {
            SEPARATOR
        };
        b += 1;
    }
    t
};

/// [`pack`] of an ASCII word, lowercased: eight bytes at a time, each of `A`–`Z` gaining
/// 0x20 (the length byte, at most 15, is never one of them).
#[inline]
fn ascii_lowercase_packed(key: u128) -> u128 {
    // Every byte is under 0x80, so adding to each cannot carry into the next; the sum's top
    // bit says whether the byte reached `A`, and whether it went past `Z`.
    const ONES: u64 = 0x0101_0101_0101_0101;
    let lower = |x: u64| {
        let at_least_a = x.wrapping_add(ONES * (0x80 - u64::from(b'A')));
        let past_z = x.wrapping_add(ONES * (0x80 - u64::from(b'Z') - 1));
        x | ((at_least_a & !past_z & (ONES * 0x80)) >> 2)
    };
    u128::from(lower(key as u64)) | u128::from(lower((key >> 64) as u64)) << 64
}

/// The `stemma-text` analyzer: words (runs of alphanumeric chars) under 40 bytes,
/// lowercased, stopwords left out; positions count every word, so phrases keep their gaps
/// ("The Art of War": "art" at 1, "war" at 3).
#[derive(Clone)]
pub(crate) struct StemmaTokenizer {
    stopwords: std::sync::Arc<Stopwords>,
    token: Token,
    /// An ASCII text's tokens, found all at once when its stream starts.
    found: Vec<Found>,
}

/// A token of an ASCII text, found before its stream is read.
#[derive(Clone, Copy)]
struct Found {
    /// [`pack`] of its lower-cased bytes; 0 for a word over 15 bytes (lower-cased when read).
    key: u128,
    start: u32,
    end: u32,
    position: usize,
}

impl StemmaTokenizer {
    pub(crate) fn new() -> Self {
        StemmaTokenizer {
            stopwords: std::sync::Arc::new(Stopwords::new()),
            token: Token::default(),
            found: Vec::new(),
        }
    }
}

impl Tokenizer for StemmaTokenizer {
    type TokenStream<'a> = StemmaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> StemmaTokenStream<'a> {
        self.token.reset();
        self.found.clear();
        // Most texts are ASCII, or nearly (a © or a curly quote in a few lines): the ASCII
        // lines' words are read off stemma-text's 64-byte bit masks, already lower-cased, in
        // one tight loop, and stopwords are dropped there; other lines word by word.
        let (stopwords, found) = (&self.stopwords, &mut self.found);
        let mut position = self.token.position;
        let mut push = |start: usize, end: usize, key: Option<u128>| {
            position = position.wrapping_add(1);
            if end - start >= MAX_TOKEN_BYTES {
                return;
            }
            if key.is_some_and(|key| stopwords.short.contains(key)) {
                return;
            }
            found.push(Found {
                key: key.unwrap_or(0),
                start: start as u32,
                end: end as u32,
                position,
            });
        };
        let whole_ascii = stemma_text::ascii_alphanumeric_runs(text.as_bytes(), |s, e, lowered| {
            push(s, e, pack(lowered))
        });
        if !whole_ascii {
            for (offset, part, ascii) in stemma_text::line_parts(text) {
                if ascii {
                    stemma_text::ascii_alphanumeric_runs(part.as_bytes(), |s, e, lowered| {
                        push(offset + s, offset + e, pack(lowered))
                    });
                    continue;
                }
                let mut cursor = 0;
                while let Some((s, e, ascii_word)) = next_word(part, cursor) {
                    cursor = e;
                    let word = &part.as_bytes()[s..e];
                    let key = if ascii_word {
                        pack(word).map(ascii_lowercase_packed)
                    } else {
                        None
                    };
                    push(offset + s, offset + e, key);
                }
            }
        }
        StemmaTokenStream {
            text,
            found: self.found.iter(),
            stopwords: &self.stopwords,
            token: &mut self.token,
        }
    }
}

pub(crate) struct StemmaTokenStream<'a> {
    text: &'a str,
    /// The text's tokens, found when the stream started.
    found: std::slice::Iter<'a, Found>,
    stopwords: &'a Stopwords,
    token: &'a mut Token,
}

/// The next run of alphanumeric chars of `text` at or after byte `from`: its byte span and
/// whether it is all ASCII. ASCII bytes are skipped a run at a time (a table lookup each, no
/// per-byte bounds check); a non-ASCII char decides for itself.
fn next_word(text: &str, from: usize) -> Option<(usize, usize, bool)> {
    let bytes = text.as_bytes();
    let class = |b: &u8| BYTE_CLASS[*b as usize];
    let char_at = |i: usize| {
        let c = text[i..].chars().next().expect("i is a char boundary");
        (c, c.len_utf8())
    };
    let mut i = from;
    loop {
        i += bytes[i..].iter().position(|b| class(b) != SEPARATOR)?;
        if bytes[i] < 128 {
            break;
        }
        let (c, len) = char_at(i);
        if c.is_alphanumeric() {
            break;
        }
        i += len;
    }
    let start = i;
    let mut ascii = true;
    loop {
        i += bytes[i..]
            .iter()
            .position(|b| class(b) != ALNUM)
            .unwrap_or(bytes.len() - i);
        if i == bytes.len() || bytes[i] < 128 {
            break;
        }
        let (c, len) = char_at(i);
        if !c.is_alphanumeric() {
            break;
        }
        ascii = false;
        i += len;
    }
    Some((start, i, ascii))
}

impl TokenStream for StemmaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        for found in self.found.by_ref() {
            let (start, end) = (found.start as usize, found.end as usize);
            let text = &mut self.token.text;
            text.clear();
            if found.key != 0 {
                // SAFETY: every byte pushed is ASCII (the word's bytes lower-cased, zero
                // padding and the length, under 16), so the string stays UTF-8 throughout; a
                // copy of the word's own length would be a call to memcpy for each.
                let bytes = unsafe { text.as_mut_vec() };
                bytes.extend_from_slice(&found.key.to_le_bytes());
                bytes.truncate(end - start);
            } else {
                let word = &self.text[start..end];
                if word.is_ascii() {
                    text.push_str(word);
                    text.make_ascii_lowercase();
                } else {
                    // As tantivy's LowerCaser: char by char, no final-sigma rule.
                    text.extend(word.chars().flat_map(char::to_lowercase));
                }
                if self.stopwords.contains(text) {
                    continue;
                }
            }
            self.token.position = found.position;
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

    #[test]
    fn the_packed_set_holds_what_it_was_given_and_nothing_else() {
        let words: Vec<u128> = stemma_text::stopword_list()
            .filter_map(|w| pack(w.as_bytes()))
            .collect();
        let set = PackedSet::new(&words);
        assert!(words.iter().all(|&w| set.contains(w)));
        for other in ["cat", "theme", "a1", "", "abcdefghijklmno", "и1"] {
            assert_eq!(
                set.contains(pack(other.as_bytes()).unwrap_or(1)),
                words.contains(&pack(other.as_bytes()).unwrap_or(1)),
                "{other}"
            );
        }
        assert!(!PackedSet::new(&[]).contains(pack(b"a").unwrap()));
    }

    #[test]
    fn packed_lowercase_is_the_lowercase_packed() {
        let bytes: Vec<u8> = (0u8..128).collect();
        for len in [1, 3, 4, 8, 9, 15] {
            for window in bytes.windows(len) {
                let lower: Vec<u8> = window.iter().map(u8::to_ascii_lowercase).collect();
                assert_eq!(
                    ascii_lowercase_packed(pack(window).unwrap()),
                    pack(&lower).unwrap(),
                    "{window:?}"
                );
            }
        }
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
        fn same_tokens_as_tantivys_chain(text in "([a-zA-Z0-9]{1,12}|[ .,'_\\-\\n]|[\\u{c0}-\\u{17f}\\u{391}-\\u{3c9}\\u{410}-\\u{44f}]{1,6}|the|THE|Of|и|И|\\u{2014}|[a-z]{38,42}){0,40}") {
            same_as_chain(&text);
        }

        #[test]
        fn same_tokens_as_tantivys_chain_on_any_text(text in "\\PC{0,200}|[ -~]{0,200}") {
            same_as_chain(&text);
        }
    }
}
