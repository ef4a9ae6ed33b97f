//! # stemma-reuse
//!
//! Every passage reused across a corpus, clustered, earliest witness first: the job of passim
//! (Smith et al., Viral Texts), on one machine, in seconds.
//!
//! The pipeline, each stage on all cores:
//!
//! 1. **anchors**: each document's hashed n-grams of content-word stems
//!    ([`anchor_grams`]: words with a letter only), each counted once per document;
//! 2. **band**: the (hash, document) table is sorted, and only hashes whose document
//!    frequency lies in `min_df..=max_df` are kept — an n-gram in more documents than
//!    `max_df` is boilerplate and pairs nothing;
//! 3. **pairs**: the documents of each kept hash are paired, the pairs counted, and pairs
//!    sharing at least `min_shared` anchors become candidates;
//! 4. **align**: each candidate pair is aligned with the compare engine
//!    ([`stemma_align::align`]), which finds reordered and edited reuse; passages resting
//!    on boilerplate alone, and short ones not close in words and letters
//!    ([`letter_likeness`]), are dropped;
//! 5. **cluster**: passages become nodes (a document and a span) joined by their alignments;
//!    two spans of one document are one node only when they cover nearly the same text (see
//!    [`ReuseOptions::min_overlap`]), so a boilerplate span cannot bridge unrelated texts;
//!    nodes are grouped around centres (star clustering), so every member is aligned with
//!    the centre or with a member that is, and a chain of small shifts (A ≈ B ≈ … ≈ Z)
//!    cannot join texts that share nothing; and only alignments matching at least half the
//!    words of each span join nodes, so two texts aligned to different parts of one longer
//!    text are not joined through it.
//!
//! Memory is bounded by [`ReuseOptions::memory`]: the anchor and pair tables spill sorted
//! runs to a temporary folder and are merged back when they outgrow it, and alignment
//! analyzes documents in batches that fit.
//!
//! The output is deterministic: the same documents in the same order give the same clusters,
//! spans and cluster ids, whatever the thread count.
//!
//! It must not know storage formats or rendering: it takes [`Document`]s and returns values.
//!
//! ```
//! use stemma_reuse::{find_reuse, NoProgress, ReuseOptions};
//! use stemma_text::Document;
//!
//! let notice = "This program is free software; you can redistribute it and/or modify it under \
//!     the terms of the GNU General Public License as published by the Free Software Foundation.";
//! let docs = vec![
//!     Document::new("a", format!("Weather report for Tuesday. {notice} Rain later.")),
//!     Document::new("b", format!("Market prices rose sharply. {notice}")),
//!     Document::new("c", "An unrelated note about gardening and tomatoes in spring."),
//! ];
//! let reuse = find_reuse(&docs, &ReuseOptions::default(), &NoProgress).unwrap();
//! assert_eq!(reuse.clusters.len(), 1);
//! let cluster = &reuse.clusters[0];
//! assert_eq!(cluster.members.len(), 2);
//! let m = &cluster.members[0];
//! assert!(docs[m.doc as usize].text[m.span.start..m.span.end].starts_with("This program"));
//! assert_eq!(cluster.earliest, None); // no dates: no earliest witness
//! ```

mod alignment;
mod anchors;
mod cluster;
mod pairs;
mod spill;
mod translated;

use std::path::PathBuf;

use serde::Serialize;
use stemma_align::{CompareOptions, Passage, Span};
use stemma_text::Document;

pub use alignment::{align_batch, align_in_batches, letter_likeness};
pub use anchors::{anchor_grams, anchors, batch_anchors};
pub use cluster::{
    assemble_clusters, cluster_order, cluster_passages, group_spans, joins_clusters, star_clusters,
    PassageEnds, NONE,
};
pub use pairs::{anchor_pairs, band_pairs, Band, BandedPairs};
use spill::SpillStats;
pub use translated::{
    CrossLingual, CrossLingualOptions, CrossLingualReuse, SentenceEncoder, SURE_SIMILARITY,
};

