//! Equally close witnesses told apart by their significant differences.
//!
//! Within a family of near-identical sources (the BSD licences: one generic text and dozens
//! of copies under a holder's name), several texts can be as close to the target as the one
//! the segmentation chose, seen from both sides: closeness within [`EQUALLY_CLOSE`], every
//! word it was given covered. Counting words, they differ by a word or two, which way round
//! is chance. A textual critic weighs the differences instead of counting them: a reading
//! that most of the witnesses share ("the copyright holders and contributors") is a trivial
//! variant, one that few of them have ("NetBSD", "Intel") is significant. A witness holding a
//! distinctive name the target lacks is not its exemplar as surely as one that differs from
//! it in common words only.
//!
//! So each word of a difference weighs `ln(1 + n / df)`, where `n` is the number of sources
//! aligned with the target and `df` the number of them holding the word (at least 1): a word
//! every source has weighs `ln 2`, a word one source has `ln(1 + n)`. A source's
//! *significant differences* are the sum of the weights of its words not aligned to an
//! identical target word (outside its passages, or an edit inside one) and of the target's
//! words it does not align to an identical word of its own. Among the source the
//! segmentation chose and its equally close runners-up (none dated later), the one with the
//! fewest significant differences takes the words; ties keep the chosen source.

use foldhash::{HashMap, HashMapExt, HashSet};
use stemma_align::Span;
use stemma_text::Analysis;

use crate::{date_order, SourcePassages};

/// Runners-up whose prior closeness is within this of a source's are equally close
/// witnesses of its words (the closeness of siblings differing by a word in 200 differs by
/// 0.005).
pub const EQUALLY_CLOSE: f64 = 0.01;

/// Give the words of each source to the equally close runner-up with fewer significant
/// differences from the target, when there is one (module docs). `covering[t]` lists the
/// passages covering target word `t` (numbers into `ranked`) and whether each aligns it to
/// an identical word; `prior` is each source's closeness before the segmentation.
pub(crate) fn give_to_fewest_significant_differences(
    owner: &mut [Option<u32>],
    covering: &[Vec<(u32, bool)>],
    ranked: &[(usize, usize)],
    sources: &[SourcePassages],
    prior: &[f64],
    target: &Analysis,
) {
    let mut owned: Vec<Vec<usize>> = vec![Vec::new(); sources.len()];
    for (t, number) in owner.iter().enumerate() {
        if let Some(number) = number {
            owned[ranked[*number as usize].0].push(t);
        }
    }
    let mut runners_up: Vec<usize> = (0..sources.len())
        .filter(|&r| owned[r].is_empty() && !sources[r].passages.is_empty())
        .collect();
    let passage_of = |t: usize, r: usize| covering[t].iter().find(|c| ranked[c.0 as usize].0 == r);
    let date = |s: usize| &sources[s].source.date;
    let mut weights: Option<Weights> = None;
    for s in 0..sources.len() {
        if owned[s].is_empty() {
            continue;
        }
        let pool: Vec<usize> = runners_up
            .iter()
            .copied()
            .filter(|&r| {
                (prior[r] - prior[s]).abs() <= EQUALLY_CLOSE * prior[s]
                    && !date_order(date(r), date(s)).is_gt()
                    && owned[s].iter().all(|&t| passage_of(t, r).is_some())
            })
            .collect();
        if pool.is_empty() {
            continue;
        }
        let weights = weights.get_or_insert_with(|| Weights::of(sources));
        let differences = |x: usize| {
            let target_side: f64 = target
                .tokens
                .iter()
                .enumerate()
                .filter(|&(t, _)| !passage_of_matching(covering, ranked, t, x))
                .map(|(_, token)| weights.of_word(token.norm))
                .sum();
            target_side + weights.unmatched_in_source(x, sources)
        };
        let mut best = (s, differences(s));
        for &r in &pool {
            let d = differences(r);
            if d < best.1 {
                best = (r, d);
            }
        }
        let r = best.0;
        if r != s {
            for &t in &owned[s] {
                owner[t] = passage_of(t, r).map(|c| c.0);
            }
            runners_up.retain(|&x| x != r);
        }
    }
}

