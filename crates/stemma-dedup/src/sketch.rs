//! Shingles, one-permutation MinHash with optimal densification, and LSH band keys.
//!
//! Why one-permutation hashing (Li, Owen & Zhang 2012) rather than k permutations: classic
//! MinHash hashes every shingle k times (128 × per word), which is where datasketch and rensa
//! spend their time; OPH hashes each shingle once and keeps the minimum per bin, so a
//! signature costs one pass. Empty bins (documents with fewer shingles than bins) are filled
//! by optimal densification (Shrivastava 2017): each empty bin copies the bin picked by a
//! hash of its own index and an attempt counter, the same choice in every document, which
//! keeps the collision probability of two signatures equal to their Jaccard similarity.

use xxhash_rust::xxh3::Xxh3;

/// Murmur3's 64-bit finalizer: a fast, well-mixing bijection.
#[inline]
pub(crate) fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

/// The hash of the whole normalized text (its word sequence): equal for exact duplicates,
/// whatever their spacing, line breaks, case or punctuation.
///
/// ```
/// let mut a = Vec::new();
/// let mut b = Vec::new();
/// stemma_text::word_norms("The  cat sat.\n", &mut a);
/// stemma_text::word_norms("the cat, SAT", &mut b);
/// assert_eq!(stemma_dedup::text_hash(&a), stemma_dedup::text_hash(&b));
/// ```
pub fn text_hash(norms: &[u64]) -> u64 {
    // The same bytes as hashing each norm's 8 bytes in turn, fed 32 norms at a time: the
    // streaming hasher has a fixed cost per call.
    let mut hasher = Xxh3::new();
    let mut buf = [0u8; 256];
    for chunk in norms.chunks(32) {
        for (slot, n) in buf.chunks_exact_mut(8).zip(chunk) {
            slot.copy_from_slice(&n.to_le_bytes());
        }
        hasher.update(&buf[..chunk.len() * 8]);
    }
    hasher.digest()
}

/// The set of `n`-word shingles of a word sequence, as sorted distinct 32-bit hashes. A text
/// of fewer than `n` words (but at least one) is one shingle of all its words.
///
/// ```
/// let mut norms = Vec::new();
/// stemma_text::word_norms("a b c d e f a b c d e", &mut norms);
/// let mut set = Vec::new();
/// stemma_dedup::shingle_set(&norms, 5, &mut set);
/// assert_eq!(set.len(), 6); // "a b c d e" twice counts once
/// assert!(set.windows(2).all(|w| w[0] < w[1]));
/// ```
pub fn shingle_set(norms: &[u64], n: usize, out: &mut Vec<u32>) {
    out.clear();
    out.extend(shingles(norms, n));
    sort_distinct(out);
}

