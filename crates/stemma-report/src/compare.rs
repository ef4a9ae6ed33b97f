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
// JSON

/// Rounded to 4 decimals, so that the JSON does not depend on the last bits of a float
/// computation (and stays readable). Non-finite values become 0.
fn round4(x: f64) -> f64 {
    if x.is_finite() {
        (x * 10_000.0).round() / 10_000.0
    } else {
        0.0
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    options: JsonOptions<'a>,
    a: JsonDoc<'a>,
    b: JsonDoc<'a>,
    summary: JsonSummary<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cross_lingual: Option<&'a CrossLingual>,
    passages: Vec<JsonPassage<'a>>,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    passages: usize,
    alternatives: usize,
    kinds: &'a BTreeMap<String, usize>,
    a_coverage: f64,
    b_coverage: f64,
    a_shared_chars: usize,
    b_shared_chars: usize,
}

#[derive(Serialize)]
struct JsonPassage<'a> {
    /// None for alternatives, which are listed under their passage.
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<usize>,
    kind: PassageKind,
    identity: f64,
    score: f64,
    matched_tokens: usize,
    a: JsonSpan,
    b: JsonSpan,
    a_text: &'a str,
    b_text: &'a str,
    a_diffs: Vec<JsonSpan>,
    b_diffs: Vec<JsonSpan>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also: Vec<JsonPassage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    similarity: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sentence_pairs: Vec<JsonSentencePair>,
}

#[derive(Serialize)]
struct JsonSentencePair {
    a: JsonSpan,
    b: JsonSpan,
    similarity: f64,
}

impl<'a> JsonPassage<'a> {
    fn new(view: &CompareView<'a>, number: Option<usize>, p: &Passage, sp: &Spans) -> Self {
        JsonPassage {
            number,
            kind: p.kind,
            identity: round4(p.identity),
            score: round4(p.score),
            matched_tokens: p.matched_tokens,
            a: JsonSpan::new(&sp.a, Some(p.a_tokens)),
            b: JsonSpan::new(&sp.b, Some(p.b_tokens)),
            a_text: &view.a.text[sp.a.start..sp.a.end],
            b_text: &view.b.text[sp.b.start..sp.b.end],
            a_diffs: sp.a_diffs.iter().map(|d| JsonSpan::new(d, None)).collect(),
            b_diffs: sp.b_diffs.iter().map(|d| JsonSpan::new(d, None)).collect(),
            also: p
                .also
                .iter()
                .zip(&sp.also)
                .map(|(alt, alt_spans)| JsonPassage::new(view, None, alt, alt_spans))
                .collect(),
            similarity: p.similarity.map(round4),
            sentence_pairs: p
                .sentence_pairs
                .iter()
                .zip(&sp.sentence_pairs)
                .map(|(pair, (a, b))| JsonSentencePair {
                    a: JsonSpan::from(a),
                    b: JsonSpan::from(b),
                    similarity: round4(pair.similarity),
                })
                .collect(),
        }
    }
}

