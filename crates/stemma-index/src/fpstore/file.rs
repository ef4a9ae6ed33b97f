//! One fingerprint segment file: sorted 32-bit fingerprints, each with the ascending stable
//! numbers of the documents holding it, in checksummed blocks, read through a memory map.
//!
//! ```text
//! "STMFPS1\n"                                    8 bytes
//! block*        keys [u32; n], ends [u32; n] (postings so far in the block),
//!               postings [u32; ends[n-1]]        all little-endian, n ≤ BLOCK_KEYS
//! sparse index  per block: first key u32, n u32, offset u64, bytes u32, crc32 u32
//! footer        blocks u32, keys u64, postings u64, sparse offset u64, sparse crc32 u32,
//!               footer crc32 u32, "STFP"        40 bytes
//! ```
//!
//! Opening reads only the footer and the sparse index (24 bytes a block of 128 keys) and
//! checks their checksums; a lookup binary-searches the sparse index, then the one block's
//! keys, after checking that block's checksum. Nothing else of the file is read.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use memmap2::Mmap;

/// Keys a block holds at most.
const BLOCK_KEYS: usize = 128;
const MAGIC: &[u8; 8] = b"STMFPS1\n";
const FOOTER_MAGIC: &[u8; 4] = b"STFP";
const FOOTER_BYTES: usize = 40;
const SPARSE_ENTRY: usize = 24;

/// Why a file cannot be read: a short description; the caller names the file.
pub(crate) type Damage = String;

/// One block's entry in the sparse index.
#[derive(Debug, Clone, Copy)]
struct BlockEntry {
    first_key: u32,
    keys: u32,
    offset: u64,
    bytes: u32,
    crc: u32,
}

/// An open fingerprint segment file.
#[derive(Debug)]
pub(crate) struct FpFile {
    map: Mmap,
    blocks: Vec<BlockEntry>,
    postings: u64,
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// One block, parsed: its keys and where each key's postings end.
pub(crate) struct Block<'f> {
    keys: &'f [u8],
    ends: &'f [u8],
    postings: &'f [u8],
}

impl<'f> Block<'f> {
    fn len(&self) -> usize {
        self.keys.len() / 4
    }

    fn key(&self, i: usize) -> u32 {
        le32(self.keys, i * 4)
    }

    /// The postings of the `i`-th key, as little-endian u32 bytes.
    fn postings_of(&self, i: usize) -> Result<&'f [u8], Damage> {
        let start = if i == 0 {
            0
        } else {
            le32(self.ends, (i - 1) * 4)
        } as usize;
        let end = le32(self.ends, i * 4) as usize;
        if start > end || end * 4 > self.postings.len() {
            return Err("a block's postings are out of order".into());
        }
        Ok(&self.postings[start * 4..end * 4])
    }
}

/// The document numbers of one key's postings.
pub(crate) fn numbers(postings: &[u8]) -> impl Iterator<Item = u32> + '_ {
    postings
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
}

impl FpFile {
    /// Open and check the footer and sparse index.
    pub(crate) fn open(path: &Path) -> Result<FpFile, std::io::Error> {
        let file = File::open(path)?;
        // SAFETY: the file is never written after its commit (files are immutable; a new
        // commit writes new files), so the map cannot change under us.
        let map = unsafe { Mmap::map(&file)? };
        Ok(FpFile {
            map,
            blocks: Vec::new(),
            postings: 0,
        })
    }

    /// Read the footer and the sparse index (after [`FpFile::open`]).
    pub(crate) fn check(mut self) -> Result<FpFile, Damage> {
        let b: &[u8] = &self.map;
        if b.len() < MAGIC.len() + FOOTER_BYTES || &b[..8] != MAGIC {
            return Err("not a fingerprint file (truncated or overwritten)".into());
        }
        let f = b.len() - FOOTER_BYTES;
        if &b[f + 36..f + 40] != FOOTER_MAGIC {
            return Err("truncated (no footer)".into());
        }
        if crc32fast::hash(&b[f..f + 32]) != le32(b, f + 32) {
            return Err("footer checksum mismatch".into());
        }
        let blocks = le32(b, f) as usize;
        let postings = le64(b, f + 12);
        let sparse = le64(b, f + 20) as usize;
        let sparse_end = sparse.checked_add(blocks.checked_mul(SPARSE_ENTRY).ok_or("bad")?);
        if sparse_end != Some(f) {
            return Err("sparse index out of place".into());
        }
        if crc32fast::hash(&b[sparse..f]) != le32(b, f + 28) {
            return Err("sparse index checksum mismatch".into());
        }
        let mut entries = Vec::with_capacity(blocks);
        for i in 0..blocks {
            let at = sparse + i * SPARSE_ENTRY;
            let e = BlockEntry {
                first_key: le32(b, at),
                keys: le32(b, at + 4),
                offset: le64(b, at + 8),
                bytes: le32(b, at + 16),
                crc: le32(b, at + 20),
            };
            let end = e.offset.checked_add(u64::from(e.bytes));
            if e.offset < 8 || end.is_none_or(|end| end > sparse as u64) || e.keys == 0 {
                return Err("a block lies outside the file".into());
            }
            if u64::from(e.bytes) < u64::from(e.keys) * 8 {
                return Err("a block is shorter than its keys".into());
            }
            entries.push(e);
        }
        self.blocks = entries;
        self.postings = postings;
        Ok(self)
    }

