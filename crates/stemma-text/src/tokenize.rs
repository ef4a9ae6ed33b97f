//! UAX#29 word tokens with byte spans, hashed normal and stemmed forms, and sentences.

use std::sync::OnceLock;

use foldhash::{HashMap, HashSet};
use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

use crate::normalize::Normalizer;

/// One word of a text.
///
/// `norm` and `stem` are 64-bit xxh3 hashes (stable across versions and machines) of the
/// normalized and stemmed forms: two tokens are "the same word" when their `norm`s are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Hash of the NFKC + case-folded form.
    pub norm: u64,
    /// Hash of the Snowball stem of that form (the form itself where no stemmer applies).
    pub stem: u64,
    /// Byte offset of the first byte in the original text.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
    /// A function word (English or Russian NLTK list).
    pub stop: bool,
}

/// A run of tokens ended by sentence punctuation, a blank line, or a length cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    /// Index of the first token.
    pub first: u32,
    /// Index one past the last token.
    pub end: u32,
}

/// Everything the aligner needs to know about a text.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Words in text order.
    pub tokens: Vec<Token>,
    /// Sentences in text order, covering every token exactly once.
    pub sentences: Vec<Sentence>,
}

thread_local! {
    /// Stemming is the costly step, and texts (and the documents of a corpus) repeat their
    /// words: each thread remembers the stem and stopword flag of the words it has seen.
    /// A pure function of the word, so the cache cannot change results.
    static KNOWN_WORDS: std::cell::RefCell<HashMap<u64, (u64, bool)>> =
        std::cell::RefCell::new(HashMap::default());
}

/// Words remembered per thread before the cache starts over (≈ 24 bytes each).
const MAX_KNOWN_WORDS: usize = 1 << 20;

/// Every thread's stems, for the words a thread meets first: a corpus analyzed on n threads
/// stems each word once instead of n times (Snowball was 4 % of the instructions of an
/// `index add` on two threads). Read only on a miss of the thread's own cache, so the lock
/// is taken about once per distinct word and thread.
static SHARED_WORDS: std::sync::LazyLock<std::sync::RwLock<HashMap<u64, (u64, bool)>>> =
    std::sync::LazyLock::new(Default::default);

/// Sentences longer than this many tokens are cut, so that sentence similarity stays local.
const MAX_SENTENCE_TOKENS: u32 = 60;

/// Tokenize `text`: UAX#29 words that contain a letter or digit.
///
/// ```
/// let text = "Ünïcode words — and 42 numbers. Второе предложение!";
/// let analysis = stemma_text::analyze(text);
/// let words: Vec<&str> = analysis.tokens.iter()
///     .map(|t| &text[t.start as usize..t.end as usize]).collect();
/// assert_eq!(words, ["Ünïcode", "words", "and", "42", "numbers", "Второе", "предложение"]);
/// assert_eq!(analysis.sentences.len(), 2);
/// assert!(analysis.tokens[2].stop);
/// ```
pub fn analyze(text: &str) -> Analysis {
    analyze_with(text, false)
}

/// [`analyze`] with optional diacritic folding (é = e).
pub fn analyze_with(text: &str, fold_diacritics: bool) -> Analysis {
    analyze_segmented(text, fold_diacritics, false)
}

