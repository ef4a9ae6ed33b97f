//! Stages 2 and 3, band and pairs: the documents of each anchor whose document frequency lies
//! in the band are paired, and pairs sharing enough anchors become the candidates to align.

use crate::spill::{self, Sorter};
use crate::{add_spill, Document, Progress, ReuseError, ReuseOptions, ReuseStats};

/// Where an anchor's document frequency puts it (see [`anchor_pairs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Found in fewer than `min_df` documents: counted nowhere.
    Below,
    /// Within `min_df..=max_df`: its documents are paired (when it has two or more).
    Within,
    /// In more than `max_df` documents: boilerplate, pairs nothing.
    Boilerplate,
}

/// The band of one anchor found in the documents `group` (ascending, distinct), and its
/// pairs, pushed onto `out` as `a << 32 | b` (a < b). A pair for which `same_series(a, b)`
/// holds is skipped when [`ReuseOptions::skip_same_series`] is set.
///
/// ```
/// use stemma_reuse::{anchor_pairs, Band, ReuseOptions};
/// let options = ReuseOptions { max_df: 3, ..ReuseOptions::default() };
/// let mut pairs = Vec::new();
/// assert_eq!(anchor_pairs(&[1, 4, 7], &options, |_, _| false, &mut pairs), Band::Within);
/// assert_eq!(pairs, [1 << 32 | 4, 1 << 32 | 7, 4 << 32 | 7]);
/// assert_eq!(anchor_pairs(&[1, 2, 3, 4], &options, |_, _| false, &mut pairs), Band::Boilerplate);
/// assert_eq!(anchor_pairs(&[5], &options, |_, _| false, &mut pairs), Band::Below);
/// assert_eq!(pairs.len(), 3);
/// ```
pub fn anchor_pairs(
    group: &[u32],
    options: &ReuseOptions,
    same_series: impl Fn(u32, u32) -> bool,
    out: &mut Vec<u64>,
) -> Band {
    let df = group.len();
    if df > options.max_df {
        return Band::Boilerplate;
    }
    if df >= options.min_df.max(2) {
        for i in 0..df {
            for j in i + 1..df {
                let (a, b) = (group[i], group[j]);
                if options.skip_same_series && same_series(a, b) {
                    continue;
                }
                out.push(u64::from(a) << 32 | u64::from(b));
            }
        }
        Band::Within
    } else if df >= options.min_df {
        Band::Within
    } else {
        Band::Below
    }
}

/// What [`band_pairs`] found in one batch of (anchor, document) records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BandedPairs {
    /// Every pair of every anchor in the band, as `a << 32 | b`, once per shared anchor (in
    /// record order; an engine counts them across batches).
    pub pairs: Vec<u64>,
    /// Anchors above `max_df`, ascending.
    pub boilerplate: Vec<u64>,
    /// Distinct anchors within the band.
    pub anchors_in_band: u64,
}

/// Stages 2 and 3 for one batch of (anchor, document) records sorted by anchor then
/// document, holding every record of each of its anchors (an engine partitions the table by
/// anchor): the band of each anchor and its pairs. `same_series` as for [`anchor_pairs`].
///
/// ```
/// use stemma_reuse::{band_pairs, ReuseOptions};
/// let records = [(10, 0), (10, 2), (11, 1), (12, 0), (12, 1), (12, 2)];
/// let options = ReuseOptions { max_df: 2, ..ReuseOptions::default() };
/// let band = band_pairs(&records, &options, |_, _| false);
/// assert_eq!(band.pairs, [2]); // documents 0 and 2, from anchor 10
/// assert_eq!(band.boilerplate, [12]);
/// assert_eq!(band.anchors_in_band, 1);
/// ```
pub fn band_pairs(
    records: &[(u64, u32)],
    options: &ReuseOptions,
    same_series: impl Fn(u32, u32) -> bool,
) -> BandedPairs {
    let mut out = BandedPairs::default();
    let mut group: Vec<u32> = Vec::new();
    for run in records.chunk_by(|x, y| x.0 == y.0) {
        group.clear();
        group.extend(run.iter().map(|r| r.1));
        match anchor_pairs(&group, options, &same_series, &mut out.pairs) {
            Band::Within => out.anchors_in_band += 1,
            Band::Boilerplate => out.boilerplate.push(run[0].0),
            Band::Below => {}
        }
    }
    out
}

