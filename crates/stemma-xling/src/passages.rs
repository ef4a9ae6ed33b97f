//! Translated passages from sentence embeddings: candidate pairs, chains, passages.
//!
//! Every sentence of A is compared with every sentence of B (exact k-NN by blocks, so two
//! long documents never need the whole similarity matrix). A pair is a seed when its cosine
//! is high both absolutely and relative to the two sentences' nearest neighbours (the ratio
//! margin of Artetxe & Schwenk 2019: `cos / mean(top-k of each side)`), which discounts a
//! sentence that is close to everything (a dateline, a list of names) and adapts to models
//! whose cosines run lower for one language. Seeds lying within a few sentences of each
//! other on both sides form one passage whatever their order, the way compare clusters word
//! seeds, so reordered and joined or split sentences stay in one passage; a passage needs
//! several pairs and good mean scores, and grows by neighbouring sentence pairs that are
//! close enough.

use stemma_align::{Passage, PassageKind, SentencePair, Span};

use crate::muse::{gemm_nt, DIM};
use crate::numbers::shares_a_number;
use crate::sentences::SentenceVectors;

/// Thresholds of [`find_translated`]; the defaults were set on NTREX pairs inserted into
/// unrelated English text (`bench/xling.sh`, seed 1; checked on seed 2).
#[derive(Debug, Clone, PartialEq)]
pub struct TranslateOptions {
    /// Neighbours per sentence for the margin.
    pub k: usize,
    /// A seed's least cosine.
    pub seed_cosine: f32,
    /// A seed's least margin.
    pub seed_margin: f32,
    /// Seeds at most this many sentences apart on both sides join one passage.
    pub max_gap: usize,
    /// Least sentence pairs of a passage.
    pub min_pairs: usize,
    /// Least mean cosine of a passage's pairs.
    pub passage_cosine: f32,
    /// Least mean margin of a passage's pairs.
    pub passage_margin: f32,
    /// Least mean margin of a passage of two pairs.
    pub two_pair_margin: f32,
    /// A passage of three pairs or more whose mean margin reaches this but not
    /// `passage_margin` is kept by [`find_translated_texts`] only when its two sides share a
    /// number ([`shares_a_number`]); [`find_translated`] never keeps it. Equal to
    /// `passage_margin` by default (no such passages).
    pub confirm_margin: f32,
    /// Accepted passages at most this many sentences apart on both sides are merged.
    pub merge_gap: usize,
    /// A neighbouring pair extends a passage at this cosine.
    pub extend_cosine: f32,
    /// Sentences with fewer words never seed (headings, datelines).
    pub min_seed_words: u32,
}

impl TranslateOptions {
    /// The defaults, with lower cosines when either language is only related to one the
    /// model knows (cosines of Ukrainian translations run about 0.2 lower): seeds, passages
    /// and the pairs that complete a passage.
    ///
    /// ```
    /// use stemma_xling::TranslateOptions;
    /// assert!(TranslateOptions::for_languages(Some("ukr"), Some("eng")).passage_cosine < TranslateOptions::default().passage_cosine);
    /// assert_eq!(TranslateOptions::for_languages(Some("rus"), Some("eng")), TranslateOptions::default());
    /// ```
    pub fn for_languages(a: Option<&str>, b: Option<&str>) -> Self {
        let related = [a, b]
            .iter()
            .flatten()
            .any(|l| crate::coverage(l) == crate::Coverage::Related);
        let defaults = TranslateOptions::default();
        if !related {
            return defaults;
        }
        TranslateOptions {
            seed_cosine: 0.2,
            passage_cosine: 0.33,
            extend_cosine: 0.15,
            // Ukrainian translations sit at lower margins; a number both sides share
            // confirms them (NTREX en–uk recall 0.92 → 0.97 at 1.3; two stories of one event
            // pass that margin too, but do not share their numbers).
            confirm_margin: 1.3,
            ..defaults
        }
    }
}

impl Default for TranslateOptions {
    fn default() -> Self {
        TranslateOptions {
            k: 4,
            seed_cosine: 0.3,
            seed_margin: 1.2,
            max_gap: 3,
            min_pairs: 2,
            passage_cosine: 0.4,
            passage_margin: 1.4,
            two_pair_margin: 1.5,
            confirm_margin: 1.4,
            merge_gap: 8,
            extend_cosine: 0.3,
            min_seed_words: 3,
        }
    }
}

