//! Stage 4, alignment: each candidate pair aligned with the compare engine, and the passages
//! that are evidence of nothing (shared boilerplate alone; short and not close in words and
//! letters) dropped.

use rayon::prelude::*;
use stemma_align::{Passage, Span};
use stemma_text::{Analysis, Document};

use crate::anchors::anchor_grams;
use crate::{AlignedPair, Progress, ReuseOptions};

/// Passages with fewer matched words than this are short: they must be close in words
/// ([`SHORT_PASSAGE_IDENTITY`]) and in letters ([`SHORT_PASSAGE_LETTERS`]); see
/// [`is_close`].
const SHORT_PASSAGE_WORDS: usize = 25;

/// The identity a short passage needs. Measured on `bench/reuse.sh a`: clusters mixing two
/// licence passages 5 → 1, recall of planted passages under 300 characters 0.992 → 0.969.
const SHORT_PASSAGE_IDENTITY: f64 = 0.65;

/// The [`letter_likeness`] a short passage needs. OCR noise changes letters inside words
/// and leaves most letter 4-grams (short copies, 5 corpora of `bench/reuse.sh a`: 95 % at
/// ≥ 0.75); two texts of one genre that happen to align ("WITHOUT WARRANTIES OR CONDITIONS
/// OF ANY KIND, either express or implied" against CC0's "warranties of any kind concerning
/// the Work, express, implied") use other words around the shared ones (all such likenesses
/// measured: 0.57–0.73).
const SHORT_PASSAGE_LETTERS: f64 = 0.75;

/// Whether a passage is close enough to be reuse rather than a likeness of genre: a long
/// one always is (heavy editing of one text); a short one must keep
/// [`SHORT_PASSAGE_IDENTITY`] of its words and [`SHORT_PASSAGE_LETTERS`] of its letters.
/// `a` and `b` are the texts of its two spans.
fn is_close(passage: &Passage, a: &str, b: &str) -> bool {
    passage.matched_tokens >= SHORT_PASSAGE_WORDS
        || (passage.identity >= SHORT_PASSAGE_IDENTITY
            && letter_likeness(a, b) >= SHORT_PASSAGE_LETTERS)
}

