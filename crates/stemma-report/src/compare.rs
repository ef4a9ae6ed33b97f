//! Renderings of `stemma compare`: versioned JSON, a terminal report and a self-contained HTML
//! page, all built from one [`CompareView`].
//!
//! The three renderers share one preparation step (spans made safe, char offsets, coverage)
//! that indexes each document once, so rendering stays linear in the size of the documents
//! plus the number of passages and diff words.
//!
//! ```
//! use stemma_align::{CompareOptions, Passage, PassageKind, Span};
//! use stemma_report::compare::{to_json, to_terminal, CompareView, TerminalStyle};
//! use stemma_text::Document;
//!
//! let a = Document::new("a.txt", "Intro. The quick brown fox jumps. End.");
//! let b = Document::new("b.txt", "The quick brown fox jumps!");
//! let span = |text: &str, part: &str| {
//!     let start = text.find(part).unwrap();
//!     Span { start, end: start + part.len() }
//! };
//! let passages = [Passage {
//!     a: span(&a.text, "The quick brown fox jumps"),
//!     b: span(&b.text, "The quick brown fox jumps"),
//!     a_tokens: 5,
//!     b_tokens: 5,
//!     matched_tokens: 5,
//!     identity: 1.0,
//!     score: 5.0,
//!     kind: PassageKind::Verbatim,
//!     a_diffs: vec![],
//!     b_diffs: vec![],
//!     also: vec![],
//!     similarity: None,
//!     sentence_pairs: Vec::new(),
//! }];
//! let options = CompareOptions::default();
//! let view = CompareView { a: &a, b: &b, a_words: 7, b_words: 5, passages: &passages, options: &options, cross_lingual: None };
//! assert!(to_json(&view).contains("\"schema\": \"stemma.compare/1\""));
//! let text = to_terminal(&view, TerminalStyle { color: false, width: 80 });
//! assert!(text.contains("1 shared passage"));
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::Serialize;
use stemma_align::{CompareOptions, Passage, PassageKind, Span};
use stemma_text::Document;

use crate::doc::{CharSpan, TextIndex};
use crate::html;
use crate::json::{JsonDoc, JsonOptions, JsonSpan};
use crate::terminal::{self, grouped, Line};

mod render_html;
mod render_json;
mod render_terminal;

pub use render_html::to_html;
pub use render_json::to_json;
pub use render_terminal::{to_terminal, to_terminal_with};

/// The `"schema"` of [`to_json`]'s output.
pub const SCHEMA: &str = "stemma.compare/1";

/// Passages longer than this many wrapped lines (per side) are shortened in the middle by
/// [`to_terminal`]; see [`to_terminal_with`].
pub const DEFAULT_MAX_PASSAGE_LINES: usize = 12;

/// Alternatives (weaker alignments folded under a passage) listed per passage by the
/// terminal report; the rest are counted.
pub const MAX_ALTERNATIVE_LINES: usize = 5;

/// Terminals at least this wide show the two sides of a passage side by side.
pub const SIDE_BY_SIDE_WIDTH: usize = 120;

/// Everything a compare report shows.
#[derive(Debug, Clone, Copy)]
pub struct CompareView<'a> {
    /// Document A.
    pub a: &'a Document,
    /// Document B.
    pub b: &'a Document,
    /// Words in A.
    pub a_words: usize,
    /// Words in B.
    pub b_words: usize,
    /// The shared passages, in order of A.
    pub passages: &'a [Passage],
    /// The options used.
    pub options: &'a CompareOptions,
    /// Whether and how translated passages were looked for (`None`: the documents were not
    /// compared across languages, and the report is the monolingual one).
    pub cross_lingual: Option<&'a CrossLingual>,
}

/// The cross-lingual side of a comparison, as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossLingual {
    /// `searched` (the model ran), `model_missing` (the languages differ but no model is
    /// installed: only monolingual passages are reported).
    pub status: &'static str,
    /// The model that ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<&'static str>,
    /// One-line notes for the reader (how to install the model, a language the model does
    /// not cover).
    pub notes: Vec<String>,
}

/// Terminal rendering settings.
#[derive(Debug, Clone, Copy)]
pub struct TerminalStyle {
    /// Use ANSI colour.
    pub color: bool,
    /// Wrap to this many columns (at least 40 are used).
    pub width: usize,
}

/// The headline numbers of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareSummary {
    /// Number of passages.
    pub passages: usize,
    /// Alignments folded under a better passage (its `also`), not counted in `passages`.
    pub alternatives: usize,
    /// Passages per kind ("verbatim", "edited", …), every known kind present, sorted by name.
    pub kinds: BTreeMap<String, usize>,
    /// Share (0–1) of A's chars inside at least one passage.
    pub a_coverage: f64,
    /// Share (0–1) of B's chars inside at least one passage.
    pub b_coverage: f64,
    /// A's chars inside at least one passage (overlapping passages counted once).
    pub a_shared_chars: usize,
    /// B's chars inside at least one passage (overlapping passages counted once).
    pub b_shared_chars: usize,
}

