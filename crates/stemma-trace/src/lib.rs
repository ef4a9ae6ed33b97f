//! # stemma-trace
//!
//! Attribution of a target document to its sources. Given the target and the passages each
//! candidate source shares with it (from [`stemma_align::align`], source as A, target as B),
//! it chooses one source per stretch of the target — a segmentation of the target — ranks the
//! sources by how close they are, puts them on a timeline by date, lists each attributed
//! segment with its source span and identity, and gives the share of the target no source
//! explains. Overlapping sources are never counted twice.
//!
//! It must not know about storage formats or rendering: it takes [`Document`]s and
//! [`Passage`]s (candidate retrieval is the index's job, output the report's).
//! [`trace_in_index`] is the pipeline over an index that the CLI, the API and the Python
//! package share; it goes through the index's API (candidates, stored documents) only. Besides
//! the channels' candidates it aligns the documents just past the fingerprint channel's cut
//! that are closer to the target by their words ([`word_likeness`]) than every candidate, at
//! most 3: inside a dense family the cut falls among siblings, and the closest text must be a
//! candidate.
//!
//! ## The model
//!
//! **Closeness, seen from both sides.** For each source: its `identity` (aligned words
//! identical after normalization, over all its passages: `Σ 2·matched / Σ (source words +
//! target words)`; a translated passage, whose identity is 0, counts at its similarity: see
//! [`likeness`]), the share of the *target* it explains, and the share of *the source* that
//! the target covers (`source_share`: its characters inside its passages). Closeness is
//!
//! ```text
//! closeness = identity × 2·target_share·source_share / (target_share + source_share)
//! ```
//!
//! (a harmonic mean, so a short original the target contains whole beats a long document that
//! embeds it, and the long document wins when the target is the long document). Before the
//! segmentation `target_share` is the share inside the source's passages (the *prior*
//! closeness, used below); in the result it is the share attributed to the source, and
//! [`Trace::sources`] are ranked by that closeness (ties: earliest date, then id).
//!
//! **Segmentation.** Every target word that some passage covers goes to one of the passages
//! covering it. A Viterbi pass along the target's words (the states of a word are the
//! passages covering it) picks the assignment with the highest
//!
//! ```text
//! Σ gain(word, passage)  −  SWITCH_COST × (changes of passage between two covered words)
//! ```
//!
//! where a passage gains nothing for a word it covers without aligning it to an identical
//! word (an edit), and for one it does align to an identical word gains
//!
//! ```text
//! identity × (1  +  CLOSENESS_WEIGHT × prior closeness of its source)
//!    +  EARLIEST_BONUS   if its source is the earliest dated among the passages matching
//!                        that word whose identity is within identity_tolerance(best) of
//!                        the best (0.1, narrowing to 0.02 next to a verbatim copy), and a
//!                        passage matching the word is dated later (undated sources are
//!                        never earlier)
//! ```
//!
//! (identity: the passage's [`likeness`]). So a source takes words over from another only
//! when it is clearly better over a stretch:
//! a stretch where it matches more words than the current one pays for two switches
//! ([`SWITCH_COST`] = 4 identical words each); where both match the same words, the closer
//! source keeps them; a sibling matching a few more of the stretch's words (names the target
//! shares with it) but with more of its own text changed or left out there (a clause the
//! target lacks) does not take them from the closer text (Debian's BSD-3-clause paragraph
//! with the Regents' names goes to BSD-3-Clause, identity 0.98, not to the 4-clause UC text,
//! 0.94: gaining per word at its identity, a passage needs as many more matched words as its
//! identity is lower); with dates, the earliest of equally close witnesses of a stretch is its
//! origin — a later copy of the same words, even a longer one, does not take them (the
//! stretch must be longer than `SWITCH_COST / EARLIEST_BONUS` = 8 words to be worth a
//! switch). Entering or leaving a stretch no passage covers is free, so a passage alone on its
//! words keeps them, however short (the text itself has that segment). A run shorter than
//! [`MIN_SEGMENT_WORDS`] that touches another passage's run (a passage reaching a word past a
//! better one's edge: "License" of a title) is left unexplained, so no segment shorter than
//! a few words sits beside another. The pass is
//! linear in the number of (word, covering passage) pairs and deterministic (ties go to
//! staying in the current passage, then to the better-ranked passage).
//!
//! **A closer runner-up takes the words.** After the pass, a source that was given no words
//! but whose passages cover every word given to another source takes those words (the
//! closest such runner-up) when it is closer than that source by prior closeness, its own
//! text is covered more by the target (by [`SOURCE_SHARE_MARGIN`]: the chosen source holds
//! text the target lacks), it is as close word for word (identity within
//! [`identity_tolerance`] of the source's), it is not clearly worse over those words, and
//! it is not dated later. Not clearly worse: over all the words it aligns to identical words
//! at most `identity_tolerance × words` fewer than the chosen source, and no more than
//! [`SWITCH_COST`] consecutive words are matched by the chosen source and not by it. A clause
//! the target has and the runner-up lacks keeps it out; other wording scattered over a
//! licence, a word here and a word there, does not (S-Lab's licence, a BSD text with a
//! paragraph more, matches 5 more of the 216 words of a BSD text found in the wild, in runs
//! of one and two words: the BSD text, which the target covers whole, is named).
//! Word by word, a sibling that has the target's names or wording wins a stretch even when it
//! holds much that the target lacks (protobuf's licence is Google's BSD text and a paragraph
//! more); seen from both sides, the text the target is a copy of is closer, and it is the one
//! a reader will publish.
//!
//! **Equally close witnesses are told apart by their significant differences.** Then, for
//! each source given words, the runners-up whose prior closeness is within
//! [`EQUALLY_CLOSE`] (1 %) of its own, that cover every word it was given and are not dated
//! later are equally close witnesses of them: siblings of a family covering the target whole
//! and differing from it by a word or two, which way round is chance. Each word of a
//! difference (a source's word not aligned to an identical target word, a target word the
//! source does not align to an identical one) weighs `ln(1 + n / df)`, `df` of the `n`
//! aligned sources holding the word: a reading most witnesses share is trivial, one that few
//! have (a holder's name) is significant. The witness with the least weight of differences
//! takes the words (ties: the segmentation's choice). A BSD text under another holder's name
//! goes to the generic text ("the copyright holders and contributors", words every BSD text
//! has), not to NetBSD's (which it matches a word more, but whose name it lacks).
//!
//! **Every aligned document, closest first** ([`Trace::by_closeness`]). The segmentation says
//! which words came from where; a reader wants the documents closest to the target first,
//! and a source that explains a few words (an added clause, a shared title) is not closer
//! than a runner-up covering the whole target almost as closely as the first. So every
//! aligned candidate is ranked by its closeness as a whole: the share of the target inside
//! its passages (what it would explain alone), its identity and its `source_share`, the
//! prior closeness above. A source the segmentation gave words counts as [`EQUALLY_CLOSE`]
//! (1 %) closer: among witnesses that close it was chosen for its significant differences
//! (or as the earliest), and that verdict stands; a runner-up closer than that comes first
//! (a text the target copies whole, 0.92 alike, before the sibling the segmentation gave the
//! words at 0.73). Ties: earliest date, more of the target attributed, id. The first of this
//! list is the one to publish; [`Trace::sources`] keep the segmentation's ranking.
//!
//! ```
//! use stemma_align::CompareOptions;
//! use stemma_text::{analyze, Document};
//! let source = Document::new("gpl", "Preamble. The licenses for most software are designed \
//!     to take away your freedom to share and change it. Other words follow here.");
//! let target = Document::new("draft", "Our plan. The licenses for most software are designed \
//!     to take away your freedom to share and change it. Our own conclusion.");
//! let trace = stemma_trace::trace(&target, &analyze(&target.text), &[source], &CompareOptions::default());
//! assert_eq!(trace.sources[0].id, "gpl");
//! assert!(trace.sources[0].share > 0.6 && trace.unexplained_share < 0.4);
//! let seg = &trace.segments[0];
//! assert!(target.text[seg.target.start..seg.target.end].starts_with("The licenses"));
//! ```