    /// Postings in the file (live or not).
    pub(crate) fn postings(&self) -> u64 {
        self.postings
    }

    fn block(&self, i: usize) -> Result<Block<'_>, Damage> {
        let e = self.blocks[i];
        let bytes = &self.map[e.offset as usize..(e.offset + u64::from(e.bytes)) as usize];
        if crc32fast::hash(bytes) != e.crc {
            return Err(format!("block {i} checksum mismatch"));
        }
        let n = e.keys as usize;
        Ok(Block {
            keys: &bytes[..n * 4],
            ends: &bytes[n * 4..n * 8],
            postings: &bytes[n * 8..],
        })
    }

    /// The postings of `key` (little-endian u32 document numbers, ascending); empty when
    /// the file does not hold it.
    pub(crate) fn lookup(&self, key: u32) -> Result<&[u8], Damage> {
        let i = self.blocks.partition_point(|e| e.first_key <= key);
        if i == 0 {
            return Ok(&[]);
        }
        let block = self.block(i - 1)?;
        let (mut lo, mut hi) = (0, block.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match block.key(mid).cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return block.postings_of(mid),
            }
        }
        Ok(&[])
    }

    /// Check every block's checksum (what a writer does before it adds to the store).
    pub(crate) fn verify(&self) -> Result<(), Damage> {
        (0..self.blocks.len()).try_for_each(|i| self.block(i).map(|_| ()))
    }

    /// Every key with its postings, in key order (for merging).
    pub(crate) fn entries(&self) -> Entries<'_> {
        Entries {
            file: self,
            block: None,
            next_block: 0,
            at: 0,
        }
    }
}

/// Iterator over a file's (key, postings), in key order.
pub(crate) struct Entries<'f> {
    file: &'f FpFile,
    block: Option<Block<'f>>,
    next_block: usize,
    at: usize,
}

impl<'f> Iterator for Entries<'f> {
    type Item = Result<(u32, &'f [u8]), Damage>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(block) = &self.block {
                if self.at < block.len() {
                    let i = self.at;
                    self.at += 1;
                    return Some(block.postings_of(i).map(|p| (block.key(i), p)));
                }
            }
            if self.next_block == self.file.blocks.len() {
                return None;
            }
            match self.file.block(self.next_block) {
                Ok(b) => self.block = Some(b),
                Err(e) => {
                    self.next_block = self.file.blocks.len();
                    self.block = None;
                    return Some(Err(e));
                }
            }
            self.next_block += 1;
            self.at = 0;
        }
    }
}

/// Writes a fingerprint file from keys given in ascending order, each once.
pub(crate) struct FpFileWriter {
    out: BufWriter<File>,
    written: u64,
    keys: Vec<u32>,
    ends: Vec<u32>,
    postings: Vec<u32>,
    sparse: Vec<BlockEntry>,
    total_keys: u64,
    total_postings: u64,
    buf: Vec<u8>,
}

impl FpFileWriter {
    /// Create `path` (which must not exist).
    pub(crate) fn create(path: &Path) -> std::io::Result<FpFileWriter> {
        let file = File::options().write(true).create_new(true).open(path)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(MAGIC)?;
        Ok(FpFileWriter {
            out,
            written: MAGIC.len() as u64,
            keys: Vec::with_capacity(BLOCK_KEYS),
            ends: Vec::with_capacity(BLOCK_KEYS),
            postings: Vec::new(),
            sparse: Vec::new(),
            total_keys: 0,
            total_postings: 0,
            buf: Vec::new(),
        })
    }

    /// Add `key` (greater than the last) with its document numbers (ascending, not empty).
    pub(crate) fn push(
        &mut self,
        key: u32,
        docs: impl IntoIterator<Item = u32>,
    ) -> std::io::Result<()> {
        let before = self.postings.len();
        self.postings.extend(docs);
        if self.postings.len() == before {
            return Ok(());
        }
        debug_assert!(self.keys.last().is_none_or(|&k| k < key));
        self.keys.push(key);
        self.ends.push(self.postings.len() as u32);
        if self.keys.len() == BLOCK_KEYS {
            self.flush_block()?;
        }
        Ok(())
    }

