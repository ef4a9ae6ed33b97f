//! Renderings of `stemma trace`: versioned JSON ("stemma.trace/1"), a terminal report and a
//! self-contained HTML page, all built from one [`TraceView`].
//!
//! ```
//! use stemma_align::CompareOptions;
//! use stemma_report::trace::{to_json, to_terminal, TraceView};
//! use stemma_report::compare::TerminalStyle;
//! use stemma_text::{analyze, Document};
//! let source = Document::new("gpl", "The licenses for most software are designed to take \
//!     away your freedom to share and change it, and more words besides.");
//! let target = Document::new("draft", "Plan: the licenses for most software are designed \
//!     to take away your freedom to share and change it. Our own words.");
//! let options = CompareOptions::default();
//! let candidates = [source];
//! let trace = stemma_trace::trace(&target, &analyze(&target.text), &candidates, &options);
//! let view = TraceView { target: &target, candidates: &candidates, trace: &trace, options: &options, considered: 1 };
//! assert!(to_json(&view).contains("\"schema\": \"stemma.trace/1\""));
//! assert!(to_terminal(&view, TerminalStyle { color: false, width: 80 }).contains("gpl"));
//! ```

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::Serialize;
use stemma_align::{CompareOptions, PassageKind};
use stemma_text::Document;
use stemma_trace::{SourceCoverage, Trace};

use crate::compare::{kind_name, TerminalStyle};
use crate::doc::{CharSpan, TextIndex};
use crate::html;
use crate::json::{JsonDoc, JsonOptions, JsonSpan};
use crate::terminal::{clean_line, truncate, Line};

/// The `"schema"` of [`to_json`]'s output.
pub const SCHEMA: &str = "stemma.trace/1";

/// Everything a trace report shows.
#[derive(Debug, Clone, Copy)]
pub struct TraceView<'a> {
    /// The traced document.
    pub target: &'a Document,
    /// The candidate sources the trace was computed against ([`stemma_trace::SourceCoverage::index`]
    /// points into this list).
    pub candidates: &'a [Document],
    /// The attribution.
    pub trace: &'a Trace,
    /// The alignment options used.
    pub options: &'a CompareOptions,
    /// How many candidates were aligned (some may explain nothing).
    pub considered: usize,
}

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

/// `1234567` → "1,234,567".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How many of the closest candidates the terminal report lists.
const CLOSEST_SHOWN: usize = 5;

/// `part / whole` (0 when `whole` is 0).
fn share_of(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Spans checked and converted to chars once for every renderer.
struct Prepared<'v> {
    target: TextIndex<'v>,
    /// Per segment: target span, source span, passage span in the target.
    segments: Vec<(CharSpan, CharSpan, CharSpan)>,
}

impl<'v> Prepared<'v> {
    fn new(view: &TraceView<'v>) -> Self {
        let target = TextIndex::new(&view.target.text);
        // One index per source that has segments, built lazily.
        let mut source_index: Vec<Option<TextIndex<'v>>> =
            (0..view.trace.sources.len()).map(|_| None).collect();
        let segments = view
            .trace
            .segments
            .iter()
            .map(|seg| {
                let doc = source_doc(view, seg.source);
                let index =
                    source_index[seg.source].get_or_insert_with(|| TextIndex::new(&doc.text));
                (
                    target.char_span(seg.target),
                    index.char_span(seg.source_span),
                    target.char_span(seg.passage_target),
                )
            })
            .collect();
        Prepared { target, segments }
    }
}

fn source_doc<'v>(view: &TraceView<'v>, source: usize) -> &'v Document {
    &view.candidates[view.trace.sources[source].index]
}

// ---------------------------------------------------------------------------------------
// JSON

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    options: JsonOptions<'a>,
    target: JsonDoc<'a>,
    summary: JsonSummary,
    sources: Vec<JsonSource<'a>>,
    alternatives: Vec<JsonSource<'a>>,
    by_closeness: Vec<JsonSource<'a>>,
    timeline: Vec<&'a str>,
    candidates: Vec<&'a str>,
    segments: Vec<JsonSegment<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cross_lingual: Option<&'a TraceCrossLingual>,
}

/// The cross-lingual side of a trace, as reported (owned by stemma-trace, which makes it).
pub use stemma_trace::{CandidateLanguage, CrossLingualReport as TraceCrossLingual};

