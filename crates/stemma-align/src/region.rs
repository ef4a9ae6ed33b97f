//! One alignment per region: the rule is written in the crate docs.

use std::cmp::Ordering;

use crate::{Passage, Span};

/// A passage inside a better finding on one side stays a finding of its own when it has at
/// least this share of the finding's matched words and of its identity (a second copy).
pub const TWIN_SHARE: f64 = 0.9;

/// Fold every passage that lies mostly inside a better one, on either side, into that
/// passage's `also` (the rule is in the crate docs: better, inside, twins). Input and output are ordered by A,
/// then B; alternatives carry no `also` of their own.
///
/// ```
/// use stemma_align::{one_per_region, Passage, PassageKind, Span};
/// let passage = |a: (usize, usize), b: (usize, usize), words: usize| Passage {
///     a: Span { start: a.0, end: a.1 }, b: Span { start: b.0, end: b.1 },
///     a_tokens: words, b_tokens: words, matched_tokens: words, identity: 1.0,
///     score: words as f64, kind: PassageKind::Verbatim, a_diffs: vec![], b_diffs: vec![],
///     also: vec![],
///     similarity: None,
///     sentence_pairs: Vec::new(),
/// };
/// // A long passage, and a phrase inside it aligned a second time elsewhere in B.
/// let findings = one_per_region(vec![
///     passage((0, 5000), (0, 5000), 800),
///     passage((100, 250), (9000, 9150), 20),
/// ]);
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].also[0].b.start, 9000);
/// ```
pub fn one_per_region(passages: Vec<Passage>) -> Vec<Passage> {
    if passages.len() < 2 {
        return passages;
    }
    let mut order: Vec<usize> = (0..passages.len()).collect();
    order.sort_by(|&x, &y| better(&passages[x], &passages[y]).then(x.cmp(&y)));
    // For every passage, the finding it is an alternative of (None: it is a finding).
    let mut owner: Vec<Option<usize>> = vec![None; passages.len()];
    let mut findings: Vec<usize> = Vec::new();
    for &p in &order {
        let passage = &passages[p];
        let mut inside_a = false;
        let mut inside_b = false;
        let mut folded = false;
        // The finding the passage lies in most tightly (largest share of the finding's span),
        // so an alternative is listed under the passage whose words it aligns again.
        let mut tightest: Option<(f64, usize)> = None;
        for &f in &findings {
            let finding = &passages[f];
            let on_a = overlap_mostly(passage.a, finding.a);
            let on_b = overlap_mostly(passage.b, finding.b);
            if !on_a && !on_b {
                continue;
            }
            folded |= (on_a && on_b) || !is_twin(passage, finding, on_a);
            inside_a |= on_a;
            inside_b |= on_b;
            let share = if on_a {
                overlap(passage.a, finding.a) as f64 / finding.a.len().max(1) as f64
            } else {
                overlap(passage.b, finding.b) as f64 / finding.b.len().max(1) as f64
            };
            if tightest.is_none_or(|(best, _)| share > best) {
                tightest = Some((share, f));
            }
        }
        if folded || (inside_a && inside_b) {
            owner[p] = tightest.map(|(_, f)| f);
        } else {
            findings.push(p);
        }
    }
    let mut also: Vec<Vec<Passage>> = vec![Vec::new(); passages.len()];
    let mut kept: Vec<Option<Passage>> = Vec::with_capacity(passages.len());
    for (p, mut passage) in passages.into_iter().enumerate() {
        match owner[p] {
            Some(f) => {
                passage.also.clear();
                also[f].push(passage);
                kept.push(None);
            }
            None => kept.push(Some(passage)),
        }
    }
    kept.into_iter()
        .zip(also)
        .filter_map(|(passage, alternatives)| {
            passage.map(|mut p| {
                p.also = alternatives;
                p
            })
        })
        .collect()
}

/// `Less` when `x` is the better passage: more matched words, then higher identity, then
/// higher score, then earlier in A and in B.
fn better(x: &Passage, y: &Passage) -> Ordering {
    y.matched_tokens
        .cmp(&x.matched_tokens)
        .then_with(|| y.identity.total_cmp(&x.identity))
        .then_with(|| y.score.total_cmp(&x.score))
        .then_with(|| (x.a, x.b).cmp(&(y.a, y.b)))
}

/// Bytes the two spans share.
fn overlap(x: Span, y: Span) -> usize {
    x.end.min(y.end).saturating_sub(x.start.max(y.start))
}

