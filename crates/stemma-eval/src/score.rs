//! PAN's measures: macro-averaged precision and recall, granularity, plagdet.

use serde::Serialize;

use crate::xml::Annotation;

/// PAN's measures of a set of detections against a set of plagiarism cases.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// Macro-averaged precision: the mean, over detections, of the share of the detection's
    /// characters (both sides counted together) that lie in cases it detects.
    pub precision: f64,
    /// Macro-averaged recall: the mean, over cases, of the share of the case's characters
    /// (both sides counted together) that lie in detections detecting it.
    pub recall: f64,
    /// The mean number of detections per detected case (1 when no case is detected).
    pub granularity: f64,
    /// `F1(precision, recall) / log2(1 + granularity)`.
    pub plagdet: f64,
    /// Distinct cases scored.
    pub cases: usize,
    /// Distinct detections scored.
    pub detections: usize,
    /// Cases detected by at least one detection.
    pub detected_cases: usize,
}

/// PAN's plagdet: the harmonic mean of precision and recall, divided by
/// `log2(1 + granularity)`; 0 when precision and recall are both 0, or when an input is out of
/// range (negative, or a granularity below 1), as in the official evaluator.
///
/// ```
/// assert_eq!(stemma_eval::plagdet(1.0, 1.0, 1.0), 1.0);
/// assert_eq!(format!("{:.8}", stemma_eval::plagdet(1.0, 1.0, 2.0)), "0.63092975");
/// assert_eq!(stemma_eval::plagdet(0.0, 0.0, 1.0), 0.0);
/// ```
pub fn plagdet(precision: f64, recall: f64, granularity: f64) -> f64 {
    if (recall == 0.0 && precision == 0.0) || precision < 0.0 || recall < 0.0 || granularity < 1.0 {
        return 0.0;
    }
    // `math.log(1 + gran, 2)` in the official script is ln(x) / ln(2), not log2(x): the same
    // expression keeps the results bit-identical.
    (2.0 * recall * precision / (recall + precision)) / ((1.0 + granularity).ln() / 2f64.ln())
}

/// An annotation reduced to what scoring needs: interned document ids and `[start, end)`
/// character bounds, suspicious side then source side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Span2 {
    susp: u32,
    src: u32,
    t: (usize, usize),
    s: (usize, usize),
}

impl Span2 {
    fn key(&self) -> (u32, u32) {
        (self.susp, self.src)
    }

    fn len(&self) -> usize {
        (self.t.1 - self.t.0) + (self.s.1 - self.s.0)
    }

    /// The official `is_overlapping`: same pair, and overlapping on both sides. (Symmetric.)
    fn overlaps(&self, other: &Span2) -> bool {
        self.key() == other.key()
            && other.t.1 > self.t.0
            && other.t.0 < self.t.1
            && other.s.1 > self.s.0
            && other.s.0 < self.s.1
    }
}

