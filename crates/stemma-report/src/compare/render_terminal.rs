//! `stemma compare` for the terminal: wrapped text, ANSI colour when asked.

use super::*;

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
        &grouped_plural(s.passages, "shared passage", "shared passages"),
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
            grouped_plural(words, "word", "words"),
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
                grouped_plural(s.alternatives, "weaker alignment", "weaker alignments")
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
                    grouped_plural(p.sentence_pairs.len(), "sentence pair", "sentence pairs"),
                    round4(p.score)
                ),
            ),
            None => (
                format!("{} identical", percent(p.identity)),
                format!(
                    " · {} matched · score {:.1}",
                    grouped_plural(p.matched_tokens, "word", "words"),
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
            grouped_plural(p.a_tokens, "word", "words")
        );
        let b_label = format!(
            "B {} · {}",
            prep.b.range_label(sp.b.span()),
            grouped_plural(p.b_tokens, "word", "words")
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
                    grouped_plural(alt.matched_tokens, "word", "words"),
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
