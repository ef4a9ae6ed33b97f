//! Per-document position helpers shared by every renderer: spans made safe to slice, byte →
//! char and byte → line:column conversion, and the union coverage of a set of spans.
//!
//! Everything here is built once per document and answers in O(1) or O(log n), so that a
//! report over megabyte documents with thousands of passages never rescans the text.

use stemma_align::Span;
use stemma_text::CharOffsets;

/// A span clamped into `text` and widened outwards to char boundaries.
///
/// Spans come from the aligner and the contract says they are already valid; a renderer must
/// still never panic or slice through a UTF-8 sequence if that contract is broken, so every
/// span is passed through here before use. For valid spans this is the identity.
pub(crate) fn fix_span(text: &str, span: Span) -> Span {
    let len = text.len();
    let mut start = span.start.min(len);
    let mut end = span.end.min(len).max(start);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Span { start, end }
}

/// A span with its char offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CharSpan {
    pub start: usize,
    pub end: usize,
    pub char_start: usize,
    pub char_end: usize,
}

impl CharSpan {
    pub fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.end,
        }
    }
}

/// Position index over one document's text.
pub(crate) struct TextIndex<'a> {
    pub text: &'a str,
    offsets: CharOffsets<'a>,
    /// Byte offset of the first byte of every line (the first is 0).
    line_starts: Vec<usize>,
    /// Total chars.
    pub chars: usize,
}

impl<'a> TextIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let offsets = CharOffsets::new(text);
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let chars = offsets.char_of(text.len());
        TextIndex {
            text,
            offsets,
            line_starts,
            chars,
        }
    }

    /// Char offset of a byte offset on a char boundary.
    pub fn char_of(&self, byte: usize) -> usize {
        self.offsets.char_of(byte)
    }

    /// `span`, made valid, with its char offsets.
    pub fn char_span(&self, span: Span) -> CharSpan {
        let Span { start, end } = fix_span(self.text, span);
        CharSpan {
            start,
            end,
            char_start: self.char_of(start),
            char_end: self.char_of(end),
        }
    }

    /// 1-based line and column (in chars) of a byte offset.
    pub fn line_col(&self, byte: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= byte) - 1;
        let col = self.char_of(byte) - self.char_of(self.line_starts[line]) + 1;
        (line + 1, col)
    }

    /// "line:col–line:col" of a span, the end being the position of its last char.
    pub fn range_label(&self, span: Span) -> String {
        let (l1, c1) = self.line_col(span.start);
        if span.is_empty() {
            return format!("{l1}:{c1}");
        }
        let last = self.text[..span.end]
            .char_indices()
            .next_back()
            .map_or(span.start, |(i, _)| i);
        let (l2, c2) = self.line_col(last);
        format!("{l1}:{c1}–{l2}:{c2}")
    }

    /// Chars covered by at least one of `spans` (overlaps counted once).
    pub fn covered_chars(&self, spans: impl IntoIterator<Item = Span>) -> usize {
        merge_spans(spans)
            .into_iter()
            .map(|s| self.char_of(s.end) - self.char_of(s.start))
            .sum()
    }
}

/// The union of `spans` as sorted, disjoint, non-empty spans (touching spans are joined).
pub(crate) fn merge_spans(spans: impl IntoIterator<Item = Span>) -> Vec<Span> {
    let mut spans: Vec<Span> = spans.into_iter().filter(|s| !s.is_empty()).collect();
    spans.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    #[test]
    fn fix_span_snaps_to_char_boundaries() {
        let text = "aé中b"; // a(1) é(2) 中(3) b(1)
        assert_eq!(fix_span(text, sp(2, 4)), sp(1, 6));
        assert_eq!(fix_span(text, sp(5, 100)), sp(3, 7));
        assert_eq!(fix_span(text, sp(6, 2)), sp(6, 6));
    }

    #[test]
    fn line_col_counts_chars() {
        let text = "héllo\nмир 中文\nz";
        let idx = TextIndex::new(text);
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(text.find('м').unwrap()), (2, 1));
        assert_eq!(idx.line_col(text.find('中').unwrap()), (2, 5));
        assert_eq!(idx.line_col(text.find('z').unwrap()), (3, 1));
        let s = sp(text.find('м').unwrap(), text.find("\nz").unwrap());
        assert_eq!(idx.range_label(s), "2:1–2:6");
    }

    #[test]
    fn merge_counts_overlaps_once() {
        assert_eq!(
            merge_spans([sp(5, 10), sp(0, 3), sp(8, 12), sp(3, 4), sp(20, 20)]),
            vec![sp(0, 4), sp(5, 12)]
        );
    }
}