/// Score `detections` against `cases` with PAN's macro-averaged measures, exactly as the
/// official PAN text-alignment evaluator (`pan*-text-alignment-eval`, character level):
///
/// - a detection *detects* a case when both belong to the same (suspicious, source) document
///   pair and their ranges overlap on **both** sides;
/// - recall is the mean over cases of |⋃ (case ∩ detecting r)| / |case|, where |·| counts
///   the characters of both sides together; precision is the same with the roles swapped;
/// - granularity is the mean number of detecting detections over detected cases;
/// - identical annotations count once (the official script reads them into a set);
/// - edge cases: with no cases *and* no detections, precision = recall = 1 (and plagdet 1);
///   with only one of them empty, precision = recall = 0; granularity is 1 when nothing is
///   detected. A zero-length annotation that is nonetheless "overlapped" (the official test
///   counts a point strictly inside a range) scores 0 instead of dividing by zero.
///
/// Deterministic (the result does not depend on the input order) and fast: annotations are
/// grouped by document pair, so thousands of pairs score in milliseconds.
///
/// ```
/// use stemma_eval::{score, Annotation, CharRange};
/// let a = |t: (usize, usize), s: (usize, usize)| Annotation::new(
///     "susp.txt", CharRange::new(t.0, t.1), "src.txt", CharRange::new(s.0, s.1));
/// // A detection covering the first half of a 100+100-character case, on both sides.
/// let scores = score(&[a((0, 100), (0, 100))], &[a((0, 50), (0, 50))]);
/// assert_eq!((scores.recall, scores.precision, scores.granularity), (0.5, 1.0, 1.0));
/// ```
pub fn score(cases: &[Annotation], detections: &[Annotation]) -> Scores {
    let mut names: Vec<&str> = cases
        .iter()
        .chain(detections)
        .flat_map(|a| [a.suspicious_reference.as_str(), a.source_reference.as_str()])
        .collect();
    names.sort_unstable();
    names.dedup();
    let id = |name: &str| names.binary_search(&name).expect("interned") as u32;
    let reduce = |annotations: &[Annotation]| {
        let mut spans: Vec<Span2> = annotations
            .iter()
            .map(|a| Span2 {
                susp: id(&a.suspicious_reference),
                src: id(&a.source_reference),
                t: (a.suspicious.offset, a.suspicious.end()),
                s: (a.source.offset, a.source.end()),
            })
            .collect();
        spans.sort_unstable();
        spans.dedup();
        spans
    };
    let cases = reduce(cases);
    let detections = reduce(detections);

    let mut recall_sum = 0.0;
    let mut precision_sum = 0.0;
    let mut detected_cases = 0usize;
    let mut detections_of_detected = 0usize;
    let mut scratch = Scratch::default();
    // Both lists are sorted by pair: walk them together, one pair at a time.
    let (mut i, mut j) = (0, 0);
    while i < cases.len() && j < detections.len() {
        let (case_key, det_key) = (cases[i].key(), detections[j].key());
        if case_key < det_key {
            i = group_end(&cases, i);
        } else if det_key < case_key {
            j = group_end(&detections, j);
        } else {
            let (i_end, j_end) = (group_end(&cases, i), group_end(&detections, j));
            let (group_cases, group_dets) = (&cases[i..i_end], &detections[j..j_end]);
            for case in group_cases {
                let (share, count) = scratch.covered_share(case, group_dets);
                recall_sum += share;
                if count > 0 {
                    detected_cases += 1;
                    detections_of_detected += count;
                }
            }
            for detection in group_dets {
                precision_sum += scratch.covered_share(detection, group_cases).0;
            }
            (i, j) = (i_end, j_end);
        }
    }

    let (recall, precision) = match (cases.is_empty(), detections.is_empty()) {
        (true, true) => (1.0, 1.0),
        (true, false) | (false, true) => (0.0, 0.0),
        (false, false) => (
            recall_sum / cases.len() as f64,
            precision_sum / detections.len() as f64,
        ),
    };
    let granularity = if detected_cases == 0 {
        1.0
    } else {
        detections_of_detected as f64 / detected_cases as f64
    };
    Scores {
        precision,
        recall,
        granularity,
        plagdet: plagdet(precision, recall, granularity),
        cases: cases.len(),
        detections: detections.len(),
        detected_cases,
    }
}

fn group_end(spans: &[Span2], start: usize) -> usize {
    let key = spans[start].key();
    start + spans[start..].partition_point(|s| s.key() == key)
}

#[derive(Default)]
struct Scratch {
    t: Vec<(usize, usize)>,
    s: Vec<(usize, usize)>,
}

impl Scratch {
    /// The share of `target`'s characters (both sides) covered by the `others` that overlap
    /// it on both sides, and how many of them do.
    fn covered_share(&mut self, target: &Span2, others: &[Span2]) -> (f64, usize) {
        self.t.clear();
        self.s.clear();
        for other in others.iter().filter(|o| target.overlaps(o)) {
            self.t
                .push((other.t.0.max(target.t.0), other.t.1.min(target.t.1)));
            self.s
                .push((other.s.0.max(target.s.0), other.s.1.min(target.s.1)));
        }
        let count = self.t.len();
        let len = target.len();
        if count == 0 || len == 0 {
            return (0.0, count);
        }
        let covered = union_len(&mut self.t) + union_len(&mut self.s);
        (covered as f64 / len as f64, count)
    }
}

