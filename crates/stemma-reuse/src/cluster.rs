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

/// The cluster of a node that is in none (see [`star_clusters`]).
pub const NONE: u32 = u32::MAX;

/// Node of one occurrence span in its document.
struct Occurrence {
    doc: u32,
    span: Span,
    /// `2 × passage + side` (0 = a, 1 = b).
    end: u32,
}

fn overlap(a: Span, b: Span) -> usize {
    a.end.min(b.end).saturating_sub(a.start.max(b.start))
}

/// One passage as the clustering sees it: its two ends (a document and a span each), its
/// alignment score, and whether it joins its two nodes ([`joins_clusters`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PassageEnds {
    /// The first document (its index in the documents).
    pub a: u32,
    /// The passage's bytes in `a`.
    pub a_span: Span,
    /// The second document.
    pub b: u32,
    /// The passage's bytes in `b`.
    pub b_span: Span,
    /// The alignment's score (ties of the star clustering).
    pub score: f64,
    /// Whether the alignment joins its two nodes ([`joins_clusters`] of the passage).
    pub joins: bool,
}

/// Cluster the passages of `pairs`; clusters come sorted by size (largest first), then by
/// their first member, and are numbered from 1 in that order.
pub(crate) fn cluster(docs: &[Document], pairs: &[AlignedPair], min_overlap: f64) -> Vec<Cluster> {
    cluster_by(docs, pairs.len(), min_overlap, |i| {
        let pair = &pairs[i];
        PassageEnds {
            a: pair.a,
            a_span: pair.passage.a,
            b: pair.b,
            b_span: pair.passage.b,
            score: pair.passage.score,
            joins: joins_clusters(&pair.passage),
        }
    })
}

/// Stage 5 for every passage of a corpus at once, as [`find_reuse`](crate::find_reuse) runs
/// it: passages (in the order of [`Reuse::pairs`](crate::Reuse): by pair, then position)
/// become nodes ([`group_spans`]), star clusters ([`star_clusters`]) and clusters in the
/// output order ([`assemble_clusters`]), each with the indices in `passages` of the
/// alignments that joined it. `docs` gives each document's id and date (texts are not read).
/// An engine holding every passage in one task calls this instead of the three stages.
///
/// ```
/// use stemma_align::Span;
/// use stemma_reuse::{cluster_passages, PassageEnds};
/// use stemma_text::Document;
/// let docs = [Document::new("x", ""), Document::new("y", ""), Document::new("z", "")];
/// let span = Span { start: 0, end: 40 };
/// let ends = |a, b, joins| PassageEnds { a, a_span: span, b, b_span: span, score: 5.0, joins };
/// let clusters = cluster_passages(&docs, &[ends(0, 1, true), ends(1, 2, false)], 0.8);
/// assert_eq!(clusters.len(), 1);
/// assert_eq!((clusters[0].members.len(), clusters[0].alignments.clone()), (2, vec![0]));
/// ```
pub fn cluster_passages(
    docs: &[Document],
    passages: &[PassageEnds],
    min_overlap: f64,
) -> Vec<Cluster> {
    cluster_by(docs, passages.len(), min_overlap, |i| passages[i])
}

/// [`cluster_passages`] over passages `0..count` that `ends` gives: the CLI's passages are
/// read in place, not copied.
fn cluster_by(
    docs: &[Document],
    count: usize,
    min_overlap: f64,
    ends: impl Fn(usize) -> PassageEnds,
) -> Vec<Cluster> {
    let mut occurrences: Vec<Occurrence> = Vec::with_capacity(count * 2);
    for i in 0..count {
        let passage = ends(i);
        let i = i as u32;
        occurrences.push(Occurrence {
            doc: passage.a,
            span: passage.a_span,
            end: 2 * i,
        });
        occurrences.push(Occurrence {
            doc: passage.b,
            span: passage.b_span,
            end: 2 * i + 1,
        });
    }
    occurrences
        .sort_unstable_by_key(|o| (o.doc, o.span.start, std::cmp::Reverse(o.span.end), o.end));

    // Nodes: per document, in order of start (see `group_spans`).
    let mut node_of = vec![0u32; occurrences.len()];
    let mut nodes: Vec<(u32, Span)> = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    for run in occurrences.chunk_by(|x, y| x.doc == y.doc) {
        spans.clear();
        spans.extend(run.iter().map(|o| o.span));
        let (extents, local) = group_spans(&spans, min_overlap);
        let base = nodes.len() as u32;
        nodes.extend(extents.into_iter().map(|e| (run[0].doc, e)));
        for (o, n) in run.iter().zip(local) {
            node_of[o.end as usize] = base + n;
        }
    }

    let edges: Vec<(u32, u32, f64)> = (0..count)
        .map(&ends)
        .enumerate()
        .filter(|(_, passage)| passage.joins)
        .map(|(i, passage)| (node_of[2 * i], node_of[2 * i + 1], passage.score))
        .collect();
    let cluster_of = star_clusters(nodes.len(), &edges);
    let mut clusters = assemble_clusters(docs, &nodes, &cluster_of);
    // Passages per cluster: the alignments whose two ends landed in it.
    let mut index_of_centre: Vec<(u32, usize)> = clusters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.centre, i))
        .collect();
    index_of_centre.sort_unstable();
    for i in 0..count {
        let root = cluster_of[node_of[2 * i] as usize];
        if root != NONE && root == cluster_of[node_of[2 * i + 1] as usize] {
            let at = index_of_centre
                .binary_search_by_key(&root, |x| x.0)
                .expect("every centre has a cluster");
            clusters[index_of_centre[at].1].alignments.push(i as u32);
        }
    }
    clusters
}

