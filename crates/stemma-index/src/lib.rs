//! # stemma-index
//!
//! Owns the persistent corpus: a folder (by default `./.stemma`) holding a
//! [tantivy](https://docs.rs/tantivy) index, in which every document keeps its text and
//! metadata (stored) and its words (BM25-searchable), and beside it the postings of the
//! documents' winnowed fingerprints.
//!
//! - **Format 4** (every new index): the fingerprint postings are files of our own,
//!   `fp-NNNNNNNN.fps` (the `fpstore` module: sorted 32-bit keys, checksummed blocks, read
//!   through a memory map), naming documents by a stable number kept in tantivy's `fpdoc`
//!   fast field. They cost `index add` far less than tantivy's term hash (a quarter less CPU
//!   for Reuters, bench/README.md "Profiling").
//! - **Format 3** (indexes made before): the postings are tantivy's indexed `fp` field. Such
//!   an index stays format 3, read and written; the marker file says which an index is.
//!
//! The commit stays one: the new fingerprint file is written and fsynced first, then tantivy
//! commits with a payload in its `meta.json` naming the fingerprint files valid at that
//! commit. A crash at any moment leaves the index as of the last completed commit; a file no
//! commit names is an orphan, ignored by readers and deleted by the next writer.
//!
//! - [`Index::create`], [`Index::open`], [`Index::open_or_create`]: a marker file
//!   (`stemma-index.json`, with a format version) tells a stemma index from any other folder;
//!   a folder that is not one, or a corrupt index, is refused and never written to;
//! - [`IndexWriter`]: add (replacing a document with the same id, skipping unchanged
//!   content), delete, commit — one writer at a time (a lock file, released when the process
//!   dies);
//! - [`Index::retrieve`]: a target's candidate sources from two channels, merged:
//!   [`Index::candidates`], the documents sharing the most idf-weighted fingerprints with it
//!   (ignoring boilerplate fingerprints, document frequency over a cap), and
//!   [`Index::similar`], BM25 over its chunks with a length-aware score, which finds short
//!   common originals and reworded copies that fingerprints miss;
//! - [`Index::cross_lingual`]: a third channel, over the per-sentence embeddings a caller's
//!   model gave at add time ([`IndexWriter::add_all_with`]; stored quantized in the same
//!   document, see [`SentenceEmbeddings`]), for sources in another language;
//! - [`Index::get`], [`Index::list`], [`Index::search`] (BM25), [`Index::stats`].
//!
//! It must not know about rendering or the command line: it takes and returns
//! [`stemma_text::Document`]s and plain values.
//!
//! ```
//! use stemma_index::{Index, CandidateOptions};
//! use stemma_text::Document;
//! let dir = tempfile::tempdir().unwrap();
//! let index = Index::open_or_create(dir.path().join("corpus")).unwrap();
//! let mut writer = index.writer().unwrap();
//! writer.add(&Document::new("gpl", "The licenses for most software are designed to take \
//!     away your freedom to share and change it. By contrast, the GNU General Public License \
//!     is intended to guarantee your freedom to share and change free software.")).unwrap();
//! writer.add(&Document::new("other", "Completely unrelated words about gardens, rivers \
//!     and the weather in the northern provinces this spring and summer season.")).unwrap();
//! writer.commit().unwrap();
//! index.reload().unwrap();
//! let target = stemma_text::analyze("Notice: by contrast, the GNU General Public License is \
//!     intended to guarantee your freedom to share and change free software, they say.");
//! let found = index.candidates(&index.query_fingerprints(&target), &CandidateOptions::default()).unwrap();
//! assert_eq!(found[0].id, "gpl");
//! assert_eq!(index.search("gardens", 10).unwrap()[0].id, "other");
//! ```

mod dedup_keys;
mod embedding;
mod error;
mod fpstore;
mod query;
mod retrieve;
mod schema;
mod tokenizer;
mod writer;

pub use embedding::{
    CrossLingualOptions, SentenceEmbeddings, CHUNK_SENTENCES, CHUNK_STRIDE, CODE_BITS,
    MAX_QUERY_WINDOWS, WINDOW_FLOOR,
};
pub use error::IndexError;
pub use query::{
    only_stopwords, Candidate, CandidateOptions, DocInfo, SearchHit, Stats, MAX_QUERY_BYTES,
    MAX_QUERY_NESTING,
};
pub use retrieve::{
    Channel, Retrieved, CHUNK_CONTENT_WORDS, HITS_PER_CHUNK, MAX_CHUNKS, MIN_CHUNK_MATCH,
    MIN_HITS_PER_TARGET,
};
pub use writer::{AddOutcome, Embedder, IndexWriter};

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use stemma_text::Analysis;
use tantivy::{IndexReader, ReloadPolicy};

