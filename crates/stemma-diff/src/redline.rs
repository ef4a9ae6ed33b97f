//! Word-level redline inside matched clauses: tokens, a Myers diff with a deadline, and a
//! semantic cleanup that folds short coincidental equalities into the surrounding edits.

use std::time::Instant;

use similar::{Algorithm, DiffOp};
use stemma_text::Normalizer;
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

use crate::segment::Span;

/// How tokens are compared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenOptions {
    /// Compare words case-folded (and NFKC-normalized).
    pub ignore_case: bool,
    /// Leave punctuation out of the comparison.
    pub ignore_punctuation: bool,
}

/// One compared token of a clause body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tok {
    pub start: usize,
    /// End of the token itself.
    pub end: usize,
    /// Up to the next token (so pieces render with their spacing).
    pub ext_end: usize,
    /// Comparison key under the options.
    pub key: u64,
    /// Normalized word key (0 for punctuation).
    pub norm: u64,
}

/// Tokens of `span` in `text`: words and (unless ignored) punctuation; whitespace is never a
/// token, so reflowed text compares equal.
pub(crate) fn tokenize(
    text: &str,
    span: Span,
    options: TokenOptions,
    normalizer: &mut Normalizer,
    out: &mut Vec<Tok>,
) {
    let body = span.of(text);
    let first = out.len();
    for (offset, piece) in body.split_word_bound_indices() {
        let is_word = piece.chars().any(char::is_alphanumeric);
        if !is_word && (options.ignore_punctuation || piece.trim().is_empty()) {
            continue;
        }
        let norm = if is_word {
            xxh3_64(normalizer.normalize(piece).as_bytes())
        } else {
            0
        };
        let key = if is_word && options.ignore_case {
            norm
        } else {
            xxh3_64(piece.as_bytes()) ^ 0x9e37_79b9_7f4a_7c15
        };
        let start = span.start + offset;
        out.push(Tok {
            start,
            end: start + piece.len(),
            ext_end: start + piece.len(),
            key,
            norm,
        });
    }
    for i in first..out.len() {
        out[i].ext_end = out.get(i + 1).map_or(span.end, |n| n.start);
    }
}

/// The kind of a redline piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// In both versions.
    Equal,
    /// Only in the old version.
    Delete,
    /// Only in the new version.
    Insert,
}

impl Op {
    /// "equal", "delete" or "insert".
    pub fn as_str(&self) -> &'static str {
        match self {
            Op::Equal => "equal",
            Op::Delete => "delete",
            Op::Insert => "insert",
        }
    }
}

/// A run of text of one kind. `a` is set for equal and deleted text, `b` for equal and
/// inserted text; each span covers whole tokens with the spacing that follows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Equal, deleted or inserted.
    pub op: Op,
    /// Where the text is in the old version.
    pub a: Option<Span>,
    /// Where the text is in the new version.
    pub b: Option<Span>,
}

/// A word-level redline of one matched pair or group of clauses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Redline {
    /// Pieces in reading order (within a change, deletions before insertions).
    pub pieces: Vec<Piece>,
    /// False when the deadline cut the diff short (the redline is then coarser, still valid).
    pub complete: bool,
}

impl Redline {
    /// Number of tokens-runs that differ.
    pub fn edits(&self) -> usize {
        self.pieces.iter().filter(|p| p.op != Op::Equal).count()
    }
}