    fn flush_block(&mut self) -> std::io::Result<()> {
        if self.keys.is_empty() {
            return Ok(());
        }
        self.buf.clear();
        for v in self.keys.iter().chain(&self.ends).chain(&self.postings) {
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
        self.sparse.push(BlockEntry {
            first_key: self.keys[0],
            keys: self.keys.len() as u32,
            offset: self.written,
            bytes: self.buf.len() as u32,
            crc: crc32fast::hash(&self.buf),
        });
        self.out.write_all(&self.buf)?;
        self.written += self.buf.len() as u64;
        self.total_keys += self.keys.len() as u64;
        self.total_postings += self.postings.len() as u64;
        self.keys.clear();
        self.ends.clear();
        self.postings.clear();
        Ok(())
    }

    /// Write the sparse index and footer and make the file durable; the postings written.
    pub(crate) fn finish(mut self) -> std::io::Result<u64> {
        self.flush_block()?;
        let mut sparse = Vec::with_capacity(self.sparse.len() * SPARSE_ENTRY);
        for e in &self.sparse {
            sparse.extend_from_slice(&e.first_key.to_le_bytes());
            sparse.extend_from_slice(&e.keys.to_le_bytes());
            sparse.extend_from_slice(&e.offset.to_le_bytes());
            sparse.extend_from_slice(&e.bytes.to_le_bytes());
            sparse.extend_from_slice(&e.crc.to_le_bytes());
        }
        let mut footer = Vec::with_capacity(FOOTER_BYTES);
        footer.extend_from_slice(&(self.sparse.len() as u32).to_le_bytes());
        footer.extend_from_slice(&self.total_keys.to_le_bytes());
        footer.extend_from_slice(&self.total_postings.to_le_bytes());
        footer.extend_from_slice(&self.written.to_le_bytes());
        footer.extend_from_slice(&crc32fast::hash(&sparse).to_le_bytes());
        let crc = crc32fast::hash(&footer);
        footer.extend_from_slice(&crc.to_le_bytes());
        footer.extend_from_slice(FOOTER_MAGIC);
        self.out.write_all(&sparse)?;
        self.out.write_all(&footer)?;
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(self.total_postings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, entries: &[(u32, Vec<u32>)]) {
        let mut w = FpFileWriter::create(path).unwrap();
        for (k, docs) in entries {
            w.push(*k, docs.iter().copied()).unwrap();
        }
        w.finish().unwrap();
    }

    #[test]
    fn keys_are_found_across_blocks_and_absent_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.fps");
        let entries: Vec<(u32, Vec<u32>)> = (0..1000u32)
            .map(|i| (i * 7 + 3, (0..(i % 5 + 1)).map(|d| d * 10 + i).collect()))
            .collect();
        write(&path, &entries);
        let file = FpFile::open(&path).unwrap().check().unwrap();
        assert_eq!(
            file.postings(),
            entries.iter().map(|e| e.1.len() as u64).sum::<u64>()
        );
        for (k, docs) in &entries {
            let got: Vec<u32> = numbers(file.lookup(*k).unwrap()).collect();
            assert_eq!(&got, docs, "key {k}");
            assert!(file.lookup(k + 1).unwrap().is_empty());
        }
        assert!(file.lookup(0).unwrap().is_empty());
        assert!(file.lookup(u32::MAX).unwrap().is_empty());
        let all: Vec<(u32, Vec<u32>)> = file
            .entries()
            .map(|e| e.map(|(k, p)| (k, numbers(p).collect())).unwrap())
            .collect();
        assert_eq!(all, entries);
    }

    #[test]
    fn truncation_and_flipped_bytes_are_damage_never_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.fps");
        let entries: Vec<(u32, Vec<u32>)> = (0..300u32).map(|i| (i, vec![i, i + 1])).collect();
        write(&path, &entries);
        let good = std::fs::read(&path).unwrap();
        for cut in [0, 5, 8, good.len() / 2, good.len() - 1] {
            std::fs::write(&path, &good[..cut]).unwrap();
            assert!(
                FpFile::open(&path).unwrap().check().is_err(),
                "cut at {cut}"
            );
        }
        // Every byte flipped in turn: refused at open or at the lookup that reads it.
        for at in (0..good.len()).step_by(7) {
            let mut bad = good.clone();
            bad[at] ^= 0x5a;
            std::fs::write(&path, &bad).unwrap();
            let Ok(file) = FpFile::open(&path).unwrap().check() else {
                continue;
            };
            let failed = entries.iter().any(|(k, _)| file.lookup(*k).is_err())
                || file.entries().any(|e| e.is_err());
            assert!(failed, "a flipped byte at {at} went unnoticed");
        }
    }
}
