//! Clause matching: exact bodies first, then a greedy assignment on word-bag similarity,
//! then merges and splits from containment, then parents from their children; finally the
//! longest increasing subsequence of matched positions decides which matches moved.

use std::collections::VecDeque;
use std::time::Instant;

use foldhash::{HashMap, HashMapExt};
use stemma_text::Normalizer;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::redline::{redline, tokenize, Tok};
use crate::segment::Clause;
use crate::{Change, ChangeKind, Diff, DiffOptions};

/// What matching needs to know about one clause.
struct Unit {
    /// Normalized word keys, sorted (a multiset).
    bag: Vec<u64>,
    /// Hash of the body's token keys under the options (whitespace never counts).
    exact: u64,
    /// The label key, if any.
    label: Option<String>,
}

fn units(text: &str, clauses: &[Clause], options: &DiffOptions) -> Vec<Unit> {
    let mut normalizer = Normalizer::new(false);
    let mut toks: Vec<Tok> = Vec::new();
    clauses
        .iter()
        .map(|c| {
            toks.clear();
            tokenize(text, c.body, options.tokens(), &mut normalizer, &mut toks);
            let mut bag: Vec<u64> = toks
                .iter()
                .filter(|t| t.norm != 0)
                .map(|t| t.norm)
                .collect();
            bag.sort_unstable();
            let label = c.label.as_ref().map(|l| l.key.clone());
            let exact = if bag.is_empty() {
                xxh3_64(format!("\0label {}", label.as_deref().unwrap_or("")).as_bytes())
            } else {
                let mut h = Xxh3::new();
                for t in &toks {
                    h.update(&t.key.to_le_bytes());
                }
                h.digest()
            };
            Unit { bag, exact, label }
        })
        .collect()
}

