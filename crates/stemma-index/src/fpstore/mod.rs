//! The fingerprint postings of a format-4 index: our own store beside tantivy, inside its
//! commit.
//!
//! tantivy's per-term hash inserts dominated `index add` (the ~250 k distinct fingerprints of
//! Reuters are most of its terms, each a random probe of its term table); here an add only
//! appends `(fingerprint, document number)` pairs to a vector, and the commit sorts them and
//! writes one immutable file (`file` module: sorted keys, checksummed blocks, memory-mapped
//! when read).
//!
//! - **Document numbers.** Every added document gets the next stable number, stored in the
//!   `fpdoc` fast field; tantivy's merges and deletions move and drop documents, never renumber
//!   them. A reader maps numbers to the live documents of its view ([`FpView::live`]); postings
//!   of deleted or replaced documents are skipped when read and dropped when files merge.
//! - **One commit.** The new file is written and fsynced first, then tantivy commits with a
//!   payload ([`StoreState`], in `meta.json`) naming the files valid at that commit and the
//!   next document number. A crash before tantivy's commit leaves an orphan file that no
//!   payload names; the next writer deletes it ([`remove_orphans`]).
//! - **Merging**, log-structured ([`merge_from`]): files fall into size tiers a factor of 4
//!   apart; four files of one tier (or smaller) merge into one, keeping only the postings of
//!   live documents, in a commit of its own that changes no document. A tier then holds at
//!   most three files and a posting is rewritten once per tier it climbs: 100,000
//!   one-document adds of 150 fingerprints leave at most 23 files and rewrite each posting
//!   about 6 times (5,000 adds of 20 into 10,000 postings: 12 files, 11 times).

mod file;

use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tantivy::Searcher;

pub(crate) use file::numbers;
use file::{FpFile, FpFileWriter};

use crate::error::IndexError;

/// How many files of one size tier merge into one ([`merge_from`]).
pub(crate) const MERGE_FACTOR: usize = 4;
/// Postings of the smallest tier: smaller files all count as this size.
const SMALLEST_TIER: u64 = 1024;

/// What a commit's payload records of the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoreState {
    /// The number the next added document gets.
    pub next_doc: u32,
    /// The number in the next file's name.
    pub next_file: u64,
    /// The files valid at this commit, oldest first.
    pub files: Vec<FileRef>,
}

/// One file of a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileRef {
    /// Its name in the index folder.
    pub name: String,
    /// Postings it holds.
    pub postings: u64,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    fingerprints: StoreState,
}

impl StoreState {
    /// The state a commit payload records (none: an index never committed).
    pub(crate) fn from_payload(dir: &Path, payload: Option<&str>) -> Result<Self, IndexError> {
        match payload {
            None => Ok(StoreState::default()),
            Some(text) => serde_json::from_str::<Payload>(text)
                .map(|p| p.fingerprints)
                .map_err(|e| {
                    IndexError::Corrupt(
                        dir.to_path_buf(),
                        format!("meta.json's payload names no fingerprint files: {e}"),
                    )
                }),
        }
    }

    pub(crate) fn to_payload(&self) -> String {
        serde_json::to_string(&Payload {
            fingerprints: self.clone(),
        })
        .expect("the payload serializes")
    }

    fn file_name(number: u64) -> String {
        format!("fp-{number:08}.fps")
    }
}

fn damaged(dir: &Path, name: &str, why: impl std::fmt::Display) -> IndexError {
    IndexError::Corrupt(dir.to_path_buf(), format!("fingerprint file {name}: {why}"))
}

/// The open files of one commit.
#[derive(Debug)]
pub(crate) struct FpStore {
    state: StoreState,
    files: Vec<(String, FpFile)>,
}

