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

mod cluster;
mod spill;

use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;
use stemma_align::{CompareOptions, Passage, Span};
use stemma_text::{Analysis, Document};

use spill::{Sorter, SpillStats};

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
}

/// Passages with fewer matched words than this are short: they must be close in words
/// ([`SHORT_PASSAGE_IDENTITY`]) and in letters ([`SHORT_PASSAGE_LETTERS`]); see
/// [`is_close`].
const SHORT_PASSAGE_WORDS: usize = 25;

/// The identity a short passage needs. Measured on `bench/reuse.sh a`: clusters mixing two
/// licence passages 5 → 1, recall of planted passages under 300 characters 0.992 → 0.969.
const SHORT_PASSAGE_IDENTITY: f64 = 0.65;

/// The [`letter_likeness`] a short passage needs. OCR noise changes letters inside words
/// and leaves most letter 4-grams (short copies, 5 corpora of `bench/reuse.sh a`: 95 % at
/// ≥ 0.75); two texts of one genre that happen to align ("WITHOUT WARRANTIES OR CONDITIONS
/// OF ANY KIND, either express or implied" against CC0's "warranties of any kind concerning
/// the Work, express, implied") use other words around the shared ones (all such likenesses
/// measured: 0.57–0.73).
const SHORT_PASSAGE_LETTERS: f64 = 0.75;

/// Whether a passage is close enough to be reuse rather than a likeness of genre: a long
/// one always is (heavy editing of one text); a short one must keep
/// [`SHORT_PASSAGE_IDENTITY`] of its words and [`SHORT_PASSAGE_LETTERS`] of its letters.
/// `a` and `b` are the texts of its two spans.
fn is_close(passage: &Passage, a: &str, b: &str) -> bool {
    passage.matched_tokens >= SHORT_PASSAGE_WORDS
        || (passage.identity >= SHORT_PASSAGE_IDENTITY
            && letter_likeness(a, b) >= SHORT_PASSAGE_LETTERS)
}