/// Size of the multiset intersection of two sorted bags.
fn common(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[derive(Debug, Clone, Copy)]
struct Edge {
    a: usize,
    b: usize,
    common: usize,
    dice: f64,
    /// Share of a's words found in b.
    a_in_b: f64,
    /// Share of b's words found in a.
    b_in_a: f64,
}

#[derive(Debug, Clone)]
struct Group {
    a: Vec<usize>,
    b: Vec<usize>,
    confidence: f64,
    exact: bool,
    alive: bool,
}

impl Edge {
    /// The same edge seen from the other version.
    fn mirrored(&self) -> Edge {
        Edge {
            a: self.b,
            b: self.a,
            common: self.common,
            dice: self.dice,
            a_in_b: self.b_in_a,
            b_in_a: self.a_in_b,
        }
    }
}

impl Group {
    /// Swap the sides (see [`Edge::mirrored`]).
    fn mirror(&mut self) {
        std::mem::swap(&mut self.a, &mut self.b);
    }
}

/// Merges (N old → 1 new) from containment: several clauses of A, each mostly contained in
/// one clause of B and together covering most of it, become one group. `b_sizes` are the
/// word counts of B's clauses.
fn find_merges(
    edges: &[Edge],
    groups: &mut Vec<Group>,
    a_group: &mut [Option<usize>],
    b_group: &mut [Option<usize>],
    b_sizes: &[usize],
    min_cont: f64,
) {
    let mut by_b: HashMap<usize, Vec<Edge>> = HashMap::new();
    for e in edges {
        by_b.entry(e.b).or_default().push(*e);
    }
    let single = |groups: &Vec<Group>, g: Option<usize>| {
        g.is_none_or(|g| groups[g].a.len() == 1 && groups[g].b.len() == 1 && !groups[g].exact)
    };
    for y in 0..b_sizes.len() {
        let Some(list) = by_b.get(&y) else { continue };
        if !single(groups, b_group[y]) {
            continue;
        }
        let mut parts: Vec<Edge> = list
            .iter()
            .filter(|e| {
                e.a_in_b >= min_cont
                    && e.common >= 2
                    && (a_group[e.a].is_none() || a_group[e.a] == b_group[y])
            })
            .copied()
            .collect();
        let any_free = parts.iter().any(|e| a_group[e.a].is_none());
        let partner_inside = b_group[y].is_none_or(|g| parts.iter().any(|e| e.a == groups[g].a[0]));
        let covered: usize = parts.iter().map(|e| e.common).sum();
        if parts.len() >= 2
            && any_free
            && partner_inside
            && covered as f64 >= 0.6 * b_sizes[y] as f64
        {
            parts.sort_by_key(|e| e.a);
            if let Some(g) = b_group[y] {
                groups[g].alive = false;
            }
            let id = groups.len();
            let confidence = parts.iter().map(|e| e.a_in_b).sum::<f64>() / parts.len() as f64;
            for e in &parts {
                a_group[e.a] = Some(id);
            }
            b_group[y] = Some(id);
            groups.push(Group {
                a: parts.iter().map(|e| e.a).collect(),
                b: vec![y],
                confidence,
                exact: false,
                alive: true,
            });
        }
    }
}

/// Top-`k` clauses of `to` sharing the most distinct, not-too-common words with each clause
/// of `from`.
fn candidates(
    from: &[usize],
    from_units: &[Unit],
    to: &[usize],
    to_units: &[Unit],
    k: usize,
    mut push: impl FnMut(usize, usize),
) {
    let mut index: HashMap<u64, Vec<u32>> = HashMap::with_capacity(to.len() * 8);
    for (pos, &t) in to.iter().enumerate() {
        let bag = &to_units[t].bag;
        for (i, w) in bag.iter().enumerate() {
            if i == 0 || bag[i - 1] != *w {
                index.entry(*w).or_default().push(pos as u32);
            }
        }
    }
    let cap = 64.max(to.len() / 16);
    let mut counts = vec![0u32; to.len()];
    let mut touched: Vec<u32> = Vec::new();
    for &f in from {
        let bag = &from_units[f].bag;
        for (i, w) in bag.iter().enumerate() {
            if i > 0 && bag[i - 1] == *w {
                continue;
            }
            if let Some(list) = index.get(w) {
                if list.len() > cap {
                    continue;
                }
                for &t in list {
                    if counts[t as usize] == 0 {
                        touched.push(t);
                    }
                    counts[t as usize] += 1;
                }
            }
        }
        if touched.len() > k {
            touched.select_nth_unstable_by(k - 1, |x, y| {
                counts[*y as usize].cmp(&counts[*x as usize]).then(x.cmp(y))
            });
        }
        for &t in touched.iter().take(k) {
            push(f, to[t as usize]);
        }
        for &t in &touched {
            counts[t as usize] = 0;
        }
        touched.clear();
    }
}

fn longest_increasing(seq: &[usize]) -> Vec<bool> {
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

pub(crate) fn match_versions(
    a_text: &str,
    a: Vec<Clause>,
    b_text: &str,
    b: Vec<Clause>,
    options: &DiffOptions,
) -> Diff {
    let deadline = Instant::now() + options.deadline;
    let ua = units(a_text, &a, options);
    let ub = units(b_text, &b, options);
    let (na, nb) = (a.len(), b.len());
    let mut groups: Vec<Group> = Vec::new();
    let mut a_group: Vec<Option<usize>> = vec![None; na];
    let mut b_group: Vec<Option<usize>> = vec![None; nb];
    let pair = |groups: &mut Vec<Group>,
                a_group: &mut Vec<Option<usize>>,
                b_group: &mut Vec<Option<usize>>,
                x: usize,
                y: usize,
                confidence: f64,
                exact: bool| {
        a_group[x] = Some(groups.len());
        b_group[y] = Some(groups.len());
        groups.push(Group {
            a: vec![x],
            b: vec![y],
            confidence,
            exact,
            alive: true,
        });
    };

    // 1. Identical bodies: same label first, then in order of the text.
    for with_label in [true, false] {
        let mut by_exact: HashMap<(u64, Option<&str>), VecDeque<usize>> = HashMap::new();
        for (y, u) in ub.iter().enumerate() {
            if b_group[y].is_none() {
                let key = (u.exact, u.label.as_deref().filter(|_| with_label));
                by_exact.entry(key).or_default().push_back(y);
            }
        }
        for (x, u) in ua.iter().enumerate() {
            if a_group[x].is_some() {
                continue;
            }
            let key = (u.exact, u.label.as_deref().filter(|_| with_label));
            if let Some(y) = by_exact.get_mut(&key).and_then(VecDeque::pop_front) {
                pair(&mut groups, &mut a_group, &mut b_group, x, y, 1.0, true);
            }
        }
    }

    // 2. Candidate pairs among the rest, from both sides.
    let free_a: Vec<usize> = (0..na)
        .filter(|&x| a_group[x].is_none() && !ua[x].bag.is_empty())
        .collect();
    let free_b: Vec<usize> = (0..nb)
        .filter(|&y| b_group[y].is_none() && !ub[y].bag.is_empty())
        .collect();
    let mut seen: HashMap<(usize, usize), ()> = HashMap::new();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    candidates(&free_a, &ua, &free_b, &ub, 8, |x, y| {
        if seen.insert((x, y), ()).is_none() {
            pairs.push((x, y));
        }
    });
    candidates(&free_b, &ub, &free_a, &ua, 8, |y, x| {
        if seen.insert((x, y), ()).is_none() {
            pairs.push((x, y));
        }
    });
    let mut edges: Vec<Edge> = pairs
        .into_iter()
        .filter_map(|(x, y)| {
            let (ba, bb) = (&ua[x].bag, &ub[y].bag);
            let c = common(ba, bb);
            (c > 0).then(|| Edge {
                a: x,
                b: y,
                common: c,
                dice: 2.0 * c as f64 / (ba.len() + bb.len()) as f64,
                a_in_b: c as f64 / ba.len() as f64,
                b_in_a: c as f64 / bb.len() as f64,
            })
        })
        .collect();
    // Best similarity first; among equals, the pair closest in relative position.
    let rel =
        |x: usize, y: usize| (x as f64 / na.max(1) as f64 - y as f64 / nb.max(1) as f64).abs();
    edges.sort_by(|e, f| {
        f.dice
            .total_cmp(&e.dice)
            .then(rel(e.a, e.b).total_cmp(&rel(f.a, f.b)))
            .then((e.a, e.b).cmp(&(f.a, f.b)))
    });

    // 3. Greedy one-to-one assignment.
    for e in &edges {
        if e.dice >= options.min_similarity && a_group[e.a].is_none() && b_group[e.b].is_none() {
            pair(
                &mut groups,
                &mut a_group,
                &mut b_group,
                e.a,
                e.b,
                e.dice,
                false,
            );
        }
    }

    // 4. Merges (N old → 1 new) and splits (1 old → N new) from containment.
    let min_cont = options.min_containment;
    let a_sizes: Vec<usize> = ua.iter().map(|u| u.bag.len()).collect();
    let b_sizes: Vec<usize> = ub.iter().map(|u| u.bag.len()).collect();
    find_merges(
        &edges,
        &mut groups,
        &mut a_group,
        &mut b_group,
        &b_sizes,
        min_cont,
    );
    // A split is a merge seen from the new version: the same search on mirrored edges.
    let mirrored: Vec<Edge> = edges.iter().map(Edge::mirrored).collect();
    groups.iter_mut().for_each(Group::mirror);
    find_merges(
        &mirrored,
        &mut groups,
        &mut b_group,
        &mut a_group,
        &a_sizes,
        min_cont,
    );
    groups.iter_mut().for_each(Group::mirror);

    // 5. A parent whose children went to the children of one unmatched new clause is that
    //    clause, however much its own heading changed ("Withdrawing resolutions" →
    //    "Withdrawing ballot options").
    for x in 0..na {
        if a_group[x].is_some() || a[x].label.is_none() {
            continue;
        }
        let children: Vec<usize> = (x + 1..na).filter(|&c| a[c].parent == Some(x)).collect();
        if children.is_empty() {
            continue;
        }
        let mut votes: HashMap<usize, usize> = HashMap::new();
        for &c in &children {
            if let Some(g) = a_group[c] {
                for &y in &groups[g].b {
                    if let Some(p) = b[y].parent.filter(|&p| b_group[p].is_none()) {
                        *votes.entry(p).or_default() += 1;
                    }
                }
            }
        }
        if let Some((&p, &n)) = votes
            .iter()
            .max_by_key(|(p, n)| (**n, std::cmp::Reverse(**p)))
        {
            if n * 2 >= children.len() && b[p].label.is_some() {
                let confidence = 0.5 + 0.5 * n as f64 / children.len() as f64;
                pair(
                    &mut groups,
                    &mut a_group,
                    &mut b_group,
                    x,
                    p,
                    confidence.min(0.9),
                    false,
                );
            }
        }
    }

    // 6. Gaps: between two consecutive in-order matches, an old and a new clause with the
    //    same label, or with enough words in common, are one reworded clause even when the
    //    rewording went further than the global threshold allows.
    let (live, in_order) = order(&groups);
    let mut anchors: Vec<(usize, usize, usize, usize)> = vec![(0, 0, 0, 0)];
    for (i, &g) in live.iter().enumerate() {
        if in_order[i] {
            let gr = &groups[g];
            anchors.push((
                gr.a[0],
                gr.b[0],
                gr.a.iter().max().map_or(0, |m| m + 1),
                gr.b.iter().max().map_or(0, |m| m + 1),
            ));
        }
    }
    anchors.push((na, nb, na, nb));
    for w in anchors.windows(2) {
        let (a_from, b_from) = (w[0].2, w[0].3);
        let (a_to, b_to) = (w[1].0, w[1].1);
        if a_from >= a_to || b_from >= b_to {
            continue;
        }
        let xs: Vec<usize> = (a_from..a_to)
            .filter(|&x| a_group[x].is_none() && !ua[x].bag.is_empty())
            .collect();
        let ys: Vec<usize> = (b_from..b_to)
            .filter(|&y| b_group[y].is_none() && !ub[y].bag.is_empty())
            .collect();
        if xs.is_empty() || ys.is_empty() || xs.len() * ys.len() > 4096 {
            continue;
        }
        let lone = xs.len() == 1 && ys.len() == 1;
        let mut local: Vec<(bool, f64, usize, usize)> = Vec::new();
        for &x in &xs {
            for &y in &ys {
                let c = common(&ua[x].bag, &ub[y].bag);
                let dice = 2.0 * c as f64 / (ua[x].bag.len() + ub[y].bag.len()) as f64;
                let contained =
                    (c as f64 / ua[x].bag.len() as f64).max(c as f64 / ub[y].bag.len() as f64);
                let same_label = ua[x].label.is_some() && ua[x].label == ub[y].label;
                let accept = dice >= 0.3
                    || (lone && dice >= 0.2)
                    || (same_label && (dice >= 0.2 || (contained >= 0.6 && c >= 3)));
                if accept {
                    local.push((same_label, dice, x, y));
                }
            }
        }
        local.sort_by(|p, q| {
            q.0.cmp(&p.0)
                .then(q.1.total_cmp(&p.1))
                .then((p.2, p.3).cmp(&(q.2, q.3)))
        });
        for (_, dice, x, y) in local {
            if a_group[x].is_none() && b_group[y].is_none() {
                pair(&mut groups, &mut a_group, &mut b_group, x, y, dice, false);
            }
        }
    }

    // 7. Which matches moved: those off the longest increasing run of new positions.
    let (live, in_order) = order(&groups);
    let mut moved = vec![false; groups.len()];
    for (i, &g) in live.iter().enumerate() {
        moved[g] = !in_order[i];
    }

    // 8. Classify, redline, order.
    let tokens = options.tokens();
    let mut complete = true;
    let mut keyed: Vec<((i64, u8, usize), Change)> = Vec::new();
    for &g in &live {
        let group = &groups[g];
        let a_bag: Vec<u64> = sorted_union(group.a.iter().map(|&x| &ua[x].bag));
        let b_bag: Vec<u64> = sorted_union(group.b.iter().map(|&y| &ub[y].bag));
        let retained = if a_bag.is_empty() {
            1.0
        } else {
            common(&a_bag, &b_bag) as f64 / a_bag.len() as f64
        };
        let one_to_one = group.a.len() == 1 && group.b.len() == 1;
        let text_changed = if one_to_one {
            ua[group.a[0]].exact != ub[group.b[0]].exact
        } else {
            true
        };
        let renumbered = one_to_one
            && !options.ignore_numbering
            && ua[group.a[0]].label.is_some()
            && ub[group.b[0]].label.is_some()
            && ua[group.a[0]].label != ub[group.b[0]].label;
        let kind = if group.a.len() > 1 {
            ChangeKind::Merged
        } else if group.b.len() > 1 {
            ChangeKind::Split
        } else if moved[g] {
            ChangeKind::Moved
        } else if text_changed {
            ChangeKind::Reworded
        } else if renumbered {
            ChangeKind::Renumbered
        } else {
            ChangeKind::Unchanged
        };
        let redline = text_changed.then(|| {
            let a_spans: Vec<_> = group.a.iter().map(|&x| a[x].body).collect();
            let b_spans: Vec<_> = group.b.iter().map(|&y| b[y].body).collect();
            let r = redline(a_text, &a_spans, b_text, &b_spans, tokens, Some(deadline));
            complete &= r.complete;
            r
        });
        let key = (group.b[0] as i64, 0u8, group.a[0]);
        keyed.push((
            key,
            Change {
                kind,
                a: group.a.clone(),
                b: group.b.clone(),
                moved: moved[g],
                renumbered,
                text_changed,
                confidence: if group.exact {
                    1.0
                } else if one_to_one && !moved[g] && !renumbered {
                    // Same place, same label: the context agrees with the words.
                    group.confidence + (1.0 - group.confidence) * 0.25
                } else {
                    group.confidence
                },
                retained,
                redline,
            },
        ));
    }
    for (y, g) in b_group.iter().enumerate() {
        if g.is_none() {
            keyed.push((
                (y as i64, 0, 0),
                Change {
                    kind: ChangeKind::Added,
                    a: vec![],
                    b: vec![y],
                    moved: false,
                    renumbered: false,
                    text_changed: true,
                    confidence: 1.0,
                    retained: 0.0,
                    redline: None,
                },
            ));
        }
    }
    // A removed clause stands after the new position of the last old clause before it.
    let mut anchor: i64 = -1;
    for (x, group) in a_group.iter().enumerate() {
        match *group {
            Some(g) if !moved[g] => anchor = groups[g].b[0] as i64,
            Some(_) => {}
            None => keyed.push((
                (anchor, 1, x),
                Change {
                    kind: ChangeKind::Removed,
                    a: vec![x],
                    b: vec![],
                    moved: false,
                    renumbered: false,
                    text_changed: true,
                    confidence: 1.0,
                    retained: 0.0,
                    redline: None,
                },
            )),
        }
    }
    keyed.sort_by_key(|(k, _)| *k);
    Diff {
        a,
        b,
        changes: keyed.into_iter().map(|(_, c)| c).collect(),
        complete,
    }
}

/// Live groups in old order, and which of them lie on the longest increasing run of new
/// positions.
fn order(groups: &[Group]) -> (Vec<usize>, Vec<bool>) {
    let mut live: Vec<usize> = (0..groups.len()).filter(|&g| groups[g].alive).collect();
    live.sort_by_key(|&g| (groups[g].a[0], groups[g].b[0]));
    let seq: Vec<usize> = live.iter().map(|&g| groups[g].b[0]).collect();
    let in_order = longest_increasing(&seq);
    (live, in_order)
}

fn sorted_union<'b>(bags: impl Iterator<Item = &'b Vec<u64>>) -> Vec<u64> {
    let mut all: Vec<u64> = bags.flatten().copied().collect();
    all.sort_unstable();
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff;

    fn kinds(old: &str, new: &str) -> Vec<(ChangeKind, Vec<String>, Vec<String>)> {
        let d = diff(old, new, &DiffOptions::default());
        d.changes
            .iter()
            .map(|c| {
                (
                    c.kind,
                    c.a.iter().map(|&x| d.a[x].name.clone()).collect(),
                    c.b.iter().map(|&y| d.b[y].name.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn lis_keeps_the_longest_run() {
        assert_eq!(
            longest_increasing(&[0, 1, 5, 2, 3, 4]),
            [true, true, false, true, true, true]
        );
        assert!(longest_increasing(&[]).is_empty());
    }

    #[test]
    fn merge_and_split() {
        let old = "1. The parties agree to an immediate ceasefire along the line.\n2. Observers from neutral states will monitor the ceasefire.\n3. Sanctions are lifted in stages after verified compliance with the agreement by both sides.\n";
        let new = "1. The parties agree to an immediate ceasefire along the line, and observers from neutral states will monitor the ceasefire.\n2. Sanctions are lifted in stages.\n3. Lifting follows verified compliance with the agreement by both sides.\n";
        let k = kinds(old, new);
        assert_eq!(k[0].0, ChangeKind::Merged, "{k:?}");
        assert_eq!(k[0].1, ["1", "2"]);
        assert_eq!(k[1].0, ChangeKind::Split, "{k:?}");
        assert_eq!(k[1].2, ["2", "3"]);
        assert_eq!(k.len(), 2);
    }

    #[test]
    fn every_clause_in_exactly_one_change() {
        let old = "Intro text here.\n\n1. One one one.\n2. Two two two.\n3. Three three.\n";
        let new = "Intro text here!\n\n1. Two two two.\n2. Four four.\n3. One one one.\n";
        let d = diff(old, new, &DiffOptions::default());
        let mut a_seen = vec![0; d.a.len()];
        let mut b_seen = vec![0; d.b.len()];
        for c in &d.changes {
            c.a.iter().for_each(|&x| a_seen[x] += 1);
            c.b.iter().for_each(|&y| b_seen[y] += 1);
        }
        assert!(a_seen.iter().chain(&b_seen).all(|&n| n == 1));
    }
}