use schema::Fields;

/// The file that marks a folder as a stemma index.
pub const MARKER_FILE: &str = "stemma-index.json";
/// The on-disk format of a new index: 4, fingerprint postings in our own files beside
/// tantivy's (`fpstore` module), named by each commit.
pub const FORMAT_VERSION: u32 = 4;
/// The oldest format this version reads and writes: 3, fingerprint postings in tantivy's
/// `fp` field. An index keeps its format; the marker says which it is.
pub const OLDEST_FORMAT_VERSION: u32 = 3;
/// Default fingerprint n-gram size (content-word stems).
pub const DEFAULT_NGRAM: usize = 3;
/// Default winnowing window: any shared run of `window + ngram - 1` content words is found.
pub const DEFAULT_WINDOW: usize = 8;

/// The marker file's contents: what the folder is and how its fingerprints were made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    /// Always `"stemma-index"`.
    pub format: String,
    /// The format: [`FORMAT_VERSION`] for indexes created now, [`OLDEST_FORMAT_VERSION`]
    /// for older ones.
    pub version: u32,
    /// Fingerprint n-gram size.
    pub ngram: usize,
    /// Winnowing window.
    pub window: usize,
}

impl Default for Marker {
    fn default() -> Self {
        Marker {
            format: "stemma-index".to_string(),
            version: FORMAT_VERSION,
            ngram: DEFAULT_NGRAM,
            window: DEFAULT_WINDOW,
        }
    }
}

/// An open stemma index: a read view as of the last [`Index::reload`], and the door to a
/// writer.
pub struct Index {
    dir: PathBuf,
    marker: Marker,
    index: tantivy::Index,
    reader: IndexReader,
    fields: Fields,
    /// Format 4: the fingerprint files of the reader's commit, with its searcher.
    fp_view: Option<RwLock<Arc<fpstore::FpView>>>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("dir", &self.dir)
            .field("marker", &self.marker)
            .finish_non_exhaustive()
    }
}

impl Index {
    /// Create an index in `dir`, which must not exist or be an empty folder.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = stemma_index::Index::create(dir.path()).unwrap();
    /// assert_eq!(index.stats().unwrap().documents, 0);
    /// let again = stemma_index::Index::create(dir.path()).unwrap_err();
    /// assert!(again.to_string().ends_with("an index exists here already"));
    /// ```
    pub fn create(dir: impl AsRef<Path>) -> Result<Index, IndexError> {
        let dir = dir.as_ref();
        match classify(dir)? {
            Found::Missing | Found::Empty => create_in(dir),
            Found::Marked => Err(IndexError::Exists(dir.to_path_buf())),
            Found::Foreign => Err(IndexError::NotAnIndex(dir.to_path_buf())),
        }
    }

    /// Open the index in `dir`; refuses a missing folder, a folder that is not a stemma
    /// index, an unsupported format version, or a corrupt index. Never writes.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    /// let err = stemma_index::Index::open(dir.path()).unwrap_err();
    /// assert!(err.to_string().ends_with("is not a stemma index"));
    /// ```
    pub fn open(dir: impl AsRef<Path>) -> Result<Index, IndexError> {
        let dir = dir.as_ref();
        match classify(dir)? {
            Found::Missing | Found::Empty => Err(IndexError::Missing(dir.to_path_buf())),
            Found::Marked => open_in(dir),
            Found::Foreign => Err(IndexError::NotAnIndex(dir.to_path_buf())),
        }
    }