/// [`analyze_with`]; `force_uax29` segments ASCII by UAX#29 too (the tests' reference).
fn analyze_segmented(text: &str, fold_diacritics: bool, force_uax29: bool) -> Analysis {
    assert!(text.len() < u32::MAX as usize, "texts are limited to 4 GiB");
    let mut normalizer = Normalizer::new(fold_diacritics);
    let stemmers = Stemmers::new();
    let stopwords = stopwords();
    let mut tokens = Vec::with_capacity(text.len() / 6);
    KNOWN_WORDS.with_borrow_mut(|known| {
        if known.len() > MAX_KNOWN_WORDS {
            known.clear();
        }
        // Numbers have no stem and are never stopwords; leaving them out of the cache keeps
        // it small (a news corpus has more distinct numbers than words).
        let mut stem_and_stop = |norm: u64, norm_form: &[u8]| {
            *known.entry(norm).or_insert_with(|| {
                // A poisoned lock only means another thread panicked mid-insert of a value
                // that is a pure function of its key: the map is still right.
                let shared = SHARED_WORDS.read().unwrap_or_else(|e| e.into_inner());
                if let Some(&found) = shared.get(&norm) {
                    return found;
                }
                drop(shared);
                let norm_form = std::str::from_utf8(norm_form).expect("a normal form is UTF-8");
                let stem = match stemmers.for_word(norm_form) {
                    Some(stemmer) => xxh3_64(stemmer.stem(norm_form).as_bytes()),
                    None => norm,
                };
                let found = (stem, stopwords.contains(norm_form));
                let mut shared = SHARED_WORDS.write().unwrap_or_else(|e| e.into_inner());
                if shared.len() > MAX_KNOWN_WORDS {
                    shared.clear();
                }
                shared.insert(norm, found);
                found
            })
        };
        // Same words as UAX#29 everywhere (the property tests check it). The ASCII parts of
        // a text take the fast path: most corpora are plain ASCII or nearly (a © or a curly
        // quote in a few lines), and segmentation was the largest single cost of indexing.
        // There the words come lower-cased (their normal form) off 64-byte bit masks, and
        // only a word first seen by this thread is looked at as a string.
        let whole = [(0, text, false)];
        let parts: Box<dyn Iterator<Item = (usize, &str, bool)>> = if force_uax29 {
            Box::new(whole.into_iter())
        } else {
            Box::new(line_parts(text))
        };
        for (offset, part, ascii) in parts {
            if ascii {
                crate::ascii_norms::ascii_words_lowered(part.as_bytes(), |start, end, lowered| {
                    let norm = xxh3_64(lowered);
                    let (stem, stop) = if lowered.iter().any(u8::is_ascii_alphabetic) {
                        stem_and_stop(norm, lowered)
                    } else {
                        (norm, false)
                    };
                    tokens.push(Token {
                        norm,
                        stem,
                        start: (offset + start) as u32,
                        end: (offset + end) as u32,
                        stop,
                    });
                });
                continue;
            }
            for (start, word) in part.split_word_bound_indices() {
                if word.chars().any(char::is_alphanumeric) {
                    let norm_form = normalizer.normalize(word);
                    let norm = xxh3_64(norm_form.as_bytes());
                    let (stem, stop) = if norm_form.chars().any(char::is_alphabetic) {
                        stem_and_stop(norm, norm_form.as_bytes())
                    } else {
                        (norm, false)
                    };
                    let start = offset + start;
                    tokens.push(Token {
                        norm,
                        stem,
                        start: start as u32,
                        end: (start + word.len()) as u32,
                        stop,
                    });
                }
            }
        }
    });
    let sentences = split_sentences(text, &tokens);
    Analysis { tokens, sentences }
}

