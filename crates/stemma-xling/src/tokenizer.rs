//! SentencePiece unigram tokenization for the mUSE vocabulary.
//!
//! The model file is a SentencePiece `ModelProto` in its legacy layout: the pieces (field 1),
//! and the trainer spec (field 3) whose field 2 holds the precompiled `nmt_nfkc` charsmap, a
//! darts-clone double-array trie plus a table of NUL-terminated replacements. Normalization
//! walks that trie exactly as SentencePiece's `Normalizer::NormalizePrefix` does, then spaces
//! become U+2581 with a dummy prefix and runs of spaces collapse; segmentation is the unigram
//! Viterbi (best total piece score, unknown characters at the lowest score minus 10).
//!
//! Written here rather than taken from a crate: the `sentencepiece` crate builds the C++
//! library with cmake and `tokenizers` pulls in dozens of crates, for 250 lines checked
//! against the C++ library's ids (`tests/fixtures/muse_reference.json`).

use crate::vocab::{compile, CompiledVocab};
use crate::ModelError;

const UNK: u32 = 0;
/// Begin-of-sentence id, prepended to every sentence.
pub const BOS: u32 = 1;
/// End-of-sentence id, appended to every sentence.
pub const EOS: u32 = 2;
/// SentencePiece's penalty for an unknown character, below the lowest piece score.
const UNK_PENALTY: f32 = 10.0;
const SPACE: &str = "\u{2581}";

/// A unigram SentencePiece tokenizer.
#[derive(Debug)]
pub struct Tokenizer {
    /// The pieces, their scores and every prefix of a piece (→ `piece id + 1`, or 0 for a
    /// prefix that is not a piece).
    vocab: CompiledVocab,
    unk_score: f64,
    normalizer: Normalizer,
}

/// A field of a protobuf message: its number and the bytes of a length-delimited value or
/// of a fixed 32-bit value (varints and 64-bit values are skipped: the pieces and the
/// charsmap need neither).
fn fields(data: &[u8]) -> Result<Vec<(u32, &[u8])>, &'static str> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    let varint = |pos: &mut usize| -> Result<u64, &'static str> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *data.get(*pos).ok_or("truncated varint")?;
            *pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("overlong varint")
    };
    while pos < data.len() {
        let tag = varint(&mut pos)?;
        let field = (tag >> 3) as u32;
        match tag & 7 {
            0 => {
                varint(&mut pos)?;
            }
            1 => pos += 8,
            2 => {
                let len = varint(&mut pos)? as usize;
                let end = pos.checked_add(len).filter(|&e| e <= data.len());
                let end = end.ok_or("field runs past the end")?;
                out.push((field, &data[pos..end]));
                pos = end;
            }
            5 => {
                let end = (pos + 4).min(data.len());
                out.push((field, &data[pos..end]));
                pos += 4;
            }
            _ => return Err("unknown wire type"),
        }
    }
    if pos > data.len() {
        return Err("field runs past the end");
    }
    Ok(out)
}

impl Tokenizer {
    /// Parse a SentencePiece model file's bytes.
    #[cfg(test)]
    pub fn from_bytes(data: &[u8]) -> Result<Self, ModelError> {
        Self::from_compiled(Self::compile(data)?)
    }

    /// Compile a SentencePiece model file's bytes into the buffer [`Tokenizer::from_compiled`]
    /// loads without parsing (`vocab.bin`, written at install).
    pub fn compile(data: &[u8]) -> Result<Vec<u8>, ModelError> {
        let bad = |why: &str| ModelError::Corrupt(format!("sp.model: {why}"));
        let top = fields(data).map_err(bad)?;
        let mut pieces: Vec<(&str, f32)> = Vec::new();
        let mut charsmap: &[u8] = &[];
        for (field, value) in &top {
            match field {
                1 => {
                    let mut piece = "";
                    let mut score = 0.0f32;
                    for (f, v) in fields(value).map_err(bad)? {
                        match f {
                            1 => {
                                piece =
                                    std::str::from_utf8(v).map_err(|_| bad("piece is not UTF-8"))?
                            }
                            2 if v.len() == 4 => {
                                score = f32::from_le_bytes([v[0], v[1], v[2], v[3]])
                            }
                            _ => {}
                        }
                    }
                    // The piece type is a varint that `fields` skips; the special pieces
                    // are recognized by their ids (0, 1, 2) and never matched in text.
                    pieces.push((piece, score));
                }
                3 => {
                    for (f, v) in fields(value).map_err(bad)? {
                        if f == 2 {
                            charsmap = v;
                        }
                    }
                }
                _ => {}
            }
        }
        if pieces.len() < 3 {
            return Err(bad("no vocabulary"));
        }
        Normalizer::new(charsmap).map_err(bad)?;
        Ok(compile(&pieces, EOS as usize, charsmap))
    }