/// The `k` best (cosine, index) of one sentence, best first.
#[derive(Debug, Clone)]
struct TopK {
    best: Vec<(f32, u32)>,
}

impl TopK {
    fn push(&mut self, k: usize, cosine: f32, index: u32) {
        if self.best.len() == k && self.best.last().is_some_and(|&(c, _)| c >= cosine) {
            return;
        }
        let at = self
            .best
            .partition_point(|&(c, i)| c > cosine || (c == cosine && i < index));
        self.best.insert(at, (cosine, index));
        self.best.truncate(k);
    }

    fn mean(&self) -> f32 {
        if self.best.is_empty() {
            return 0.0;
        }
        self.best.iter().map(|b| b.0).sum::<f32>() / self.best.len() as f32
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Rows of A compared with all of B at a time.
const BLOCK: usize = 256;

/// Every translated passage of `a` found in `b`, in order of A then B.
///
/// ```
/// use stemma_align::Span;
/// use stemma_xling::{find_translated, SentenceVectors, TranslateOptions};
/// // Three sentences each; A's 0 and 1 are "translated" as B's 1 and 2.
/// let unit = |axis: usize| { let mut v = vec![0.0f32; 512]; v[axis] = 1.0; v };
/// let sentences = |axes: &[usize]| SentenceVectors {
///     spans: (0..axes.len()).map(|i| Span { start: i * 10, end: i * 10 + 9 }).collect(),
///     words: vec![6; axes.len()],
///     vectors: axes.iter().flat_map(|&a| unit(a)).collect(),
/// };
/// let passages = find_translated(&sentences(&[1, 2, 3]), &sentences(&[7, 1, 2]), &TranslateOptions::default());
/// assert_eq!(passages.len(), 1);
/// assert_eq!((passages[0].a, passages[0].b), (Span { start: 0, end: 19 }, Span { start: 10, end: 29 }));
/// assert_eq!(passages[0].sentence_pairs.len(), 2);
/// ```
pub fn find_translated(
    a: &SentenceVectors,
    b: &SentenceVectors,
    options: &TranslateOptions,
) -> Vec<Passage> {
    translated(a, b, options)
        .into_iter()
        .filter_map(|(p, confirmed)| confirmed.then_some(p))
        .collect()
}

/// [`find_translated`], with the texts the vectors were made from (`a_text`, `b_text`):
/// a passage whose margin reaches only [`TranslateOptions::confirm_margin`] is kept when its
/// two sides share a number ([`shares_a_number`]).
///
/// ```
/// use stemma_xling::{find_translated_texts, SentenceVectors, TranslateOptions};
/// let (a, b) = (SentenceVectors::default(), SentenceVectors::default());
/// assert!(find_translated_texts("", &a, "", &b, &TranslateOptions::default()).is_empty());
/// ```
pub fn find_translated_texts(
    a_text: &str,
    a: &SentenceVectors,
    b_text: &str,
    b: &SentenceVectors,
    options: &TranslateOptions,
) -> Vec<Passage> {
    translated(a, b, options)
        .into_iter()
        .filter_map(|(p, confirmed)| {
            (confirmed || shares_a_number(&a_text[p.a.start..p.a.end], &b_text[p.b.start..p.b.end]))
                .then_some(p)
        })
        .collect()
}

/// Every translated passage, and whether its margins confirm it without its texts.
fn translated(
    a: &SentenceVectors,
    b: &SentenceVectors,
    options: &TranslateOptions,
) -> Vec<(Passage, bool)> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return Vec::new();
    }
    let k = options.k.max(1);
    let mut rows = vec![TopK { best: Vec::new() }; n];
    let mut cols = vec![TopK { best: Vec::new() }; m];
    let mut block = vec![0f32; BLOCK.min(n) * m];
    for first in (0..n).step_by(BLOCK) {
        let count = BLOCK.min(n - first);
        gemm_nt(
            count,
            m,
            &a.vectors[first * DIM..(first + count) * DIM],
            &b.vectors,
            &mut block[..count * m],
        );
        for r in 0..count {
            let i = first + r;
            for (j, &cosine) in block[r * m..(r + 1) * m].iter().enumerate() {
                rows[i].push(k, cosine, j as u32);
                cols[j].push(k, cosine, i as u32);
            }
        }
    }
    let row_mean: Vec<f32> = rows.iter().map(TopK::mean).collect();
    let col_mean: Vec<f32> = cols.iter().map(TopK::mean).collect();
    let margin =
        |i: usize, j: usize, cosine: f32| cosine / ((row_mean[i] + col_mean[j]) / 2.0).max(1e-3);