#[derive(Serialize)]
struct JsonSummary {
    candidates: usize,
    sources: usize,
    segments: usize,
    explained_chars: usize,
    explained_share: f64,
    unexplained_chars: usize,
    unexplained_share: f64,
}

#[derive(Serialize)]
struct JsonSource<'a> {
    rank: usize,
    id: &'a str,
    title: Option<&'a str>,
    source: Option<&'a str>,
    date: Option<&'a str>,
    chars: usize,
    share: f64,
    reused_chars: usize,
    segments: usize,
    identity: f64,
    source_share: f64,
    closeness: f64,
}

impl<'a> JsonSource<'a> {
    fn new(rank: usize, s: &'a SourceCoverage) -> Self {
        JsonSource {
            rank,
            id: &s.id,
            title: s.title.as_deref(),
            source: s.source.as_deref(),
            date: s.date.as_deref(),
            chars: s.chars,
            share: round4(s.share),
            reused_chars: s.reused_chars,
            segments: s.segments,
            identity: round4(s.identity),
            source_share: round4(s.source_share),
            closeness: round4(s.closeness),
        }
    }
}

#[derive(Serialize)]
struct JsonSegment<'a> {
    number: usize,
    source: &'a str,
    kind: PassageKind,
    identity: f64,
    score: f64,
    words: usize,
    target: JsonSpan,
    source_span: JsonSpan,
    passage_target: JsonSpan,
    target_text: &'a str,
    source_text: &'a str,
}

/// JSON, schema "stemma.trace/1": pretty-printed, ending with a newline, byte-identical for
/// the same view (fixed field order, floats rounded to 4 decimals).
///
/// Top level: `schema`, `options`, `target` (`id`, `title`, `source`, `date`, `lang`,
/// `encoding`, `bytes`, `chars`, `words`), `summary` (`candidates` aligned, `sources` with
/// attributed text, `segments`, `explained_chars`/`_share`, `unexplained_chars`/`_share`),
/// `sources` (closest first: `rank`, `id`, metadata, `chars` and `share` attributed to it,
/// `reused_chars` it would explain alone, `segments`, its `identity`, `source_share` — the
/// share of the source the target covers — and `closeness`, see [`stemma_trace`]),
/// `alternatives` (the same fields for the candidates that share text with the target but
/// were attributed none of it, closest first, ranked after the sources), `by_closeness` (the
/// same fields for every aligned candidate, sources and runners-up alike, closest first seen
/// from both sides as a whole — `closeness` with the share of the target inside its passages,
/// what it would explain alone; a source given words counts as 1 % closer — the ranking a
/// reader reads first: see [`stemma_trace::Trace::by_closeness`]), `timeline` (source ids by date,
/// undated last), `candidates` (the ids aligned, best by shared fingerprints first) and
/// `segments` in target order (`number` from 1, `source` id, `kind`,
/// `identity`, `score`, `words`, spans `target`, `source_span` and `passage_target` with
/// `start`/`end` bytes and `char_start`/`char_end`, and the `target_text`/`source_text`).
pub fn to_json(view: &TraceView) -> String {
    to_json_with(view, None)
}

/// [`to_json`] with a `cross_lingual` section at the end (when given): the target's and each
/// candidate's language, and what the cross-lingual channel did. Without it the output is
/// exactly [`to_json`]'s.
pub fn to_json_with(view: &TraceView, cross_lingual: Option<&TraceCrossLingual>) -> String {
    let prep = Prepared::new(view);
    let t = view.trace;
    let report = JsonReport {
        schema: SCHEMA,
        options: JsonOptions {
            options: view.options,
        },
        target: JsonDoc::new(view.target, prep.target.chars, t.target_words),
        summary: JsonSummary {
            candidates: view.considered,
            sources: t.sources.len(),
            segments: t.segments.len(),
            explained_chars: t.explained_chars,
            explained_share: round4(1.0 - t.unexplained_share),
            unexplained_chars: t.target_chars - t.explained_chars,
            unexplained_share: round4(t.unexplained_share),
        },
        sources: t
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| JsonSource::new(i + 1, s))
            .collect(),
        alternatives: t
            .alternatives
            .iter()
            .enumerate()
            .map(|(i, s)| JsonSource::new(t.sources.len() + i + 1, s))
            .collect(),
        by_closeness: t
            .by_closeness
            .iter()
            .enumerate()
            .map(|(i, s)| JsonSource::new(i + 1, s))
            .collect(),
        timeline: t
            .timeline
            .iter()
            .map(|&i| t.sources[i].id.as_str())
            .collect(),
        candidates: view.candidates.iter().map(|d| d.id.as_str()).collect(),
        segments: t
            .segments
            .iter()
            .zip(&prep.segments)
            .enumerate()
            .map(|(i, (seg, (ts, ss, ps)))| JsonSegment {
                number: i + 1,
                source: &t.sources[seg.source].id,
                kind: seg.kind,
                identity: round4(seg.identity),
                score: round4(seg.score),
                words: seg.words,
                target: ts.into(),
                source_span: ss.into(),
                passage_target: ps.into(),
                target_text: &view.target.text[ts.start..ts.end],
                source_text: &source_doc(view, seg.source).text[ss.start..ss.end],
            })
            .collect(),
        cross_lingual,
    };
    let mut out = serde_json::to_string_pretty(&report).expect("the report serializes");
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------
// Terminal