    /// Open the index in `dir`, creating it when the folder does not exist or is empty.
    pub fn open_or_create(dir: impl AsRef<Path>) -> Result<Index, IndexError> {
        let dir = dir.as_ref();
        match classify(dir)? {
            Found::Missing | Found::Empty => create_in(dir),
            Found::Marked => open_in(dir),
            Found::Foreign => Err(IndexError::NotAnIndex(dir.to_path_buf())),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The marker: format version and fingerprint parameters.
    pub fn marker(&self) -> &Marker {
        &self.marker
    }

    /// The fingerprints this index stores for a text: the same function on both sides, so a
    /// target's fingerprints meet the corpus's.
    pub fn fingerprints(&self, analysis: &Analysis) -> Vec<u64> {
        let mut fps: Vec<u64> = stemma_align::fingerprint::fingerprints(
            analysis,
            self.marker.ngram,
            self.marker.window,
        )
        .into_iter()
        .map(stored_bits)
        .collect();
        fps.sort_unstable();
        fps.dedup();
        fps
    }

    /// The fingerprints to look a target up with: every n-gram hash of the target, not only
    /// the winnowed ones. A source's stored (winnowed) fingerprint is then found whenever its
    /// n-gram survives in the target, which lightly edited reuse breaks far less often than it
    /// breaks the winnowing windows on both sides agreeing.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = stemma_index::Index::create(dir.path()).unwrap();
    /// let a = stemma_text::analyze("one two three four five six seven eight nine ten eleven twelve");
    /// assert!(index.query_fingerprints(&a).len() > index.fingerprints(&a).len());
    /// ```
    pub fn query_fingerprints(&self, analysis: &Analysis) -> Vec<u64> {
        let mut all: Vec<u64> =
            stemma_align::fingerprint::ngram_hashes(analysis, self.marker.ngram)
                .into_iter()
                .map(|(h, _)| stored_bits(h))
                .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// See the last commit (of this process or any other). Readers keep the view they had
    /// until then, so a running `add` never shows half a batch.
    pub fn reload(&self) -> Result<(), IndexError> {
        match &self.fp_view {
            None => self
                .reader
                .reload()
                .map_err(|e| IndexError::from_tantivy(&self.dir, e)),
            Some(view) => {
                let fresh = load_view(&self.dir, &self.index, &self.reader)?;
                let mut current = view.write().unwrap_or_else(|e| e.into_inner());
                // The same commit: keep the view, and the live-document map it may have built.
                if current.commit != fresh.commit {
                    *current = Arc::new(fresh);
                }
                Ok(())
            }
        }
    }

    /// Whether the fingerprint postings are in our own store (format 4) rather than in
    /// tantivy's `fp` field (format 3).
    pub fn stores_fingerprints_apart(&self) -> bool {
        self.fp_view.is_some()
    }

    /// Format 4: the view of the last reload.
    pub(crate) fn fp_view(&self) -> Option<Arc<fpstore::FpView>> {
        self.fp_view
            .as_ref()
            .map(|v| v.read().unwrap_or_else(|e| e.into_inner()).clone())
    }

    /// A writer: the only one for this folder until it is dropped (or its process dies).
    pub fn writer(&self) -> Result<IndexWriter<'_>, IndexError> {
        IndexWriter::new(self)
    }

    /// A writer with an explicit number of indexing threads and memory budget (bytes).
    pub fn writer_with(
        &self,
        threads: usize,
        heap_bytes: usize,
    ) -> Result<IndexWriter<'_>, IndexError> {
        IndexWriter::with(self, threads, heap_bytes)
    }
}

/// The top 32 bits of a fingerprint: what the index stores. tantivy keys u64 terms by their
/// 8 big-endian bytes; with the 4 high bytes zero every term shares them, and the term
/// dictionary (an FST, whose construction is the costliest part of indexing random hashes)
/// has half as many bytes to build. At 100,000 documents (~2.5 M distinct fingerprints) a
/// query fingerprint falsely meets a stored one with probability ~0.06%; alignment checks
/// every candidate anyway.
fn stored_bits(hash: u64) -> u64 {
    hash >> 32
}

enum Found {
    Missing,
    Empty,
    Marked,
    Foreign,
}

fn classify(dir: &Path) -> Result<Found, IndexError> {
    let io = |e| IndexError::Io(dir.to_path_buf(), e);
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(io(e)),
        Ok(meta) if !meta.is_dir() => return Err(IndexError::NotAnIndex(dir.to_path_buf())),
        Ok(_) => {}
    }
    if dir.join(MARKER_FILE).exists() {
        return Ok(Found::Marked);
    }
    let mut entries = std::fs::read_dir(dir).map_err(io)?;
    Ok(if entries.next().is_none() {
        Found::Empty
    } else {
        Found::Foreign
    })
}

fn read_marker(dir: &Path) -> Result<Marker, IndexError> {
    let path = dir.join(MARKER_FILE);
    let bytes = std::fs::read(&path).map_err(|e| IndexError::Io(path.clone(), e))?;
    let marker: Marker = serde_json::from_slice(&bytes).map_err(|e| {
        IndexError::Corrupt(
            dir.to_path_buf(),
            format!("{MARKER_FILE} is unreadable: {e}"),
        )
    })?;
    if marker.format != "stemma-index" {
        return Err(IndexError::NotAnIndex(dir.to_path_buf()));
    }
    if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&marker.version) {
        return Err(IndexError::Version {
            dir: dir.to_path_buf(),
            found: marker.version,
        });
    }
    Ok(marker)
}

/// Write the marker first (atomically: temp file, fsync, rename), then the tantivy index.
/// A crash between the two leaves a marked folder with no index in it, which
/// [`open_in`] finishes creating.
fn create_in(dir: &Path) -> Result<Index, IndexError> {
    create_with_version(dir, FORMAT_VERSION)
}