/// The knobs of [`find_reuse`]. The defaults need no tuning.
#[derive(Debug, Clone, PartialEq)]
pub struct ReuseOptions {
    /// Anchor size, in content-word stems. 3 survives OCR noise (a corrupted word breaks only
    /// the n-grams that contain it) and is still rare enough to pair only related documents.
    pub ngram: usize,
    /// Keep anchors found in at least this many documents (2: an anchor in one document
    /// pairs nothing).
    pub min_df: usize,
    /// Drop anchors found in more than this many documents: boilerplate.
    pub max_df: usize,
    /// A pair of documents is aligned when it shares at least this many anchors.
    pub min_shared: usize,
    /// Do not pair documents of the same series (passim's `--skip-same-series`): reuse
    /// within one newspaper is its own boilerplate.
    pub skip_same_series: bool,
    /// Two spans of one document are one node of a cluster when their overlap is at least
    /// this share of the longer span.
    pub min_overlap: f64,
    /// Memory budget in bytes for the whole run: the documents given, the anchor and pair
    /// tables, the documents analyzed at once during alignment, and the passages found.
    /// Tables spill sorted runs to `tmp_dir` rather than outgrow it.
    pub memory: u64,
    /// Where sorted runs are written when tables spill (the system's temporary folder when
    /// `None`).
    pub tmp_dir: Option<PathBuf>,
    /// An alignment is kept only when the anchors its two spans share, not counting
    /// boilerplate ones (above `max_df`), number at least `min_shared` and at least this
    /// share of the anchors of the shorter span. 0 by default: OCR noise breaks most
    /// n-grams of a true copy (6 % character noise leaves ≈ 6 % of them shared), and the
    /// star clustering already stops templates from chaining. Raise it (0.1) for corpora
    /// dominated by templated texts (earnings tables, weather reports) to drop alignments
    /// that rest on the template alone.
    pub min_anchor_density: f64,
    /// Alignment options (the compare engine's, with [`ReuseOptions::default_align`]'s
    /// defaults).
    pub align: CompareOptions,
    /// Keep each passage's unmatched-word spans (needed to show pairwise alignments in
    /// detail; cleared otherwise to save memory).
    pub keep_diffs: bool,
}

impl Default for ReuseOptions {
    fn default() -> Self {
        ReuseOptions {
            ngram: 3,
            min_df: 2,
            max_df: 100,
            min_shared: 2,
            skip_same_series: false,
            min_overlap: 0.8,
            min_anchor_density: 0.0,
            memory: 2 << 30,
            tmp_dir: None,
            align: Self::default_align(),
            keep_diffs: false,
        }
    }
}

impl ReuseOptions {
    /// The compare engine's options as reuse needs them: seeds of 2 content words instead
    /// of 3, because OCR noise and short passages leave too few intact 3-word seeds
    /// (recall under 300 characters went from 0.89 to 0.93 on `bench/reuse.sh a`), and a
    /// passage identity of at least 0.5, because the extra seeds also align unrelated
    /// texts that share a vocabulary ("Covered Software", "Source Code Form") at
    /// identities of 0.3–0.45, and in a corpus those chance passages would join clusters.
    /// Every alignment is kept (`all_alignments`): a passage repeated inside a document is
    /// a node of its own, and clustering decides which alignments join nodes.
    ///
    /// ```
    /// let align = stemma_reuse::ReuseOptions::default_align();
    /// assert_eq!((align.ngram, align.min_identity, align.all_alignments), (2, 0.5, true));
    /// ```
    pub fn default_align() -> CompareOptions {
        CompareOptions {
            ngram: 2,
            min_identity: 0.5,
            all_alignments: true,
            ..CompareOptions::default()
        }
    }
}

/// Why [`find_reuse`] stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReuseError {
    /// An option out of range.
    #[error("{0}")]
    Options(String),
    /// The temporary folder's disk is full.
    #[error(
        "{}: disk full while spilling the {what} ({} MB written): free space, point --tmp at a \
         larger disk, or raise --memory",
        path.display(),
        written / 1_000_000
    )]
    DiskFull {
        /// The file being written.
        path: PathBuf,
        /// Which table was spilling.
        what: &'static str,
        /// Bytes spilled so far.
        written: u64,
    },
    /// Any other I/O failure of the temporary files.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Progress of the stages; the CLI draws bars from it. Every method has a default that does
