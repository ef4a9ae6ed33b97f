//! Clause matching, points among points first and then everything left: exact bodies, a
//! greedy assignment on word-bag similarity or containment in order (expanded and
//! shortened clauses), merges and splits from containment, parents from their children,
//! rewordings in the gaps; then [`crate::moves`] decides which matches moved, and each
//! change is classified.

use std::collections::VecDeque;
use std::time::Instant;

use foldhash::{HashMap, HashMapExt};

use crate::moves::{heaviest_increasing, order};
use crate::redline::redline;
use crate::segment::Clause;
use crate::units::{common, in_order_share, sorted_union, units, Unit};
use crate::{Change, ChangeKind, Diff, DiffOptions, Numbering};

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
    /// Share of the shorter side's words found in order in the longer one, when the longer
    /// one has at least [`GROWTH`] times as many words (an expansion or a shortening); else 0.
    in_order: f64,
    /// Words of the shorter side.
    shorter: usize,
}

impl Edge {
    /// How strongly the edge says "one clause": its similarity, or for an expansion or a
    /// shortening whose words survive in order, 0.5 + 0.3 × that share, less for fewer than
    /// 8 words (a full containment of a real sentence ranks with a 0.8 similarity: above a
    /// loose rewording, below a near copy; a 5-word title inside a paragraph, lower).
    fn strength(&self, min_cont: f64) -> f64 {
        if self.in_order >= min_cont {
            let size = (self.shorter as f64 / 8.0).min(1.0);
            self.dice.max(0.5 + 0.3 * self.in_order * size)
        } else {
            self.dice
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) a: Vec<usize>,
    pub(crate) b: Vec<usize>,
    confidence: f64,
    exact: bool,
    pub(crate) alive: bool,
    /// The pass that formed it (see [`Matcher::tier`]).
    pub(crate) tier: u8,
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
            in_order: self.in_order,
            shorter: self.shorter,
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
    tier: u8,
) {
    let mut by_b: HashMap<usize, Vec<Edge>> = HashMap::new();
    for e in edges {
        by_b.entry(e.b).or_default().push(*e);
    }
    // A pass may undo a one-to-one match of its own, never one of an earlier pass (text
    // around the points cannot turn a matched point into a split).
    let single = |groups: &Vec<Group>, g: Option<usize>| {
        g.is_none_or(|g| {
            let g = &groups[g];
            g.a.len() == 1 && g.b.len() == 1 && !g.exact && g.tier == tier
        })
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
                tier,
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

/// The matching in progress: which group each clause of either version belongs to.
struct Matcher<'c> {
    a: &'c [Clause],
    b: &'c [Clause],
    ua: Vec<Unit>,
    ub: Vec<Unit>,
    groups: Vec<Group>,
    a_group: Vec<Option<usize>>,
    b_group: Vec<Option<usize>>,
    /// The pass running: 1 for points among points, 2 for everything left.
    tier: u8,
}

/// A clause at least this many times longer than its counterpart (in words) that keeps its
/// words in order is an expansion (or, seen the other way, a shortening) of it.
const GROWTH: f64 = 1.5;

impl Matcher<'_> {
    fn pair(&mut self, x: usize, y: usize, confidence: f64, exact: bool) {
        self.a_group[x] = Some(self.groups.len());
        self.b_group[y] = Some(self.groups.len());
        self.groups.push(Group {
            a: vec![x],
            b: vec![y],
            confidence,
            exact,
            alive: true,
            tier: self.tier,
        });
    }

    /// Steps 1–6 of the matching, among the clauses `ea` and `eb` allow.
    fn assign(&mut self, ea: &[bool], eb: &[bool], options: &DiffOptions) {
        let (na, nb) = (self.a.len(), self.b.len());
        // Relative positions among the clauses of this pass, so that text outside it does
        // not shift them.
        let ranks = |e: &[bool]| {
            let n = e.iter().filter(|&&x| x).count().max(1) as f64;
            let mut k = 0usize;
            e.iter()
                .map(|&x| {
                    let r = k as f64 / n;
                    k += usize::from(x);
                    r
                })
                .collect::<Vec<f64>>()
        };
        let (ra, rb) = (ranks(ea), ranks(eb));

        // 1. Identical bodies: same label first, then in order of the text.
        for with_label in [true, false] {
            let mut by_exact: HashMap<(u64, Option<&str>), VecDeque<usize>> = HashMap::new();
            for (y, u) in self.ub.iter().enumerate() {
                if eb[y] && self.b_group[y].is_none() {
                    let key = (u.exact, u.label.as_deref().filter(|_| with_label));
                    by_exact.entry(key).or_default().push_back(y);
                }
            }
            let mut found: Vec<(usize, usize)> = Vec::new();
            for (x, u) in self.ua.iter().enumerate() {
                if !ea[x] || self.a_group[x].is_some() {
                    continue;
                }
                let key = (u.exact, u.label.as_deref().filter(|_| with_label));
                if let Some(y) = by_exact.get_mut(&key).and_then(VecDeque::pop_front) {
                    found.push((x, y));
                }
            }
            for (x, y) in found {
                self.pair(x, y, 1.0, true);
            }
        }

        // 2. Candidate pairs among the rest, from both sides.
        let free_a: Vec<usize> = (0..na)
            .filter(|&x| ea[x] && self.a_group[x].is_none() && !self.ua[x].bag.is_empty())
            .collect();
        let free_b: Vec<usize> = (0..nb)
            .filter(|&y| eb[y] && self.b_group[y].is_none() && !self.ub[y].bag.is_empty())
            .collect();
        let mut seen: HashMap<(usize, usize), ()> = HashMap::new();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        candidates(&free_a, &self.ua, &free_b, &self.ub, 8, |x, y| {
            if seen.insert((x, y), ()).is_none() {
                pairs.push((x, y));
            }
        });
        candidates(&free_b, &self.ub, &free_a, &self.ua, 8, |y, x| {
            if seen.insert((x, y), ()).is_none() {
                pairs.push((x, y));
            }
        });
        let min_cont = options.min_containment;
        let mut edges: Vec<Edge> = pairs
            .into_iter()
            .filter_map(|(x, y)| {
                let (ua, ub) = (&self.ua[x], &self.ub[y]);
                let (la, lb) = (ua.bag.len() as f64, ub.bag.len() as f64);
                let c = common(&ua.bag, &ub.bag);
                if c == 0 {
                    return None;
                }
                let (a_in_b, b_in_a) = (c as f64 / la, c as f64 / lb);
                // Containment: an old clause whose words survive, in order, inside a much
                // longer new one was expanded ("NATO agrees not to deploy troops" → "NATO
                // agrees not to permanently station troops under its command … in
                // peacetime. (The US plan required …)"); the reverse is a shortening.
                // Similarity alone misses both: the longer side is mostly new words.
                let in_order = if c < 3 {
                    0.0
                } else if a_in_b >= min_cont && lb >= GROWTH * la {
                    in_order_share(&ua.seq, &ub.seq)
                } else if b_in_a >= min_cont && la >= GROWTH * lb {
                    in_order_share(&ub.seq, &ua.seq)
                } else {
                    0.0
                };
                Some(Edge {
                    a: x,
                    b: y,
                    common: c,
                    dice: 2.0 * c as f64 / (la + lb),
                    a_in_b,
                    b_in_a,
                    in_order,
                    shorter: ua.bag.len().min(ub.bag.len()),
                })
            })
            .collect();
        // Strongest first; among equals, the pair closest in relative position.
        let rel = |x: usize, y: usize| (ra[x] - rb[y]).abs();
        edges.sort_by(|e, f| {
            f.strength(min_cont)
                .total_cmp(&e.strength(min_cont))
                .then(rel(e.a, e.b).total_cmp(&rel(f.a, f.b)))
                .then((e.a, e.b).cmp(&(f.a, f.b)))
        });

        // 3. Greedy one-to-one assignment, on similarity or containment in order.
        for e in &edges {
            let similar = e.dice >= options.min_similarity;
            let contained = e.in_order >= min_cont;
            if (similar || contained) && self.a_group[e.a].is_none() && self.b_group[e.b].is_none()
            {
                let confidence = if similar { e.dice } else { e.in_order };
                self.pair(e.a, e.b, confidence, false);
            }
        }

        // 4. Merges (N old → 1 new) and splits (1 old → N new) from containment.
        let a_sizes: Vec<usize> = self.ua.iter().map(|u| u.bag.len()).collect();
        let b_sizes: Vec<usize> = self.ub.iter().map(|u| u.bag.len()).collect();
        let tier = self.tier;
        find_merges(
            &edges,
            &mut self.groups,
            &mut self.a_group,
            &mut self.b_group,
            &b_sizes,
            min_cont,
            tier,
        );
        // A split is a merge seen from the new version: the same search on mirrored edges.
        let mirrored: Vec<Edge> = edges.iter().map(Edge::mirrored).collect();
        self.groups.iter_mut().for_each(Group::mirror);
        find_merges(
            &mirrored,
            &mut self.groups,
            &mut self.b_group,
            &mut self.a_group,
            &a_sizes,
            min_cont,
            tier,
        );
        self.groups.iter_mut().for_each(Group::mirror);

        // 5. A parent whose children went to the children of one unmatched new clause is
        //    that clause, however much its own heading changed ("Withdrawing resolutions" →
        //    "Withdrawing ballot options").
        let (a, b) = (self.a, self.b);
        for x in 0..na {
            if !ea[x] || self.a_group[x].is_some() || a[x].label.is_none() {
                continue;
            }
            let children: Vec<usize> = (x + 1..na).filter(|&c| a[c].parent == Some(x)).collect();
            if children.is_empty() {
                continue;
            }
            let mut votes: HashMap<usize, usize> = HashMap::new();
            for &c in &children {
                if let Some(g) = self.a_group[c] {
                    for &y in &self.groups[g].b {
                        if let Some(p) = b[y].parent.filter(|&p| eb[p] && self.b_group[p].is_none())
                        {
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
                    self.pair(x, p, confidence.min(0.9), false);
                }
            }
        }

        // 6. Gaps: between two consecutive in-order matches, an old and a new clause with the
        //    same label, or with enough words in common, are one reworded clause even when
        //    the rewording went further than the global threshold allows.
        let (live, in_order) = order(&self.groups, |_| true);
        let mut anchors: Vec<(usize, usize, usize, usize)> = vec![(0, 0, 0, 0)];
        for (i, &g) in live.iter().enumerate() {
            if in_order[i] {
                let gr = &self.groups[g];
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
            let (ua, ub) = (&self.ua, &self.ub);
            let xs: Vec<usize> = (a_from..a_to)
                .filter(|&x| ea[x] && self.a_group[x].is_none() && !ua[x].bag.is_empty())
                .collect();
            let ys: Vec<usize> = (b_from..b_to)
                .filter(|&y| eb[y] && self.b_group[y].is_none() && !ub[y].bag.is_empty())
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
                if self.a_group[x].is_none() && self.b_group[y].is_none() {
                    self.pair(x, y, dice, false);
                }
            }
        }
    }
}

pub(crate) fn match_versions(
    a_text: &str,
    a: Vec<Clause>,
    b_text: &str,
    b: Vec<Clause>,
    options: &DiffOptions,
) -> Diff {
    let deadline = Instant::now() + options.deadline;
    let (na, nb) = (a.len(), b.len());
    let mut m = Matcher {
        a: &a,
        b: &b,
        ua: units(a_text, &a, options),
        ub: units(b_text, &b, options),
        groups: Vec::new(),
        a_group: vec![None; na],
        b_group: vec![None; nb],
        tier: 1,
    };
    // Points among points first, then everything left (text around the points, and points
    // that became paragraphs or the reverse).
    let a_points: Vec<bool> = a.iter().map(Clause::is_point).collect();
    let b_points: Vec<bool> = b.iter().map(Clause::is_point).collect();
    if a_points.iter().any(|&p| p) && b_points.iter().any(|&p| p) {
        m.assign(&a_points, &b_points, options);
    }
    m.tier = 2;
    m.assign(&vec![true; na], &vec![true; nb], options);
    let Matcher {
        ua,
        ub,
        groups,
        a_group,
        b_group,
        ..
    } = m;

    // 7. Which matches moved: points off the longest increasing run of new positions among
    //    points; then the rest, off the heaviest run that keeps those points.
    let (live, in_order) = order(&groups, |g| g.tier == 1);
    let mut moved = vec![false; groups.len()];
    for (i, &g) in live.iter().enumerate() {
        moved[g] = !in_order[i];
    }
    let mut all: Vec<usize> = (0..groups.len()).filter(|&g| groups[g].alive).collect();
    all.sort_by_key(|&g| (groups[g].a[0], groups[g].b[0]));
    let seq: Vec<usize> = all.iter().map(|&g| groups[g].b[0]).collect();
    let weights: Vec<u64> = all
        .iter()
        .map(|&g| match (groups[g].tier, moved[g]) {
            (1, false) => all.len() as u64 + 1,
            (1, true) => 0,
            _ => 1,
        })
        .collect();
    let kept = heaviest_increasing(&seq, &weights);
    for (i, &g) in all.iter().enumerate() {
        if groups[g].tier != 1 {
            moved[g] = !kept[i];
        }
    }
    let live = all;

    // 8. Classify, redline, order.
    let tokens = options.tokens();
    let mut complete = true;
    let mut keyed: Vec<((i64, u8, usize), Change)> = Vec::new();
    for &g in &live {
        let group = &groups[g];
        let a_bag: Vec<u64> = sorted_union(group.a.iter().map(|&x| &ua[x].bag));
        let b_bag: Vec<u64> = sorted_union(group.b.iter().map(|&y| &ub[y].bag));
        let kept = common(&a_bag, &b_bag) as f64;
        let retained = if a_bag.is_empty() {
            1.0
        } else {
            kept / a_bag.len() as f64
        };
        let added = if b_bag.is_empty() {
            0.0
        } else {
            1.0 - kept / b_bag.len() as f64
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
        let (la, lb) = (a_bag.len() as f64, b_bag.len() as f64);
        let min_cont = options.min_containment;
        let kind = if group.a.len() > 1 {
            ChangeKind::Merged
        } else if group.b.len() > 1 {
            ChangeKind::Split
        } else if moved[g] {
            ChangeKind::Moved
        } else if !text_changed {
            if renumbered {
                ChangeKind::Renumbered
            } else {
                ChangeKind::Unchanged
            }
        } else if lb >= GROWTH * la
            && la > 0.0
            && in_order_share(&ua[group.a[0]].seq, &ub[group.b[0]].seq) >= min_cont
        {
            ChangeKind::Expanded
        } else if la >= GROWTH * lb
            && lb > 0.0
            && in_order_share(&ub[group.b[0]].seq, &ua[group.a[0]].seq) >= min_cont
        {
            ChangeKind::Shortened
        } else {
            ChangeKind::Reworded
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
                added,
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
                    added: 1.0,
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
                    added: 0.0,
                    redline: None,
                },
            )),
        }
    }
    keyed.sort_by_key(|(k, _)| *k);
    let (a_numbering, b_numbering) = (Numbering::of(&a), Numbering::of(&b));
    Diff {
        a,
        b,
        changes: keyed.into_iter().map(|(_, c)| c).collect(),
        complete,
        a_numbering,
        b_numbering,
    }
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