thread_local! {
    /// [`sort_distinct`]'s bucket counts and sorted copy, reused between documents.
    static SORT_SCRATCH: std::cell::RefCell<(Vec<u32>, Vec<u32>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Sort hashes (near-uniform 32-bit values) and drop repeats. A counting pass on the top
/// bits (about one bucket per value) puts each value in its bucket, and the buckets, mostly
/// of zero to two values, are sorted in place: a few times faster than a comparison sort
/// for the hundreds of shingles of a document. Buckets that repeats or chance fill up fall
/// back to the comparison sort, so no input is quadratic.
pub(crate) fn sort_distinct(values: &mut Vec<u32>) {
    let n = values.len();
    if n < 64 {
        values.sort_unstable();
        values.dedup();
        return;
    }
    let bits = (usize::BITS - n.leading_zeros()).clamp(6, 16);
    let shift = 32 - bits;
    SORT_SCRATCH.with_borrow_mut(|(starts, sorted)| {
        starts.clear();
        starts.resize((1 << bits) + 1, 0);
        for &v in values.iter() {
            starts[(v >> shift) as usize + 1] += 1;
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        sorted.clear();
        sorted.resize(n, 0);
        // starts[b] moves from the start of bucket b to its end (the start of b + 1).
        for &v in values.iter() {
            let slot = &mut starts[(v >> shift) as usize];
            sorted[*slot as usize] = v;
            *slot += 1;
        }
        let mut start = 0;
        for &end in &starts[..1 << bits] {
            let bucket = &mut sorted[start..end as usize];
            if bucket.len() > 16 {
                bucket.sort_unstable();
            } else {
                for i in 1..bucket.len() {
                    let mut j = i;
                    while j > 0 && bucket[j - 1] > bucket[j] {
                        bucket.swap(j - 1, j);
                        j -= 1;
                    }
                }
            }
            start = end as usize;
        }
        values.clear();
        let mut last = None;
        for &v in sorted.iter() {
            if last != Some(v) {
                values.push(v);
                last = Some(v);
            }
        }
        if sorted.capacity() > 1 << 22 {
            *sorted = Vec::new();
        }
    });
}

/// The hash of each `n`-word shingle, in text order, repeats included (see [`shingle_set`]).
pub(crate) fn shingles(norms: &[u64], n: usize) -> impl Iterator<Item = u32> + '_ {
    let n = n.clamp(1, norms.len().max(1));
    norms.windows(n).map(|window| {
        let mut h = 0x9e37_79b9_7f4a_7c15u64;
        for &word in window {
            h = (h.rotate_left(23) ^ word).wrapping_mul(0x2545_f491_4f6c_dd1d);
        }
        (mix64(h) >> 32) as u32
    })
}

/// The [`signature`] of the [`shingle_set`] of a word sequence, without making the set: a
/// minimum per bin needs the shingles neither sorted nor distinct (sorting is most of the
/// cost of a set). For a caller that needs only the band keys, such as the index at ingest.
///
/// ```
/// let mut norms = Vec::new();
/// stemma_text::word_norms("a b c d e f a b c d e g h", &mut norms);
/// let mut set = Vec::new();
/// stemma_dedup::shingle_set(&norms, 5, &mut set);
/// let direct = stemma_dedup::shingle_signature(&norms, 5, 128);
/// assert_eq!(direct, stemma_dedup::signature(&set, 128));
/// ```
pub fn shingle_signature(norms: &[u64], n: usize, k: usize) -> Vec<u32> {
    signature_of(shingles(norms, n), k)
}

/// A one-permutation MinHash signature of `k` bins of a shingle set (empty for an empty set).
///
/// ```
/// let a: Vec<u32> = (0..1000).collect();
/// let b: Vec<u32> = (100..1100).collect(); // Jaccard 900/1100 = 0.82
/// let (sa, sb) = (stemma_dedup::signature(&a, 256), stemma_dedup::signature(&b, 256));
/// let agree = sa.iter().zip(&sb).filter(|(x, y)| x == y).count() as f64 / 256.0;
/// assert!((agree - 0.82).abs() < 0.1, "{agree}");
/// ```
pub fn signature(set: &[u32], k: usize) -> Vec<u32> {
    signature_of(set.iter().copied(), k)
}

/// [`signature`] of any sequence of shingle hashes (repeats change nothing).
fn signature_of(shingles: impl Iterator<Item = u32>, k: usize) -> Vec<u32> {
    if k == 0 {
        return Vec::new();
    }
    let mut sig = vec![u32::MAX; k];
    // Which bins received a value, as bits: the loop below has no branch to mispredict.
    let mut filled = [0u64; MAX_BINS / 64];
    let mut any = false;
    for x in shingles {
        any = true;
        let v = mix64(u64::from(x) ^ 0x5bd1_e995_1234_5678);
        let bin = (((v >> 32) * k as u64) >> 32) as usize;
        sig[bin] = sig[bin].min(v as u32);
        filled[bin / 64] |= 1 << (bin % 64);
    }
    if !any {
        return Vec::new();
    }
    densify(&mut sig, &filled[..k.div_ceil(64)]);
    sig
}

/// The largest signature ([`DedupOptions::num_perm`](crate::DedupOptions::num_perm) is at
/// most 4096).
const MAX_BINS: usize = 4096;

/// Densification picks remembered per bin: an empty bin takes the first of them that is
/// filled (all are tried at once, without a branch per pick); past them, it goes on picking.
const PICKS: usize = 8;

/// The bin an empty `bin` tries at `attempt`: a pure function of the bin's index and the
/// attempt, so two documents with the same empty bins and the same source bins copy the same
/// values.
fn densify_pick(bin: usize, attempt: u64, k: usize) -> usize {
    let pick = mix64(((bin as u64) << 32) ^ attempt ^ 0x2f7a_c9d1_0b3e_4a61);
    (((pick >> 32) * k as u64) >> 32) as usize
}

thread_local! {
    /// The first [`PICKS`] picks of every bin, for the last signature size used.
    static FIRST_PICKS: std::cell::RefCell<(usize, Vec<u16>)> =
        const { std::cell::RefCell::new((0, Vec::new())) };
}

/// Fill each empty bin of `sig` (`filled`: one bit per bin) from the first filled bin it
/// picks (optimal densification). Filled bins never change, so they are read in place.
fn densify(sig: &mut [u32], filled: &[u64]) {
    let k = sig.len();
    let is_filled = |bin: usize| filled[bin / 64] >> (bin % 64) & 1;
    FIRST_PICKS.with_borrow_mut(|(size, picks)| {
        if *size != k {
            picks.clear();
            for bin in 0..k {
                picks.extend((0..PICKS as u64).map(|a| densify_pick(bin, a, k) as u16));
            }
            *size = k;
        }
        for (word, &bits) in filled.iter().enumerate() {
            let valid = if (word + 1) * 64 <= k {
                u64::MAX
            } else {
                (1u64 << (k % 64)) - 1
            };
            let mut empty = !bits & valid;
            while empty != 0 {
                let bin = word * 64 + empty.trailing_zeros() as usize;
                empty &= empty - 1;
                let mine = &picks[bin * PICKS..(bin + 1) * PICKS];
                let mut found = 0u32;
                for (t, &from) in mine.iter().enumerate() {
                    found |= (is_filled(usize::from(from)) as u32) << t;
                }
                let from = if found != 0 {
                    usize::from(mine[found.trailing_zeros() as usize])
                } else {
                    (PICKS as u64..)
                        .map(|attempt| densify_pick(bin, attempt, k))
                        .find(|&from| is_filled(from) == 1)
                        .expect("some bin is filled")
                };
                sig[bin] = sig[from];
            }
        }
    });
}

/// The LSH key of each of `bands` bands of `rows` signature values (band `i` covers values
/// `i*rows .. (i+1)*rows`); two documents are candidates when any key is equal.
pub fn band_keys(sig: &[u32], bands: usize, rows: usize, out: &mut Vec<u64>) {
    out.clear();
    if sig.len() < bands * rows {
        return;
    }
    for band in 0..bands {
        let mut h = mix64(band as u64 ^ 0x6a09_e667_f3bc_c908);
        for &v in &sig[band * rows..(band + 1) * rows] {
            h = mix64(h ^ u64::from(v));
        }
        out.push(h);
    }
}

/// Probability that a pair of Jaccard similarity `s` shares at least one of `bands` keys of
/// `rows` rows.
pub fn candidate_probability(s: f64, bands: usize, rows: usize) -> f64 {
    1.0 - (1.0 - s.powi(rows as i32)).powi(bands as i32)
}

/// The band layout for a threshold: the most rows per band (fewest chance candidates) whose
/// bands, within `k` signature values, still find a pair at the threshold with probability
/// ≥ 0.995. Candidates are verified on their exact Jaccard, so a missed pair is lost but a
/// chance one only costs a check; datasketch's default (balanced false positives and
/// negatives: 9 bands of 13 at 0.8) finds a pair at the threshold 40 % of the time.
///
/// ```
/// assert_eq!(stemma_dedup::bands_for(0.8, 128), (21, 6));
/// let (b, r) = stemma_dedup::bands_for(0.5, 128);
/// assert!(stemma_dedup::candidate_probability(0.5, b, r) >= 0.995);
/// ```
pub fn bands_for(threshold: f64, k: usize) -> (usize, usize) {
    let k = k.max(1);
    for rows in (1..=k).rev() {
        let bands = k / rows;
        if candidate_probability(threshold, bands, rows) >= 0.995 {
            return (bands, rows);
        }
    }
    (k, 1)
}

/// Exact Jaccard similarity of two sorted distinct sets.
///
/// ```
/// assert_eq!(stemma_dedup::jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
/// assert_eq!(stemma_dedup::jaccard(&[], &[]), 1.0);
/// ```
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
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
    common as f64 / (a.len() + b.len() - common) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive_jaccard(a: &[u32], b: &[u32]) -> f64 {
        let sa: std::collections::BTreeSet<_> = a.iter().collect();
        let sb: std::collections::BTreeSet<_> = b.iter().collect();
        if sa.is_empty() && sb.is_empty() {
            return 1.0;
        }
        sa.intersection(&sb).count() as f64 / sa.union(&sb).count() as f64
    }

    #[test]
    fn estimates_are_unbiased_on_small_and_large_sets() {
        // Small sets leave most bins empty: densification must still estimate well.
        for (n, shift) in [(40u32, 4u32), (1000, 100), (5000, 500)] {
            let mut total = 0.0;
            let trials = 60;
            for t in 0..trials {
                let salt = t * 1_000_003;
                let a: Vec<u32> = (0..n).map(|i| mix64(u64::from(i + salt)) as u32).collect();
                let b: Vec<u32> = (shift..n + shift)
                    .map(|i| mix64(u64::from(i + salt)) as u32)
                    .collect();
                let (mut a, mut b) = (a, b);
                a.sort_unstable();
                b.sort_unstable();
                let (sa, sb) = (signature(&a, 128), signature(&b, 128));
                total += sa.iter().zip(&sb).filter(|(x, y)| x == y).count() as f64 / 128.0;
            }
            let truth = f64::from(n - shift) / f64::from(n + shift);
            let mean = total / f64::from(trials);
            assert!((mean - truth).abs() < 0.03, "n={n}: {mean} vs {truth}");
        }
    }

    #[test]
    fn identical_sets_have_identical_keys() {
        let set: Vec<u32> = vec![5, 9, 12];
        let (mut ka, mut kb) = (Vec::new(), Vec::new());
        band_keys(&signature(&set, 128), 21, 6, &mut ka);
        band_keys(&signature(&set, 128), 21, 6, &mut kb);
        assert_eq!(ka.len(), 21);
        assert_eq!(ka, kb);
    }

    #[test]
    fn short_texts_are_one_shingle() {
        let mut set = Vec::new();
        shingle_set(&[1, 2], 5, &mut set);
        assert_eq!(set.len(), 1);
        shingle_set(&[], 5, &mut set);
        assert!(set.is_empty());
    }

    #[test]
    fn shingles_depend_on_word_order() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        shingle_set(&[1, 2, 3], 3, &mut a);
        shingle_set(&[3, 2, 1], 3, &mut b);
        assert_ne!(a, b);
    }

    /// Densification one pick at a time, as first written: the reference for [`densify`].
    fn signature_pick_by_pick(set: &[u32], k: usize) -> Vec<u32> {
        let mut sig = vec![u32::MAX; k];
        let mut filled = vec![false; k];
        for &x in set {
            let v = mix64(u64::from(x) ^ 0x5bd1_e995_1234_5678);
            let bin = (((v >> 32) * k as u64) >> 32) as usize;
            sig[bin] = sig[bin].min(v as u32);
            filled[bin] = true;
        }
        if set.is_empty() {
            return Vec::new();
        }
        let snapshot = sig.clone();
        for bin in (0..k).filter(|&b| !filled[b]) {
            let from = (0..)
                .map(|attempt| densify_pick(bin, attempt, k))
                .find(|&f| filled[f])
                .unwrap();
            sig[bin] = snapshot[from];
        }
        sig
    }

    proptest! {
        #[test]
        fn densification_is_the_pick_by_pick_one(
            set in proptest::collection::vec(any::<u32>(), 0..400),
            k in prop_oneof![1usize..300, Just(128), Just(4096)],
        ) {
            prop_assert_eq!(signature(&set, k), signature_pick_by_pick(&set, k));
        }

        #[test]
        fn sort_distinct_sorts_and_drops_repeats(
            values in proptest::collection::vec(any::<u32>(), 0..3000),
            repeats in proptest::collection::vec(0u32..4, 0..3000),
        ) {
            // Repeats and values crowding one bucket as well as uniform ones.
            let mut values: Vec<u32> = values.into_iter().chain(repeats.into_iter().map(|r| r << 30 | 7)).collect();
            let mut expected = values.clone();
            expected.sort_unstable();
            expected.dedup();
            sort_distinct(&mut values);
            prop_assert_eq!(values, expected);
        }

        #[test]
        fn the_direct_signature_is_the_sets(
            norms in proptest::collection::vec(0u64..40, 0..200),
            n in 1usize..7,
        ) {
            let mut set = Vec::new();
            shingle_set(&norms, n, &mut set);
            prop_assert_eq!(shingle_signature(&norms, n, 128), signature(&set, 128));
        }

        #[test]
        fn jaccard_is_exact(
            a in proptest::collection::btree_set(0u32..200, 0..60),
            b in proptest::collection::btree_set(0u32..200, 0..60),
        ) {
            let a: Vec<u32> = a.into_iter().collect();
            let b: Vec<u32> = b.into_iter().collect();
            prop_assert_eq!(jaccard(&a, &b), naive_jaccard(&a, &b));
        }
    }
}