use std::cmp::Ordering;

use rayon::prelude::*;
use serde::Serialize;
use stemma_align::{CompareOptions, Passage, PassageKind, Span};
use stemma_text::{Analysis, CharOffsets, Document};

mod closeness;
mod closer;
mod cross;
mod indexed;
mod runners_up;
mod segment;
mod significant;

pub use closeness::{closeness, likeness};
pub use closer::{word_bag, word_likeness};
pub use cross::{CandidateLanguage, CrossLingual, CrossLingualReport};
pub use indexed::{trace_in_index, trace_in_index_with, IndexedTrace};
pub use significant::EQUALLY_CLOSE;

/// Why a trace over an index failed: the index, or the cross-lingual model's folder (one
/// line each, naming the folder and the fix).
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// Reading the index failed.
    #[error(transparent)]
    Index(#[from] stemma_index::IndexError),
    /// The model folder is named but missing, or truncated, wrong or corrupt.
    #[error(transparent)]
    Model(#[from] stemma_xling::ModelError),
}

use closeness::SourceMeasures;
use runners_up::give_to_closer_runners_up;
use segment::{drop_slivers, Lattice};

/// Passages whose identity is within this of the best passage aligning a word to an
/// identical word are equally close witnesses of it; the earliest dated source among them
/// gains [`EARLIEST_BONUS`] for the word. Near a verbatim copy the tolerance narrows (see
/// [`identity_tolerance`]).
pub const IDENTITY_TOLERANCE: f64 = 0.1;

/// The tolerance next to a verbatim copy (best identity 1): a re-filed copy differing by a
/// typo is as close, an earlier version with other words in a sentence is not.
pub const VERBATIM_TOLERANCE: f64 = 0.02;

/// How far below the best identity `best` a passage is still equally close:
/// [`VERBATIM_TOLERANCE`] plus half of what the best passage leaves unmatched, at most
/// [`IDENTITY_TOLERANCE`]. Two witnesses of a reworded stretch (best 0.5) are told apart by
/// nothing finer than 0.1; the target that copies one version word for word (best 1.0) names
/// that version, not an earlier one whose identity is 0.93.
///
/// ```
/// use stemma_trace::identity_tolerance;
/// assert!((identity_tolerance(1.0) - 0.02).abs() < 1e-9);
/// assert!((identity_tolerance(0.5) - 0.1).abs() < 1e-9);
/// ```
pub fn identity_tolerance(best: f64) -> f64 {
    (VERBATIM_TOLERANCE + 0.5 * (1.0 - best)).min(IDENTITY_TOLERANCE)
}

/// What changing from one passage to another between two covered target words costs, in
/// identical words: a source must be better by more than this over a stretch to take it.
pub const SWITCH_COST: f64 = 4.0;

/// Weight of the source's prior closeness (0–1) in the gain of each word it matches: among
/// sources matching the same words, the closer keeps them.
pub const CLOSENESS_WEIGHT: f64 = 0.5;

/// Gain, per matched word, of the earliest dated of the equally close witnesses of the word.
pub const EARLIEST_BONUS: f64 = 0.5;

/// How much more of its own text a runner-up must have covered by the target than the source
/// the segmentation chose, to take that source's words when it is closer (see the crate
/// docs): the chosen source holds text the target lacks. Between two texts the target covers
/// whole (sibling licences differing in a few words), the word-by-word verdict stands.
pub const SOURCE_SHARE_MARGIN: f64 = 0.05;

/// A segment shorter than this (in words) that touches a segment of another passage is left
/// unexplained: it is a passage reaching a word or two past a better one's edge, not a finding.
pub const MIN_SEGMENT_WORDS: usize = 4;

/// One candidate source and the passages it shares with the target (A = source, B = target).
#[derive(Debug, Clone)]
pub struct SourcePassages<'a> {
    /// The source document.
    pub source: &'a Document,
    /// Its passages, as [`stemma_align::align`]`(source, target)` returns them.
    pub passages: Vec<Passage>,
}

