//! Renderings of `stemma diff`: a summary line first, then clause by clause with a
//! word-level redline inside — for the terminal, as JSON (schema "stemma.diff/1") and as a
//! self-contained HTML page with redline and side-by-side views.
//!
//! ```
//! use stemma_diff::{diff, DiffOptions};
//! use stemma_report::compare::TerminalStyle;
//! use stemma_report::diff::{summary_line, to_json, to_terminal, DiffView};
//! use stemma_text::Document;
//!
//! let a = Document::new("v1.txt", "1. Cease fire now.\n2. Talks in Geneva.\n3. Elections.\n");
//! let b = Document::new("v2.txt", "1. Cease fire now.\n2. Talks in Doha.\n");
//! let options = DiffOptions::default();
//! let d = diff(&a.text, &b.text, &options);
//! let view = DiffView { a: &a, b: &b, diff: &d, options: &options };
//! assert_eq!(summary_line(&view), "3 points → 2: 1 removed (3), 1 reworded (2), 1 unchanged");
//! assert!(to_json(&view).contains("\"schema\": \"stemma.diff/1\""));
//! let text = to_terminal(&view, TerminalStyle { color: false, width: 80 });
//! assert!(text.contains("[-Geneva-]{+Doha+}."));
//! ```

use std::fmt::Write as _;

use anstyle::{AnsiColor, Effects, Style};
use serde::Serialize;
use stemma_diff::{ChangeKind, Clause, Diff, DiffOptions, Op, Span};
use stemma_text::{CharOffsets, Document};

mod summary;

pub use summary::{change_label, summary_line};

use crate::compare::TerminalStyle;
use crate::html;
use crate::json::JsonSpan;
use crate::terminal::{clean_line, truncate, wrap, Line};

/// Everything a diff report shows.
#[derive(Debug, Clone, Copy)]
pub struct DiffView<'a> {
    /// The old version.
    pub a: &'a Document,
    /// The new version.
    pub b: &'a Document,
    /// The comparison.
    pub diff: &'a Diff,
    /// The options used.
    pub options: &'a DiffOptions,
}

// ---------------------------------------------------------------- JSON

#[derive(Serialize)]
struct JsonClause<'a> {
    index: usize,
    name: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label_span: Option<JsonSpan>,
    span: JsonSpan,
    body: JsonSpan,
    depth: usize,
    parent: Option<usize>,
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    id: &'a str,
    encoding: &'a str,
    chars: usize,
    clauses: Vec<JsonClause<'a>>,
}

#[derive(Serialize)]
struct JsonPiece<'a> {
    op: &'static str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    a: Option<JsonSpan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    b: Option<JsonSpan>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    kind: &'static str,
    label: String,
    a: &'a [usize],
    b: &'a [usize],
    moved: bool,
    renumbered: bool,
    text_changed: bool,
    confidence: f64,
    retained_pct: f64,
    added_pct: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    redline: Option<Vec<JsonPiece<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redline_complete: Option<bool>,
}

#[derive(Serialize)]
struct JsonOptions {
    granularity: &'static str,
    ignore_case: bool,
    ignore_punctuation: bool,
    ignore_numbering: bool,
    min_similarity: f64,
    min_containment: f64,
}

#[derive(Serialize)]
struct JsonSummary {
    text: String,
    a_clauses: usize,
    b_clauses: usize,
    counts: std::collections::BTreeMap<&'static str, usize>,
    renumbered_from: Option<usize>,
    complete: bool,
    a_numbering: &'static str,
    b_numbering: &'static str,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    a: JsonDoc<'a>,
    b: JsonDoc<'a>,
    options: JsonOptions,
    summary: JsonSummary,
    changes: Vec<JsonChange<'a>>,
}

fn jspan(o: &CharOffsets, s: Span) -> JsonSpan {
    JsonSpan {
        start: s.start,
        end: s.end,
        char_start: o.char_of(s.start),
        char_end: o.char_of(s.end),
        tokens: None,
    }
}

