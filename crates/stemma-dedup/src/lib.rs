//! # stemma-dedup
//!
//! Near-duplicate documents at corpus scale: which documents are the same text, filed again,
//! re-typed or lightly edited.
//!
//! The pipeline, streaming (documents are sketched batch by batch and dropped):
//!
//! 1. **exact**: each document's normalized words ([`stemma_text::word_norms`]: NFKC, case
//!    folded, punctuation and spacing ignored) are hashed ([`text_hash`]); a document whose
//!    hash was seen is an exact duplicate and goes no further;
//! 2. **sketch**: its `ngram`-word shingles are kept for verification, as they come (text
//!    order, repeats included), in a store bounded by memory (spilled to `tmp_dir`), and a
//!    one-permutation MinHash
//!    signature ([`signature`]) is cut into LSH bands ([`band_keys`]), laid out by
//!    [`bands_for`] to find a pair at the threshold with probability ≥ 0.995;
//! 3. **candidates**: the (band key, document) table is sorted (spilling sorted runs, like
//!    reuse) and documents sharing a key are paired;
//! 4. **verify**: each candidate pair's exact Jaccard similarity of shingle sets
//!    ([`shingle_set`]: the stored shingles sorted, repeats dropped) is computed, so the
//!    threshold means what it says;
//! 5. **cluster**: star clustering ([`Cluster`]) around the kept document (`keep`: first,
//!    earliest or longest): every member is within the threshold of the kept document
//!    itself, so successive versions v1 → v2 → … → v20 do not become one cluster.
//!
//! Output is deterministic: the same documents in the same order give the same result
//! whatever the thread count.
//!
//! It must not know files or rendering: it takes [`Document`]s and returns values.
//!
//! ```
//! use stemma_dedup::{Deduper, DedupOptions, NoProgress};
//! use stemma_text::Document;
//!
//! let story = "The central bank raised its main interest rate by a quarter point on \
//!     Tuesday, citing persistent inflation in services and a tight labour market, and \
//!     signalled that further increases could follow later this year if prices keep rising. \
//!     Economists had expected the move after wage growth surprised on the upside in the \
//!     spring, while energy costs eased. The governor told reporters that the board would \
//!     watch housing and consumer credit closely, and that the bank stood ready to act \
//!     again should inflation expectations drift away from the two per cent target. \
//!     Markets barely moved on the news, and the currency closed little changed.";
//! let docs = vec![
//!     Document::new("a", story),
//!     Document::new("b", story.to_uppercase()),                 // exact, once normalized
//!     Document::new("c", story.replace("Tuesday", "Wednesday")), // near
//!     Document::new("d", "Local team wins the cup after a dramatic penalty shoot-out."),
//! ];
//! let mut dedup = Deduper::new(DedupOptions::default()).unwrap();
//! dedup.add(&docs, &NoProgress).unwrap();
//! let result = dedup.finish(&NoProgress).unwrap();
//! assert_eq!(result.clusters.len(), 1);
//! assert_eq!(result.clusters[0].members, [0, 1, 2]);
//! assert!(result.outcomes[1].exact);
//! assert!(result.outcomes[2].similarity >= 0.8 && !result.outcomes[2].exact);
//! assert_eq!(result.outcomes[3].cluster, 0);
//! assert_eq!(result.id(2), "c");
//! ```

mod cluster;
mod sketch;
mod stages;
mod store;

use std::path::PathBuf;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use serde::Serialize;
use stemma_spill::{Sorter, SpillError, SpillStats};
use stemma_text::Document;

pub use cluster::{star_clusters, Cluster, Outcome};
pub use sketch::{
    band_keys, bands_for, candidate_probability, jaccard, shingle_set, shingle_signature,
    signature, text_hash,
};
pub use stages::{bucket_pairs, keep_ranks, may_reach, sketch, verify, Sketch};

use sketch::sort_distinct;
use stages::sketch_unsorted;

use store::ShingleStore;

/// Which document of a cluster is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    /// The first in input order.
    #[default]
    First,
    /// The earliest dated (ISO dates compare as text); undated documents come last, ties go
    /// to input order.
    Earliest,
    /// The one with the most words (then bytes); ties go to input order.
    Longest,
}