/// `text` cut into parts that are ASCII or not, `(offset, part, is_ascii)`, in order; a part
/// that is not ASCII is whole lines, so every cut is just after a line end. UAX#29 words
/// never look across a line end (WB3a/b break there, and WB4 and the regional-indicator
/// rules start afresh after one, as at the start of a text), so each part's words are its
/// words in the whole text; so are its runs of letters and digits. An ASCII part can then
/// take a fast path ([`ascii_alphanumeric_runs`](crate::ascii_alphanumeric_runs)).
///
/// ```
/// let parts: Vec<_> = stemma_text::line_parts("Licence\n© 2024 Ann\nText\n").collect();
/// assert_eq!(parts, [(0, "Licence\n", true), (8, "© 2024 Ann\n", false), (20, "Text\n", true)]);
/// ```
pub fn line_parts(text: &str) -> impl Iterator<Item = (usize, &str, bool)> + '_ {
    let bytes = text.as_bytes();
    let mut pos = 0;
    // A part that is not ASCII, found while cutting the ASCII part before it.
    let mut next: Option<(usize, usize)> = None;
    std::iter::from_fn(move || {
        if let Some((start, end)) = next.take() {
            return Some((start, &text[start..end], false));
        }
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let Some(first) = first_non_ascii(bytes, pos) else {
            pos = bytes.len();
            return Some((start, &text[start..], true));
        };
        let line_start = bytes[pos..first]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(pos, |i| pos + i + 1);
        let line_end = bytes[first..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| first + i + 1);
        pos = line_end;
        if line_start > start {
            next = Some((line_start, line_end));
            Some((start, &text[start..line_start], true))
        } else {
            Some((line_start, &text[line_start..line_end], false))
        }
    })
}

/// The position of the first byte at or after `from` that is not ASCII: 16 bytes at a time
/// (`<[u8]>::is_ascii` reads words, not bytes).
fn first_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = &bytes[from..];
    let whole = rest.chunks_exact(16).position(|chunk| !chunk.is_ascii());
    let skip = whole.unwrap_or(rest.len() / 16) * 16;
    rest[skip..]
        .iter()
        .position(|b| !b.is_ascii())
        .map(|k| from + skip + k)
}

/// The `norm` of every word of `text`, in order: the same words and hashes as [`analyze`],
/// without stems, stopwords or sentences. Whole-document hashing (near-duplicate sketches)
/// needs only these, and skipping the rest makes it several times faster.
///
/// ```
/// let mut norms = Vec::new();
/// stemma_text::word_norms("The CAT, the cat.", &mut norms);
/// assert_eq!(norms.len(), 4);
/// assert_eq!(norms[0], norms[2]);
/// assert_eq!(norms[1], norms[3]);
/// let tokens = stemma_text::analyze("The CAT, the cat.").tokens;
/// assert!(tokens.iter().map(|t| t.norm).eq(norms.iter().copied()));
/// ```
pub fn word_norms(text: &str, out: &mut Vec<u64>) {
    out.clear();
    if !crate::ascii_norms::ascii_word_norms(text.as_bytes(), out) {
        let mut normalizer = Normalizer::new(false);
        for (_, word) in text.split_word_bound_indices() {
            if word.chars().any(char::is_alphanumeric) {
                out.push(xxh3_64(normalizer.normalize(word).as_bytes()));
            }
        }
    }
}

/// The UAX#29 words of an ASCII text that contain a letter or digit, as byte ranges.
///
/// For ASCII, the rules reduce to: letters, digits and `_` join (WB5, WB8–WB10, WB13a/b);
/// a single `:` `.` or `'` joins two letters (WB6/7); a single `,` `;` `.` or `'` joins two
/// digits (WB11/12); everything else separates. The byte-by-byte reference for the bit-mask
/// scan of `ascii_norms`, which [`analyze`] and [`word_norms`] use.
#[cfg(test)]
pub(crate) fn ascii_words(text: &[u8], mut word: impl FnMut(usize, usize)) {
    let joins = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let n = text.len();
    let mut i = 0;
    while i < n {
        if !joins(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        loop {
            while i < n && joins(text[i]) {
                i += 1;
            }
            if i + 1 < n {
                let (before, mid, after) = (text[i - 1], text[i], text[i + 1]);
                let letters = before.is_ascii_alphabetic()
                    && after.is_ascii_alphabetic()
                    && matches!(mid, b':' | b'.' | b'\'');
                let digits = before.is_ascii_digit()
                    && after.is_ascii_digit()
                    && matches!(mid, b',' | b';' | b'.' | b'\'');
                if letters || digits {
                    i += 1;
                    continue;
                }
            }
            break;
        }
        if text[start..i].iter().any(u8::is_ascii_alphanumeric) {
            word(start, i);
        }
    }
}

/// Whether a normalized word is on the stopword lists.
///
/// ```
/// assert!(stemma_text::is_stopword("the"));
/// assert!(stemma_text::is_stopword("и"));
/// assert!(!stemma_text::is_stopword("licence"));
/// ```
pub fn is_stopword(normalized: &str) -> bool {
    stopwords().contains(normalized)
}

/// Every stopword (the English and Russian NLTK lists), normalized, in no particular order.
///
/// ```
/// assert!(stemma_text::stopword_list().any(|w| w == "the"));
/// ```
pub fn stopword_list() -> impl Iterator<Item = &'static str> {
    stopwords().iter().copied()
}

