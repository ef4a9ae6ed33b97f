//! [`word_norms`](crate::word_norms) of ASCII text, 64 bytes at a time.
//!
//! The words are [`ascii_words`](crate::tokenize)'s (UAX#29 restricted to ASCII: letters,
//! digits and `_` join; a single `:` `.` `'` joins two letters; a single `,` `;` `.` `'`
//! joins two digits), each hashed with xxh3 as lower-cased bytes. Instead of classifying the
//! text byte by byte, each block of 64 bytes is lower-cased into a copy and classified into
//! bit masks (16 bytes per SSE2 instruction on x86-64), the joiners are resolved with shifts
//! of the masks, and words are read off the mask's 0→1 and 1→0 transitions. Scanning byte
//! by byte was three quarters of the time of sketching a document for `stemma dedup`.

use xxhash_rust::xxh3::xxh3_64;

/// Bytes per block: one bit of a `u64` mask each.
const BLOCK: usize = 64;

/// A block's classes, one bit per byte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Masks {
    /// Letters, digits and `_`: the bytes that join by themselves.
    word: u64,
    /// Letters (a–z after lower-casing).
    letter: u64,
    /// Digits.
    digit: u64,
    /// `:` `.` `'`: join two letters.
    letter_joiner: u64,
    /// `,` `;` `.` `'`: join two digits.
    digit_joiner: u64,
    /// Bytes outside ASCII (the text is not for this path).
    high: u64,
}

/// Lower-case `src` into `dst` and classify it (the scalar version; [`block_masks`] uses
/// SSE2 where it can, with the same result).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn block_masks_scalar(src: &[u8; BLOCK], dst: &mut [u8; BLOCK]) -> Masks {
    let mut m = Masks::default();
    for (i, (&b, d)) in src.iter().zip(dst.iter_mut()).enumerate() {
        let lower = b.to_ascii_lowercase();
        *d = lower;
        let bit = 1u64 << i;
        if !b.is_ascii() {
            m.high |= bit;
        }
        let letter = lower.is_ascii_lowercase();
        let digit = b.is_ascii_digit();
        if letter {
            m.letter |= bit;
        }
        if digit {
            m.digit |= bit;
        }
        if letter || digit || b == b'_' {
            m.word |= bit;
        }
        if matches!(b, b':' | b'.' | b'\'') {
            m.letter_joiner |= bit;
        }
        if matches!(b, b',' | b';' | b'.' | b'\'') {
            m.digit_joiner |= bit;
        }
    }
    m
}

#[cfg(target_arch = "x86_64")]
fn block_masks(src: &[u8; BLOCK], dst: &mut [u8; BLOCK]) -> Masks {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86-64; every load and store stays inside the two 64-byte
    // arrays (4 × 16 bytes, unaligned access).
    unsafe {
        // Bytes whose value is in lo..lo+len (unsigned: a wrapping difference below len).
        let in_range = |v: __m128i, lo: u8, len: u8| {
            let x = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
            _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8((len - 1) as i8)), x)
        };
        let is = |v: __m128i, b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
        let bits = |v: __m128i| u64::from(_mm_movemask_epi8(v) as u16);
        let mut m = Masks::default();
        for part in 0..BLOCK / 16 {
            let v = _mm_loadu_si128(src.as_ptr().add(part * 16).cast());
            let upper = in_range(v, b'A', 26);
            let lower = _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
            _mm_storeu_si128(dst.as_mut_ptr().add(part * 16).cast(), lower);
            let letter = in_range(lower, b'a', 26);
            let digit = in_range(v, b'0', 10);
            let word = _mm_or_si128(_mm_or_si128(letter, digit), is(v, b'_'));
            let both = _mm_or_si128(is(v, b'.'), is(v, b'\''));
            let letter_joiner = _mm_or_si128(both, is(v, b':'));
            let digit_joiner = _mm_or_si128(both, _mm_or_si128(is(v, b','), is(v, b';')));
            let shift = part * 16;
            m.word |= bits(word) << shift;
            m.letter |= bits(letter) << shift;
            m.digit |= bits(digit) << shift;
            m.letter_joiner |= bits(letter_joiner) << shift;
            m.digit_joiner |= bits(digit_joiner) << shift;
            m.high |= bits(v) << shift;
        }
        m
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn block_masks(src: &[u8; BLOCK], dst: &mut [u8; BLOCK]) -> Masks {
    block_masks_scalar(src, dst)
}