/// The knobs of [`Deduper`]. The defaults need no tuning.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupOptions {
    /// Two documents are near duplicates when the Jaccard similarity of their shingle sets
    /// is at least this.
    pub threshold: f64,
    /// Shingle size, in words.
    pub ngram: usize,
    /// Signature size (bins of the one-permutation MinHash).
    pub num_perm: usize,
    /// LSH bands (rows per band = `num_perm / bands`); `None`: [`bands_for`].
    pub bands: Option<usize>,
    /// Which document of a cluster is kept.
    pub keep: Keep,
    /// Memory budget in bytes for the tables and the shingle store; beyond it they spill to
    /// `tmp_dir`.
    pub memory: u64,
    /// Where spilled runs and the shingle store go (the system's temporary folder when
    /// `None`).
    pub tmp_dir: Option<PathBuf>,
    /// Documents sharing one band key are all paired up to this many; in a larger bucket
    /// each document is paired with the first `max_bucket` only (buckets that large are
    /// families of near-identical texts, which the first members already cover).
    pub max_bucket: usize,
}

impl Default for DedupOptions {
    fn default() -> Self {
        DedupOptions {
            threshold: 0.8,
            ngram: 5,
            num_perm: 128,
            bands: None,
            keep: Keep::First,
            memory: 2 << 30,
            tmp_dir: None,
            max_bucket: 1000,
        }
    }
}

impl DedupOptions {
    /// The band layout used: (bands, rows per band).
    ///
    /// ```
    /// let o = stemma_dedup::DedupOptions { bands: Some(16), ..Default::default() };
    /// assert_eq!(o.layout(), (16, 8));
    /// ```
    pub fn layout(&self) -> (usize, usize) {
        match self.bands {
            Some(b) => (b, self.num_perm / b.max(1)),
            None => bands_for(self.threshold, self.num_perm),
        }
    }

    fn check(&self) -> Result<(), DedupError> {
        let bad = |m: String| Err(DedupError::Options(m));
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return bad(format!(
                "--threshold must be in (0, 1], not {}",
                self.threshold
            ));
        }
        if !(1..=32).contains(&self.ngram) {
            return bad(format!("--ngram must be 1 to 32, not {}", self.ngram));
        }
        if !(1..=4096).contains(&self.num_perm) {
            return bad(format!(
                "--num-perm must be 1 to 4096, not {}",
                self.num_perm
            ));
        }
        if let Some(b) = self.bands {
            if b == 0 || b > self.num_perm {
                return bad(format!(
                    "--bands must be 1 to --num-perm ({}), not {b}",
                    self.num_perm
                ));
            }
        }
        if self.max_bucket < 2 {
            return bad("max_bucket must be at least 2".into());
        }
        Ok(())
    }
}