/// The summary of `view`: passage counts per kind and the coverage of each document.
///
/// Coverage is the union of the passages' spans, so a stretch of A that two passages share is
/// counted once.
///
/// ```
/// # use stemma_align::{CompareOptions, Passage, PassageKind, Span};
/// # use stemma_report::compare::{summary, CompareView};
/// # use stemma_text::Document;
/// let a = Document::new("a", "abcdefghij");
/// let b = Document::new("b", "abcdefghij");
/// let p = |s, e| Passage {
///     a: Span { start: s, end: e }, b: Span { start: s, end: e },
///     a_tokens: 1, b_tokens: 1, matched_tokens: 1, identity: 1.0, score: 1.0,
///     kind: PassageKind::Verbatim, a_diffs: vec![], b_diffs: vec![], also: vec![], similarity: None, sentence_pairs: vec![],
/// };
/// let passages = [p(0, 4), p(2, 6)];
/// let options = CompareOptions::default();
/// let view = CompareView { a: &a, b: &b, a_words: 1, b_words: 1, passages: &passages, options: &options, cross_lingual: None };
/// let s = summary(&view);
/// assert_eq!(s.a_shared_chars, 6);
/// assert_eq!(s.a_coverage, 0.6);
/// assert_eq!(s.kinds["verbatim"], 2);
/// ```
pub fn summary(view: &CompareView) -> CompareSummary {
    Prepared::new(view).summary
}

/// The serde name of a kind ("verbatim", …): the one word JSON, terminal and HTML all use.
pub fn kind_name(kind: PassageKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{kind:?}").to_lowercase(),
    }
}

/// Kinds listed in every summary, even at zero, so that JSON consumers see a stable shape.
const KNOWN_KINDS: [PassageKind; 4] = [
    PassageKind::Verbatim,
    PassageKind::Edited,
    PassageKind::Paraphrased,
    PassageKind::Translated,
];

/// A passage's spans made safe and converted to chars; diffs clamped into the passage,
/// sorted, without empty ones.
struct Prepared<'v> {
    a: TextIndex<'v>,
    b: TextIndex<'v>,
    passages: Vec<Spans>,
    summary: CompareSummary,
}

struct Spans {
    a: CharSpan,
    b: CharSpan,
    a_diffs: Vec<CharSpan>,
    b_diffs: Vec<CharSpan>,
    /// The passage's alternatives, prepared the same way.
    also: Vec<Spans>,
    /// A translated passage's sentence pairs, in chars.
    sentence_pairs: Vec<(CharSpan, CharSpan)>,
}

impl Spans {
    fn new(a: &TextIndex, b: &TextIndex, p: &Passage) -> Self {
        let pa = a.char_span(p.a);
        let pb = b.char_span(p.b);
        Spans {
            a_diffs: inner(a, pa, &p.a_diffs),
            b_diffs: inner(b, pb, &p.b_diffs),
            a: pa,
            b: pb,
            also: p.also.iter().map(|alt| Spans::new(a, b, alt)).collect(),
            sentence_pairs: p
                .sentence_pairs
                .iter()
                .map(|pair| (a.char_span(pair.a), b.char_span(pair.b)))
                .collect(),
        }
    }
}

fn inner(index: &TextIndex, outer: CharSpan, diffs: &[Span]) -> Vec<CharSpan> {
    let mut out: Vec<CharSpan> = diffs
        .iter()
        .map(|d| {
            // Fix first (char boundaries), then clamp to the passage (also on boundaries).
            let d = index.char_span(*d);
            index.char_span(Span {
                start: d.start.clamp(outer.start, outer.end),
                end: d.end.clamp(outer.start, outer.end),
            })
        })
        .filter(|d| d.start < d.end)
        .collect();
    out.sort_unstable_by_key(|d| (d.start, d.end));
    out
}

impl<'v> Prepared<'v> {
    fn new(view: &CompareView<'v>) -> Self {
        let a = TextIndex::new(&view.a.text);
        let b = TextIndex::new(&view.b.text);
        let passages: Vec<Spans> = view
            .passages
            .iter()
            .map(|p| Spans::new(&a, &b, p))
            .collect();
        let mut kinds: BTreeMap<String, usize> =
            KNOWN_KINDS.iter().map(|&k| (kind_name(k), 0)).collect();
        for p in view.passages {
            *kinds.entry(kind_name(p.kind)).or_default() += 1;
        }
        let a_shared_chars = a.covered_chars(passages.iter().map(|p| p.a.span()));
        let b_shared_chars = b.covered_chars(passages.iter().map(|p| p.b.span()));
        let share = |part: usize, whole: usize| {
            if whole == 0 {
                0.0
            } else {
                part as f64 / whole as f64
            }
        };
        let summary = CompareSummary {
            passages: passages.len(),
            alternatives: view.passages.iter().map(|p| p.also.len()).sum(),
            kinds,
            a_coverage: share(a_shared_chars, a.chars),
            b_coverage: share(b_shared_chars, b.chars),
            a_shared_chars,
            b_shared_chars,
        };
        Prepared {
            a,
            b,
            passages,
            summary,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Text shared by the renderers

/// Rounded to 4 decimals, so that the JSON does not depend on the last bits of a float
/// computation (and stays readable). Non-finite values become 0.
fn round4(x: f64) -> f64 {
    if x.is_finite() {
        (x * 10_000.0).round() / 10_000.0
    } else {
        0.0
    }
}

fn percent(x: f64) -> String {
    format!("{:.1}%", round4(x) * 100.0)
}

/// [`plural`](crate::plural) with the digits grouped ("1,234 words"), for reports read by people.
fn grouped_plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n), if n == 1 { one } else { many })
}

/// "1 edited, 2 verbatim": the non-zero kinds, by name.
fn kinds_line(kinds: &BTreeMap<String, usize>) -> String {
    kinds
        .iter()
        .filter(|(_, &n)| n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}