/// How much of the target one source explains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceCoverage {
    /// Position of the source in the input list.
    pub index: usize,
    /// Source id.
    pub id: String,
    /// Its title, when known.
    pub title: Option<String>,
    /// Its publisher or series, when known.
    pub source: Option<String>,
    /// Its date, as given.
    pub date: Option<String>,
    /// Target characters attributed to this source (after overlap resolution).
    pub chars: usize,
    /// `chars` / target characters.
    pub share: f64,
    /// Target characters inside any of this source's passages, before overlap resolution
    /// (what this source would explain alone).
    pub reused_chars: usize,
    /// Segments attributed to it.
    pub segments: usize,
    /// Aligned words identical after normalization, over all its passages with the target
    /// (`Σ 2·matched / Σ (source words + target words)`).
    pub identity: f64,
    /// Share of the source's characters inside its passages with the target: how much of the
    /// source the target covers.
    pub source_share: f64,
    /// `identity × harmonic mean(share, source_share)`: how close the source is, seen from
    /// both sides (see the crate docs). Sources are ranked by it.
    pub closeness: f64,
}

/// A run of target words attributed to one passage of one source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Index into [`Trace::sources`].
    pub source: usize,
    /// The attributed part of the target (bytes).
    pub target: Span,
    /// The whole passage in the target (bytes); wider than `target` when a better source
    /// explains part of it.
    pub passage_target: Span,
    /// The passage in the source (bytes).
    pub source_span: Span,
    /// The passage's identity (0–1).
    pub identity: f64,
    /// The passage's score (`identity × words`).
    pub score: f64,
    /// Verbatim, edited or paraphrased.
    pub kind: PassageKind,
    /// Target words in `target`.
    pub words: usize,
}