/// nothing, and calls may come from several threads at once.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// struct Count(AtomicU64);
/// impl stemma_reuse::Progress for Count {
///     fn advance(&self, n: u64) { self.0.fetch_add(n, Ordering::Relaxed); }
/// }
/// let docs = vec![stemma_text::Document::new("a", "one two three")];
/// let count = Count(AtomicU64::new(0));
/// stemma_reuse::find_reuse(&docs, &Default::default(), &count).unwrap();
/// assert!(count.0.load(Ordering::Relaxed) >= 1);
/// ```
pub trait Progress: Sync {
    /// A stage starts, with `total` units of work (0 when unknown).
    fn stage(&self, _name: &'static str, _total: u64) {}
    /// `n` more units of the current stage are done.
    fn advance(&self, _n: u64) {}
    /// The current stage is done.
    fn finish(&self) {}
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// One occurrence of a reused text: a span of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Member {
    /// Index of the document in the input slice.
    pub doc: u32,
    /// Bytes of the document's text.
    pub span: Span,
}

/// One reused text and every place it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cluster {
    /// 1 for the largest cluster, then in order of size (ties: by the first member's
    /// document id and offset); the same input gives the same ids.
    pub id: u64,
    /// The occurrences, ordered by date (undated last), then document id, then offset.
    pub members: Vec<Member>,
    /// Index in `members` of the earliest witness: the first dated member. `None` when no
    /// member has a date, in which case there is no earliest witness to name.
    pub earliest: Option<usize>,
    /// Indices in [`Reuse::pairs`] of the alignments that joined this cluster.
    pub alignments: Vec<u32>,
    /// The centre node of the star clustering (its index among the nodes in order of
    /// document, then first occurrence): it breaks ties of the cluster order.
    #[serde(skip)]
    pub centre: u32,
}

/// One passage found between two documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlignedPair {
    /// Index of the first document (the lower index).
    pub a: u32,
    /// Index of the second document.
    pub b: u32,
    /// The passage, `a` side in document `a`.
    pub passage: Passage,
    /// Anchors both spans contain, boilerplate ones (above `max_df`) not counted: the
    /// evidence that this is reuse of this text rather than of a shared template.
    pub shared_anchors: u32,
}

/// What each stage did: the numbers of the `--json` summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReuseStats {
    /// Documents read.
    pub documents: usize,
    /// (anchor, document) entries: distinct anchors per document, summed.
    pub anchors: u64,
    /// Distinct anchors whose document frequency lies in the band.
    pub anchors_in_band: u64,
    /// Distinct anchors above `max_df` (boilerplate, skipped).
    pub anchors_over_max_df: u64,
    /// Document pairs sharing at least one anchor in the band.
    pub pairs_sharing: u64,
    /// Pairs sharing at least `min_shared` anchors: aligned.
    pub candidate_pairs: u64,
    /// Passages the alignments found.
    pub passages: u64,
    /// Of those, passages dropped as evidence of nothing: their spans share only boilerplate
    /// anchors (see [`ReuseOptions::min_anchor_density`]), or they are short and not close
    /// (a likeness of genre, not reuse).
    pub template_passages: u64,
    /// Clusters.
    pub clusters: u64,
    /// Sorted runs written to disk (0 when everything fit in memory).
    pub spilled_runs: u64,
    /// Bytes written to those runs.
    pub spilled_bytes: u64,
}

/// The result of [`find_reuse`].
#[derive(Debug, Clone, Default)]
pub struct Reuse {
    /// Clusters, largest first.
    pub clusters: Vec<Cluster>,
    /// Every passage found between two documents, ordered by (a, b, position).
    pub pairs: Vec<AlignedPair>,
    /// Numbers of each stage.
    pub stats: ReuseStats,
    /// What the cross-lingual path did; `None` when it was not asked for.
    pub cross_lingual: Option<CrossLingualReuse>,
}
/// Memory the documents themselves take.
fn resident_bytes(docs: &[Document]) -> u64 {
    docs.iter()
        .map(|d| (d.text.len() + d.id.len() + std::mem::size_of::<Document>() + 64) as u64)
        .sum()
}

/// Find every passage reused across `docs` and cluster them; see the crate docs.
///
/// Documents are told apart by their position in `docs` (ids need not be unique, but they
/// order members and clusters, so unique ids give the most readable output).
pub fn find_reuse(
    docs: &[Document],
    options: &ReuseOptions,
    progress: &dyn Progress,
) -> Result<Reuse, ReuseError> {
    find_reuse_across(docs, options, None, progress)
}

