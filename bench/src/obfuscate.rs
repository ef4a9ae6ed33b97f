//! Obfuscations applied to a planted passage: PAN-style random word edits and sentence
//! reordering. Each returns the obfuscated text plus what was done, so tests can check the
//! invariants (edit rate, real permutation).

use rand::seq::SliceRandom;
use rand::Rng;

/// Lowest and highest share of a passage's words touched by [`random_edits`].
pub const MIN_EDIT_RATE: f64 = 0.10;
pub const MAX_EDIT_RATE: f64 = 0.30;

/// The result of [`random_edits`].
#[derive(Debug, Clone)]
pub struct RandomEdits {
    /// The edited passage, words joined by single spaces.
    pub text: String,
    /// Words of the original passage.
    pub original_words: usize,
    /// Words touched: one per deletion, insertion and replacement, two per swap.
    pub edited_words: usize,
}

impl RandomEdits {
    /// `edited_words / original_words`, within [`MIN_EDIT_RATE`, `MAX_EDIT_RATE`].
    pub fn rate(&self) -> f64 {
        self.edited_words as f64 / self.original_words.max(1) as f64
    }
}

/// What happens at one word position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit<'v> {
    Keep,
    Delete,
    Replace(&'v str),
    InsertAfter(&'v str),
    SwapWithNext,
    /// The second word of a swap (emitted by the first).
    Swapped,
}

/// PAN-style random obfuscation: touch 10–30 % of the words (rate drawn uniformly) with
/// deletions, insertions of a vocabulary word, replacements by another vocabulary word, and
/// swaps of neighbours, at distinct positions. The result is re-joined with single spaces.
pub fn random_edits<R: Rng>(passage: &str, vocabulary: &[String], rng: &mut R) -> RandomEdits {
    assert!(vocabulary.len() >= 2, "random edits need a vocabulary");
    let words: Vec<&str> = passage.split_whitespace().collect();
    let n = words.len();
    let min_edits = (MIN_EDIT_RATE * n as f64).ceil() as usize;
    let max_edits = (MAX_EDIT_RATE * n as f64).floor() as usize;
    let budget = ((rng.random_range(MIN_EDIT_RATE..=MAX_EDIT_RATE) * n as f64).round() as usize)
        .clamp(min_edits, max_edits.max(min_edits));

    let mut edits = vec![Edit::Keep; n];
    let mut positions: Vec<usize> = (0..n).collect();
    positions.shuffle(rng);
    let mut edited = 0;
    for position in positions {
        if edited >= budget {
            break;
        }
        if edits[position] != Edit::Keep {
            continue;
        }
        let can_swap = budget - edited >= 2
            && position + 1 < n
            && edits[position + 1] == Edit::Keep
            && !words[position].eq_ignore_ascii_case(words[position + 1]);
        let kind = rng.random_range(0..if can_swap { 4 } else { 3 });
        edits[position] = match kind {
            0 => Edit::Delete,
            1 => Edit::InsertAfter(pick_word(vocabulary, None, rng)),
            2 => Edit::Replace(pick_word(vocabulary, Some(words[position]), rng)),
            _ => {
                edits[position + 1] = Edit::Swapped;
                edited += 1;
                Edit::SwapWithNext
            }
        };
        edited += 1;
    }

    let mut out: Vec<&str> = Vec::with_capacity(n + budget);
    for (i, edit) in edits.iter().enumerate() {
        match *edit {
            Edit::Keep => out.push(words[i]),
            Edit::Delete | Edit::Swapped => {}
            Edit::Replace(word) => out.push(word),
            Edit::InsertAfter(word) => {
                out.push(words[i]);
                out.push(word);
            }
            Edit::SwapWithNext => {
                out.push(words[i + 1]);
                out.push(words[i]);
            }
        }
    }
    RandomEdits {
        text: out.join(" "),
        original_words: n,
        edited_words: edited,
    }
}

/// A vocabulary word different from `not` (ignoring case and punctuation).
fn pick_word<'v, R: Rng>(vocabulary: &'v [String], not: Option<&str>, rng: &mut R) -> &'v str {
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    loop {
        let word = vocabulary[rng.random_range(0..vocabulary.len())].as_str();
        if not.is_none_or(|not| bare(not) != bare(word)) {
            return word;
        }
    }
}