/// The attribution of a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    /// Characters (Unicode scalars) of the target's text.
    pub target_chars: usize,
    /// Words of the target.
    pub target_words: usize,
    /// Characters attributed to some source (union: nothing counted twice).
    pub explained_chars: usize,
    /// `1 - explained / target_chars`: the share no source explains.
    pub unexplained_share: f64,
    /// Sources with at least one attributed segment, closest first (ties: earliest date, then
    /// id).
    pub sources: Vec<SourceCoverage>,
    /// Candidates that share text with the target but were attributed none of it (a closer
    /// or earlier source explains the same words): the runners-up, closest first, their
    /// `closeness` computed with the share of the target inside their passages (`chars`,
    /// `share` and `segments` are 0).
    pub alternatives: Vec<SourceCoverage>,
    /// Every aligned candidate (the sources and the runners-up), closest first seen from
    /// both sides as a whole: `closeness` computed with the share of the target inside its
    /// passages (what it would explain alone), a source given words counting as
    /// [`EQUALLY_CLOSE`] closer (see the crate docs). What a reader reads first: the
    /// segmentation says which words came from where, this says which documents are closest.
    /// `chars`, `share` and `segments` are the segmentation's (0 for a runner-up).
    pub by_closeness: Vec<SourceCoverage>,
    /// Indices into `sources`, by date (undated last, then by id): the timeline.
    pub timeline: Vec<usize>,
    /// Attributed segments in target order.
    pub segments: Vec<Segment>,
}