/// [`find_reuse`], and with `cross` the cross-lingual path too: documents in different
/// languages are paired by their sentence embeddings and aligned into translated passages
/// (kind [`PassageKind::Translated`](stemma_align::PassageKind)), which join the clusters as
/// any alignment does (see [`joins_clusters`]). When it finds nothing, the clusters and
/// pairs are exactly [`find_reuse`]'s.
///
/// ```
/// use stemma_reuse::{find_reuse_across, CrossLingual, CrossLingualOptions, NoProgress, SentenceEncoder};
/// use stemma_text::{Analysis, Document};
/// use stemma_xling::SentenceVectors;
/// /// A stand-in model: every sentence of one story lies on the same axis whatever its
/// /// language (the real one is stemma_xling::Model).
/// struct Story;
/// impl SentenceEncoder for Story {
///     fn name(&self) -> &str { "story" }
///     fn sentence_vectors(&self, text: &str, analysis: &Analysis, _: Option<&str>) -> SentenceVectors {
///         let spans = stemma_xling::sentence_spans(text, analysis);
///         let vectors = (0..spans.len()).flat_map(|i| {
///             let mut v = vec![0.0f32; stemma_xling::DIM];
///             v[i % 8 + if text.contains("Кошка") || text.contains("cat") { 0 } else { 100 }] = 1.0;
///             v
///         }).collect();
///         SentenceVectors { words: vec![6; spans.len()], spans, vectors }
///     }
/// }
/// let en = "The cat sat on the warm mat all afternoon long. Then the cat went out into the busy street. \
///     It came back home again before the evening rain began. Nobody in the house had noticed it was gone.";
/// let ru = "Кошка сидела на тёплом коврике весь долгий день. Потом кошка вышла на шумную улицу. \
///     Она вернулась домой ещё до начала вечернего дождя. Никто в доме не заметил, что её не было.";
/// let docs = vec![Document::new("en", en), Document::new("ru", ru)];
/// let cross = CrossLingual { encoder: &Story, options: &CrossLingualOptions::default() };
/// let reuse = find_reuse_across(&docs, &Default::default(), Some(cross), &NoProgress).unwrap();
/// assert_eq!(reuse.clusters.len(), 1);
/// assert_eq!(reuse.pairs[0].passage.kind, stemma_align::PassageKind::Translated);
/// assert_eq!(reuse.cross_lingual.unwrap().passages, 1);
/// ```
pub fn find_reuse_across(
    docs: &[Document],
    options: &ReuseOptions,
    cross: Option<CrossLingual>,
    progress: &dyn Progress,
) -> Result<Reuse, ReuseError> {
    if options.min_df > options.max_df {
        return Err(ReuseError::Options(format!(
            "--min-df ({}) is larger than --max-df ({})",
            options.min_df, options.max_df
        )));
    }
    if !(0.0..=1.0).contains(&options.min_overlap) {
        return Err(ReuseError::Options(format!(
            "--min-overlap must be between 0 and 1, not {}",
            options.min_overlap
        )));
    }
    if docs.len() >= u32::MAX as usize {
        return Err(ReuseError::Options("more than 4 billion documents".into()));
    }
    // The documents are held throughout; the stages share what they leave of the budget.
    let resident = resident_bytes(docs);
    if options.memory <= resident {
        let kib = |bytes: u64| bytes.div_ceil(1 << 10);
        return Err(ReuseError::Options(format!(
            "the documents alone take {} KiB of the {} KiB --memory allows; raise --memory",
            kib(resident),
            options.memory >> 10
        )));
    }
    let options = &ReuseOptions {
        memory: options.memory - resident,
        ..options.clone()
    };
    let mut stats = ReuseStats {
        documents: docs.len(),
        ..ReuseStats::default()
    };

    // 1. Anchors.
    let (anchors, spilled) = anchors::anchor_table(docs, options, progress)?;
    add_spill(&mut stats, spilled);

    // 2 and 3. Band and pairs.
    let (candidates, boilerplate) =
        pairs::candidate_pairs(docs, anchors, options, progress, &mut stats)?;
    stats.candidate_pairs = candidates.len() as u64;

    // 4. Alignment.
    let (pairs, dropped) =
        alignment::align_pairs(docs, &candidates, &boilerplate, options, progress);
    drop(candidates);
    drop(boilerplate);
    stats.passages = pairs.len() as u64 + dropped;
    stats.template_passages = dropped;

    // 4b. Translated passages, after the monolingual ones of the same documents.
    let mut pairs = pairs;
    let cross_lingual = cross.map(|cross| {
        let (translated, report) = translated::translated_pairs(docs, &pairs, cross, progress);
        if !translated.is_empty() {
            pairs.extend(translated);
            // Stable: the monolingual passages of a pair keep their order, before its
            // translated ones.
            pairs.sort_by_key(|p| (p.a, p.b));
        }
        report
    });

    // 5. Clusters.
    progress.stage("cluster", pairs.len() as u64);
    let clusters = cluster::cluster(docs, &pairs, options.min_overlap);
    progress.advance(pairs.len() as u64);
    progress.finish();
    stats.clusters = clusters.len() as u64;
    let cross_lingual = cross_lingual.map(|mut report| {
        report.clusters = clusters
            .iter()
            .filter(|c| {
                c.alignments.iter().any(|&i| {
                    pairs[i as usize].passage.kind == stemma_align::PassageKind::Translated
                })
            })
            .count() as u64;
        report
    });
    Ok(Reuse {
        clusters,
        pairs,
        stats,
        cross_lingual,
    })
}