/// How alike two texts are letter for letter: the Dice coefficient of their lower-cased
/// character 4-grams, runs of white space counting as one space (0 = nothing in common,
/// 1 = the same letters). It tells a noisy copy (letters changed inside words; most
/// 4-grams survive) from a rewording (other words; few survive), which word identity
/// cannot: both lose a third of their words.
///
/// ```
/// use stemma_reuse::letter_likeness;
/// let text = "You may not copy, modify, sublicense, or distribute the Program";
/// assert_eq!(letter_likeness(text, text), 1.0);
/// // OCR noise: a few letters changed.
/// let noisy = "You rnay not copy, modify, sublicensc, or distribute  the Prograrn";
/// assert!(letter_likeness(text, noisy) > 0.75);
/// // The same clause reworded.
/// let reworded = "You may not propagate or modify a covered work except as expressly provided";
/// assert!(letter_likeness(text, reworded) < 0.5);
/// ```
pub fn letter_likeness(a: &str, b: &str) -> f64 {
    thread_local! {
        // Reused across calls: millions of short passages are checked.
        static GRAMS: std::cell::RefCell<(Vec<u64>, Vec<u64>)> = const {
            std::cell::RefCell::new((Vec::new(), Vec::new()))
        };
    }
    fn letter_grams(text: &str, out: &mut Vec<u64>) {
        out.clear();
        let mut window = 0u64; // the last four characters, 16 bits each
        let mut filled = 0;
        let mut after_space = false;
        for c in text.trim().chars().flat_map(char::to_lowercase) {
            let c = if c.is_whitespace() {
                if after_space {
                    continue;
                }
                after_space = true;
                ' '
            } else {
                after_space = false;
                c
            };
            // Characters beyond the Basic Multilingual Plane fold onto it: a rare collision
            // only makes two texts look a little more alike.
            window = (window << 16) | (u64::from(c) & 0xFFFF);
            filled += 1;
            if filled >= 4 {
                out.push(window);
            }
        }
        out.sort_unstable();
    }
    GRAMS.with(|grams| {
        let (x, y) = &mut *grams.borrow_mut();
        letter_grams(a, x);
        letter_grams(b, y);
        if x.is_empty() && y.is_empty() {
            // Two texts under four letters: alike only when equal.
            let equal = a.trim().to_lowercase() == b.trim().to_lowercase();
            return if equal { 1.0 } else { 0.0 };
        }
        // Size of the multiset intersection of the two sorted bags.
        let (mut i, mut j, mut both) = (0, 0, 0usize);
        while i < x.len() && j < y.len() {
            match x[i].cmp(&y[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        2.0 * both as f64 / (x.len() + y.len()) as f64
    })
}

/// Memory the documents themselves take.
fn resident_bytes(docs: &[Document]) -> u64 {
    docs.iter()
        .map(|d| (d.text.len() + d.id.len() + std::mem::size_of::<Document>() + 64) as u64)
        .sum()
}

/// Documents analyzed per parallel batch when extracting anchors: large enough to keep every
/// core busy, small enough that their anchors are a small part of the memory budget.
const ANCHOR_BATCH: usize = 2048;

/// Find every passage reused across `docs` and cluster them; see the crate docs.
///
/// Documents are told apart by their position in `docs` (ids need not be unique, but they
/// order members and clusters, so unique ids give the most readable output).
pub fn find_reuse(
    docs: &[Document],
    options: &ReuseOptions,
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
    let (anchors, spilled) = anchor_table(docs, options, progress)?;
    add_spill(&mut stats, spilled);

    // 2 and 3. Band and pairs.
    let (candidates, boilerplate) = candidate_pairs(docs, anchors, options, progress, &mut stats)?;
    stats.candidate_pairs = candidates.len() as u64;

    // 4. Alignment.
    let (pairs, dropped) = align_pairs(docs, &candidates, &boilerplate, options, progress);
    drop(candidates);
    drop(boilerplate);
    stats.passages = pairs.len() as u64 + dropped;
    stats.template_passages = dropped;

    // 5. Clusters.
    progress.stage("cluster", pairs.len() as u64);
    let clusters = cluster::cluster(docs, &pairs, options.min_overlap);
    progress.advance(pairs.len() as u64);
    progress.finish();
    stats.clusters = clusters.len() as u64;
    Ok(Reuse {
        clusters,
        pairs,
        stats,
    })
}

fn add_spill(stats: &mut ReuseStats, spilled: SpillStats) {
    stats.spilled_runs += spilled.runs as u64;
    stats.spilled_bytes += spilled.bytes;
}

/// Hashed n-grams of a text's content-word stems, with the token index each starts at.
///
/// Only words with a letter count: numbers are the variable part of templated texts
/// (earnings tables, sports results, market reports), and n-grams of them pair thousands
/// of unrelated stories that share a template and a few figures by chance.
///
/// ```
/// let text = "Net profit 12 mln vs 9 mln, said the bank";
/// let grams = stemma_reuse::anchor_grams(&stemma_text::analyze(text), text, 3);
/// // net profit mln · profit mln vs · mln vs mln · vs mln said · mln said bank
/// assert_eq!(grams.len(), 5);
/// ```
pub fn anchor_grams(analysis: &Analysis, text: &str, ngram: usize) -> Vec<(u64, u32)> {
    let n = ngram.max(1);
    let words: Vec<u32> = analysis
        .tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            !t.stop
                && text[t.start as usize..t.end as usize]
                    .chars()
                    .any(char::is_alphabetic)
        })
        .map(|(i, _)| i as u32)
        .collect();
    if words.len() < n {
        return Vec::new();
    }
    words
        .windows(n)
        .map(|window| {
            let mut h = 0x9E37_79B9_7F4A_7C15u64;
            for &t in window {
                h = (h.rotate_left(23) ^ analysis.tokens[t as usize].stem)
                    .wrapping_mul(0xA076_1D64_78BD_642F);
            }
            (h, window[0])
        })
        .collect()
}

/// The distinct anchors of a text, sorted (see [`anchor_grams`]).
///
/// ```
/// let text = "red fox jumps high; red fox jumps high again";
/// let anchors = stemma_reuse::anchors(&stemma_text::analyze(text), text, 3);
/// assert_eq!(anchors.len(), 4); // red fox jump · fox jump high · jump high red · high red fox
/// assert!(anchors.windows(2).all(|w| w[0] < w[1]));
/// ```
pub fn anchors(analysis: &Analysis, text: &str, ngram: usize) -> Vec<u64> {
    let mut hashes: Vec<u64> = anchor_grams(analysis, text, ngram)
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// Stage 1: the sorted (anchor, document) table.
fn anchor_table(
    docs: &[Document],
    options: &ReuseOptions,
    progress: &dyn Progress,
) -> Result<(spill::Sorted<(u64, u32)>, SpillStats), ReuseError> {
    progress.stage("anchors", docs.len() as u64);
    let mut sorter: Sorter<(u64, u32)> =
        Sorter::new(options.memory, options.tmp_dir.as_deref(), "anchor table");
    for (b, batch) in docs.chunks(ANCHOR_BATCH).enumerate() {
        let base = (b * ANCHOR_BATCH) as u32;
        let per_doc: Vec<Vec<u64>> = batch
            .par_iter()
            .map(|doc| {
                let a = anchors(&stemma_text::analyze(&doc.text), &doc.text, options.ngram);
                progress.advance(1);
                a
            })
            .collect();
        for (i, hashes) in per_doc.iter().enumerate() {
            let doc = base + i as u32;
            let records: Vec<(u64, u32)> = hashes.iter().map(|&h| (h, doc)).collect();
            sorter.extend(&records)?;
        }
    }
    progress.finish();
    Ok(sorter.finish()?)
}

/// Candidate pairs (sorted) and the boilerplate anchors (above `max_df`, sorted).
type Candidates = (Vec<(u32, u32)>, Vec<u64>);

/// Stages 2 and 3: document-frequency band, pairs per anchor, counted; the pairs sharing
/// enough anchors, sorted.
fn candidate_pairs(
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
    let mut flush = |hash: Option<u64>,
                     group: &mut Vec<u32>,
                     pending: &mut Vec<u64>,
                     stats: &mut ReuseStats| {
        let df = group.len();
        if df > options.max_df {
            stats.anchors_over_max_df += 1;
            boilerplate.extend(hash);
        } else if df >= options.min_df.max(2) {
            stats.anchors_in_band += 1;
            for i in 0..df {
                for j in i + 1..df {
                    let (a, b) = (group[i], group[j]);
                    if options.skip_same_series {
                        let (sa, sb) = (&docs[a as usize].source, &docs[b as usize].source);
                        if sa.is_some() && sa == sb {
                            continue;
                        }
                    }
                    pending.push(u64::from(a) << 32 | u64::from(b));
                }
            }
        } else if df >= options.min_df {
            stats.anchors_in_band += 1;
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

/// Bytes one document costs while analyzed: ≈ one 32-byte token per 5–6 bytes of text,
/// plus sentences and the text's share of the seed tables.
fn analysis_cost(doc: &Document) -> u64 {
    doc.text.len() as u64 * 8 + 256
}

/// Stage 4: align every candidate pair, in batches whose analyzed documents fit the memory
/// budget. Output in candidate order, so it does not depend on the thread count.
fn align_pairs(
    docs: &[Document],
    candidates: &[(u32, u32)],
    boilerplate: &[u64],
    options: &ReuseOptions,
    progress: &dyn Progress,
) -> (Vec<AlignedPair>, u64) {
    progress.stage("align", candidates.len() as u64);
    // A quarter: the passages found accumulate beside the batch.
    let budget = (options.memory / 4).max(64 << 20);
    let mut out: Vec<AlignedPair> = Vec::new();
    let mut dropped = 0u64;
    let mut start = 0;
    let mut in_batch: Vec<bool> = vec![false; docs.len()];
    while start < candidates.len() {
        // Grow the batch until its documents would outgrow the budget (at least one pair).
        let mut cost = 0u64;
        let mut members: Vec<u32> = Vec::new();
        let mut end = start;
        while end < candidates.len() {
            let (a, b) = candidates[end];
            let extra: u64 = [a, b]
                .iter()
                .filter(|&&d| !in_batch[d as usize])
                .map(|&d| analysis_cost(&docs[d as usize]))
                .sum();
            if end > start && cost + extra > budget {
                break;
            }
            for d in [a, b] {
                if !in_batch[d as usize] {
                    in_batch[d as usize] = true;
                    members.push(d);
                }
            }
            cost += extra;
            end += 1;
        }
        members.sort_unstable();
        let analyses: Vec<Analyzed> = members
            .par_iter()
            .map(|&d| Analyzed::new(&docs[d as usize].text, options.ngram))
            .collect();
        let find = |d: u32| &analyses[members.binary_search(&d).expect("document in batch")];
        let found: Vec<(Vec<AlignedPair>, u64)> = candidates[start..end]
            .par_iter()
            .map(|&(a, b)| {
                let (x, y) = (find(a), find(b));
                let passages = stemma_align::align(&x.analysis, &y.analysis, &options.align);
                progress.advance(1);
                let mut dropped = 0;
                let kept = passages
                    .into_iter()
                    .filter_map(|passage| {
                        let shared = SharedAnchors::of(x, y, &passage, boilerplate);
                        let (text_a, text_b) = (&docs[a as usize].text, &docs[b as usize].text);
                        if shared.is_reuse(options)
                            && is_close(
                                &passage,
                                &text_a[passage.a.start..passage.a.end],
                                &text_b[passage.b.start..passage.b.end],
                            )
                        {
                            let mut passage = passage;
                            if !options.keep_diffs {
                                // Millions of passages: their word-level differences would
                                // be most of the memory.
                                passage.a_diffs = Vec::new();
                                passage.b_diffs = Vec::new();
                            }
                            Some(AlignedPair {
                                a,
                                b,
                                passage,
                                shared_anchors: shared.rare as u32,
                            })
                        } else {
                            dropped += 1;
                            None
                        }
                    })
                    .collect();
                (kept, dropped)
            })
            .collect();
        for (kept, d) in found {
            out.extend(kept);
            dropped += d;
        }
        for d in members {
            in_batch[d as usize] = false;
        }
        start = end;
    }
    progress.finish();
    (out, dropped)
}

/// A document analyzed for alignment, with its anchors in text order.
struct Analyzed {
    analysis: Analysis,
    /// (hash, first token) of every content-stem n-gram.
    grams: Vec<(u64, u32)>,
}

impl Analyzed {
    fn new(text: &str, ngram: usize) -> Self {
        let analysis = stemma_text::analyze(text);
        let grams = anchor_grams(&analysis, text, ngram);
        Analyzed { analysis, grams }
    }

    /// Distinct anchors starting inside the byte span, sorted.
    fn anchors_in(&self, span: Span) -> Vec<u64> {
        let tokens = &self.analysis.tokens;
        let first = tokens.partition_point(|t| (t.end as usize) <= span.start) as u32;
        let end = tokens.partition_point(|t| (t.start as usize) < span.end) as u32;
        let lo = self.grams.partition_point(|g| g.1 < first);
        let hi = self.grams.partition_point(|g| g.1 < end);
        let mut hashes: Vec<u64> = self.grams[lo..hi].iter().map(|g| g.0).collect();
        hashes.sort_unstable();
        hashes.dedup();
        hashes
    }
}

/// The anchors a passage's two spans have in common: the evidence that it is reuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SharedAnchors {
    /// Shared anchors within the document-frequency band.
    rare: usize,
    /// Shared anchors above `max_df`.
    boilerplate: usize,
    /// Anchors of the span that has fewer.
    fewer: usize,
}

impl SharedAnchors {
    fn of(x: &Analyzed, y: &Analyzed, passage: &Passage, boilerplate: &[u64]) -> Self {
        let (ax, ay) = (x.anchors_in(passage.a), y.anchors_in(passage.b));
        let mut shared = SharedAnchors {
            rare: 0,
            boilerplate: 0,
            fewer: ax.len().min(ay.len()),
        };
        let (mut i, mut j) = (0, 0);
        while i < ax.len() && j < ay.len() {
            match ax[i].cmp(&ay[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    if boilerplate.binary_search(&ax[i]).is_ok() {
                        shared.boilerplate += 1;
                    } else {
                        shared.rare += 1;
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        shared
    }

    /// Whether the passage rests on more than shared boilerplate: its spans share
    /// `min_anchor_density` of their anchors beyond boilerplate, and either `min_shared` of
    /// them or no boilerplate anchor at all. (Whether it is close enough is [`is_close`].)
    ///
    /// A short copy under heavy OCR noise may keep no intact 3-word anchor (the alignment
    /// found it from 2-word seeds); it is kept. A passage whose only shared anchors are above
    /// `max_df` is the boilerplate `max_df` excludes.
    fn is_reuse(&self, options: &ReuseOptions) -> bool {
        let need = (options.min_anchor_density * self.fewer as f64).ceil() as usize;
        self.rare >= need && (self.rare >= options.min_shared.max(1) || self.boilerplate == 0)
    }
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

    fn passage(matched: usize, identity: f64) -> Passage {
        let words = (matched as f64 / identity).round() as usize;
        Passage {
            a: Span {
                start: 0,
                end: 6 * words,
            },
            b: Span {
                start: 0,
                end: 6 * words,
            },
            a_tokens: words,
            b_tokens: words,
            matched_tokens: matched,
            identity,
            score: identity * words as f64,
            kind: stemma_align::PassageKind::Edited,
            a_diffs: Vec::new(),
            b_diffs: Vec::new(),
            also: Vec::new(),
        }
    }

    #[test]
    fn passages_resting_on_boilerplate_alone_are_not_reuse() {
        let options = ReuseOptions::default();
        let shared = |rare, boilerplate| SharedAnchors {
            rare,
            boilerplate,
            fewer: 40,
        };
        // Heavy OCR noise can break every 3-word anchor of a true copy: kept.
        assert!(shared(0, 0).is_reuse(&options));
        assert!(shared(2, 5).is_reuse(&options));
        // Only boilerplate (above --max-df) in common: what --max-df excludes.
        assert!(!shared(0, 5).is_reuse(&options));
        assert!(!shared(1, 5).is_reuse(&options));
        // --min-anchor-density asks for a share of the span's anchors.
        let dense = ReuseOptions {
            min_anchor_density: 0.1,
            ..ReuseOptions::default()
        };
        assert!(!shared(2, 0).is_reuse(&dense));
        assert!(shared(4, 0).is_reuse(&dense));
    }

    #[test]
    fn short_passages_must_be_close() {
        let copy = "You may not copy, modify, sublicense, or distribute the Program except as \
                    expressly provided under this License.";
        let noisy = "You rnay not copy, modify, sublicensc, or distribute the Prograrn except as \
                     expressly provided under fhis License.";
        assert!(is_close(&passage(20, 0.8), copy, noisy));
        // Two disclaimers of one genre: 20 words in common, a third of them not.
        assert!(!is_close(&passage(20, 0.6), copy, noisy));
        // Words in common at a copy's rate, but other letters around them: a rewording.
        let genre = "WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied";
        let cc0 = "makes no representations or warranties of any kind concerning the Work, \
                   express, implied";
        assert!(letter_likeness(genre, cc0) < SHORT_PASSAGE_LETTERS);
        assert!(!is_close(&passage(12, 0.7), genre, cc0));
        // Long, it is heavy editing of one text, whatever its letters.
        assert!(is_close(&passage(40, 0.6), genre, cc0));
    }

    #[test]
    fn letter_likeness_of_edge_cases() {
        assert_eq!(letter_likeness("", ""), 1.0);
        assert_eq!(letter_likeness("abc", "ABC "), 1.0);
        assert_eq!(letter_likeness("abc", "abd"), 0.0);
        assert_eq!(letter_likeness("", "some text"), 0.0);
        // White space and case do not count; letters beyond ASCII do.
        assert_eq!(
            letter_likeness("Größe  und\nGewicht", "größe und gewicht"),
            1.0
        );
        assert!(letter_likeness("Größe und Gewicht", "Grosse und Gewicht") < 1.0);
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
