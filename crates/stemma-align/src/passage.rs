//! The result types and options of alignment.

use serde::{Deserialize, Serialize};

/// A byte range `[start, end)` of a document's text, always on char boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span is empty.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// How a passage was reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PassageKind {
    /// The same words in the same order (after normalization).
    Verbatim,
    /// Mostly the same words, with edits, insertions, deletions or reordering.
    Edited,
    /// Rewritten: shares meaning-bearing words sentence by sentence, few exact runs.
    Paraphrased,
    /// The same sentences in another language (found by sentence embeddings).
    Translated,
}

/// Two sentences, one on each side, that say the same thing (a translated passage's parts).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SentencePair {
    /// The sentence in A.
    pub a: Span,
    /// The sentence in B.
    pub b: Span,
    /// Cosine of the two sentences' embeddings.
    pub similarity: f64,
}

/// One passage of document A reused in document B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// The passage in A (bytes).
    pub a: Span,
    /// The passage in B (bytes).
    pub b: Span,
    /// Words of A in the passage.
    pub a_tokens: usize,
    /// Words of B in the passage.
    pub b_tokens: usize,
    /// Words aligned to an identical word (after normalization) on the other side.
    pub matched_tokens: usize,
    /// `2 × matched / (a_tokens + b_tokens)`: the share of the passage's words that are
    /// aligned to an identical word.
    pub identity: f64,
    /// `identity × min(a_tokens, b_tokens)`: roughly, how many words were carried over.
    pub score: f64,
    /// Verbatim, edited, paraphrased or translated.
    pub kind: PassageKind,
    /// Words of A inside the passage that are not aligned to an identical word in B.
    pub a_diffs: Vec<Span>,
    /// Words of B inside the passage that are not aligned to an identical word in A.
    pub b_diffs: Vec<Span>,
    /// Weaker alignments lying mostly inside this passage on one side (the same words aligned
    /// a second time, to a similar text elsewhere): alternatives, not findings. Empty with
    /// [`CompareOptions::all_alignments`], and in alternatives themselves. See
    /// [`crate::one_per_region`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Passage>,
    /// Translated passages: the mean cosine of their sentence pairs (none for the others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// Translated passages: the sentence pairs they are made of, in order of A.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sentence_pairs: Vec<SentencePair>,
}

/// The knobs WCopyfind and passim users expect. The defaults need no tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareOptions {
    /// Seed n-gram size, in content words (stopwords are skipped inside n-grams).
    pub ngram: usize,
    /// Minimum passage length, in words, on both sides.
    pub min_words: usize,
    /// Maximum gap, in words, between seeds that still belong to one passage.
    pub max_gap: usize,
    /// Minimum identity (0–1) of a reported passage.
    pub min_identity: f64,
    /// Also seed from sentence pairs with similar vocabulary (survives rewording).
    pub sentence_seeds: bool,
    /// Report every alignment as a finding, also those lying mostly inside a better one
    /// (which are otherwise folded into its [`Passage::also`]; see [`crate::one_per_region`]).
    #[serde(default)]
    pub all_alignments: bool,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            ngram: 3,
            min_words: 12,
            max_gap: 40,
            min_identity: 0.0,
            sentence_seeds: true,
            all_alignments: false,
        }
    }
}