pub(crate) fn add_spill(stats: &mut ReuseStats, spilled: SpillStats) {
    stats.spilled_runs += spilled.runs as u64;
    stats.spilled_bytes += spilled.bytes;
}
#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, text: &str) -> Document {
        Document::new(id, text)
    }

    const P1: &str =
        "Everyone is permitted to copy and distribute verbatim copies of this license \
        document, but changing it is not allowed under any circumstances whatsoever.";
    const P2: &str = "The precise terms and conditions for copying, distribution and modification \
        follow below, together with the warranty disclaimer and the liability clauses.";

    #[test]
    fn spilling_gives_the_same_clusters() {
        let mut docs = Vec::new();
        for i in 0..40 {
            let filler: String = (0..30).map(|k| format!("w{}x{} ", i, k)).collect();
            let body = if i % 2 == 0 { P1 } else { P2 };
            docs.push(doc(
                &format!("d{i:02}"),
                &format!("{filler} {body} {filler}"),
            ));
        }
        let normal = find_reuse(&docs, &ReuseOptions::default(), &NoProgress).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let tiny = ReuseOptions {
            // The documents, and 2 bytes for the tables: every record spills.
            memory: resident_bytes(&docs) + 2,
            tmp_dir: Some(dir.path().to_path_buf()),
            ..ReuseOptions::default()
        };
        let spilled = find_reuse(&docs, &tiny, &NoProgress).unwrap();
        assert!(spilled.stats.spilled_runs >= 2, "{:?}", spilled.stats);
        assert_eq!(normal.clusters, spilled.clusters);
        assert_eq!(normal.clusters.len(), 2);
        assert_eq!(normal.clusters[0].members.len(), 20);
        // The run folder is removed afterwards.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn max_df_drops_boilerplate_pairs() {
        let docs: Vec<Document> = (0..5)
            .map(|i| {
                doc(
                    &format!("d{i}"),
                    &format!("{P1} unique{i} words{i} here{i}"),
                )
            })
            .collect();
        let options = ReuseOptions {
            max_df: 4,
            ..ReuseOptions::default()
        };
        let reuse = find_reuse(&docs, &options, &NoProgress).unwrap();
        assert!(reuse.clusters.is_empty());
        assert!(reuse.stats.anchors_over_max_df > 0);
    }

    #[test]
    fn same_series_can_be_skipped() {
        let mut docs: Vec<Document> = (0..3)
            .map(|i| doc(&format!("d{i}"), &format!("opening{i} {P1} closing{i}")))
            .collect();
        for d in &mut docs[..2] {
            d.source = Some("gazette".into());
        }
        let options = ReuseOptions {
            skip_same_series: true,
            ..ReuseOptions::default()
        };
        let reuse = find_reuse(&docs, &options, &NoProgress).unwrap();
        assert!(reuse.pairs.iter().all(|p| !(p.a == 0 && p.b == 1)));
        assert_eq!(reuse.pairs.len(), 2);
        assert_eq!(reuse.clusters[0].members.len(), 3);
    }

    #[test]
    fn bad_options_are_refused() {
        let options = ReuseOptions {
            min_df: 5,
            max_df: 2,
            ..ReuseOptions::default()
        };
        let err = find_reuse(&[], &options, &NoProgress).unwrap_err();
        assert_eq!(err.to_string(), "--min-df (5) is larger than --max-df (2)");
    }
}
