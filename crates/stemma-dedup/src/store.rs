//! The shingle sets of the corpus, kept for exact verification: in memory while they fit
//! their share of the budget, then appended to a file in the temporary folder and read back
//! with positional reads (the page cache serves them when memory allows).
//!
//! Why keep whole sets: a MinHash estimate of 128 values is off by ±0.035 at a Jaccard of
//! 0.8, so "≥ 0.8" would mean 0.73–0.87; comparing the sets themselves makes the threshold
//! exact, for 4 bytes per word of the corpus.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use stemma_spill::SpillError;

/// Append-only storage of sorted `u32` sets, addressed by their first value's position.
pub(crate) struct ShingleStore {
    /// Values not yet written out; the first is at position `flushed`.
    memory: Vec<u32>,
    /// Values written to the file.
    flushed: u64,
    /// Values kept in memory before writing out.
    budget: usize,
    tmp_base: Option<PathBuf>,
    file: Option<(File, PathBuf, tempfile::TempDir)>,
    scratch: Vec<u8>,
}

impl ShingleStore {
    /// A store that holds at most `budget_bytes` of sets in memory.
    pub fn new(budget_bytes: u64, tmp_base: Option<&Path>) -> Self {
        ShingleStore {
            memory: Vec::new(),
            flushed: 0,
            budget: (budget_bytes / 4).max(1 << 12) as usize,
            tmp_base: tmp_base.map(Path::to_path_buf),
            file: None,
            scratch: Vec::new(),
        }
    }

    /// Values stored so far (the next set's position).
    pub fn len(&self) -> u64 {
        self.flushed + self.memory.len() as u64
    }

    /// Bytes written to disk.
    pub fn disk_bytes(&self) -> u64 {
        self.flushed * 4
    }

    /// Append a set; returns its position.
    pub fn push(&mut self, set: &[u32]) -> Result<u64, SpillError> {
        let at = self.len();
        self.memory.extend_from_slice(set);
        if self.memory.len() > self.budget {
            self.write_out()?;
        }
        Ok(at)
    }

    fn write_out(&mut self) -> Result<(), SpillError> {
        if self.file.is_none() {
            let base = self.tmp_base.clone().unwrap_or_else(std::env::temp_dir);
            let dir = tempfile::Builder::new()
                .prefix("stemma-dedup-")
                .tempdir_in(&base)
                .map_err(|e| SpillError::from_io(&base, "shingle store", 0, e))?;
            let path = dir.path().join("shingles.u32");
            // Read back with positional reads, so open for both.
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| SpillError::from_io(&path, "shingle store", 0, e))?;
            self.file = Some((file, path, dir));
        }
        let (file, path, _) = self.file.as_mut().expect("opened above");
        self.scratch.clear();
        self.scratch.reserve(self.memory.len() * 4);
        for v in &self.memory {
            self.scratch.extend_from_slice(&v.to_le_bytes());
        }
        file.write_all(&self.scratch)
            .map_err(|e| SpillError::from_io(path, "shingle store", self.flushed * 4, e))?;
        self.flushed += self.memory.len() as u64;
        self.memory.clear();
        self.memory.shrink_to(self.budget.min(1 << 20));
        Ok(())
    }

    /// The set of `len` values at `at`, borrowed from memory or read into `buf`.
    pub fn get<'a>(
        &'a self,
        at: u64,
        len: u32,
        buf: &'a mut Vec<u32>,
    ) -> Result<&'a [u32], SpillError> {
        if at >= self.flushed {
            let start = (at - self.flushed) as usize;
            return Ok(&self.memory[start..start + len as usize]);
        }
        let (file, path, _) = self
            .file
            .as_ref()
            .expect("values below `flushed` are in the file");
        let mut bytes = vec![0u8; len as usize * 4];
        file.read_exact_at(&mut bytes, at * 4)
            .map_err(|e| SpillError::Io {
                path: path.clone(),
                source: e,
            })?;
        buf.clear();
        buf.extend(
            bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))),
        );
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_read_back_from_memory_and_disk() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = ShingleStore::new(0, Some(dir.path()));
        let sets: Vec<Vec<u32>> = (0..50u32).map(|i| (i..i + 300).collect()).collect();
        let at: Vec<u64> = sets.iter().map(|s| store.push(s).unwrap()).collect();
        assert!(store.disk_bytes() > 0);
        let mut buf = Vec::new();
        for (s, &a) in sets.iter().zip(&at) {
            assert_eq!(
                store.get(a, s.len() as u32, &mut buf).unwrap(),
                s.as_slice()
            );
        }
    }
}
