//! # stemma-spill
//!
//! A sorter bounded in memory: records are kept in memory while they fit the budget, and
//! otherwise sorted in runs written to a temporary folder and merged back k ways. Corpus-wide
//! passes (reuse's anchor and pair tables, dedup's band and pair tables) use it to stay
//! within `--memory` whatever the corpus size.
//!
//! Why not a crate: the records are fixed-size integers, the merge is 60 lines, and the error
//! we must give when the disk fills (which folder, how much was written, what to do) needs
//! the I/O errors first-hand.
//!
//! It must not know what the records mean: it sorts fixed-size integers.
//!
//! ```
//! use stemma_spill::Sorter;
//! let mut sorter: Sorter<u64> = Sorter::new(1 << 20, None, "pair table");
//! sorter.extend(&[3, 1, 2]).unwrap();
//! let (mut sorted, _stats) = sorter.finish().unwrap();
//! let mut out = Vec::new();
//! while let Some(r) = sorted.next_record().unwrap() {
//!     out.push(r);
//! }
//! assert_eq!(out, [1, 2, 3]);
//! ```

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rayon::slice::ParallelSliceMut;

/// Why a [`Sorter`] failed.
#[derive(Debug, thiserror::Error)]
pub enum SpillError {
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
        source: io::Error,
    },
}

impl SpillError {
    /// The error for `error` while writing `written` bytes of the `what` table to `path`:
    /// [`SpillError::DiskFull`] when the disk or quota is full, [`SpillError::Io`] otherwise.
    ///
    /// ```
    /// let e = std::io::Error::from_raw_os_error(28);
    /// let err = stemma_spill::SpillError::from_io("/tmp/x".as_ref(), "band table", 0, e);
    /// assert!(err.to_string().contains("disk full while spilling the band table"));
    /// ```
    pub fn from_io(path: &Path, what: &'static str, written: u64, error: io::Error) -> Self {
        // ENOSPC (28) and EDQUOT (122 on Linux) are the disk filling up, whatever the kind.
        let full = matches!(error.raw_os_error(), Some(28) | Some(122))
            || error.kind() == io::ErrorKind::StorageFull;
        if full {
            SpillError::DiskFull {
                path: path.to_path_buf(),
                what,
                written,
            }
        } else {
            SpillError::Io {
                path: path.to_path_buf(),
                source: error,
            }
        }
    }
}

/// A fixed-size record that can be written to and read from a run file.
pub trait Record: Copy + Ord + Send + Sync {
    /// Bytes on disk.
    const BYTES: usize;
    /// Append the record's bytes.
    fn put(&self, out: &mut Vec<u8>);
    /// The record of `BYTES` bytes.
    fn get(bytes: &[u8]) -> Self;
}

impl Record for u64 {
    const BYTES: usize = 8;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(bytes: &[u8]) -> Self {
        u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"))
    }
}

impl Record for (u64, u32) {
    const BYTES: usize = 12;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_le_bytes());
        out.extend_from_slice(&self.1.to_le_bytes());
    }
    fn get(bytes: &[u8]) -> Self {
        (
            u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")),
            u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")),
        )
    }
}

/// What spilling cost, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpillStats {
    /// Sorted runs written.
    pub runs: usize,
    /// Bytes written to them.
    pub bytes: u64,
}

/// Collects records within `budget` bytes of memory; see the module docs.
pub struct Sorter<T: Record> {
    buf: Vec<T>,
    cap: usize,
    what: &'static str,
    tmp_base: Option<PathBuf>,
    tmp: Option<tempfile::TempDir>,
    runs: Vec<PathBuf>,
    stats: SpillStats,
    scratch: Vec<u8>,
}