/// Why deduplication stopped.
#[derive(Debug, thiserror::Error)]
pub enum DedupError {
    /// An option out of range.
    #[error("{0}")]
    Options(String),
    /// More documents than the tables address.
    #[error("more than {} documents: split the corpus", u32::MAX - 1)]
    TooMany,
    /// The temporary files failed (disk full, I/O).
    #[error(transparent)]
    Spill(#[from] SpillError),
}

/// Progress of the stages; the CLI draws bars from it. Every method has a default that does
/// nothing, and calls may come from several threads at once.
pub trait Progress: Sync {
    /// A stage starts, with `total` units of work (0 when unknown).
    fn stage(&self, _name: &'static str, _total: u64) {}
    /// `n` more units of the current stage are done.
    fn advance(&self, _n: u64) {}
    /// The current stage is done.
    fn finish(&self) {}
}

/// A [`Progress`] that ignores everything.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Counts of a run, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DedupStats {
    /// Documents read.
    pub documents: u64,
    /// Their words.
    pub words: u64,
    /// Their text bytes.
    pub bytes: u64,
    /// Clusters of two or more documents.
    pub clusters: u64,
    /// Documents not kept (members of a cluster other than its kept document).
    pub removed: u64,
    /// Of those, exact duplicates of the kept document (same normalized text).
    pub exact_removed: u64,
    /// Of those, near duplicates.
    pub near_removed: u64,
    /// Text bytes of the documents not kept.
    pub bytes_saved: u64,
    /// Distinct document pairs sharing a band key.
    pub candidate_pairs: u64,
    /// Candidate pairs whose exact Jaccard reached the threshold.
    pub verified_pairs: u64,
    /// LSH bands.
    pub bands: u64,
    /// Signature values per band.
    pub rows: u64,
    /// Bytes of the LSH index: the band table (a key and a document per band) and the
    /// per-document records (id, sizes, exact hash, where its shingles are).
    pub index_bytes: u64,
    /// Bytes of the shingles kept to verify candidates exactly (4 per shingle, in text order
    /// with repeats: sorted only for the pairs verified; in memory up to a third of the
    /// budget, on disk beyond).
    pub store_bytes: u64,
    /// Sorted runs spilled to the temporary folder.
    pub spilled_runs: u64,
    /// Bytes spilled (runs and shingle store).
    pub spilled_bytes: u64,
}

/// The result: one [`Outcome`] per document (input order), the clusters, the counts.
#[derive(Debug)]
pub struct Dedup {
    /// What became of each document, in input order.
    pub outcomes: Vec<Outcome>,
    /// Clusters of two or more documents, numbered from 1 in order of their kept document.
    pub clusters: Vec<Cluster>,
    /// Counts.
    pub stats: DedupStats,
    ids: String,
    id_ends: Vec<u64>,
    words: Vec<u32>,
    bytes: Vec<u32>,
}

impl Dedup {
    /// The id of document `doc`.
    pub fn id(&self, doc: u32) -> &str {
        let doc = doc as usize;
        let start = if doc == 0 { 0 } else { self.id_ends[doc - 1] };
        &self.ids[start as usize..self.id_ends[doc] as usize]
    }

    /// Words of document `doc`.
    pub fn words(&self, doc: u32) -> u32 {
        self.words[doc as usize]
    }

    /// Text bytes of document `doc`.
    pub fn bytes(&self, doc: u32) -> u32 {
        self.bytes[doc as usize]
    }
}

/// Streams documents in, then finds the clusters: see the crate docs.
pub struct Deduper {
    options: DedupOptions,
    bands: usize,
    rows: usize,
    ids: String,
    id_ends: Vec<u64>,
    dates: String,
    date_ends: Vec<u64>,
    words: Vec<u32>,
    bytes: Vec<u32>,
    /// Each document's exact-duplicate representative (itself for the first of its text).
    group: Vec<u32>,
    /// Where each document's shingles are in the store, and how many (repeats included).
    set_at: Vec<u64>,
    set_len: Vec<u32>,
    seen: HashMap<u64, u32>,
    store: ShingleStore,
    band_table: Sorter<(u64, u32)>,
    band_records: u64,
}

impl Deduper {
    /// A deduper with checked options.
    pub fn new(options: DedupOptions) -> Result<Self, DedupError> {
        options.check()?;
        let (bands, rows) = options.layout();
        // A third of the budget each: shingle store, band table, then the pair table (the
        // band table is merged away while pairs are collected).
        let third = options.memory / 3;
        Ok(Deduper {
            bands,
            rows,
            ids: String::new(),
            id_ends: Vec::new(),
            dates: String::new(),
            date_ends: Vec::new(),
            words: Vec::new(),
            bytes: Vec::new(),
            group: Vec::new(),
            set_at: Vec::new(),
            set_len: Vec::new(),
            seen: HashMap::new(),
            store: ShingleStore::new(third, options.tmp_dir.as_deref()),
            band_table: Sorter::new(third, options.tmp_dir.as_deref(), "band table"),
            band_records: 0,
            options,
        })
    }

    /// Documents added so far.
    pub fn len(&self) -> usize {
        self.group.len()
    }

    /// Whether no document was added.
    pub fn is_empty(&self) -> bool {
        self.group.is_empty()
    }