fn stopwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        ["en", "ru"]
            .iter()
            .flat_map(|lang| stop_words::get(lang).iter().copied())
            .collect()
    })
}

struct Stemmers {
    english: Stemmer,
    russian: Stemmer,
    greek: Stemmer,
}

impl Stemmers {
    fn new() -> Self {
        Stemmers {
            english: Stemmer::create(Algorithm::English),
            russian: Stemmer::create(Algorithm::Russian),
            greek: Stemmer::create(Algorithm::Greek),
        }
    }

    /// The stemmer for a word's script: the same word gets the same stem in every document.
    fn for_word(&self, word: &str) -> Option<&Stemmer> {
        let first = word.chars().find(|c| c.is_alphabetic())?;
        match first {
            'a'..='z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Some(&self.english),
            '\u{0400}'..='\u{04FF}' => Some(&self.russian),
            '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Some(&self.greek),
            _ => None,
        }
    }
}

fn split_sentences(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    let mut sentences = Vec::with_capacity(tokens.len() / 15 + 1);
    let mut first = 0u32;
    for i in 1..tokens.len() as u32 {
        let gap = &text[tokens[i as usize - 1].end as usize..tokens[i as usize].start as usize];
        if i - first >= MAX_SENTENCE_TOKENS || ends_sentence(gap) {
            sentences.push(Sentence { first, end: i });
            first = i;
        }
    }
    if !tokens.is_empty() {
        sentences.push(Sentence {
            first,
            end: tokens.len() as u32,
        });
    }
    sentences
}

fn ends_sentence(gap: &str) -> bool {
    // Most gaps are one byte (a space): no blank line fits in it.
    if let &[b] = gap.as_bytes() {
        return matches!(b, b'.' | b'!' | b'?');
    }
    ends_sentence_by_chars(gap)
}