/// The result of [`reorder_sentences`].
#[derive(Debug, Clone)]
pub struct Reordered {
    /// The sentences in their new order, joined by single spaces.
    pub text: String,
    /// `order[k]` is the index of the original sentence placed k-th; never the identity.
    pub order: Vec<usize>,
}

/// Shuffle the sentences of a passage until the text actually changes. Needs at least two
/// different sentences; the generator only calls it with four or more.
pub fn reorder_sentences<R: Rng>(sentences: &[&str], rng: &mut R) -> Reordered {
    assert!(
        sentences.iter().any(|s| *s != sentences[0]),
        "reordering needs two different sentences"
    );
    let original = sentences.join(" ");
    let mut order: Vec<usize> = (0..sentences.len()).collect();
    loop {
        order.shuffle(rng);
        let text = order
            .iter()
            .map(|&k| sentences[k])
            .collect::<Vec<_>>()
            .join(" ");
        if text != original {
            return Reordered { text, order };
        }
    }
}

/// A vocabulary for insertions and replacements: lower-case alphabetic words of 3+ letters
/// seen at least `min_count` times in `texts`, sorted.
pub fn vocabulary<'t>(texts: impl IntoIterator<Item = &'t str>, min_count: usize) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for text in texts {
        for word in text.split(|c: char| !c.is_alphabetic()) {
            if word.chars().count() >= 3 && word.chars().all(|c| c.is_lowercase()) {
                *counts.entry(word.to_string()).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .filter(|&(_, count)| count >= min_count)
        .map(|(word, _)| word)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Word-level Levenshtein distance (a swap costs two).
    fn word_distance(a: &[&str], b: &[&str]) -> usize {
        let mut previous: Vec<usize> = (0..=b.len()).collect();
        for (i, x) in a.iter().enumerate() {
            let mut current = vec![i + 1; b.len() + 1];
            for (j, y) in b.iter().enumerate() {
                current[j + 1] = (previous[j] + usize::from(x != y))
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1);
            }
            previous = current;
        }
        previous[b.len()]
    }

    #[test]
    fn random_edit_rate_is_within_bounds() {
        let vocabulary: Vec<String> = ["alpha", "beta", "gamma", "delta", "omega"]
            .map(String::from)
            .to_vec();
        let passage: String = (0..217).map(|i| format!("w{i} ")).collect();
        let original: Vec<&str> = passage.split_whitespace().collect();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..200 {
            let edits = random_edits(&passage, &vocabulary, &mut rng);
            assert!(
                (MIN_EDIT_RATE..=MAX_EDIT_RATE).contains(&edits.rate()),
                "rate {}",
                edits.rate()
            );
            let edited: Vec<&str> = edits.text.split_whitespace().collect();
            let distance = word_distance(&original, &edited);
            // Every touched word costs at most one unit of Levenshtein distance; all
            // positions are distinct and every edit changes the text.
            assert!(
                distance <= edits.edited_words,
                "{distance} > {}",
                edits.edited_words
            );
            assert!(distance as f64 >= 0.5 * MIN_EDIT_RATE * original.len() as f64);
        }
    }

    #[test]
    fn reorder_is_a_real_permutation() {
        let sentences = ["One.", "Two!", "Three?", "Four."];
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..100 {
            let reordered = reorder_sentences(&sentences, &mut rng);
            let mut sorted = reordered.order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, vec![0, 1, 2, 3]);
            assert_ne!(reordered.order, vec![0, 1, 2, 3]);
            let expected: Vec<&str> = reordered.order.iter().map(|&k| sentences[k]).collect();
            assert_eq!(reordered.text, expected.join(" "));
        }
    }
}