    /// Add a batch of documents (sketched in parallel); they can be dropped afterwards.
    pub fn add(&mut self, docs: &[Document], progress: &dyn Progress) -> Result<(), DedupError> {
        if self.group.len() + docs.len() >= u32::MAX as usize {
            return Err(DedupError::TooMany);
        }
        let (ngram, k, bands, rows) = (
            self.options.ngram,
            self.options.num_perm,
            self.bands,
            self.rows,
        );
        let sketches: Vec<Sketch> = docs
            .par_iter()
            .map_init(Vec::new, |norms, doc| {
                sketch_unsorted(&doc.text, ngram, k, bands, rows, norms)
            })
            .collect();
        let mut records = Vec::new();
        for (doc, sketch) in docs.iter().zip(sketches) {
            let index = self.group.len() as u32;
            self.ids.push_str(&doc.id);
            self.id_ends.push(self.ids.len() as u64);
            if self.options.keep == Keep::Earliest {
                self.dates.push_str(doc.date.as_deref().unwrap_or(""));
                self.date_ends.push(self.dates.len() as u64);
            }
            self.words.push(sketch.words);
            self.bytes
                .push(doc.text.len().min(u32::MAX as usize) as u32);
            match self.seen.get(&sketch.hash) {
                Some(&first) => {
                    self.group.push(first);
                    self.set_at.push(0);
                    self.set_len.push(0);
                }
                None => {
                    self.seen.insert(sketch.hash, index);
                    self.group.push(index);
                    self.set_at.push(self.store.push(&sketch.set)?);
                    self.set_len.push(sketch.set.len() as u32);
                    records.extend(sketch.keys.iter().map(|&key| (key, index)));
                }
            }
        }
        self.band_records += records.len() as u64;
        self.band_table.extend(&records)?;
        progress.advance(docs.len() as u64);
        Ok(())
    }

    fn date(&self, doc: usize) -> &str {
        let start = if doc == 0 { 0 } else { self.date_ends[doc - 1] };
        &self.dates[start as usize..self.date_ends[doc] as usize]
    }

    /// Rank of every document under the keep rule (0 is kept first).
    fn ranks(&self) -> Vec<u32> {
        keep_ranks(self.options.keep, &self.words, &self.bytes, |d| {
            self.date(d)
        })
    }