fn ends_sentence_by_chars(gap: &str) -> bool {
    if gap
        .chars()
        .any(|c| matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '…'))
    {
        return true;
    }
    // A blank line: two newlines with only whitespace between them.
    let mut newlines = 0;
    for c in gap.chars() {
        if c == '\n' {
            newlines += 1;
            if newlines == 2 {
                return true;
            }
        } else if !c.is_whitespace() {
            newlines = 0;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stems_match_across_inflections() {
        let a = analyze("licensed licenses");
        assert_eq!(a.tokens[0].stem, a.tokens[1].stem);
        assert_ne!(a.tokens[0].norm, a.tokens[1].norm);
        let r = analyze("лицензии лицензия");
        assert_eq!(r.tokens[0].stem, r.tokens[1].stem);
    }

    #[test]
    fn case_and_width_fold() {
        let a = analyze("STRASSE straße Ｓｔｒａｓｓｅ");
        assert_eq!(a.tokens[0].norm, a.tokens[1].norm);
        assert_eq!(a.tokens[0].norm, a.tokens[2].norm);
    }

    #[test]
    fn cjk_and_greek() {
        let text = "東京は日本の首都です。Η Αθήνα είναι πρωτεύουσα.";
        let a = analyze(text);
        assert!(a.tokens.len() >= 8);
        assert_eq!(a.sentences.len(), 2);
    }

    #[test]
    fn one_byte_gaps_end_sentences_as_the_chars_say() {
        for b in 0u8..128 {
            let gap = char::from(b).to_string();
            assert_eq!(ends_sentence(&gap), ends_sentence_by_chars(&gap), "{b}");
        }
    }

    #[test]
    fn blank_line_ends_sentence() {
        let a = analyze("Heading one\n\nBody text here\nstill the same sentence");
        assert_eq!(a.sentences.len(), 2);
        assert_eq!(a.sentences[1].end - a.sentences[1].first, 7);
    }

    /// The UAX#29 path of `analyze`, for comparison with the ASCII one.
    fn uax29_words(text: &str) -> Vec<(usize, usize)> {
        text.split_word_bound_indices()
            .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
            .map(|(start, w)| (start, start + w.len()))
            .collect()
    }

    fn ascii_spans(text: &str) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        ascii_words(text.as_bytes(), |s, e| spans.push((s, e)));
        spans
    }

    #[test]
    fn ascii_words_follow_uax29() {
        for text in [
            "can't e.g. U.S.A. a:b 3.14 1,000,000 1;2 x_y __init__ _ a._b 1.a a.1 'quoted' end.",
            "a..b 1,,2 a'b'c 12'34 ab:cd: :ab x-y\tz\r\n\u{b}q \"a\"b",
        ] {
            assert_eq!(ascii_spans(text), uax29_words(text), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn ascii_words_match_uax29_everywhere(text in "[a-c0-2_:.,;' \"\t\r\n\x0b\x0c!-]{0,80}") {
            prop_assert_eq!(ascii_spans(&text), uax29_words(&text));
        }

        #[test]
        fn texts_with_ascii_lines_analyze_as_uax29_does(
            text in "([a-cA-C0-2_:.,;' \t\r!-]{0,20}|\n|\r\n|[\u{300}\u{301}\u{200d}\u{a9}\u{e9}\u{2019}\u{1f1e6}\u{1f1e8}\u{d7}и]{1,3}){0,40}|\\PC{0,100}",
        ) {
            let fast = analyze(&text);
            let reference = analyze_segmented(&text, false, true);
            prop_assert_eq!(fast.tokens, reference.tokens);
            prop_assert_eq!(fast.sentences, reference.sentences);
        }

        #[test]
        fn ascii_texts_analyze_as_uax29_does(
            text in "[a-cA-C0-2_:.,;' \t\n!-]{0,300}|[\x00-\x7f]{0,300}|([A-Za-z]{1,9}[ .,'\n]{1,2}){0,60}",
        ) {
            let fast = analyze(&text);
            let reference = analyze_segmented(&text, false, true);
            prop_assert_eq!(fast.tokens, reference.tokens);
            prop_assert_eq!(fast.sentences, reference.sentences);
        }

        #[test]
        fn ascii_words_match_uax29_on_any_ascii(text in "[\x00-\x7f]{0,200}") {
            prop_assert_eq!(ascii_spans(&text), uax29_words(&text));
        }

        #[test]
        fn word_norms_are_the_norms_of_analyze(text in "\\PC{0,200}|[ -~]{0,200}") {
            let mut norms = Vec::new();
            word_norms(&text, &mut norms);
            let expected: Vec<u64> = analyze(&text).tokens.iter().map(|t| t.norm).collect();
            prop_assert_eq!(norms, expected);
        }

        #[test]
        fn spans_slice_on_char_boundaries(text in "\\PC{0,300}") {
            let a = analyze(&text);
            let mut last_end = 0;
            for t in &a.tokens {
                prop_assert!(text.is_char_boundary(t.start as usize));
                prop_assert!(text.is_char_boundary(t.end as usize));
                prop_assert!(t.start < t.end && t.start >= last_end);
                last_end = t.end;
            }
            let covered: u32 = a.sentences.iter().map(|s| s.end - s.first).sum();
            prop_assert_eq!(covered as usize, a.tokens.len());
        }
    }
}
