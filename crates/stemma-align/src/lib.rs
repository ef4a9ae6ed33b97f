//! # stemma-align
//!
//! Finds every shared passage of two token sequences: hashed word n-gram seeds and
//! sentence-similarity seeds that survive rewording, clustered by proximity on both sides
//! (so reordered reuse stays one passage), extended to exact boundaries with a banded,
//! affine-gap local alignment, and merged so one reused passage is reported once.
//!
//! ## One alignment per region
//!
//! Texts full of repeated formulas (scripture, statutes, licences, numbered plans) align the
//! same words more than once: LGPL-2.1's FSF address lies inside its long passage shared with
//! GPL-2, and also aligns with the address in GPL-2's appendix. [`align`] reports such a
//! secondary as an alternative of the passage that explains the words ([`Passage::also`]),
//! not as a finding ([`CompareOptions::all_alignments`] reports everything). The rule
//! ([`one_per_region`]):
//!
//! - **better**: more matched words; then higher identity; then higher score; then earlier
//!   in A, then in B (a total, deterministic order);
//! - **inside**: on one side, the two passages' spans share more than half of the shorter
//!   one's bytes (one lies mostly inside the other);
//! - a passage inside a better finding on one side is that finding's alternative, unless it
//!   is a **twin** of it: its span on the other side apart from the finding's, and at least
//!   [`TWIN_SHARE`] (90 %) of the finding's matched words and identity. A twin is the same text
//!   truly copied twice into the other document: both copies are findings;
//! - a passage inside better findings on both sides (twins or not) explains nothing new and is
//!   an alternative too.
//!
//! Passages are decided best first, against the findings kept so far; twins are decided last,
//! against all the other findings, so a text occurring twice on both sides gives its two
//! copies (first with first, second with second) and the as-good crossing alignments, inside
//! findings on both sides, are alternatives. An alternative is listed under the finding it lies
//! in most tightly (the largest share of that finding's span).
//!
//! So two findings never lie mostly inside one another on either side unless they are twins.
//!
//! Pure functions on [`stemma_text::Analysis`] values: it must not know about files,
//! storage or rendering.
//!
//! ```
//! use stemma_align::{align, CompareOptions};
//! use stemma_text::analyze;
//! let a = "Preamble. The licenses for most software are designed to take away your freedom \
//!          to share and change it. Unrelated closing words about something else entirely.";
//! let b = "Other opening words. The licenses for most software are designed to take away \
//!          your freedom to share and change it. A different ending.";
//! let passages = align(&analyze(a), &analyze(b), &CompareOptions::default());
//! assert_eq!(passages.len(), 1);
//! let p = &passages[0];
//! assert!(a[p.a.start..p.a.end].starts_with("The licenses"));
//! assert!(b[p.b.start..p.b.end].ends_with("change it"));
//! ```

mod cluster;
mod extend;
pub mod fingerprint;
mod passage;
mod region;
mod seeds;

pub use passage::{CompareOptions, Passage, PassageKind, SentencePair, Span};
pub use region::{one_per_region, TWIN_SHARE};

use rayon::prelude::*;
use stemma_text::{Analysis, Token};

use extend::{lcs_matches, xdrop_extend, Scratch};
use seeds::Seed;

/// Every shared passage of `a` and `b`, ordered by position in `a`, then in `b`: one
/// alignment per region, weaker alignments of the same words folded into the better
/// passage's [`Passage::also`] ([`one_per_region`]), unless `options.all_alignments`.
///
/// Deterministic: the same inputs give the same passages whatever the thread count.
pub fn align(a: &Analysis, b: &Analysis, options: &CompareOptions) -> Vec<Passage> {
    let passages = all_alignments(a, b, options);
    if options.all_alignments {
        passages
    } else {
        one_per_region(passages)
    }
}

/// Every alignment, secondaries included, ordered by A then B.
fn all_alignments(a: &Analysis, b: &Analysis, options: &CompareOptions) -> Vec<Passage> {
    let (a_content, b_content) = rayon::join(
        || seeds::content_positions(a),
        || seeds::content_positions(b),
    );
    let (mut found, sentence_found) = rayon::join(
        || seeds::ngram_seeds(a, &a_content, b, &b_content, options.ngram.max(1)),
        || {
            if options.sentence_seeds {
                seeds::sentence_seeds(a, b)
            } else {
                Vec::new()
            }
        },
    );
    found.extend(sentence_found);
    let groups = cluster::cluster(found, options.max_gap as u32);
    let context = Context {
        a: &a.tokens,
        b: &b.tokens,
        a_content: &a_content,
        b_content: &b_content,
        options,
    };
    let candidates: Vec<Candidate> = groups
        .par_iter()
        .with_min_len(8)
        .enumerate()
        .map_init(Scratch::default, |scratch, (cluster, group)| {
            context.candidates(cluster as u32, group, scratch)
        })
        .flatten_iter()
        .collect();
    let strong: Vec<Candidate> = merge_overlapping(candidates)
        .into_iter()
        .filter(|c| context.is_strong(c))
        .collect();
    context
        .merge_neighbours(strong)
        .into_iter()
        .map(|c| context.passage(c))
        .collect()
}