/// How alike two texts are letter for letter: the Dice coefficient of their lower-cased
/// character 4-grams, runs of white space counting as one space (0 = nothing in common,
/// 1 = the same letters). It tells a noisy copy (letters changed inside words; most
/// 4-grams survive) from a rewording (other words; few survive), which word identity
/// cannot: both lose a third of their words.
///
/// ```
/// use stemma_reuse::letter_likeness;
/// let text = "You may not copy, modify, sublicense, or distribute the Program";
/// assert_eq!(letter_likeness(text, text), 1.0);
/// // OCR noise: a few letters changed.
/// let noisy = "You rnay not copy, modify, sublicensc, or distribute  the Prograrn";
/// assert!(letter_likeness(text, noisy) > 0.75);
/// // The same clause reworded.
/// let reworded = "You may not propagate or modify a covered work except as expressly provided";
/// assert!(letter_likeness(text, reworded) < 0.5);
/// ```
pub fn letter_likeness(a: &str, b: &str) -> f64 {
    thread_local! {
        // Reused across calls: millions of short passages are checked.
        static GRAMS: std::cell::RefCell<(Vec<u64>, Vec<u64>)> = const {
            std::cell::RefCell::new((Vec::new(), Vec::new()))
        };
    }
    fn letter_grams(text: &str, out: &mut Vec<u64>) {
        out.clear();
        let mut window = 0u64; // the last four characters, 16 bits each
        let mut filled = 0;
        let mut after_space = false;
        for c in text.trim().chars().flat_map(char::to_lowercase) {
            let c = if c.is_whitespace() {
                if after_space {
                    continue;
                }
                after_space = true;
                ' '
            } else {
                after_space = false;
                c
            };
            // Characters beyond the Basic Multilingual Plane fold onto it: a rare collision
            // only makes two texts look a little more alike.
            window = (window << 16) | (u64::from(c) & 0xFFFF);
            filled += 1;
            if filled >= 4 {
                out.push(window);
            }
        }
        out.sort_unstable();
    }
    GRAMS.with(|grams| {
        let (x, y) = &mut *grams.borrow_mut();
        letter_grams(a, x);
        letter_grams(b, y);
        if x.is_empty() && y.is_empty() {
            // Two texts under four letters: alike only when equal.
            let equal = a.trim().to_lowercase() == b.trim().to_lowercase();
            return if equal { 1.0 } else { 0.0 };
        }
        // Size of the multiset intersection of the two sorted bags.
        let (mut i, mut j, mut both) = (0, 0, 0usize);
        while i < x.len() && j < y.len() {
            match x[i].cmp(&y[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        2.0 * both as f64 / (x.len() + y.len()) as f64
    })
}

/// Bytes one text costs while analyzed: ≈ one 32-byte token per 5–6 bytes of text, plus
/// sentences and the text's share of the seed tables.
fn analysis_cost(text: &str) -> u64 {
    text.len() as u64 * 8 + 256
}

/// Stage 4: align every candidate pair, in batches whose analyzed documents fit the memory
/// budget. Output in candidate order, so it does not depend on the thread count.
pub(crate) fn align_pairs(
    docs: &[Document],
    candidates: &[(u32, u32)],
    boilerplate: &[u64],
    options: &ReuseOptions,
    progress: &dyn Progress,
) -> (Vec<AlignedPair>, u64) {
    progress.stage("align", candidates.len() as u64);
    // A quarter: the passages found accumulate beside the batch.
    let budget = (options.memory / 4).max(64 << 20);
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let found = align_in_batches(&texts, candidates, boilerplate, options, budget, progress);
    progress.finish();
    found
}

/// [`align_batch`] in batches of consecutive pairs whose analyzed texts take at most
/// `budget` bytes (≈ 8 bytes a byte of text; a batch holds one pair at least): the memory
/// a call needs is bounded whatever the number of texts, at the cost of analyzing a text
/// once per batch that needs it (pairs sorted by their first text share it across a
/// batch). The same output as one [`align_batch`] call: passages in pair order.
///
/// ```
/// use stemma_reuse::{align_batch, align_in_batches, NoProgress, ReuseOptions};
/// let shared = "Everyone is permitted to copy and distribute verbatim copies of this license \
///     document, but changing it is not allowed under any circumstances whatsoever.";
/// let texts = [
///     format!("Weather for Tuesday. {shared} Rain later."),
///     format!("Market prices rose. {shared}"),
///     format!("Sports results. {shared}"),
/// ];
/// let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
/// let pairs = [(0, 1), (0, 2), (1, 2)];
/// let options = ReuseOptions::default();
/// // A budget this small holds one pair's texts at a time: three batches.
/// let (found, dropped) = align_in_batches(&texts, &pairs, &[], &options, 1, &NoProgress);
/// let whole = align_batch(&texts, &pairs, &[], &options, &NoProgress);
/// assert_eq!((found.len(), dropped), (3, 0));
/// assert_eq!((found, dropped), whole);
/// ```
pub fn align_in_batches(
    texts: &[&str],
    pairs: &[(u32, u32)],
    boilerplate: &[u64],
    options: &ReuseOptions,
    budget: u64,
    progress: &dyn Progress,
) -> (Vec<AlignedPair>, u64) {
    let mut out: Vec<AlignedPair> = Vec::new();
    let mut dropped = 0u64;
    let mut start = 0;
    let mut in_batch: Vec<bool> = vec![false; texts.len()];
    while start < pairs.len() {
        // Grow the batch until its texts would outgrow the budget (at least one pair).
        let mut cost = 0u64;
        let mut members: Vec<u32> = Vec::new();
        let mut end = start;
        while end < pairs.len() {
            let (a, b) = pairs[end];
            let extra: u64 = [a, b]
                .iter()
                .filter(|&&t| !in_batch[t as usize])
                .map(|&t| analysis_cost(texts[t as usize]))
                .sum();
            if end > start && cost + extra > budget {
                break;
            }
            for t in [a, b] {
                if !in_batch[t as usize] {
                    in_batch[t as usize] = true;
                    members.push(t);
                }
            }
            cost += extra;
            end += 1;
        }
        members.sort_unstable();
        let batch_texts: Vec<&str> = members.iter().map(|&t| texts[t as usize]).collect();
        let local = |t: u32| members.binary_search(&t).expect("text in batch") as u32;
        let batch_pairs: Vec<(u32, u32)> = pairs[start..end]
            .iter()
            .map(|&(a, b)| (local(a), local(b)))
            .collect();
        let (found, d) = align_batch(&batch_texts, &batch_pairs, boilerplate, options, progress);
        // Back to indices in `texts`: `members` is ascending, so a < b still holds.
        out.extend(found.into_iter().map(|p| AlignedPair {
            a: members[p.a as usize],
            b: members[p.b as usize],
            ..p
        }));
        dropped += d;
        for t in members {
            in_batch[t as usize] = false;
        }
        start = end;
    }
    (out, dropped)
}

/// Stage 4 for one batch: align each pair `(a, b)` of `texts` (indices into it, a < b) and
/// keep the passages that are reuse; returns them in pair order (then text order), their
/// `a` and `b` the pair's, and the number dropped. Every text a pair names is analyzed once,
/// on all cores, however many pairs it is in; the others are not read. `boilerplate` holds the anchors above `max_df`, ascending
/// (from [`band_pairs`](crate::band_pairs) or the whole table): a passage resting on them
/// alone is dropped.
///
/// ```
/// use stemma_reuse::{align_batch, NoProgress, ReuseOptions};
/// let shared = "Everyone is permitted to copy and distribute verbatim copies of this license \
///     document, but changing it is not allowed under any circumstances whatsoever.";
/// let texts = [
///     format!("Weather for Tuesday. {shared} Rain later."),
///     format!("Market prices rose. {shared}"),
///     "An unrelated note about gardening.".to_string(),
/// ];
/// let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
/// let options = ReuseOptions::default();
/// let (found, dropped) = align_batch(&texts, &[(0, 1), (0, 2)], &[], &options, &NoProgress);
/// assert_eq!((found.len(), dropped), (1, 0));
/// assert_eq!((found[0].a, found[0].b), (0, 1));
/// assert!(texts[1][found[0].passage.b.start..].starts_with("Everyone"));
/// ```
pub fn align_batch(
    texts: &[&str],
    pairs: &[(u32, u32)],
    boilerplate: &[u64],
    options: &ReuseOptions,
    progress: &dyn Progress,
) -> (Vec<AlignedPair>, u64) {
    // Only the texts some pair names: an engine may hand over a whole table of which a
    // quarter is in a candidate pair (10k short documents: 2,491).
    let mut named = vec![false; texts.len()];
    for &(a, b) in pairs {
        named[a as usize] = true;
        named[b as usize] = true;
    }
    let analyses: Vec<Option<Analyzed>> = texts
        .par_iter()
        .zip(&named)
        .map(|(text, &named)| named.then(|| Analyzed::new(text, options.ngram)))
        .collect();
    let analyzed = |d: u32| analyses[d as usize].as_ref().expect("a named text");
    let found: Vec<(Vec<AlignedPair>, u64)> = pairs
        .par_iter()
        .map(|&(a, b)| {
            let (x, y) = (analyzed(a), analyzed(b));
            let passages = stemma_align::align(&x.analysis, &y.analysis, &options.align);
            progress.advance(1);
            let mut dropped = 0;
            let kept = passages
                .into_iter()
                .filter_map(|passage| {
                    let shared = SharedAnchors::of(x, y, &passage, boilerplate);
                    let (text_a, text_b) = (texts[a as usize], texts[b as usize]);
                    if shared.is_reuse(options)
                        && is_close(
                            &passage,
                            &text_a[passage.a.start..passage.a.end],
                            &text_b[passage.b.start..passage.b.end],
                        )
                    {
                        let mut passage = passage;
                        if !options.keep_diffs {
                            // Millions of passages: their word-level differences would
                            // be most of the memory.
                            passage.a_diffs = Vec::new();
                            passage.b_diffs = Vec::new();
                        }
                        Some(AlignedPair {
                            a,
                            b,
                            passage,
                            shared_anchors: shared.rare as u32,
                        })
                    } else {
                        dropped += 1;
                        None
                    }
                })
                .collect();
            (kept, dropped)
        })
        .collect();
    let mut out = Vec::new();
    let mut dropped = 0;
    for (kept, d) in found {
        out.extend(kept);
        dropped += d;
    }
    (out, dropped)
}

/// A document analyzed for alignment, with its anchors in text order.
struct Analyzed {
    analysis: Analysis,
    /// (hash, first token) of every content-stem n-gram.
    grams: Vec<(u64, u32)>,
}

impl Analyzed {
    fn new(text: &str, ngram: usize) -> Self {
        let analysis = stemma_text::analyze(text);
        let grams = anchor_grams(&analysis, text, ngram);
        Analyzed { analysis, grams }
    }

    /// Distinct anchors starting inside the byte span, sorted.
    fn anchors_in(&self, span: Span) -> Vec<u64> {
        let tokens = &self.analysis.tokens;
        let first = tokens.partition_point(|t| (t.end as usize) <= span.start) as u32;
        let end = tokens.partition_point(|t| (t.start as usize) < span.end) as u32;
        let lo = self.grams.partition_point(|g| g.1 < first);
        let hi = self.grams.partition_point(|g| g.1 < end);
        let mut hashes: Vec<u64> = self.grams[lo..hi].iter().map(|g| g.0).collect();
        hashes.sort_unstable();
        hashes.dedup();
        hashes
    }
}

/// The anchors a passage's two spans have in common: the evidence that it is reuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SharedAnchors {
    /// Shared anchors within the document-frequency band.
    rare: usize,
    /// Shared anchors above `max_df`.
    boilerplate: usize,
    /// Anchors of the span that has fewer.
    fewer: usize,
}

impl SharedAnchors {
    fn of(x: &Analyzed, y: &Analyzed, passage: &Passage, boilerplate: &[u64]) -> Self {
        let (ax, ay) = (x.anchors_in(passage.a), y.anchors_in(passage.b));
        let mut shared = SharedAnchors {
            rare: 0,
            boilerplate: 0,
            fewer: ax.len().min(ay.len()),
        };
        let (mut i, mut j) = (0, 0);
        while i < ax.len() && j < ay.len() {
            match ax[i].cmp(&ay[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    if boilerplate.binary_search(&ax[i]).is_ok() {
                        shared.boilerplate += 1;
                    } else {
                        shared.rare += 1;
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        shared
    }

    /// Whether the passage rests on more than shared boilerplate: its spans share
    /// `min_anchor_density` of their anchors beyond boilerplate, and either `min_shared` of
    /// them or no boilerplate anchor at all. (Whether it is close enough is [`is_close`].)
    ///
    /// A short copy under heavy OCR noise may keep no intact 3-word anchor (the alignment
    /// found it from 2-word seeds); it is kept. A passage whose only shared anchors are above
    /// `max_df` is the boilerplate `max_df` excludes.
    fn is_reuse(&self, options: &ReuseOptions) -> bool {
        let need = (options.min_anchor_density * self.fewer as f64).ceil() as usize;
        self.rare >= need && (self.rare >= options.min_shared.max(1) || self.boilerplate == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(matched: usize, identity: f64) -> Passage {
        let words = (matched as f64 / identity).round() as usize;
        Passage {
            a: Span {
                start: 0,
                end: 6 * words,
            },
            b: Span {
                start: 0,
                end: 6 * words,
            },
            a_tokens: words,
            b_tokens: words,
            matched_tokens: matched,
            identity,
            score: identity * words as f64,
            kind: stemma_align::PassageKind::Edited,
            a_diffs: Vec::new(),
            b_diffs: Vec::new(),
            also: Vec::new(),
            similarity: None,
            sentence_pairs: Vec::new(),
        }
    }

    #[test]
    fn passages_resting_on_boilerplate_alone_are_not_reuse() {
        let options = ReuseOptions::default();
        let shared = |rare, boilerplate| SharedAnchors {
            rare,
            boilerplate,
            fewer: 40,
        };
        // Heavy OCR noise can break every 3-word anchor of a true copy: kept.
        assert!(shared(0, 0).is_reuse(&options));
        assert!(shared(2, 5).is_reuse(&options));
        // Only boilerplate (above --max-df) in common: what --max-df excludes.
        assert!(!shared(0, 5).is_reuse(&options));
        assert!(!shared(1, 5).is_reuse(&options));
        // --min-anchor-density asks for a share of the span's anchors.
        let dense = ReuseOptions {
            min_anchor_density: 0.1,
            ..ReuseOptions::default()
        };
        assert!(!shared(2, 0).is_reuse(&dense));
        assert!(shared(4, 0).is_reuse(&dense));
    }

    #[test]
    fn short_passages_must_be_close() {
        let copy = "You may not copy, modify, sublicense, or distribute the Program except as \
                    expressly provided under this License.";
        let noisy = "You rnay not copy, modify, sublicensc, or distribute the Prograrn except as \
                     expressly provided under fhis License.";
        assert!(is_close(&passage(20, 0.8), copy, noisy));
        // Two disclaimers of one genre: 20 words in common, a third of them not.
        assert!(!is_close(&passage(20, 0.6), copy, noisy));
        // Words in common at a copy's rate, but other letters around them: a rewording.
        let genre = "WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied";
        let cc0 = "makes no representations or warranties of any kind concerning the Work, \
                   express, implied";
        assert!(letter_likeness(genre, cc0) < SHORT_PASSAGE_LETTERS);
        assert!(!is_close(&passage(12, 0.7), genre, cc0));
        // Long, it is heavy editing of one text, whatever its letters.
        assert!(is_close(&passage(40, 0.6), genre, cc0));
    }

    #[test]
    fn letter_likeness_of_edge_cases() {
        assert_eq!(letter_likeness("", ""), 1.0);
        assert_eq!(letter_likeness("abc", "ABC "), 1.0);
        assert_eq!(letter_likeness("abc", "abd"), 0.0);
        assert_eq!(letter_likeness("", "some text"), 0.0);
        // White space and case do not count; letters beyond ASCII do.
        assert_eq!(
            letter_likeness("Größe  und\nGewicht", "größe und gewicht"),
            1.0
        );
        assert!(letter_likeness("Größe und Gewicht", "Grosse und Gewicht") < 1.0);
    }
}
