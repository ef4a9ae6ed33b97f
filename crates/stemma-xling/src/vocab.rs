//! The tokenizer's vocabulary compiled for loading without parsing (`vocab.bin` in the model
//! folder, written by `stemma model install`): the pieces' scores and texts, an
//! open-addressing table of every piece prefix, and the normalizer's charsmap, in one
//! little-endian buffer that is read and used as is.
//!
//! Building the prefix map from `sp.model` at every load (a protobuf walk, then ~10^6
//! string allocations and hash-map inserts) was most of the model's 0.2 s load; probing
//! this table costs the same per lookup as the map did.
//!
//! Layout: magic `STSPVOC1`, then `u32` pieces, slots (a power of two), longest piece in
//! chars, text bytes, charsmap bytes; `f32` score per piece; `u32` text offset per piece
//! plus one; the pieces' texts; per slot three `u32` (a piece whose text starts with the
//! key, the key's byte length (0: empty slot), the value: piece id + 1, or 0 for a prefix
//! that is no piece); the charsmap.

use foldhash::HashMap;
use xxhash_rust::xxh3::xxh3_64;

const MAGIC: &[u8; 8] = b"STSPVOC1";
const HEADER: usize = MAGIC.len() + 5 * 4;
const SLOT: usize = 12;

/// The compiled vocabulary (see the module docs).
#[derive(Debug)]
pub(crate) struct CompiledVocab {
    bytes: Vec<u8>,
    pieces: usize,
    mask: usize,
    max_chars: usize,
    offsets_at: usize,
    text_at: usize,
    slots_at: usize,
    charsmap_at: usize,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Compile `pieces` (text and score, in id order) and the normalizer's `charsmap`. Piece
/// ids up to `skip` (the control pieces) and empty pieces are never matched in text.
pub(crate) fn compile(pieces: &[(&str, f32)], skip: usize, charsmap: &[u8]) -> Vec<u8> {
    // (source piece, byte length, value) per distinct key, in first-seen order.
    let mut entries: Vec<(u32, u32, u32)> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::default();
    let mut max_chars = 0;
    for (id, (piece, _)) in pieces.iter().enumerate() {
        if id <= skip || piece.is_empty() {
            continue;
        }
        let mut chars = 0;
        for (i, _) in piece.char_indices().skip(1) {
            seen.entry(&piece[..i]).or_insert_with(|| {
                entries.push((id as u32, i as u32, 0));
                entries.len() - 1
            });
            chars += 1;
        }
        max_chars = max_chars.max(chars + 1);
        let at = *seen.entry(piece).or_insert_with(|| {
            entries.push((id as u32, piece.len() as u32, 0));
            entries.len() - 1
        });
        entries[at] = (id as u32, piece.len() as u32, id as u32 + 1);
    }
    let slots = (entries.len() * 2).next_power_of_two().max(8);
    let mut table = vec![(0u32, 0u32, 0u32); slots];
    for &(source, len, value) in &entries {
        let key = &pieces[source as usize].0.as_bytes()[..len as usize];
        let mut i = xxh3_64(key) as usize & (slots - 1);
        while table[i].1 != 0 {
            i = (i + 1) & (slots - 1);
        }
        table[i] = (source, len, value);
    }
    let text_len: usize = pieces.iter().map(|p| p.0.len()).sum();
    let mut out = Vec::with_capacity(
        HEADER + pieces.len() * 8 + 4 + text_len + slots * SLOT + charsmap.len(),
    );
    out.extend_from_slice(MAGIC);
    for n in [pieces.len(), slots, max_chars, text_len, charsmap.len()] {
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    for (_, score) in pieces {
        out.extend_from_slice(&score.to_le_bytes());
    }
    let mut offset = 0u32;
    for (piece, _) in pieces {
        out.extend_from_slice(&offset.to_le_bytes());
        offset += piece.len() as u32;
    }
    out.extend_from_slice(&offset.to_le_bytes());
    for (piece, _) in pieces {
        out.extend_from_slice(piece.as_bytes());
    }
    for (source, len, value) in table {
        for n in [source, len, value] {
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
    out.extend_from_slice(charsmap);
    out
}

impl CompiledVocab {
    /// Take a compiled buffer, checking its header and length (not its contents: the
    /// manifest's checksum vouches for those, and a lookup that runs off the buffer is a
    /// miss, never a panic).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, &'static str> {
        if !bytes.starts_with(MAGIC) {
            return Err("not a compiled vocabulary");
        }
        let field = |k: usize| u32_at(&bytes, MAGIC.len() + 4 * k).map(|v| v as usize);
        let (Some(pieces), Some(slots), Some(max_chars), Some(text), Some(charsmap)) =
            (field(0), field(1), field(2), field(3), field(4))
        else {
            return Err("compiled vocabulary header truncated");
        };
        if !slots.is_power_of_two() {
            return Err("compiled vocabulary table size is not a power of two");
        }
        let offsets_at = HEADER + pieces * 4;
        let text_at = offsets_at + (pieces + 1) * 4;
        let slots_at = text_at + text;
        let charsmap_at = slots_at + slots * SLOT;
        if bytes.len() != charsmap_at + charsmap {
            return Err("compiled vocabulary has the wrong length");
        }
        Ok(CompiledVocab {
            bytes,
            pieces,
            mask: slots - 1,
            max_chars,
            offsets_at,
            text_at,
            slots_at,
            charsmap_at,
        })
    }

    /// Number of pieces.
    pub fn pieces(&self) -> usize {
        self.pieces
    }

    /// Longest piece, in chars.
    pub fn max_chars(&self) -> usize {
        self.max_chars
    }

    /// The score of piece `id`.
    pub fn score(&self, id: usize) -> f32 {
        u32_at(&self.bytes, HEADER + id * 4).map_or(f32::NEG_INFINITY, f32::from_bits)
    }

    /// The normalizer's charsmap.
    pub fn charsmap(&self) -> &[u8] {
        &self.bytes[self.charsmap_at..]
    }

    /// The text of piece `id`.
    fn text(&self, id: usize) -> Option<&[u8]> {
        let start = u32_at(&self.bytes, self.offsets_at + id * 4)? as usize;
        let end = u32_at(&self.bytes, self.offsets_at + id * 4 + 4)? as usize;
        self.bytes.get(self.text_at + start..self.text_at + end)
    }

    /// `Some(piece id + 1)` when `key` is a piece, `Some(0)` when it is only a prefix of
    /// some, `None` when neither.
    pub fn get(&self, key: &[u8]) -> Option<u32> {
        let mut i = xxh3_64(key) as usize & self.mask;
        loop {
            let at = self.slots_at + i * SLOT;
            let len = u32_at(&self.bytes, at + 4)? as usize;
            if len == 0 {
                return None;
            }
            if len == key.len() {
                let source = u32_at(&self.bytes, at)? as usize;
                if self.text(source).and_then(|t| t.get(..len)) == Some(key) {
                    return u32_at(&self.bytes, at + 8);
                }
            }
            i = (i + 1) & self.mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_piece_and_prefix_is_found_and_nothing_else() {
        let pieces = [
            ("<unk>", 0.0),
            ("<s>", 0.0),
            ("</s>", 0.0),
            ("▁ab", -1.0),
            ("▁a", -2.0),
            ("b", -2.5),
            ("мир", -3.0),
        ];
        let v = CompiledVocab::from_bytes(compile(&pieces, 2, b"map")).unwrap();
        assert_eq!(v.pieces(), 7);
        assert_eq!(v.get("▁ab".as_bytes()), Some(4));
        assert_eq!(v.get("▁a".as_bytes()), Some(5));
        assert_eq!(v.get("▁".as_bytes()), Some(0));
        assert_eq!(v.get("ми".as_bytes()), Some(0));
        assert_eq!(v.get("мир".as_bytes()), Some(7));
        assert_eq!(v.get("<s>".as_bytes()), None);
        assert_eq!(v.get("x".as_bytes()), None);
        assert_eq!(v.score(5), -2.5);
        assert_eq!(v.max_chars(), 3);
        assert_eq!(v.charsmap(), b"map");
        let mut short = compile(&pieces, 2, b"map");
        short.pop();
        assert!(CompiledVocab::from_bytes(short).is_err());
    }
}