fn jdoc<'a>(doc: &'a Document, clauses: &'a [Clause], o: &CharOffsets) -> JsonDoc<'a> {
    JsonDoc {
        id: &doc.id,
        encoding: &doc.encoding,
        chars: o.char_of(doc.text.len()),
        clauses: clauses
            .iter()
            .enumerate()
            .map(|(index, c)| JsonClause {
                index,
                name: &c.name,
                kind: c.kind.as_str(),
                label: c.label.as_ref().map(|l| l.key.as_str()),
                label_span: c.label.as_ref().map(|l| jspan(o, l.span)),
                span: jspan(o, c.span),
                body: jspan(o, c.body),
                depth: c.depth,
                parent: c.parent,
            })
            .collect(),
    }
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// JSON, schema "stemma.diff/1": both versions' clauses (label, body and whole spans with
/// byte and char offsets, tree parents), the summary, and every change with its redline.
pub fn to_json(view: &DiffView) -> String {
    let d = view.diff;
    let (ao, bo) = (
        CharOffsets::new(&view.a.text),
        CharOffsets::new(&view.b.text),
    );
    let counts = ChangeKind::ALL
        .iter()
        .map(|k| (k.as_str(), d.count(*k)))
        .collect();
    let changes = d
        .changes
        .iter()
        .map(|c| JsonChange {
            kind: c.kind.as_str(),
            label: change_label(d, c),
            a: &c.a,
            b: &c.b,
            moved: c.moved,
            renumbered: c.renumbered,
            text_changed: c.text_changed,
            confidence: round(c.confidence, 3),
            retained_pct: round(c.retained * 100.0, 1),
            added_pct: round(c.added * 100.0, 1),
            redline: c.redline.as_ref().map(|r| {
                r.pieces
                    .iter()
                    .map(|p| JsonPiece {
                        op: p.op.as_str(),
                        text: match (p.b, p.a) {
                            (Some(b), _) => b.of(&view.b.text),
                            (None, Some(a)) => a.of(&view.a.text),
                            (None, None) => "",
                        },
                        a: p.a.map(|s| jspan(&ao, s)),
                        b: p.b.map(|s| jspan(&bo, s)),
                    })
                    .collect()
            }),
            redline_complete: c.redline.as_ref().map(|r| r.complete),
        })
        .collect();
    let report = JsonReport {
        schema: "stemma.diff/1",
        a: jdoc(view.a, &d.a, &ao),
        b: jdoc(view.b, &d.b, &bo),
        options: JsonOptions {
            granularity: view.options.granularity.as_str(),
            ignore_case: view.options.ignore_case,
            ignore_punctuation: view.options.ignore_punctuation,
            ignore_numbering: view.options.ignore_numbering,
            min_similarity: view.options.min_similarity,
            min_containment: view.options.min_containment,
        },
        summary: JsonSummary {
            text: summary_line(view),
            a_clauses: d.a.len(),
            b_clauses: d.b.len(),
            counts,
            renumbered_from: d.renumbered_from(),
            complete: d.complete,
            a_numbering: d.a_numbering.as_str(),
            b_numbering: d.b_numbering.as_str(),
        },
        changes,
    };
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".to_string());
    out.push('\n');
    out
}

// ---------------------------------------------------------------- terminal

fn kind_style(kind: ChangeKind) -> Style {
    let c = match kind {
        ChangeKind::Removed => AnsiColor::Red,
        ChangeKind::Added => AnsiColor::Green,
        ChangeKind::Merged | ChangeKind::Split => AnsiColor::Magenta,
        ChangeKind::Moved => AnsiColor::Blue,
        ChangeKind::Reworded | ChangeKind::Expanded | ChangeKind::Shortened => AnsiColor::Yellow,
        ChangeKind::Renumbered => AnsiColor::Cyan,
        ChangeKind::Unchanged => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(c.into()))
}

fn kind_mark(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Removed => "-",
        ChangeKind::Added => "+",
        ChangeKind::Merged => ">",
        ChangeKind::Split => "<",
        ChangeKind::Moved => "↕",
        ChangeKind::Reworded => "~",
        ChangeKind::Expanded => "»",
        ChangeKind::Shortened => "«",
        ChangeKind::Renumbered => "#",
        ChangeKind::Unchanged => "=",
    }
}

