//! Adding, replacing and deleting documents; commits.

use foldhash::HashMap;
use rayon::prelude::*;
use stemma_text::{Analysis, Document};
use tantivy::{TantivyDocument, Term};
use xxhash_rust::xxh3::Xxh3;

use crate::embedding::{quantize, stored_codes, SentenceEmbeddings};
use crate::error::IndexError;
use crate::fpstore::{self, StoreState};
use crate::Index;

/// What computes a document's sentence embeddings at add time (the caller's model): called
/// on rayon's threads, once per new or changed document, with the document's analysis.
pub type Embedder<'e> = dyn Fn(&Document, &Analysis) -> SentenceEmbeddings + Sync + 'e;

/// What [`IndexWriter::add`] did with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// A new id.
    Added,
    /// The id existed with other content: the old document is replaced at the next commit.
    Replaced,
    /// The id existed with the same content and metadata: nothing to do.
    Unchanged,
}

/// The one writer of an index (a lock file keeps other processes out until it is dropped or
/// its process dies). Nothing it does is visible, or durable, before [`IndexWriter::commit`].
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let index = stemma_index::Index::create(dir.path()).unwrap();
/// let mut writer = index.writer().unwrap();
/// let doc = stemma_text::Document::new("a", "Some words to keep in the corpus.");
/// assert_eq!(writer.add(&doc).unwrap(), stemma_index::AddOutcome::Added);
/// writer.commit().unwrap();
/// assert_eq!(writer.add(&doc).unwrap(), stemma_index::AddOutcome::Unchanged);
/// assert!(index.writer().is_err()); // locked while `writer` lives
/// ```
pub struct IndexWriter<'a> {
    index: &'a Index,
    writer: tantivy::IndexWriter<TantivyDocument>,
    /// Ids added since the last commit, with their content hash.
    pending: HashMap<String, u64>,
    uncommitted: usize,
    /// Whether added documents get their dedup band keys (`dkeys`).
    dedup_keys: bool,
    /// Format 4: the fingerprint store as of the last commit; none in format 3.
    store: Option<StoreState>,
    /// Format 4: `fingerprint << 32 | document number` of each document added since.
    pairs: Vec<u64>,
    /// Format 4: the number the next added document gets.
    next_doc: u32,
}

impl<'a> IndexWriter<'a> {
    pub(crate) fn new(index: &'a Index) -> Result<Self, IndexError> {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
        Self::with(index, threads, 64 * 1024 * 1024 * threads)
    }

    pub(crate) fn with(index: &'a Index, threads: usize, heap: usize) -> Result<Self, IndexError> {
        let threads = threads.max(1);
        // tantivy wants at least 15 MB per thread.
        let heap = heap.max(threads * 16 * 1024 * 1024);
        let writer = index
            .index
            .writer_with_num_threads(threads, heap)
            .map_err(|e| IndexError::from_tantivy(&index.dir, e))?;
        // Holding the lock now: the last commit is final until ours.
        let store = match index.fp_view.is_some() {
            false => None,
            true => {
                index.reload()?;
                let view = index.fp_view().expect("format 4");
                view.store.verify(&index.dir)?;
                let state = view.store.state().clone();
                fpstore::remove_orphans(&index.dir, &state);
                Some(state)
            }
        };
        let next_doc = store.as_ref().map_or(0, |s| s.next_doc);
        Ok(IndexWriter {
            store,
            pairs: Vec::new(),
            next_doc,
            index,
            writer,
            pending: HashMap::default(),
            uncommitted: 0,
            // Kept up to date where `index add --dedup` has stored them, so that its next
            // run stays incremental; elsewhere an add pays nothing for them.
            dedup_keys: index.holds_dedup_keys()?,
        })
    }

    /// Store each document added from now on with its dedup band keys, which
    /// `stemma index add --dedup` reads ([`crate::Index::dedup_neighbourhood`]); off stops
    /// storing them. A new writer stores them when a document of the index already has
    /// them, and not otherwise: only `--dedup` needs them (they cost about 8 % of an add's
    /// instructions). An index created before them (no `dkeys` field) never stores them.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let index = stemma_index::Index::create(dir.path()).unwrap();
    /// let mut writer = index.writer().unwrap();
    /// assert!(!writer.stores_dedup_keys()); // nothing in the index has them yet
    /// writer.set_dedup_keys(true);
    /// writer.add(&stemma_text::Document::new("a", "Some words to keep.")).unwrap();
    /// writer.commit().unwrap();
    /// drop(writer);
    /// assert!(index.writer().unwrap().stores_dedup_keys()); // kept up to date from now on
    /// ```
    pub fn set_dedup_keys(&mut self, store: bool) {
        self.dedup_keys = store && self.index.stores_dedup_keys();
    }