/// JSON, schema "stemma.compare/1": pretty-printed, ending with a newline, and
/// byte-identical for the same view (fields in a fixed order, floats rounded to 4 decimals).
///
/// Top level: `schema`, `options`, `a`, `b` (documents: `id`, `title`, `source`, `date`,
/// `lang`, `encoding`, `bytes`, `chars`, `words`), `summary` (see [`CompareSummary`]) and
/// `passages`. Each passage has `number` (from 1, as in the other reports), `kind`,
/// `identity`, `score`, `matched_tokens`, spans `a` and `b` (`start`, `end` in bytes,
/// `char_start`, `char_end` in Unicode scalars, `tokens`), `a_text`, `b_text`, and the
/// unmatched words `a_diffs`, `b_diffs` (spans without `tokens`), and `also` when weaker
/// alignments of the same words were folded under the passage (each shaped like a passage
/// without `number` or `also`; `summary.alternatives` counts them). Translated passages add
/// `similarity` (mean cosine of their sentence pairs) and `sentence_pairs` (`a`, `b` spans
/// and `similarity` of each); a cross-language comparison adds the top-level `cross_lingual`
/// (`status`, `model`, `notes`).
pub fn to_json(view: &CompareView) -> String {
    let prep = Prepared::new(view);
    let s = &prep.summary;
    let report = JsonReport {
        schema: SCHEMA,
        options: JsonOptions {
            options: view.options,
        },
        a: JsonDoc::new(view.a, prep.a.chars, view.a_words),
        b: JsonDoc::new(view.b, prep.b.chars, view.b_words),
        summary: JsonSummary {
            passages: s.passages,
            alternatives: s.alternatives,
            kinds: &s.kinds,
            a_coverage: round4(s.a_coverage),
            b_coverage: round4(s.b_coverage),
            a_shared_chars: s.a_shared_chars,
            b_shared_chars: s.b_shared_chars,
        },
        cross_lingual: view.cross_lingual,
        passages: view
            .passages
            .iter()
            .zip(&prep.passages)
            .enumerate()
            .map(|(i, (p, sp))| JsonPassage::new(view, Some(i + 1), p, sp))
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&report).expect("the report serializes");
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------
// Terminal

fn percent(x: f64) -> String {
    format!("{:.1}%", round4(x) * 100.0)
}

fn plural(n: usize, one: &str, many: &str) -> String {
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

struct Styles {
    bold: Style,
    dim: Style,
    a_diff: Style,
    b_diff: Style,
}

impl Styles {
    fn new() -> Self {
        Styles {
            bold: Style::new().bold(),
            dim: Style::new().dimmed(),
            // Colour plus underline: the diff words stay visible to colour-blind readers.
            a_diff: Style::new()
                .fg_color(Some(AnsiColor::Red.into()))
                .bold()
                .underline(),
            b_diff: Style::new()
                .fg_color(Some(AnsiColor::Green.into()))
                .bold()
                .underline(),
        }
    }

    fn kind(&self, name: &str) -> Style {
        let color = match name {
            "verbatim" => AnsiColor::Magenta,
            "edited" => AnsiColor::Yellow,
            "paraphrased" => AnsiColor::Cyan,
            _ => AnsiColor::Blue,
        };
        Style::new().fg_color(Some(color.into())).bold()
    }
}

/// `text[span]` cut into plain and diff pieces.
fn pieces<'t>(
    text: &'t str,
    span: &CharSpan,
    diffs: &[CharSpan],
    diff: Style,
) -> Vec<(Style, &'t str)> {
    let mut out = Vec::with_capacity(diffs.len() * 2 + 1);
    let mut at = span.start;
    for d in diffs {
        let start = d.start.max(at);
        if start >= d.end {
            continue;
        }
        if start > at {
            out.push((Style::new(), &text[at..start]));
        }
        out.push((diff, &text[start..d.end]));
        at = d.end;
    }
    if at < span.end {
        out.push((Style::new(), &text[at..span.end]));
    }
    out
}

/// Terminal text (ANSI when `style.color`), with passages longer than
/// [`DEFAULT_MAX_PASSAGE_LINES`] wrapped lines shortened in the middle.
///
/// A header first (the documents, their words, the passages by kind and how much of each
/// document they cover), then every passage: number, kind, identity, line:column ranges on
/// both sides, and the text of A then B (side by side from [`SIDE_BY_SIDE_WIDTH`] columns),
/// wrapped to `style.width` with the unmatched words highlighted, then one "also:" line per
/// alternative (up to [`MAX_ALTERNATIVE_LINES`]). Whitespace inside a
/// passage is shown as single spaces, and control characters as '�': document text is
/// untrusted and never reaches the terminal raw. Without colour there are no escape codes
/// at all.
pub fn to_terminal(view: &CompareView, style: TerminalStyle) -> String {
    to_terminal_with(view, style, DEFAULT_MAX_PASSAGE_LINES)
}

/// [`to_terminal`], showing at most `max_passage_lines` wrapped lines of each side of a
/// passage (the first and last ones, with "… [N words] …" between); 0 shows everything.
///
/// ```
/// # use stemma_align::{CompareOptions, Passage, PassageKind, Span};
/// # use stemma_report::compare::{to_terminal_with, CompareView, TerminalStyle};
/// # use stemma_text::Document;
/// let text = "word ".repeat(400);
/// let a = Document::new("a", text.clone());
/// let b = Document::new("b", text.clone());
/// let all = Span { start: 0, end: text.len() - 1 };
/// let passages = [Passage {
///     a: all, b: all, a_tokens: 400, b_tokens: 400, matched_tokens: 400, identity: 1.0,
///     score: 400.0, kind: PassageKind::Verbatim, a_diffs: vec![], b_diffs: vec![], also: vec![], similarity: None, sentence_pairs: vec![],
/// }];
/// let options = CompareOptions::default();
/// let view = CompareView { a: &a, b: &b, a_words: 400, b_words: 400, passages: &passages, options: &options, cross_lingual: None };
/// let style = TerminalStyle { color: false, width: 80 };
/// assert!(to_terminal_with(&view, style, 6).contains(" words] …"));
/// assert!(!to_terminal_with(&view, style, 0).contains(" words] …"));
/// ```
pub fn to_terminal_with(
    view: &CompareView,
    style: TerminalStyle,
    max_passage_lines: usize,
) -> String {
    let prep = Prepared::new(view);
    let st = Styles::new();
    let width = style.width.max(40);
    let mut lines: Vec<Line> = Vec::new();

    // Header.
    let s = &prep.summary;
    let mut head = Line::styled(st.bold, "stemma compare: ").append(
        st.bold,
        &plural(s.passages, "shared passage", "shared passages"),
    );
    if s.passages > 0 {
        head = head.append(Style::new(), &format!(" ({})", kinds_line(&s.kinds)));
    }
    lines.push(head);
    for (label, doc, words, coverage) in [
        ("A", view.a, view.a_words, s.a_coverage),
        ("B", view.b, view.b_words, s.b_coverage),
    ] {
        let id = terminal::clean_line(&doc.id);
        let mut rest = String::new();
        if let Some(title) = doc.title.as_deref().map(terminal::clean_line) {
            if !title.is_empty() {
                rest.push_str(&format!(" · “{title}”"));
            }
        }
        if let Some(date) = doc.date.as_deref().map(terminal::clean_line) {
            if !date.is_empty() {
                rest.push_str(&format!(" · {date}"));
            }
        }
        let numbers = format!(
            " · {} · {} in shared passages",
            plural(words, "word", "words"),
            percent(coverage)
        );
        let room = width
            .saturating_sub(3 + terminal::str_width(&numbers))
            .max(12);
        // Ids are usually paths: when room is short, keep their end (the file name).
        let id_room = room
            .saturating_sub(terminal::str_width(&rest))
            .max(room / 2);
        let meta = format!("{}{rest}", terminal::truncate_start(&id, id_room));
        lines.push(
            Line::styled(st.bold, label)
                .append(Style::new(), "  ")
                .append(Style::new(), &terminal::truncate(&meta, room))
                .append(Style::new(), &numbers),
        );
    }
    if s.alternatives > 0 {
        lines.push(Line::styled(
            st.dim,
            format!(
                "{} folded under their passages (--all-alignments lists them)",
                plural(s.alternatives, "weaker alignment", "weaker alignments")
            ),
        ));
    }
    if let Some(cross) = view.cross_lingual {
        let lang = |doc: &Document| {
            doc.lang
                .as_deref()
                .map_or("?".to_string(), terminal::clean_line)
        };
        let model = cross
            .model
            .map(|m| format!(" · model {m}"))
            .unwrap_or_default();
        lines.push(Line::styled(
            st.dim,
            format!("languages  A {} · B {}{model}", lang(view.a), lang(view.b)),
        ));
        for note in &cross.notes {
            lines.push(Line::styled(st.dim, terminal::clean_line(note)));
        }
    }

    let side_by_side = width >= SIDE_BY_SIDE_WIDTH;
    let mut elided = false;
    for (i, (p, sp)) in view.passages.iter().zip(&prep.passages).enumerate() {
        lines.push(Line::default());
        let kind = kind_name(p.kind);
        let (closeness, detail) = match p.similarity {
            Some(similarity) => (
                format!("similarity {:.2}", round4(similarity)),
                format!(
                    " · {} · score {:.1}",
                    plural(p.sentence_pairs.len(), "sentence pair", "sentence pairs"),
                    round4(p.score)
                ),
            ),
            None => (
                format!("{} identical", percent(p.identity)),
                format!(
                    " · {} matched · score {:.1}",
                    plural(p.matched_tokens, "word", "words"),
                    round4(p.score)
                ),
            ),
        };
        lines.push(
            Line::styled(st.bold, format!("#{}", i + 1))
                .append(Style::new(), "  ")
                .append(st.kind(&kind), &kind)
                .append(Style::new(), " · ")
                .append(Style::new(), &closeness)
                .append(st.dim, &detail),
        );
        let a_label = format!(
            "A {} · {}",
            prep.a.range_label(sp.a.span()),
            plural(p.a_tokens, "word", "words")
        );
        let b_label = format!(
            "B {} · {}",
            prep.b.range_label(sp.b.span()),
            plural(p.b_tokens, "word", "words")
        );
        let a_pieces = pieces(&view.a.text, &sp.a, &sp.a_diffs, st.a_diff);
        let b_pieces = pieces(&view.b.text, &sp.b, &sp.b_diffs, st.b_diff);
        if side_by_side {
            let col = (width - 5) / 2;
            let mut a_lines = terminal::wrap(&a_pieces, col);
            let mut b_lines = terminal::wrap(&b_pieces, col);
            elided |= terminal::elide(&mut a_lines, max_passage_lines, st.dim);
            elided |= terminal::elide(&mut b_lines, max_passage_lines, st.dim);
            let header = (
                Line::styled(st.dim, terminal::truncate(&a_label, col)),
                Line::styled(st.dim, terminal::truncate(&b_label, col)),
            );
            let rows = a_lines.len().max(b_lines.len());
            let mut pairs = vec![header];
            for r in 0..rows {
                pairs.push((
                    a_lines.get(r).cloned().unwrap_or_default(),
                    b_lines.get(r).cloned().unwrap_or_default(),
                ));
            }
            for (left, right) in pairs {
                let mut line = Line::plain("  ");
                line.width += left.width;
                line.runs.extend(left.runs);
                let padding = col.saturating_sub(left.width);
                line = line
                    .append(Style::new(), &" ".repeat(padding))
                    .append(st.dim, " │ ");
                line.width += right.width;
                line.runs.extend(right.runs);
                lines.push(line);
            }
        } else {
            for (label, parts) in [(a_label, a_pieces), (b_label, b_pieces)] {
                lines.push(Line::plain("  ").append(st.dim, &label));
                let mut wrapped = terminal::wrap(&parts, width - 4);
                elided |= terminal::elide(&mut wrapped, max_passage_lines, st.dim);
                for l in wrapped {
                    let mut line = Line::plain("    ");
                    line.width += l.width;
                    line.runs.extend(l.runs);
                    lines.push(line);
                }
            }
        }
        for (alt, alt_spans) in p.also.iter().zip(&sp.also).take(MAX_ALTERNATIVE_LINES) {
            lines.push(Line::styled(
                st.dim,
                format!(
                    "  also: A {} ↔ B {} · {} · {} identical · {} matched",
                    prep.a.range_label(alt_spans.a.span()),
                    prep.b.range_label(alt_spans.b.span()),
                    kind_name(alt.kind),
                    percent(alt.identity),
                    plural(alt.matched_tokens, "word", "words"),
                ),
            ));
        }
        if p.also.len() > MAX_ALTERNATIVE_LINES {
            lines.push(Line::styled(
                st.dim,
                format!(
                    "  also: {} more (--json lists them all)",
                    grouped(p.also.len() - MAX_ALTERNATIVE_LINES)
                ),
            ));
        }
    }
    if elided {
        lines.push(Line::default());
        lines.push(Line::styled(
            st.dim,
            "Long passages are shortened in the middle (… [N words] …); --json and --html show them in full.",
        ));
    }

    let mut out = String::new();
    for line in lines.iter().flat_map(|l| terminal::fit(l, width)) {
        line.render(style.color, &mut out);
        // Trailing spaces only come from padding; they help nobody.
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------
// HTML

/// Self-contained HTML: one file with inline CSS and script and no external resource, that
/// opens offline and in print.
///
/// A header with the two documents, the passages by kind and coverage bars (where in each
/// document the passages lie); the two documents side by side in full, every passage
/// highlighted in its colour with its number, the unmatched words underlined; hovering or
/// focusing a passage outlines it on both sides and clicking it scrolls to its counterpart;
/// then a table of all passages linking to them, each with its alternatives (weaker
/// alignments of the same words) folded in a `<details>` below it. Every piece of document text and metadata
/// is escaped, and a Content-Security-Policy allows only the page's own inline style and
/// script.
pub fn to_html(view: &CompareView) -> String {
    let prep = Prepared::new(view);
    let s = &prep.summary;
    let mut body = String::with_capacity(
        (view.a.text.len() + view.b.text.len()) * 11 / 10 + view.passages.len() * 600 + 8192,
    );
    body.push_str("<a class=\"skip\" href=\"#passages\">Skip to the table of passages</a>\n");

    // Header: summary and coverage.
    body.push_str("<header class=\"top\">\n<h1>stemma compare</h1>\n<p class=\"sub\">");
    body.push_str(&plural(s.passages, "shared passage", "shared passages"));
    if s.passages > 0 {
        let _ = write!(body, " · {}", html::esc(&kinds_line(&s.kinds)));
        body.push_str(" · <a href=\"#passages\">table of passages</a>");
    }
    if s.alternatives > 0 {
        let _ = write!(
            body,
            " · {} listed under their passages",
            plural(s.alternatives, "weaker alignment", "weaker alignments")
        );
    }
    body.push_str("</p>\n<div class=\"cards\">\n");
    for (label, doc, index, words, shared, coverage, spans) in [
        (
            "A",
            view.a,
            &prep.a,
            view.a_words,
            s.a_shared_chars,
            s.a_coverage,
            prep.passages.iter().map(|p| p.a.span()).collect::<Vec<_>>(),
        ),
        (
            "B",
            view.b,
            &prep.b,
            view.b_words,
            s.b_shared_chars,
            s.b_coverage,
            prep.passages.iter().map(|p| p.b.span()).collect::<Vec<_>>(),
        ),
    ] {
        body.push_str("<section class=\"card\">\n<h2><span class=\"side\">");
        body.push_str(label);
        body.push_str("</span>");
        html::text(&mut body, &doc.id);
        body.push_str("</h2>\n<p class=\"meta\">");
        let mut meta: Vec<String> = Vec::new();
        for value in [&doc.title, &doc.source, &doc.date, &doc.lang]
            .into_iter()
            .flatten()
        {
            meta.push(html::esc(value));
        }
        meta.push(html::esc(&doc.encoding));
        meta.push(plural(words, "word", "words"));
        meta.push(plural(index.chars, "char", "chars"));
        body.push_str(&meta.join(" · "));
        let _ = write!(
            body,
            "</p>\n<div class=\"bar\" role=\"img\" aria-label=\"{p} of {label} lies in shared passages\">",
            p = percent(coverage)
        );
        for m in crate::doc::merge_spans(spans) {
            let start = index.char_of(m.start);
            let end = index.char_of(m.end);
            let _ = write!(
                body,
                "<span style=\"left:{}%;width:{}%\"></span>",
                html::pct(start, index.chars),
                html::pct(end - start, index.chars)
            );
        }
        let _ = writeln!(
            body,
            "</div>\n<p class=\"cov\"><strong>{}</strong> of {label} in shared passages ({})</p>\n</section>",
            percent(coverage),
            plural(shared, "char", "chars")
        );
    }
    body.push_str("</div>\n<p class=\"legend\">Each passage has its own colour and number; \
        click one to see its counterpart. Underlined words have no identical word on the other side \
        (<span class=\"da\">in A</span>, <span class=\"db\">in B</span>).</p>\n</header>\n<main>\n");

    // The two documents.
    body.push_str("<section class=\"docs\" aria-label=\"The two documents\">\n");
    for (side, other, label, doc) in [("a", "b", "A", view.a), ("b", "a", "B", view.b)] {
        let _ = write!(
            body,
            "<article class=\"doc\" data-side=\"{side}\" aria-label=\"Document {label}\">\n\
             <h2><span class=\"side\">{label}</span>"
        );
        html::text(&mut body, &doc.id);
        body.push_str("</h2>\n<div class=\"text\"");
        // The language lets browsers pick the right glyphs (Japanese vs Chinese forms of the
        // same ideographs); only a well-formed tag is used, never arbitrary metadata.
        if let Some(lang) = doc.lang.as_deref().filter(|l| html::is_language_tag(l)) {
            let _ = write!(body, " lang=\"{lang}\"");
        }
        body.push('>');
        let on_a = side == "a";
        let diffs: Vec<Vec<Span>> = prep
            .passages
            .iter()
            .map(|p| {
                let d = if on_a { &p.a_diffs } else { &p.b_diffs };
                d.iter().map(CharSpan::span).collect()
            })
            .collect();
        let regions: Vec<html::Region> = prep
            .passages
            .iter()
            .zip(&diffs)
            .enumerate()
            .map(|(i, (p, d))| html::Region {
                number: i + 1,
                span: if on_a { p.a.span() } else { p.b.span() },
                diffs: d,
            })
            .collect();
        html::marked_text(&mut body, &doc.text, side, other, &regions);
        body.push_str("</div>\n</article>\n");
    }
    body.push_str("</section>\n");

    // The table of passages.
    body.push_str("<section class=\"tablewrap\" id=\"passages\" aria-label=\"Passages\">\n<h2>Passages</h2>\n");
    if view.passages.is_empty() {
        body.push_str("<p class=\"none\">No shared passages were found.</p>\n");
    } else {
        body.push_str(
            "<table>\n<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Kind</th>\
            <th scope=\"col\">Identity</th><th scope=\"col\">In A</th><th scope=\"col\">In B</th>\
            <th scope=\"col\">Beginning</th></tr></thead>\n<tbody>\n",
        );
        for (i, (p, sp)) in view.passages.iter().zip(&prep.passages).enumerate() {
            let n = i + 1;
            let kind = kind_name(p.kind);
            let excerpt: String = view.a.text[sp.a.start..sp.a.end]
                .chars()
                .take(140)
                .collect();
            let mut excerpt = terminal::clean_line(&excerpt);
            if sp.a.char_end - sp.a.char_start > 140 {
                excerpt.push('…');
            }
            let _ = write!(
                body,
                "<tr><td class=\"num\"><span class=\"swatch c{c}\"></span><a class=\"jump\" href=\"#a-p{n}\" data-p=\"{n}\">{n}</a></td>\
                 <td class=\"kind\">{kind}</td><td class=\"num\">{id}</td>\
                 <td class=\"num\"><a href=\"#a-p{n}\">{ra}</a> · {wa}</td>\
                 <td class=\"num\"><a href=\"#b-p{n}\">{rb}</a> · {wb}</td><td class=\"ex\">",
                c = i % html::COLORS,
                kind = html::esc(&kind),
                id = percent(p.identity),
                ra = prep.a.range_label(sp.a.span()),
                rb = prep.b.range_label(sp.b.span()),
                wa = plural(p.a_tokens, "word", "words"),
                wb = plural(p.b_tokens, "word", "words"),
            );
            html::text(&mut body, &excerpt);
            body.push_str("</td></tr>\n");
            if !p.also.is_empty() {
                let _ = write!(
                    body,
                    "<tr class=\"also\"><td></td><td colspan=\"5\"><details><summary>{} of these words</summary><ul>",
                    plural(p.also.len(), "weaker alignment", "weaker alignments")
                );
                for (alt, alt_spans) in p.also.iter().zip(&sp.also) {
                    let b_excerpt: String = view.b.text[alt_spans.b.start..alt_spans.b.end]
                        .chars()
                        .take(100)
                        .collect();
                    let _ = write!(
                        body,
                        "<li>A {} ↔ B {} · {} · {} identical · {}: ",
                        prep.a.range_label(alt_spans.a.span()),
                        prep.b.range_label(alt_spans.b.span()),
                        html::esc(&kind_name(alt.kind)),
                        percent(alt.identity),
                        plural(alt.matched_tokens, "word matched", "words matched"),
                    );
                    html::text(&mut body, &terminal::clean_line(&b_excerpt));
                    if alt_spans.b.char_end - alt_spans.b.char_start > 100 {
                        body.push('…');
                    }
                    body.push_str("</li>");
                }
                body.push_str("</ul></details></td></tr>\n");
            }
        }
        body.push_str("</tbody>\n</table>\n");
    }
    body.push_str(
        "</section>\n</main>\n<footer>Made by stemma. Positions are line:column, \
        columns counted in characters; percentages are shares of characters.</footer>\n",
    );

    let mut title = format!("stemma compare: {} ↔ {}", view.a.id, view.b.id);
    title = terminal::clean_line(&title);
    html::page(&title, &body, html::LINK_SCRIPT)
}
