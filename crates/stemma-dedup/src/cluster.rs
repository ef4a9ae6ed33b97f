//! Star clustering of verified near-duplicate pairs: documents are taken in keep order, and
//! each one not yet in a cluster becomes the kept document of a new cluster with every one of
//! its unclustered neighbours. Every member is therefore within the threshold of its kept
//! document itself, never only through a chain of members (v1 ≈ v2 ≈ … ≈ v20 with v1 far
//! from v20 gives several clusters, not one): union-find over LSH candidates, the usual way
//! with datasketch or rensa, joins the whole chain.

/// What became of one document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// The cluster's id (from 1, in order of the kept documents), or 0 for a document with no
    /// duplicate.
    pub cluster: u32,
    /// The document kept for its cluster (itself when kept or unique).
    pub kept_doc: u32,
    /// Jaccard similarity of its shingles with the kept document's (1 for exact duplicates
    /// and for the kept document itself).
    pub similarity: f32,
    /// Its normalized text equals the kept document's.
    pub exact: bool,
}

/// One cluster: the kept document first, then the others in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Its id, from 1.
    pub id: u32,
    /// Document indexes, the kept one first.
    pub members: Vec<u32>,
}

/// Star clusters over `group` (each document's exact-duplicate representative: the first
/// document of its normalized text) and verified `edges` between representatives (`a < b`,
/// similarity), with documents ranked by `rank` (lower is kept first; ranks are distinct,
/// [`keep_ranks`](crate::keep_ranks)). Returns what became of each document and the clusters
/// of two or more, numbered from 1 in order of their kept document.
///
/// Each connected component of the edges (with the exact duplicates of its documents) is
/// clustered on its own: the documents of whole components, renumbered in input order,
/// give the same clusters as the whole corpus (engines cluster component by component).
///
/// ```
/// // 0 ≈ 1 ≈ 2 (a chain), 3 an exact copy of 0.
/// let (out, clusters) = stemma_dedup::star_clusters(&[0, 1, 2, 0], &[(0, 1, 0.9), (1, 2, 0.9)], &[0, 1, 2, 3]);
/// assert_eq!(clusters[0].members, [0, 1, 3]);
/// assert_eq!((out[2].cluster, out[3].exact), (0, true));
/// ```
pub fn star_clusters(
    group: &[u32],
    edges: &[(u32, u32, f32)],
    rank: &[u32],
) -> (Vec<Outcome>, Vec<Cluster>) {
    let n = group.len();
    // The best member of each exact group stands for the group.
    let mut best: Vec<u32> = (0..n as u32).collect();
    for doc in 0..n as u32 {
        let g = group[doc as usize] as usize;
        if rank[doc as usize] < rank[best[g] as usize] {
            best[g] = doc;
        }
    }
    // Adjacency (compressed rows), both directions.
    let mut degree = vec![0u32; n + 1];
    for &(a, b, _) in edges {
        degree[a as usize + 1] += 1;
        degree[b as usize + 1] += 1;
    }
    for i in 0..n {
        degree[i + 1] += degree[i];
    }
    let mut fill = degree.clone();
    let mut adjacent = vec![(0u32, 0f32); edges.len() * 2];
    for &(a, b, s) in edges {
        adjacent[fill[a as usize] as usize] = (b, s);
        fill[a as usize] += 1;
        adjacent[fill[b as usize] as usize] = (a, s);
        fill[b as usize] += 1;
    }
    let mut reps: Vec<u32> = (0..n as u32).filter(|&d| group[d as usize] == d).collect();
    reps.sort_by_key(|&r| rank[best[r as usize] as usize]);
    const NONE: u32 = u32::MAX;
    let mut centre = vec![NONE; n];
    let mut to_centre = vec![1f32; n];
    for &r in &reps {
        if centre[r as usize] != NONE {
            continue;
        }
        centre[r as usize] = r;
        let (lo, hi) = (degree[r as usize] as usize, degree[r as usize + 1] as usize);
        for &(other, s) in &adjacent[lo..hi] {
            if centre[other as usize] == NONE {
                centre[other as usize] = r;
                to_centre[other as usize] = s;
            }
        }
    }
    // Members per centre, in input order; clusters of two or more, numbered by kept document.
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); n];
    for doc in 0..n as u32 {
        let c = centre[group[doc as usize] as usize];
        members[c as usize].push(doc);
    }
    let mut centres: Vec<u32> = (0..n as u32)
        .filter(|&c| members[c as usize].len() > 1)
        .collect();
    centres.sort_by_key(|&c| best[c as usize]);
    let mut outcomes: Vec<Outcome> = (0..n as u32)
        .map(|doc| Outcome {
            cluster: 0,
            kept_doc: doc,
            similarity: 1.0,
            exact: false,
        })
        .collect();
    let mut clusters = Vec::with_capacity(centres.len());
    for (i, &c) in centres.iter().enumerate() {
        let id = i as u32 + 1;
        let kept = best[c as usize];
        let mut list = std::mem::take(&mut members[c as usize]);
        list.retain(|&d| d != kept);
        list.insert(0, kept);
        for &doc in &list {
            let g = group[doc as usize];
            outcomes[doc as usize] = Outcome {
                cluster: id,
                kept_doc: kept,
                similarity: if g == c { 1.0 } else { to_centre[g as usize] },
                exact: doc != kept && g == c,
            };
        }
        clusters.push(Cluster { id, members: list });
    }
    (outcomes, clusters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_is_cut_into_stars() {
        // 0 ≈ 1 ≈ 2 ≈ 3 ≈ 4, each only close to its neighbours.
        let group: Vec<u32> = (0..5).collect();
        let edges = [(0, 1, 0.9), (1, 2, 0.9), (2, 3, 0.9), (3, 4, 0.9)];
        let (out, clusters) = star_clusters(&group, &edges, &[0, 1, 2, 3, 4]);
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].members, [0, 1]);
        assert_eq!(clusters[1].members, [2, 3]);
        assert_eq!(out[4].cluster, 0);
        assert_eq!(out[3].kept_doc, 2);
    }

    #[test]
    fn exact_duplicates_follow_their_group_and_the_best_is_kept() {
        // 0 and 2 are exact copies; 1 is near 0. Rank prefers 2.
        let group = [0, 1, 0];
        let edges = [(0, 1, 0.85)];
        let (out, clusters) = star_clusters(&group, &edges, &[1, 2, 0]);
        assert_eq!(
            clusters,
            [Cluster {
                id: 1,
                members: vec![2, 0, 1]
            }]
        );
        assert!(out[0].exact && out[0].similarity == 1.0 && out[0].kept_doc == 2);
        assert!(!out[1].exact && out[1].similarity == 0.85);
    }
}
