//! JSON pieces every report shares: documents, spans and options, so that a document or a
//! span looks the same in "stemma.compare/1", "stemma.trace/1" and "stemma.diff/1".

use serde::Serialize;
use stemma_align::CompareOptions;
use stemma_text::Document;

use crate::doc::CharSpan;

/// The alignment options, flattened into the report.
#[derive(Serialize)]
pub(crate) struct JsonOptions<'a> {
    #[serde(flatten)]
    pub options: &'a CompareOptions,
}

/// A document's metadata and sizes.
#[derive(Serialize)]
pub(crate) struct JsonDoc<'a> {
    id: &'a str,
    title: Option<&'a str>,
    source: Option<&'a str>,
    date: Option<&'a str>,
    lang: Option<&'a str>,
    encoding: &'a str,
    /// Invalid byte sequences replaced with U+FFFD while decoding (0 for clean input).
    replaced: usize,
    bytes: usize,
    chars: usize,
    words: usize,
}

impl<'a> JsonDoc<'a> {
    /// `chars` and `words` are counted by the caller, who already has them.
    pub fn new(doc: &'a Document, chars: usize, words: usize) -> Self {
        JsonDoc {
            id: &doc.id,
            title: doc.title.as_deref(),
            source: doc.source.as_deref(),
            date: doc.date.as_deref(),
            lang: doc.lang.as_deref(),
            encoding: &doc.encoding,
            replaced: doc.replaced,
            bytes: doc.text.len(),
            chars,
            words,
        }
    }
}

/// A span in bytes and chars, with its word count where the report has one.
#[derive(Serialize)]
pub(crate) struct JsonSpan {
    pub start: usize,
    pub end: usize,
    pub char_start: usize,
    pub char_end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<usize>,
}

impl JsonSpan {
    pub fn new(s: &CharSpan, tokens: Option<usize>) -> Self {
        JsonSpan {
            start: s.start,
            end: s.end,
            char_start: s.char_start,
            char_end: s.char_end,
            tokens,
        }
    }
}

impl From<&CharSpan> for JsonSpan {
    fn from(s: &CharSpan) -> Self {
        JsonSpan::new(s, None)
    }
}