    /// Whether documents added now get their dedup band keys ([`IndexWriter::set_dedup_keys`]).
    pub fn stores_dedup_keys(&self) -> bool {
        self.dedup_keys
    }

    /// Add `doc`, replacing any document with the same id; unchanged content is skipped.
    pub fn add(&mut self, doc: &Document) -> Result<AddOutcome, IndexError> {
        let analysis = stemma_text::analyze(&doc.text);
        self.add_analyzed(doc, &analysis)
    }

    /// [`IndexWriter::add`] for many documents, analyzed in parallel (rayon), added in order.
    pub fn add_all(&mut self, docs: &[Document]) -> Result<Vec<AddOutcome>, IndexError> {
        self.add_all_with(docs, None)
    }

    /// [`IndexWriter::add_all`], also storing each new or changed document's sentence
    /// embeddings from `embedder` (when given and the index has the fields for them). Without
    /// an embedder nothing more is computed than by `add_all`.
    pub fn add_all_with(
        &mut self,
        docs: &[Document],
        embedder: Option<&Embedder>,
    ) -> Result<Vec<AddOutcome>, IndexError> {
        self.add_batch(docs, embedder, false)
    }

    /// Store embeddings for documents that are already in the index with the same content
    /// (re-added whole, in one commit with the rest: `stemma index embed`). A document whose
    /// id is not in the index is added.
    pub fn embed_all(
        &mut self,
        docs: &[Document],
        embedder: &Embedder,
    ) -> Result<Vec<AddOutcome>, IndexError> {
        self.add_batch(docs, Some(embedder), true)
    }

    fn add_batch(
        &mut self,
        docs: &[Document],
        embedder: Option<&Embedder>,
        force: bool,
    ) -> Result<Vec<AddOutcome>, IndexError> {
        let embedder = embedder.filter(|_| self.index.stores_embeddings());
        // What each id holds now is looked up once (a term lookup per document), so
        // unchanged documents cost no analysis; the rest are analyzed (tokens, stems,
        // fingerprints) in parallel while tantivy indexes on its own threads.
        let hashes: Vec<u64> = docs.par_iter().map(content_hash).collect();
        let mut previous = Vec::with_capacity(docs.len());
        for doc in docs {
            previous.push(self.previous_hash(&doc.id)?);
        }
        let dedup_keys = self.dedup_keys;
        type Analyzed = (Vec<u64>, usize, Vec<u64>, Option<SentenceEmbeddings>);
        let prepared: Vec<Option<Analyzed>> = docs
            .par_iter()
            .zip(&hashes)
            .zip(&previous)
            .with_min_len(if embedder.is_some() { 1 } else { 4 })
            .map(|((doc, &hash), &previous)| {
                (force || previous != Some(hash)).then(|| {
                    let analysis = stemma_text::analyze(&doc.text);
                    let embeddings = embedder.map(|embed| embed(doc, &analysis));
                    let keys = if dedup_keys {
                        crate::dedup_keys::dedup_keys(&analysis)
                    } else {
                        Vec::new()
                    };
                    (
                        self.index.fingerprints(&analysis),
                        analysis.tokens.len(),
                        keys,
                        embeddings,
                    )
                })
            })
            .collect();
        let mut outcomes = Vec::with_capacity(docs.len());
        for (i, (doc, prepared)) in docs.iter().zip(prepared).enumerate() {
            outcomes.push(match prepared {
                None => AddOutcome::Unchanged,
                Some((fps, words, keys, embeddings)) => {
                    // A second document with the same id in this batch sees the first.
                    let mut previous = self.pending.get(&doc.id).copied().or(previous[i]);
                    if force && previous.is_some() {
                        // Unchanged content, replaced to store its embeddings.
                        previous = Some(!hashes[i]);
                    }
                    let prepared = Prepared {
                        hash: hashes[i],
                        previous,
                        fps: &fps,
                        words,
                        dedup_keys: &keys,
                        embeddings: embeddings.as_ref(),
                    };
                    self.add_prepared(doc, prepared)?
                }
            });
        }
        Ok(outcomes)
    }

    /// [`IndexWriter::add`] with an analysis the caller already has.
    pub fn add_analyzed(
        &mut self,
        doc: &Document,
        analysis: &Analysis,
    ) -> Result<AddOutcome, IndexError> {
        let fps = self.index.fingerprints(analysis);
        let keys = if self.dedup_keys {
            crate::dedup_keys::dedup_keys(analysis)
        } else {
            Vec::new()
        };
        let prepared = Prepared {
            hash: content_hash(doc),
            previous: self.previous_hash(&doc.id)?,
            fps: &fps,
            words: analysis.tokens.len(),
            dedup_keys: &keys,
            embeddings: None,
        };
        self.add_prepared(doc, prepared)
    }

