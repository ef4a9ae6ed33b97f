//! Grouping seeds into passages: seeds that lie within a gap of each other on both sides
//! belong together, whatever their order, so reordered reuse stays one passage.

use crate::seeds::Seed;

#[derive(Clone, Copy)]
enum Side {
    A,
    B,
}

fn range(seed: &Seed, side: Side) -> (u32, u32) {
    match side {
        Side::A => (seed.a0, seed.a1),
        Side::B => (seed.b0, seed.b1),
    }
}

/// Split `group` where consecutive seeds (by position on `side`) leave more than `gap`
/// tokens uncovered.
fn split(mut group: Vec<Seed>, side: Side, gap: u32) -> Vec<Vec<Seed>> {
    group.sort_unstable_by_key(|s| range(s, side));
    let mut parts = Vec::new();
    let mut current: Vec<Seed> = Vec::new();
    let mut end = 0u32;
    for seed in group {
        let (start, stop) = range(&seed, side);
        if !current.is_empty() && start > end.saturating_add(gap) {
            parts.push(std::mem::take(&mut current));
        }
        end = if current.is_empty() {
            stop
        } else {
            end.max(stop)
        };
        current.push(seed);
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Divide and conquer (after Sanchez-Perez et al. 2014): split on A, then on B, until no
/// group splits on either side. Groups come out ordered by their first seed.
pub(crate) fn cluster(seeds: Vec<Seed>, gap: u32) -> Vec<Vec<Seed>> {
    let mut done = Vec::new();
    let mut work = vec![seeds];
    while let Some(group) = work.pop() {
        if group.is_empty() {
            continue;
        }
        let parts = split(group, Side::A, gap);
        if parts.len() > 1 {
            work.extend(parts);
            continue;
        }
        let group = parts.into_iter().next().unwrap_or_default();
        let parts = split(group, Side::B, gap);
        if parts.len() > 1 {
            work.extend(parts);
            continue;
        }
        done.extend(parts);
    }
    for group in &mut done {
        group.sort_unstable();
    }
    done.sort_unstable_by_key(|g| (g[0].a0, g[0].b0));
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(a0: u32, b0: u32) -> Seed {
        Seed {
            a0,
            a1: a0 + 5,
            b0,
            b1: b0 + 5,
            ca0: 0,
            cb0: 0,
            clen: 0,
        }
    }

    #[test]
    fn reordered_seeds_stay_together_distant_ones_split() {
        // Three sentences of A at 0, 10, 20 appear in B in the order 20, 0, 10; one stray far away.
        let seeds = vec![seed(0, 110), seed(10, 120), seed(20, 100), seed(500, 105)];
        let groups = cluster(seeds, 10);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].len(), 3);
        assert_eq!(groups[1], vec![seed(500, 105)]);
    }
}
