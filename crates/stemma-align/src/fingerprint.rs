//! Document fingerprints for the index: hashed n-grams of content-word stems, winnowed.
//!
//! The hash of an n-gram is the same one the aligner seeds from, so a fingerprint shared by
//! two documents is a seed the aligner will find.

use stemma_text::Analysis;

/// Hashes of every n-gram of content-word stems, in text order, with the index of the
/// n-gram's first token.
///
/// ```
/// let a = stemma_text::analyze("the quick brown fox jumps over the lazy dog");
/// let grams = stemma_align::fingerprint::ngram_hashes(&a, 3);
/// assert_eq!(grams.len(), 4); // quick brown fox jumps lazy dog: 6 content words
/// assert_eq!(grams[0].1, 1);   // "quick" is token 1
/// ```
pub fn ngram_hashes(analysis: &Analysis, n: usize) -> Vec<(u64, u32)> {
    let content = crate::seeds::content_positions(analysis);
    let n = n.max(1);
    if content.len() < n {
        return Vec::new();
    }
    content
        .windows(n)
        .map(|window| (crate::seeds::ngram_hash(analysis, window), window[0]))
        .collect()
}

/// Winnowing (Schleimer, Wilkerson & Aiken 2003): the minimum hash of every window of `w`
/// consecutive n-grams, rightmost on ties, each kept once. Any shared run of at least
/// `w + n - 1` content words shares at least one fingerprint.
///
/// ```
/// use stemma_align::fingerprint::{ngram_hashes, winnow};
/// let a = stemma_text::analyze("one two three four five six seven eight nine ten eleven twelve");
/// let grams = ngram_hashes(&a, 3);
/// let kept = winnow(&grams, 4);
/// assert!(!kept.is_empty() && kept.len() < grams.len());
/// ```
pub fn winnow(hashes: &[(u64, u32)], w: usize) -> Vec<(u64, u32)> {
    let w = w.max(1);
    if hashes.len() <= w {
        return hashes
            .iter()
            .min_by_key(|h| h.0)
            .into_iter()
            .copied()
            .collect();
    }
    let mut kept: Vec<(u64, u32)> = Vec::with_capacity(hashes.len() * 2 / (w + 1) + 1);
    let mut last_index = usize::MAX;
    for start in 0..=hashes.len() - w {
        // Rightmost minimum of the window.
        let (offset, _) = hashes[start..start + w]
            .iter()
            .enumerate()
            .rev()
            .min_by_key(|(_, h)| h.0)
            .expect("window is not empty");
        let index = start + offset;
        if index != last_index {
            kept.push(hashes[index]);
            last_index = index;
        }
    }
    kept
}

/// The distinct winnowed fingerprints of a text, sorted: what an index stores per document.
///
/// ```
/// let a = stemma_text::analyze("a text long enough to have several content words in it for sure");
/// let fps = stemma_align::fingerprint::fingerprints(&a, 3, 4);
/// assert!(fps.windows(2).all(|p| p[0] < p[1]));
/// ```
pub fn fingerprints(analysis: &Analysis, n: usize, w: usize) -> Vec<u64> {
    let mut kept: Vec<u64> = winnow(&ngram_hashes(analysis, n), w)
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    kept.sort_unstable();
    kept.dedup();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_run_shares_a_fingerprint() {
        let shared = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu";
        let a = stemma_text::analyze(&format!("apples pears plums cherries {shared} figs"));
        let b = stemma_text::analyze(&format!("{shared} grapes melons"));
        let (fa, fb) = (fingerprints(&a, 3, 8), fingerprints(&b, 3, 8));
        assert!(fa.iter().any(|h| fb.binary_search(h).is_ok()));
    }
}
