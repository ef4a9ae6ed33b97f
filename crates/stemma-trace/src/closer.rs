//! The closest text must be a candidate, also inside a dense family of near-identical texts.
//!
//! The fingerprint channel ranks documents by the idf-weighted fingerprints they share with
//! the target, and keeps the best [`stemma_index::CandidateOptions::limit`] (30). Inside a
//! family of near-identical texts (the BSD licence and the hundreds of licences that embed or
//! reword it) dozens of siblings share nearly the same fingerprints, and which of them make
//! the cut is decided by a few rare fingerprints: a sibling sharing the target's holder's
//! name outranks the generic text that is, word for word, closer (ScanCode's 4-clause
//! `bsd-original` ranked 36th-48th for its own rules, behind 3-clause texts that share the
//! target's disclaimer wording; bench/README.md, licence section).
//!
//! So, as a textual critic checks the witnesses nearest the one he found, trace looks through
//! the documents the cut dropped (the fingerprint channel's next [`RESERVE`]) for texts closer
//! to the target by their words than every candidate: [`word_likeness`] (words in common over
//! the words of both, counted with repeats, in any order) above the best candidate's by
//! [`MARGIN`]. The best [`ADDED`] of those are aligned too. Most traces add none; where the
//! cut kept the closest text, nothing changes.

use stemma_index::{Candidate, Index, IndexError};
use stemma_text::Document;

/// Documents after the fingerprint channel's limit looked through for a closer text.
pub const RESERVE: usize = 30;
/// Most documents added from the reserve.
pub const ADDED: usize = 3;
/// How much closer by [`word_likeness`] than every candidate a document of the reserve must
/// be to be added: the likeness of siblings differing by a word or two is within it, and
/// adding them only reorders equally close texts.
pub const MARGIN: f64 = 0.01;

/// The words of a text as [`stemma_text::word_norms`] gives them, sorted: a bag of words for
/// [`word_likeness`].
///
/// ```
/// let bag = stemma_trace::word_bag("the cat, the hat");
/// assert_eq!(bag.len(), 4);
/// ```
pub fn word_bag(text: &str) -> Vec<u64> {
    let mut words = Vec::new();
    stemma_text::word_norms(text, &mut words);
    words.sort_unstable();
    words
}

/// How alike two texts are by their words, in any order: `2 × words in common / (words of
/// a + words of b)`, each word counted as often as both texts hold it (a multiset Dice
/// coefficient over [`word_bag`]s). 1 for the same words, 0 for none in common.
///
/// ```
/// use stemma_trace::{word_bag, word_likeness};
/// let a = word_bag("the cat sat on the mat");
/// let b = word_bag("the cat sat on a mat");
/// assert!((word_likeness(&a, &b) - 10.0 / 12.0).abs() < 1e-9);
/// assert_eq!(word_likeness(&a, &a), 1.0);
/// assert_eq!(word_likeness(&a, &[]), 0.0);
/// ```
pub fn word_likeness(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// The documents of `reserve` closer to the target (`target_bag`, its [`word_bag`]) by
/// [`word_likeness`] than every one of `sources` by more than [`MARGIN`], the closest first
/// (ties: the reserve's order), at most [`ADDED`], with their stored text.
pub(crate) fn closer_in_reserve(
    index: &Index,
    target_bag: &[u64],
    sources: &[Document],
    reserve: Vec<Candidate>,
) -> Result<Vec<(Candidate, Document)>, IndexError> {
    if reserve.is_empty() || target_bag.is_empty() {
        return Ok(Vec::new());
    }
    let best = sources
        .iter()
        .map(|s| word_likeness(target_bag, &word_bag(&s.text)))
        .fold(0.0, f64::max);
    let documents = index.documents(&reserve)?;
    let mut closer: Vec<(f64, Candidate, Document)> = reserve
        .into_iter()
        .zip(documents)
        .map(|(c, d)| (word_likeness(target_bag, &word_bag(&d.text)), c, d))
        .filter(|(likeness, _, _)| *likeness > best + MARGIN)
        .collect();
    // Stable: equally close documents keep the reserve's order.
    closer.sort_by(|x, y| y.0.total_cmp(&x.0));
    closer.truncate(ADDED);
    Ok(closer.into_iter().map(|(_, c, d)| (c, d)).collect())
}