    /// Pair, verify and cluster everything added.
    pub fn finish(self, progress: &dyn Progress) -> Result<Dedup, DedupError> {
        let mut stats = DedupStats {
            documents: self.group.len() as u64,
            words: self.words.iter().map(|&w| u64::from(w)).sum(),
            bytes: self.bytes.iter().map(|&b| u64::from(b)).sum(),
            bands: self.bands as u64,
            rows: self.rows as u64,
            ..DedupStats::default()
        };
        let rank = self.ranks();
        let Deduper {
            options,
            band_table,
            band_records,
            store,
            group,
            set_at,
            set_len,
            ids,
            id_ends,
            words,
            bytes,
            seen,
            ..
        } = self;
        let third = options.memory / 3;
        // Candidates: documents sharing a band key.
        progress.stage("pairs", band_records);
        let (mut bands, spilled) = band_table.finish()?;
        add_spill(&mut stats, spilled);
        let mut pair_table: Sorter<u64> =
            Sorter::new(third, options.tmp_dir.as_deref(), "pair table");
        let mut bucket: Vec<u32> = Vec::new();
        let mut bucket_key = None;
        let mut pairs = Vec::with_capacity(1 << 16);
        let mut flush_bucket =
            |bucket: &mut Vec<u32>, pairs: &mut Vec<u64>| -> Result<(), DedupError> {
                bucket.dedup();
                bucket_pairs(bucket, options.max_bucket, |pair| pairs.push(pair));
                if pairs.len() >= 1 << 16 {
                    pair_table.extend(pairs)?;
                    pairs.clear();
                }
                bucket.clear();
                Ok(())
            };
        let mut seen_records = 0u64;
        while let Some((key, doc)) = bands.next_record()? {
            if bucket_key != Some(key) {
                flush_bucket(&mut bucket, &mut pairs)?;
                bucket_key = Some(key);
            }
            bucket.push(doc);
            seen_records += 1;
            if seen_records.is_multiple_of(65_536) {
                progress.advance(65_536);
            }
        }
        flush_bucket(&mut bucket, &mut pairs)?;
        drop(bands);
        pair_table.extend(&pairs)?;
        drop(pairs);
        let (mut sorted_pairs, spilled) = pair_table.finish()?;
        add_spill(&mut stats, spilled);
        progress.finish();

        // Verify each distinct pair on its exact Jaccard, a chunk at a time in parallel.
        progress.stage("verify", 0);
        let threshold = options.threshold;
        let mut edges: Vec<(u32, u32, f32)> = Vec::new();
        let mut chunk: Vec<u64> = Vec::with_capacity(1 << 16);
        let mut last = None;
        let (set_at, set_len, store) = (&set_at, &set_len, &store);
        // The store holds each document's shingles as they came (repeats included): a pair's
        // sets are sorted here, the first document's once for the run of pairs it starts.
        let read_set = |doc: u32, buf: &mut Vec<u32>| -> Result<(), SpillError> {
            let (at, len) = (set_at[doc as usize], set_len[doc as usize]);
            let mut read = Vec::new();
            let shingles = store.get(at, len, &mut read)?;
            buf.clear();
            buf.extend_from_slice(shingles);
            sort_distinct(buf);
            Ok(())
        };
        let verify = |chunk: &[u64], edges: &mut Vec<(u32, u32, f32)>| -> Result<(), DedupError> {
            let found: Vec<Option<(u32, u32, f32)>> = chunk
                .par_iter()
                .map_init(
                    || (None, Vec::new(), Vec::new()),
                    |(last_a, set_a, set_b), &pair| {
                        let (a, b) = ((pair >> 32) as u32, pair as u32);
                        if *last_a != Some(a) {
                            read_set(a, set_a)?;
                            *last_a = Some(a);
                        }
                        read_set(b, set_b)?;
                        Ok(verify(set_a, set_b, threshold).map(|j| (a, b, j)))
                    },
                )
                .collect::<Result<_, SpillError>>()?;
            edges.extend(found.into_iter().flatten());
            Ok(())
        };
        while let Some(pair) = sorted_pairs.next_record()? {
            if last == Some(pair) {
                continue;
            }
            last = Some(pair);
            stats.candidate_pairs += 1;
            chunk.push(pair);
            if chunk.len() == 1 << 16 {
                verify(&chunk, &mut edges)?;
                progress.advance(chunk.len() as u64);
                chunk.clear();
            }
        }
        verify(&chunk, &mut edges)?;
        progress.advance(chunk.len() as u64);
        progress.finish();
        stats.verified_pairs = edges.len() as u64;
        stats.spilled_bytes += store.disk_bytes();

        progress.stage("cluster", 0);
        let (outcomes, clusters) = cluster::star_clusters(&group, &edges, &rank);
        progress.finish();
        stats.clusters = clusters.len() as u64;
        for (doc, o) in outcomes.iter().enumerate() {
            if o.cluster != 0 && o.kept_doc != doc as u32 {
                stats.removed += 1;
                stats.bytes_saved += u64::from(bytes[doc]);
                if o.exact {
                    stats.exact_removed += 1;
                } else {
                    stats.near_removed += 1;
                }
            }
        }
        let per_doc = 8 + 4 + 4 + 4 + 8 + 4; // id end, words, bytes, group, set position, set length
        stats.store_bytes = store.len() * 4;
        stats.index_bytes = band_records * 12
            + group.len() as u64 * per_doc
            + ids.len() as u64
            + seen.len() as u64 * 12;
        Ok(Dedup {
            outcomes,
            clusters,
            stats,
            ids,
            id_ends,
            words,
            bytes,
        })
    }
}

fn add_spill(stats: &mut DedupStats, spilled: SpillStats) {
    stats.spilled_runs += spilled.runs as u64;
    stats.spilled_bytes += spilled.bytes;
}