/// Word-level redline of the old bodies `a_spans` (in `a_text`) against the new `b_spans`.
///
/// Text is compared token by token (whitespace ignored); the diff stops refining at
/// `deadline` and then reports what it has.
///
/// ```
/// use stemma_diff::{redline, Op, Span, TokenOptions};
/// let (a, b) = ("The fee is ten euros.", "The fee is twelve euros.");
/// let r = redline(a, &[Span::new(0, a.len())], b, &[Span::new(0, b.len())], TokenOptions::default(), None);
/// let deleted: Vec<&str> = r.pieces.iter().filter(|p| p.op == Op::Delete)
///     .map(|p| p.a.unwrap().of(a)).collect();
/// assert_eq!(deleted, ["ten "]);
/// assert!(r.complete);
/// ```
pub fn redline(
    a_text: &str,
    a_spans: &[Span],
    b_text: &str,
    b_spans: &[Span],
    options: TokenOptions,
    deadline: Option<Instant>,
) -> Redline {
    let mut normalizer = Normalizer::new(false);
    let (a_toks, a_member) = tokens_of(a_text, a_spans, options, &mut normalizer);
    let (b_toks, b_member) = tokens_of(b_text, b_spans, options, &mut normalizer);
    let a_keys: Vec<u64> = a_toks.iter().map(|t| t.key).collect();
    let b_keys: Vec<u64> = b_toks.iter().map(|t| t.key).collect();
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, &a_keys, &b_keys, deadline);
    let complete = deadline.is_none_or(|d| Instant::now() < d);
    let runs = cleanup(to_runs(&ops));
    let mut pieces = Vec::new();
    for run in runs {
        match run {
            Run::Equal(a, b) => {
                // Equal runs pair token for token; split them where either side changes body.
                let mut i = 0;
                while i < a.len {
                    let mut j = i + 1;
                    while j < a.len
                        && a_member[a.start + j] == a_member[a.start + i]
                        && b_member[b.start + j] == b_member[b.start + i]
                    {
                        j += 1;
                    }
                    pieces.push(Piece {
                        op: Op::Equal,
                        a: Some(span_of(&a_toks, a.start + i, a.start + j)),
                        b: Some(span_of(&b_toks, b.start + i, b.start + j)),
                    });
                    i = j;
                }
            }
            Run::Change(a, b) => {
                for (start, end) in member_runs(&a_member, a.start, a.start + a.len) {
                    pieces.push(Piece {
                        op: Op::Delete,
                        a: Some(span_of(&a_toks, start, end)),
                        b: None,
                    });
                }
                for (start, end) in member_runs(&b_member, b.start, b.start + b.len) {
                    pieces.push(Piece {
                        op: Op::Insert,
                        a: None,
                        b: Some(span_of(&b_toks, start, end)),
                    });
                }
            }
        }
    }
    Redline { pieces, complete }
}

fn tokens_of(
    text: &str,
    spans: &[Span],
    options: TokenOptions,
    normalizer: &mut Normalizer,
) -> (Vec<Tok>, Vec<u32>) {
    let mut toks = Vec::new();
    let mut member = Vec::new();
    for (i, span) in spans.iter().enumerate() {
        tokenize(text, *span, options, normalizer, &mut toks);
        member.resize(toks.len(), i as u32);
    }
    (toks, member)
}

fn span_of(toks: &[Tok], start: usize, end: usize) -> Span {
    Span::new(toks[start].start, toks[end - 1].ext_end)
}

fn member_runs(member: &[u32], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        let mut j = i + 1;
        while j < end && member[j] == member[i] {
            j += 1;
        }
        out.push((i, j));
        i = j;
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    start: usize,
    len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    Equal(Range, Range),
    Change(Range, Range),
}

fn to_runs(ops: &[DiffOp]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for op in ops {
        let (a, b, equal) = match *op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => (
                Range {
                    start: old_index,
                    len,
                },
                Range {
                    start: new_index,
                    len,
                },
                true,
            ),
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (
                Range {
                    start: old_index,
                    len: old_len,
                },
                Range {
                    start: new_index,
                    len: 0,
                },
                false,
            ),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (
                Range {
                    start: old_index,
                    len: 0,
                },
                Range {
                    start: new_index,
                    len: new_len,
                },
                false,
            ),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                Range {
                    start: old_index,
                    len: old_len,
                },
                Range {
                    start: new_index,
                    len: new_len,
                },
                false,
            ),
        };
        if a.len == 0 && b.len == 0 {
            continue;
        }
        push_run(
            &mut runs,
            if equal {
                Run::Equal(a, b)
            } else {
                Run::Change(a, b)
            },
        );
    }
    runs
}