/// Whether some passage of source `x` aligns target word `t` to an identical word.
fn passage_of_matching(
    covering: &[Vec<(u32, bool)>],
    ranked: &[(usize, usize)],
    t: usize,
    x: usize,
) -> bool {
    covering[t]
        .iter()
        .any(|c| c.1 && ranked[c.0 as usize].0 == x)
}

/// The weight of each word among the sources aligned with the target.
struct Weights {
    /// Sources aligned with the target (with at least one passage).
    sources: f64,
    /// Word (normalized form's hash) → number of aligned sources holding it.
    df: HashMap<u64, u32>,
    /// Each source's words as (normalized form's hash, byte start), read once for `df` and
    /// kept for [`Weights::unmatched_in_source`]; empty for a source with no passage.
    words: Vec<Vec<(u64, usize)>>,
}

impl Weights {
    fn of(sources: &[SourcePassages]) -> Self {
        let mut df: HashMap<u64, u32> = HashMap::new();
        let mut aligned = 0;
        let mut words = Vec::with_capacity(sources.len());
        for sp in sources {
            if sp.passages.is_empty() {
                words.push(Vec::new());
                continue;
            }
            aligned += 1;
            let tokens: Vec<(u64, usize)> = stemma_text::analyze(&sp.source.text)
                .tokens
                .iter()
                .map(|t| (t.norm, t.start as usize))
                .collect();
            let distinct: HashSet<u64> = tokens.iter().map(|&(norm, _)| norm).collect();
            for word in distinct {
                *df.entry(word).or_insert(0) += 1;
            }
            words.push(tokens);
        }
        Weights {
            sources: f64::from(aligned),
            df,
            words,
        }
    }

    /// `ln(1 + n / df)`: `ln 2` for a word every aligned source holds, `ln(1 + n)` for a word
    /// one of them holds or none does (the target's own).
    fn of_word(&self, word: u64) -> f64 {
        let df = self.df.get(&word).copied().unwrap_or(0).max(1);
        (1.0 + self.sources / f64::from(df)).ln()
    }

    /// The weights of the words of source `x` (`sources[x]`) that no passage aligns to an
    /// identical target word.
    fn unmatched_in_source(&self, x: usize, sources: &[SourcePassages]) -> f64 {
        self.words[x]
            .iter()
            .filter(|&&(_, start)| !matched_in_source(&sources[x], start))
            .map(|&(norm, _)| self.of_word(norm))
            .sum()
    }
}

/// Whether the source word starting at byte `at` is inside one of the passages and outside
/// its edits.
fn matched_in_source(sp: &SourcePassages, at: usize) -> bool {
    let inside = |span: &Span| span.start <= at && at < span.end;
    sp.passages
        .iter()
        .any(|p| inside(&p.a) && !p.a_diffs.iter().any(inside))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::span_passage;
    use stemma_text::Document;

    #[test]
    fn a_word_every_source_holds_weighs_ln_2_a_name_one_holds_ln_1_plus_n() {
        let docs = [
            Document::new("generic", "the holders and contributors"),
            Document::new("netbsd", "the NetBSD and contributors"),
            Document::new("intel", "Intel holders and contributors"),
            Document::new("unaligned", "NetBSD NetBSD"),
        ];
        let sources: Vec<SourcePassages> = docs
            .iter()
            .map(|d| SourcePassages {
                source: d,
                passages: if d.id == "unaligned" {
                    vec![]
                } else {
                    vec![span_passage(
                        Span { start: 0, end: 3 },
                        Span { start: 0, end: 3 },
                        1.0,
                    )]
                },
            })
            .collect();
        let weights = Weights::of(&sources);
        let word = |w: &str| stemma_text::analyze(w).tokens[0].norm;
        // Three aligned sources (the unaligned one does not count).
        assert!((weights.of_word(word("contributors")) - 2f64.ln()).abs() < 1e-9);
        assert!((weights.of_word(word("netbsd")) - 4f64.ln()).abs() < 1e-9);
        assert!((weights.of_word(word("absent")) - 4f64.ln()).abs() < 1e-9);
        // Outside the passage ("the"), the generic text's "holders" (two of the three hold
        // it) weighs less than NetBSD's name.
        assert!(
            weights.unmatched_in_source(0, &sources) < weights.unmatched_in_source(1, &sources)
        );
    }
}