thread_local! {
    /// The lower-cased copy of the text and its masks, reused between calls.
    static SCRATCH: std::cell::RefCell<(Vec<u8>, Vec<Masks>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Push the xxh3 hash of each word of `text` to `out` if it is ASCII; `false`, with nothing
/// pushed, if it is not (see [`ascii_words_lowered`]).
pub(crate) fn ascii_word_norms(text: &[u8], out: &mut Vec<u64>) -> bool {
    ascii_words_lowered(text, |_, _, word| out.push(xxh3_64(word)))
}

/// Call `word(start, end, lowered)` for each word of `text` if it is ASCII, in order: its
/// byte span and its bytes lower-cased (its normal form: ASCII is NFKC-stable and folds by
/// lower-casing). What [`analyze`](crate::analyze) reads an ASCII text's words with.
/// Whether the text is ASCII is found while classifying it, with no pass of its own:
/// `false`, with no word handed, if it is not.
pub(crate) fn ascii_words_lowered(text: &[u8], word: impl FnMut(usize, usize, &[u8])) -> bool {
    with_blocks(text, |masks, lower| {
        let ascii = masks.iter().all(|m| m.high == 0);
        if ascii {
            words_from_masks(masks, lower, word);
        }
        ascii
    })
}

/// Call `run(start, end, lowered)` for each run of ASCII letters and digits of `text` if it
/// is ASCII, in order: its byte span and its bytes lower-cased. These are the words of
/// tantivy's `SimpleTokenizer` in an ASCII text (no joiners: "can't" is "can" and "t"), read
/// off the same bit masks as [`analyze`](crate::analyze)'s words. `false`, with no run
/// handed, if the text is not ASCII (found while classifying it).
///
/// ```
/// let mut runs = Vec::new();
/// assert!(stemma_text::ascii_alphanumeric_runs(b"Don't PANIC, 42x!", |s, e, lowered| {
///     runs.push((s, e, String::from_utf8(lowered.to_vec()).unwrap()))
/// }));
/// assert_eq!(runs, [(0, 3, "don".into()), (4, 5, "t".into()), (6, 11, "panic".into()), (13, 16, "42x".into())]);
/// assert!(!stemma_text::ascii_alphanumeric_runs("café".as_bytes(), |_, _, _| unreachable!()));
/// ```
pub fn ascii_alphanumeric_runs(text: &[u8], mut run: impl FnMut(usize, usize, &[u8])) -> bool {
    with_blocks(text, |masks, lower| {
        if masks.iter().any(|m| m.high != 0) {
            return false;
        }
        let mut start = 0;
        let mut prev = 0u64;
        for (b, m) in masks.iter().enumerate() {
            let alnum = m.letter | m.digit;
            // Bits where a run starts or ends (one past its last byte), alternately.
            let mut edges = alnum ^ (alnum << 1 | prev);
            let base = b * BLOCK;
            while edges != 0 {
                let at = base + edges.trailing_zeros() as usize;
                edges &= edges - 1;
                if alnum >> (at - base) & 1 == 1 {
                    start = at;
                } else {
                    run(start, at, &lower[start..at]);
                }
            }
            prev = alnum >> 63;
        }
        // A run to the end of a text of whole blocks.
        if prev == 1 {
            run(start, text.len(), &lower[start..text.len()]);
        }
        true
    })
}

/// Hand `f` the masks of `text`'s 64-byte blocks and its lower-cased copy (zero-padded to
/// whole blocks), made in this thread's scratch buffers.
fn with_blocks<R>(text: &[u8], f: impl FnOnce(&[Masks], &[u8]) -> R) -> R {
    SCRATCH.with_borrow_mut(|(lower, masks)| {
        let blocks = text.len().div_ceil(BLOCK);
        lower.clear();
        lower.resize(blocks * BLOCK, 0);
        masks.clear();
        masks.reserve(blocks);
        let (whole, tail) = text.split_at(text.len() / BLOCK * BLOCK);
        for (src, dst) in whole.chunks_exact(BLOCK).zip(lower.chunks_exact_mut(BLOCK)) {
            masks.push(block_masks(
                src.try_into().expect("64 bytes"),
                dst.try_into().expect("64 bytes"),
            ));
        }
        if !tail.is_empty() {
            // Zero padding classifies as nothing: no word runs past the end.
            let mut src = [0u8; BLOCK];
            src[..tail.len()].copy_from_slice(tail);
            let dst: &mut [u8; BLOCK] = (&mut lower[whole.len()..]).try_into().expect("64 bytes");
            masks.push(block_masks(&src, dst));
        }
        let result = f(masks, lower);
        // A huge document should not pin its copy for the life of the thread.
        if lower.capacity() > 1 << 24 {
            *lower = Vec::new();
            *masks = Vec::new();
        }
        result
    })
}

/// Read the words off the blocks' masks and hand each to `word` (`lower`: the lower-cased
/// text, padded with zeros to whole blocks).
fn words_from_masks(masks: &[Masks], lower: &[u8], mut word: impl FnMut(usize, usize, &[u8])) {
    let none = Masks::default();
    // Bit 63 of the previous block's masks (the byte before this block).
    let (mut prev_letter, mut prev_digit, mut prev_word) = (0u64, 0u64, 0u64);
    let mut start = None;
    let mut emit = |start: usize, end: usize| {
        let lowered = &lower[start..end];
        // A run of underscores alone is not a word.
        if lowered[0] != b'_' || lowered.iter().any(u8::is_ascii_alphanumeric) {
            word(start, end, lowered);
        }
    };
    for (b, m) in masks.iter().enumerate() {
        let next = masks.get(b + 1).unwrap_or(&none);
        let letter_before = m.letter << 1 | prev_letter;
        let letter_after = m.letter >> 1 | (next.letter & 1) << 63;
        let digit_before = m.digit << 1 | prev_digit;
        let digit_after = m.digit >> 1 | (next.digit & 1) << 63;
        let word = m.word
            | m.letter_joiner & letter_before & letter_after
            | m.digit_joiner & digit_before & digit_after;
        // Bits where a word starts or ends (one past its last byte), alternately.
        let mut edges = word ^ (word << 1 | prev_word);
        let base = b * BLOCK;
        while edges != 0 {
            let at = base + edges.trailing_zeros() as usize;
            edges &= edges - 1;
            match start.take() {
                None => start = Some(at),
                Some(s) => emit(s, at),
            }
        }
        prev_letter = m.letter >> 63;
        prev_digit = m.digit >> 63;
        prev_word = word >> 63;
    }
    // A word that runs to the end of a text of whole blocks.
    if let Some(s) = start {
        emit(s, masks.len() * BLOCK);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The byte-by-byte reference: `ascii_words`' spans, lower-cased and hashed.
    fn reference(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        crate::tokenize::ascii_words(text.as_bytes(), |s, e| {
            out.push(xxh3_64(text[s..e].to_ascii_lowercase().as_bytes()))
        });
        out
    }

    fn norms(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        assert!(ascii_word_norms(text.as_bytes(), &mut out));
        out
    }

    #[test]
    fn a_byte_outside_ascii_anywhere_is_refused() {
        for at in [0, 63, 64, 100, 127, 129] {
            let mut text = vec![b'a'; 130];
            text[at] = 0xc3;
            let mut out = Vec::new();
            assert!(!ascii_word_norms(&text, &mut out), "{at}");
            assert!(out.is_empty());
        }
    }

    #[test]
    fn words_across_block_edges_and_at_the_end() {
        for text in [
            String::new(),
            "a".repeat(64),
            "a".repeat(128),
            format!("{}.b", "a".repeat(63)),
            format!("{}a.b", " ".repeat(62)),
            format!("{}1,2", " ".repeat(63)),
            format!("{}__ _a x", " ".repeat(62)),
            "U.S.A. can't 3.14 1,000 __ a._b Ab:Cd".into(),
        ] {
            assert_eq!(norms(&text), reference(&text), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn the_masks_find_the_words_byte_by_byte_finds(
            text in "[a-cA-C0-2_:.,;' \t\n!-]{0,300}|[\x00-\x7f]{0,300}",
        ) {
            prop_assert_eq!(norms(&text), reference(&text));
        }

        #[test]
        fn alphanumeric_runs_are_the_runs_byte_by_byte(
            text in "[a-cA-C0-2_:.,;' \t\n!-]{0,300}|[\x00-\x7f]{0,300}|[a-zA-Z ]{60,70}",
        ) {
            let mut runs = Vec::new();
            assert!(ascii_alphanumeric_runs(text.as_bytes(), |s, e, lowered| runs.push((s, e, lowered.to_vec()))));
            let mut reference = Vec::new();
            let bytes = text.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i].is_ascii_alphanumeric() {
                    let s = i;
                    while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                        i += 1;
                    }
                    reference.push((s, i, bytes[s..i].to_ascii_lowercase()));
                } else {
                    i += 1;
                }
            }
            prop_assert_eq!(runs, reference);
        }

        #[test]
        fn simd_and_scalar_masks_agree(bytes in proptest::collection::vec(any::<u8>(), 64)) {
            let src: [u8; BLOCK] = bytes.try_into().unwrap();
            let (mut a, mut b) = ([0u8; BLOCK], [0u8; BLOCK]);
            prop_assert_eq!(block_masks(&src, &mut a), block_masks_scalar(&src, &mut b));
            prop_assert_eq!(a, b);
        }
    }
}
