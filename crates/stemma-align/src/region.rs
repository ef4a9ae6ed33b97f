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
    // For every passage, the passage it is an alternative of (None: it is a finding).
    let mut owner: Vec<Option<usize>> = vec![None; passages.len()];
    let mut findings: Vec<usize> = Vec::new();
    // Twins wait until every passage apart from the findings on both sides is a finding: when
    // a text occurs twice on both sides, the two true copies (first with first, second with
    // second) are findings, and the crossing alignments, though as good, explain nothing new.
    let mut twins: Vec<usize> = Vec::new();
    for &p in &order {
        match place(&passages, p, &findings, &twins) {
            Place::Finding => findings.push(p),
            Place::Twin => twins.push(p),
            Place::Inside(f) => owner[p] = Some(f),
        }
    }
    for &p in &twins {
        match place(&passages, p, &findings, &[]) {
            Place::Inside(f) => owner[p] = Some(f),
            _ => findings.push(p),
        }
    }
    // A passage folded under a twin that was folded in turn belongs to that twin's owner.
    for p in 0..owner.len() {
        let mut top = owner[p];
        while let Some(f) = top.and_then(|f| owner[f]) {
            top = Some(f);
        }
        owner[p] = top;
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

/// Where a passage goes, decided against the findings so far and the twins waiting.
enum Place {
    /// Apart from every finding on at least one side, and a twin of every finding it lies in.
    Finding,
    /// Inside findings on one side only, a twin of each: decided once the findings are known.
    Twin,
    /// An alternative of this passage (the one it lies in most tightly).
    Inside(usize),
}

/// Place passage `p`: an alternative when it lies mostly inside findings on both sides, or
/// inside a finding or waiting twin it is not a twin of; a waiting twin when it lies inside
/// findings on one side only; otherwise a finding.
fn place(passages: &[Passage], p: usize, findings: &[usize], twins: &[usize]) -> Place {
    let passage = &passages[p];
    let mut inside_a = false;
    let mut inside_b = false;
    let mut folded = false;
    // The passage it lies in most tightly (largest share of that passage's span), so an
    // alternative is listed under the passage whose words it aligns again.
    let mut tightest: Option<(f64, usize)> = None;
    for (&f, is_finding) in findings
        .iter()
        .map(|f| (f, true))
        .chain(twins.iter().map(|f| (f, false)))
    {
        let other = &passages[f];
        let on_a = overlap_mostly(passage.a, other.a);
        let on_b = overlap_mostly(passage.b, other.b);
        if !on_a && !on_b {
            continue;
        }
        if is_finding {
            folded |= (on_a && on_b) || !is_twin(passage, other, on_a);
            inside_a |= on_a;
            inside_b |= on_b;
        } else {
            // A waiting twin keeps what a finding would keep out, except another copy.
            folded |= (on_a && on_b) || !is_twin(passage, other, on_a);
        }
        let share = if on_a {
            overlap(passage.a, other.a) as f64 / other.a.len().max(1) as f64
        } else {
            overlap(passage.b, other.b) as f64 / other.b.len().max(1) as f64
        };
        if tightest.is_none_or(|(best, _)| share > best) {
            tightest = Some((share, f));
        }
    }
    match tightest {
        Some((_, f)) if folded || (inside_a && inside_b) => Place::Inside(f),
        _ if inside_a || inside_b => Place::Twin,
        _ => Place::Finding,
    }
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
    fn a_text_twice_on_both_sides_gives_the_two_copies() {
        // A holds the text at 0 and 1000, B at 0 and 2000: four equally good alignments, of
        // which first-with-first and second-with-second are the copies.
        let copies = [
            passage((0, 500), (0, 500), 80, 1.0),
            passage((0, 500), (2000, 2500), 80, 1.0),
            passage((1000, 1500), (0, 500), 80, 1.0),
            passage((1000, 1500), (2000, 2500), 80, 1.0),
        ];
        let found = one_per_region(copies.to_vec());
        let spans: Vec<_> = found.iter().map(|p| (p.a.start, p.b.start)).collect();
        assert_eq!(spans, vec![(0, 0), (1000, 2000)], "{found:#?}");
        assert_eq!(found[0].also.len() + found[1].also.len(), 2);
        // The same when the second copy of B is lightly edited, so the crossing alignment
        // (A's first with B's second) is as good as the true one, and whatever the order.
        let mut edited = copies.to_vec();
        edited[1] = passage((0, 500), (2000, 2510), 78, 0.97);
        edited[3] = passage((1000, 1500), (2000, 2510), 78, 0.97);
        edited.reverse();
        let found = one_per_region(edited);
        let mut spans: Vec<_> = found.iter().map(|p| (p.a.start, p.b.start)).collect();
        spans.sort();
        assert_eq!(spans, vec![(0, 0), (1000, 2000)], "{found:#?}");
    }

    #[test]
    fn a_weak_passage_inside_a_waiting_copy_is_its_alternative() {
        // B's second copy is a finding once decided; a weak alignment of part of it to other
        // words of A is folded under it, not kept apart.
        let first = passage((0, 500), (0, 500), 80, 1.0);
        let second = passage((0, 500), (2000, 2500), 80, 1.0);
        let weak = passage((3000, 3200), (2100, 2300), 20, 0.7);
        let found = one_per_region(vec![first, second, weak.clone()]);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[1].also, vec![weak]);
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