/// Align every candidate against the target (in parallel) and attribute the target.
///
/// Sources without any passage are left out of the result.
pub fn trace(
    target: &Document,
    target_analysis: &Analysis,
    candidates: &[Document],
    options: &CompareOptions,
) -> Trace {
    let sources: Vec<SourcePassages> = candidates
        .par_iter()
        .map(|source| SourcePassages {
            source,
            passages: stemma_align::align(
                &stemma_text::analyze(&source.text),
                target_analysis,
                options,
            ),
        })
        .collect();
    attribute(target, target_analysis, &sources)
}

/// Segment the target among the sources' passages and rank the sources (see the crate docs
/// for the model).
///
/// ```
/// use stemma_align::{Passage, PassageKind, Span};
/// use stemma_text::{analyze, Document};
/// use stemma_trace::{attribute, SourcePassages};
/// let target = Document::new("t", "alpha beta gamma delta epsilon zeta eta theta");
/// let passage = |start, end, identity: f64| Passage {
///     a: Span { start, end }, b: Span { start, end }, a_tokens: 4, b_tokens: 4,
///     matched_tokens: 4, identity, score: identity * 4.0, kind: PassageKind::Verbatim,
///     a_diffs: vec![], b_diffs: vec![], also: vec![],
///     similarity: None,
///     sentence_pairs: Vec::new(),
/// };
/// let (mut old, new) = (Document::new("old", &target.text), Document::new("new", &target.text));
/// old.date = Some("1990".into());
/// let sources = [
///     SourcePassages { source: &new, passages: vec![passage(0, 35, 1.0)] }, // alpha … zeta
///     SourcePassages { source: &old, passages: vec![passage(23, 45, 1.0)] }, // epsilon … theta
/// ];
/// let trace = attribute(&target, &analyze(&target.text), &sources);
/// // Equally close where they overlap: the dated (earliest) source keeps "epsilon zeta".
/// let span_of = |id: &str| {
///     let seg = trace.segments.iter().find(|s| trace.sources[s.source].id == id).unwrap();
///     &target.text[seg.target.start..seg.target.end]
/// };
/// assert_eq!(span_of("old"), "epsilon zeta eta theta");
/// assert_eq!(span_of("new"), "alpha beta gamma delta");
/// assert_eq!(trace.explained_chars, 44); // all but the space between the two segments
/// ```
pub fn attribute(
    target: &Document,
    target_analysis: &Analysis,
    sources: &[SourcePassages],
) -> Trace {
    let text = &target.text;
    let tokens = &target_analysis.tokens;
    let offsets = CharOffsets::new(text);
    let chars = |span: Span| offsets.char_of(span.end) - offsets.char_of(span.start);
    let target_chars = offsets.char_of(text.len());
    let share = |c: usize| {
        if target_chars == 0 {
            0.0
        } else {
            c as f64 / target_chars as f64
        }
    };

    // Every passage, numbered best first: the numbers break ties deterministically.
    let mut ranked: Vec<(usize, usize)> = sources
        .iter()
        .enumerate()
        .flat_map(|(s, sp)| (0..sp.passages.len()).map(move |p| (s, p)))
        .collect();
    let rank = |&(s, p): &(usize, usize), &(t, q): &(usize, usize)| -> Ordering {
        let (x, y) = (&sources[s].passages[p], &sources[t].passages[q]);
        y.score
            .total_cmp(&x.score)
            .then_with(|| date_order(&sources[s].source.date, &sources[t].source.date))
            .then_with(|| sources[s].source.id.cmp(&sources[t].source.id))
            .then_with(|| (s, x.b, x.a).cmp(&(t, y.b, y.a)))
    };
    ranked.sort_by(rank);

    // Each source seen from both sides, before the segmentation.
    let measures: Vec<SourceMeasures> = sources
        .iter()
        .map(|sp| SourceMeasures::of(sp, &chars))
        .collect();
    let prior: Vec<f64> = measures
        .iter()
        .map(|m| closeness(m.likeness, share(m.reused_chars), m.source_share))
        .collect();

    // Which passages cover each target word, and whether they align it to an identical word
    // (in passage-number order).
    let mut covering: Vec<Vec<(u32, bool)>> = vec![Vec::new(); tokens.len()];
    for (number, &(s, p)) in ranked.iter().enumerate() {
        let passage = &sources[s].passages[p];
        let (b, mut diffs) = (passage.b, passage.b_diffs.clone());
        diffs.sort_unstable();
        let first = tokens.partition_point(|t| (t.start as usize) < b.start);
        let end = tokens.partition_point(|t| (t.end as usize) <= b.end);
        for (t, token) in tokens.iter().enumerate().take(end).skip(first) {
            let at = diffs.partition_point(|d| d.end <= token.start as usize);
            let unmatched = diffs
                .get(at)
                .is_some_and(|d| d.start <= token.start as usize);
            covering[t].push((number as u32, !unmatched));
        }
    }
    let source_of = |number: u32| ranked[number as usize].0;
    let identity = |number: u32| {
        let (s, p) = ranked[number as usize];
        likeness(&sources[s].passages[p])
    };
    let date = |number: u32| &sources[source_of(number)].source.date;

    // The gains of the lattice (crate docs).
    let mut entries: Vec<(u32, u32, f64)> = Vec::new();
    for (t, cover) in covering.iter().enumerate() {
        let best = cover
            .iter()
            .filter(|c| c.1)
            .map(|c| identity(c.0))
            .fold(f64::NEG_INFINITY, f64::max);
        let tolerance = identity_tolerance(best);
        let equally_close = |c: &(u32, bool)| c.1 && identity(c.0) >= best - tolerance;
        // The earliest date among the equally close, when a passage matching the word is
        // dated later (without dates, or with one date for all, nobody is earlier). A later
        // copy that is not as close (a short document holding an edited copy) does not make
        // the closest witness lose its bonus.
        let earliest = cover
            .iter()
            .filter(|c| equally_close(c))
            .map(|c| date(c.0))
            .min_by(|x, y| date_order(x, y));
        let latest = cover
            .iter()
            .filter(|c| c.1)
            .map(|c| date(c.0))
            .max_by(|x, y| date_order(x, y));
        let earliest = earliest.filter(|e| latest.is_some_and(|l| date_order(e, l).is_lt()));
        for c in cover {
            let gain = if c.1 {
                let first =
                    equally_close(c) && earliest.is_some_and(|e| date_order(date(c.0), e).is_eq());
                identity(c.0) * (1.0 + CLOSENESS_WEIGHT * prior[source_of(c.0)])
                    + if first { EARLIEST_BONUS } else { 0.0 }
            } else {
                0.0
            };
            entries.push((t as u32, c.0, gain));
        }
    }
    let mut owner = Lattice::new(tokens.len(), entries).best_path(SWITCH_COST);
    drop_slivers(&mut owner);
    give_to_closer_runners_up(&mut owner, &covering, &ranked, sources, &prior, &measures);
    drop_slivers(&mut owner);
    significant::give_to_fewest_significant_differences(
        &mut owner,
        &covering,
        &ranked,
        sources,
        &prior,
        target_analysis,
    );
    drop_slivers(&mut owner);

    // Runs of words with one owner become segments.
    let mut raw_segments: Vec<(usize, usize, Span, usize)> = Vec::new(); // (src, passage, span, words)
    let mut i = 0;
    while i < tokens.len() {
        let Some(number) = owner[i] else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        while j < tokens.len() && owner[j] == Some(number) {
            j += 1;
        }
        let (s, p) = ranked[number as usize];
        let span = Span {
            start: tokens[i].start as usize,
            end: tokens[j - 1].end as usize,
        };
        raw_segments.push((s, p, span, j - i));
        i = j;
    }

    // Coverage per input source, and the ranking by closeness.
    let mut attributed = vec![0usize; sources.len()];
    let mut counts = vec![0usize; sources.len()];
    for &(s, _, span, _) in &raw_segments {
        attributed[s] += chars(span);
        counts[s] += 1;
    }
    let final_closeness: Vec<f64> = (0..sources.len())
        .map(|s| {
            closeness(
                measures[s].likeness,
                share(attributed[s]),
                measures[s].source_share,
            )
        })
        .collect();
    let mut order: Vec<usize> = (0..sources.len()).filter(|&s| counts[s] > 0).collect();
    order.sort_by(|&x, &y| {
        final_closeness[y]
            .total_cmp(&final_closeness[x])
            .then_with(|| date_order(&sources[x].source.date, &sources[y].source.date))
            .then_with(|| attributed[y].cmp(&attributed[x]))
            .then_with(|| sources[x].source.id.cmp(&sources[y].source.id))
            .then(x.cmp(&y))
    });
    let mut position = vec![usize::MAX; sources.len()];
    for (k, &s) in order.iter().enumerate() {
        position[s] = k;
    }
    let coverage_of = |s: usize, closeness: f64| {
        let doc = sources[s].source;
        SourceCoverage {
            index: s,
            id: doc.id.clone(),
            title: doc.title.clone(),
            source: doc.source.clone(),
            date: doc.date.clone(),
            chars: attributed[s],
            share: share(attributed[s]),
            reused_chars: measures[s].reused_chars,
            segments: counts[s],
            identity: measures[s].identity,
            source_share: measures[s].source_share,
            closeness,
        }
    };
    let coverage: Vec<SourceCoverage> = order
        .iter()
        .map(|&s| coverage_of(s, final_closeness[s]))
        .collect();
    let mut runners_up: Vec<usize> = (0..sources.len())
        .filter(|&s| counts[s] == 0 && !sources[s].passages.is_empty())
        .collect();
    runners_up.sort_by(|&x, &y| {
        prior[y]
            .total_cmp(&prior[x])
            .then_with(|| date_order(&sources[x].source.date, &sources[y].source.date))
            .then_with(|| sources[x].source.id.cmp(&sources[y].source.id))
            .then(x.cmp(&y))
    });
    let alternatives: Vec<SourceCoverage> = runners_up
        .iter()
        .map(|&s| coverage_of(s, prior[s]))
        .collect();
    let aligned: Vec<usize> = (0..sources.len())
        .filter(|&s| !sources[s].passages.is_empty())
        .collect();
    let by_closeness: Vec<SourceCoverage> =
        closeness::closest_first(&aligned, &prior, &attributed, |s| sources[s].source)
            .into_iter()
            .map(|s| coverage_of(s, prior[s]))
            .collect();
    let mut timeline: Vec<usize> = (0..coverage.len()).collect();
    timeline.sort_by(|&x, &y| {
        date_order(&coverage[x].date, &coverage[y].date)
            .then_with(|| coverage[x].id.cmp(&coverage[y].id))
    });
    let segments: Vec<Segment> = raw_segments
        .iter()
        .map(|&(s, p, span, words)| {
            let passage = &sources[s].passages[p];
            Segment {
                source: position[s],
                target: span,
                passage_target: passage.b,
                source_span: passage.a,
                identity: passage.identity,
                score: passage.score,
                kind: passage.kind,
                words,
            }
        })
        .collect();
    let explained_chars: usize = attributed.iter().sum();
    Trace {
        target_chars,
        target_words: tokens.len(),
        explained_chars,
        unexplained_share: if target_chars == 0 {
            1.0
        } else {
            1.0 - share(explained_chars)
        },
        sources: coverage,
        alternatives,
        by_closeness,
        timeline,
        segments,
    }
}

/// Earliest first; undated last.
fn date_order(a: &Option<String>, b: &Option<String>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests;
