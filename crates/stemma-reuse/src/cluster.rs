//! Passages → clusters, without chaining through boilerplate.
//!
//! Every aligned passage gives two *occurrences* (a span in each of its documents) joined by
//! an edge. Occurrences of one document become one node only when they cover nearly the same
//! text: a span's overlap with every span of the node must reach `min_overlap` of the
//! **longer** of the two. Measuring against the shorter one would let a long span (a preamble two
//! licences share) swallow every short passage inside it and bridge them all into one
//! giant cluster, which is how passim's clusters chain. Measuring against the longer one
//! keeps a long shared span a node of its own, and each shorter reused text inside it stays
//! with its own witnesses.
//!
//! Nodes are then grouped around centres ([`star_clusters`]): a connected component would
//! chain any number of alignments and, on templated news or on licences that share their
//! disclaimers, grow into one cluster of thousands of unrelated texts.
//!
//! Only alignments that cover most of both their spans join nodes ([`joins_clusters`]): an
//! alignment of a short text against a long one, its matches scattered over the long span,
//! says the long span *contains* something like the short text, not that it is the same
//! text; two such short texts aligned to different parts of one long span would otherwise
//! share a cluster and nothing else.

use stemma_align::Span;
use stemma_text::Document;

use crate::{AlignedPair, Cluster, Member};

/// Node of one occurrence span in its document.
struct Occurrence {
    doc: u32,
    span: Span,
    /// `2 × passage + side` (0 = a, 1 = b).
    end: u32,
}

/// The cluster of a node that is in none.
const NONE: u32 = u32::MAX;

fn overlap(a: Span, b: Span) -> usize {
    a.end.min(b.end).saturating_sub(a.start.max(b.start))
}

/// Cluster the passages of `pairs`; clusters come sorted by size (largest first), then by
/// their first member, and are numbered from 1 in that order.
pub(crate) fn cluster(docs: &[Document], pairs: &[AlignedPair], min_overlap: f64) -> Vec<Cluster> {
    let mut occurrences: Vec<Occurrence> = Vec::with_capacity(pairs.len() * 2);
    for (i, pair) in pairs.iter().enumerate() {
        let i = i as u32;
        occurrences.push(Occurrence {
            doc: pair.a,
            span: pair.passage.a,
            end: 2 * i,
        });
        occurrences.push(Occurrence {
            doc: pair.b,
            span: pair.passage.b,
            end: 2 * i + 1,
        });
    }
    occurrences
        .sort_unstable_by_key(|o| (o.doc, o.span.start, std::cmp::Reverse(o.span.end), o.end));

    // Nodes: per document, greedily, in order of start. A span joins a node only when it
    // overlaps *every* span of the node by `min_overlap` of the longer of the two (complete
    // linkage): comparing with the node's growing union instead would let overlapping
    // spans creep along the text (1000–1500, 1300–1800, 1600–2100, …) into one node that
    // bridges unrelated passages.
    let mut node_of = vec![0u32; occurrences.len()];
    let mut nodes: Vec<(u32, Span)> = Vec::new();
    let mut node_spans: Vec<Vec<Span>> = Vec::new();
    let mut open: Vec<u32> = Vec::new();
    let mut current_doc = u32::MAX;
    for o in &occurrences {
        if o.doc != current_doc {
            open.clear();
            current_doc = o.doc;
        }
        open.retain(|&n| nodes[n as usize].1.end > o.span.start);
        let best = open
            .iter()
            .filter_map(|&n| {
                let worst = node_spans[n as usize]
                    .iter()
                    .map(|&m| {
                        let longer = m.len().max(o.span.len()).max(1);
                        overlap(m, o.span) as f64 / longer as f64
                    })
                    .fold(f64::INFINITY, f64::min);
                (worst >= min_overlap).then_some((worst, n))
            })
            // Best overlap; the earliest node on ties.
            .max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)));
        let node = match best {
            Some((_, n)) => {
                let extent = &mut nodes[n as usize].1;
                extent.start = extent.start.min(o.span.start);
                extent.end = extent.end.max(o.span.end);
                node_spans[n as usize].push(o.span);
                n
            }
            None => {
                nodes.push((o.doc, o.span));
                node_spans.push(vec![o.span]);
                let n = (nodes.len() - 1) as u32;
                open.push(n);
                n
            }
        };
        node_of[o.end as usize] = node;
    }
    drop(node_spans);

    let cluster_of = star_clusters(nodes.len(), pairs, &node_of);
    let mut by_root: Vec<(u32, u32)> = (0..nodes.len() as u32)
        .map(|n| (cluster_of[n as usize], n))
        .filter(|&(root, _)| root != NONE)
        .collect();
    by_root.sort_unstable();
    // Passages per cluster: the alignments whose two ends landed in it.
    let mut pairs_of_root: Vec<(u32, u32)> = (0..pairs.len())
        .filter(|&i| {
            let root = cluster_of[node_of[2 * i] as usize];
            root != NONE && root == cluster_of[node_of[2 * i + 1] as usize]
        })
        .map(|i| (cluster_of[node_of[2 * i] as usize], i as u32))
        .collect();
    pairs_of_root.sort_unstable();

    let mut clusters: Vec<Cluster> = Vec::new();
    let mut p = 0;
    for group in by_root.chunk_by(|x, y| x.0 == y.0) {
        let root = group[0].0;
        let mut members: Vec<Member> = group
            .iter()
            .map(|&(_, n)| {
                let (doc, span) = nodes[n as usize];
                Member { doc, span }
            })
            .collect();
        let key = |m: &Member| {
            let d = &docs[m.doc as usize];
            (
                d.date.is_none(),
                d.date.clone(),
                d.id.clone(),
                m.span.start,
                m.span.end,
            )
        };
        members.sort_by_cached_key(key);
        let earliest = members
            .first()
            .filter(|m| docs[m.doc as usize].date.is_some())
            .map(|_| 0);
        while p < pairs_of_root.len() && pairs_of_root[p].0 < root {
            p += 1;
        }
        let mut alignments = Vec::new();
        while p < pairs_of_root.len() && pairs_of_root[p].0 == root {
            alignments.push(pairs_of_root[p].1);
            p += 1;
        }
        clusters.push(Cluster {
            id: 0,
            members,
            earliest,
            alignments,
        });
    }
    clusters.sort_by_cached_key(|c| {
        let first = c
            .members
            .iter()
            .map(|m| (docs[m.doc as usize].id.clone(), m.span.start, m.span.end))
            .min();
        (std::cmp::Reverse(c.members.len()), first)
    });
    for (i, c) in clusters.iter_mut().enumerate() {
        c.id = i as u64 + 1;
    }
    clusters
}

