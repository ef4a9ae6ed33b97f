//! # stemma-text
//!
//! Owns the text model every other part of stemma stands on:
//!
//! - [`Document`]: one text with its caller-given metadata;
//! - [`decode`]: bytes → UTF-8 text (BOMs, UTF-16, legacy 8-bit encodings detected with
//!   chardetng), refusing binary and undecodable input with a reason; [`require_words`],
//!   the one rule for an empty document;
//! - [`normalize_word`]: NFKC + full case folding (+ optional diacritic folding);
//! - [`analyze`]: UAX#29 word tokens, each keeping its byte span in the original text, with
//!   hashed normalized and stemmed forms, stopword flags and sentence boundaries;
//! - [`CharOffsets`]: exact byte → Unicode-scalar offset conversion;
//! - [`guess_language`]: a document's language (ISO 639-3).
//!
//! It must not know about files, indexes, alignment or output formats: it turns bytes and
//! strings into tokens, nothing more.

mod ascii_norms;
mod decode;
mod lang;
mod normalize;
mod offsets;
mod tokenize;

pub use ascii_norms::ascii_alphanumeric_runs;
pub use decode::{decode, require_words, DecodeError, Decoded, Encoding};
pub use lang::guess_language;
pub use normalize::{fold_diacritics, normalize_word, Normalizer};
pub use offsets::CharOffsets;
pub use tokenize::{
    analyze, is_stopword, line_parts, stopword_list, word_norms, Analysis, Sentence, Token,
};

use serde::Serialize;

/// One document: its text (always valid UTF-8, exactly as decoded) and its metadata.
///
/// Every [`Token`] and every span that stemma reports indexes into `text`.
///
/// ```
/// let doc = stemma_text::Document::new("memo-1", "The quick brown fox.");
/// assert_eq!(doc.id, "memo-1");
/// assert_eq!(doc.encoding, "UTF-8");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// The caller's id (path-derived by default).
    pub id: String,
    /// A human title, when one is known.
    pub title: Option<String>,
    /// Who published it (an outlet, a ministry, a series).
    pub source: Option<String>,
    /// Publication date as given (ISO 8601 preferred).
    pub date: Option<String>,
    /// Language tag, when known or guessed.
    pub lang: Option<String>,
    /// The encoding the bytes were decoded from ("UTF-8", "UTF-16LE", "windows-1251", …).
    pub encoding: String,
    /// Invalid byte sequences replaced with U+FFFD while decoding (0 for clean input).
    pub replaced: usize,
    /// The decoded text.
    pub text: String,
}

impl Document {
    /// A UTF-8 document with only an id and a text.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            title: None,
            source: None,
            date: None,
            lang: None,
            encoding: "UTF-8".to_string(),
            replaced: 0,
            text: text.into(),
        }
    }

    /// A document from raw bytes, decoded with [`decode`].
    ///
    /// ```
    /// let doc = stemma_text::Document::from_bytes("a", b"caf\xe9 au lait, s'il vous pla\xeet").unwrap();
    /// assert!(doc.text.starts_with("café"));
    /// assert_eq!(doc.encoding, "windows-1252");
    /// ```
    pub fn from_bytes(id: impl Into<String>, bytes: &[u8]) -> Result<Self, DecodeError> {
        let decoded = decode(bytes)?;
        let mut doc = Document::new(id, decoded.text);
        doc.encoding = decoded.encoding.name().to_string();
        doc.replaced = decoded.replaced;
        Ok(doc)
    }
}
