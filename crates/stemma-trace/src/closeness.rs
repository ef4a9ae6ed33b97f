//! How close a source is to the target, seen from both sides: likeness of its passages,
//! the share of the target it explains and the share of itself the target covers.

use std::cmp::Ordering;

use stemma_align::{Passage, PassageKind, Span};
use stemma_text::Document;

use crate::{date_order, SourcePassages, EQUALLY_CLOSE};

/// How alike a passage's two sides are: its identity, or for a translated passage (whose
/// identity is 0: no word is the same across languages) the mean cosine of its sentence
/// pairs. Closeness and the per-word comparison use it, so a translation that explains the
/// whole target is not ranked behind every monolingual source; an exact copy (identity 1)
/// still beats a translation (cosines of true translations are 0.6–0.8).
///
/// ```
/// use stemma_align::{Passage, PassageKind, Span};
/// use stemma_trace::likeness;
/// let mut p = Passage {
///     a: Span { start: 0, end: 5 }, b: Span { start: 0, end: 5 }, a_tokens: 1, b_tokens: 1,
///     matched_tokens: 0, identity: 0.0, score: 0.7, kind: PassageKind::Translated,
///     a_diffs: vec![], b_diffs: vec![], also: vec![], similarity: Some(0.7),
///     sentence_pairs: vec![],
/// };
/// assert_eq!(likeness(&p), 0.7);
/// p.kind = PassageKind::Edited;
/// assert_eq!(likeness(&p), 0.0);
/// ```
pub fn likeness(passage: &Passage) -> f64 {
    match (passage.kind, passage.similarity) {
        (PassageKind::Translated, Some(similarity)) => similarity.clamp(0.0, 1.0),
        _ => passage.identity,
    }
}

/// What one source's passages say about it, before any segmentation.
pub(crate) struct SourceMeasures {
    /// `Σ 2·matched / Σ (a_tokens + b_tokens)` over its passages.
    pub(crate) identity: f64,
    /// `Σ likeness·(a_tokens + b_tokens) / Σ (a_tokens + b_tokens)`: the identity, with
    /// translated passages counted at their similarity ([`likeness`]).
    pub(crate) likeness: f64,
    /// Target characters inside its passages.
    pub(crate) reused_chars: usize,
    /// Share of its own characters inside its passages.
    pub(crate) source_share: f64,
}

impl SourceMeasures {
    pub(crate) fn of(sp: &SourcePassages, target_chars: &impl Fn(Span) -> usize) -> Self {
        let (matched, words) = sp.passages.iter().fold((0, 0), |(m, w), p| {
            (m + 2 * p.matched_tokens, w + p.a_tokens + p.b_tokens)
        });
        let alike: f64 = sp
            .passages
            .iter()
            .map(|p| likeness(p) * (p.a_tokens + p.b_tokens) as f64)
            .sum();
        let text = &sp.source.text;
        let source_chars = |span: Span| {
            text.get(span.start..span.end)
                .map_or(0, |slice| slice.chars().count())
        };
        let total = text.chars().count();
        let inside = union_chars(sp.passages.iter().map(|p| p.a), &source_chars);
        SourceMeasures {
            identity: if words == 0 {
                0.0
            } else {
                matched as f64 / words as f64
            },
            likeness: if words == 0 {
                0.0
            } else {
                alike / words as f64
            },
            reused_chars: union_chars(sp.passages.iter().map(|p| p.b), target_chars),
            source_share: if total == 0 {
                0.0
            } else {
                (inside as f64 / total as f64).min(1.0)
            },
        }
    }
}

/// `identity × harmonic mean(target_share, source_share)` (0 when both shares are 0).
///
/// ```
/// use stemma_trace::closeness;
/// // A short original the target contains whole beats a long document that embeds it.
/// assert!(closeness(0.95, 0.9, 1.0) > closeness(0.95, 0.9, 0.3));
/// assert_eq!(closeness(1.0, 0.0, 0.0), 0.0);
/// ```
pub fn closeness(identity: f64, target_share: f64, source_share: f64) -> f64 {
    let sum = target_share + source_share;
    if sum <= 0.0 {
        0.0
    } else {
        identity * 2.0 * target_share * source_share / sum
    }
}

/// Characters in the union of spans.
pub(crate) fn union_chars(
    spans: impl Iterator<Item = Span>,
    chars: &impl Fn(Span) -> usize,
) -> usize {
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

/// The aligned candidates `aligned` (indices into `closeness`, `attributed` and `doc`),
/// closest first: by `closeness` (each one's closeness as a whole, seen from both sides), a
/// candidate the segmentation gave words (`attributed` chars > 0) counting as
/// [`EQUALLY_CLOSE`] closer, since among equally close witnesses it was chosen for its
/// significant differences; ties: earliest date, more attributed, id, index.
pub(crate) fn closest_first<'d>(
    aligned: &[usize],
    closeness: &[f64],
    attributed: &[usize],
    doc: impl Fn(usize) -> &'d Document,
) -> Vec<usize> {
    let key = |s: usize| {
        closeness[s]
            * if attributed[s] > 0 {
                1.0 + EQUALLY_CLOSE
            } else {
                1.0
            }
    };
    let mut order = aligned.to_vec();
    order.sort_by(|&x, &y| -> Ordering {
        key(y)
            .total_cmp(&key(x))
            .then_with(|| date_order(&doc(x).date, &doc(y).date))
            .then_with(|| attributed[y].cmp(&attributed[x]))
            .then_with(|| doc(x).id.cmp(&doc(y).id))
            .then(x.cmp(&y))
    });
    order
}