    // Seeds: the union of both sides' neighbour lists, filtered.
    let mut seeds: Vec<Seed> = Vec::new();
    let mut consider = |i: usize, j: usize, cosine: f32| {
        if a.words[i] >= options.min_seed_words
            && b.words[j] >= options.min_seed_words
            && cosine >= options.seed_cosine
        {
            let margin = margin(i, j, cosine);
            if margin >= options.seed_margin {
                seeds.push(Seed {
                    i,
                    j,
                    cosine,
                    margin,
                });
            }
        }
    };
    for (i, top) in rows.iter().enumerate() {
        for &(cosine, j) in &top.best {
            consider(i, j as usize, cosine);
        }
    }
    for (j, top) in cols.iter().enumerate() {
        for &(cosine, i) in &top.best {
            consider(i as usize, j, cosine);
        }
    }
    seeds.sort_by_key(|s| (s.i, s.j));
    seeds.dedup_by(|x, y| (x.i, x.j) == (y.i, y.j));

    let found: Vec<Found> = cluster(&seeds, options.max_gap)
        .into_iter()
        .filter_map(|group| accept(a, b, &group, options))
        .collect();
    let mut merged = merge_close(found, options.merge_gap);
    for f in &mut merged {
        fill_pairs(a, b, f, options);
    }
    // A passage shorter than a monolingual one may be, or whose pairs, once completed, are
    // on average no closer than a passage's seeds must be, is chance: a quote both stories
    // of one event carry, a few sentences of the same kind.
    let min_words = stemma_align::CompareOptions::default().min_words;
    let mut passages: Vec<(Passage, bool)> = merged
        .iter()
        .map(|f| (to_passage(a, b, f), f.confirmed))
        .filter(|(p, _)| {
            p.a_tokens.min(p.b_tokens) >= min_words
                && p.similarity.unwrap_or(0.0) >= f64::from(options.passage_cosine)
        })
        .collect();
    passages.sort_by(|(x, _), (y, _)| {
        (x.a.start, x.b.start, x.a.end, x.b.end).cmp(&(y.a.start, y.b.start, y.a.end, y.b.end))
    });
    passages
}

/// Add translated passages to monolingual ones: a translated passage that monolingual
/// passages overlapping it on both sides cover for at least half its length on either side
/// is left out (they explain it better); a smaller monolingual passage inside a translated
/// one (a quote left in the original language, a run of names) does not hide it, and is
/// listed under it in [`Passage::also`] (the translated passage explains it). The result is
/// sorted by position in A, then B.
///
/// ```
/// use stemma_align::{Passage, PassageKind, Span};
/// let p = |a: (usize, usize), kind| Passage {
///     a: Span { start: a.0, end: a.1 }, b: Span { start: a.0, end: a.1 },
///     a_tokens: 1, b_tokens: 1, matched_tokens: 0, identity: 0.0, score: 0.0, kind,
///     a_diffs: vec![], b_diffs: vec![], also: vec![], similarity: None, sentence_pairs: vec![],
/// };
/// let mut passages = vec![p((50, 60), PassageKind::Verbatim), p((200, 220), PassageKind::Verbatim)];
/// stemma_xling::add_translated(&mut passages, vec![
///     p((205, 212), PassageKind::Translated), // mostly the verbatim passage: left out
///     p((0, 10), PassageKind::Translated),
///     p((20, 100), PassageKind::Translated),  // holds the verbatim passage: kept, the other under it
/// ]);
/// assert_eq!(passages.iter().map(|p| p.a.start).collect::<Vec<_>>(), [0, 20, 200]);
/// assert_eq!(passages[1].also[0].a, Span { start: 50, end: 60 });
/// ```
pub fn add_translated(passages: &mut Vec<Passage>, translated: Vec<Passage>) {
    let overlap = |x: &Span, y: &Span| x.end.min(y.end).saturating_sub(x.start.max(y.start));
    let half = |covered: usize, span: &Span| covered * 2 >= span.end - span.start;
    let mut kept: Vec<Passage> = Vec::with_capacity(translated.len());
    for t in translated {
        let (mut on_a, mut on_b) = (0, 0);
        for p in passages.iter() {
            let (a, b) = (overlap(&p.a, &t.a), overlap(&p.b, &t.b));
            if a > 0 && b > 0 {
                on_a += a;
                on_b += b;
            }
        }
        if !(half(on_a, &t.a) || half(on_b, &t.b)) {
            kept.push(t);
        }
    }
    let monolingual = std::mem::take(passages);
    for p in monolingual {
        match kept
            .iter_mut()
            .find(|t| half(overlap(&p.a, &t.a), &p.a) && half(overlap(&p.b, &t.b), &p.b))
        {
            Some(t) => t.also.push(p),
            None => passages.push(p),
        }
    }
    passages.extend(kept);
    passages.sort_by(|x, y| {
        (x.a.start, x.b.start, x.a.end, x.b.end).cmp(&(y.a.start, y.b.start, y.a.end, y.b.end))
    });
}

