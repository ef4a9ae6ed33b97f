//! Exact byte → character offsets.

const BLOCK: usize = 256;

/// Converts byte offsets of a text into Unicode-scalar (char) offsets in O(1) amortized:
/// a prefix count per 256-byte block, then a count of the rest of the block.
///
/// ```
/// let text = "naïve café";
/// let offsets = stemma_text::CharOffsets::new(text);
/// assert_eq!(offsets.char_of(text.find("café").unwrap()), 6);
/// assert_eq!(offsets.char_of(text.len()), 10);
/// ```
#[derive(Debug, Clone)]
pub struct CharOffsets<'a> {
    bytes: &'a [u8],
    block_starts: Vec<u32>,
}

impl<'a> CharOffsets<'a> {
    /// Index `text`.
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut block_starts = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut chars = 0u32;
        for block in bytes.chunks(BLOCK) {
            block_starts.push(chars);
            chars += count_chars(block);
        }
        block_starts.push(chars);
        CharOffsets {
            bytes,
            block_starts,
        }
    }

    /// The char offset of byte offset `byte` (which must lie on a char boundary, or at the end).
    pub fn char_of(&self, byte: usize) -> usize {
        let byte = byte.min(self.bytes.len());
        let block = byte / BLOCK;
        let base = self.block_starts[block] as usize;
        base + count_chars(&self.bytes[block * BLOCK..byte]) as usize
    }
}

fn count_chars(bytes: &[u8]) -> u32 {
    // A char starts at every byte that is not a UTF-8 continuation byte (10xxxxxx).
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn matches_naive_count(text in "\\PC{0,700}") {
            let offsets = CharOffsets::new(&text);
            for (byte, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                prop_assert_eq!(offsets.char_of(byte), text[..byte].chars().count());
            }
        }
    }
}