impl FpStore {
    /// Open every file `state` names; a missing one is `Err(None)` (a newer commit may have
    /// removed it: reload), a damaged one `Err(Some(error))`.
    pub(crate) fn open(dir: &Path, state: StoreState) -> Result<FpStore, Option<IndexError>> {
        let mut files = Vec::with_capacity(state.files.len());
        for f in &state.files {
            let file = match FpFile::open(&dir.join(&f.name)) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(None),
                Err(e) => return Err(Some(damaged(dir, &f.name, e))),
            };
            let file = file
                .check()
                .map_err(|why| Some(damaged(dir, &f.name, why)))?;
            if file.postings() != f.postings {
                return Err(Some(damaged(
                    dir,
                    &f.name,
                    format!(
                        "holds {} postings, the commit says {}",
                        file.postings(),
                        f.postings
                    ),
                )));
            }
            files.push((f.name.clone(), file));
        }
        Ok(FpStore { state, files })
    }

    /// Check every block of every file: a writer refuses a damaged store before it adds to
    /// it (a reader finds damage in the blocks it reads).
    pub(crate) fn verify(&self, dir: &Path) -> Result<(), IndexError> {
        for (name, file) in &self.files {
            file.verify().map_err(|why| damaged(dir, name, why))?;
        }
        Ok(())
    }

    /// The state of the commit these files belong to.
    pub(crate) fn state(&self) -> &StoreState {
        &self.state
    }

    /// Each file's postings of `key` (document numbers, ascending within a file), oldest
    /// file first.
    pub(crate) fn lookup<'s>(
        &'s self,
        dir: &Path,
        key: u32,
        out: &mut Vec<&'s [u8]>,
    ) -> Result<(), IndexError> {
        out.clear();
        for (name, file) in &self.files {
            let postings = file.lookup(key).map_err(|why| damaged(dir, name, why))?;
            if !postings.is_empty() {
                out.push(postings);
            }
        }
        Ok(())
    }
}

/// A reader's view: a searcher and the fingerprint files of the same commit.
pub(crate) struct FpView {
    pub searcher: Searcher,
    pub store: FpStore,
    /// What the commit was: its payload and its segments with their deletions. A reload
    /// finding the same keeps the view (and its map of live documents).
    pub commit: CommitKey,
    live: OnceLock<Vec<u64>>,
}

/// A commit's payload and its segments (id, deleted documents) in the searcher's order.
pub(crate) type CommitKey = (Option<String>, Vec<(tantivy::index::SegmentId, u32)>);

/// No live document has this number.
pub(crate) const NOT_LIVE: u64 = u64::MAX;

impl FpView {
    pub(crate) fn new(searcher: Searcher, store: FpStore, commit: CommitKey) -> FpView {
        FpView {
            searcher,
            store,
            commit,
            live: OnceLock::new(),
        }
    }

    /// For each document number, its live document in this view's searcher as
    /// `segment ord << 32 | doc id`, or [`NOT_LIVE`]. Built on first use (one fast-field read
    /// per live document).
    pub(crate) fn live(&self) -> Result<&[u64], tantivy::TantivyError> {
        if let Some(live) = self.live.get() {
            return Ok(live);
        }
        let mut live = vec![NOT_LIVE; self.store.state.next_doc as usize];
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            let numbers = segment.fast_fields().u64(crate::schema::FPDOC)?;
            for doc in segment.doc_ids_alive() {
                if let Some(n) = numbers.first(doc) {
                    if let Some(slot) = live.get_mut(n as usize) {
                        *slot = (ord as u64) << 32 | u64::from(doc);
                    }
                }
            }
        }
        let _ = self.live.set(live);
        Ok(self.live.get().expect("set above"))
    }
}

/// Writes the pairs added since the last commit as a new file: `pairs` are
/// `fingerprint << 32 | document number`. Returns the file's entry (none: no pairs).
pub(crate) fn write_file(
    dir: &Path,
    number: u64,
    mut pairs: Vec<u64>,
) -> std::io::Result<Option<FileRef>> {
    if pairs.is_empty() {
        return Ok(None);
    }
    // Numbers grow with each add and a document's fingerprints come sorted, so runs are
    // long; an unstable sort of u64 is what costs least here.
    pairs.sort_unstable();
    pairs.dedup();
    let name = StoreState::file_name(number);
    let path = dir.join(&name);
    // An orphan of a crashed commit may hold the name: nothing refers to it.
    let _ = std::fs::remove_file(&path);
    let mut out = FpFileWriter::create(&path)?;
    let mut i = 0;
    while i < pairs.len() {
        let key = (pairs[i] >> 32) as u32;
        let start = i;
        while i < pairs.len() && (pairs[i] >> 32) as u32 == key {
            i += 1;
        }
        out.push(key, pairs[start..i].iter().map(|&p| p as u32))?;
    }
    let postings = out.finish()?;
    crate::sync_dir(dir);
    Ok(Some(FileRef { name, postings }))
}