    /// Load a vocabulary [`Tokenizer::compile`] wrote.
    pub fn from_compiled(bytes: Vec<u8>) -> Result<Self, ModelError> {
        let bad = |why: &str| ModelError::Corrupt(format!("vocab.bin: {why}"));
        let vocab = CompiledVocab::from_bytes(bytes).map_err(bad)?;
        if vocab.pieces() < 3 {
            return Err(bad("no vocabulary"));
        }
        let min_score = (0..vocab.pieces())
            .map(|id| vocab.score(id))
            .fold(f32::INFINITY, f32::min);
        Ok(Tokenizer {
            normalizer: Normalizer::new(vocab.charsmap()).map_err(bad)?,
            unk_score: f64::from(min_score - UNK_PENALTY),
            vocab,
        })
    }

    /// Vocabulary size.
    #[cfg(test)]
    pub fn vocab_size(&self) -> usize {
        self.vocab.pieces()
    }

    /// Piece ids of `text`, between [`BOS`] and [`EOS`].
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let normalized = self.normalizer.normalize(text);
        let mut ids = Vec::with_capacity(normalized.len() / 3 + 2);
        ids.push(BOS);
        self.viterbi(&normalized, &mut ids);
        ids.push(EOS);
        ids
    }

    fn viterbi(&self, s: &str, out: &mut Vec<u32>) {
        if s.is_empty() {
            return;
        }
        let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
        let n = bounds.len() - 1;
        let mut best = vec![f64::NEG_INFINITY; n + 1];
        best[0] = 0.0;
        let mut start_of = vec![0usize; n + 1];
        let mut piece_of = vec![UNK; n + 1];
        for i in 0..n {
            let base = best[i];
            let stop = (i + self.vocab.max_chars()).min(n);
            let mut has_single = false;
            for j in i + 1..=stop {
                let Some(v) = self.vocab.get(&s.as_bytes()[bounds[i]..bounds[j]]) else {
                    break;
                };
                if v > 0 {
                    let score = base + f64::from(self.vocab.score(v as usize - 1));
                    if score > best[j] {
                        best[j] = score;
                        start_of[j] = i;
                        piece_of[j] = v - 1;
                    }
                    has_single |= j == i + 1;
                }
            }
            if !has_single {
                let score = base + self.unk_score;
                if score > best[i + 1] {
                    best[i + 1] = score;
                    start_of[i + 1] = i;
                    piece_of[i + 1] = UNK;
                }
            }
        }
        let first = out.len();
        let mut p = n;
        while p > 0 {
            out.push(piece_of[p]);
            p = start_of[p];
        }
        out[first..].reverse();
    }
}

/// SentencePiece's `nmt_nfkc` normalizer over a precompiled charsmap.
#[derive(Debug)]
struct Normalizer {
    units: Vec<u32>,
    replacements: Vec<u8>,
}