/// Nodes of one document's occurrence spans: a span joins a node only when it overlaps
/// *every* span of the node by `min_overlap` of the longer of the two (complete linkage; the
/// node with the best such overlap, the earliest on ties), else it starts a node. `spans`
/// must be sorted by start, then end descending (ties in the caller's order). Returns each
/// node's extent, in order of creation, and each span's node.
///
/// Comparing with the node's growing union instead would let overlapping spans creep along
/// the text (1000–1500, 1300–1800, 1600–2100, …) into one node that bridges unrelated
/// passages.
///
/// ```
/// use stemma_align::Span;
/// let span = |start, end| Span { start, end };
/// let spans = [span(0, 100), span(5, 100), span(50, 150), span(300, 320)];
/// let (nodes, node_of) = stemma_reuse::group_spans(&spans, 0.8);
/// assert_eq!(nodes, [span(0, 100), span(50, 150), span(300, 320)]);
/// assert_eq!(node_of, [0, 0, 1, 2]);
/// ```
pub fn group_spans(spans: &[Span], min_overlap: f64) -> (Vec<Span>, Vec<u32>) {
    let mut node_of = Vec::with_capacity(spans.len());
    let mut nodes: Vec<Span> = Vec::new();
    let mut node_spans: Vec<Vec<Span>> = Vec::new();
    let mut open: Vec<u32> = Vec::new();
    for &span in spans {
        open.retain(|&n| nodes[n as usize].end > span.start);
        let best = open
            .iter()
            .filter_map(|&n| {
                let worst = node_spans[n as usize]
                    .iter()
                    .map(|&m| {
                        let longer = m.len().max(span.len()).max(1);
                        overlap(m, span) as f64 / longer as f64
                    })
                    .fold(f64::INFINITY, f64::min);
                (worst >= min_overlap).then_some((worst, n))
            })
            // Best overlap; the earliest node on ties.
            .max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)));
        let node = match best {
            Some((_, n)) => {
                let extent = &mut nodes[n as usize];
                extent.start = extent.start.min(span.start);
                extent.end = extent.end.max(span.end);
                node_spans[n as usize].push(span);
                n
            }
            None => {
                nodes.push(span);
                node_spans.push(vec![span]);
                let n = (nodes.len() - 1) as u32;
                open.push(n);
                n
            }
        };
        node_of.push(node);
    }
    (nodes, node_of)
}

/// Clusters of the nodes `nodes` (document index into `docs`, span) as [`star_clusters`]
/// assigned them (`cluster_of`, parallel to `nodes`): members ordered by date (undated
/// last), document id and offset; clusters by size (largest first), then first member, then
/// centre; numbered from 1 in that order. `alignments` is left empty.
///
/// ```
/// use stemma_align::Span;
/// use stemma_text::Document;
/// let docs = [Document::new("x", "…"), Document::new("y", "…")];
/// let span = Span { start: 0, end: 3 };
/// let nodes = [(1, span), (0, span), (0, Span { start: 10, end: 20 })];
/// let clusters = stemma_reuse::assemble_clusters(&docs, &nodes, &[0, 0, u32::MAX]);
/// assert_eq!(clusters.len(), 1);
/// let ids: Vec<&str> = clusters[0].members.iter().map(|m| docs[m.doc as usize].id.as_str()).collect();
/// assert_eq!((clusters[0].id, ids), (1, vec!["x", "y"]));
/// ```
pub fn assemble_clusters(
    docs: &[Document],
    nodes: &[(u32, Span)],
    cluster_of: &[u32],
) -> Vec<Cluster> {
    let mut by_root: Vec<(u32, u32)> = (0..nodes.len() as u32)
        .map(|n| (cluster_of[n as usize], n))
        .filter(|&(root, _)| root != NONE)
        .collect();
    by_root.sort_unstable();
    let mut clusters: Vec<Cluster> = Vec::new();
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
        clusters.push(Cluster {
            id: 0,
            members,
            earliest,
            alignments: Vec::new(),
            centre: root,
        });
    }
    // Stable: ties stay in order of centre.
    clusters.sort_by_cached_key(|c| cluster_order(docs, c));
    for (i, c) in clusters.iter_mut().enumerate() {
        c.id = i as u64 + 1;
    }
    clusters
}