/// Candidate pairs (sorted) and the boilerplate anchors (above `max_df`, sorted).
pub(crate) type Candidates = (Vec<(u32, u32)>, Vec<u64>);

/// Stages 2 and 3: document-frequency band, pairs per anchor, counted; the pairs sharing
/// enough anchors, sorted.
pub(crate) fn candidate_pairs(
    docs: &[Document],
    mut anchors: spill::Sorted<(u64, u32)>,
    options: &ReuseOptions,
    progress: &dyn Progress,
    stats: &mut ReuseStats,
) -> Result<Candidates, ReuseError> {
    progress.stage("pairs", 0);
    let in_memory = match &anchors {
        spill::Sorted::Memory(it) => it.len() as u64 * 16,
        spill::Sorted::Merge { .. } => 0,
    };
    // The anchor table may still be in memory: the pair table gets what is left.
    let budget = options
        .memory
        .saturating_sub(in_memory)
        .max(options.memory / 8);
    let mut pair_table: Sorter<u64> = Sorter::new(budget, options.tmp_dir.as_deref(), "pair table");
    let mut group: Vec<u32> = Vec::new();
    let mut pending: Vec<u64> = Vec::new();
    let mut current: Option<u64> = None;
    let mut boilerplate: Vec<u64> = Vec::new();
    let same_series = |a: u32, b: u32| {
        let (sa, sb) = (&docs[a as usize].source, &docs[b as usize].source);
        sa.is_some() && sa == sb
    };
    let mut flush = |hash: Option<u64>,
                     group: &mut Vec<u32>,
                     pending: &mut Vec<u64>,
                     stats: &mut ReuseStats| {
        if hash.is_some() {
            match anchor_pairs(group, options, same_series, pending) {
                Band::Boilerplate => {
                    stats.anchors_over_max_df += 1;
                    boilerplate.extend(hash);
                }
                Band::Within => stats.anchors_in_band += 1,
                Band::Below => {}
            }
        }
        group.clear();
    };
    let mut seen: u64 = 0;
    while let Some((hash, doc)) = anchors.next_record()? {
        stats.anchors += 1;
        seen += 1;
        if current != Some(hash) {
            flush(current, &mut group, &mut pending, stats);
            current = Some(hash);
            if pending.len() >= 1 << 16 {
                pair_table.extend(&pending)?;
                pending.clear();
            }
        }
        group.push(doc);
        if seen & ((1 << 20) - 1) == 0 {
            progress.advance(1 << 20);
        }
    }
    flush(current, &mut group, &mut pending, stats);
    pair_table.extend(&pending)?;
    drop(pending);
    drop(anchors);
    let (mut pairs, spilled) = pair_table.finish()?;
    add_spill(stats, spilled);

    let mut candidates: Vec<(u32, u32)> = Vec::new();
    let mut run: Option<(u64, usize)> = None;
    let min_shared = options.min_shared.max(1);
    let mut close = |run: Option<(u64, usize)>, stats: &mut ReuseStats| {
        if let Some((pair, count)) = run {
            stats.pairs_sharing += 1;
            if count >= min_shared {
                candidates.push(((pair >> 32) as u32, pair as u32));
            }
        }
    };
    while let Some(pair) = pairs.next_record()? {
        match &mut run {
            Some((p, count)) if *p == pair => *count += 1,
            _ => {
                close(run, stats);
                run = Some((pair, 1));
            }
        }
    }
    close(run, stats);
    progress.finish();
    // Hashes arrive in sorted order: `boilerplate` is sorted, ready for binary search.
    Ok((candidates, boilerplate))
}