impl<T: Record> Sorter<T> {
    /// A sorter that holds at most `budget` bytes of records in memory before spilling runs
    /// into a fresh folder under `tmp_base` (the system's temporary folder by default).
    /// `what` names the table in error messages.
    pub fn new(budget: u64, tmp_base: Option<&Path>, what: &'static str) -> Self {
        let cap = (budget / std::mem::size_of::<T>() as u64).max(1024) as usize;
        Sorter {
            buf: Vec::new(),
            cap,
            what,
            tmp_base: tmp_base.map(Path::to_path_buf),
            tmp: None,
            runs: Vec::new(),
            stats: SpillStats::default(),
            scratch: Vec::new(),
        }
    }

    /// Add records; spills a sorted run when the memory budget is reached.
    pub fn extend(&mut self, records: &[T]) -> Result<(), SpillError> {
        let mut rest = records;
        while !rest.is_empty() {
            let room = self.cap.saturating_sub(self.buf.len());
            if room == 0 {
                self.spill()?;
                continue;
            }
            let take = room.min(rest.len());
            if self.buf.capacity() < self.buf.len() + take {
                // Grow geometrically but never past the cap: the cap is the memory promise.
                let want = (self.buf.capacity() * 2)
                    .max(self.buf.len() + take)
                    .min(self.cap);
                self.buf.reserve_exact(want - self.buf.len());
            }
            self.buf.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<(), SpillError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.buf.par_sort_unstable();
        let dir = match &self.tmp {
            Some(dir) => dir.path().to_path_buf(),
            None => {
                let base = self.tmp_base.clone().unwrap_or_else(std::env::temp_dir);
                let dir = tempfile::Builder::new()
                    .prefix("stemma-spill-")
                    .tempdir_in(&base)
                    .map_err(|e| self.io_error(&base, e))?;
                let path = dir.path().to_path_buf();
                self.tmp = Some(dir);
                path
            }
        };
        let path = dir.join(format!(
            "{}-{:05}.run",
            self.what.replace(' ', "-"),
            self.runs.len()
        ));
        let file = File::create(&path).map_err(|e| self.io_error(&path, e))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        for chunk in self.buf.chunks(1 << 16) {
            self.scratch.clear();
            for r in chunk {
                r.put(&mut self.scratch);
            }
            out.write_all(&self.scratch)
                .map_err(|e| self.io_error(&path, e))?;
            self.stats.bytes += self.scratch.len() as u64;
        }
        out.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .map_err(|e| self.io_error(&path, e))?;
        self.runs.push(path);
        self.stats.runs += 1;
        self.buf.clear();
        Ok(())
    }

    fn io_error(&self, path: &Path, error: io::Error) -> SpillError {
        SpillError::from_io(path, self.what, self.stats.bytes, error)
    }

    /// All records, sorted.
    pub fn finish(mut self) -> Result<(Sorted<T>, SpillStats), SpillError> {
        if self.runs.is_empty() {
            self.buf.par_sort_unstable();
            let stats = self.stats;
            return Ok((
                Sorted::Memory(std::mem::take(&mut self.buf).into_iter()),
                stats,
            ));
        }
        self.spill()?;
        self.buf = Vec::new();
        let mut readers = Vec::with_capacity(self.runs.len());
        let mut heap = BinaryHeap::with_capacity(self.runs.len());
        for (i, path) in self.runs.iter().enumerate() {
            let file = File::open(path).map_err(|e| self.io_error(path, e))?;
            let mut reader = RunReader {
                inner: BufReader::with_capacity(1 << 18, file),
                path: path.clone(),
                bytes: vec![0; T::BYTES],
            };
            if let Some(first) = reader.next::<T>()? {
                heap.push(Reverse((first, i)));
            }
            readers.push(reader);
        }
        let stats = self.stats;
        Ok((
            Sorted::Merge {
                heap,
                readers,
                _dir: self.tmp.take(),
            },
            stats,
        ))
    }
}

/// One run file being merged back.
pub struct RunReader {
    inner: BufReader<File>,
    path: PathBuf,
    bytes: Vec<u8>,
}

impl RunReader {
    fn next<T: Record>(&mut self) -> Result<Option<T>, SpillError> {
        match self.inner.read_exact(&mut self.bytes) {
            Ok(()) => Ok(Some(T::get(&self.bytes))),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(SpillError::Io {
                path: self.path.clone(),
                source: e,
            }),
        }
    }
}

/// The sorted records of a [`Sorter`]: from memory, or merged from its runs (the run folder
/// is deleted when this is dropped).
pub enum Sorted<T: Record> {
    /// Nothing spilled: the records, sorted in memory.
    Memory(std::vec::IntoIter<T>),
    /// Runs merged k ways.
    Merge {
        /// The next record of each run.
        heap: BinaryHeap<Reverse<(T, usize)>>,
        /// The runs.
        readers: Vec<RunReader>,
        /// Deleted on drop.
        _dir: Option<tempfile::TempDir>,
    },
}

impl<T: Record> Sorted<T> {
    /// The next record in sorted order.
    pub fn next_record(&mut self) -> Result<Option<T>, SpillError> {
        match self {
            Sorted::Memory(it) => Ok(it.next()),
            Sorted::Merge { heap, readers, .. } => {
                let Some(Reverse((record, run))) = heap.pop() else {
                    return Ok(None);
                };
                if let Some(next) = readers[run].next::<T>()? {
                    heap.push(Reverse((next, run)));
                }
                Ok(Some(record))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain<T: Record>(mut s: Sorted<T>) -> Vec<T> {
        let mut out = Vec::new();
        while let Some(r) = s.next_record().unwrap() {
            out.push(r);
        }
        out
    }

    #[test]
    fn spills_and_merges_in_order() {
        let dir = tempfile::tempdir().unwrap();
        // A budget of 16 KiB holds 1024 records: 10,000 records make 10 runs.
        let mut sorter: Sorter<(u64, u32)> =
            Sorter::new(16 * 1024, Some(dir.path()), "anchor table");
        let records: Vec<(u64, u32)> = (0..10_000u64)
            .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40, (i % 7) as u32))
            .collect();
        for chunk in records.chunks(333) {
            sorter.extend(chunk).unwrap();
        }
        let (sorted, stats) = sorter.finish().unwrap();
        assert!(stats.runs >= 9, "{stats:?}");
        assert_eq!(stats.bytes, 12 * 10_000);
        let mut expected = records.clone();
        expected.sort_unstable();
        assert_eq!(drain(sorted), expected);
    }

    #[test]
    fn small_inputs_stay_in_memory() {
        let mut sorter: Sorter<u64> = Sorter::new(1 << 20, None, "pair table");
        sorter.extend(&[3, 1, 2]).unwrap();
        let (sorted, stats) = sorter.finish().unwrap();
        assert_eq!(stats, SpillStats::default());
        assert_eq!(drain(sorted), [1, 2, 3]);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let mut sorter: Sorter<u64> = Sorter::new(0, Some(Path::new("/no/such/dir")), "pair table");
        let err = sorter.extend(&vec![1u64; 5000]).unwrap_err().to_string();
        assert!(err.starts_with("/no/such/dir: "), "{err}");
    }

    #[test]
    fn a_full_disk_is_named_as_such() {
        let sorter: Sorter<u64> = Sorter::new(0, None, "anchor table");
        let path = Path::new("/tmp/run-0");
        for errno in [28, 122] {
            let err = sorter.io_error(path, io::Error::from_raw_os_error(errno));
            assert_eq!(
                err.to_string(),
                "/tmp/run-0: disk full while spilling the anchor table (0 MB written): free \
                 space, point --tmp at a larger disk, or raise --memory"
            );
        }
        // Any other failure keeps the system's words.
        let err = sorter.io_error(path, io::Error::from_raw_os_error(13));
        assert!(
            err.to_string().starts_with("/tmp/run-0: Permission denied"),
            "{err}"
        );
    }
}
