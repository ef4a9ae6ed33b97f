//! Seeds: places where the two texts provably share words.
//!
//! Two kinds, both as rectangles over token indices:
//! - **n-gram seeds**: equal runs of `n` content-word stems (stopwords skipped), found with a
//!   sort-merge join and merged along diagonals, so a long verbatim run is one seed;
//! - **sentence seeds**: sentence pairs whose content stems are similar by idf-weighted
//!   cosine and Dice (as the PAN 2014 winner, Sanchez-Perez et al.), which survive rewording.

use stemma_text::Analysis;

/// A rectangle of tokens `[a0, a1) × [b0, b1)` known to be related.
///
/// An n-gram seed also carries its diagonal of matched content words: content positions
/// `ca0 + k` and `cb0 + k` for `k < clen` hold equal stems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Seed {
    pub a0: u32,
    pub a1: u32,
    pub b0: u32,
    pub b1: u32,
    pub ca0: u32,
    pub cb0: u32,
    pub clen: u32,
}

/// Positions of the content (non-stopword) tokens of a text.
pub(crate) fn content_positions(analysis: &Analysis) -> Vec<u32> {
    let positions: Vec<u32> = analysis
        .tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.stop)
        .map(|(i, _)| i as u32)
        .collect();
    positions
}

/// An n-gram occurring more often than this in either text is boilerplate there.
const MAX_NGRAM_OCCURRENCES: usize = 24;

/// The hash of the stems of the tokens at `window` (stable: stored in indexes).
pub(crate) fn ngram_hash(analysis: &Analysis, window: &[u32]) -> u64 {
    let mut h = 0x9E37_79B9_7F4A_7C15u64;
    for &t in window {
        h = (h.rotate_left(23) ^ analysis.tokens[t as usize].stem)
            .wrapping_mul(0xA076_1D64_78BD_642F);
    }
    h
}

/// The hash of each content-stem n-gram, with its content position, sorted.
fn ngram_keys(analysis: &Analysis, content: &[u32], n: usize) -> Vec<(u64, u32)> {
    if content.len() < n {
        return Vec::new();
    }
    let mut keys: Vec<(u64, u32)> = content
        .windows(n)
        .enumerate()
        .map(|(pos, window)| (ngram_hash(analysis, window), pos as u32))
        .collect();
    keys.sort_unstable();
    keys
}

/// N-gram seeds, merged along diagonals.
pub(crate) fn ngram_seeds(
    a: &Analysis,
    a_content: &[u32],
    b: &Analysis,
    b_content: &[u32],
    n: usize,
) -> Vec<Seed> {
    let (a_keys, b_keys) = rayon::join(
        || ngram_keys(a, a_content, n),
        || ngram_keys(b, b_content, n),
    );
    // Sort-merge join on the hash.
    let mut hits: Vec<(i64, u32, u32)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a_keys.len() && j < b_keys.len() {
        let (ha, hb) = (a_keys[i].0, b_keys[j].0);
        if ha < hb {
            i += 1;
        } else if hb < ha {
            j += 1;
        } else {
            let i_end = i + a_keys[i..].iter().take_while(|k| k.0 == ha).count();
            let j_end = j + b_keys[j..].iter().take_while(|k| k.0 == ha).count();
            if i_end - i <= MAX_NGRAM_OCCURRENCES && j_end - j <= MAX_NGRAM_OCCURRENCES {
                for &(_, pa) in &a_keys[i..i_end] {
                    for &(_, pb) in &b_keys[j..j_end] {
                        hits.push((i64::from(pa) - i64::from(pb), pa, pb));
                    }
                }
            }
            i = i_end;
            j = j_end;
        }
    }
    // Merge consecutive hits on one diagonal into one seed.
    hits.sort_unstable();
    let mut seeds = Vec::new();
    let mut k = 0;
    while k < hits.len() {
        let (diag, start_a, start_b) = hits[k];
        let mut last_a = start_a;
        k += 1;
        while k < hits.len() && hits[k].0 == diag && hits[k].1 <= last_a + n as u32 {
            last_a = hits[k].1;
            k += 1;
        }
        let clen = last_a - start_a + n as u32;
        let end_b = start_b + clen;
        seeds.push(Seed {
            a0: a_content[start_a as usize],
            a1: a_content[(start_a + clen - 1) as usize] + 1,
            b0: b_content[start_b as usize],
            b1: b_content[(end_b - 1) as usize] + 1,
            ca0: start_a,
            cb0: start_b,
            clen,
        });
    }
    seeds
}

/// Minimum idf-weighted cosine and Dice of a sentence pair.
const MIN_SENTENCE_COSINE: f64 = 0.4;
const MIN_SENTENCE_DICE: f64 = 0.4;
/// Sentence pairs must share at least this many distinct content stems.
const MIN_SHARED_STEMS: u32 = 3;
/// Stems whose pairings exceed this are too common to propose candidates.
const MAX_STEM_PAIRINGS: usize = 400;

