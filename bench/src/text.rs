//! Small text helpers shared by the generators: sentence segmentation with byte spans, word
//! counts, and conversions between byte and character (Unicode scalar) offsets.

use std::ops::Range;

/// Words that end with a period without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "messrs", "mme", "mlle", "capt", "col", "gen", "lt", "rev",
    "vs", "no", "co", "inc", "ltd", "corp", "jr", "sr", "u.s", "e.g", "i.e", "etc",
];

/// Number of whitespace-separated words in `text`.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Hashes of the `n`-word shingles of `text` (words lower-cased, punctuation dropped).
pub fn shingles(text: &str, n: usize) -> std::collections::HashSet<u64> {
    use std::hash::{Hash, Hasher};
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words
        .windows(n)
        .map(|window| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            window.hash(&mut hasher);
            hasher.finish()
        })
        .collect()
}

/// Number of characters (Unicode scalar values) in `text`.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// The characters `[char_offset, char_offset + char_length)` of `text`, or `None` when the
/// range runs past the end.
pub fn char_slice(text: &str, char_offset: usize, char_length: usize) -> Option<&str> {
    let mut indices = text.char_indices().map(|(i, _)| i).chain([text.len()]);
    let start = indices.nth(char_offset)?;
    let end = if char_length == 0 {
        start
    } else {
        indices.nth(char_length - 1)?
    };
    Some(&text[start..end])
}

/// Sentence spans of `text` as byte ranges, trimmed of surrounding whitespace.
///
/// A sentence ends after `.`, `!` or `?` (plus any closing quotes or brackets) followed by
/// whitespace and a word that does not start in lower case, unless the word before a period is a known abbreviation or a single capital
/// letter (an initial); a blank line (paragraph break) always ends a sentence, which keeps
/// headings, verse and stage directions apart.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let mut end_here = None;
        if b == b'\n' {
            // Paragraph break: newline, optional spaces, newline.
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t' || bytes[j] == b'\r') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'\n' {
                end_here = Some((i, j + 1));
            }
        } else if matches!(b, b'.' | b'!' | b'?') {
            let mut j = i + 1;
            while j < bytes.len()
                && matches!(bytes[j], b'"' | b'\'' | b')' | b']' | b'.' | b'!' | b'?')
            {
                j += 1;
            }
            let followed_by_space = j >= bytes.len() || bytes[j].is_ascii_whitespace();
            let next_word_lowercase = text[j..]
                .trim_start()
                .chars()
                .next()
                .is_some_and(char::is_lowercase);
            if followed_by_space
                && !next_word_lowercase
                && !(b == b'.' && ends_with_abbreviation(&text[start..i]))
            {
                end_here = Some((j, j));
            }
        }
        if let Some((sentence_end, next_start)) = end_here {
            push_trimmed(text, start..sentence_end, &mut spans);
            start = next_start;
            i = next_start.max(i + 1);
        } else {
            i += 1;
        }
    }
    push_trimmed(text, start..text.len(), &mut spans);
    spans
}

fn ends_with_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    if word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase()) {
        return true;
    }
    let lower = word.to_ascii_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

fn push_trimmed(text: &str, range: Range<usize>, spans: &mut Vec<Range<usize>>) {
    let piece = &text[range.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        spans.push(range.start + lead..range.end - trail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_and_paragraphs() {
        let text = "Mr. Knightley came. \"Is it?\" she said!  Yes\n\nCHAPTER II\nIt was.";
        let got: Vec<&str> = sentences(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            got,
            vec![
                "Mr. Knightley came.",
                "\"Is it?\" she said!",
                "Yes",
                "CHAPTER II\nIt was."
            ]
        );
    }

    #[test]
    fn char_slices_count_scalars() {
        let text = "naïve café — ok";
        assert_eq!(char_slice(text, 6, 4), Some("café"));
        assert_eq!(char_slice(text, 0, 0), Some(""));
        assert_eq!(char_slice(text, 15, 0), Some(""));
        assert_eq!(char_slice(text, 14, 2), None);
        assert_eq!(char_len(text), 15);
    }
}
