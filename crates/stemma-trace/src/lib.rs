//! # stemma-trace
//!
//! Attribution of a target document to its sources: given the target and the passages each
//! candidate source shares with it (from [`stemma_align::align`], source as A, target as B),
//! every word of the target goes to one passage covering it, so overlapping sources are never
//! counted twice: among the passages that align the word to an identical word and whose
//! identity is within [`IDENTITY_TOLERANCE`] of the best of them, the earliest dated source
//! (then the higher `identity × length` score, then the smaller id). A later, longer copy of
//! the same words does not take them from their origin. The result says how much of the target each
//! source explains (% of the target's characters), puts the sources on a timeline by date,
//! lists each attributed segment with its source span and identity, and gives the share of
//! the target no source explains.
//!
//! It must not know about storage formats or rendering: it takes [`Document`]s and
//! [`Passage`]s (candidate retrieval is the index's job, output the report's).
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

/// Passages whose identity is within this of the best passage aligning a word to an
/// identical word are equally good witnesses of it; the earliest dated source gets the word.
pub const IDENTITY_TOLERANCE: f64 = 0.1;

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
    /// Sources with at least one attributed segment, most coverage first (ties: earliest
    /// date, then id).
    pub sources: Vec<SourceCoverage>,
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

/// Attribute each word of the target to the best passage covering it (see the crate docs).
///
/// ```
/// use stemma_align::{Passage, PassageKind, Span};
/// use stemma_text::{analyze, Document};
/// use stemma_trace::{attribute, SourcePassages};
/// let target = Document::new("t", "alpha beta gamma delta");
/// let passage = |start, end, identity: f64| Passage {
///     a: Span { start, end }, b: Span { start, end }, a_tokens: 2, b_tokens: 2,
///     matched_tokens: 2, identity, score: identity * 2.0, kind: PassageKind::Verbatim,
///     a_diffs: vec![], b_diffs: vec![], also: vec![],
/// };
/// let (mut old, new) = (Document::new("old", &target.text), Document::new("new", &target.text));
/// old.date = Some("1990".into());
/// let sources = [
///     SourcePassages { source: &new, passages: vec![passage(0, 16, 1.0)] },
///     SourcePassages { source: &old, passages: vec![passage(6, 22, 1.0)] },
/// ];
/// let trace = attribute(&target, &analyze(&target.text), &sources);
/// // Equal scores where they overlap: the dated (earliest) source wins "beta gamma".
/// assert_eq!(trace.sources[0].id, "old");
/// assert_eq!(trace.sources[0].chars, 16);
/// assert_eq!(trace.sources[1].chars, 5); // "alpha"
/// assert_eq!(trace.explained_chars, 21); // all but the space between the two segments
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

    // Every passage with its rank key; best first.
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

    // Which passages cover each target token, and whether they align it to an identical word.
    let mut covering: Vec<Vec<(u32, bool)>> = vec![Vec::new(); tokens.len()];
    for (rank_no, &(s, p)) in ranked.iter().enumerate() {
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
            covering[t].push((rank_no as u32, !unmatched));
        }
    }
    let identity = |r: u32| {
        let (s, p) = ranked[r as usize];
        sources[s].passages[p].identity
    };
    let date = |r: u32| &sources[ranked[r as usize].0].source.date;

    // Each token goes to a passage that aligns it to an identical word: among those as good
    // as the best one (identity within the tolerance), the earliest source — a later copy of
    // the same words, even a longer one, is not their origin. Words no passage matches (edits)
    // stay with the passage of the previous word when it covers them, else the best passage.
    const NONE: u32 = u32::MAX;
    let mut owner = vec![NONE; tokens.len()];
    for t in 0..tokens.len() {
        let cover = &covering[t];
        if cover.is_empty() {
            continue;
        }
        let best = cover
            .iter()
            .filter(|c| c.1)
            .map(|c| identity(c.0))
            .fold(f64::NEG_INFINITY, f64::max);
        owner[t] = if best.is_finite() {
            cover
                .iter()
                .filter(|c| c.1 && identity(c.0) >= best - IDENTITY_TOLERANCE)
                .map(|c| c.0)
                .min_by(|&x, &y| date_order(date(x), date(y)).then(x.cmp(&y)))
                .expect("the best passage is eligible")
        } else if t > 0 && cover.iter().any(|c| c.0 == owner[t - 1]) {
            owner[t - 1]
        } else {
            cover.iter().map(|c| c.0).min().expect("not empty")
        };
    }

    // Runs of tokens with one owner become segments.
    let mut raw_segments: Vec<(usize, usize, Span, usize)> = Vec::new(); // (src, passage, span, words)
    let mut i = 0;
    while i < tokens.len() {
        if owner[i] == NONE {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < tokens.len() && owner[j] == owner[i] {
            j += 1;
        }
        let (s, p) = ranked[owner[i] as usize];
        let span = Span {
            start: tokens[i].start as usize,
            end: tokens[j - 1].end as usize,
        };
        raw_segments.push((s, p, span, j - i));
        i = j;
    }

    // Coverage per input source.
    let mut attributed = vec![0usize; sources.len()];
    let mut counts = vec![0usize; sources.len()];
    for &(s, _, span, _) in &raw_segments {
        attributed[s] += chars(span);
        counts[s] += 1;
    }
    let share = |c: usize| {
        if target_chars == 0 {
            0.0
        } else {
            c as f64 / target_chars as f64
        }
    };
    let mut order: Vec<usize> = (0..sources.len()).filter(|&s| counts[s] > 0).collect();
    order.sort_by(|&x, &y| {
        attributed[y]
            .cmp(&attributed[x])
            .then_with(|| date_order(&sources[x].source.date, &sources[y].source.date))
            .then_with(|| sources[x].source.id.cmp(&sources[y].source.id))
            .then(x.cmp(&y))
    });
    let mut position = vec![usize::MAX; sources.len()];
    for (k, &s) in order.iter().enumerate() {
        position[s] = k;
    }
    let coverage: Vec<SourceCoverage> = order
        .iter()
        .map(|&s| {
            let doc = sources[s].source;
            SourceCoverage {
                index: s,
                id: doc.id.clone(),
                title: doc.title.clone(),
                source: doc.source.clone(),
                date: doc.date.clone(),
                chars: attributed[s],
                share: share(attributed[s]),
                reused_chars: union_chars(sources[s].passages.iter().map(|p| p.b), &chars),
                segments: counts[s],
            }
        })
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
        timeline,
        segments,
    }
}

/// Characters in the union of spans.
fn union_chars(spans: impl Iterator<Item = Span>, chars: &impl Fn(Span) -> usize) -> usize {
    let mut spans: Vec<Span> = spans.collect();
    spans.sort_unstable();
    let mut total = 0;
    let mut current: Option<Span> = None;
    for span in spans {
        match current {
            Some(c) if span.start <= c.end => {
                current = Some(Span {
                    start: c.start,
                    end: c.end.max(span.end),
                })
            }
            Some(c) => {
                total += chars(c);
                current = Some(span);
            }
            None => current = Some(span),
        }
    }
    total + current.map_or(0, chars)
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