/// Characters covered by the union of `[start, end)` intervals (empty ones ignored).
fn union_len(intervals: &mut [(usize, usize)]) -> usize {
    intervals.sort_unstable();
    let mut total = 0;
    let mut reach = 0;
    for &(start, end) in intervals.iter() {
        let start = start.max(reach);
        if end > start {
            total += end - start;
            reach = end;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::CharRange;
    use proptest::prelude::*;

    fn ann(susp: &str, t: (usize, usize), src: &str, s: (usize, usize)) -> Annotation {
        Annotation::new(
            susp,
            CharRange::new(t.0, t.1),
            src,
            CharRange::new(s.0, s.1),
        )
    }

    // The external annotations of the official evaluator's unit tests.
    fn ann1() -> Annotation {
        ann("tref1", (0, 100), "sref1", (0, 100))
    }
    fn ann3() -> Annotation {
        ann("tref1", (100, 100), "sref1", (100, 100))
    }
    fn ann4() -> Annotation {
        ann("tref1", (0, 200), "sref1", (0, 200))
    }
    fn ann5() -> Annotation {
        ann("tref1", (0, 1), "sref1", (0, 1))
    }
    fn ann6() -> Annotation {
        ann("tref1", (99, 1), "sref1", (99, 1))
    }
    fn ann7() -> Annotation {
        ann("tref2", (0, 100), "sref2", (0, 100))
    }
    fn ann9() -> Annotation {
        ann("tref2", (50, 100), "sref2", (50, 100))
    }
    fn ann10() -> Annotation {
        ann("tref2", (25, 75), "sref2", (25, 75))
    }

    #[test]
    fn golden_plagdet() {
        assert_eq!(format!("{:.8}", plagdet(1.0, 1.0, 2.0)), "0.63092975");
        assert!((plagdet(1.0, 1.0, 2.0) - 0.630_929_753_571_457_4).abs() < 1e-15);
        assert!((plagdet(0.75, 0.25, 2.0) - 0.236_598_65).abs() < 1e-8);
        assert_eq!(plagdet(1.0, 0.5, 1.0), 2.0 / 3.0);
        assert_eq!(plagdet(0.5, 1.0, 1.0), 2.0 / 3.0);
        assert_eq!(plagdet(1.0, 1.0, 1.0), 1.0);
        for (p, r, g) in [(-1.0, 0.0, 0.0), (0.0, -1.0, 0.0), (0.0, 0.0, -1.0)] {
            assert_eq!(plagdet(p, r, g), 0.0);
        }
        assert_eq!(plagdet(0.0, 1.0, 1.0), 0.0);
        assert_eq!(plagdet(1.0, 1.0, 0.5), 0.0);
    }

    #[test]
    fn golden_case_split_in_two() {
        let case = ann1();
        let halves = [
            ann("tref1", (0, 50), "sref1", (0, 50)),
            ann("tref1", (50, 50), "sref1", (50, 50)),
        ];
        let s = score(&[case], &halves);
        assert_eq!((s.precision, s.recall, s.granularity), (1.0, 1.0, 2.0));
        assert_eq!(format!("{:.8}", s.plagdet), "0.63092975");
        assert_eq!((s.cases, s.detections, s.detected_cases), (1, 2, 1));
    }

    #[test]
    fn official_recall_tests() {
        let recall = |cases: &[Annotation], dets: &[Annotation]| score(cases, dets).recall;
        assert_eq!(recall(&[], &[]), 1.0);
        assert_eq!(recall(&[ann1()], &[]), 0.0);
        assert_eq!(recall(&[], &[ann1()]), 0.0);
        assert_eq!(recall(&[ann1()], &[ann1()]), 1.0);
        assert_eq!(recall(&[ann1(), ann7()], &[ann1()]), 0.5);
        assert_eq!(recall(&[ann1()], &[ann7()]), 0.0);
        // case_recall
        assert_eq!(recall(&[ann1()], &[ann3()]), 0.0);
        assert_eq!(recall(&[ann1()], &[ann4()]), 1.0);
        assert_eq!(recall(&[ann1()], &[ann4(), ann7()]), 1.0);
        assert_eq!(recall(&[ann1()], &[ann7(), ann9()]), 0.0);
        assert_eq!(recall(&[ann7()], &[ann9()]), 0.5);
        assert_eq!(recall(&[ann7()], &[ann10()]), 0.75);
        assert_eq!(recall(&[ann7()], &[ann9(), ann10()]), 0.75);
    }

    #[test]
    fn official_precision_tests() {
        let precision = |cases: &[Annotation], dets: &[Annotation]| score(cases, dets).precision;
        assert_eq!(precision(&[], &[]), 1.0);
        assert_eq!(precision(&[ann1()], &[]), 0.0);
        assert_eq!(precision(&[], &[ann1()]), 0.0);
        assert_eq!(precision(&[ann1()], &[ann1()]), 1.0);
        assert_eq!(precision(&[ann1(), ann7()], &[ann1()]), 1.0);
        assert_eq!(precision(&[ann1()], &[ann4()]), 0.5);
        assert_eq!(precision(&[ann7()], &[ann10()]), 1.0);
        assert_eq!(precision(&[ann7()], &[ann9(), ann10()]), 0.75);
        assert_eq!(precision(&[ann1()], &[ann3(), ann4()]), 0.25);
    }

    #[test]
    fn official_granularity_tests() {
        let gran = |cases: &[Annotation], dets: &[Annotation]| score(cases, dets).granularity;
        assert_eq!(gran(&[], &[]), 1.0);
        assert_eq!(gran(&[ann1()], &[ann5()]), 1.0);
        assert_eq!(gran(&[ann1()], &[ann5(), ann3()]), 1.0);
        assert_eq!(gran(&[ann1()], &[ann5(), ann3(), ann4()]), 2.0);
        assert_eq!(gran(&[ann1(), ann3()], &[ann5(), ann4()]), 1.5);
        assert_eq!(gran(&[ann1()], &[ann6(), ann5()]), 2.0);
    }

    #[test]
    fn partial_overlap() {
        // Case: 100 + 100 chars. Detection: 60..160 on the suspicious side, 80..130 on the
        // source side: covers 40 + 20 chars of the case; 40 + 20 of its own 100 + 50.
        let case = ann("s", (0, 100), "r", (0, 100));
        let det = ann("s", (60, 100), "r", (80, 50));
        let sc = score(&[case], &[det]);
        assert_eq!(sc.recall, 60.0 / 200.0);
        assert_eq!(sc.precision, 60.0 / 150.0);
        assert_eq!(sc.granularity, 1.0);
        let f1 = 2.0 * 0.3 * 0.4 / 0.7;
        assert!((sc.plagdet - f1).abs() < 1e-12);
    }

    #[test]
    fn one_side_overlap_does_not_count() {
        let case = ann("s", (0, 100), "r", (0, 100));
        for det in [
            ann("s", (0, 100), "r", (100, 100)),
            ann("s", (100, 100), "r", (0, 100)),
        ] {
            let sc = score(std::slice::from_ref(&case), &[det]);
            assert_eq!((sc.precision, sc.recall, sc.plagdet), (0.0, 0.0, 0.0));
            assert_eq!((sc.granularity, sc.detected_cases), (1.0, 0));
        }
    }

    #[test]
    fn multiple_detections_per_case() {
        // Three detections of one case, overlapping each other: the covered characters count
        // once, and granularity counts all three.
        let case = ann("s", (100, 100), "r", (0, 100));
        let dets = [
            ann("s", (100, 60), "r", (0, 60)),
            ann("s", (140, 40), "r", (40, 40)),
            ann("s", (150, 100), "r", (50, 100)),
        ];
        let sc = score(&[case], &dets);
        // Covered: suspicious 100..200 all (100), source 0..100 all (100).
        assert_eq!(sc.recall, 1.0);
        // Precision: 1, 1, and (50 + 50) / 200.
        assert_eq!(sc.precision, (1.0 + 1.0 + 0.5) / 3.0);
        assert_eq!(sc.granularity, 3.0);
        assert_eq!(sc.detected_cases, 1);
    }

    #[test]
    fn detections_in_another_pair_detect_nothing() {
        let case = ann("s1", (0, 100), "r1", (0, 100));
        for det in [
            ann("s1", (0, 100), "r2", (0, 100)),
            ann("s2", (0, 100), "r1", (0, 100)),
        ] {
            let sc = score(std::slice::from_ref(&case), &[det]);
            assert_eq!((sc.precision, sc.recall, sc.granularity), (0.0, 0.0, 1.0));
        }
        // Mixed: one pair detected perfectly, a false detection in a pair without cases.
        let sc = score(
            std::slice::from_ref(&case),
            &[case.clone(), ann("s9", (0, 10), "r9", (0, 10))],
        );
        assert_eq!((sc.recall, sc.precision, sc.granularity), (1.0, 0.5, 1.0));
    }

    #[test]
    fn duplicates_count_once() {
        let sc = score(&[ann1(), ann1()], &[ann1(), ann1(), ann1()]);
        assert_eq!((sc.cases, sc.detections, sc.granularity), (1, 1, 1.0));
    }

    #[test]
    fn edge_cases_follow_the_official_script() {
        let sc = score(&[], &[]);
        assert_eq!(
            (sc.precision, sc.recall, sc.granularity, sc.plagdet),
            (1.0, 1.0, 1.0, 1.0)
        );
        let sc = score(&[ann1()], &[]);
        assert_eq!(
            (sc.precision, sc.recall, sc.granularity, sc.plagdet),
            (0.0, 0.0, 1.0, 0.0)
        );
        let sc = score(&[], &[ann1()]);
        assert_eq!(
            (sc.precision, sc.recall, sc.granularity, sc.plagdet),
            (0.0, 0.0, 1.0, 0.0)
        );
    }

    #[test]
    fn thousands_of_pairs_score_in_milliseconds() {
        let mut cases = Vec::new();
        let mut dets = Vec::new();
        for p in 0..5000 {
            let (susp, src) = (format!("susp{p}.txt"), format!("src{}.txt", p % 997));
            for c in 0..3 {
                let at = c * 3000;
                cases.push(ann(&susp, (at, 1000), &src, (at + 10, 900)));
                dets.push(ann(&susp, (at + 20, 990), &src, (at, 950)));
                dets.push(ann(&susp, (at + 1500, 100), &src, (at + 1500, 100)));
            }
        }
        let start = std::time::Instant::now();
        let sc = score(&cases, &dets);
        let elapsed = start.elapsed();
        assert_eq!((sc.cases, sc.detections), (15_000, 30_000));
        // Generous for unoptimized builds on a busy machine; release runs take a few ms.
        assert!(elapsed.as_millis() < 2000, "{elapsed:?}");
    }

    /// The official evaluator, transcribed literally (bitmaps, set semantics).
    fn reference(cases: &[Annotation], dets: &[Annotation]) -> (f64, f64, f64) {
        fn dedup(v: &[Annotation]) -> Vec<Annotation> {
            let mut v = v.to_vec();
            v.sort();
            v.dedup();
            v
        }
        fn overlapping(a: &Annotation, b: &Annotation) -> bool {
            a.suspicious_reference == b.suspicious_reference
                && b.suspicious.end() > a.suspicious.offset
                && b.suspicious.offset < a.suspicious.end()
                && a.source_reference == b.source_reference
                && b.source.end() > a.source.offset
                && b.source.offset < a.source.end()
        }
        fn mark(bits: &mut [bool], a: CharRange, b: CharRange) {
            let diff = b.offset as i64 - a.offset as i64;
            let len = a.length as i64;
            let start = diff.max(0).min(len) as usize;
            let end = (diff + b.length as i64).max(0).min(len) as usize;
            for bit in &mut bits[start..end.max(start)] {
                *bit = true;
            }
        }
        fn macro_recall(cases: &[Annotation], dets: &[Annotation]) -> f64 {
            if cases.is_empty() && dets.is_empty() {
                return 1.0;
            } else if cases.is_empty() || dets.is_empty() {
                return 0.0;
            }
            let mut sum = 0.0;
            for case in cases {
                let mut t = vec![false; case.suspicious.length];
                let mut s = vec![false; case.source.length];
                let mut any = false;
                for det in dets.iter().filter(|d| overlapping(case, d)) {
                    any = true;
                    mark(&mut t, case.suspicious, det.suspicious);
                    mark(&mut s, case.source, det.source);
                }
                if any {
                    let n = t.iter().chain(&s).filter(|&&b| b).count();
                    sum += n as f64 / (case.suspicious.length + case.source.length) as f64;
                }
            }
            sum / cases.len() as f64
        }
        let (cases, dets) = (dedup(cases), dedup(dets));
        let gran = if dets.is_empty() {
            1.0
        } else {
            let counts: Vec<usize> = cases
                .iter()
                .map(|c| dets.iter().filter(|d| overlapping(c, d)).count())
                .filter(|&n| n > 0)
                .collect();
            if counts.is_empty() {
                1.0
            } else {
                counts.iter().sum::<usize>() as f64 / counts.len() as f64
            }
        };
        (
            macro_recall(&dets, &cases),
            macro_recall(&cases, &dets),
            gran,
        )
    }

    fn arb_annotation() -> impl Strategy<Value = Annotation> {
        (
            0..2u8,
            0..2u8,
            0..60usize,
            1..40usize,
            0..60usize,
            1..40usize,
        )
            .prop_map(|(p, q, to, tl, so, sl)| {
                ann(&format!("s{p}"), (to, tl), &format!("r{q}"), (so, sl))
            })
    }

    proptest! {
        #[test]
        fn matches_the_official_script(
            cases in proptest::collection::vec(arb_annotation(), 0..6),
            dets in proptest::collection::vec(arb_annotation(), 0..8),
        ) {
            let sc = score(&cases, &dets);
            let (precision, recall, granularity) = reference(&cases, &dets);
            prop_assert!((sc.precision - precision).abs() < 1e-12, "{} {}", sc.precision, precision);
            prop_assert!((sc.recall - recall).abs() < 1e-12, "{} {}", sc.recall, recall);
            prop_assert_eq!(sc.granularity, granularity);
            // Order does not matter.
            let mut rev_cases = cases.clone();
            rev_cases.reverse();
            let mut rev_dets = dets.clone();
            rev_dets.reverse();
            prop_assert_eq!(score(&rev_cases, &rev_dets), sc);
        }
    }
}
