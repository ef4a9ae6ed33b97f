//! Which matches moved: a match is in place when it lies on the longest run of matches
//! whose new positions increase in old order; the others moved.

use crate::matching::Group;

/// Which elements of `seq` lie on one longest strictly increasing run (patience sorting).
pub(crate) fn longest_increasing(seq: &[usize]) -> Vec<bool> {
    // Patience sorting with predecessor links.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev = vec![usize::MAX; seq.len()];
    for i in 0..seq.len() {
        let pos = tails.partition_point(|&t| seq[t] < seq[i]);
        if pos > 0 {
            prev[i] = tails[pos - 1];
        }
        if pos == tails.len() {
            tails.push(i);
        } else {
            tails[pos] = i;
        }
    }
    let mut keep = vec![false; seq.len()];
    let mut at = tails.last().copied().unwrap_or(usize::MAX);
    while at != usize::MAX {
        keep[at] = true;
        at = prev[at];
    }
    keep
}

/// Which elements of `seq` (distinct values) lie on the increasing run of greatest total
/// weight (ties: the earliest).
pub(crate) fn heaviest_increasing(seq: &[usize], weight: &[u64]) -> Vec<bool> {
    let n = seq.len();
    let mut sorted = seq.to_vec();
    sorted.sort_unstable();
    // Fenwick tree of (best total, element) over value ranks, for prefix maxima.
    let mut tree = vec![(0u64, usize::MAX); n + 1];
    let mut prev = vec![usize::MAX; n];
    let mut best = vec![0u64; n];
    for i in 0..n {
        let r = sorted.partition_point(|&v| v < seq[i]);
        let (mut q, mut k) = ((0u64, usize::MAX), r);
        while k > 0 {
            if tree[k].0 > q.0 {
                q = tree[k];
            }
            k &= k - 1;
        }
        best[i] = q.0 + weight[i];
        prev[i] = q.1;
        let mut k = r + 1;
        while k <= n {
            if best[i] > tree[k].0 {
                tree[k] = (best[i], i);
            }
            k += k & k.wrapping_neg();
        }
    }
    let mut keep = vec![false; n];
    let mut at = (0..n)
        .max_by(|&i, &j| best[i].cmp(&best[j]).then(j.cmp(&i)))
        .unwrap_or(usize::MAX);
    while at != usize::MAX {
        keep[at] = true;
        at = prev[at];
    }
    keep
}

/// Live groups (those `keep` selects) in old order, and which of them lie on the longest
/// increasing run of new positions.
pub(crate) fn order(groups: &[Group], keep: impl Fn(&Group) -> bool) -> (Vec<usize>, Vec<bool>) {
    let mut live: Vec<usize> = (0..groups.len())
        .filter(|&g| groups[g].alive && keep(&groups[g]))
        .collect();
    live.sort_by_key(|&g| (groups[g].a[0], groups[g].b[0]));
    let seq: Vec<usize> = live.iter().map(|&g| groups[g].b[0]).collect();
    let in_order = longest_increasing(&seq);
    (live, in_order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lis_keeps_the_longest_run() {
        assert_eq!(
            longest_increasing(&[0, 1, 5, 2, 3, 4]),
            [true, true, false, true, true, true]
        );
        assert!(longest_increasing(&[]).is_empty());
    }

    #[test]
    fn heaviest_run_keeps_the_heavy_elements() {
        // The heavy elements 3 and 4 stay in order; of the light ones, those that fit.
        assert_eq!(
            heaviest_increasing(&[5, 0, 1, 3, 4], &[1, 1, 1, 10, 10]),
            [false, true, true, true, true]
        );
        assert_eq!(
            heaviest_increasing(&[3, 0, 1, 2], &[10, 1, 1, 1]),
            [true, false, false, false]
        );
        assert!(heaviest_increasing(&[], &[]).is_empty());
    }
}
