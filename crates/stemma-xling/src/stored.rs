//! Sentence vectors computed earlier (stored in an index) joined back to their text.

use stemma_text::Analysis;

use crate::muse::DIM;
use crate::sentences::{sentence_units, SentenceVectors};

impl SentenceVectors {
    /// The sentences of `text` (as `analysis` found them, the way
    /// [`Model::sentence_vectors`](crate::Model::sentence_vectors) cuts them) with `vectors`
    /// computed earlier for them, `sentences × DIM` row by row. `None` when the count of
    /// vectors does not match the sentences (vectors made for another text or by another
    /// sentence splitter): they must not be paired with the wrong sentences.
    ///
    /// ```
    /// use stemma_xling::{SentenceVectors, DIM};
    /// let text = "One sentence here. Another one follows.";
    /// let analysis = stemma_text::analyze(text);
    /// let v = SentenceVectors::from_rows(text, &analysis, vec![0.0; 2 * DIM]).unwrap();
    /// assert_eq!(v.len(), 2);
    /// assert!(SentenceVectors::from_rows(text, &analysis, vec![0.0; DIM]).is_none());
    /// ```
    pub fn from_rows(text: &str, analysis: &Analysis, vectors: Vec<f32>) -> Option<Self> {
        let (spans, words): (Vec<_>, Vec<u32>) = sentence_units(text, analysis).into_iter().unzip();
        if vectors.len() != spans.len() * DIM {
            return None;
        }
        Some(SentenceVectors {
            spans,
            words,
            vectors,
        })
    }
}
