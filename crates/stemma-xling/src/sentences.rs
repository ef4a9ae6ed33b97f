//! The sentences that cross-lingual comparison embeds: spans cut as a reader would (a
//! headline or a one-sentence line ends a sentence even without a full stop), and their
//! vectors.

use stemma_align::Span;
use stemma_text::Analysis;

use crate::muse::DIM;

/// The sentences of one text and their embeddings.
#[derive(Debug, Clone, Default)]
pub struct SentenceVectors {
    /// Each sentence's bytes in the text (from its first word to the punctuation that ends it).
    pub spans: Vec<Span>,
    /// Words per sentence.
    pub words: Vec<u32>,
    /// `spans.len() × 512` unit vectors, row by row.
    pub vectors: Vec<f32>,
}

impl SentenceVectors {
    pub(crate) fn row(&self, i: usize) -> &[f32] {
        &self.vectors[i * DIM..(i + 1) * DIM]
    }

    /// Number of sentences.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are no sentences.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// The sentence spans of `text` as [`analyze`](stemma_text::analyze) found them, each
/// running from its first word to the end of the punctuation after its last word, and cut
/// again at line breaks that end a line without punctuation: a headline above its story, or
/// lines of a text that writes one sentence a line without full stops. A hard-wrapped text
/// (no line over [`WRAP_WIDTH`] characters) is cut only after short lines, since its line
/// breaks fall inside sentences.
///
/// ```
/// let text = "One sentence here. «Another one!» And";
/// let spans = stemma_xling::sentence_spans(text, &stemma_text::analyze(text));
/// let got: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
/// assert_eq!(got, ["One sentence here.", "Another one!»", "And"]);
/// let text = "A headline with no full stop\nThe story starts here, in a line of its own that runs on for longer than any hard-wrapped line would.";
/// let spans = stemma_xling::sentence_spans(text, &stemma_text::analyze(text));
/// assert_eq!(&text[spans[0].start..spans[0].end], "A headline with no full stop");
/// ```
pub fn sentence_spans(text: &str, analysis: &Analysis) -> Vec<Span> {
    sentence_units(text, analysis)
        .into_iter()
        .map(|(span, _)| span)
        .collect()
}

/// Lines longer than this (in characters) mean the text is not hard-wrapped.
pub const WRAP_WIDTH: usize = 100;

/// The sentences of [`sentence_spans`] with their word counts.
pub(crate) fn sentence_units(text: &str, analysis: &Analysis) -> Vec<(Span, u32)> {
    let tokens = &analysis.tokens;
    let longest_line = text
        .split('\n')
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let hard_wrapped = longest_line <= WRAP_WIDTH;
    // A line break ends a sentence when the line before it has words and no closing
    // punctuation (that case is the analysis's own cut), and, in hard-wrapped text, is short.
    let breaks_here = |gap_start: usize, gap: &str| -> bool {
        let Some(newline) = gap.find('\n') else {
            return false;
        };
        if !hard_wrapped {
            return true;
        }
        let line_start = text[..gap_start + newline].rfind('\n').map_or(0, |i| i + 1);
        text[line_start..gap_start + newline].chars().count() * 10 < longest_line * 6
    };
    let span_of = |first: usize, end: usize| {
        let start = tokens[first].start as usize;
        let last_end = tokens[end - 1].end as usize;
        let limit = tokens.get(end).map_or(text.len(), |t| t.start as usize);
        let tail = &text[last_end..limit];
        let end = last_end + tail.find(char::is_whitespace).unwrap_or(tail.len());
        Span { start, end }
    };
    let mut units = Vec::with_capacity(analysis.sentences.len());
    for s in analysis.sentences.iter().filter(|s| s.end > s.first) {
        let (mut first, end) = (s.first as usize, s.end as usize);
        for i in first + 1..end {
            let gap_start = tokens[i - 1].end as usize;
            if breaks_here(gap_start, &text[gap_start..tokens[i].start as usize]) {
                units.push((span_of(first, i), (i - first) as u32));
                first = i;
            }
        }
        units.push((span_of(first, end), (end - first) as u32));
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_cut_sentences_unless_the_text_is_hard_wrapped() {
        let texts = |text: &str| -> Vec<String> {
            sentence_spans(text, &stemma_text::analyze(text))
                .iter()
                .map(|s| text[s.start..s.end].to_string())
                .collect()
        };
        // One sentence a line, no full stops (a translation that dropped them).
        let long = "x".repeat(WRAP_WIDTH);
        let lined = format!("First line of words\nsecond line {long}\nthird line");
        assert_eq!(texts(&lined).len(), 3);
        // Hard-wrapped prose: the breaks fall inside sentences and stay there, but a short
        // heading line is a sentence of its own.
        let wrapped = "A Heading\nThe sentence runs over the edge of one line and goes on into\nthe next line, where it ends at last.";
        assert_eq!(
            texts(wrapped),
            [
                "A Heading",
                "The sentence runs over the edge of one line and goes on into\nthe next line, where it ends at last."
            ]
        );
    }
}