/// Terminal text: the summary line, then one entry per change; changed text is shown as a
/// word-level redline (red struck-through deletions, green underlined insertions; without
/// colour, `[-deleted-]{+inserted+}` as `git diff --word-diff`).
pub fn to_terminal(view: &DiffView, style: TerminalStyle) -> String {
    let d = view.diff;
    let width = style.width.max(40);
    let mut out = String::new();
    let bold = Style::new().effects(Effects::BOLD);
    let dim = Style::new().effects(Effects::DIMMED);
    let del = Style::new()
        .fg_color(Some(AnsiColor::Red.into()))
        .effects(Effects::STRIKETHROUGH);
    let ins = Style::new()
        .fg_color(Some(AnsiColor::Green.into()))
        .effects(Effects::UNDERLINE);
    let header = format!("{} → {}", clean_line(&view.a.id), clean_line(&view.b.id));
    Line::styled(bold, truncate(&header, width)).render(style.color, &mut out);
    out.push('\n');
    Line::styled(bold, summary_line(view)).render(style.color, &mut out);
    out.push_str("\n\n");
    let indent = "      ";
    for c in &d.changes {
        let label = truncate(&change_label(d, c), 24);
        let mut head = format!(
            "{} {:<12} {:<10}",
            kind_mark(c.kind),
            label,
            c.kind.as_str()
        );
        let mut notes: Vec<String> = Vec::new();
        if c.moved && c.kind != ChangeKind::Moved {
            notes.push("moved".into());
        }
        if c.renumbered && c.kind != ChangeKind::Renumbered {
            notes.push("renumbered".into());
        }
        if !c.a.is_empty() && !c.b.is_empty() && c.text_changed {
            notes.push(format!("{:.0}% of words retained", c.retained * 100.0));
            if c.kind == ChangeKind::Expanded {
                notes.push(format!("{:.0}% of the new text added", c.added * 100.0));
            }
        }
        if !c.a.is_empty() && !c.b.is_empty() && c.confidence < 1.0 {
            notes.push(format!("confidence {:.2}", c.confidence));
        }
        if !notes.is_empty() {
            let _ = write!(head, " {}", notes.join(", "));
        }
        Line::styled(kind_style(c.kind), head.trim_end()).render(style.color, &mut out);
        out.push('\n');
        let text_width = width.saturating_sub(indent.len());
        let mut pieces: Vec<(Style, String)> = Vec::new();
        match (&c.redline, c.kind) {
            (Some(r), _) => {
                for (i, p) in r.pieces.iter().enumerate() {
                    let before_insert = r.pieces.get(i + 1).is_some_and(|n| n.op == Op::Insert);
                    match p.op {
                        Op::Equal => pieces.push((
                            Style::new(),
                            p.b.map_or("", |s| s.of(&view.b.text)).to_string(),
                        )),
                        Op::Delete => {
                            let t = p.a.map_or("", |s| s.of(&view.a.text));
                            let t = if before_insert { t.trim_end() } else { t };
                            push_marked(&mut pieces, del, t, "[-", "-]", style.color);
                        }
                        Op::Insert => {
                            let t = p.b.map_or("", |s| s.of(&view.b.text));
                            push_marked(&mut pieces, ins, t, "{+", "+}", style.color);
                        }
                    }
                }
            }
            (None, ChangeKind::Removed) => {
                let t = body_text(&view.a.text, &d.a, &c.a);
                push_marked(&mut pieces, del, &t, "[-", "-]", style.color);
            }
            (None, ChangeKind::Added) => {
                let t = body_text(&view.b.text, &d.b, &c.b);
                push_marked(&mut pieces, ins, &t, "{+", "+}", style.color);
            }
            (None, _) => {
                let t = body_text(&view.b.text, &d.b, &c.b);
                pieces.push((dim, t));
            }
        }
        let borrowed: Vec<(Style, &str)> = pieces.iter().map(|(s, t)| (*s, t.as_str())).collect();
        let mut lines = wrap(&borrowed, text_width);
        let max_lines = if c.kind == ChangeKind::Unchanged {
            1
        } else {
            12
        };
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                last.runs.push((dim, " …".to_string()));
            }
        }
        for line in lines {
            out.push_str(indent);
            line.render(style.color, &mut out);
            out.push('\n');
        }
    }
    out
}

fn push_marked(
    pieces: &mut Vec<(Style, String)>,
    style: Style,
    text: &str,
    open: &str,
    close: &str,
    color: bool,
) {
    let trimmed = text.trim_end();
    let tail = &text[trimmed.len()..];
    if color {
        pieces.push((style, trimmed.to_string()));
    } else {
        pieces.push((Style::new(), format!("{open}{trimmed}{close}")));
    }
    if !tail.is_empty() {
        pieces.push((Style::new(), " ".to_string()));
    }
}

