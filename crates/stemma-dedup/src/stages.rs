//! The pipeline's stages as public functions, for engines that run them over partitions
//! (the Python package's Arrow functions, the Spark job). [`Deduper`](crate::Deduper) calls
//! the same functions, so an engine that runs them in its order gets its clusters:
//!
//! 1. [`sketch`] each document; documents with a normalized-text hash seen before (lower
//!    index) are exact duplicates of the first and are not paired;
//! 2. [`bucket_pairs`] of the documents sharing each band key;
//! 3. [`verify`] every distinct pair on the exact Jaccard of its shingle sets;
//! 4. [`star_clusters`](crate::star_clusters) of whole connected components of the verified
//!    pairs, documents ranked by [`keep_ranks`]; clusters numbered by kept document.

use crate::sketch::{shingles, sort_distinct};
use crate::{band_keys, jaccard, signature, text_hash, Keep};

/// One document's sketch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    /// Its words (normalized), at most `u32::MAX`.
    pub words: u32,
    /// The hash of its normalized text: equal for exact duplicates.
    pub hash: u64,
    /// Its shingle set (sorted distinct hashes), for [`verify`].
    pub set: Vec<u32>,
    /// Its LSH band keys, one per band.
    pub keys: Vec<u64>,
}

/// The sketch of `text`: `ngram`-word shingles, a `num_perm` signature cut into `bands` of
/// `rows` ([`DedupOptions::layout`](crate::DedupOptions::layout)). `norms` is a buffer
/// reused between calls.
///
/// ```
/// let s = stemma_dedup::sketch("One two three four five six.", 5, 128, 21, 6, &mut Vec::new());
/// assert_eq!((s.words, s.set.len(), s.keys.len()), (6, 2, 21));
/// ```
pub fn sketch(
    text: &str,
    ngram: usize,
    num_perm: usize,
    bands: usize,
    rows: usize,
    norms: &mut Vec<u64>,
) -> Sketch {
    let mut sketch = sketch_unsorted(text, ngram, num_perm, bands, rows, norms);
    sort_distinct(&mut sketch.set);
    sketch
}

/// [`sketch`] with the shingles left as they come, in text order with their repeats: the
/// signature does not need them sorted or distinct (a minimum per bin), and sorting every
/// document's set was a tenth of `stemma dedup`'s time when only the few sets of candidate
/// pairs are ever compared. [`Deduper`](crate::Deduper) keeps these and sorts a set
/// ([`sort_distinct`]) when it verifies a pair.
pub(crate) fn sketch_unsorted(
    text: &str,
    ngram: usize,
    num_perm: usize,
    bands: usize,
    rows: usize,
    norms: &mut Vec<u64>,
) -> Sketch {
    stemma_text::word_norms(text, norms);
    let set: Vec<u32> = shingles(norms, ngram).collect();
    let mut keys = Vec::new();
    band_keys(&signature(&set, num_perm), bands, rows, &mut keys);
    Sketch {
        words: norms.len().min(u32::MAX as usize) as u32,
        hash: text_hash(norms),
        set,
        keys,
    }
}

/// The candidate pairs of one band key's documents (`bucket`: sorted, distinct), each as
/// `a << 32 | b` with `a < b`. In a bucket larger than `max_bucket`, each document is paired
/// with the first `max_bucket` only.
///
/// ```
/// let mut pairs = Vec::new();
/// stemma_dedup::bucket_pairs(&[1, 4, 9], 2, |p| pairs.push((p >> 32, p & 0xFFFF_FFFF)));
/// assert_eq!(pairs, [(1, 4), (1, 9), (4, 9)]);
/// ```
pub fn bucket_pairs(bucket: &[u32], max_bucket: usize, mut each: impl FnMut(u64)) {
    let m = bucket.len();
    for i in 0..m.min(max_bucket) {
        for j in i + 1..m {
            each(u64::from(bucket[i]) << 32 | u64::from(bucket[j]));
        }
    }
}

/// Whether sets of `len_a` and `len_b` shingles can reach `threshold`: |A ∩ B| / |A ∪ B| ≤
/// min / max, so sets too different in size cannot (checked before reading the sets).
///
/// ```
/// assert!(stemma_dedup::may_reach(90, 100, 0.8));
/// assert!(!stemma_dedup::may_reach(70, 100, 0.8));
/// ```
pub fn may_reach(len_a: u32, len_b: u32, threshold: f64) -> bool {
    f64::from(len_a.min(len_b)) >= threshold * f64::from(len_a.max(len_b))
}

/// The similarity of a candidate pair when it reaches `threshold` (exact Jaccard of the
/// shingle sets, as the clusters and records keep it), or `None`.
///
/// ```
/// assert_eq!(stemma_dedup::verify(&[1, 2, 3, 4, 5], &[1, 2, 3, 4, 6], 0.6), Some(4.0 / 6.0));
/// assert_eq!(stemma_dedup::verify(&[1, 2, 3, 4, 5], &[1, 2, 3, 4, 6], 0.8), None);
/// ```
pub fn verify(a: &[u32], b: &[u32], threshold: f64) -> Option<f32> {
    if !may_reach(a.len() as u32, b.len() as u32, threshold) {
        return None;
    }
    let j = jaccard(a, b);
    (j >= threshold).then_some(j as f32)
}

/// Each document's rank under the keep rule (0 is kept first; ranks are distinct): input
/// order for [`Keep::First`]; the earliest `date` (ISO dates compare as text; undated last)
/// for [`Keep::Earliest`]; the most words, then bytes, for [`Keep::Longest`]; ties go to
/// input order. Ranks of a subset of documents, in input order, keep their relative order.
///
/// ```
/// use stemma_dedup::{keep_ranks, Keep};
/// let dates = ["1990", "", "1985"];
/// assert_eq!(keep_ranks(Keep::Earliest, &[5, 9, 7], &[30, 50, 40], |d| dates[d]), [1, 2, 0]);
/// assert_eq!(keep_ranks(Keep::Longest, &[5, 9, 7], &[30, 50, 40], |d| dates[d]), [2, 0, 1]);
/// ```
pub fn keep_ranks<'a>(
    keep: Keep,
    words: &[u32],
    bytes: &[u32],
    date: impl Fn(usize) -> &'a str,
) -> Vec<u32> {
    let n = words.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    match keep {
        Keep::First => {}
        Keep::Earliest => order.sort_by(|&a, &b| {
            let (da, db) = (date(a as usize), date(b as usize));
            (da.is_empty(), da, a).cmp(&(db.is_empty(), db, b))
        }),
        Keep::Longest => order.sort_by_key(|&d| {
            let d = d as usize;
            (std::cmp::Reverse((words[d], bytes[d])), d)
        }),
    }
    let mut rank = vec![0u32; n];
    for (r, &d) in order.iter().enumerate() {
        rank[d as usize] = r as u32;
    }
    rank
}