/// Which newest files to merge, as the index of the first (none: leave them). Files fall
/// into tiers by size, a tier per power of [`MERGE_FACTOR`] postings (files under
/// [`SMALLEST_TIER`] postings share one); when the newest [`MERGE_FACTOR`] or more files are all
/// of the newest one's tier or below, they merge into one of a higher tier. Files then hold
/// at most `MERGE_FACTOR - 1` of a tier, and a posting is rewritten once per tier it climbs.
pub(crate) fn merge_from(files: &[FileRef]) -> Option<usize> {
    let tier = |postings: u64| {
        let mut t = 0;
        let mut size = SMALLEST_TIER;
        while size < postings {
            size = size.saturating_mul(MERGE_FACTOR as u64);
            t += 1;
        }
        t
    };
    // A merge can fill the next tier up: merge that too, in the same pass.
    let mut sizes: Vec<u64> = files.iter().map(|f| f.postings).collect();
    let mut from = None;
    loop {
        let newest = tier(*sizes.last()?);
        let mut k = sizes.len() - 1;
        while k > 0 && tier(sizes[k - 1]) <= newest {
            k -= 1;
        }
        if sizes.len() - k < MERGE_FACTOR {
            return from;
        }
        let merged = sizes[k..].iter().sum();
        sizes.truncate(k);
        sizes.push(merged);
        from = Some(k);
    }
}

/// Merge `store`'s files from `from` on into one new file, keeping the postings of the
/// document numbers `keep` says are live.
pub(crate) fn merge_files(
    dir: &Path,
    store: &FpStore,
    from: usize,
    number: u64,
    keep: impl Fn(u32) -> bool,
) -> Result<Option<FileRef>, IndexError> {
    let io = |e| crate::error::io_error(dir, e);
    let inputs = &store.files[from..];
    let name = StoreState::file_name(number);
    let path = dir.join(&name);
    let _ = std::fs::remove_file(&path);
    let mut out = FpFileWriter::create(&path).map_err(io)?;
    let mut entries: Vec<_> = inputs.iter().map(|(_, f)| f.entries()).collect();
    let mut heads = Vec::with_capacity(entries.len());
    for (i, it) in entries.iter_mut().enumerate() {
        heads.push(
            it.next()
                .transpose()
                .map_err(|w| damaged(dir, &inputs[i].0, w))?,
        );
    }
    let mut docs: Vec<u32> = Vec::new();
    while let Some(key) = heads.iter().flatten().map(|h| h.0).min() {
        docs.clear();
        for (i, head) in heads.iter_mut().enumerate() {
            if let Some((k, postings)) = *head {
                if k == key {
                    docs.extend(numbers(postings).filter(|&n| keep(n)));
                    *head = entries[i]
                        .next()
                        .transpose()
                        .map_err(|w| damaged(dir, &inputs[i].0, w))?;
                }
            }
        }
        if !docs.is_sorted() {
            docs.sort_unstable();
        }
        out.push(key, docs.iter().copied()).map_err(io)?;
    }
    let postings = out.finish().map_err(io)?;
    crate::sync_dir(dir);
    Ok(Some(FileRef { name, postings }))
}

/// Delete the fingerprint files in `dir` that `state` does not name: orphans of a commit
/// that never happened, and files merged away. Best effort (a reader of an older commit may
/// still map one; on Unix the mapping outlives the name).
pub(crate) fn remove_orphans(dir: &Path, state: &StoreState) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("fp-")
            && name.ends_with(".fps")
            && !state.files.iter().any(|f| f.name == name)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(sizes: &[u64]) -> Vec<FileRef> {
        sizes
            .iter()
            .enumerate()
            .map(|(i, &postings)| FileRef {
                name: format!("{i}"),
                postings,
            })
            .collect()
    }

    #[test]
    fn merges_are_log_structured() {
        assert_eq!(merge_from(&refs(&[])), None);
        assert_eq!(merge_from(&refs(&[100_000, 10, 10, 10])), None);
        // Four small files merge; the large oldest one stays.
        assert_eq!(merge_from(&refs(&[100_000, 10, 10, 10, 10])), Some(1));
        assert_eq!(merge_from(&refs(&[100_000, 20_000, 10, 10, 10])), None);
        // One-document adds in a loop: few files, few rewrites.
        // (A short document has ~20 fingerprints, a page ~150.)
        for (start, adds, each) in [
            (10_000, 5_000, 20),
            (0, 20_000, 150),
            (15_000_000, 5_000, 150),
        ] {
            let mut files: Vec<u64> = vec![start];
            let (mut rewritten, mut most) = (0, 0);
            for _ in 0..adds {
                files.push(each);
                if let Some(k) = merge_from(&refs(&files)) {
                    let merged: u64 = files[k..].iter().sum();
                    rewritten += merged;
                    files.truncate(k);
                    files.push(merged);
                }
                most = most.max(files.len());
            }
            assert!(most <= 24, "{most} files");
            let per_posting = rewritten as f64 / (adds * each) as f64;
            assert!(per_posting < 12.0, "{per_posting} rewrites per posting");
        }
    }
}

#[cfg(test)]
mod index_tests;