/// Terminal text (ANSI when `style.color`): the target and how much of it the sources
/// explain, the closest candidates first ([`stemma_trace::Trace::by_closeness`]: the first
/// five and every source given words, with its rank: closeness, share of the text inside its passages, share of it in the text,
/// identity, and the share of the text attributed to it when the segmentation gave it
/// words), the sources on a timeline (date, id, title, share of the target), then every
/// attributed segment with its character range in the target, its source and range there,
/// kind, identity and an excerpt. Document text is cleaned (control characters shown as '�')
/// and cut to the width.
pub fn to_terminal(view: &TraceView, style: TerminalStyle) -> String {
    let prep = Prepared::new(view);
    let t = view.trace;
    let width = style.width.max(40);
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let accent = Style::new()
        .fg_color(Some(AnsiColor::Magenta.into()))
        .bold();
    let mut lines: Vec<Line> = Vec::new();
    lines.push(
        Line::styled(bold, "stemma trace ")
            .append(accent, &truncate(&clean_line(&view.target.id), width / 2))
            .append(
                dim,
                &format!(
                    " · {} words · {} chars",
                    grouped(t.target_words),
                    grouped(prep.target.chars)
                ),
            ),
    );
    let explained = 1.0 - t.unexplained_share;
    lines.push(Line::plain(format!(
        "{} of {} candidates explain {} of the text; {} is unexplained",
        t.sources.len(),
        view.considered,
        percent(explained),
        percent(t.unexplained_share)
    )));
    if !t.by_closeness.is_empty() {
        lines.push(Line::plain(""));
        lines.push(Line::styled(bold, "Closest first, seen from both sides"));
        lines.push(Line::styled(
            dim,
            truncate(
                "  #  closeness · of the text in it · of it in the text · identity · source",
                width,
            ),
        ));
        // The closest, and every source given words wherever it ranks (its segments are
        // listed below).
        let shown = t
            .by_closeness
            .iter()
            .enumerate()
            .filter(|(k, s)| *k < CLOSEST_SHOWN || s.chars > 0);
        for (k, s) in shown {
            let head = format!(
                "{:>3}  {:.2} · {:>6} · {:>6} · {:>6} · ",
                k + 1,
                round4(s.closeness),
                percent(share_of(s.reused_chars, t.target_chars)),
                percent(s.source_share),
                percent(s.identity)
            );
            let rest = width.saturating_sub(head.chars().count()).max(10);
            let mut label = clean_line(&s.id);
            if s.chars > 0 {
                label = format!("{label} · explains {} of the text", percent(s.share));
            }
            let line = Line::plain(head).append(accent, &truncate(&label, rest));
            lines.push(line);
        }
        let more = t
            .by_closeness
            .iter()
            .skip(CLOSEST_SHOWN)
            .filter(|s| s.chars == 0)
            .count();
        if more > 0 {
            lines.push(Line::styled(dim, format!("  and {more} more")));
        }
    }
    if !t.sources.is_empty() {
        lines.push(Line::plain(""));
        lines.push(Line::styled(bold, "Sources, by date"));
        for &i in &t.timeline {
            let s = &t.sources[i];
            let date = s.date.as_deref().map_or("undated".to_string(), clean_line);
            let head = format!("  {:<10}  {:>6}  ", truncate(&date, 10), percent(s.share));
            let rest = width.saturating_sub(head.chars().count()).max(10);
            let mut label = clean_line(&s.id);
            if let Some(title) = &s.title {
                label = format!("{label} — {}", clean_line(title));
            }
            lines.push(Line::plain(head).append(accent, &truncate(&label, rest)));
        }
        lines.push(Line::plain(""));
        lines.push(Line::styled(bold, "Segments, in the order of the text"));
        for (n, (seg, (ts, ss, _))) in t.segments.iter().zip(&prep.segments).enumerate() {
            let s = &t.sources[seg.source];
            lines.push(
                Line::styled(bold, format!("[{}] ", n + 1))
                    .append(
                        Style::new(),
                        &format!("chars {}–{} ← ", ts.char_start, ts.char_end),
                    )
                    .append(accent, &truncate(&clean_line(&s.id), width / 2))
                    .append(
                        dim,
                        &format!(
                            " chars {}–{} · {} · identity {}",
                            ss.char_start,
                            ss.char_end,
                            kind_name(seg.kind),
                            percent(seg.identity)
                        ),
                    ),
            );
            let excerpt = clean_line(&view.target.text[ts.start..ts.end]);
            lines.push(Line::styled(
                dim,
                format!("    “{}”", truncate(&excerpt, width.saturating_sub(6))),
            ));
        }
    }
    let mut out = String::new();
    for line in &lines {
        line.render(style.color, &mut out);
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------
// HTML

/// Self-contained HTML in the style of the compare report: a header with the target, the
/// share each source explains (a coverage bar coloured by source), every aligned candidate
/// closest first (sources and runners-up alike, with closeness and its parts) and the
/// sources on a timeline with their closeness; then the target in full with every attributed segment highlighted in its
/// source's colour and numbered, beside the source passages; hovering a segment outlines it
/// on both sides, clicking scrolls to its counterpart. All document text and metadata is
/// escaped; the page loads nothing from outside.
pub fn to_html(view: &TraceView) -> String {
    let prep = Prepared::new(view);
    let t = view.trace;
    let color = |source: usize| source % html::COLORS;
    let mut body =
        String::with_capacity(view.target.text.len() * 2 + t.segments.len() * 800 + 8192);
    // The shared bar paints every span in one colour; here each span takes its source's.
    body.push_str("<style>");
    for c in 0..html::COLORS {
        let _ = write!(body, ".bar span.c{c}{{background:var(--c{c})}}");
    }
    body.push_str("</style>\n<a class=\"skip\" href=\"#sources\">Skip to the sources</a>\n");
    body.push_str("<header class=\"top\">\n<h1>stemma trace</h1>\n<p class=\"sub\">");
    let _ = write!(
        body,
        "{} of {} candidate sources explain <strong>{}</strong> of the text · {} unexplained",
        t.sources.len(),
        view.considered,
        percent(1.0 - t.unexplained_share),
        percent(t.unexplained_share)
    );
    body.push_str("</p>\n<div class=\"cards\">\n<section class=\"card\">\n<h2>");
    html::text(&mut body, &view.target.id);
    body.push_str("</h2>\n<p class=\"meta\">");
    let mut meta: Vec<String> = [&view.target.title, &view.target.source, &view.target.date]
        .into_iter()
        .flatten()
        .map(|v| html::esc(v))
        .collect();
    meta.push(format!("{} words", grouped(t.target_words)));
    meta.push(format!("{} chars", grouped(prep.target.chars)));
    body.push_str(&meta.join(" · "));
    let _ = write!(
        body,
        "</p>\n<div class=\"bar\" role=\"img\" aria-label=\"{} of the text is explained by sources\">",
        percent(1.0 - t.unexplained_share)
    );
    for (seg, (ts, _, _)) in t.segments.iter().zip(&prep.segments) {
        let _ = write!(
            body,
            "<span class=\"c{}\" style=\"left:{}%;width:{}%\"></span>",
            color(seg.source),
            html::pct(ts.char_start, prep.target.chars),
            html::pct(ts.char_end - ts.char_start, prep.target.chars)
        );
    }
    body.push_str("</div>\n</section>\n<section class=\"card\" id=\"sources\">\n");
    if !t.by_closeness.is_empty() {
        closest_first_table(&mut body, t);
    }
    body.push_str("<h2>Sources, by date</h2>\n");
    if t.sources.is_empty() {
        body.push_str("<p class=\"none\">No source in the index explains any of this text.</p>\n");
    } else {
        body.push_str("<table>\n<thead><tr><th>Date</th><th>Source</th><th>Explains</th><th>Segments</th><th>Of the source in the text</th><th>Identity</th><th>Closeness</th></tr></thead>\n<tbody>\n");
        for &i in &t.timeline {
            let s = &t.sources[i];
            body.push_str("<tr><td class=\"num\">");
            match &s.date {
                Some(d) => html::text(&mut body, d),
                None => body.push_str("<span class=\"none\">undated</span>"),
            }
            let _ = write!(
                body,
                "</td><td><span class=\"swatch c{}\"></span>",
                color(i)
            );
            html::text(&mut body, &s.id);
            if let Some(title) = &s.title {
                body.push_str(" <span class=\"meta\">");
                html::text(&mut body, title);
                body.push_str("</span>");
            }
            let _ = writeln!(
                body,
                "</td><td class=\"num\">{} <span class=\"meta\">({} chars)</span></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.2}</td></tr>",
                percent(s.share),
                grouped(s.chars),
                s.segments,
                percent(s.source_share),
                percent(s.identity),
                round4(s.closeness)
            );
        }
        body.push_str("</tbody>\n</table>\n");
    }
    body.push_str("</section>\n</div>\n<p class=\"legend\">Each segment of the text has its source's colour and a number; click one to see it in its source.</p>\n</header>\n<main>\n");

    // The target with its segments, beside the source passages.
    body.push_str("<section class=\"docs\" aria-label=\"The text and its sources\">\n");
    body.push_str("<article class=\"doc\" data-side=\"a\" aria-label=\"The traced text\">\n<h2>");
    html::text(&mut body, &view.target.id);
    body.push_str("</h2>\n<div class=\"text\">");
    let mut at = 0;
    for (n, (seg, (ts, _, _))) in t.segments.iter().zip(&prep.segments).enumerate() {
        let n = n + 1;
        html::text(&mut body, &view.target.text[at..ts.start.max(at)]);
        let _ = write!(
            body,
            "<a class=\"pl c{c}\" id=\"a-p{n}\" href=\"#b-p{n}\" data-p=\"{n}\" title=\"Segment {n}: show in its source\">{n}</a><span class=\"m c{c}\" data-p=\"{n}\">",
            c = color(seg.source)
        );
        html::text(&mut body, &view.target.text[ts.start.max(at)..ts.end]);
        body.push_str("</span>");
        at = ts.end.max(at);
    }
    html::text(&mut body, &view.target.text[at..]);
    body.push_str("</div>\n</article>\n");
    body.push_str("<article class=\"doc\" data-side=\"b\" aria-label=\"Source passages\">\n<h2>Source passages</h2>\n<div class=\"text\">");
    if t.segments.is_empty() {
        body.push_str("<span class=\"none\">None.</span>");
    }
    for (n, (seg, (_, ss, _))) in t.segments.iter().zip(&prep.segments).enumerate() {
        let n = n + 1;
        let s = &t.sources[seg.source];
        let _ = write!(
            body,
            "<a class=\"pl c{c}\" id=\"b-p{n}\" href=\"#a-p{n}\" data-p=\"{n}\" title=\"Segment {n}: show in the text\">{n}</a><strong>",
            c = color(seg.source)
        );
        html::text(&mut body, &s.id);
        let _ = write!(
            body,
            "</strong> <span class=\"meta\">chars {}–{} · {} · identity {}</span>\n<span class=\"m c{}\" data-p=\"{n}\">",
            ss.char_start,
            ss.char_end,
            kind_name(seg.kind),
            percent(seg.identity),
            color(seg.source)
        );
        html::text(
            &mut body,
            &source_doc(view, seg.source).text[ss.start..ss.end],
        );
        body.push_str("</span>\n\n");
    }
    body.push_str("</div>\n</article>\n</section>\n</main>\n<footer>Made by stemma trace. Character offsets count Unicode scalar values from 0.</footer>\n");
    html::page(
        &format!("stemma trace: {}", view.target.id),
        &body,
        html::LINK_SCRIPT,
    )
}

/// The table of every aligned candidate, closest first ([`stemma_trace::Trace::by_closeness`]):
/// rank, source (its swatch when it was given words), closeness, share of the text inside its
/// passages, share of it in the text, identity, and the share of the text attributed to it.
fn closest_first_table(body: &mut String, t: &Trace) {
    body.push_str("<h2>Closest first, seen from both sides</h2>\n<table>\n<thead><tr><th>#</th><th>Source</th><th>Closeness</th><th>Of the text in it</th><th>Of it in the text</th><th>Identity</th><th>Explains</th></tr></thead>\n<tbody>\n");
    for (k, s) in t.by_closeness.iter().enumerate() {
        let _ = write!(body, "<tr><td class=\"num\">{}</td><td>", k + 1);
        if let Some(i) = t.sources.iter().position(|x| x.index == s.index) {
            let _ = write!(body, "<span class=\"swatch c{}\"></span>", i % html::COLORS);
        }
        html::text(body, &s.id);
        if let Some(title) = &s.title {
            body.push_str(" <span class=\"meta\">");
            html::text(body, title);
            body.push_str("</span>");
        }
        let explains = if s.chars > 0 {
            percent(s.share)
        } else {
            "<span class=\"none\">—</span>".to_string()
        };
        let _ = writeln!(
            body,
            "</td><td class=\"num\">{:.2}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            round4(s.closeness),
            percent(share_of(s.reused_chars, t.target_chars)),
            percent(s.source_share),
            percent(s.identity),
            explains
        );
    }
    body.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use stemma_text::analyze;

    fn view_of<'a>(
        target: &'a Document,
        candidates: &'a [Document],
        trace: &'a Trace,
        options: &'a CompareOptions,
    ) -> TraceView<'a> {
        TraceView {
            target,
            candidates,
            trace,
            options,
            considered: candidates.len(),
        }
    }

    #[test]
    fn html_escapes_everything_and_json_has_char_offsets() {
        let shared = "the <b>licenses</b> for most software are designed to take away your \
                      freedom to share and change it <script>alert(1)</script>";
        let mut source = Document::new(
            "<img src=x onerror=alert(1)>",
            format!("Ünïcode préface. {shared}"),
        );
        source.date = Some("1991\"><script>".into());
        let target = Document::new("draft&co", format!("Début — {shared}. Fin."));
        let options = CompareOptions::default();
        let mut later = Document::new("later<copy>", source.text.clone());
        later.date = Some("2001".into());
        let candidates = [source, later];
        let trace = stemma_trace::trace(&target, &analyze(&target.text), &candidates, &options);
        assert_eq!(trace.sources.len(), 1);
        assert_eq!(trace.alternatives.len(), 1);
        let view = view_of(&target, &candidates, &trace, &options);
        let page = to_html(&view);
        assert!(!page.contains("<script>alert") && !page.contains("<img") && !page.contains("<b>"));
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
        let json: serde_json::Value = serde_json::from_str(&to_json(&view)).unwrap();
        let seg = &json["segments"][0];
        let start = seg["target"]["start"].as_u64().unwrap() as usize;
        let char_start = seg["target"]["char_start"].as_u64().unwrap() as usize;
        assert_eq!(target.text[..start].chars().count(), char_start);
        let s = seg["source_span"]["start"].as_u64().unwrap() as usize;
        let cs = seg["source_span"]["char_start"].as_u64().unwrap() as usize;
        assert_eq!(candidates[0].text[..s].chars().count(), cs);
        assert_eq!(json["timeline"][0], "<img src=x onerror=alert(1)>");
        // Closeness seen from both sides, with its parts.
        let first = &json["sources"][0];
        for field in ["closeness", "identity", "source_share"] {
            let value = first[field].as_f64().unwrap();
            assert!(value > 0.5 && value <= 1.0, "{field}: {value}");
        }
        let text = to_terminal(
            &view,
            TerminalStyle {
                color: false,
                width: 60,
            },
        );
        assert!(text.contains("Sources, by date") && !text.contains('\u{1b}'));
        assert!(
            text.contains("Closest first, seen from both sides"),
            "{text}"
        );
        // Closest first: the source, then the later copy (as close, not given the words).
        let first = text.lines().position(|l| l.contains("<img src")).unwrap();
        let second = text
            .lines()
            .position(|l| l.contains("later<copy>"))
            .unwrap();
        assert!(first < second, "{text}");
        assert_eq!(json["alternatives"][0]["id"], "later<copy>");
        assert_eq!(json["alternatives"][0]["rank"], 2);
        assert_eq!(
            json["by_closeness"][0]["id"],
            "<img src=x onerror=alert(1)>"
        );
        assert_eq!(json["by_closeness"][1]["id"], "later<copy>");
        assert_eq!(json["by_closeness"][1]["rank"], 2);
        assert_eq!(json["by_closeness"][1]["chars"], 0);
        assert!(page.contains("later&lt;copy&gt;") && !page.contains("later<copy>"));
        assert!(page.contains("<th>Closeness</th>"));
        assert!(page.contains("Closest first, seen from both sides"));
    }
}