    /// The content hash the id holds now: added since the last commit, or committed.
    fn previous_hash(&self, id: &str) -> Result<Option<u64>, IndexError> {
        match self.pending.get(id) {
            Some(&h) => Ok(Some(h)),
            None => self.index.stored_hash(id),
        }
    }

    pub(crate) fn add_prepared(
        &mut self,
        doc: &Document,
        prepared: Prepared,
    ) -> Result<AddOutcome, IndexError> {
        let Prepared {
            hash,
            previous,
            fps,
            words,
            dedup_keys,
            embeddings,
        } = prepared;
        let outcome = match previous {
            Some(h) if h == hash => return Ok(AddOutcome::Unchanged),
            Some(_) => AddOutcome::Replaced,
            None => AddOutcome::Added,
        };
        let f = &self.index.fields;
        if outcome == AddOutcome::Replaced {
            // Deletes apply to documents added before them, so delete-then-add in one commit
            // replaces atomically.
            self.writer
                .delete_term(Term::from_field_text(f.id, &doc.id));
        }
        let mut t = TantivyDocument::new();
        t.add_text(f.id, &doc.id);
        let optional = [
            (f.title, &doc.title),
            (f.source, &doc.source),
            (f.date, &doc.date),
            (f.lang, &doc.lang),
        ];
        for (field, value) in optional {
            if let Some(v) = value {
                t.add_text(field, v);
            }
        }
        t.add_text(f.encoding, &doc.encoding);
        t.add_u64(f.replaced, doc.replaced as u64);
        t.add_text(f.text, &doc.text);
        match (self.store.is_some(), f.fpdoc) {
            (true, Some(fpdoc)) => {
                let number = self.next_doc;
                self.next_doc = number.checked_add(1).ok_or_else(|| {
                    IndexError::Other(
                        self.index.dir.clone(),
                        "the index has numbered 2^32 documents: rebuild it".into(),
                    )
                })?;
                t.add_u64(fpdoc, u64::from(number));
                self.pairs
                    .extend(fps.iter().map(|&fp| fp << 32 | u64::from(number)));
            }
            _ => {
                for &fp in fps {
                    t.add_u64(f.fp, fp);
                }
            }
        }
        t.add_u64(f.hash, hash);
        t.add_u64(f.bytes, doc.text.len() as u64);
        t.add_u64(f.words, words as u64);
        t.add_u64(f.fps, fps.len() as u64);
        t.add_u64(f.day, day_key(doc.date.as_deref()));
        if let Some(field) = f.dedup_keys {
            for &key in dedup_keys {
                t.add_u64(field, key);
            }
        }
        if let (Some(x), Some(e)) = (f.xling, embeddings) {
            t.add_bytes(x.emb, &quantize(e));
            for code in stored_codes(e) {
                t.add_u64(x.codes, code);
            }
            t.add_u64(x.sentences, e.sentences() as u64);
            if let Some(lang) = &e.lang {
                t.add_text(x.lang, lang);
            }
        }
        self.writer
            .add_document(t)
            .map_err(|e| IndexError::from_tantivy(&self.index.dir, e))?;
        self.pending.insert(doc.id.clone(), hash);
        self.uncommitted += 1;
        Ok(outcome)
    }

    /// Delete the document with this id (at the next commit); whether it existed.
    pub fn delete(&mut self, id: &str) -> Result<bool, IndexError> {
        let existed = self.pending.remove(id).is_some() || self.index.stored_hash(id)?.is_some();
        if existed {
            self.writer
                .delete_term(Term::from_field_text(self.index.fields.id, id));
            self.uncommitted += 1;
        }
        Ok(existed)
    }

    /// Changes (adds, replacements, deletions) since the last commit.
    pub fn uncommitted(&self) -> usize {
        self.uncommitted
    }