/// Create an index of an older format (tests of the older format's code path).
#[doc(hidden)]
pub fn create_with_version(dir: &Path, version: u32) -> Result<Index, IndexError> {
    let io = |e| IndexError::Io(dir.to_path_buf(), e);
    std::fs::create_dir_all(dir).map_err(io)?;
    let marker = Marker {
        version,
        ..Marker::default()
    };
    let tmp = dir.join(format!("{MARKER_FILE}.tmp"));
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        file.write_all(&serde_json::to_vec_pretty(&marker).expect("marker serializes"))
            .and_then(|_| file.sync_all())
            .map_err(io)?;
    }
    std::fs::rename(&tmp, dir.join(MARKER_FILE)).map_err(io)?;
    sync_dir(dir);
    open_in(dir)
}

pub(crate) fn sync_dir(dir: &Path) {
    // Makes the rename durable; not every platform can open a folder, hence best effort.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn open_in(dir: &Path) -> Result<Index, IndexError> {
    let marker = read_marker(dir)?;
    let has_meta = dir.join("meta.json").exists();
    let index = if has_meta {
        // tantivy can panic on some kinds of garbage; a corrupt index is an error, not a crash.
        let opened = std::panic::catch_unwind(|| tantivy::Index::open_in_dir(dir))
            .map_err(|_| IndexError::Corrupt(dir.to_path_buf(), "unreadable segments".into()))?;
        opened.map_err(|e| IndexError::from_tantivy(dir, e))?
    } else {
        // Marked but without meta.json: either a create that died before tantivy wrote it
        // (then only the marker and lock files are here) or damage.
        let stray = std::fs::read_dir(dir)
            .map_err(|e| IndexError::Io(dir.to_path_buf(), e))?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .any(|name| {
                name != MARKER_FILE && !name.starts_with(".tantivy-") && name != ".managed.json"
            });
        if stray {
            return Err(IndexError::Corrupt(
                dir.to_path_buf(),
                "meta.json is missing".into(),
            ));
        }
        tantivy::Index::create_in_dir(dir, schema::build())
            .map_err(|e| IndexError::from_tantivy(dir, e))?
    };
    schema::register_tokenizers(&index);
    let fields = Fields::resolve(&index.schema())
        .ok_or_else(|| IndexError::Corrupt(dir.to_path_buf(), "unexpected schema".into()))?;
    let reader = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
    }))
    .map_err(|_| IndexError::Corrupt(dir.to_path_buf(), "unreadable segments".into()))?
    .map_err(|e| IndexError::from_tantivy(dir, e))?;
    let fp_view = if marker.version >= 4 {
        if fields.fpdoc.is_none() {
            return Err(IndexError::Corrupt(
                dir.to_path_buf(),
                "a format-4 index without the fpdoc field".into(),
            ));
        }
        Some(RwLock::new(Arc::new(load_view(dir, &index, &reader)?)))
    } else {
        None
    };
    Ok(Index {
        dir: dir.to_path_buf(),
        marker,
        index,
        reader,
        fields,
        fp_view,
    })
}

/// Reload `reader` and open the fingerprint files its commit names. A commit landing in
/// between (another process writing) is seen by comparing `meta.json` before and after,
/// and read again.
fn load_view(
    dir: &Path,
    index: &tantivy::Index,
    reader: &IndexReader,
) -> Result<fpstore::FpView, IndexError> {
    let tantivy_err = |e| IndexError::from_tantivy(dir, e);
    let mut last = None;
    for _ in 0..10 {
        let before = index.load_metas().map_err(tantivy_err)?;
        reader.reload().map_err(tantivy_err)?;
        let searcher = reader.searcher();
        let after = index.load_metas().map_err(tantivy_err)?;
        // In the searcher's order: documents' addresses follow it.
        let seen: Vec<_> = searcher
            .segment_readers()
            .iter()
            .map(|s| (s.segment_id(), s.num_deleted_docs()))
            .collect();
        let mut meant: Vec<_> = after
            .segments
            .iter()
            .map(|s| (s.id(), s.num_deleted_docs()))
            .collect();
        let mut sorted = seen.clone();
        sorted.sort();
        meant.sort();
        if before.payload != after.payload || sorted != meant {
            continue;
        }
        let state = fpstore::StoreState::from_payload(dir, after.payload.as_deref())?;
        match fpstore::FpStore::open(dir, state) {
            Ok(store) => {
                return Ok(fpstore::FpView::new(searcher, store, (after.payload, seen)));
            }
            // A newer commit removed a file of this one: read the newer one.
            Err(None) => last = Some(()),
            Err(Some(e)) => return Err(e),
        }
    }
    Err(IndexError::Corrupt(
        dir.to_path_buf(),
        if last.is_some() {
            "a fingerprint file named by meta.json is missing".into()
        } else {
            "meta.json kept changing while it was read".into()
        },
    ))
}

#[cfg(test)]
mod tests;