/// Distinct content stems of each sentence: sorted `(stem, sentence)`.
fn sentence_stems(analysis: &Analysis) -> (Vec<(u64, u32)>, Vec<u32>) {
    let mut pairs = Vec::with_capacity(analysis.tokens.len());
    for (s, sentence) in analysis.sentences.iter().enumerate() {
        for t in &analysis.tokens[sentence.first as usize..sentence.end as usize] {
            if !t.stop {
                pairs.push((t.stem, s as u32));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut sizes = vec![0u32; analysis.sentences.len()];
    for &(_, s) in &pairs {
        sizes[s as usize] += 1;
    }
    (pairs, sizes)
}

/// Sentence-similarity seeds.
pub(crate) fn sentence_seeds(a: &Analysis, b: &Analysis) -> Vec<Seed> {
    let ((a_stems, a_sizes), (b_stems, b_sizes)) =
        rayon::join(|| sentence_stems(a), || sentence_stems(b));
    let total_sentences = (a.sentences.len() + b.sentences.len()) as f64;
    // Pass 1: idf per shared stem, sentence norms, and candidate contributions.
    let mut a_norm = vec![0f64; a.sentences.len()];
    let mut b_norm = vec![0f64; b.sentences.len()];
    let mut contributions: Vec<(u64, f32)> = Vec::new();
    let groups = |stems: &[(u64, u32)]| {
        let mut out = Vec::new();
        let mut i = 0;
        while i < stems.len() {
            let end = i + stems[i..].iter().take_while(|p| p.0 == stems[i].0).count();
            out.push((stems[i].0, i, end));
            i = end;
        }
        out
    };
    let (a_groups, b_groups) = (groups(&a_stems), groups(&b_stems));
    let (mut gi, mut gj) = (0, 0);
    let idf = |df: usize| (total_sentences / df as f64).ln().max(0.01);
    while gi < a_groups.len() || gj < b_groups.len() {
        let ka = a_groups.get(gi).map_or(u64::MAX, |g| g.0);
        let kb = b_groups.get(gj).map_or(u64::MAX, |g| g.0);
        if ka < kb || gj == b_groups.len() {
            let (_, s, e) = a_groups[gi];
            let w = idf(e - s);
            for &(_, sent) in &a_stems[s..e] {
                a_norm[sent as usize] += w * w;
            }
            gi += 1;
        } else if kb < ka || gi == a_groups.len() {
            let (_, s, e) = b_groups[gj];
            let w = idf(e - s);
            for &(_, sent) in &b_stems[s..e] {
                b_norm[sent as usize] += w * w;
            }
            gj += 1;
        } else {
            let (_, sa, ea) = a_groups[gi];
            let (_, sb, eb) = b_groups[gj];
            let w = idf(ea - sa + eb - sb);
            for &(_, sent) in &a_stems[sa..ea] {
                a_norm[sent as usize] += w * w;
            }
            for &(_, sent) in &b_stems[sb..eb] {
                b_norm[sent as usize] += w * w;
            }
            if (ea - sa) * (eb - sb) <= MAX_STEM_PAIRINGS {
                for &(_, x) in &a_stems[sa..ea] {
                    for &(_, y) in &b_stems[sb..eb] {
                        contributions.push(((u64::from(x) << 32) | u64::from(y), (w * w) as f32));
                    }
                }
            }
            gi += 1;
            gj += 1;
        }
    }
    contributions.sort_unstable_by_key(|c| c.0);
    let mut seeds = Vec::new();
    let mut k = 0;
    while k < contributions.len() {
        let key = contributions[k].0;
        let mut dot = 0f64;
        let mut shared = 0u32;
        while k < contributions.len() && contributions[k].0 == key {
            dot += f64::from(contributions[k].1);
            shared += 1;
            k += 1;
        }
        if shared < MIN_SHARED_STEMS {
            continue;
        }
        let (x, y) = ((key >> 32) as usize, (key & 0xFFFF_FFFF) as usize);
        let cosine = dot / (a_norm[x].sqrt() * b_norm[y].sqrt()).max(f64::MIN_POSITIVE);
        let dice = 2.0 * f64::from(shared) / f64::from(a_sizes[x] + b_sizes[y]);
        if cosine >= MIN_SENTENCE_COSINE && dice >= MIN_SENTENCE_DICE {
            let (sa, sb) = (a.sentences[x], b.sentences[y]);
            seeds.push(Seed {
                a0: sa.first,
                a1: sa.end,
                b0: sb.first,
                b1: sb.end,
                ca0: 0,
                cb0: 0,
                clen: 0,
            });
        }
    }
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;
    use stemma_text::analyze;

    #[test]
    fn verbatim_run_is_one_seed() {
        let text = "alpha beta gamma delta epsilon zeta eta theta iota kappa";
        let a = analyze(&format!("one two three {text} four"));
        let b = analyze(&format!("{text} five six"));
        let (ca, cb) = (content_positions(&a), content_positions(&b));
        let seeds = ngram_seeds(&a, &ca, &b, &cb, 3);
        assert_eq!(seeds.len(), 1, "{seeds:?}");
        assert_eq!(
            (seeds[0].a0, seeds[0].a1, seeds[0].b0, seeds[0].b1),
            (3, 13, 0, 10)
        );
        assert_eq!(seeds[0].clen, 10);
    }

    #[test]
    fn reworded_sentences_pair_up() {
        let a = analyze(
            "And God called the light Day, and the darkness he called Night. Nothing else.",
        );
        let b = analyze(
            "Unrelated start here. God called the light “day,” and the darkness he called “night.”",
        );
        let seeds = sentence_seeds(&a, &b);
        assert_eq!(seeds.len(), 1);
        assert_eq!((seeds[0].a0, seeds[0].b0), (0, 3));
    }
}