/// The least share of each span's words an alignment must match to join two nodes.
/// Measured on five corpora of `bench/reuse.sh a` (`SEED=1…5`): clusters mixing two
/// licence passages 0 / 0 / 5 / 0 / 3 → 0 / 0 / 0 / 0 / 0 (with the letter rule for short
/// passages), recall 0.996 → 0.994 on the first; a noisy copy matches ≈ 0.7 of each side.
const MIN_COVER: f64 = 0.5;

/// Whether an alignment joins its two passages into one cluster: it matches at least
/// [`MIN_COVER`] of the words of *each* span. Alignments that do not are still reported
/// (`--pairs`); they only join nothing.
pub(crate) fn joins_clusters(passage: &stemma_align::Passage) -> bool {
    let longer = passage.a_tokens.max(passage.b_tokens).max(1);
    passage.matched_tokens as f64 >= MIN_COVER * longer as f64
}

/// Star clustering: the node aligned with the most others (ties: the greater summed
/// alignment score, then the lower node) is a centre, and takes every unassigned node it is aligned with;
/// then the next centre among what is left. A node whose neighbours were all taken joins
/// the cluster of the neighbour it shares the strongest alignment with.
///
/// Every member is thus aligned with the centre, or with a member that is: at most two
/// alignments from the text that defines the cluster. Connected components instead chain
/// any number of alignments, each shifting the span a little (A ≈ B ≈ C … ≈ Z), until one
/// cluster holds passages that share no words at all.
///
/// Returns each node's cluster, named by its centre node, or `NONE` for a node that no
/// alignment joins to another (see [`joins_clusters`]).
fn star_clusters(nodes: usize, pairs: &[AlignedPair], node_of: &[u32]) -> Vec<u32> {
    // Adjacency in CSR form: (node, neighbour, score), grouped by node.
    let mut edges: Vec<(u32, u32, f64)> = Vec::with_capacity(pairs.len() * 2);
    for (i, pair) in pairs.iter().enumerate() {
        let (x, y) = (node_of[2 * i], node_of[2 * i + 1]);
        if x != y && joins_clusters(&pair.passage) {
            edges.push((x, y, pair.passage.score));
            edges.push((y, x, pair.passage.score));
        }
    }
    edges.sort_unstable_by(|p, q| (p.0, p.1).cmp(&(q.0, q.1)).then(q.2.total_cmp(&p.2)));
    // One edge per neighbour: the strongest.
    edges.dedup_by(|later, kept| later.0 == kept.0 && later.1 == kept.1);
    let mut offsets = vec![0usize; nodes + 1];
    for e in &edges {
        offsets[e.0 as usize + 1] += 1;
    }
    for i in 0..nodes {
        offsets[i + 1] += offsets[i];
    }
    let neighbours = |n: usize| &edges[offsets[n]..offsets[n + 1]];

    // Centres in order of degree, then summed score: computed once, not per comparison.
    let rank: Vec<(usize, f64)> = (0..nodes)
        .map(|n| {
            let ns = neighbours(n);
            (ns.len(), ns.iter().map(|e| e.2).sum())
        })
        .collect();
    let mut order: Vec<u32> = (0..nodes as u32).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (rank[a as usize], rank[b as usize]);
        rb.0.cmp(&ra.0).then(rb.1.total_cmp(&ra.1)).then(a.cmp(&b))
    });
    let mut cluster_of = vec![NONE; nodes];
    for &c in &order {
        if cluster_of[c as usize] != NONE {
            continue;
        }
        let free: Vec<u32> = neighbours(c as usize)
            .iter()
            .map(|e| e.1)
            .filter(|&n| cluster_of[n as usize] == NONE)
            .collect();
        if free.is_empty() {
            continue;
        }
        cluster_of[c as usize] = c;
        for n in free {
            cluster_of[n as usize] = c;
        }
    }
    for &c in &order {
        if cluster_of[c as usize] != NONE {
            continue;
        }
        // Every neighbour is taken (else `c` would have been a centre); join the strongest.
        // A node without neighbours stays out of every cluster.
        let best = neighbours(c as usize)
            .iter()
            .filter(|e| cluster_of[e.1 as usize] != NONE)
            .max_by(|p, q| p.2.total_cmp(&q.2).then(q.1.cmp(&p.1)));
        if let Some(e) = best {
            cluster_of[c as usize] = cluster_of[e.1 as usize];
        }
    }
    cluster_of
}