/// Identity under which a passage needs three times the minimum of matched words.
const WEAK_IDENTITY: f64 = 0.4;
/// A text shorter than twice the minimum passage whose words a candidate aligns (at least
/// this share of them, at least [`WHOLE_TEXT_IDENTITY`] identical) is found whole: the
/// minimum falls to [`WHOLE_TEXT_MIN_WORDS`] words.
const WHOLE_TEXT_SHARE: f64 = 0.9;
const WHOLE_TEXT_IDENTITY: f64 = 0.9;
const WHOLE_TEXT_MIN_WORDS: usize = 6;

/// A group of seeds turned into aligned words: the matched token indices on each side.
#[derive(Debug, Default)]
struct Candidate {
    matched_a: Vec<u32>,
    matched_b: Vec<u32>,
    /// The cluster of seeds it comes from.
    cluster: u32,
    /// A one-sided repeat split off its cluster's first candidate: a second copy of its
    /// words, never merged back into the candidates of its cluster.
    repeat: bool,
}

impl Candidate {
    fn a_range(&self) -> (u32, u32) {
        (
            self.matched_a[0],
            self.matched_a[self.matched_a.len() - 1] + 1,
        )
    }

    fn b_range(&self) -> (u32, u32) {
        (
            self.matched_b[0],
            self.matched_b[self.matched_b.len() - 1] + 1,
        )
    }

    /// Share of the words in both ranges that are matched.
    fn identity(&self) -> f64 {
        let (a0, a1) = self.a_range();
        let (b0, b1) = self.b_range();
        (self.matched_a.len() + self.matched_b.len()) as f64 / f64::from(a1 - a0 + b1 - b0)
    }

    /// Whether most of this candidate's words on one side, and only on one side, are
    /// `other`'s: the same words aligned again elsewhere in the other text (a phrase repeated
    /// there), not more of `other`'s passage.
    fn repeats_one_side_of(&self, other: &Candidate) -> bool {
        let explained = |mine: &[u32], theirs: &[u32]| count_missing(mine, theirs) * 2 < mine.len();
        explained(&self.matched_a, &other.matched_a) != explained(&self.matched_b, &other.matched_b)
    }

    /// Whether one of the two is a repeat split off the other ([`Candidate::repeat`]).
    fn second_copy_of(&self, other: &Candidate) -> bool {
        self.cluster == other.cluster && (self.repeat || other.repeat)
    }

    /// Whether this candidate's span lies apart from `other`'s on the side where its words
    /// are not `other`'s ([`Candidate::repeats_one_side_of`]).
    fn apart_where_new(&self, other: &Candidate) -> bool {
        let explained_a =
            count_missing(&self.matched_a, &other.matched_a) * 2 < self.matched_a.len();
        let ((x0, x1), (y0, y1)) = if explained_a {
            (self.b_range(), other.b_range())
        } else {
            (self.a_range(), other.a_range())
        };
        x1 <= y0 || y1 <= x0
    }

    /// Add the word pairs of a monotone chain (`matched_a[i]` ↔ `matched_b[i]`) whose words
    /// are unmatched on both sides: a word is aligned once.
    fn absorb_fresh_pairs(&mut self, chain: &Candidate) {
        if chain.matched_a.len() != chain.matched_b.len() {
            self.absorb(chain);
            return;
        }
        let fresh: Vec<(u32, u32)> = chain
            .matched_a
            .iter()
            .zip(&chain.matched_b)
            .filter(|(x, y)| {
                self.matched_a.binary_search(x).is_err() && self.matched_b.binary_search(y).is_err()
            })
            .map(|(&x, &y)| (x, y))
            .collect();
        if fresh.is_empty() {
            return;
        }
        self.matched_a.extend(fresh.iter().map(|p| p.0));
        self.matched_a.sort_unstable();
        self.matched_b.extend(fresh.iter().map(|p| p.1));
        self.matched_b.sort_unstable();
    }