#[derive(Debug, Clone, Copy)]
struct Seed {
    i: usize,
    j: usize,
    cosine: f32,
    margin: f32,
}

/// Seeds linked when they lie within `gap` sentences on both sides, grouped by union-find.
fn cluster(seeds: &[Seed], gap: usize) -> Vec<Vec<Seed>> {
    let mut parent: Vec<usize> = (0..seeds.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    // Seeds are sorted by i: only those within `gap` rows ahead can link.
    for x in 0..seeds.len() {
        for y in x + 1..seeds.len() {
            if seeds[y].i > seeds[x].i + gap {
                break;
            }
            if seeds[x].j.abs_diff(seeds[y].j) <= gap {
                let (rx, ry) = (find(&mut parent, x), find(&mut parent, y));
                parent[rx.max(ry)] = rx.min(ry);
            }
        }
    }
    let mut groups: Vec<Vec<Seed>> = Vec::new();
    let mut slot = vec![usize::MAX; seeds.len()];
    for (x, seed) in seeds.iter().enumerate() {
        let root = find(&mut parent, x);
        if slot[root] == usize::MAX {
            slot[root] = groups.len();
            groups.push(Vec::new());
        }
        groups[slot[root]].push(*seed);
    }
    groups
}

/// A passage in sentence indices, before it becomes a [`Passage`].
#[derive(Debug, Clone)]
struct Found {
    /// First and last sentence of A, of B.
    a: (usize, usize),
    b: (usize, usize),
    pairs: Vec<Seed>,
    /// Its margins reach `passage_margin` (else only `confirm_margin`).
    confirmed: bool,
}

/// A passage from one group of seeds: each sentence paired once (best margins first), the
/// pairs checked, the spans grown by close neighbouring pairs.
fn accept(
    a: &SentenceVectors,
    b: &SentenceVectors,
    group: &[Seed],
    options: &TranslateOptions,
) -> Option<Found> {
    let mut order: Vec<&Seed> = group.iter().collect();
    order.sort_by(|x, y| {
        y.margin
            .total_cmp(&x.margin)
            .then((x.i, x.j).cmp(&(y.i, y.j)))
    });
    let mut used_a = Vec::new();
    let mut used_b = Vec::new();
    let mut pairs: Vec<Seed> = Vec::new();
    for s in order {
        if !used_a.contains(&s.i) && !used_b.contains(&s.j) {
            used_a.push(s.i);
            used_b.push(s.j);
            pairs.push(*s);
        }
    }
    let count = pairs.len() as f32;
    let mean_cosine = pairs.iter().map(|p| p.cosine).sum::<f32>() / count;
    let mean_margin = pairs.iter().map(|p| p.margin).sum::<f32>() / count;
    // Two pairs happen by chance between two stories of one event: they need more margin.
    let margin_needed = if pairs.len() <= 2 {
        options.two_pair_margin
    } else {
        options.passage_margin
    };
    let confirmed = mean_margin >= margin_needed;
    if pairs.len() < options.min_pairs.max(1)
        || mean_cosine < options.passage_cosine
        || (!confirmed && (pairs.len() <= 2 || mean_margin < options.confirm_margin))
    {
        return None;
    }
    pairs.sort_by_key(|p| (p.i, p.j));
    let (mut i0, mut i1) = (
        pairs.iter().map(|p| p.i).min()?,
        pairs.iter().map(|p| p.i).max()?,
    );
    let (mut j0, mut j1) = (
        pairs.iter().map(|p| p.j).min()?,
        pairs.iter().map(|p| p.j).max()?,
    );
    // Grow at both ends while the neighbouring sentences are close.
    let pair = |i: usize, j: usize| Seed {
        i,
        j,
        cosine: dot(a.row(i), b.row(j)),
        margin: 0.0,
    };
    // A step pairs the next sentences, or skips one sentence of either side (a sentence
    // split or joined in translation, which the fill below pairs): the closest step that
    // reaches `extend_cosine`.
    const STEPS: [(usize, usize); 3] = [(1, 1), (2, 1), (1, 2)];
    loop {
        let step = STEPS
            .iter()
            .filter(|&&(di, dj)| i0 >= di && j0 >= dj)
            .map(|&(di, dj)| (dot(a.row(i0 - di), b.row(j0 - dj)), di, dj))
            .filter(|&(c, _, _)| c >= options.extend_cosine)
            .max_by(|x, y| x.0.total_cmp(&y.0));
        let Some((_, di, dj)) = step else { break };
        i0 -= di;
        j0 -= dj;
        pairs.push(pair(i0, j0));
    }
    loop {
        let step = STEPS
            .iter()
            .filter(|&&(di, dj)| i1 + di < a.len() && j1 + dj < b.len())
            .map(|&(di, dj)| (dot(a.row(i1 + di), b.row(j1 + dj)), di, dj))
            .filter(|&(c, _, _)| c >= options.extend_cosine)
            .max_by(|x, y| x.0.total_cmp(&y.0));
        let Some((_, di, dj)) = step else { break };
        i1 += di;
        j1 += dj;
        pairs.push(pair(i1, j1));
    }
    pairs.sort_by_key(|p| (p.i, p.j));
    Some(Found {
        a: (i0, i1),
        b: (j0, j1),
        pairs,
        confirmed,
    })
}

/// Complete a passage's sentence pairs: the pairs that keep both sides in order are anchors;
/// the unpaired sentences between two anchors are aligned by dynamic programming (one to one,
/// or skipped), and a sentence next to a pair joins it when the two together are closer to
/// the other side than the paired sentence alone (a sentence split or joined in translation).
fn fill_pairs(
    a: &SentenceVectors,
    b: &SentenceVectors,
    found: &mut Found,
    options: &TranslateOptions,
) {
    let mut pairs = std::mem::take(&mut found.pairs);
    pairs.sort_by_key(|p| (p.i, p.j));
    // Longest chain increasing on both sides (pairs are few: quadratic is fine).
    let n = pairs.len();
    let mut best = vec![1usize; n];
    let mut prev = vec![usize::MAX; n];
    for x in 0..n {
        for y in 0..x {
            if pairs[y].i < pairs[x].i && pairs[y].j < pairs[x].j && best[y] + 1 > best[x] {
                best[x] = best[y] + 1;
                prev[x] = y;
            }
        }
    }
    let mut chain = Vec::new();
    let mut at = (0..n).max_by_key(|&x| (best[x], usize::MAX - x));
    while let Some(x) = at {
        chain.push(pairs[x]);
        at = (prev[x] != usize::MAX).then_some(prev[x]);
    }
    chain.reverse();
    let mut out = pairs.clone();
    // Gaps: before the first anchor, between anchors, after the last (within the passage).
    let mut bounds = vec![(found.a.0 as isize - 1, found.b.0 as isize - 1)];
    bounds.extend(chain.iter().map(|p| (p.i as isize, p.j as isize)));
    bounds.push((found.a.1 as isize + 1, found.b.1 as isize + 1));
    for w in bounds.windows(2) {
        let (ia, ja) = ((w[0].0 + 1) as usize, (w[0].1 + 1) as usize);
        let (ib, jb) = (w[1].0 as usize, w[1].1 as usize);
        if ia >= ib || ja >= jb {
            continue;
        }
        // score[x][y]: best over the first x of A's gap and y of B's.
        let (na, nb) = (ib - ia, jb - ja);
        let mut score = vec![vec![0f32; nb + 1]; na + 1];
        for x in 1..=na {
            for y in 1..=nb {
                let c = dot(a.row(ia + x - 1), b.row(ja + y - 1));
                let matched = score[x - 1][y - 1]
                    + if c >= options.extend_cosine {
                        c
                    } else {
                        f32::NEG_INFINITY
                    };
                score[x][y] = score[x - 1][y].max(score[x][y - 1]).max(matched);
            }
        }
        let (mut x, mut y) = (na, nb);
        while x > 0 && y > 0 {
            let c = dot(a.row(ia + x - 1), b.row(ja + y - 1));
            if c >= options.extend_cosine && score[x][y] == score[x - 1][y - 1] + c {
                out.push(Seed {
                    i: ia + x - 1,
                    j: ja + y - 1,
                    cosine: c,
                    margin: 0.0,
                });
                x -= 1;
                y -= 1;
            } else if score[x][y] == score[x - 1][y] {
                x -= 1;
            } else {
                y -= 1;
            }
        }
    }
    // Joins: an unpaired neighbour that brings the pair closer.
    let joined = |u: &[f32], v: &[f32], w: &[f32]| {
        let sum: Vec<f32> = v.iter().zip(w).map(|(p, q)| p + q).collect();
        let norm = dot(&sum, &sum).sqrt().max(1e-6);
        dot(u, &sum) / norm
    };
    let paired_a: Vec<usize> = out.iter().map(|p| p.i).collect();
    let paired_b: Vec<usize> = out.iter().map(|p| p.j).collect();
    let mut joins = Vec::new();
    for p in &out {
        for j in [p.j.wrapping_sub(1), p.j + 1] {
            if j >= found.b.0
                && j <= found.b.1
                && !paired_b.contains(&j)
                && joined(a.row(p.i), b.row(p.j), b.row(j)) > p.cosine
            {
                joins.push(Seed {
                    i: p.i,
                    j,
                    cosine: dot(a.row(p.i), b.row(j)),
                    margin: 0.0,
                });
            }
        }
        for i in [p.i.wrapping_sub(1), p.i + 1] {
            if i >= found.a.0
                && i <= found.a.1
                && !paired_a.contains(&i)
                && joined(b.row(p.j), a.row(p.i), a.row(i)) > p.cosine
            {
                joins.push(Seed {
                    i,
                    j: p.j,
                    cosine: dot(a.row(i), b.row(p.j)),
                    margin: 0.0,
                });
            }
        }
    }
    out.extend(joins);
    out.sort_by_key(|p| (p.i, p.j));
    out.dedup_by_key(|p| (p.i, p.j));
    found.pairs = out;
}

/// Passages close on both sides (at most `merge_gap` sentences apart) are one passage whose
/// middle pairs were missed: merged, so one translated passage is reported once.
fn merge_close(mut found: Vec<Found>, merge_gap: usize) -> Vec<Found> {
    found.sort_by_key(|f| (f.a, f.b));
    // Sentences between two ranges (0 when they touch or overlap).
    let gap =
        |x: (usize, usize), y: (usize, usize)| y.0.saturating_sub(x.1).max(x.0.saturating_sub(y.1));
    let mut out: Vec<Found> = Vec::with_capacity(found.len());
    for f in found {
        match out
            .iter_mut()
            .rev()
            .find(|o| gap(o.a, f.a) <= merge_gap && gap(o.b, f.b) <= merge_gap)
        {
            Some(o) => {
                o.a = (o.a.0.min(f.a.0), o.a.1.max(f.a.1));
                o.b = (o.b.0.min(f.b.0), o.b.1.max(f.b.1));
                // Part of a confirmed passage: confirmed with it.
                o.confirmed |= f.confirmed;
                o.pairs.extend(f.pairs);
                o.pairs.sort_by_key(|p| (p.i, p.j));
                o.pairs.dedup_by_key(|p| (p.i, p.j));
            }
            None => out.push(f),
        }
    }
    out
}

fn to_passage(a: &SentenceVectors, b: &SentenceVectors, f: &Found) -> Passage {
    let (i0, i1) = f.a;
    let (j0, j1) = f.b;
    let a_tokens: usize = a.words[i0..=i1].iter().map(|&w| w as usize).sum();
    let b_tokens: usize = b.words[j0..=j1].iter().map(|&w| w as usize).sum();
    let similarity =
        f64::from(f.pairs.iter().map(|p| p.cosine).sum::<f32>() / f.pairs.len().max(1) as f32);
    Passage {
        a: Span {
            start: a.spans[i0].start,
            end: a.spans[i1].end,
        },
        b: Span {
            start: b.spans[j0].start,
            end: b.spans[j1].end,
        },
        a_tokens,
        b_tokens,
        matched_tokens: 0,
        identity: 0.0,
        score: similarity * a_tokens.min(b_tokens) as f64,
        kind: PassageKind::Translated,
        a_diffs: Vec::new(),
        b_diffs: Vec::new(),
        also: Vec::new(),
        similarity: Some(similarity),
        sentence_pairs: f
            .pairs
            .iter()
            .map(|p| SentencePair {
                a: a.spans[p.i],
                b: b.spans[p.j],
                similarity: f64::from(p.cosine),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectors(axes: &[usize]) -> SentenceVectors {
        SentenceVectors {
            spans: (0..axes.len())
                .map(|i| Span {
                    start: i * 10,
                    end: i * 10 + 9,
                })
                .collect(),
            words: vec![6; axes.len()],
            vectors: axes
                .iter()
                .flat_map(|&axis| {
                    let mut v = vec![0.0f32; DIM];
                    v[axis] = 1.0;
                    v
                })
                .collect(),
        }
    }

    #[test]
    fn a_passage_under_the_margin_needs_a_shared_number() {
        // Sentences i of A and B share an axis: a passage of three pairs at margin 3, which
        // these options confirm only with a number both sides share.
        let options = TranslateOptions {
            passage_margin: 100.0,
            confirm_margin: 1.0,
            ..TranslateOptions::default()
        };
        let a = vectors(&[1, 2, 3]);
        let b = vectors(&[1, 2, 3]);
        assert!(find_translated(&a, &b, &options).is_empty());
        let text = |n: &str| format!("{n:<29}");
        let (x, y) = (text("On 12 May the"), text("Am 12. Mai"));
        assert_eq!(find_translated_texts(&x, &a, &y, &b, &options).len(), 1);
        let z = text("Am 13. Mai");
        assert!(find_translated_texts(&x, &a, &z, &b, &options).is_empty());
        // Margins that confirm it need no number.
        let plain = TranslateOptions::default();
        assert_eq!(find_translated(&a, &b, &plain).len(), 1);
    }

    #[test]
    fn reordered_sentences_stay_one_passage() {
        // B holds A's sentences 1..4 in the order 3, 1, 4, 2 after two unrelated ones.
        let a = vectors(&[10, 1, 2, 3, 4, 11]);
        let b = vectors(&[20, 21, 3, 1, 4, 2, 22]);
        let p = find_translated(&a, &b, &TranslateOptions::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].a.start, p[0].a.end), (10, 49));
        assert_eq!((p[0].b.start, p[0].b.end), (20, 59));
        assert_eq!(p[0].sentence_pairs.len(), 4);
        assert_eq!(p[0].kind, PassageKind::Translated);
    }

    #[test]
    fn one_lone_pair_and_unrelated_texts_give_nothing() {
        let options = TranslateOptions::default();
        assert!(find_translated(&vectors(&[1, 2, 3]), &vectors(&[4, 5, 6]), &options).is_empty());
        assert!(find_translated(&vectors(&[1, 2, 3]), &vectors(&[4, 1, 6]), &options).is_empty());
        assert!(find_translated(&vectors(&[]), &vectors(&[4, 1, 6]), &options).is_empty());
    }

    #[test]
    fn distant_pairs_are_separate_passages() {
        let filler = |from: usize| (from..from + 10).collect::<Vec<_>>();
        let a = [vec![1, 2], filler(30), vec![3, 4]].concat();
        let b = [vec![3, 4], filler(50), vec![1, 2]].concat();
        let p = find_translated(&vectors(&a), &vectors(&b), &TranslateOptions::default());
        assert_eq!(p.len(), 2, "{p:?}");
    }

    #[test]
    fn close_passages_in_order_are_merged() {
        // Two runs of pairs five sentences apart on both sides: one passage.
        let a = vectors(&[1, 2, 30, 31, 32, 33, 34, 3, 4]);
        let b = vectors(&[1, 2, 40, 41, 42, 43, 44, 3, 4]);
        let p = find_translated(&a, &b, &TranslateOptions::default());
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].a.start, p[0].a.end), (0, 89));
        assert_eq!(p[0].sentence_pairs.len(), 4);
    }

    #[test]
    fn top_k_keeps_the_best_in_order() {
        let mut t = TopK { best: Vec::new() };
        for (c, i) in [(0.1, 0), (0.5, 1), (0.3, 2), (0.9, 3), (0.5, 4)] {
            t.push(3, c, i);
        }
        assert_eq!(t.best, vec![(0.9, 3), (0.5, 1), (0.5, 4)]);
    }
}