    /// Make every change so far durable and visible, atomically: after a crash the index
    /// holds all of them or none. Also refreshes the index's read view.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        let dir = &self.index.dir;
        let tantivy_err = |e| IndexError::from_tantivy(dir, e);
        let Some(state) = &self.store else {
            self.writer.commit().map_err(tantivy_err)?;
            self.pending.clear();
            self.uncommitted = 0;
            return self.index.reload();
        };
        // The new fingerprint file is written (and fsynced) while tantivy flushes its
        // segments; tantivy's commit, which names it in its payload, comes after both.
        let mut next = state.clone();
        let pairs = std::mem::take(&mut self.pairs);
        let (written, prepared) = std::thread::scope(|scope| {
            let writing = scope.spawn(|| fpstore::write_file(dir, next.next_file, pairs));
            let prepared = self.writer.prepare_commit();
            (
                writing.join().expect("writing the fingerprint file"),
                prepared,
            )
        });
        let mut prepared = match (written, prepared) {
            (Ok(written), Ok(prepared)) => {
                if let Some(file) = written {
                    next.files.push(file);
                    next.next_file += 1;
                }
                prepared
            }
            (Err(e), Ok(prepared)) => {
                // Not committed: the documents since the last commit are dropped.
                let _ = prepared.abort();
                self.after_rollback();
                return Err(crate::error::io_error(dir, e));
            }
            (_, Err(e)) => {
                self.after_rollback();
                return Err(tantivy_err(e));
            }
        };
        next.next_doc = self.next_doc;
        prepared.set_payload(&next.to_payload());
        prepared.commit().map_err(tantivy_err)?;
        self.store = Some(next);
        self.pending.clear();
        self.uncommitted = 0;
        self.index.reload()?;
        self.merge_fingerprint_files()
    }

    /// Format 4, after a commit: merge the newest fingerprint files when the rule says so
    /// ([`fpstore::merge_from`]; live documents' postings only), in a commit of its own.
    fn merge_fingerprint_files(&mut self) -> Result<(), IndexError> {
        let dir = &self.index.dir;
        let Some(state) = &self.store else {
            return Ok(());
        };
        if let Some(from) = fpstore::merge_from(&state.files) {
            let view = self.index.fp_view().expect("format 4");
            let live = view.live().map_err(|e| self.index.err(e))?;
            let keep = |n: u32| {
                live.get(n as usize)
                    .is_some_and(|&a| a != fpstore::NOT_LIVE)
            };
            let mut next = state.clone();
            let merged = fpstore::merge_files(dir, &view.store, from, next.next_file, keep)?;
            next.files.truncate(from);
            next.files.extend(merged);
            next.next_file += 1;
            let mut prepared = self
                .writer
                .prepare_commit()
                .map_err(|e| IndexError::from_tantivy(dir, e))?;
            prepared.set_payload(&next.to_payload());
            prepared
                .commit()
                .map_err(|e| IndexError::from_tantivy(dir, e))?;
            self.store = Some(next);
            self.index.reload()?;
        }
        if let Some(state) = &self.store {
            fpstore::remove_orphans(dir, state);
        }
        Ok(())
    }

    fn after_rollback(&mut self) {
        self.pending.clear();
        self.pairs.clear();
        self.uncommitted = 0;
        // `next_doc` stays: a number is never given twice, even if a failed commit took
        // effect after all.
    }

    /// Drop uncommitted changes.
    pub fn rollback(&mut self) -> Result<(), IndexError> {
        self.writer
            .rollback()
            .map_err(|e| IndexError::from_tantivy(&self.index.dir, e))?;
        self.after_rollback();
        Ok(())
    }

    /// Wait for background segment merges, so the next reader sees few segments (fast
    /// candidate retrieval). Uncommitted changes are dropped: commit first.
    pub fn finish(self) -> Result<(), IndexError> {
        let dir = self.index.dir.clone();
        self.writer
            .wait_merging_threads()
            .map_err(|e| IndexError::from_tantivy(&dir, e))?;
        self.index.reload()
    }
}

/// What is added for one document besides the document itself.
pub(crate) struct Prepared<'p> {
    /// Its content hash.
    pub hash: u64,
    /// The content hash its id holds now.
    pub previous: Option<u64>,
    pub fps: &'p [u64],
    pub words: usize,
    /// Its stored dedup band keys (`dedup_keys` module).
    pub dedup_keys: &'p [u64],
    pub embeddings: Option<&'p SentenceEmbeddings>,
}

/// A date as a number that sorts like the date: `YYYYMMDD` from a leading `YYYY`, `YYYY-MM`
/// or `YYYY-MM-DD` (missing parts count as the earliest); undated or unreadable: `u64::MAX`.
pub(crate) fn day_key(date: Option<&str>) -> u64 {
    let Some(date) = date else { return u64::MAX };
    let mut parts = date.trim().split(['-', 'T', ' ', '/']);
    let num = |p: Option<&str>, digits: usize| {
        p.filter(|p| p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u64>().ok())
    };
    let Some(year) = num(parts.next(), 4) else {
        return u64::MAX;
    };
    let month = num(parts.next(), 2).unwrap_or(0);
    let day = if month > 0 {
        num(parts.next(), 2).unwrap_or(0)
    } else {
        0
    };
    year * 10_000 + month * 100 + day
}

/// Hash of everything stored about a document: text and metadata.
fn content_hash(doc: &Document) -> u64 {
    let mut h = Xxh3::new();
    for part in [&doc.title, &doc.source, &doc.date, &doc.lang] {
        match part {
            Some(s) => {
                h.update(&[1]);
                h.update(&(s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(&[0]),
        }
    }
    h.update(doc.encoding.as_bytes());
    h.update(&[0]);
    h.update(doc.text.as_bytes());
    h.digest()
}