    /// Add another candidate's matched words.
    fn absorb(&mut self, other: &Candidate) {
        self.matched_a.extend_from_slice(&other.matched_a);
        self.matched_a.sort_unstable();
        self.matched_a.dedup();
        self.matched_b.extend_from_slice(&other.matched_b);
        self.matched_b.sort_unstable();
        self.matched_b.dedup();
    }
}

struct Context<'a> {
    a: &'a [Token],
    b: &'a [Token],
    a_content: &'a [u32],
    b_content: &'a [u32],
    options: &'a CompareOptions,
}

/// A monotone run of anchors (matched content words), or a sentence pair without anchors.
struct Chain {
    anchors: Vec<(u32, u32)>,
    a0: u32,
    a1: u32,
    b0: u32,
    b1: u32,
}

impl Context<'_> {
    /// Align one cluster of seeds: split its anchors into monotone chains (reordered reuse
    /// gives several), extend each chain's ends with the X-drop aligner, and match words
    /// between anchors by LCS. Usually one candidate; more when one side repeats the words
    /// within the cluster (a passage copied twice a few sentences apart).
    fn candidates(&self, cluster: u32, group: &[Seed], scratch: &mut Scratch) -> Vec<Candidate> {
        let mut anchors: Vec<(u32, u32)> = Vec::new();
        let mut chains: Vec<Chain> = Vec::new();
        for seed in group {
            if seed.clen == 0 {
                chains.push(Chain {
                    anchors: Vec::new(),
                    a0: seed.a0,
                    a1: seed.a1,
                    b0: seed.b0,
                    b1: seed.b1,
                });
            }
            for k in 0..seed.clen {
                anchors.push((
                    self.a_content[(seed.ca0 + k) as usize],
                    self.b_content[(seed.cb0 + k) as usize],
                ));
            }
        }
        anchors.sort_unstable();
        anchors.dedup();
        chains.extend(self.monotone_chains(&anchors));
        let mut aligned: Vec<Candidate> = chains
            .iter_mut()
            .map(|chain| {
                self.extend_chain(chain, scratch);
                let mut matched = Candidate {
                    cluster,
                    ..Candidate::default()
                };
                self.match_chain(chain, scratch, &mut matched);
                matched.matched_a.sort_unstable();
                matched.matched_a.dedup();
                matched.matched_b.sort_unstable();
                matched.matched_b.dedup();
                matched
            })
            .collect();
        // A phrase repeated in one text aligns twice: its words are explained already on one
        // side but new on the other. Best chains first; such a one-sided repeat does not join
        // the candidate whose words it repeats (it would stretch the passage) but the first
        // one it is consistent with, or, when its new side lies apart from them all, starts
        // its own: a passage copied twice within the clustering gap gives two candidates,
        // whose second is a finding (a twin) or an alternative as [`one_per_region`] decides. A chain that overlaps a candidate on both
        // sides adds only the word pairs new on both sides (a formula aligned one verse off
        // adds nothing).
        aligned.sort_by_key(|c| std::cmp::Reverse(c.matched_a.len().min(c.matched_b.len())));
        let mut out: Vec<Candidate> = Vec::new();
        for chain in aligned {
            let joins = out
                .iter()
                .position(|candidate| !chain.repeats_one_side_of(candidate));
            match joins {
                Some(k) => out[k].absorb_fresh_pairs(&chain),
                // A repeat reaching into a candidate's span on its new side is that passage
                // aligned a verse off (formulas), not a second copy.
                None if out.iter().all(|c| chain.apart_where_new(c)) => {
                    out.push(Candidate {
                        repeat: true,
                        ..chain
                    });
                }
                None => {}
            }
        }
        out
    }

    /// Patience-style decomposition: each anchor joins the chain whose last anchor precedes
    /// it on both sides most closely (within the gap), or starts a new chain.
    fn monotone_chains(&self, anchors: &[(u32, u32)]) -> Vec<Chain> {
        let gap = self.options.max_gap as u32 + 1;
        let mut chains: Vec<Chain> = Vec::new();
        for &(x, y) in anchors {
            let best = chains
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    let (lx, ly) = c.anchors[c.anchors.len() - 1];
                    lx < x && ly < y && x - lx <= gap && y - ly <= gap
                })
                .min_by_key(|(_, c)| {
                    let (lx, ly) = c.anchors[c.anchors.len() - 1];
                    (x - lx) + (y - ly)
                })
                .map(|(i, _)| i);
            match best {
                Some(i) => {
                    let chain = &mut chains[i];
                    chain.anchors.push((x, y));
                    chain.a1 = x + 1;
                    chain.b1 = y + 1;
                }
                None => chains.push(Chain {
                    anchors: vec![(x, y)],
                    a0: x,
                    a1: x + 1,
                    b0: y,
                    b1: y + 1,
                }),
            }
        }
        chains
    }

    /// Grow a chain's box outward where the words keep aligning (banded affine X-drop).
    fn extend_chain(&self, chain: &mut Chain, scratch: &mut Scratch) {
        let reach = self.options.max_gap.max(8);
        let (ea, eb) = xdrop_extend(
            self.a[..chain.a0 as usize].iter().rev().map(|t| t.norm),
            self.b[..chain.b0 as usize].iter().rev().map(|t| t.norm),
            reach,
            scratch,
        );
        chain.a0 -= ea as u32;
        chain.b0 -= eb as u32;
        let (ea, eb) = xdrop_extend(
            self.a[chain.a1 as usize..].iter().map(|t| t.norm),
            self.b[chain.b1 as usize..].iter().map(|t| t.norm),
            reach,
            scratch,
        );
        chain.a1 += ea as u32;
        chain.b1 += eb as u32;
    }

    /// Record every identical word pair of a chain: anchors whose words are identical, and
    /// LCS matches in the segments between anchors and the box edges.
    fn match_chain(&self, chain: &Chain, scratch: &mut Scratch, out: &mut Candidate) {
        let (mut norms_a, mut norms_b) = std::mem::take(&mut scratch.norms);
        let mut from = (chain.a0, chain.b0);
        let points = chain
            .anchors
            .iter()
            .copied()
            .chain(std::iter::once((chain.a1, chain.b1)));
        for (x, y) in points {
            if x >= from.0 && y >= from.1 {
                norms_a.clear();
                norms_a.extend(self.a[from.0 as usize..x as usize].iter().map(|t| t.norm));
                norms_b.clear();
                norms_b.extend(self.b[from.1 as usize..y as usize].iter().map(|t| t.norm));
                lcs_matches(&norms_a, &norms_b, scratch, |i, j| {
                    out.matched_a.push(from.0 + i as u32);
                    out.matched_b.push(from.1 + j as u32);
                });
                if x < chain.a1 && self.a[x as usize].norm == self.b[y as usize].norm {
                    out.matched_a.push(x);
                    out.matched_b.push(y);
                }
                from = (x + 1, y + 1);
            }
        }
        // Hand the buffers back for the next segment: no allocation per chain.
        scratch.norms = (norms_a, norms_b);
    }

    /// Whether a candidate is evidence of reuse rather than chance: enough aligned words on
    /// both sides, more than half of the minimum of them content words, and the identity the
    /// options and the chance floor ask for.
    fn is_strong(&self, candidate: &Candidate) -> bool {
        let mut min_words = self.options.min_words;
        if self.is_whole_short_text(candidate) {
            min_words = min_words.min(WHOLE_TEXT_MIN_WORDS);
        }
        if candidate.matched_a.len() < min_words || candidate.matched_b.len() < min_words {
            return false;
        }
        let identity = candidate.identity();
        // Short candidates below this identity are chance alignments of common words around
        // a stray seed; long ones are kept as heavy rewording (measured on bench/quality.sh).
        let matched = (candidate.matched_a.len() + candidate.matched_b.len()) / 2;
        // Formulas ("if now I have found favour in thy sight, … I pray thee") align a dozen
        // words that are mostly function words; reuse carries content words. More than half
        // of the minimum must be content words (measured on the Genesis negatives of
        // bench/quality.sh: 2 formula echoes in 100 pairs, no case lost).
        let content = candidate
            .matched_a
            .iter()
            .filter(|&&i| !self.a[i as usize].stop)
            .count();
        identity >= self.options.min_identity
            && content * 2 > min_words
            && (identity >= WEAK_IDENTITY || matched >= 3 * min_words)
    }

    /// Whether the candidate is (nearly) all of a text shorter than the minimum, copied
    /// nearly word for word: a two-line licence or notice that the other text holds whole is
    /// a finding, however short (the words of a whole text do not meet by chance).
    fn is_whole_short_text(&self, candidate: &Candidate) -> bool {
        let whole = |matched: usize, text: &[Token]| {
            text.len() < self.options.min_words.max(WHOLE_TEXT_MIN_WORDS) * 2
                && matched as f64 >= WHOLE_TEXT_SHARE * text.len() as f64
        };
        candidate.identity() >= WHOLE_TEXT_IDENTITY
            && (whole(candidate.matched_a.len(), self.a)
                || whole(candidate.matched_b.len(), self.b))
    }

    /// Join passages that follow each other on both sides with a short gap (a reworded
    /// sentence without seeds, say), when the joined passage is still strong: one reused
    /// passage is reported once.
    fn merge_neighbours(&self, candidates: Vec<Candidate>) -> Vec<Candidate> {
        let reach = 2 * self.options.max_gap as u32;
        let mut merged: Vec<Candidate> = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            if let Some(last) = merged.last_mut() {
                let (la0, la1) = last.a_range();
                let (lb0, lb1) = last.b_range();
                let (a0, a1) = candidate.a_range();
                let (b0, b1) = candidate.b_range();
                let follows = a0 >= la0
                    && b0 >= lb0
                    && a1 > la1
                    && b1 > lb1
                    && !candidate.second_copy_of(last);
                let near = a0 <= la1 + reach && b0 <= lb1 + reach;
                if follows && near {
                    let mut joined = Candidate {
                        matched_a: last.matched_a.clone(),
                        matched_b: last.matched_b.clone(),
                        cluster: last.cluster,
                        repeat: last.repeat,
                    };
                    joined.absorb(&candidate);
                    if self.is_strong(&joined) {
                        *last = joined;
                        continue;
                    }
                }
            }
            merged.push(candidate);
        }
        merged
    }

    /// Describe a candidate as a [`Passage`].
    fn passage(&self, candidate: Candidate) -> Passage {
        let (a0, a1) = candidate.a_range();
        let (b0, b1) = candidate.b_range();
        let (a_tokens, b_tokens) = ((a1 - a0) as usize, (b1 - b0) as usize);
        let matched = candidate.matched_a.len() + candidate.matched_b.len();
        let identity = candidate.identity();
        let a_diffs = unmatched_spans(self.a, a0, a1, &candidate.matched_a);
        let b_diffs = unmatched_spans(self.b, b0, b1, &candidate.matched_b);
        let kind = if a_diffs.is_empty() && b_diffs.is_empty() {
            PassageKind::Verbatim
        } else if identity >= 0.5 {
            PassageKind::Edited
        } else {
            PassageKind::Paraphrased
        };
        Passage {
            a: token_span(self.a, a0, a1),
            b: token_span(self.b, b0, b1),
            a_tokens,
            b_tokens,
            matched_tokens: matched / 2,
            identity,
            score: identity * a_tokens.min(b_tokens) as f64,
            kind,
            a_diffs,
            b_diffs,
            also: Vec::new(),
            similarity: None,
            sentence_pairs: Vec::new(),
        }
    }
}