fn body_text(text: &str, clauses: &[Clause], idx: &[usize]) -> String {
    idx.iter()
        .map(|&i| clauses[i].body.of(text))
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------- HTML

const DIFF_STYLE: &str = r#"<style>
.sum{font-size:1.05rem;font-weight:600;margin:.25rem 0 .5rem}
.counts span{display:inline-block;margin:0 .6em .3em 0;padding:.05em .5em;border-radius:8px;border:1px solid var(--line)}
.ch{border:1px solid var(--line);border-radius:8px;margin:0 0 .75rem;padding:.5rem .8rem;min-width:0}
.ch h3{font-size:.95rem;margin:0 0 .35rem;display:flex;gap:.6em;flex-wrap:wrap;align-items:baseline}
.ch .k{font-weight:700;text-transform:uppercase;font-size:.75rem;letter-spacing:.04em;padding:.05em .45em;border-radius:4px;background:var(--card);border:1px solid var(--line)}
.ch .n{color:var(--mute);font-size:.85rem}
.rl,.sbs .t{white-space:pre-wrap;overflow-wrap:anywhere;font-family:ui-serif,Georgia,"Noto Serif",serif;line-height:1.6}
del{color:var(--da);text-decoration:line-through;background:color-mix(in srgb,var(--da) 12%,transparent)}
ins{color:var(--db);text-decoration:underline;background:color-mix(in srgb,var(--db) 12%,transparent)}
.sbs{display:grid;grid-template-columns:1fr 1fr;gap:.75rem;margin-top:.4rem}
.sbs .t{border:1px solid var(--line);border-radius:6px;padding:.4rem .6rem;min-width:0}
.k-removed{border-left:4px solid var(--da)}.k-added{border-left:4px solid var(--db)}
.k-merged,.k-split{border-left:4px solid #8e44ad}.k-moved{border-left:4px solid var(--fill)}
.k-reworded,.k-expanded,.k-shortened{border-left:4px solid var(--focus)}.k-renumbered{border-left:4px solid #16a085}
.k-unchanged{opacity:.75}
.views label{margin-right:1em;cursor:pointer}
#v-rl:checked~.changes .sbs{display:none}
#v-sbs:checked~.changes .rl{display:none}
@media (max-width:820px){.sbs{grid-template-columns:1fr}}
</style>
"#;

/// Self-contained HTML: the summary, counts, then every change with its redline (deletions
/// struck through, insertions underlined) and a side-by-side view (switchable without
/// script). All document text is escaped.
pub fn to_html(view: &DiffView) -> String {
    let d = view.diff;
    let mut body = String::with_capacity(view.a.text.len() + view.b.text.len() * 2 + 4096);
    body.push_str(DIFF_STYLE);
    body.push_str("<header class=\"top\"><h1>stemma diff: ");
    html::text(&mut body, &view.a.id);
    body.push_str(" → ");
    html::text(&mut body, &view.b.id);
    body.push_str("</h1>\n<p class=\"sum\">");
    html::text(&mut body, &summary_line(view));
    body.push_str("</p>\n<p class=\"counts\">");
    for kind in ChangeKind::ALL {
        let n = d.count(kind);
        if n > 0 {
            let _ = write!(
                body,
                "<span class=\"k-{}\">{} {}</span>",
                kind.as_str(),
                n,
                kind.as_str()
            );
        }
    }
    body.push_str("</p></header>\n<main>\n");
    body.push_str(
        "<input type=\"radio\" name=\"v\" id=\"v-both\" checked><label for=\"v-both\">Redline and side by side</label> \
         <input type=\"radio\" name=\"v\" id=\"v-rl\"><label for=\"v-rl\">Redline only</label> \
         <input type=\"radio\" name=\"v\" id=\"v-sbs\"><label for=\"v-sbs\">Side by side only</label>\n<div class=\"changes\">\n",
    );
    for (i, c) in d.changes.iter().enumerate() {
        let _ = write!(
            body,
            "<section class=\"ch k-{k}\" id=\"c{i}\"><h3><span class=\"k\">{k}</span><span>",
            k = c.kind.as_str()
        );
        html::text(&mut body, &change_label(d, c));
        body.push_str("</span><span class=\"n\">");
        let mut notes: Vec<String> = Vec::new();
        if c.moved && c.kind != ChangeKind::Moved {
            notes.push("moved".into());
        }
        if c.renumbered && c.kind != ChangeKind::Renumbered {
            notes.push("renumbered".into());
        }
        if !c.a.is_empty() && !c.b.is_empty() {
            notes.push(format!("{:.0}% of words retained", c.retained * 100.0));
            if c.kind == ChangeKind::Expanded {
                notes.push(format!("{:.0}% of the new text added", c.added * 100.0));
            }
            notes.push(format!("confidence {:.2}", c.confidence));
        }
        html::text(&mut body, &notes.join(" · "));
        body.push_str("</span></h3>\n<div class=\"rl\">");
        let (mut left, mut right) = (String::new(), String::new());
        match &c.redline {
            Some(r) => {
                for p in &r.pieces {
                    match p.op {
                        Op::Equal => {
                            let t = p.b.map_or("", |s| s.of(&view.b.text));
                            html::text(&mut body, t);
                            html::text(&mut left, p.a.map_or("", |s| s.of(&view.a.text)));
                            html::text(&mut right, t);
                        }
                        Op::Delete => {
                            let t = p.a.map_or("", |s| s.of(&view.a.text));
                            for out in [&mut body, &mut left] {
                                out.push_str("<del>");
                                html::text(out, t);
                                out.push_str("</del>");
                            }
                        }
                        Op::Insert => {
                            let t = p.b.map_or("", |s| s.of(&view.b.text));
                            for out in [&mut body, &mut right] {
                                out.push_str("<ins>");
                                html::text(out, t);
                                out.push_str("</ins>");
                            }
                        }
                    }
                }
            }
            None => {
                let a_text = body_text(&view.a.text, &d.a, &c.a);
                let b_text = body_text(&view.b.text, &d.b, &c.b);
                match c.kind {
                    ChangeKind::Removed => {
                        body.push_str("<del>");
                        html::text(&mut body, &a_text);
                        body.push_str("</del>");
                        left.push_str("<del>");
                        html::text(&mut left, &a_text);
                        left.push_str("</del>");
                    }
                    ChangeKind::Added => {
                        body.push_str("<ins>");
                        html::text(&mut body, &b_text);
                        body.push_str("</ins>");
                        right.push_str("<ins>");
                        html::text(&mut right, &b_text);
                        right.push_str("</ins>");
                    }
                    _ => {
                        html::text(&mut body, &b_text);
                        html::text(&mut left, &a_text);
                        html::text(&mut right, &b_text);
                    }
                }
            }
        }
        body.push_str("</div>\n<div class=\"sbs\"><div class=\"t\" data-side=\"a\">");
        body.push_str(&left);
        body.push_str("</div><div class=\"t\" data-side=\"b\">");
        body.push_str(&right);
        body.push_str("</div></div></section>\n");
    }
    body.push_str("</div>\n</main>\n<footer>stemma diff · schema stemma.diff/1 · ");
    html::text(
        &mut body,
        &format!(
            "granularity {}{}{}{}",
            view.options.granularity.as_str(),
            if view.options.ignore_case {
                ", ignore case"
            } else {
                ""
            },
            if view.options.ignore_punctuation {
                ", ignore punctuation"
            } else {
                ""
            },
            if view.options.ignore_numbering {
                ", ignore numbering"
            } else {
                ""
            },
        ),
    );
    body.push_str("</footer>\n");
    let title = format!("stemma diff: {} → {}", view.a.id, view.b.id);
    html::page(&title, &body, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use stemma_diff::diff;

    fn view_of(a: &str, b: &str) -> (Document, Document, Diff, DiffOptions) {
        let options = DiffOptions::default();
        let d = diff(a, b, &options);
        (
            Document::new("a.txt", a),
            Document::new("b.txt", b),
            d,
            options,
        )
    }

    #[test]
    fn html_escapes_document_text() {
        let (a, b, d, o) = view_of(
            "1. <script>alert(1)</script> stays.\n",
            "1. <script>alert(2)</script> stays.\n",
        );
        let view = DiffView {
            a: &a,
            b: &b,
            diff: &d,
            options: &o,
        };
        let page = to_html(&view);
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;"));
        assert!(page.contains("<del>") && page.contains("<ins>"));
    }

    #[test]
    fn json_has_char_offsets_and_is_deterministic() {
        let (a, b, d, o) = view_of("1. Café crème.\n2. Two.\n", "1. Café noir.\n2. Two.\n");
        let view = DiffView {
            a: &a,
            b: &b,
            diff: &d,
            options: &o,
        };
        let json = to_json(&view);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["schema"], "stemma.diff/1");
        let body = &v["a"]["clauses"][0]["body"];
        assert_eq!(body["start"], 3);
        assert_eq!(body["char_end"], 14);
        assert_eq!(body["end"], 16);
        assert_eq!(json, to_json(&view));
        assert_eq!(v["summary"]["counts"]["reworded"], 1);
    }

    #[test]
    fn terminal_colour_and_plain() {
        let (a, b, d, o) = view_of("1. Ten euros.\n", "1. Twelve euros.\n");
        let view = DiffView {
            a: &a,
            b: &b,
            diff: &d,
            options: &o,
        };
        let plain = to_terminal(
            &view,
            TerminalStyle {
                color: false,
                width: 80,
            },
        );
        assert!(!plain.contains('\u{1b}'));
        assert!(plain.contains("[-Ten-]{+Twelve+}"), "{plain}");
        let colour = to_terminal(
            &view,
            TerminalStyle {
                color: true,
                width: 80,
            },
        );
        assert!(colour.contains('\u{1b}'));
    }
}