/// Where a cluster goes in the output: larger first, then by its first member (document id,
/// start, end); [`assemble_clusters`] breaks remaining ties by centre. An engine that
/// assembles clusters in several batches sorts them all by this key.
///
/// ```
/// use stemma_reuse::{cluster_order, Cluster, Member};
/// use stemma_align::Span;
/// let docs = [stemma_text::Document::new("x", "…")];
/// let member = Member { doc: 0, span: Span { start: 4, end: 9 } };
/// let c = Cluster { id: 1, members: vec![member], earliest: None, alignments: vec![], centre: 0 };
/// let (size, first) = cluster_order(&docs, &c);
/// assert_eq!((size.0, first), (1, Some(("x".to_string(), 4, 9))));
/// ```
pub fn cluster_order(
    docs: &[Document],
    cluster: &Cluster,
) -> (std::cmp::Reverse<usize>, Option<(String, usize, usize)>) {
    let first = cluster
        .members
        .iter()
        .map(|m| (docs[m.doc as usize].id.clone(), m.span.start, m.span.end))
        .min();
    (std::cmp::Reverse(cluster.members.len()), first)
}

/// The least share of each span's words an alignment must match to join two nodes.
/// Measured on five corpora of `bench/reuse.sh a` (`SEED=1…5`): clusters mixing two
/// licence passages 0 / 0 / 5 / 0 / 3 → 0 / 0 / 0 / 0 / 0 (with the letter rule for short
/// passages), recall 0.996 → 0.994 on the first; a noisy copy matches ≈ 0.7 of each side.
const MIN_COVER: f64 = 0.5;

/// Whether an alignment joins its two passages into one cluster: it matches at least
/// [`MIN_COVER`] of the words of *each* span. Alignments that do not are still reported
/// (`--pairs`); they only join nothing. A translated passage matches no word; its spans are
/// runs of paired sentences, so it joins when neither span has more than twice the other's
/// words (a translation keeps roughly the length of its original; ru/en ≈ 0.85).
///
/// ```
/// use stemma_align::{Passage, PassageKind, Span};
/// let mut p = Passage { a: Span { start: 0, end: 90 }, b: Span { start: 0, end: 80 },
///     a_tokens: 15, b_tokens: 12, matched_tokens: 0, identity: 0.0, score: 9.0,
///     kind: PassageKind::Translated, a_diffs: vec![], b_diffs: vec![], also: vec![],
///     similarity: Some(0.7), sentence_pairs: vec![] };
/// assert!(stemma_reuse::joins_clusters(&p));
/// p.kind = PassageKind::Edited;
/// assert!(!stemma_reuse::joins_clusters(&p)); // no word matched
/// ```
pub fn joins_clusters(passage: &stemma_align::Passage) -> bool {
    let longer = passage.a_tokens.max(passage.b_tokens).max(1);
    if passage.kind == stemma_align::PassageKind::Translated {
        return passage.a_tokens.min(passage.b_tokens) as f64 >= MIN_COVER * longer as f64;
    }
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
/// `edges` are the alignments that join their two nodes (see [`joins_clusters`]), as (node,
/// node, score), in any order; nodes are numbered `0..nodes` in the order that breaks ties.
/// Returns each node's cluster, named by its centre node, or [`NONE`] for a node that no
/// edge joins to another. A graph's connected components may be clustered apart, each with
/// its nodes renumbered in the same order: the result is the same.
///
/// ```
/// use stemma_reuse::{star_clusters, NONE};
/// // 1 is aligned with 0, 2 and 3: the centre of them all; 4 and 5 pair apart; 6 alone.
/// let edges = [(0, 1, 9.0), (1, 2, 8.0), (3, 1, 7.0), (4, 5, 3.0)];
/// assert_eq!(star_clusters(7, &edges), [1, 1, 1, 1, 4, 4, NONE]);
/// ```
pub fn star_clusters(nodes: usize, edges: &[(u32, u32, f64)]) -> Vec<u32> {
    // Adjacency in CSR form: (node, neighbour, score), grouped by node.
    let mut edges: Vec<(u32, u32, f64)> = edges
        .iter()
        .filter(|e| e.0 != e.1)
        .flat_map(|&(x, y, score)| [(x, y, score), (y, x, score)])
        .collect();
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