fn token_span(tokens: &[Token], first: u32, end: u32) -> Span {
    Span {
        start: tokens[first as usize].start as usize,
        end: tokens[end as usize - 1].end as usize,
    }
}

/// How many of the sorted `items` are not in the sorted `known`.
fn count_missing(items: &[u32], known: &[u32]) -> usize {
    items
        .iter()
        .filter(|i| known.binary_search(i).is_err())
        .count()
}

/// Runs of consecutive unmatched words in `[first, end)`, as byte spans.
fn unmatched_spans(tokens: &[Token], first: u32, end: u32, matched: &[u32]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut next_matched = matched.iter().peekable();
    let mut run: Option<(u32, u32)> = None;
    for i in first..end {
        while next_matched.peek().is_some_and(|&&m| m < i) {
            next_matched.next();
        }
        if next_matched.peek() == Some(&&i) {
            if let Some((s, e)) = run.take() {
                spans.push(token_span(tokens, s, e));
            }
        } else {
            run = Some(run.map_or((i, i + 1), |(s, _)| (s, i + 1)));
        }
    }
    if let Some((s, e)) = run {
        spans.push(token_span(tokens, s, e));
    }
    spans
}

/// Merge candidates that overlap on both sides: one reused passage is reported once.
fn merge_overlapping(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut candidates: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| !c.matched_a.is_empty() && !c.matched_b.is_empty())
        .collect();
    candidates.sort_unstable_by_key(|c| (c.a_range(), c.b_range()));
    let mut merged: Vec<Candidate> = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let (a0, _) = candidate.a_range();
        let (b0, b1) = candidate.b_range();
        // Candidates are sorted by A start: only recent ones can overlap on A.
        let target = merged.iter_mut().rev().take(16).find(|m| {
            let (ma0, ma1) = m.a_range();
            let (mb0, mb1) = m.b_range();
            a0 < ma1 && ma0 <= a0 && b0 < mb1 && mb0 < b1 && !candidate.second_copy_of(m)
        });
        match target {
            Some(m) => m.absorb(&candidate),
            None => merged.push(candidate),
        }
    }
    merged.sort_unstable_by_key(|c| (c.a_range(), c.b_range()));
    merged
}