impl Normalizer {
    fn new(charsmap: &[u8]) -> Result<Self, &'static str> {
        if charsmap.is_empty() {
            return Ok(Normalizer {
                units: Vec::new(),
                replacements: Vec::new(),
            });
        }
        let head = charsmap.get(..4).ok_or("charsmap too short")?;
        let trie_size = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let trie = charsmap
            .get(4..4 + trie_size)
            .ok_or("charsmap trie truncated")?;
        let units = trie
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Normalizer {
            units,
            replacements: charsmap[4 + trie_size..].to_vec(),
        })
    }

    fn offset(unit: u32) -> usize {
        ((unit >> 10) << ((unit & 0x200) >> 6)) as usize
    }

    /// The longest charsmap key at the start of `data`: (replacement, bytes consumed); the
    /// first char itself when no key matches.
    fn normalize_prefix<'a>(&'a self, data: &'a [u8]) -> (&'a [u8], usize) {
        let mut best_len = 0;
        let mut best_value = 0usize;
        if let Some(&root) = self.units.first() {
            let mut node = Self::offset(root);
            for (i, &c) in data.iter().enumerate() {
                node ^= c as usize;
                let Some(&unit) = self.units.get(node) else {
                    break;
                };
                if unit & 0x8000_00ff != u32::from(c) {
                    break;
                }
                node ^= Self::offset(unit);
                if unit & 0x100 != 0 {
                    best_len = i + 1;
                    best_value = self
                        .units
                        .get(node)
                        .map_or(usize::MAX, |u| (u & 0x7fff_ffff) as usize);
                }
            }
        }
        if best_len == 0 || best_value >= self.replacements.len() {
            let len = utf8_len(data[0]).min(data.len());
            return (&data[..len], len);
        }
        let rest = &self.replacements[best_value..];
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        (&rest[..end], best_len)
    }

    /// Normalized text with spaces as U+2581, a dummy prefix, and no extra spaces.
    fn normalize(&self, text: &str) -> String {
        let raw = text.as_bytes();
        let mut pos = 0;
        // Leading whitespace (after normalization) is dropped.
        while pos < raw.len() {
            let (piece, consumed) = self.normalize_prefix(&raw[pos..]);
            if piece != b" " {
                break;
            }
            pos += consumed;
        }
        if pos >= raw.len() {
            return String::new();
        }
        let mut out: Vec<u8> = Vec::with_capacity(raw.len() + 8);
        out.extend_from_slice(SPACE.as_bytes());
        let mut prev_space = true;
        while pos < raw.len() {
            let (mut piece, consumed) = self.normalize_prefix(&raw[pos..]);
            pos += consumed;
            if prev_space {
                while let [b' ', rest @ ..] = piece {
                    piece = rest;
                }
            }
            if piece.is_empty() {
                continue;
            }
            for &byte in piece {
                if byte == b' ' {
                    out.extend_from_slice(SPACE.as_bytes());
                } else {
                    out.push(byte);
                }
            }
            prev_space = piece.last() == Some(&b' ');
        }
        while out.ends_with(SPACE.as_bytes()) {
            out.truncate(out.len() - SPACE.len());
        }
        // Replacements come from the model and may, in principle, not be UTF-8.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protobuf_fields_are_read_and_bounded() {
        // field 1, length 2, "ab"; field 2 fixed32.
        let data = [0x0a, 2, b'a', b'b', 0x15, 1, 0, 0, 0];
        let f = fields(&data).unwrap();
        assert_eq!(f[0], (1, &b"ab"[..]));
        assert_eq!(f[1].0, 2);
        assert!(fields(&[0x0a, 9, b'a']).is_err());
    }

    #[test]
    fn a_tiny_vocabulary_segments_by_best_score() {
        let mut model = Vec::new();
        let mut piece = |text: &str, score: f32| {
            let mut p = vec![0x0a, text.len() as u8];
            p.extend_from_slice(text.as_bytes());
            p.push(0x15);
            p.extend_from_slice(&score.to_le_bytes());
            model.push(0x0a);
            model.push(p.len() as u8);
            model.extend_from_slice(&p);
        };
        for (t, s) in [
            ("<unk>", 0.0),
            ("<s>", 0.0),
            ("</s>", 0.0),
            ("▁ab", -1.0),
            ("▁a", -2.0),
            ("b", -2.0),
            ("c", -1.0),
        ] {
            piece(t, s);
        }
        let tok = Tokenizer::from_bytes(&model).unwrap();
        assert_eq!(tok.vocab_size(), 7);
        // "▁ab▁c": "▁ab" beats "▁a"+"b"; "▁" alone is no piece, so it is unknown.
        assert_eq!(tok.encode("  ab  c "), vec![BOS, 3, UNK, 6, EOS]);
        assert_eq!(tok.encode("   "), vec![BOS, EOS]);
    }
}
