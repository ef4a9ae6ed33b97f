//! The segmentation of the target: a Viterbi pass over the passages covering each word,
//! and the slivers it leaves dropped.

use crate::MIN_SEGMENT_WORDS;

/// The passages covering each target word, with what each would gain by taking it: a lattice
/// with one column per word. States are passage numbers; a word no passage covers has an
/// empty column (nobody explains it).
#[derive(Debug, Clone, Default)]
pub(crate) struct Lattice {
    /// Column `t` is `states[starts[t]..starts[t + 1]]`.
    starts: Vec<usize>,
    /// Passage numbers, ascending within a column.
    states: Vec<u32>,
    /// Gain of each state for its word.
    gains: Vec<f64>,
}

impl Lattice {
    /// A lattice for `words` words, from `(word, passage, gain)` entries in any order (one per
    /// word and passage).
    pub(crate) fn new(words: usize, mut entries: Vec<(u32, u32, f64)>) -> Self {
        entries.sort_unstable_by_key(|&(word, passage, _)| (word, passage));
        let mut starts = Vec::with_capacity(words + 1);
        let mut next = 0;
        for word in 0..words as u32 {
            starts.push(next);
            while next < entries.len() && entries[next].0 == word {
                next += 1;
            }
        }
        starts.push(next);
        Lattice {
            starts,
            states: entries.iter().map(|e| e.1).collect(),
            gains: entries.iter().map(|e| e.2).collect(),
        }
    }

    fn column(&self, word: usize) -> std::ops::Range<usize> {
        self.starts[word]..self.starts[word + 1]
    }

    /// Where `passage` sits in column `word`, if it covers that word.
    fn find(&self, word: usize, passage: u32) -> Option<usize> {
        let range = self.column(word);
        self.states[range.clone()]
            .binary_search(&passage)
            .ok()
            .map(|i| range.start + i)
    }

    /// The passage each word goes to (None where no passage covers it): the assignment with
    /// the highest total gain minus `switch_cost` for every change from one passage to another
    /// between two covered words. Leaving or entering an uncovered stretch is free, so a
    /// passage alone on its words always keeps them. Ties go to continuing the current
    /// passage, then to the lower passage number: the result is a pure function of the input.
    ///
    /// Linear in the lattice's size: each state continues itself or switches from the best
    /// state of the previous word, the only predecessor worth switching from.
    pub(crate) fn best_path(&self, switch_cost: f64) -> Vec<Option<u32>> {
        let words = self.starts.len() - 1;
        let mut scores = vec![0.0f64; self.states.len()];
        let mut continued = vec![false; self.states.len()];
        // Per word: the lattice index of its best state (None: uncovered).
        let mut best: Vec<Option<usize>> = vec![None; words];
        // The best total up to the previous word.
        let mut carried = 0.0f64;
        for word in 0..words {
            let column = self.column(word);
            if column.is_empty() {
                continue;
            }
            let previous_covered = word > 0 && best[word - 1].is_some();
            let switch = if previous_covered {
                carried - switch_cost
            } else {
                carried
            };
            let mut top: Option<usize> = None;
            for i in column {
                let stay = if previous_covered {
                    self.find(word - 1, self.states[i]).map(|j| scores[j])
                } else {
                    None
                };
                let (from, stays) = match stay {
                    Some(s) if s >= switch => (s, true),
                    _ => (switch, false),
                };
                scores[i] = from + self.gains[i];
                continued[i] = stays;
                // Columns are in ascending passage number: the first maximum wins ties.
                if top.is_none_or(|t| scores[i] > scores[t]) {
                    top = Some(i);
                }
            }
            best[word] = top;
            carried = scores[top.expect("the column is not empty")];
        }
        let mut owner = vec![None; words];
        let mut pick = best.last().copied().flatten();
        for word in (0..words).rev() {
            owner[word] = pick.map(|i| self.states[i]);
            pick = match pick {
                Some(i) if continued[i] => self.find(word - 1, self.states[i]),
                _ if word > 0 => best[word - 1],
                _ => None,
            };
        }
        owner
    }
}

/// Leave unexplained the runs shorter than [`MIN_SEGMENT_WORDS`] that touch a run of another
/// passage: a passage reaching a word or two past a better one's edge.
pub(crate) fn drop_slivers(owner: &mut [Option<u32>]) {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < owner.len() {
        let mut j = i + 1;
        while j < owner.len() && owner[j] == owner[i] {
            j += 1;
        }
        if owner[i].is_some() {
            runs.push((i, j));
        }
        i = j;
    }
    let touching = |(i, j): (usize, usize)| {
        (i > 0 && owner[i - 1].is_some()) || (j < owner.len() && owner[j].is_some())
    };
    let slivers: Vec<(usize, usize)> = runs
        .into_iter()
        .filter(|&(i, j)| j - i < MIN_SEGMENT_WORDS && touching((i, j)))
        .collect();
    for (i, j) in slivers {
        owner[i..j].fill(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lattice from per-word columns of (passage, gain).
    fn lattice(columns: &[&[(u32, f64)]]) -> Lattice {
        let entries = columns
            .iter()
            .enumerate()
            .flat_map(|(w, col)| col.iter().map(move |&(p, g)| (w as u32, p, g)))
            .collect();
        Lattice::new(columns.len(), entries)
    }

    #[test]
    fn a_passage_better_by_one_word_does_not_take_it_over() {
        // Passage 0 matches every word but word 3; passage 1 matches word 3 but not 0 and 5.
        let both: &[(u32, f64)] = &[(0, 1.0), (1, 1.0)];
        let only_0: &[(u32, f64)] = &[(0, 1.0), (1, 0.0)];
        let only_1: &[(u32, f64)] = &[(0, 0.0), (1, 1.0)];
        let l = lattice(&[only_0, both, both, only_1, both, only_0]);
        assert_eq!(l.best_path(4.0), vec![Some(0); 6]);
        // Without a cost for switching, word 3 flickers over to passage 1 and back.
        let free = l.best_path(0.0);
        assert_eq!((free[0], free[3], free[5]), (Some(0), Some(1), Some(0)));
    }

    #[test]
    fn a_clearly_better_stretch_is_taken_over_once() {
        // Passage 0 alone matches the first five words, passage 1 alone the next ten.
        let only_0: &[(u32, f64)] = &[(0, 1.0), (1, 0.0)];
        let only_1: &[(u32, f64)] = &[(0, 0.0), (1, 1.0)];
        let mut columns = vec![only_0; 5];
        columns.extend(std::iter::repeat_n(only_1, 10));
        let path = lattice(&columns).best_path(4.0);
        assert_eq!(path[..5], [Some(0); 5]);
        assert_eq!(path[5..], [Some(1); 10]);
        // Three words are not worth a switch.
        let path = lattice(&[only_0, only_0, only_0, only_1, only_1, only_1]).best_path(4.0);
        assert!(path == [Some(0); 6] || path == [Some(1); 6], "{path:?}");
    }

    #[test]
    fn uncovered_words_have_no_owner_and_cost_nothing() {
        let only_0: &[(u32, f64)] = &[(0, 1.0)];
        let only_1: &[(u32, f64)] = &[(1, 1.0)];
        let path = lattice(&[only_0, &[], only_1, &[], only_0]).best_path(100.0);
        assert_eq!(path, [Some(0), None, Some(1), None, Some(0)]);
        assert!(lattice(&[]).best_path(4.0).is_empty());
    }
}