/// Whether the two spans share more than half of the shorter one's bytes (one lies mostly
/// inside the other).
fn overlap_mostly(x: Span, y: Span) -> bool {
    overlap(x, y) * 2 > x.len().min(y.len())
}

/// Whether `passage`, inside the better `finding` on side A (`on_a`) or B, is a second copy
/// of the same text: nearly as many matched words, nearly the same identity.
fn is_twin(passage: &Passage, finding: &Passage, on_a: bool) -> bool {
    let (mine, theirs) = if on_a {
        (passage.b, finding.b)
    } else {
        (passage.a, finding.a)
    };
    let apart = mine.end <= theirs.start || theirs.end <= mine.start;
    apart
        && passage.matched_tokens as f64 >= TWIN_SHARE * finding.matched_tokens as f64
        && passage.identity >= TWIN_SHARE * finding.identity
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PassageKind;

    fn passage(a: (usize, usize), b: (usize, usize), matched: usize, identity: f64) -> Passage {
        let words = (matched as f64 / identity).round() as usize;
        Passage {
            a: Span {
                start: a.0,
                end: a.1,
            },
            b: Span {
                start: b.0,
                end: b.1,
            },
            a_tokens: words,
            b_tokens: words,
            matched_tokens: matched,
            identity,
            score: identity * words as f64,
            kind: PassageKind::Edited,
            a_diffs: vec![],
            b_diffs: vec![],
            also: vec![],
            similarity: None,
            sentence_pairs: Vec::new(),
        }
    }

    #[test]
    fn a_phrase_inside_a_better_passage_is_folded_under_it() {
        let big = passage((0, 1000), (0, 1000), 150, 0.95);
        let phrase = passage((400, 500), (3000, 3100), 15, 1.0);
        let found = one_per_region(vec![big.clone(), phrase.clone()]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].a, big.a);
        assert_eq!(found[0].also, vec![phrase]);
    }

    #[test]
    fn inside_on_b_folds_too() {
        let big = passage((0, 1000), (0, 1000), 150, 0.95);
        let other = passage((5000, 5200), (100, 300), 20, 0.7);
        let found = one_per_region(vec![big, other]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].also.len(), 1);
    }

    #[test]
    fn half_outside_is_a_finding() {
        let big = passage((0, 1000), (0, 1000), 150, 0.95);
        let straddling = passage((900, 1100), (3000, 3200), 20, 1.0);
        assert_eq!(one_per_region(vec![big, straddling]).len(), 2);
    }

    #[test]
    fn a_second_copy_is_a_finding() {
        let first = passage((0, 500), (0, 500), 80, 1.0);
        let second = passage((0, 500), (2000, 2500), 80, 1.0);
        let lightly_edited = passage((0, 500), (4000, 4510), 76, 0.96);
        let found = one_per_region(vec![first, second, lightly_edited]);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found.iter().all(|p| p.also.is_empty()));
    }

    #[test]
    fn a_weaker_similar_passage_is_not_a_copy() {
        let copy = passage((0, 500), (0, 500), 80, 1.0);
        let similar = passage((0, 480), (2000, 2480), 55, 0.7);
        let found = one_per_region(vec![copy, similar]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].also.len(), 1);
    }

    #[test]
    fn inside_findings_on_both_sides_is_folded() {
        // Two copies on each side: the crossing alignment explains nothing new.
        let x = passage((0, 500), (0, 500), 80, 1.0);
        let y = passage((1000, 1500), (1000, 1500), 80, 1.0);
        let cross = passage((0, 500), (1000, 1500), 78, 1.0);
        let found = one_per_region(vec![x, cross, y]);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].also.len(), 1);
    }

    #[test]
    fn order_and_alternatives_are_deterministic() {
        let passages = vec![
            passage((0, 1000), (0, 1000), 150, 0.95),
            passage((100, 200), (5000, 5100), 15, 1.0),
            passage((300, 400), (6000, 6100), 15, 1.0),
            passage((2000, 2400), (7000, 7400), 60, 0.9),
        ];
        let found = one_per_region(passages.clone());
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].also.len(), 2);
        assert!(found[0].also[0].a.start < found[0].also[1].a.start);
        let mut reversed = passages;
        reversed.reverse();
        let again = one_per_region(reversed);
        let mut sorted_again = again.clone();
        sorted_again.sort_by_key(|p| (p.a, p.b));
        assert_eq!(again.len(), 2);
        assert_eq!(sorted_again[0].also.len(), 2);
    }
}