fn push_run(runs: &mut Vec<Run>, run: Run) {
    match (runs.last_mut(), run) {
        (Some(Run::Change(pa, pb)), Run::Change(a, b)) => {
            pa.len += a.len;
            pb.len += b.len;
        }
        (Some(Run::Equal(pa, pb)), Run::Equal(a, b)) => {
            pa.len += a.len;
            pb.len += b.len;
        }
        _ => runs.push(run),
    }
}

/// Semantic cleanup: an equality of at most two tokens that is no longer than the edits on
/// both sides of it is a coincidence ("the", ","): fold it into one bigger change, so the
/// redline reads as phrases replaced rather than confetti.
fn cleanup(runs: Vec<Run>) -> Vec<Run> {
    let size = |r: &Run| match r {
        Run::Change(a, b) => a.len.max(b.len),
        Run::Equal(..) => 0,
    };
    let mut out: Vec<Run> = Vec::with_capacity(runs.len());
    let mut i = 0;
    while i < runs.len() {
        let run = runs[i];
        if let Run::Equal(a, b) = run {
            let prev = out.last().map(size).unwrap_or(0);
            let next = runs.get(i + 1).map(size).unwrap_or(0);
            if a.len <= 2 && a.len <= prev && a.len <= next {
                push_run(&mut out, Run::Change(a, b));
                i += 1;
                continue;
            }
        }
        push_run(&mut out, run);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(a: &str, b: &str, r: &Redline) -> String {
        let mut s = String::new();
        for p in &r.pieces {
            match p.op {
                Op::Equal => s.push_str(p.b.unwrap().of(b)),
                Op::Delete => s.push_str(&format!("[-{}-]", p.a.unwrap().of(a).trim_end())),
                Op::Insert => s.push_str(&format!("{{+{}+}}", p.b.unwrap().of(b).trim_end())),
            }
        }
        s
    }

    fn whole(t: &str) -> [Span; 1] {
        [Span::new(0, t.len())]
    }

    #[test]
    fn words_and_punctuation() {
        let a = "Troops withdraw within 30 days, then talks begin.";
        let b = "Troops withdraw within 60 days; then talks begin.";
        let r = redline(a, &whole(a), b, &whole(b), TokenOptions::default(), None);
        assert_eq!(
            render(a, b, &r),
            "Troops withdraw within [-30 days,-]{+60 days;+}then talks begin."
        );
        let o = TokenOptions {
            ignore_punctuation: true,
            ..Default::default()
        };
        let r = redline(a, &whole(a), b, &whole(b), o, None);
        assert_eq!(r.edits(), 2);
    }

    #[test]
    fn case_and_whitespace() {
        let (a, b) = ("The  Board\nshall meet.", "the board shall meet.");
        let r = redline(a, &whole(a), b, &whole(b), TokenOptions::default(), None);
        assert_eq!(r.edits(), 2);
        let o = TokenOptions {
            ignore_case: true,
            ..Default::default()
        };
        let r = redline(a, &whole(a), b, &whole(b), o, None);
        assert_eq!(r.edits(), 0);
    }

    #[test]
    fn groups_keep_member_boundaries() {
        let a = "First part.\nSecond part.";
        let b = "First part and second part.";
        let a_spans = [Span::new(0, 11), Span::new(12, a.len())];
        let r = redline(a, &a_spans, b, &whole(b), TokenOptions::default(), None);
        for p in &r.pieces {
            if let Some(s) = p.a {
                assert!(s.end <= 11 || s.start >= 12, "{p:?}");
            }
        }
    }

    #[test]
    fn deadline_in_the_past_still_gives_a_valid_redline() {
        let a: String = (0..3000).map(|i| format!("w{} ", i % 97)).collect();
        let b: String = (0..3000).map(|i| format!("w{} ", (i * 7) % 89)).collect();
        let past = Instant::now();
        let r = redline(
            &a,
            &whole(&a),
            &b,
            &whole(&b),
            TokenOptions::default(),
            Some(past),
        );
        let deleted: usize = r.pieces.iter().filter_map(|p| p.a).map(|s| s.len()).sum();
        assert_eq!(deleted, a.len());
    }
}
